import { readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

/**
 * The job process group this agent runs, recorded in its work dir so that a restarted agent can stop
 * what a killed one left behind (the job processes also die with their parent, see the trainer's
 * lifeline.py; this catches what that cannot, e.g. a platform without parent-death signals).
 */
const pidFile = (workDir: string) => join(workDir, 'job.pid');

export function recordJob(workDir: string, pid: number) {
  writeFileSync(pidFile(workDir), `${pid}\n`);
}

export function forgetJob(workDir: string, pid: number) {
  try {
    if (Number(readFileSync(pidFile(workDir), 'utf8')) === pid) rmSync(pidFile(workDir), { force: true });
  } catch {
    /* nothing recorded */
  }
}

/** Kills the recorded process group if it still runs inside `workDir`; returns the pid it stopped. */
export function stopLeftovers(workDir: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile(workDir), 'utf8'));
  } catch {
    return null;
  }
  rmSync(pidFile(workDir), { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return null;
  // A recycled pid belongs to someone else: only a process working inside our work dir is ours.
  let cwd: string;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
  const root = resolve(workDir);
  if (cwd !== root && !cwd.startsWith(root + sep)) return null;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return null;
    }
  }
  return pid;
}
