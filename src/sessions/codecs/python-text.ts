/**
 * Text exactly as Python writes it: `json.dumps` with `sort_keys` and ASCII escapes, `repr` of a
 * float, and the HTTP date Werkzeug formats. Flask's session cookie is signed over these bytes, so
 * a cookie this site makes must match Flask's to the byte.
 */
/**
 * Python's sort_keys orders by code point; JavaScript's default sort orders by UTF-16 unit, which
 * puts astral characters (surrogates, D800–DFFF) before U+E000–U+FFFF. Shifting the two ranges
 * at the first differing unit restores code-point order.
 */
export function compareCodePoints(a: string, b: string): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

const NEEDS_NO_ESCAPE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * ensure_ascii: everything outside printable ASCII (including DEL, which JSON.stringify leaves
 * alone) becomes \uXXXX in lowercase hex; astral characters become their surrogate pair because
 * the regex walks UTF-16 units.
 */
export function quotePythonAscii(text: string): string {
  // Most text needs no escape at all, and a test finds that out faster than a replace.
  if (NEEDS_NO_ESCAPE.test(text)) return `"${text}"`;
  const escaped = text.replace(
    /[^\x20-\x21\x23-\x5b\x5d-\x7e]/g,
    (unit) => SHORT_ESCAPES[unit] ?? `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}

/**
 * Safe integers print as Python ints. Everything else prints as Python's float repr, so a number
 * that JSON.parse would round (beyond 2^53) stays a float on both sides instead of turning into an
 * int with digits nobody wrote.
 */
export function formatPythonNumber(value: number, where = 'value'): string {
  if (!Number.isFinite(value)) {
    throw new TypeError(`${where} is ${value}; Python would write it, but it is not JSON`);
  }
  // String(-0) is "0", as Python writes int(-0.0).
  if (Number.isSafeInteger(value)) return String(value);
  return pythonFloatRepr(value);
}

/**
 * repr(float): the shortest round-tripping digits (JavaScript picks the same digits), placed in
 * fixed notation when the decimal point falls within -4 < point <= 16, otherwise in scientific
 * notation with a signed, at least two-digit exponent (1e-05, 1e+16).
 */
function pythonFloatRepr(value: number): string {
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  const exponent = Number(exponentText);
  const point = exponent + 1;
  if (point > 16 || point <= -4) {
    const significand = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${significand}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (digits.length <= point) return `${sign}${digits.padEnd(point, '0')}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

/** werkzeug.http.http_date: RFC 1123 in GMT, seconds precision, four-digit year. */
export function formatHttpDate(date: Date, where = 'date'): string {
  if (Number.isNaN(date.getTime())) throw new TypeError(`${where} is an invalid Date`);
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) {
    throw new RangeError(`${where} is in year ${year}; Python's datetime covers 1 to 9999`);
  }
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ` +
    `${String(year).padStart(4, '0')} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} GMT`
  );
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** JSON.parse passes the literal's source text to revivers (Node 21+), which TypeScript omits. */
