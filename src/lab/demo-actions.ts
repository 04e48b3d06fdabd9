/**
 * The actions a learner can take on a demo session: parsed from untrusted input with explicit
 * bounds, then applied to the session data.
 */
import { randomBytes } from 'node:crypto';
import type { SessionData } from '../sessions/types';
import {
  incrementFixes,
  maxGrowBytes,
  maxWorkMs,
  type DemoAction,
  type IncrementFix,
} from './demo-api';
import { utf8Bytes } from './wire';

export class DemoInputError extends Error {}

const maxKeyLength = 64;
const maxValueLength = 1024;
const keyPattern = /^[A-Za-z0-9_.-]+$/;
/** The key `grow` pads; learners see it in the data view. */
export const paddingKey = 'padding';
export const defaultCounterKey = 'counter';

/** Accepts a parsed JSON body or form fields (the no-JavaScript fallback posts forms). */
export function parseDemoAction(input: unknown): DemoAction {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new DemoInputError('the body must be a JSON object with an "action"');
  }
  const fields = input as Record<string, unknown>;
  switch (fields.action) {
    case 'set':
      return { action: 'set', key: parseKey(fields.key), value: parseValue(fields.value) };
    case 'grow':
      return {
        action: 'grow',
        bytes: parseSize(fields.bytes),
        sendAnyway:
          fields.sendAnyway === true || fields.sendAnyway === 'true' || fields.sendAnyway === 'on',
      };
    case 'increment': {
      const workMs = parseWorkMs(fields.workMs);
      const fix = parseFix(fields.fix);
      return {
        action: 'increment',
        key: fields.key === undefined || fields.key === '' ? undefined : parseKey(fields.key),
        ...(workMs > 0 && { workMs }),
        ...(fix !== 'none' && { fix }),
      };
    }
    case 'clear':
    case 'destroy':
    case 'revoke-all':
    case 'second-session':
    case 'restart-instance':
      return { action: fields.action };
    case 'tamper':
      return {
        action: 'tamper',
        cookie: parseCookieName(fields.cookie),
        value: parseCookieValue(fields.value),
      };
    default:
      throw new DemoInputError(
        `unknown action ${JSON.stringify(String(fields.action ?? '')).slice(0, 40)}; use one of: ` +
          'set, grow, increment, clear, destroy, revoke-all, second-session, restart-instance, tamper',
      );
  }
}

function parseWorkMs(value: unknown): number {
  if (value === undefined || value === '') return 0;
  // Form posts send text; accept plain digits only.
  const ms = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > maxWorkMs) {
    throw new DemoInputError(
      `"workMs" must be a whole number of milliseconds from 0 to ${maxWorkMs}`,
    );
  }
  return ms;
}

function parseFix(value: unknown): IncrementFix {
  if (value === undefined || value === '') return 'none';
  if (typeof value === 'string' && (incrementFixes as readonly string[]).includes(value)) {
    return value as IncrementFix;
  }
  throw new DemoInputError(`"fix" must be one of: ${incrementFixes.join(', ')}`);
}

function parseKey(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxKeyLength) {
    throw new DemoInputError(`"key" must be a string of 1–${maxKeyLength} characters`);
  }
  if (!keyPattern.test(value)) {
    throw new DemoInputError('"key" may contain only letters, digits, "_", "-" and "."');
  }
  return value;
}

const maxCookieValueLength = 8192;
/** RFC 6265 cookie-octets: printable ASCII without space, '"', ',', ';' and '\\'. */
const cookieValuePattern = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

function parseCookieName(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    throw new DemoInputError('"cookie" must be a cookie name of 1–64 letters, digits, "_" or "-"');
  }
  return value;
}

function parseCookieValue(value: unknown): string {
  if (typeof value !== 'string' || value.length > maxCookieValueLength) {
    throw new DemoInputError(
      `"value" must be a string of at most ${maxCookieValueLength} characters`,
    );
  }
  if (!cookieValuePattern.test(value)) {
    throw new DemoInputError(
      '"value" may hold only characters a cookie can carry: printable ASCII without spaces, quotes, commas, semicolons or backslashes',
    );
  }
  return value;
}

function parseValue(value: unknown): string {
  if (typeof value !== 'string' || value.length > maxValueLength) {
    throw new DemoInputError(`"value" must be a string of at most ${maxValueLength} characters`);
  }
  return value;
}

function parseSize(value: unknown): number {
  // Form posts send text; accept plain digits only, not "1e3" or " 12 ".
  const bytes = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value;
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0 || bytes > maxGrowBytes) {
    throw new DemoInputError(`"bytes" must be a whole number from 0 to ${maxGrowBytes}`);
  }
  return bytes;
}

/** The actions that change the session's data; the others act on the store or the browser. */
export type DataAction = Extract<DemoAction, { action: 'set' | 'increment' | 'grow' | 'clear' }>;

export function isDataAction(action: DemoAction): action is DataAction {
  return ['set', 'increment', 'grow', 'clear'].includes(action.action);
}

export function applyDemoAction(data: SessionData, action: DataAction): SessionData {
  switch (action.action) {
    case 'set':
      return { ...data, [action.key]: action.value };
    case 'increment': {
      const key = action.key ?? defaultCounterKey;
      const current = data[key];
      return { ...data, [key]: (typeof current === 'number' ? current : 0) + 1 };
    }
    case 'grow':
      return growTo(data, action.bytes);
    case 'clear':
      return {};
  }
}

/**
 * Pads the session so its JSON is `targetBytes` long. The padding is random text because zlib
 * (which Flask applies) would shrink repeated characters to almost nothing and hide the lesson.
 */
function growTo(data: SessionData, targetBytes: number): SessionData {
  const rest = Object.fromEntries(Object.entries(data).filter(([key]) => key !== paddingKey));
  const withEmptyPadding = utf8Bytes(JSON.stringify({ ...rest, [paddingKey]: '' }));
  const room = targetBytes - withEmptyPadding;
  if (room <= 0) return rest;
  return {
    ...rest,
    [paddingKey]: randomBytes(Math.ceil((room * 3) / 4))
      .toString('base64url')
      .slice(0, room),
  };
}
