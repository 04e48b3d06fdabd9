/** A small internal admin tool on one server, where leavers must lose access the same day. */
import { sources as s } from './sources';
import type { Scenario } from './types';

export const internalTool: Scenario = {
  id: 'internal-tool',
  title: 'An internal admin tool on one server',
  situation: [
    'A company of 40 people runs an internal tool for refunds and customer records on a single virtual machine with a persistent disk. It is one Node.js process, redeployed about once a week, reached only through the company VPN.',
    'When someone leaves the company, their access must end the same day. The tool can issue refunds, so the security team wants short idle sessions. Nobody wants another service to look after.',
  ],
  decisions: [
    {
      id: 'store',
      question: 'Where do sessions live?',
      options: [
        {
          id: 'memory',
          label: "In the process's memory",
          verdict: 'workable',
          explanation:
            'With one process every request finds its session, and revoking is a delete. But each weekly deploy logs all 40 people out, and the sessions cannot be listed after a crash. Acceptable for a prototype.',
        },
        {
          id: 'sqlite',
          label: "A SQLite file on the machine's disk",
          verdict: 'best',
          explanation:
            'One file, no service to run: sessions survive deploys and restarts, can be listed and deleted with a query, and every process on the machine shares them. This site keeps its own learner sessions that way.',
        },
        {
          id: 'redis-cluster',
          label: 'A managed Redis cluster',
          verdict: 'poor',
          explanation:
            'It solves a problem this tool does not have, sharing sessions between machines, and adds the service nobody wants to look after.',
        },
        {
          id: 'jwt',
          label: 'A JWT in a cookie, valid for 12 hours',
          verdict: 'poor',
          explanation:
            "A leaver's token keeps working until it expires, and nothing on the server can end it that day without a deny-list.",
        },
      ],
    },
    {
      id: 'timeouts',
      question: 'Which timeouts, and where are they enforced?',
      options: [
        {
          id: 'cookie-max-age',
          label: 'A cookie `Max-Age` of 30 minutes; the browser deletes it then',
          verdict: 'poor',
          explanation:
            'An expiry the client enforces is one an attacker can ignore: a copy of the cookie still works after 30 minutes. OWASP: timeouts "must be enforced server-side" ([OWASP: idle timeout](' +
            s.owaspIdleTimeout +
            ')).',
        },
        {
          id: 'server-idle-absolute',
          label: 'On the server: 30 minutes idle and 8 hours absolute, stored with each session',
          verdict: 'best',
          explanation:
            'Both limits are checked against the session row on every request, so a copied cookie dies with the session. OWASP asks for an idle and an absolute timeout. It names 15 to 30 minutes of idle time as common for low-risk applications and 2 to 5 for high-value ones, and 4 to 8 hours as an absolute timeout for an application used through an office day ([OWASP: session expiration](' +
            s.owaspExpiration +
            ')). For a refund tool, lean to the shorter end if people accept it.',
        },
        {
          id: 'none',
          label: 'No timeout; people are on the VPN anyway',
          verdict: 'poor',
          explanation:
            'The VPN says who reaches the network, not who sits at an unlocked laptop. OWASP makes expiry mandatory for every session ([OWASP](' +
            s.owaspExpiration +
            ')).',
        },
      ],
    },
    {
      id: 'leavers',
      question: 'How does access end when someone leaves?',
      options: [
        {
          id: 'disable-account',
          label: 'Their account is disabled; sessions expire on their own',
          verdict: 'workable',
          explanation:
            'Only if every request checks the account as well as the session. Otherwise an open session keeps working until its absolute timeout.',
        },
        {
          id: 'disable-and-delete',
          label: 'Their account is disabled and all their sessions are deleted in the same step',
          verdict: 'best',
          explanation:
            'One transaction, effective at their next request: this is what a server-side store makes simple.',
        },
        {
          id: 'change-secret',
          label: 'The cookie secret is changed',
          verdict: 'poor',
          explanation:
            'That logs out the other 39 people too, and does nothing if sessions are stored on the server.',
        },
      ],
    },
    {
      id: 'cookie',
      question: 'Which cookie attributes?',
      options: [
        {
          id: 'strict',
          label: '`HttpOnly`, `Secure`, `SameSite=Strict`',
          verdict: 'best',
          explanation:
            'Nothing reaches this tool through another site, so `Strict` costs little here: at worst a link from chat opens on the login page. In return no cross-site request carries the cookie at all ([MDN: SameSite](' +
            s.sameSite +
            ')), and it is the value OWASP prefers for session cookies ([OWASP: SameSite](' +
            s.owaspSameSite +
            ')).',
        },
        {
          id: 'lax',
          label: '`HttpOnly`, `Secure`, `SameSite=Lax`',
          verdict: 'workable',
          explanation:
            'Sound, and friendlier to links from chat or email, which arrive logged in. It still sends the cookie on top-level cross-site GET navigations, so every state change must be a POST with an origin check.',
        },
        {
          id: 'no-secure',
          label: '`HttpOnly` only; the VPN encrypts the traffic',
          verdict: 'poor',
          explanation:
            'The VPN protects the tunnel, not the last hop or a laptop that joins a café network without it. `Secure` keeps the cookie off plain HTTP wherever the browser is ([OWASP](' +
            s.owaspSession +
            ')).',
        },
      ],
    },
  ],
  modelAnswer: {
    choices: {
      store: 'sqlite',
      timeouts: 'server-idle-absolute',
      leavers: 'disable-and-delete',
      cookie: 'strict',
    },
    summary:
      'A SQLite sessions table on the machine\'s own disk, with idle and absolute timeouts checked on the server and a `Strict`, `HttpOnly`, `Secure` cookie. One machine needs no shared store, and a server-side table makes "access ends today" a single delete.',
    points: [
      'One machine, one file: sessions survive the weekly deploy without a service to run or patch.',
      'Timeouts live in the session row and are checked on every request, as OWASP requires ([OWASP](' +
        s.owaspIdleTimeout +
        ")); the cookie's own expiry is a convenience, not a control.",
      'Offboarding disables the account and deletes its sessions in one transaction, so access ends at the next request.',
      '`SameSite=Strict` suits a tool nobody reaches through another site ([MDN](' +
        s.sameSite +
        ')); contrast the Spotify app, whose login returns from another site and needs `Lax`.',
      'If the tool ever runs on two machines, the same table moves to the PostgreSQL database they share; nothing else changes.',
    ],
  },
};
