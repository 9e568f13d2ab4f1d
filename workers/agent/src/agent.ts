import { mkdir } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { ApiClient, ApiError } from './api-client.js';
import type { AgentConfig } from './config.js';
import { detectGpus } from './gpus.js';
import { trainerRuntime, type TrainerRuntime } from './python.js';
import { RunExecutor, type ClaimedRun } from './run-executor.js';
import { SystemSampler } from './system.js';
import { stopLeftovers } from './leftovers.js';

export const AGENT_VERSION = '0.1.0';

const REGISTER = `mutation Register($input: RegisterWorkerInput!) { registerWorker(input: $input) { id name } }`;
const HEARTBEAT = `mutation Heartbeat($runs: [HeldRunInput!], $system: JSONObject) {
  workerHeartbeat(runs: $runs, system: $system) { receivedAt leases { runId attempt valid cancelRequested } }
}`;
const CLAIM = `mutation Claim { claimRun {
  runId attempt leaseSeconds spec trainRows validationRows resumeFromStep
} }`;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * One machine's worker: registers, then trains one run at a time. A heartbeat loop renews the lease
 * of the run in hand (and passes on cancels); the main loop claims the next run when idle.
 */
export class Agent {
  readonly api: ApiClient;
  private current: RunExecutor | null = null;
  private readonly stopping = new AbortController();
  private wake = new AbortController();
  private loops: Promise<void>[] = [];
  private runtime: TrainerRuntime | null = null;
  private readonly sampler: SystemSampler;
  name = '';

  constructor(private readonly config: AgentConfig) {
    this.api = new ApiClient(config.apiUrl, config.token);
    this.sampler = new SystemSampler(config.workDir);
  }

  async start() {
    await mkdir(this.config.workDir, { recursive: true });
    const stopped = stopLeftovers(this.config.workDir);
    if (stopped !== null) console.warn(`[agent] stopped job process group ${stopped} left by an earlier agent`);
    this.runtime = trainerRuntime(this.config.python, this.config.workDir);
    const gpus = await detectGpus();
    const { registerWorker } = await this.api.graphql<{ registerWorker: { name: string } }>(REGISTER, {
      input: {
        hostname: this.config.hostname,
        gpus,
        cpuCount: cpus().length,
        memoryMb: Math.round(totalmem() / 1024 ** 2),
        agentVersion: AGENT_VERSION,
      },
    });
    this.name = registerWorker.name;
    this.loops = [this.heartbeatLoop(), this.claimLoop()];
  }

  /** Stops claiming; a run in hand checkpoints and goes back to the queue, or is dropped (`abandon`). */
  async stop({ abandon = false } = {}) {
    this.stopping.abort();
    if (abandon) this.current?.lost();
    else this.current?.interrupt();
    await Promise.allSettled(this.loops);
  }

  private async claimLoop() {
    while (!this.stopping.signal.aborted) {
      let claimed: ClaimedRun | null = null;
      try {
        claimed = (await this.api.graphql<{ claimRun: ClaimedRun | null }>(CLAIM)).claimRun;
      } catch (error) {
        console.error(`[agent ${this.name}] claim failed: ${(error as Error).message}`);
      }
      if (!claimed) {
        await sleep(this.config.pollSeconds * 1000, this.stopping.signal);
        continue;
      }
      this.current = new RunExecutor(claimed, this.api, this.config, this.runtime!);
      this.wake.abort(); // start renewing the new lease now, not at the next idle heartbeat
      await this.current.execute();
      this.current = null;
    }
  }

  private async heartbeatLoop() {
    while (!this.stopping.signal.aborted || this.current) {
      const run = this.current;
      try {
        const { workerHeartbeat } = await this.api.graphql<{
          workerHeartbeat: { leases: { valid: boolean; cancelRequested: boolean }[] };
        }>(HEARTBEAT, {
          runs: run ? [{ runId: run.runId, attempt: run.attempt }] : [],
          system: await this.sampler.sample(),
        });
        const lease = workerHeartbeat.leases[0];
        // (A run that ended while the heartbeat was in flight is left alone.)
        if (run && run === this.current && !run.settled && lease && !lease.valid) {
          console.error(`[agent ${this.name}] lost the lease of run ${run.runId} attempt ${run.attempt}`);
          run.lost();
        } else if (run && run === this.current && lease?.cancelRequested) run.cancel();
      } catch (error) {
        if (!(error instanceof ApiError))
          console.error(`[agent ${this.name}] heartbeat failed: ${(error as Error).message}`);
      }
      // A third of the lease: two heartbeats may be lost before it lapses.
      const every = run ? Math.min(5, Math.max(1, run.leaseSeconds / 3)) : 10;
      this.wake = new AbortController();
      // While a run is in hand, keep its lease alive even when stopping (it is checkpointing).
      await sleep(every * 1000, run ? this.wake.signal : AbortSignal.any([this.wake.signal, this.stopping.signal]));
    }
  }
}
