#!/usr/bin/env node
// Runs a command under Node.js 22 LTS, whatever node launched this script.
// The machine may have an older node (20); Node binaries are published on the npm registry as
// `node-<platform>-<arch>` packages, so we install one under .tools/ once and put it first on PATH.
// Also installs the workspace dependencies when node_modules is missing or older than the lockfile.
// Plain JS with no dependencies on purpose: it must run before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_VERSION = '22.23.5';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = `node-${process.platform}-${process.arch}`;
const toolsDir = join(root, '.tools', `node-${NODE_VERSION}`);
const nodeBin = join(toolsDir, 'node_modules', pkg, 'bin');

function run(cmd, args, env) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`[with-node22] "${cmd} ${args.join(' ')}" failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

function ensureNode22() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major === 22 && minor >= 18) return dirname(process.execPath);
  if (!existsSync(join(nodeBin, 'node'))) {
    console.error(
      `[with-node22] node ${process.versions.node} found; fetching Node ${NODE_VERSION} from the npm registry…`,
    );
    run(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--prefix', toolsDir, `${pkg}@${NODE_VERSION}`],
      process.env,
    );
  }
  return nodeBin;
}

function depsStale() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

const binDir = ensureNode22();
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH}` };
if (depsStale()) {
  console.error('[with-node22] installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], env);
}

const [cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { cwd: process.cwd(), stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
// If whoever started us dies without a signal reaching us, stop the child rather than orphan it.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && child.kill('SIGTERM'), 1000).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
