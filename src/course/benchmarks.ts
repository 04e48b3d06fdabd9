/**
 * The benchmarks behind every number a lesson presents as measured, in one place: the
 * /benchmarks/ page lists them, and each lesson links its figure to `/benchmarks/#<id>`.
 * tests/unit/benchmark-links.test.ts fails when a lesson links an id that is not here, or when a
 * benchmark's file is missing. The figures are copied from the printed tables of the runs below;
 * rerun the command to check them on your own machine.
 */

/** The machine every figure here was measured on (read with lscpu, nproc, free, node -v). */
export const benchmarkMachine = {
  cpu: 'AMD EPYC (family 25, model 1), a KVM virtual machine',
  cores: 2,
  ram: '23.5 GiB',
  os: 'Debian GNU/Linux 12 (bookworm), Linux 6.18',
  node: 'Node.js 24.21.0',
  /** Why the ranges are wide: say it wherever the figures appear. */
  conditions:
    'The machine was shared with other work while these ran (load average between about 2 and 14 on its 2 cores), so each timing is given as the range of several run medians rather than one number.',
} as const;

export interface BenchmarkFigure {
  /** What was measured, as the lesson names it. */
  what: string;
  /** The figure, with its unit and spread. */
  value: string;
}

export interface Benchmark {
  /** The page anchor: lessons link `/benchmarks/#<id>`. */
  id: string;
  title: string;
  /** One or two sentences: what is measured, and how. */
  measures: string;
  /** Path from the repository root. */
  file: string;
  command: string;
  /** Day of the runs quoted, ISO 8601. */
  date: string;
  /** How many runs and iterations the figures come from. */
  runs: string;
  figures: BenchmarkFigure[];
  /** Lesson ids that quote these figures. */
  quotedIn: string[];
}

export const benchmarks: Benchmark[] = [
  {
    id: 'session-reads',
    title: 'Reading a 3.9 KB session',
    measures:
      'The server-side cost of reading one session of 3,900 bytes of JSON, each way the lessons describe: a Map lookup, a cached file read, a SQLite row with its secret checked, a Flask-format signed cookie verified, and a Redis GET over a local TCP connection. Each row is only the operation the lesson names, timed with performance.now(); 10,000 sessions sit in the Map and the table, so lookups search a realistic index.',
    file: 'bench/lessons/session-reads.bench.ts',
    command: 'npm run bench -- bench/lessons/session-reads.bench.ts',
    date: '2026-12-07',
    runs: 'Three invocations of 5 runs each; every run times 20,000 reads (5,000 for Redis) after untimed warm-up reads. Ranges are the lowest and highest of the 15 run medians.',
    figures: [
      { what: 'Map.get + JSON.parse (memory store)', value: '3.6 to 6.7 µs' },
      { what: 'readFileSync + JSON.parse, file in the page cache', value: '13.5 to 22 µs' },
      {
        what: 'await readFile + JSON.parse, file in the page cache (as the filesystem store reads)',
        value: '108 to 219 µs',
      },
      {
        what: 'SQLite (better-sqlite3, WAL): select by id + SHA-256 compare + JSON.parse',
        value: '19 to 38 µs',
      },
      {
        what: 'Flask signed cookie holding the 3.9 KB session: verify + inflate + parse',
        value: '38 to 75 µs',
      },
      {
        what: 'Flask signed cookie holding { user_id: 42 }: verify + parse',
        value: '6.7 to 16 µs',
      },
      { what: 'Redis GET on 127.0.0.1 + JSON.parse', value: '97 to 181 µs' },
    ],
    quotedIn: ['memory', 'filesystem', 'sqlite', 'cookie-size'],
  },
  {
    id: 'session-writes',
    title: 'Writing a 3.9 KB session',
    measures:
      "The server-side cost of saving one session of 3,900 bytes of JSON: an atomic file replace as the filesystem store does it (a temporary file written with the 'wx' flag and mode 0600, then renamed over the old file, without fsync) and a one-row UPDATE in SQLite with WAL and synchronous = NORMAL.",
    file: 'bench/lessons/session-writes.bench.ts',
    command: 'npm run bench -- bench/lessons/session-writes.bench.ts',
    date: '2026-12-07',
    runs: 'Three invocations of 5 runs each; every run times 5,000 writes after 500 untimed warm-up writes. Ranges are the lowest and highest of the 15 run medians.',
    figures: [
      { what: 'Temporary file + rename, no fsync (files in /tmp)', value: '477 to 725 µs' },
      { what: 'SQLite UPDATE of one row', value: '32 to 61 µs' },
    ],
    quotedIn: ['filesystem', 'sqlite'],
  },
  {
    id: 'memory-heap',
    title: 'Heap per session in memory',
    measures:
      'How much heap a Map of small sessions takes: 92 bytes of JSON per session, each under its own 43-character random id, with heapUsed read after two full garbage collections before and after filling the Map.',
    file: 'bench/lessons/memory-heap.bench.ts',
    command: 'npm run bench -- bench/lessons/memory-heap.bench.ts',
    date: '2026-12-07',
    runs: 'Two invocations of two runs at each size (10,000, 100,000 and 1,000,000 sessions); all runs at a size agreed to within 4 bytes per session.',
    figures: [
      { what: 'Heap per session', value: '205 to 227 bytes' },
      { what: '100,000 sessions', value: '20.3 MiB' },
      { what: '1,000,000 sessions', value: '195.8 MiB' },
    ],
    quotedIn: ['memory'],
  },
  {
    id: 'cookie-sizes',
    title: 'Cookie sizes from this site’s stores',
    measures:
      "Sizes, not timings: the name + value bytes of the cookie each of this site's stores sets for { user_id: 42 }; the size of a Flask-format cookie (this site's codec) for 3,900 bytes of session JSON padded with random text as the cookie-size demo's grow button does; and how far zlib shrinks a cart of 200 nearly identical items.",
    file: 'bench/lessons/cookie-sizes.bench.ts',
    command: 'npm run bench -- bench/lessons/cookie-sizes.bench.ts',
    date: '2026-12-07',
    runs: 'The store sizes are exact; the padded cookie was built 500 times with fresh random padding.',
    figures: [
      { what: 'Plain JSON cookie (plain_session)', value: '31 bytes' },
      { what: 'Flask signed cookie (session)', value: '61 bytes' },
      { what: 'Encrypted cookie (sealed_session)', value: '141 bytes' },
      { what: 'JWT (jwt)', value: '210 bytes' },
      { what: 'Server memory (memory_sid)', value: '53 bytes' },
      { what: 'SQLite, id.secret (sqlite_session)', value: '79 bytes' },
      {
        what: '3,900 bytes of padded session JSON as a Flask-format cookie (this site’s code)',
        value: '3,998 to 4,005 bytes of name + value, zlib used every time',
      },
      {
        what: 'A cart of 200 items such as {"qty":1,"sku":"SKU-0001"}',
        value: '5,410 bytes of JSON, a 694-character cookie value',
      },
    ],
    quotedIn: ['cookie-size', 'signed-cookie', 'encrypted-cookie'],
  },
  {
    id: 'flask-cookie-size',
    title: 'Real Flask’s cookie for the same session',
    measures:
      "The same 3,900 bytes of session JSON, padded with random text, signed by real Flask's SecureCookieSessionInterface (Python's zlib), and measured as name + value bytes.",
    file: 'bench/lessons/flask-cookie-size.py',
    command: 'npm run bench:flask',
    date: '2026-12-07',
    runs: 'Two runs of 200 sessions, each session with fresh random padding (the runs gave 4,006 to 4,023 and 4,009 to 4,023 bytes). Python 3.11.7, Flask 3.1.3, itsdangerous 2.2.0.',
    figures: [
      {
        what: '3,900 bytes of padded session JSON as Flask’s cookie',
        value: '4,006 to 4,023 bytes of name + value, zlib used every time',
      },
    ],
    quotedIn: ['cookie-size'],
  },
  {
    id: 'node-header-limit',
    title: 'Where Node’s HTTP/1.1 server answers 431',
    measures:
      'A raw TCP socket sends one GET request at a time, with a Cookie header of growing size, to a node:http server on 127.0.0.1; a binary search finds the largest request head (request line, headers and the blank line) answered 200 and the smallest answered 431.',
    file: 'bench/lessons/node-header-limit.bench.ts',
    command: 'npm run bench -- bench/lessons/node-header-limit.bench.ts',
    date: '2026-12-07',
    runs: 'One binary search; the boundary is exact and the same on every run.',
    figures: [
      { what: 'http.maxHeaderSize', value: '16,384 bytes' },
      { what: 'Largest request head answered 200 OK', value: '16,412 bytes' },
      { what: 'Smallest request head answered 431', value: '16,413 bytes' },
    ],
    quotedIn: ['cookie-size'],
  },
  {
    id: 'http2-cookie-bytes',
    title: 'A cookie’s bytes on the wire over HTTP/2',
    measures:
      "Node's own HTTP/2 client (nghttp2 1.70.0) sends five identical requests over one connection to a local HTTP/2 server, through a proxy on 127.0.0.1 that reads the client's frames. The figure is the HEADERS frame bytes of each request: the 9-byte frame header plus the HPACK-compressed header block. Every request carries a browser-like User-Agent and Accept header.",
    file: 'bench/lessons/http2-cookie-bytes.bench.ts',
    command: 'npm run bench -- bench/lessons/http2-cookie-bytes.bench.ts',
    date: '2026-12-07',
    runs: 'One connection per row, five requests each; sizes, so the same on every run.',
    figures: [
      { what: 'No cookie', value: '171 B first, then 15 B each' },
      { what: 'The 79-byte SQLite token', value: '232 B first, then 16 B each' },
      { what: 'A 2,095-byte signed cookie, same value', value: '1,841 B first, then 16 B each' },
      { what: 'A 3,998-byte signed cookie, same value', value: '3,364 B first, then 3,208 B each' },
      {
        what: 'A 3,998-byte signed cookie, re-signed each time',
        value: '3,364 B first, then 3,207 to 3,208 B each',
      },
    ],
    quotedIn: ['cookie-size'],
  },
];

/** The link a lesson puts on a figure. */
export function benchmarkHref(id: string): string {
  return `/benchmarks/#${id}`;
}
