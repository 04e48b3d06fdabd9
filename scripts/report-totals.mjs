#!/usr/bin/env node
// Prints "N passed, N failed" from Vitest's JSON report, alone on its line, so CI can count the run.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest.json';
if (!existsSync(file)) {
  console.error(`No test report at ${file}: the run stopped before the tests.`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const failed = report.numFailedTests + (report.numRuntimeErrors ?? 0);
console.log(`${report.numPassedTests} passed, ${failed} failed`);
