/** A product served from two regions that must log a user out of every device at once. */
import { sources as s } from './sources';
import type { Scenario } from './types';

export const multiRegionLogout: Scenario = {
  id: 'multi-region-logout',
  title: 'A team product in two regions, with "log out of all devices"',
  situation: [
    'A project-management product serves its customers from two AWS regions, one in Europe and one in North America, each with several app instances behind a load balancer. A user may work from a laptop, a phone and a borrowed computer, and a request can reach either region.',
    'Security reviews require three things: a "Log out of all devices" button, an administrator who can lock out a departing employee at once, and every other session of a user ended when they change their password.',
  ],
  decisions: [
    {
      id: 'store',
      question: 'Where do sessions live?',
      options: [
        {
          id: 'jwt',
          label: 'A signed JWT in a cookie, valid for 30 days; no server state',
          verdict: 'poor',
          explanation:
            'Every copy stays valid until its `exp`. Nothing on the server knows which tokens exist, so "log out of all devices" has nothing to delete, and a locked-out employee keeps working for up to 30 days.',
        },
        {
          id: 'encrypted-cookie',
          label: 'An encrypted cookie holding the user id and roles',
          verdict: 'poor',
          explanation:
            'Encryption hides the contents but does not make a copy revocable. The only early end is a key change, which logs out every customer in both regions.',
        },
        {
          id: 'redis-per-region',
          label: 'A Redis server in each region, each holding the sessions made there',
          verdict: 'poor',
          explanation:
            'A request that reaches the other region finds no session, and a logout in one region leaves the sessions held in the other one alive. Two stores that do not share their data are two sources of truth.',
        },
        {
          id: 'short-jwt-refresh',
          label:
            'Access JWTs that live 5 minutes, renewed with a refresh token kept in a shared table',
          verdict: 'workable',
          explanation:
            'Deleting the refresh token ends a device at its next renewal, so revocation takes up to 5 minutes rather than 30 days. That may satisfy a review. The cost is two mechanisms to build and test, and a window in which a locked-out employee still works.',
        },
        {
          id: 'shared-table',
          label: 'A sessions table both regions read and write, with a user id on every row',
          verdict: 'best',
          explanation:
            'One source of truth: any instance in either region can find a session, and a delete ends it everywhere. DynamoDB global tables replicate every write, deletes included, to each replica region ([AWS: global tables](' +
            s.dynamoGlobalTables +
            ')); a primary database that both regions query does the same with a longer round trip from the far region.',
        },
      ],
    },
    {
      id: 'everywhere',
      question: 'How does "Log out of all devices" find the sessions to end?',
      options: [
        {
          id: 'rotate-key',
          label: 'It changes the signing key',
          verdict: 'poor',
          explanation: 'That ends every session of every customer, to log out one user.',
        },
        {
          id: 'wait-expiry',
          label: "It deletes this browser's cookie; the rest expire on their own",
          verdict: 'poor',
          explanation:
            'The borrowed computer stays logged in until its session expires. OWASP makes ending the session on the server mandatory ([OWASP: session expiration](' +
            s.owaspExpiration +
            ')).',
        },
        {
          id: 'user-index',
          label: 'It deletes every row with this user id, found through an index on that column',
          verdict: 'best',
          explanation:
            'One query finds them all, one delete ends them, and the next request from any device finds no session. In DynamoDB that index is a global secondary index on the user id; in SQL an ordinary index.',
        },
        {
          id: 'deny-list',
          label: 'It records the user\'s "not before" time, checked on every request',
          verdict: 'workable',
          explanation:
            'This works with tokens the server cannot delete, at the price of a lookup on every request in both regions, which is the cost of a server-side session without its other benefits.',
        },
      ],
    },
    {
      id: 'password-change',
      question: 'What happens to sessions when a user changes their password?',
      options: [
        {
          id: 'nothing',
          label: 'Nothing; the user is still the same user',
          verdict: 'poor',
          explanation:
            'A password is usually changed because someone else may know it. Their sessions must not survive the change.',
        },
        {
          id: 'new-id-end-others',
          label:
            'The current session gets a new id, and every other session of the user is deleted',
          verdict: 'best',
          explanation:
            'OWASP names password changes among the privilege changes after which the session id must be renewed and the old one destroyed ([OWASP: renew the session id](' +
            s.owaspRenewId +
            ')). Deleting the other rows ends whatever an attacker had.',
        },
        {
          id: 'end-all',
          label: 'Every session of the user is deleted, this one included',
          verdict: 'workable',
          explanation:
            'Safe, but the user is sent to the login page right after proving who they are. Renewing the current session gives the same protection without that step.',
        },
      ],
    },
    {
      id: 'cookie',
      question: 'Which cookie carries the session id?',
      options: [
        {
          id: 'parent-domain',
          label:
            '`Domain=example.com`, so every subdomain, from the blog to the help centre, can read it',
          verdict: 'poor',
          explanation:
            'A flaw in any subdomain then exposes or plants session ids for the product. OWASP recommends leaving `Domain` unset ([OWASP: Domain and Path](' +
            s.owaspDomain +
            ')).',
        },
        {
          id: 'host-prefix',
          label: '`__Host-session`, `HttpOnly`, `Secure`, `SameSite=Lax`, `Path=/`, no `Domain`',
          verdict: 'best',
          explanation:
            'The `__Host-` prefix makes the browser refuse the cookie unless it is `Secure`, has `Path=/` and no `Domain`, so no other subdomain can set or overwrite it ([MDN: cookie prefixes](' +
            s.cookiePrefixes +
            '); OWASP recommends it for session ids, [OWASP](' +
            s.owaspPrefixes +
            ')). OWASP prefers `SameSite=Strict` and accepts `Lax`; `Lax` is chosen here so that links from email and chat arrive logged in, while cross-site POSTs stay without the cookie.',
        },
        {
          id: 'local-storage',
          label: 'No cookie: the id is kept in `localStorage` and sent in a header by the page',
          verdict: 'poor',
          explanation:
            'Any script on the page can read `localStorage`, so one cross-site scripting bug leaks the id. An `HttpOnly` cookie keeps it out of reach of scripts.',
        },
      ],
    },
  ],
  modelAnswer: {
    choices: {
      store: 'shared-table',
      everywhere: 'user-index',
      'password-change': 'new-id-end-others',
      cookie: 'host-prefix',
    },
    summary:
      'Server-side sessions in one table that both regions share, indexed by user, with a `__Host-` cookie that holds only the id. Every requirement in the review is a delete on the server, so only a store that the server can delete from meets them at once.',
    points: [
      'Log out of all devices, lock-out and password change are all "delete this user\'s rows": one indexed query, effective at the next request from any device.',
      'Both regions read and write the same data, so the region a request reaches does not matter. DynamoDB global tables copy writes and deletes to every replica ([AWS](' +
        s.dynamoGlobalTables +
        ')), asynchronously by default: a delete made in one region takes a moment to reach the other.',
      'Renewing the id at password change follows OWASP ([OWASP](' +
        s.owaspRenewId +
        ')), and ending the other sessions closes any that an attacker holds.',
      'Tokens that cannot be deleted (JWTs, encrypted cookies) meet these requirements only with a server-side list checked on every request. Once that list exists, it is a session store.',
    ],
  },
};
