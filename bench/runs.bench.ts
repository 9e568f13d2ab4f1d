// Platform overhead of a training run. Prints figures as ratios to a baseline measured in the same run.
//   npm run bench:runs -- [--steps 30] [--rows 64] [--repeats 2]
// The same tiny-Qwen3 SFT LoRA training (CPU, fp32, fixed seed, a metric every step, no checkpoint
// before the end):
//   platform: createRun → pg-boss queue → worker agent (in this process, default 2 s claim poll) →
//             dataset download → `llmtrainer.train` → events relayed → model archive uploaded →
//             SUCCEEDED seen on a `runUpdated` subscription;
//   baseline: `python -m llmtrainer.baseline --spec …` (a plain PyTorch loop) on the same rows, base
//             model directory, seed and hyperparameters, from spawn to exit.
// Both include Python start, imports, tokenisation and model load.              goal ≤ 1.03×
// Per-step losses of the two must agree (platform: run_metrics).               goal ≤ 1e-4
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { benchLogin, startBenchApp } from './bench-app.js';
import type { TestUser } from '../api/test/factories.js';
import type { TestApp } from '../api/test/test-app.js';
import {
  CREATE_RUN,
  agentWorkRoot,
  chatRows,
  datasetVersion,
  repoRoot,
  tinyRun,
  trainerPython,
  waitForRun,
  workerToken,
} from '../api/test/training.js';
import { Agent } from '../workers/agent/src/agent.js';
import type { AgentConfig } from '../workers/agent/src/config.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '30' },
    rows: { type: 'string', default: '64' },
    repeats: { type: 'string', default: '3' },
  },
});
const STEPS = Number(values.steps);
const REPEATS = Number(values.repeats);
const HYPER = { maxSteps: STEPS, saveSteps: 1000, loggingSteps: 1, seed: 42 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface PlatformResult {
  seconds: number;
  losses: Map<number, number>;
  phases: string;
}

async function platformRun(app: TestApp, user: TestUser, version: string): Promise<PlatformResult> {
  const t0 = performance.now();
  const created = await app.gql(CREATE_RUN, { i: tinyRun(version, HYPER) }, user.token);
  if (created.errors) throw new Error(JSON.stringify(created.errors));
  const runId = created.data!.createRun.id as string;
  const run = await waitForRun(app, user.token, runId, (r) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status));
  const seconds = (performance.now() - t0) / 1000;
  if (run.status !== 'SUCCEEDED') throw new Error(`run ${run.status}: ${JSON.stringify(run.error)}`);
  const { pool } = app.runtime;
  const metrics = await pool.query<{ step: number; value: number }>(
    `select step, value from run_metrics where run_id = $1 and key = 'loss' order by step`,
    [runId],
  );
  // Where the time went: the run's own timestamps and the trainer's event times.
  const t = (
    await pool.query(
      `select r.created_at, r.started_at, r.finished_at,
              (select min(time) from run_events e where e.run_id = r.id) as trainer_start,
              (select min(time) from run_events e where e.run_id = r.id and e.kind = 'status' and e.payload->>'status' = 'training') as training,
              (select max(time) from run_events e where e.run_id = r.id and e.kind = 'metric') as last_step,
              (select max(time) from run_events e where e.run_id = r.id and e.kind = 'completed') as completed
         from runs r where r.id = $1`,
      [runId],
    )
  ).rows[0];
  const d = (a: Date, b: Date) => ((b.getTime() - a.getTime()) / 1000).toFixed(1);
  const phases =
    `queued→claimed ${d(t.created_at, t.started_at)} s, claimed→trainer up ${d(t.started_at, t.trainer_start)} s, ` +
    `trainer up→first step ${d(t.trainer_start, t.training)} s, steps ${d(t.training, t.last_step)} s, ` +
    `last step→completed ${d(t.last_step, t.completed)} s, completed→SUCCEEDED ${d(t.completed, t.finished_at)} s`;
  return { seconds, losses: new Map(metrics.rows.map((r) => [r.step, r.value])), phases };
}

async function baselineRun(python: string, specPath: string) {
  const t0 = performance.now();
  const child = spawn(python, ['-m', 'llmtrainer.baseline', '--spec', specPath], {
    env: { ...process.env, PYTHONPATH: join(repoRoot, 'workers', 'trainer', 'src'), PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
  const losses = new Map<number, number>();
  let firstStep = 0;
  let lastStep = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const r = JSON.parse(line) as { step: number; loss: number };
    lastStep = performance.now();
    firstStep ||= lastStep;
    losses.set(r.step, r.loss);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const end = performance.now();
  if (code !== 0) throw new Error(`baseline exited ${code}:\n${stderr.slice(-20).join('\n')}`);
  const phases = `spawn→first step ${((firstStep - t0) / 1000).toFixed(1)} s, steps ${((lastStep - firstStep) / 1000).toFixed(1)} s, last step→exit ${((end - lastStep) / 1000).toFixed(1)} s`;
  return { seconds: (end - t0) / 1000, losses, phases };
}

function maxDiff(a: Map<number, number>, b: Map<number, number>) {
  if (a.size !== b.size) throw new Error(`step counts differ: ${a.size} vs ${b.size}`);
  let m = 0;
  for (const [step, v] of a) {
    const w = b.get(step);
    if (w === undefined) throw new Error(`step ${step} missing`);
    m = Math.max(m, Math.abs(v - w));
  }
  return m;
}

function agentConfig(app: TestApp, token: string, python: string, name: string): AgentConfig {
  return {
    apiUrl: app.url,
    token,
    workDir: join(dir, 'agent'), // shared, so the tiny model is built once
    python,
    pollSeconds: 2, // the agent's default (LLMTRAINER_POLL_SECONDS)
    cancelGraceSeconds: 60,
    trainerMode: 'train',
    relayMemoryEvents: 5000,
    trainerEnv: {},
    hostname: `bench-${name}`,
  };
}

const { app, dir, close } = await startBenchApp('runs');
try {
  const admin = await benchLogin(app);
  const projectId = (await app.gql(`mutation { createProject(input: { name: "bench" }) { id } }`, {}, admin.token))
    .data!.createProject.id as string;
  const version = await datasetVersion(app, admin, projectId, 'bench', chatRows(Number(values.rows)));
  const python = trainerPython();

  // Warm-up run (untimed): builds the tiny model in the agent's work dir and warms caches. Its
  // interpreter is a wrapper that keeps a copy of the spec and the rows the agent gave the trainer,
  // so the baseline trains exactly the same thing.
  const capture = join(dir, 'capture');
  const wrapper = join(dir, 'python-capture.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nif [ "$2" = llmtrainer.train ]; then mkdir -p '${capture}'; cp "$4" '${capture}/spec.json'; ` +
      `cp "$(dirname "$4")/train.jsonl" '${capture}/train.jsonl'; fi\nexec '${python}' "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  let agent = new Agent(agentConfig(app, await workerToken(app, admin, 'warmup'), wrapper, 'warmup'));
  await agent.start();
  const warm = await platformRun(app, admin, version);
  await agent.stop();
  console.log(`warm-up platform run (builds the tiny model): ${warm.seconds.toFixed(1)} s`);

  const spec = JSON.parse(readFileSync(join(capture, 'spec.json'), 'utf8'));
  spec.dataset.train_path = join(capture, 'train.jsonl');
  spec.output_dir = join(dir, 'baseline-out');
  const specPath = join(capture, 'baseline-spec.json');
  writeFileSync(specPath, JSON.stringify(spec, null, 2));
  console.log(
    `spec: ${spec.method} ${spec.objective}, ${readFileSync(spec.dataset.train_path, 'utf8').trim().split('\n').length} rows, ` +
      `hyperparameters ${JSON.stringify(spec.hyperparameters)}`,
  );

  agent = new Agent(agentConfig(app, await workerToken(app, admin, 'bench'), python, 'bench'));
  await agent.start();
  const platform: PlatformResult[] = [];
  const baseline: Awaited<ReturnType<typeof baselineRun>>[] = [];
  try {
    for (let i = 0; i < REPEATS; i++) {
      const b = await baselineRun(python, specPath);
      baseline.push(b);
      console.log(`  baseline #${i + 1}: ${b.seconds.toFixed(1)} s (${b.phases})`);
      const p = await platformRun(app, admin, version);
      platform.push(p);
      console.log(`  platform #${i + 1}: ${p.seconds.toFixed(1)} s (${p.phases})`);
    }
  } finally {
    await agent.stop();
  }
  const reference = baseline[0].losses;
  const lossDiff = Math.max(...[warm, ...platform].map((p) => maxDiff(p.losses, reference)));
  const baselineSpread = Math.max(...baseline.map((b) => maxDiff(b.losses, reference)));
  const pm = median(platform.map((p) => p.seconds));
  const bm = median(baseline.map((b) => b.seconds));
  // With an even count the middle is the mean of the two central runs: say so rather than call it a median.
  const middle =
    REPEATS % 2
      ? `median of ${REPEATS}`
      : REPEATS === 2
        ? 'mean of 2'
        : `median (mean of the middle two) of ${REPEATS}`;
  console.log(`runs: tiny Qwen3 LoRA SFT, ${STEPS} steps on CPU, ${middle} alternating runs each`);
  console.log(`  plain script (llmtrainer.baseline): ${bm.toFixed(1)} s`);
  console.log(
    `  platform (createRun → SUCCEEDED):   ${pm.toFixed(1)} s  → ratio ${(pm / bm).toFixed(2)}× (goal ≤ 1.03×)`,
  );
  console.log(
    `  per-step loss, max |platform − baseline| over ${reference.size} steps × ${platform.length + 1} runs: ${lossDiff.toExponential(2)} (goal ≤ 1e-4; baseline vs itself ${baselineSpread.toExponential(2)})`,
  );
} finally {
  await close();
  rmSync(agentWorkRoot, { recursive: true, force: true });
}
