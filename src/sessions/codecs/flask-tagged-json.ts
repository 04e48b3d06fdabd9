/**
 * Flask's TaggedJSONSerializer (flask/json/tag.py), written so that the text matches what Flask
 * produces inside a request: `json.dumps(tagged, separators=(",", ":"), sort_keys=True,
 * ensure_ascii=True)`. Byte equality matters because the signature covers these bytes.
 *
 * JavaScript stand-ins for Python types:
 *   tuple → FlaskTuple, bytes → Uint8Array, Markup → Markup, UUID → FlaskUUID,
 *   datetime → Date (UTC, whole seconds: Flask's HTTP date has no sub-second part),
 *   int → number when it is a safe integer, bigint otherwise; float → number.
 */
import {
  compareCodePoints,
  formatHttpDate,
  formatPythonNumber,
  MONTHS,
  quotePythonAscii,
} from './python-text';

/** A Python tuple. Flask keeps tuples apart from lists (flashed messages are tuples). */
export class FlaskTuple {
  readonly items: readonly unknown[];

  constructor(items: Iterable<unknown>) {
    this.items = Object.freeze([...items]);
  }
}

/** markupsafe.Markup: a string already safe to put into HTML. */
export class Markup {
  constructor(readonly html: string) {}

  toString(): string {
    return this.html;
  }
}

/** A Python uuid.UUID, kept as the 32 lowercase hex digits Flask stores. */
export class FlaskUUID {
  readonly hex: string;

  /** Accepts what Python's `UUID(str)` accepts: braces, `urn:uuid:`, hyphens, any case. */
  constructor(text: string) {
    const hex = text
      .replace(/^urn:/i, '')
      .replace(/^uuid:/i, '')
      .replace(/[{}-]/g, '')
      .toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError(`not a UUID: ${JSON.stringify(text)}`);
    this.hex = hex;
  }

  toString(): string {
    const h = this.hex;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/** The text is JSON but not something Flask's serializer could have written. */
export class TaggedJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaggedJsonError';
  }
}

const TAG_KEYS = new Set([' di', ' t', ' b', ' m', ' u', ' d']);

/**
 * Serializes session data the way Flask does. Throws TypeError for values Python's JSON could not
 * round-trip here (undefined, functions, symbols, NaN/Infinity, class instances, cycles).
 */
export function encodeTaggedJson(value: unknown): string {
  return writeValue(value, () => 'session', new Set());
}

/**
 * Parses Flask's tagged JSON, restoring tagged values. Throws TaggedJsonError for text that is not
 * JSON or whose tags hold values Flask never writes (stricter than Flask, which would crash or
 * return None on some of them).
 */
export function decodeTaggedJson(text: string): unknown {
  try {
    // Most sessions hold no tag and no integer beyond 2^53, and JSON.parse reads those several
    // times faster without a reviver. Anything the reviver would change sends the text to it.
    const plain: unknown = JSON.parse(text);
    return needsReviver(plain) ? JSON.parse(text, reviveTagged as Reviver) : plain;
  } catch (error) {
    if (error instanceof TaggedJsonError) throw error;
    throw new TaggedJsonError(`not valid JSON: ${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Where a value sits, for error messages; a function, so that only an error pays for the text. */
type Where = () => string;

function writeValue(value: unknown, where: Where, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value)
        ? formatPythonNumber(value)
        : formatPythonNumber(value, where());
    case 'bigint':
      return value.toString();
    case 'string':
      return quotePythonAscii(value);
    case 'object':
      return writeObject(value, where, ancestors);
    default:
      throw new TypeError(`${where()} is ${typeof value}, which Flask's session cannot hold`);
  }
}

function writeObject(value: object, where: Where, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError(`${where()} refers back to itself`);
  ancestors.add(value);
  try {
    return writeTagged(value, where, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

/** Checks in the order of TaggedJSONSerializer.default_tags; the first match wins. */
function writeTagged(value: object, where: Where, ancestors: Set<object>): string {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const onlyKey = keys.length === 1 ? keys[0] : undefined;
    if (onlyKey !== undefined && TAG_KEYS.has(onlyKey)) {
      // TagDict: a user dict like {" t": 1} would be read back as a tuple, so Flask renames the key.
      const renamed = { [`${onlyKey}__`]: (value as Record<string, unknown>)[onlyKey] };
      return tagged(' di', writeDict(renamed, where, ancestors));
    }
    return writeDict(value as Record<string, unknown>, where, ancestors);
  }
  if (value instanceof FlaskTuple) return tagged(' t', writeList(value.items, where, ancestors));
  if (Array.isArray(value)) return writeList(value, where, ancestors);
  if (value instanceof Uint8Array) {
    const base64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return tagged(' b', quotePythonAscii(base64));
  }
  if (value instanceof Markup) return tagged(' m', quotePythonAscii(value.html));
  if (value instanceof FlaskUUID) return tagged(' u', quotePythonAscii(value.hex));
  if (value instanceof Date) return tagged(' d', quotePythonAscii(formatHttpDate(value, where())));
  const kind = value.constructor?.name ?? 'object';
  throw new TypeError(`${where()} is a ${kind}, which Flask's session cannot hold`);
}

function tagged(tag: string, json: string): string {
  return `{${quotePythonAscii(tag)}:${json}}`;
}

function writeDict(dict: Record<string, unknown>, where: Where, ancestors: Set<object>): string {
  const members = Object.keys(dict)
    .sort(compareCodePoints)
    .map((key) => {
      const json = writeValue(dict[key], () => `${where()}[${JSON.stringify(key)}]`, ancestors);
      return `${quotePythonAscii(key)}:${json}`;
    });
  return `{${members.join(',')}}`;
}

function writeList(items: readonly unknown[], where: Where, ancestors: Set<object>): string {
  const written = items.map((item, index) =>
    writeValue(item, () => `${where()}[${index}]`, ancestors),
  );
  return `[${written.join(',')}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

type Reviver = (this: unknown, key: string, value: unknown) => unknown;

const INTEGER_LITERAL = /^-?\d+$/;

/**
 * JSON.parse revives innermost values first, like Python's object_hook, so a tag's contents are
 * already restored when the tag itself is read.
 */
function reviveTagged(
  this: unknown,
  _key: string,
  value: unknown,
  context?: { source?: string },
): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    const source = context?.source;
    // Python ints have no size limit; keep the digits instead of rounding them to a double.
    if (source !== undefined && INTEGER_LITERAL.test(source)) return BigInt(source);
  }
  if (isPlainObject(value)) return untag(value);
  return value;
}

/** Deeper than any real session; see `needsReviver`. */
const MAX_PLAIN_DEPTH = 256;

/**
 * Whether the reviver would change anything in what plain JSON.parse made of the text: a one-key
 * object whose key is a tag, or a number that is not a safe integer (the reviver keeps an integer
 * literal's digits as a bigint). Nesting deeper than MAX_PLAIN_DEPTH goes to the reviver too, so
 * such text fails (or not) exactly as it always has.
 */
function needsReviver(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !Number.isSafeInteger(value);
  if (typeof value !== 'object' || value === null) return false;
  if (depth >= MAX_PLAIN_DEPTH) return true;
  if (Array.isArray(value)) return value.some((item) => needsReviver(item, depth + 1));
  const keys = Object.keys(value);
  if (keys.length === 1 && TAG_KEYS.has(keys[0]!)) return true;
  return keys.some((key) => needsReviver((value as Record<string, unknown>)[key], depth + 1));
}

/** TaggedJSONSerializer.untag: only a one-key object whose key is a registered tag is special. */
function untag(object: Record<string, unknown>): unknown {
  const keys = Object.keys(object);
  const tag = keys.length === 1 ? keys[0] : undefined;
  if (tag === undefined || !TAG_KEYS.has(tag)) return object;
  const inner = object[tag];
  switch (tag) {
    case ' t':
      if (!Array.isArray(inner)) throw new TaggedJsonError('tuple tag " t" must hold a list');
      return new FlaskTuple(inner);
    case ' b':
      return decodeStandardBase64(inner);
    case ' m':
      if (typeof inner !== 'string') throw new TaggedJsonError('Markup tag " m" must hold text');
      return new Markup(inner);
    case ' u':
      return decodeUuid(inner);
    case ' d':
      return parseHttpDate(inner);
    default:
      return decodeRenamedDict(inner);
  }
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeStandardBase64(inner: unknown): Uint8Array {
  if (typeof inner !== 'string' || !STANDARD_BASE64.test(inner)) {
    throw new TaggedJsonError('bytes tag " b" must hold padded standard base64');
  }
  return new Uint8Array(Buffer.from(inner, 'base64'));
}

function decodeUuid(inner: unknown): FlaskUUID {
  try {
    if (typeof inner === 'string') return new FlaskUUID(inner);
  } catch {
    // reported below with the tag's name
  }
  throw new TaggedJsonError('UUID tag " u" must hold 32 hex digits');
}

/** TagDict.to_python strips the two characters TagDict.to_json appended ("__"). */
function decodeRenamedDict(inner: unknown): Record<string, unknown> {
  const keys = isPlainObject(inner) ? Object.keys(inner) : [];
  const renamed = keys[0];
  if (keys.length !== 1 || renamed === undefined || !renamed.endsWith('__')) {
    throw new TaggedJsonError('dict tag " di" must hold one key ending in "__"');
  }
  const result: Record<string, unknown> = {};
  // defineProperty, not assignment: a key of "__proto__" must stay a key.
  Object.defineProperty(result, renamed.slice(0, -2), {
    value: (inner as Record<string, unknown>)[renamed],
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return result;
}

const HTTP_DATE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Reads the form http_date writes, as werkzeug's parse_date reads it: the weekday name is not
 * checked, and (through Python's email.utils) a year below 100 is taken as a two-digit year, so
 * Flask writes year 1 as "0001" but reads it back as 2001. Copying that keeps both sides agreeing
 * on what a cookie holds.
 */
export function parseHttpDate(inner: unknown): Date {
  const match = typeof inner === 'string' ? HTTP_DATE.exec(inner) : null;
  if (match) {
    const writtenYear = Number(match[3]);
    const [day, month, year, hours, minutes, seconds] = [
      Number(match[1]),
      MONTHS.indexOf(match[2] ?? ''),
      writtenYear >= 100 ? writtenYear : writtenYear + (writtenYear > 68 ? 1900 : 2000),
      Number(match[4]),
      Number(match[5]),
      Number(match[6]),
    ];
    const date = new Date(0);
    // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
    date.setUTCFullYear(year, month, day);
    date.setUTCHours(hours, minutes, seconds, 0);
    const exact =
      date.getUTCDate() === day &&
      date.getUTCHours() === hours &&
      date.getUTCMinutes() === minutes &&
      date.getUTCSeconds() === seconds;
    if (exact) return date;
  }
  throw new TaggedJsonError(
    'datetime tag " d" must hold an HTTP date like "Sun, 06 Nov 1994 08:49:37 GMT"',
  );
}
