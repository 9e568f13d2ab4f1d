// `npm run worker` / `npm start -w @llm-trainer/agent`: one worker agent, configured by LLMTRAINER_* variables.
import { Agent } from './agent.js';
import { configFromEnv } from './config.js';

let config;
try {
  config = configFromEnv();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
// The token lives in the config from here on; nothing this process starts (trainer, nvidia-smi) inherits it.
delete process.env.LLMTRAINER_WORKER_TOKEN;
const agent = new Agent(config);
await agent.start();
console.log(`[agent ${agent.name}] registered with ${config.apiUrl}; waiting for runs`);
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // First signal: the run in hand checkpoints and ends CANCELLED. Second: leave it to the lease.
    signals++;
    void agent.stop({ abandon: signals > 1 }).then(() => process.exit(0));
  });
}
