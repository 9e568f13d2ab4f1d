import { seedDemoData } from './bootstrap/demo.js';
import { provisionLocalWorker } from './bootstrap/local-worker.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, getConfig, repoRoot } from './config.js';
import { createLogger } from './logger.js';
import { startRuntime } from './app.js';
import { startServer } from './server.js';

/** Bootstrap only: config → runtime (database, ORM, migrations) → HTTP + WS server → signals. */
async function main() {
  // A local .env (see .env.example) fills in variables the environment does not set.
  const envFile = join(repoRoot, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL, { json: config.NODE_ENV === 'production' });
  const runtime = await startRuntime(config, log);
  if (config.DEMO_DATA) await seedDemoData(runtime);
  if (config.LOCAL_WORKER_TOKEN_FILE) await provisionLocalWorker(runtime, config.LOCAL_WORKER_TOKEN_FILE);
  const server = await startServer(runtime);
  log.info({ url: server.url, embeddedDatabase: runtime.database.embedded }, 'LLM Trainer is up');
  const banner = startBanner(server.url, runtime.generatedAdmin);
  // Under `npm start` (scripts/start.mjs, over IPC) the banner is printed last, once the local worker is
  // up too; run on its own, the API prints it now. Console only: never in the log stream.
  if (process.send) process.send({ type: 'ready', url: server.url, banner });
  else process.stdout.write(banner);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining HTTP and WebSocket');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await server.stop();
      await runtime.close();
      log.info('stopped cleanly');
      process.stdout.write('LLM Trainer stopped cleanly\n');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** URL, and the administrator's generated password when one was made on this start (shown once). */
function startBanner(url: string, admin: { email: string; password: string } | null) {
  let text = `\n  LLM Trainer is running at ${url}\n  GraphQL: ${url}/graphql\n`;
  if (admin)
    text +=
      `\n  Administrator account created\n    email:    ${admin.email}\n    password: ${admin.password}\n` +
      '  (shown once; change it after signing in)\n';
  return `${text}\n`;
}

main().catch((error) => {
  process.stderr.write(`LLM Trainer failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
