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

// The Python trainer: its own virtualenv (outside the clone, keyed by requirements), ruff and pytest.
console.log('\n▶ trainer (Python): virtualenv');
const env = spawnSync(process.execPath, ['scripts/python-env.mjs'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const python = env.status === 0 ? env.stdout.trim() : null;
if (!python) {
  failed++;
  failures.push('trainer virtualenv');
} else {
  const pyEnv = { ...process.env, PYTHONPATH: join(root, 'workers', 'trainer', 'src') };
  console.log('\n▶ trainer (Python): ruff');
  if (
    spawnSync(python, ['-m', 'ruff', 'check', 'workers/trainer'], { cwd: root, stdio: 'inherit', env: pyEnv })
      .status === 0
  )
    passed++;
  else {
    failed++;
    failures.push('ruff');
  }
  console.log('\n▶ trainer (Python): pytest');
  const junit = join(results, 'pytest.xml');
  rmSync(junit, { force: true });
  spawnSync(python, ['-m', 'pytest', 'workers/trainer', '-q', `--junitxml=${junit}`], {
    cwd: root,
    stdio: 'inherit',
    env: pyEnv,
  });
  if (existsSync(junit)) {
    // <testsuite tests= failures= errors= skipped=>: pytest's own totals.
    const attrs = readFileSync(junit, 'utf8').match(/<testsuite [^>]*>/)?.[0] ?? '';
    const count = (name) => Number(attrs.match(new RegExp(`${name}="(\\d+)"`))?.[1] ?? 0);
    const bad = count('failures') + count('errors');
    passed += count('tests') - bad - count('skipped');
    failed += bad;
    if (bad) failures.push(`${bad} pytest test(s)`);
  } else {
    failed++;
    failures.push('pytest (no report)');
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
