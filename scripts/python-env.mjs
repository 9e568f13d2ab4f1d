// Ensures the Python trainer's virtualenv and prints its python executable (stdout only; logs go to stderr).
//
// The venv lives outside the clone, keyed by the requirements files, so CI and every checkout of the same
// requirements reuse one install: `${XDG_CACHE_HOME:-~/.cache}/llm-trainer/venv-<sha256(requirements)[:12]>`.
// `requirements.txt` is installed normally, then `requirements-nodeps.txt` with `--no-deps` (packages whose
// declared dependencies this store cannot satisfy and the trainer does not need; lm-eval).
// It is built under a temporary name and renamed into place only once `pip install` succeeded, so a
// half-installed venv is never picked up. Usage: `node scripts/python-env.mjs` or `ensurePythonEnv()`.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The trainer's pinned requirements; the venv is keyed by this file's content and the next one's. */
export const requirementsPath = join(root, 'workers', 'trainer', 'requirements.txt');
/** Pinned packages installed with `--no-deps` after `requirementsPath`. */
export const noDepsRequirementsPath = join(root, 'workers', 'trainer', 'requirements-nodeps.txt');
/** What to put on PYTHONPATH so that `python -m llmtrainer.train` finds the package. */
export const trainerSourcePath = join(root, 'workers', 'trainer', 'src');

const STALE_TMP_MS = 6 * 60 * 60 * 1000;

const log = (msg) => process.stderr.write(`[python-env] ${msg}\n`);

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'llm-trainer');
}

/** Absolute path of the venv for the current requirements (it may not exist yet). */
export function venvDir() {
  const hash = createHash('sha256').update(readFileSync(requirementsPath));
  // A separator no requirements file contains, so moving a line from one file to the other changes the key.
  hash.update('\0--no-deps\0').update(readFileSync(noDepsRequirementsPath));
  return join(cacheRoot(), `venv-${hash.digest('hex').slice(0, 12)}`);
}

function run(cmd, args, env = process.env) {
  // stdout of child tools goes to our stderr: our stdout carries only the final path.
  const r = spawnSync(cmd, args, { stdio: ['ignore', 2, 2], env });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** Console scripts (pytest, activate…) and pyvenv.cfg embed the venv path; point them at the final name. */
function retargetScripts(tmp, final) {
  const bin = join(tmp, 'bin');
  for (const name of readdirSync(bin)) {
    const file = join(bin, name);
    const st = lstatSync(file);
    if (!st.isFile() || st.size > 1024 * 1024) continue;
    const text = readFileSync(file);
    if (text.includes(0)) continue; // binary
    const s = text.toString('utf8');
    if (s.includes(tmp)) writeFileSync(file, s.split(tmp).join(final));
  }
  const cfg = join(tmp, 'pyvenv.cfg');
  if (existsSync(cfg)) writeFileSync(cfg, readFileSync(cfg, 'utf8').split(tmp).join(final));
}

function removeStaleTemps(dir, prefix) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(`${prefix}.tmp-`)) continue;
    const p = join(dir, name);
    try {
      if (Date.now() - lstatSync(p).mtimeMs > STALE_TMP_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // another process may be cleaning it up at the same moment
    }
  }
}

/**
 * Returns the absolute path of the trainer venv's python, creating the venv first when it is missing.
 * Set PYTHON to choose the interpreter that builds the venv (default `python3`).
 */
export function ensurePythonEnv() {
  const final = venvDir();
  const python = join(final, 'bin', 'python');
  if (existsSync(python)) return python;

  const dir = cacheRoot();
  const prefix = final.slice(dir.length + 1);
  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir, prefix);
  const tmp = join(dir, `${prefix}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const basePython = process.env.PYTHON || 'python3';
  log(`creating ${final} (first run installs the trainer's requirements; this takes a minute or two)`);
  try {
    run(basePython, ['-m', 'venv', '--prompt', 'llm-trainer', tmp]);
    const env = { ...process.env, PIP_RETRIES: '0', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
    run(join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '-r', requirementsPath], env);
    run(join(tmp, 'bin', 'python'), ['-m', 'pip', 'install', '--no-deps', '-r', noDepsRequirementsPath], env);
    retargetScripts(tmp, final);
    try {
      renameSync(tmp, final);
    } catch (err) {
      // Lost a race with a concurrent install: the other one is complete, use it.
      if (!existsSync(python)) throw err;
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  log(`ready: ${python}`);
  return python;
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    process.stdout.write(`${ensurePythonEnv()}\n`);
  } catch (err) {
    log(`failed: ${err.message}`);
    process.exit(1);
  }
}
