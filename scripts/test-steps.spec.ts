import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emptyTally, addTally, runPytest, runVitest, totalsLines } from './test-steps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'llmt-runner-'));
/** The child runs as if started from a shell, not as a worker of this vitest. */
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));

function fixtureVitest(name: string) {
  return runVitest({
    bin: join(root, 'node_modules', '.bin', 'vitest'),
    args: ['--config', join(root, 'scripts', 'fixtures', name, 'vitest.config.ts')],
    report: join(out, `${name}.json`),
    cwd: root,
    env: childEnv,
    stdio: 'pipe',
  });
}

describe('npm test counts what its runners hide', () => {
  it('counts a vitest run that exits 1 over an unhandled rejection as failed, though its report passed', () => {
    const tally = fixtureVitest('vitest-unhandled');
    expect(tally.passed).toBe(1);
    expect(tally.failed).toBe(1);
    expect(tally.failures.join()).toMatch(/vitest exited 1/);
  });

  it('counts a file whose beforeAll throws as failed to load, and its tests as skipped', () => {
    const tally = fixtureVitest('vitest-before-all');
    expect(tally.failedToLoad).toBe(1);
    expect(tally.failed).toBe(1);
    expect(tally.skipped).toBe(2);
    expect(tally.passed).toBe(0);
  });

  it('counts pytest collecting no test as a failure', () => {
    const venv = spawnSync(process.execPath, ['scripts/python-env.mjs'], { cwd: root, encoding: 'utf8' });
    expect(venv.status).toBe(0);
    const tally = runPytest({
      python: venv.stdout.trim(),
      args: ['scripts/fixtures/pytest-empty', '-q', '-p', 'no:cacheprovider'],
      junit: join(out, 'pytest.xml'),
      cwd: root,
      env: childEnv,
      stdio: 'pipe',
    });
    expect(tally).toMatchObject({ passed: 0, failed: 1, failures: ['pytest collected no tests'] });
  });

  it('prints skipped and failed-to-load beside passed and failed, and ends with the plain totals', () => {
    const total = addTally(emptyTally(), { passed: 3, failed: 2, skipped: 4, failedToLoad: 1, failures: ['x'] });
    expect(totalsLines(total)).toEqual([
      'Totals: 3 passed, 2 failed, 4 skipped, 1 failed to load (counted as failed)',
      '3 passed, 2 failed',
    ]);
  });
});
