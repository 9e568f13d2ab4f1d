import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApiError, type ApiClient } from './api-client.js';
import type { AgentConfig } from './config.js';
import { EventRelay, type TrainerEvent } from './event-relay.js';
import { CompleteJobDocument, type CompleteJobInput, type JobKind } from './graphql/generated/graphql.js';
import {
  describeJob,
  type ClaimedJob,
  type ClaimedJobOf,
  type ClaimedJobType,
  type JobExecutor,
  type JobKindRunner,
  type JobRef,
} from './job-executor.js';
import { jobEnv } from './job-env.js';
import { forgetJob, recordJob } from './leftovers.js';
import { sharedRuntime, type TrainerRuntime } from './python.js';
import { TrainerProcess, type TrainerExit } from './trainer-process.js';

/** How an attempt ended, as `completeJob` takes it. */
export type Outcome = Omit<CompleteJobInput, 'job'>;

/**
 * The runner of a kind whose jobs run the trainer's Python: the interpreter is prepared when the agent
 * starts (`setUp`), once per agent when the kinds share `runtime`.
 */
export function processRunner<T extends ClaimedJobType>(
  kind: JobKind,
  Executor: new (job: ClaimedJobOf<T>, api: ApiClient, config: AgentConfig, runtime: TrainerRuntime) => JobExecutor,
) {
  return (api: ApiClient, config: AgentConfig, runtime = sharedRuntime(config)): JobKindRunner<T> => ({
    kind,
    setUp: () => void runtime(),
    executor: (job) => new Executor(job, api, config, runtime()),
  });
}

/** What a kind tells the shared lifecycle about itself. */
export interface ProcessJobOptions {
  /** The attempt's directory is `<workDir>/<folder>/<job id>/attempt-<n>`; operators (and tests) look there. */
  folder: string;
  /** Names the process in a crash report: "the trainer exited without reporting an outcome". */
  processName: string;
}

/**
 * One attempt run as a Python process of `workers/trainer` speaking the trainer's protocol (JSON-line
 * events on stdout, SIGTERM cancels, exactly one terminal event): the lifecycle every such kind shares.
 * It clears the attempt's directory, lets the kind download and write its spec, starts the process with
 * the lifeline (`LLMTRAINER_PARENT_PID`) in its own process group, relays its events in order, and
 * completes the job: the kind's result on `completed`; FAILED with the process's reason, or `crashed`
 * when it died without one; CANCELLED after a cancel; INTERRUPTED when the agent stops. `lost()` (the
 * lease moved on) kills the process and reports nothing more.
 */
export abstract class ProcessJobExecutor<J extends ClaimedJob = ClaimedJob> implements JobExecutor {
  private process: TrainerProcess | null = null;
  private cancelling = false;
  private interrupted = false;
  /** The API has the outcome; the lease ending now is expected. */
  settled = false;
  private leaseLost = false;
  private forceTimer: NodeJS.Timeout | null = null;
  readonly dir: string;
  readonly job: JobRef;

  constructor(
    protected readonly claimed: J,
    protected readonly api: ApiClient,
    protected readonly config: AgentConfig,
    protected readonly runtime: TrainerRuntime,
    private readonly options: ProcessJobOptions,
  ) {
    this.job = { kind: claimed.kind, id: claimed.id, attempt: claimed.attempt };
    this.dir = join(config.workDir, options.folder, claimed.id, `attempt-${claimed.attempt}`);
  }

  get attempt() {
    return this.claimed.attempt;
  }
  get leaseSeconds() {
    return this.claimed.leaseSeconds;
  }

  /** Fetches what the process reads into `dir`; returns its spec. */
  protected abstract prepare(): Promise<Record<string, unknown>>;
  /** The interpreter's arguments before `--spec <path>`. */
  protected abstract args(): string[];
  /** The outcome of a process that reported `completed` (after uploading what it produced). */
  protected abstract succeeded(completed: TrainerEvent): Promise<Outcome>;
  /** Runs before a `checkpoint` event is relayed (the relay waits for it). */
  protected beforeCheckpoint(_event: TrainerEvent): Promise<void> {
    return Promise.resolve();
  }

  /** The agent is shutting down: the process stops (a trainer checkpoints) and the job is queued again. */
  interrupt() {
    this.interrupted = true;
    this.cancel();
  }

  /** A user cancelled: SIGTERM (the process saves what it can and exits), SIGKILL after the grace period. */
  cancel() {
    if (this.cancelling) return;
    this.cancelling = true;
    this.process?.stop();
    this.forceTimer = setTimeout(() => this.process?.kill(), this.config.cancelGraceSeconds * 1000);
  }

  /** The lease is gone: another worker may already run this job. Stop writing at once. */
  lost() {
    this.leaseLost = true;
    this.process?.kill();
  }

  async execute(): Promise<void> {
    try {
      await rm(this.dir, { recursive: true, force: true });
      await mkdir(this.dir, { recursive: true });
      const spec = await this.prepare();
      if (this.leaseLost) return; // (lost while downloading: nothing was started)
      if (this.interrupted) return await this.report(this.interruption());
      if (this.cancelling) return await this.report({ outcome: 'CANCELLED' });
      const relay = new EventRelay(
        this.api,
        this.job,
        {
          beforeCheckpoint: (e) => this.beforeCheckpoint(e),
          onCancelRequested: () => this.cancel(),
          onLeaseLost: () => {
            console.error(`[agent] ${describeJob(this.job)}: the API refused its events (LEASE_LOST); stopping it`);
            this.lost();
          },
        },
        { memoryEvents: this.config.relayMemoryEvents, spoolDir: join(this.dir, 'spool') },
      );
      this.process = await this.spawn(spec, (e) => relay.push(e));
      // A stop that came while the process was being started reaches it now.
      if (this.leaseLost) this.process.kill();
      else if (this.cancelling) this.process.stop();
      const exit = await this.process.exited;
      if (this.forceTimer) clearTimeout(this.forceTimer);
      if (this.leaseLost) return;
      await relay.drain();
      await this.report(await this.outcome(exit));
    } catch (error) {
      if (this.leaseLost || (error instanceof ApiError && error.leaseLost)) return;
      await this.report({
        outcome: 'FAILED',
        reason: 'agent_error',
        message: `the worker agent failed: ${(error as Error).message}`,
      }).catch(() => undefined);
    } finally {
      if (this.forceTimer) clearTimeout(this.forceTimer); // (a stop before the process started)
      await rm(dirname(this.dir), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async spawn(spec: Record<string, unknown>, onEvent: (e: TrainerEvent) => void) {
    const specPath = join(this.dir, 'spec.json');
    const env = jobEnv(process.env, this.runtime.env, this.config.trainerEnv, {
      LLMTRAINER_PARENT_PID: String(process.pid),
    });
    await writeFile(specPath, JSON.stringify(spec, null, 2));
    const child = new TrainerProcess(this.runtime.python, [...this.args(), '--spec', specPath], env, this.dir, onEvent);
    if (child.pid !== undefined) {
      const pid = child.pid;
      recordJob(this.config.workDir, pid);
      void child.exited.then(() => forgetJob(this.config.workDir, pid));
    }
    return child;
  }

  private interruption(): Outcome {
    return { outcome: 'INTERRUPTED', reason: 'worker_stopped', message: 'the worker shut down' };
  }

  private async outcome({ terminal, code, signal, stderrTail }: TrainerExit): Promise<Outcome> {
    if (terminal?.event === 'completed') return this.succeeded(terminal);
    if (this.interrupted) return this.interruption();
    if (terminal?.event === 'cancelled' || this.cancelling) return { outcome: 'CANCELLED' };
    const logTail = stderrTail.slice(-30);
    if (terminal?.event === 'failed')
      return { outcome: 'FAILED', reason: String(terminal.reason), message: String(terminal.message), logTail };
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    return {
      outcome: 'FAILED',
      reason: 'crashed',
      message: `${this.options.processName} exited without reporting an outcome (${how})`,
      logTail,
    };
  }

  private async report(outcome: Outcome) {
    try {
      await this.api.graphql(CompleteJobDocument, { input: { job: this.job, ...outcome } });
      this.settled = true;
    } catch (error) {
      if (error instanceof ApiError && error.leaseLost) return;
      throw error;
    }
  }

  /**
   * Downloads one of the held job's files (`GET <path>`, fenced by its attempt) to `file`; a transfer
   * cut short is retried from the start. Resolves to the response's headers.
   */
  protected async fetchTo(path: string, file: string) {
    return { headers: await this.api.downloadTo(path, this.attempt, file) };
  }
}
