#!/usr/bin/env node
// Part of `npm run build`, after Astro and Pagefind: writes `x.br` and `x.gz` beside every text
// file in dist/client that compression shrinks, for the server to send to clients that accept them
// (src/server/platform/compression/precompressed-files.ts). Done once here, so Brotli and gzip
// can use their smallest, slowest settings. The extensions and the size floor match
// src/server/platform/compression/content-coding.ts.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const clientDirectory = path.resolve(process.argv[2] ?? 'dist/client');
const extensions = new Set(['.html', '.css', '.js', '.mjs', '.svg', '.json']);
const minimumBytes = 1024;

const codings = [
  {
    suffix: '.br',
    compress: (bytes) =>
      promisify(brotliCompress)(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
        },
      }),
  },
  {
    suffix: '.gz',
    compress: (bytes) => promisify(gzip)(bytes, { level: constants.Z_BEST_COMPRESSION }),
  },
];

const files = (await readdir(clientDirectory, { recursive: true, withFileTypes: true })).filter(
  (entry) => entry.isFile() && extensions.has(path.extname(entry.name)),
);
const totals = { files: 0, original: 0, br: 0, gz: 0 };
for (const entry of files) {
  const file = path.join(entry.parentPath, entry.name);
  const bytes = await readFile(file);
  if (bytes.byteLength < minimumBytes) continue;
  totals.files += 1;
  totals.original += bytes.byteLength;
  for (const { suffix, compress } of codings) {
    const compressed = await compress(bytes);
    // A variant no smaller than the original is not worth a header and a second file.
    if (compressed.byteLength >= bytes.byteLength) continue;
    await writeFile(file + suffix, compressed);
    totals[suffix.slice(1)] += compressed.byteLength;
  }
}
const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
console.log(
  `precompress: ${totals.files} files, ${kb(totals.original)} → ${kb(totals.br)} Brotli, ${kb(totals.gz)} gzip`,
);
