/**
 * Variables a process the agent starts (the trainer, torchrun and its ranks, the tiny-model builder)
 * must not inherit: the worker token would let a training script speak to the API as this worker
 * (claim, complete or fence other runs), and the rest are the API's own secrets when the agent runs
 * beside it (`npm start`). The trainer needs none of them: the agent relays everything it reports.
 */
export const WITHHELD_FROM_JOBS = [
  'LLMTRAINER_WORKER_TOKEN',
  'LOCAL_WORKER_TOKEN_FILE',
  'JWT_SECRET',
  'ADMIN_PASSWORD',
  'DATABASE_URL',
  'TEST_DATABASE_URL',
] as const;

/** The environment of a job process: the agent's own, minus the secrets, plus `layers` in order. */
export function jobEnv(base: NodeJS.ProcessEnv, ...layers: Record<string, string>[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of WITHHELD_FROM_JOBS) delete env[name];
  for (const layer of layers) Object.assign(env, layer);
  for (const name of WITHHELD_FROM_JOBS) delete env[name];
  return env;
}
