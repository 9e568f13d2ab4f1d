// `npm test`: every check CI relies on, then one line "N passed, N failed" (vitest tests + checks).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });

/** Checks that are not vitest tests; each counts as one passed or failed test in the total. */
const checks = [
  ['typecheck (api)', bin('tsc'), ['--noEmit', '-p', 'api/tsconfig.json']],
  ['codegen is up to date (web)', 'npm', ['run', 'codegen:check', '--workspace', 'web']],
  ['svelte-check (web)', 'npm', ['run', 'check', '--workspace', 'web']],
  ['eslint', bin('eslint'), ['.']],
  ['prettier', bin('prettier'), ['--check', '.']],
  ['build (web)', 'npm', ['run', 'build', '--workspace', 'web']],
];

let passed = 0;
let failed = 0;
const failures = [];
for (const [name, cmd, args] of checks) {
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

console.log('\n▶ vitest (api, web, end-to-end)');
const report = join(results, 'vitest.json');
rmSync(report, { force: true });
const vitest = spawnSync(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  if (json.numFailedTests) failures.push(`${json.numFailedTests} vitest test(s)`);
  if (!json.success && !json.numFailedTests) {
    failed++;
    failures.push('vitest run (a suite failed to load)');
  }
} else {
  failed++;
  failures.push(`vitest (exit ${vitest.status}, no report)`);
}

if (failures.length) console.log(`\nFailed: ${failures.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
