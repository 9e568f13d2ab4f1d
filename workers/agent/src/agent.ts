import { mkdir } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { ApiClient, ApiError } from './api-client.js';
import type { AgentConfig } from './config.js';
import { detectGpus } from './gpus.js';
import {
  ClaimJobDocument,
  CompleteJobDocument,
  RegisterWorkerDocument,
  WorkerHeartbeatDocument,
} from './graphql/generated/graphql.js';
import {
  capabilities,
  describeJob,
  dispatch,
  type ClaimedJob,
  type JobExecutor,
  type JobKindRunners,
  type JobRef,
} from './job-executor.js';
import { evaluationRunner } from './evaluation-executor.js';
import { stopLeftovers } from './leftovers.js';
import { sharedRuntime } from './python.js';
import { SystemSampler } from './system.js';
import { trainingRunner } from './training-executor.js';

/** Sent at registration; 0.2: the job protocol (claimJob, reportJobEvents, completeJob); 0.3: evaluation jobs. */
export const AGENT_VERSION = '0.3.0';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

const keyOf = (job: JobRef) => `${job.kind}:${job.id}:${job.attempt}`;

/**
 * One machine's worker: registers, then runs one job at a time. The claim loop asks for the kinds
 * this agent has an executor for and hands each job to its kind's executor; the heartbeat loop renews
 * the lease of every job in hand (and passes on cancels and lost leases).
 */
export class Agent {
  readonly api: ApiClient;
  /** The jobs in hand, by kind, id and attempt (one today; the heartbeat renews them all). */
  private readonly held = new Map<string, JobExecutor>();
  private readonly runners: JobKindRunners;
  private readonly stopping = new AbortController();
  private wake = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly sampler: SystemSampler;
  name = '';

  constructor(private readonly config: AgentConfig) {
    this.api = new ApiClient(config.apiUrl, config.token);
    this.sampler = new SystemSampler(config.workDir);
    // Both kinds run the trainer's Python: one interpreter, one set of tiny models.
    const runtime = sharedRuntime(config);
    this.runners = {
      TrainingJob: trainingRunner(this.api, config, runtime),
      EvaluationJob: evaluationRunner(this.api, config, runtime),
    };
  }

  async start() {
    await mkdir(this.config.workDir, { recursive: true });
    const stopped = stopLeftovers(this.config.workDir);
    if (stopped !== null) console.warn(`[agent] stopped job process group ${stopped} left by an earlier agent`);
    for (const runner of Object.values(this.runners)) await runner.setUp?.();
    const { registerWorker } = await this.api.graphql(RegisterWorkerDocument, {
      input: {
        hostname: this.config.hostname,
        gpus: await detectGpus(),
        cpuCount: cpus().length,
        memoryMb: Math.round(totalmem() / 1024 ** 2),
        agentVersion: AGENT_VERSION,
      },
    });
    this.name = registerWorker.name;
    this.loops = [this.heartbeatLoop(), this.claimLoop()];
  }

  /** Stops claiming; jobs in hand stop and go back to the queue, or are dropped (`abandon`). */
  async stop({ abandon = false } = {}) {
    this.stopping.abort();
    for (const executor of this.held.values()) {
      if (abandon) executor.lost();
      else executor.interrupt();
    }
    await Promise.allSettled(this.loops);
  }

  private async claimLoop() {
    while (!this.stopping.signal.aborted) {
      let claimed: ClaimedJob | null = null;
      try {
        claimed = (await this.api.graphql(ClaimJobDocument, { capabilities: capabilities(this.runners) })).claimJob;
      } catch (error) {
        console.error(`[agent ${this.name}] claim failed: ${(error as Error).message}`);
      }
      if (!claimed) {
        await sleep(this.config.pollSeconds * 1000, this.stopping.signal);
        continue;
      }
      const found = dispatch(claimed, this.runners);
      if ('unsupported' in found) {
        await this.refuse(claimed, found.unsupported);
        continue;
      }
      const { executor } = found;
      const key = keyOf(executor.job);
      this.held.set(key, executor);
      this.wake.abort(); // start renewing the new lease now, not at the next idle heartbeat
      if (this.stopping.signal.aborted) executor.interrupt(); // claimed while stop() went by
      await executor.execute();
      this.held.delete(key);
    }
  }

  /** A job this agent cannot run is not started: it is completed as FAILED, saying why, at once. */
  private async refuse(claimed: ClaimedJob, why: string) {
    const job = { kind: claimed.kind, id: claimed.id, attempt: claimed.attempt };
    console.error(`[agent ${this.name}] not running ${describeJob(job)}: ${why}`);
    try {
      await this.api.graphql(CompleteJobDocument, {
        input: {
          job,
          outcome: 'FAILED',
          reason: 'unsupported_kind',
          message: `worker ${this.name} (agent ${AGENT_VERSION}): ${why}`,
        },
      });
    } catch (error) {
      console.error(`[agent ${this.name}] could not report ${describeJob(job)}: ${(error as Error).message}`);
    }
  }

  private async heartbeatLoop() {
    while (!this.stopping.signal.aborted || this.held.size) {
      // Replaced before the jobs in hand are read: a job claimed from here on cuts the next sleep short.
      this.wake = new AbortController();
      const woken = this.wake.signal;
      const held = [...this.held.values()];
      try {
        const { workerHeartbeat } = await this.api.graphql(WorkerHeartbeatDocument, {
          jobs: held.map((e) => e.job),
          system: await this.sampler.sample(),
        });
        for (const lease of workerHeartbeat.leases) {
          const executor = this.held.get(keyOf(lease));
          // (A job that ended while the heartbeat was in flight is left alone.)
          if (!executor || executor.settled) continue;
          if (!lease.valid) {
            console.error(`[agent ${this.name}] lost the lease of ${describeJob(executor.job)}`);
            executor.lost();
          } else if (lease.cancelRequested) executor.cancel();
        }
      } catch (error) {
        if (!(error instanceof ApiError))
          console.error(`[agent ${this.name}] heartbeat failed: ${(error as Error).message}`);
      }
      // A third of the shortest lease: two heartbeats may be lost before it lapses.
      const every = held.length ? Math.min(5, Math.max(1, Math.min(...held.map((e) => e.leaseSeconds)) / 3)) : 10;
      // While jobs are in hand, keep their leases alive even when stopping (they are checkpointing).
      await sleep(every * 1000, held.length ? woken : AbortSignal.any([woken, this.stopping.signal]));
    }
  }
}
