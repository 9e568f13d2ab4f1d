import { homedir, hostname } from 'node:os';
import { join } from 'node:path';

export interface AgentConfig {
  /** The API's base URL, e.g. http://127.0.0.1:4000 */
  apiUrl: string;
  /** A worker token (lt_pat_…) an administrator created for this machine. */
  token: string;
  /** Checkpoints, datasets and run outputs live here; tiny models are cached here too. */
  workDir: string;
  /** The trainer's Python; default: the venv `scripts/python-env.mjs` builds. */
  python: string | null;
  /** Seconds between claims while idle. */
  pollSeconds: number;
  /** Seconds a cancelled trainer gets to checkpoint and exit before SIGKILL. */
  cancelGraceSeconds: number;
  /** `noop`: every run uses the trainer's noop mode (queue tests); `train` otherwise. */
  trainerMode: 'train' | 'noop';
  /** Trainer events held in memory while the API does not answer; older ones are spooled to disk. */
  relayMemoryEvents: number;
  /** Extra environment for the trainer (tests inject LLMTRAINER_TEST_HOOKS). */
  trainerEnv: Record<string, string>;
  hostname: string;
}

/** From the environment (LLMTRAINER_*), failing with every problem at once. */
export function configFromEnv(env = process.env): AgentConfig {
  const problems: string[] = [];
  const apiUrl = env.LLMTRAINER_API_URL ?? 'http://127.0.0.1:4000';
  if (!/^https?:\/\//.test(apiUrl)) problems.push('LLMTRAINER_API_URL: must be an http(s) URL');
  const token = env.LLMTRAINER_WORKER_TOKEN ?? '';
  if (!token.startsWith('lt_pat_'))
    problems.push('LLMTRAINER_WORKER_TOKEN: must be a worker token (lt_pat_…) from Admin → Workers');
  const number = (name: string, fallback: number, min: number) => {
    const v = Number(env[name] ?? fallback);
    if (!Number.isFinite(v) || v < min) problems.push(`${name}: must be a number ≥ ${min}`);
    return v;
  };
  const trainerMode = (env.LLMTRAINER_TRAINER_MODE ?? 'train') as AgentConfig['trainerMode'];
  if (trainerMode !== 'train' && trainerMode !== 'noop')
    problems.push('LLMTRAINER_TRAINER_MODE: must be train or noop');
  const config: AgentConfig = {
    apiUrl: apiUrl.replace(/\/+$/, ''),
    token,
    workDir: env.LLMTRAINER_WORK_DIR ?? join(homedir(), '.cache', 'llm-trainer', 'agent'),
    python: env.LLMTRAINER_PYTHON ?? null,
    pollSeconds: number('LLMTRAINER_POLL_SECONDS', 2, 0.05),
    cancelGraceSeconds: number('LLMTRAINER_CANCEL_GRACE_SECONDS', 120, 1),
    trainerMode,
    relayMemoryEvents: number('LLMTRAINER_RELAY_MEMORY_EVENTS', 5000, 1),
    trainerEnv: {},
    hostname: hostname(),
  };
  if (problems.length) throw new Error(`Invalid worker configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
