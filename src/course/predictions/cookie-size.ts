import { browserCookieLimit } from '../../sessions/limits';
import { reportOf, storeRequestCookie, storeSetCookie } from './read-results';
import type { Checkpoint } from './types';

/** Past 4096 bytes in every cookie encoding, as the console's "too big" demo. */
const oversizeBytes = 5120;

export const cookieSizeCheckpoints: Checkpoint[] = [
  {
    id: 'cookie-size-dropped',
    lesson: 'cookie-size',
    store: 'signed-cookie',
    question:
      'The server sends a signed cookie holding 5 KB of session JSON. Will the browser keep it?',
    setup:
      'Pressing empties the signed-cookie session, sets note = small, grows it to 5 KB and sends the cookie anyway, then reads the session.',
    pressLabel: 'Grow to 5 KB, send anyway, then read',
    options: [
      {
        id: 'dropped',
        label: 'No: it ignores the new cookie and keeps sending the old one',
        explanation: `Browsers ignore a cookie whose name and value pass ${browserCookieLimit} bytes, silently: the next request still carried the small session.`,
      },
      {
        id: 'kept',
        label: 'Yes: the next request carries the 5 KB session',
        explanation: 'The big cookie was kept and sent back on the next request.',
      },
    ],
    steps: [
      { method: 'POST', action: { action: 'clear' } },
      { method: 'POST', action: { action: 'set', key: 'note', value: 'small' } },
      { method: 'POST', action: { action: 'grow', bytes: oversizeBytes, sendAnyway: true } },
      { method: 'GET' },
    ],
    outcome(results) {
      const sent = storeSetCookie(reportOf(results[2]));
      const read = reportOf(results[3]);
      if (!sent || !read) return null;
      const carried = storeRequestCookie(read);
      // Kept means the next request carried the very cookie the grow sent.
      const kept = carried !== null && carried.nameValueBytes === sent.nameValueBytes;
      return {
        option: kept ? 'kept' : 'dropped',
        observed: `The grow response set ${sent.name} at ${sent.nameValueBytes} bytes of name and value; the next request carried ${carried ? `${carried.nameValueBytes} bytes` : 'no such cookie'}, and the session read back as ${JSON.stringify(read.data).slice(0, 60)}.`,
      };
    },
  },
  {
    id: 'cookie-size-server-id',
    lesson: 'cookie-size',
    store: 'sqlite',
    question: 'The SQLite session grows to 5 KB. How big is the cookie the browser sends back?',
    setup: 'Pressing grows the SQLite demo session to 5 KB of JSON, then reads it.',
    pressLabel: 'Grow to 5 KB, then read',
    options: [
      {
        id: 'small',
        label: 'Still under 100 bytes: it holds only the session id',
        explanation:
          'A server store keeps the data on the server; the cookie carries an id and secret of fixed size whatever the session holds.',
      },
      {
        id: 'big',
        label: 'Over 5 KB, like a cookie session',
        explanation: 'The cookie grew with the session data.',
      },
      {
        id: 'refused',
        label: 'The store refuses a session that big',
        explanation: 'The store refused to save a session of this size.',
      },
    ],
    steps: [
      { method: 'POST', action: { action: 'grow', bytes: oversizeBytes } },
      { method: 'GET' },
    ],
    outcome(results) {
      const grow = results[0];
      if (grow && !grow.ok && grow.status === 413) {
        return { option: 'refused', observed: `The grow was refused: ${grow.error}` };
      }
      const read = reportOf(results[1]);
      const carried = storeRequestCookie(read);
      if (!read || !carried) return null;
      return {
        option: carried.nameValueBytes < 100 ? 'small' : 'big',
        observed: `The read carried ${carried.name} at ${carried.nameValueBytes} bytes of name and value; the server holds ${read.server?.bytes ?? '?'} bytes for it.`,
      };
    },
  },
];
