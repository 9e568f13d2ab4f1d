// The two test runners behind `npm test`, each reduced to one tally. A runner's exit status is
// trusted over its report: a report can say "success" while the runner failed (vitest does not count
// unhandled errors in its JSON report; pytest's junit report is silent about collecting nothing).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

/** { passed, failed, skipped, failedToLoad, failures: string[] }: what one step adds to the totals. */
export const emptyTally = () => ({ passed: 0, failed: 0, skipped: 0, failedToLoad: 0, failures: [] });

export function addTally(total, part) {
  total.passed += part.passed;
  total.failed += part.failed;
  total.skipped += part.skipped;
  total.failedToLoad += part.failedToLoad;
  total.failures.push(...part.failures);
  return total;
}

/** A non-zero exit that the report did not already explain counts as one more failure. */
function trustExit(tally, name, status, signal) {
  if (status === 0) return tally;
  if (tally.failed === 0) {
    tally.failed++;
    tally.failures.push(`${name} exited ${signal ?? status} with no failed test in its report`);
  }
  return tally;
}

/**
 * Vitest over `args` (a config, projects…) with a JSON report at `report`. Files that failed without
 * a failing test (an import error, a throwing `beforeAll` that leaves its tests skipped) are "failed to
 * load" and each counts as a failure.
 */
export function runVitest({ bin, args = [], report, cwd, env = process.env, stdio = 'inherit' }) {
  rmSync(report, { force: true });
  const r = spawnSync(bin, ['run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
    cwd,
    env,
    stdio,
  });
  const tally = emptyTally();
  if (!existsSync(report)) {
    tally.failed++;
    tally.failures.push(`vitest (exit ${r.status ?? r.signal}, no report)`);
    return tally;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  tally.passed = json.numPassedTests;
  tally.failed = json.numFailedTests;
  tally.skipped = json.numPendingTests + (json.numTodoTests ?? 0);
  if (json.numFailedTests) tally.failures.push(`${json.numFailedTests} vitest test(s)`);
  for (const file of json.testResults ?? []) {
    const failedInside = (file.assertionResults ?? []).some((a) => a.status === 'failed');
    if (file.status === 'failed' && !failedInside) {
      tally.failedToLoad++;
      tally.failed++;
      tally.failures.push(`${file.name} failed to load: ${String(file.message ?? '').split('\n')[0]}`);
    }
  }
  return trustExit(tally, 'vitest', r.status, r.signal);
}

/** pytest over `args` with a junit report at `junit`; exit 5 (nothing collected) is a failure. */
export function runPytest({ python, args = [], junit, cwd, env = process.env, stdio = 'inherit' }) {
  rmSync(junit, { force: true });
  const r = spawnSync(python, ['-m', 'pytest', ...args, `--junitxml=${junit}`], { cwd, env, stdio });
  const tally = emptyTally();
  if (r.status === 5) {
    tally.failed++;
    tally.failures.push('pytest collected no tests');
    return tally;
  }
  if (!existsSync(junit)) {
    tally.failed++;
    tally.failures.push(`pytest (exit ${r.status ?? r.signal}, no report)`);
    return tally;
  }
  // <testsuite tests= failures= errors= skipped=>: pytest's own totals; collection errors are errors.
  const attrs = readFileSync(junit, 'utf8').match(/<testsuite [^>]*>/)?.[0] ?? '';
  const count = (name) => Number(attrs.match(new RegExp(`${name}="(\\d+)"`))?.[1] ?? 0);
  const bad = count('failures') + count('errors');
  tally.passed = count('tests') - bad - count('skipped');
  tally.failed = bad;
  tally.skipped = count('skipped');
  if (bad) tally.failures.push(`${bad} pytest test(s)`);
  return trustExit(tally, 'pytest', r.status, r.signal);
}

/** The totals: a detailed line, then the plain "N passed, N failed" CI reads last. */
export function totalsLines(t) {
  return [
    `Totals: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.failedToLoad} failed to load (counted as failed)`,
    `${t.passed} passed, ${t.failed} failed`,
  ];
}
