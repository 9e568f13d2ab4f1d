// `npm test`: every check CI relies on, then the totals, ending with one line "N passed, N failed" (tests + checks).
// A step's non-zero exit is a failure whatever its report says (scripts/test-steps.mjs).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addTally, emptyTally, runPytest, runVitest, totalsLines } from './test-steps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });

/** Checks that are not vitest tests; each counts as one passed or failed test in the total. */
const checks = [
  ['typecheck (api)', bin('tsc'), ['--noEmit', '-p', 'api/tsconfig.json']],
  ['typecheck (agent)', bin('tsc'), ['--noEmit', '-p', 'workers/agent/tsconfig.json']],
  ['codegen is up to date (web)', 'npm', ['run', 'codegen:check', '--workspace', 'web']],
  ['codegen is up to date (agent)', 'npm', ['run', 'codegen:check', '--workspace', 'workers/agent']],
  ['svelte-check (web)', 'npm', ['run', 'check', '--workspace', 'web']],
  ['eslint', bin('eslint'), ['.']],
  ['prettier', bin('prettier'), ['--check', '.']],
  ['build (web)', 'npm', ['run', 'build', '--workspace', 'web']],
];

const totals = emptyTally();
for (const [name, cmd, args] of checks) {
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) totals.passed++;
  else {
    totals.failed++;
    totals.failures.push(name);
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
  totals.failed++;
  totals.failures.push('trainer virtualenv');
} else {
  const pyEnv = { ...process.env, PYTHONPATH: join(root, 'workers', 'trainer', 'src') };
  console.log('\n▶ trainer (Python): ruff');
  if (
    spawnSync(python, ['-m', 'ruff', 'check', 'workers/trainer'], { cwd: root, stdio: 'inherit', env: pyEnv })
      .status === 0
  )
    totals.passed++;
  else {
    totals.failed++;
    totals.failures.push('ruff');
  }
  console.log('\n▶ trainer (Python): pytest');
  addTally(
    totals,
    runPytest({ python, args: ['workers/trainer', '-q'], junit: join(results, 'pytest.xml'), cwd: root, env: pyEnv }),
  );
}

console.log('\n▶ vitest (api, web, agent, scripts, end-to-end)');
addTally(totals, runVitest({ bin: bin('vitest'), report: join(results, 'vitest.json'), cwd: root }));

if (totals.failures.length) console.log(`\nFailed: ${totals.failures.join(', ')}`);
for (const line of totalsLines(totals)) console.log(line);
process.exit(totals.failed ? 1 : 0);
