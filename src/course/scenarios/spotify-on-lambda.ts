/**
 * The story the course began from: a Flask app on AWS Lambda that must keep a user's Spotify
 * tokens between requests, on a free-tier budget.
 */
import { sources as s } from './sources';
import type { Scenario } from './types';

export const spotifyOnLambda: Scenario = {
  id: 'spotify-on-lambda',
  title: 'A Spotify stats app on AWS Lambda, on the free tier',
  situation: [
    'A personal site written in Flask runs as a function on AWS Lambda. A new page shows a visitor their Spotify listening stats. After the visitor logs in with Spotify, the app receives an access token, which expires after an hour, and a refresh token that gets new access tokens ([Spotify: authorization code flow](' +
      s.spotifyCodeFlow +
      ')). The app must keep both between requests, so that visitors do not log in again on every page.',
    'Filesystem sessions already failed: a request may be served by a different instance, and each instance has its own disk. A managed cache was too expensive for a site that should stay on the free tier. A few dozen people might use the page. It should also offer a page where visitors can see and delete what the site keeps about them.',
  ],
  decisions: [
    {
      id: 'store',
      question: 'Where do the session and the Spotify tokens live between requests?',
      options: [
        {
          id: 'lambda-tmp',
          label: "Flask-Session's filesystem backend, in the function's `/tmp` directory",
          verdict: 'poor',
          explanation:
            'This is the first attempt in the story. Lambda runs each function in execution environments that it creates and shuts down as it sees fit, each with its own `/tmp` ([AWS: Lambda execution environment](' +
            s.lambdaEnvironment +
            ')). The next request may reach an environment that has never seen the session.',
        },
        {
          id: 'signed-cookie',
          label: "Flask's built-in session: the tokens inside its signed cookie",
          verdict: 'poor',
          explanation:
            "This is where the story ended. It works and costs nothing, but Flask's cookie is signed, not encrypted ([Flask: sessions](" +
            s.flaskSessions +
            ')). Anyone who holds the cookie can base64-decode the tokens and call Spotify directly, with every scope the visitor granted, and the refresh token keeps working long after the session. OWASP asks for the whole cookie to be encrypted if it carries sensitive data ([OWASP](' +
            s.owaspCookieContents +
            ')). The app also cannot end a copy of the cookie before it expires.',
        },
        {
          id: 'jwt-cookie',
          label: 'A signed JWT in a cookie, with the tokens as claims',
          verdict: 'poor',
          explanation:
            "A signed JWT's payload is base64url-encoded JSON that anyone holding the token can read, exactly like Flask's signed cookie. It adds a standard format, which nobody else here needs, and has the same lack of revocation.",
        },
        {
          id: 'encrypted-cookie',
          label:
            "Flask's cookie, with the tokens encrypted (for example with Fernet) before they go in",
          verdict: 'workable',
          explanation:
            'The tokens are now hidden and tamper-proof ([cryptography: Fernet](' +
            s.fernet +
            ')), still at no cost and with no new service. What remains is that the cookie cannot be revoked: logging out deletes one copy, and any other copy keeps its refresh token until the cookie expires. A sound choice if you accept that, and a small change from where the story ended.',
        },
        {
          id: 'elasticache',
          label: 'Flask-Session with Redis or Memcached on Amazon ElastiCache',
          verdict: 'poor',
          explanation:
            "This is the second attempt in the story. It would share sessions between instances, but the function must then join the cache's VPC ([AWS: Lambda and VPCs](" +
            s.lambdaVpc +
            ')) and, to keep calling Spotify, route through a NAT gateway ([AWS: internet access for VPC functions](' +
            s.lambdaVpcInternet +
            ')). The gateway and the cache nodes bill by the hour ([VPC pricing](' +
            s.vpcPricing +
            '), [ElastiCache pricing](' +
            s.elastiCachePricing +
            ')), visitors or not. That breaks the budget.',
        },
        {
          id: 'dynamodb',
          label:
            "Flask-Session's DynamoDB backend: tokens in a table, only a random session id in the cookie",
          verdict: 'best',
          explanation:
            "DynamoDB is reached over HTTPS with the function's IAM role, so the function stays outside any VPC and keeps its internet access by default ([AWS: internet access for Lambda](" +
            s.lambdaVpcInternet +
            ')). No NAT gateway and no cache node bill by the hour. Flask-Session keeps each session as an item keyed by its id, with an `expiration` attribute it checks on every read ([Flask-Session: DynamoDB backend](' +
            s.flaskSessionDynamo +
            ')). The tokens never leave the server, and deleting the item ends every copy of the cookie.',
        },
      ],
    },
    {
      id: 'cookie',
      question: 'Which attributes does the session cookie get?',
      options: [
        {
          id: 'flask-defaults',
          label: "Flask's defaults: `HttpOnly` on, `Secure` off, `SameSite` unset",
          verdict: 'poor',
          explanation:
            'Without `Secure` the browser may send the cookie over plain HTTP, where anyone on the network reads it ([Flask: SESSION_COOKIE_SECURE](' +
            s.flaskSecure +
            ')). Set it on any site served over HTTPS, and choose `SameSite` on purpose rather than leaving it to browser defaults.',
        },
        {
          id: 'lax',
          label: '`HttpOnly`, `Secure` and `SameSite=Lax`',
          verdict: 'best',
          explanation:
            'Scripts cannot read the cookie, it travels only over HTTPS, and it stays off cross-site subrequests and POSTs. OWASP prefers `Strict` and accepts `Lax` ([OWASP: SameSite](' +
            s.owaspSameSite +
            ")); this app needs `Lax`, because it still sends the cookie on the top-level redirect back from Spotify's login page. The callback must find the `state` value it stored in the session before sending the visitor away ([RFC 6749, section 10.12](" +
            s.oauthState +
            ')).',
        },
        {
          id: 'strict',
          label: '`HttpOnly`, `Secure` and `SameSite=Strict`',
          verdict: 'poor',
          explanation:
            'The login breaks. The redirect back from accounts.spotify.com is a navigation that another site started, and a `Strict` cookie is not sent on it ([MDN: SameSite](' +
            s.sameSite +
            ')). The callback sees no session, cannot find the `state` it stored, and must refuse the login. `Strict` suits an app nobody reaches through another site; this one is reached through Spotify on every login.',
        },
        {
          id: 'readable',
          label:
            '`Secure` and `SameSite=Lax`, without `HttpOnly`, so page scripts can call Spotify',
          verdict: 'poor',
          explanation:
            'Any script that runs on the page, including one injected through a cross-site scripting bug, could then read the session cookie and send it away. OWASP calls `HttpOnly` mandatory for session ids ([OWASP: session management](' +
            s.owaspSession +
            ')). If the page needs Spotify data, let the server fetch it.',
        },
      ],
    },
    {
      id: 'lifetime',
      question: 'How long does a session last, and what enforces the limit?',
      options: [
        {
          id: 'forever',
          label: 'No limit, so that visitors never have to log in again',
          verdict: 'poor',
          explanation:
            'OWASP makes an expiry mandatory for every session, enforced on the server ([OWASP: session expiration](' +
            s.owaspExpiration +
            ')). A session that never ends keeps a refresh token alive for as long as anyone holds the cookie.',
        },
        {
          id: 'ttl-only',
          label: 'A DynamoDB Time to Live on the item, trusted to remove the session on time',
          verdict: 'poor',
          explanation:
            'TTL is a clean-up, not a lock. DynamoDB "typically deletes expired items within two days of expiration", and items that have expired but are not yet deleted still show up in reads ([AWS: UpdateTimeToLive](' +
            s.dynamoTtl +
            ')). The app must compare the expiry itself on every read, as Flask-Session does.',
        },
        {
          id: 'server-checked',
          label:
            'A lifetime chosen for the app, such as a week, stored with the session and checked on every read; TTL only cleans up',
          verdict: 'best',
          explanation:
            '`PERMANENT_SESSION_LIFETIME` (31 days by default, [Flask](' +
            s.flaskLifetime +
            ")) sets both the cookie's expiry and the item's `expiration`, which Flask-Session compares on every read ([source](" +
            s.flaskSessionDynamo +
            ")). A week asks a stats page's visitors to log in again now and then, and bounds how long a stolen cookie works. TTL deletes the leftovers.",
        },
      ],
    },
    {
      id: 'logout',
      question: 'What do "Log out" and the "Delete my data" page do?',
      options: [
        {
          id: 'clear-cookie',
          label: 'Delete the cookie in this browser',
          verdict: 'poor',
          explanation:
            'Any other copy of the cookie keeps working, and on the server the tokens stay until the session expires. OWASP calls invalidating the session on the server mandatory at logout ([OWASP: session expiration](' +
            s.owaspExpiration +
            ')).',
        },
        {
          id: 'rotate-key',
          label: 'Change `SECRET_KEY`',
          verdict: 'poor',
          explanation:
            'That logs out every visitor of the site to end one session. It is the only way to end a signed cookie early, which is one reason not to keep the tokens in one.',
        },
        {
          id: 'delete-item',
          label:
            'Clear the session, which deletes its item in the table and the cookie; the data page shows what the item holds',
          verdict: 'best',
          explanation:
            'With Flask-Session, `session.clear()` on a request makes the interface delete the stored session and tell the browser to delete the cookie ([Flask-Session: save_session](' +
            s.flaskSessionBase +
            ')). Every copy of the cookie stops working at once, and the tokens are gone from the server.',
        },
      ],
    },
  ],
  modelAnswer: {
    choices: {
      store: 'dynamodb',
      cookie: 'lax',
      lifetime: 'server-checked',
      logout: 'delete-item',
    },
    summary:
      "Keep the tokens on the server, in DynamoDB through Flask-Session's DynamoDB backend, and put only a random session id in an `HttpOnly`, `Secure`, `SameSite=Lax` cookie. It is the one shared store a Lambda function reaches without a VPC or a NAT gateway, so it fixes the security problem of the signed cookie without the cost that ruled out ElastiCache.",
    points: [
      'Shared: every Lambda instance reads the same table, so the filesystem problem is gone ([Flask-Session: DynamoDB backend](' +
        s.flaskSessionDynamo +
        ')).',
      'Affordable: the function stays outside any VPC, so no NAT gateway or cache node bills by the hour. DynamoDB bills for reads, writes and storage (per request in on-demand mode, per capacity unit in provisioned mode), and its free tier covers 25 GB of storage and 25 read and 25 write capacity units of provisioned capacity ([DynamoDB pricing](' +
        s.dynamoPricing +
        ')). Flask-Session creates its table in on-demand mode; to stay inside the provisioned free tier, create the table yourself and set `SESSION_DYNAMODB_TABLE_EXISTS` ([Flask-Session configuration](' +
        s.flaskSessionConfig +
        ')). If the function is ever put in a VPC, a gateway endpoint reaches DynamoDB at no extra charge ([AWS: gateway endpoints](' +
        s.gatewayEndpoints +
        ')).',
      'Confidential: the cookie carries a 32-byte random id and nothing else, so holding it no longer means holding the Spotify tokens.',
      'Revocable: "Log out" and "Delete my data" delete the item, and every copy of the cookie stops working, which OWASP requires of logout ([OWASP](' +
        s.owaspExpiration +
        ')).',
      'The fallback, if even one table is too much: encrypt the tokens before they go into the cookie ([Fernet](' +
        s.fernet +
        ')). That hides them, but leaves the refresh token in every copy of the cookie until it expires.',
    ],
  },
};
