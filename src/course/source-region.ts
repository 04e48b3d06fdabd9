/**
 * Reads a region of this project's own source for a lesson, so the TypeScript a lesson shows is
 * the code that runs its demo. Regions are marked `// #region name` … `// #endregion name`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function readSourceRegion(file: string, region: string): string {
  const absolute = path.resolve(file);
  if (!absolute.startsWith(path.resolve('src') + path.sep)) {
    throw new Error(`source excerpt "${file}": only files under src/ can be shown`);
  }
  const lines = readFileSync(absolute, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`);
  const end = lines.findIndex(
    (line, index) => index > start && line.trim() === `// #endregion ${region}`,
  );
  if (start === -1 || end === -1) {
    throw new Error(
      `source excerpt: ${file} has no region "${region}" (// #region ${region} … // #endregion ${region})`,
    );
  }
  const body = lines.slice(start + 1, end).filter((line) => !/^\s*\/\/ #(end)?region\b/.test(line));
  const indent = Math.min(
    ...body.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length),
  );
  return body
    .map((line) => line.slice(indent))
    .join('\n')
    .trim();
}
