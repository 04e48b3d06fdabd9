/** A busy read-mostly site whose pages a CDN caches, where only a few visitors log in. */
import { sources as s } from './sources';
import type { Scenario } from './types';

export const cdnReadMostly: Scenario = {
  id: 'cdn-read-mostly',
  title: 'A busy recipe site behind a CDN',
  situation: [
    'A recipe site serves millions of page views a day. Almost every visitor only reads, and a CDN caches the recipe pages so that most requests never reach the servers. A few visitors in every hundred log in to save favourites and post comments; moderators sometimes have to ban a spammer straight away.',
    'The site runs on a handful of app servers behind the CDN and already has a PostgreSQL database for recipes and comments.',
  ],
  decisions: [
    {
      id: 'when',
      question: 'When does a visitor get a session cookie?',
      options: [
        {
          id: 'every-visitor',
          label:
            'On the first page view of every visitor, to count visits and remember preferences',
          verdict: 'poor',
          explanation:
            'Every response then carries a `Set-Cookie` line for a new visitor, and OWASP says session ids must never be cached and asks for `Cache-Control: no-store` on responses that contain them ([OWASP: web content caching](' +
            s.owaspCaching +
            ")). The pages must become uncacheable, or the CDN risks storing one visitor's cookie and handing it to the next, and a session row is written for every reader who never returns.",
        },
        {
          id: 'at-login',
          label: 'Only at login; anonymous pages carry no cookie and stay cacheable',
          verdict: 'best',
          explanation:
            'Visitors who only read never get a cookie, so their pages are the same for everyone and the CDN can serve them. Sessions exist only for people who have something to keep.',
        },
      ],
    },
    {
      id: 'store',
      question: 'Where do the logged-in sessions live?',
      options: [
        {
          id: 'memory',
          label: "In each app server's memory",
          verdict: 'poor',
          explanation:
            'The next request may reach another server, which has never seen the session, and every deploy logs everybody out.',
        },
        {
          id: 'signed-cookie',
          label: 'A signed cookie holding the user id',
          verdict: 'workable',
          explanation:
            "Cheap and shared by every server, and a user id is no secret. But a banned spammer's cookie keeps working until it expires, unless every request also checks a ban list, which is a database read after all.",
        },
        {
          id: 'postgres-table',
          label: 'A sessions table in the PostgreSQL database the site already runs',
          verdict: 'best',
          explanation:
            "No new service: the database is already shared by every server, backed up and monitored. Only logged-in visitors cause a lookup, a few in every hundred, and a ban is one delete of the spammer's rows.",
        },
        {
          id: 'new-redis',
          label: 'A new Redis cluster just for sessions',
          verdict: 'workable',
          explanation:
            'It works, and it is fast. For the few sessions this site has, it adds a service to run, secure and pay for without solving a problem the existing database has.',
        },
      ],
    },
    {
      id: 'caching',
      question: 'How are responses for logged-in visitors cached?',
      options: [
        {
          id: 'same-as-anonymous',
          label: "Like everyone else's: public, for ten minutes",
          verdict: 'poor',
          explanation:
            "The CDN would store a page showing one user's name and favourites and serve it to the next visitor who asks for that URL.",
        },
        {
          id: 'private-no-store',
          label:
            'Personal pages and API answers are sent with `Cache-Control: private, no-store`; recipe pages stay public',
          verdict: 'best',
          explanation:
            '`private` tells shared caches such as a CDN not to store the response ([RFC 9111: private](' +
            s.cachePrivate +
            ")), and `no-store` tells every cache, the browser's included ([RFC 9111: no-store](" +
            s.cacheNoStore +
            ')). The favourites can be fetched by a small script on an otherwise cached recipe page.',
        },
        {
          id: 'vary-cookie',
          label: 'Public, with `Vary: Cookie`, so the CDN keeps one copy per cookie',
          verdict: 'poor',
          explanation:
            'Each logged-in visitor gets a cache entry of their own that nobody else can use, so the cache fills without helping, and whether personal pages stay private now depends on every CDN honouring `Vary` exactly.',
        },
      ],
    },
    {
      id: 'contents',
      question: 'What does the cookie hold?',
      options: [
        {
          id: 'profile',
          label: "The user's profile and favourite recipe ids, to save database reads",
          verdict: 'poor',
          explanation:
            'Every byte of a cookie is uploaded with every request to the site, images and scripts included, and a browser ignores a cookie whose name and value exceed 4096 bytes ([RFC 6265bis](' +
            s.rfc6265bis +
            ')). A growing favourites list will cross that line silently.',
        },
        {
          id: 'id-only',
          label: 'A random session id and nothing else',
          verdict: 'best',
          explanation:
            'Its size does not depend on what the session holds: the server-side demos on this site send a 43-character id, or a 65-character `id.secret` token for SQLite. The data stays in the database, where it can grow.',
        },
      ],
    },
  ],
  modelAnswer: {
    choices: {
      when: 'at-login',
      store: 'postgres-table',
      caching: 'private-no-store',
      contents: 'id-only',
    },
    summary:
      'No session until login; then a random id in a cookie and a row in the PostgreSQL database the site already runs, with personal responses marked `private, no-store`. The CDN keeps serving the readers, and the few sessions cost nothing new.',
    points: [
      'Anonymous readers get no cookie, so the pages they see are identical and stay cacheable; this is where a read-mostly site gets its speed.',
      "A sessions table in the existing database is shared by every app server, revocable with one delete (the moderators' ban), and needs no new service.",
      'Personal responses are marked `private` and `no-store` ([RFC 9111](' +
        s.cachePrivate +
        ")), so no shared cache stores one user's page for another, and session ids are never cached, as OWASP asks ([OWASP](" +
        s.owaspCaching +
        ')).',
      'The cookie holds an id only, so its size does not grow with favourites, and uploads stay small on every request.',
    ],
  },
};
