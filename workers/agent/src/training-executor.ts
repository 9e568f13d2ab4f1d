import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tar from 'tar';
import { ApiError, type ApiClient } from './api-client.js';
import type { AgentConfig } from './config.js';
import { EventRelay, type TrainerEvent } from './event-relay.js';
import { CompleteJobDocument, type CompleteJobInput } from './graphql/generated/graphql.js';
import { describeJob, type ClaimedJobOf, type JobExecutor, type JobKindRunner, type JobRef } from './job-executor.js';
import { jobEnv } from './job-env.js';
import { forgetJob, recordJob } from './leftovers.js';
import { extractArchive } from './safe-extract.js';
import { trainerRuntime, type TrainerRuntime } from './python.js';
import { TrainerProcess } from './trainer-process.js';

export type TrainingJob = ClaimedJobOf<'TrainingJob'>;

/** The parts of the trainer spec (workers/trainer/README.md) the agent reads or replaces. */
interface TrainerSpec {
  base_model: { catalog_id: string; hf_id: string | null; tiny_family: string | null };
  resources?: { gpusPerNode: number };
  hyperparameters?: Record<string, unknown>;
  [key: string]: unknown;
}

/** How a training attempt ended, as `completeJob` takes it. */
type Outcome = Omit<CompleteJobInput, 'job'>;

/** Training on this machine: the trainer's Python is prepared once, when the agent starts. */
export function trainingRunner(api: ApiClient, config: AgentConfig): JobKindRunner<'TrainingJob'> {
  let runtime: TrainerRuntime | null = null;
  return {
    kind: 'TRAINING',
    setUp() {
      runtime = trainerRuntime(config.python, config.workDir);
    },
    executor: (job) => new TrainingExecutor(job, api, config, runtime!),
  };
}

/**
 * Trains one claimed attempt: fetches the dataset split(s), the base model and the checkpoint to
 * resume from, runs the trainer, relays its events, uploads checkpoints and the final model, and
 * reports how it ended. `lost()` (the lease moved on) kills the trainer and reports nothing more.
 */
export class TrainingExecutor implements JobExecutor {
  private trainer: TrainerProcess | null = null;
  private cancelling = false;
  private interrupted = false;
  /** The API has the outcome; the lease ending now is expected. */
  settled = false;
  private leaseLost = false;
  private forceTimer: NodeJS.Timeout | null = null;
  readonly dir: string;
  readonly job: JobRef;
  private readonly spec: TrainerSpec;

  constructor(
    private readonly claimed: TrainingJob,
    private readonly api: ApiClient,
    private readonly config: AgentConfig,
    private readonly runtime: TrainerRuntime,
  ) {
    this.job = { kind: claimed.kind, id: claimed.id, attempt: claimed.attempt };
    this.spec = claimed.spec as TrainerSpec;
    // The job's id is its run's; the layout under runs/ is what operators (and tests) look into.
    this.dir = join(config.workDir, 'runs', claimed.id, `attempt-${claimed.attempt}`);
  }

  /** The run this job trains. */
  get runId() {
    return this.claimed.id;
  }
  get attempt() {
    return this.claimed.attempt;
  }
  get leaseSeconds() {
    return this.claimed.leaseSeconds;
  }

  /** The agent is shutting down: checkpoint and hand the run back to the queue (INTERRUPTED). */
  interrupt() {
    this.interrupted = true;
    this.cancel();
  }

  /** A user cancelled: SIGTERM (checkpoint + exit), SIGKILL after the grace period. */
  cancel() {
    if (this.cancelling) return;
    this.cancelling = true;
    this.trainer?.stop();
    this.forceTimer = setTimeout(() => this.trainer?.kill(), this.config.cancelGraceSeconds * 1000);
  }

  /** The lease is gone: another worker may already train this run. Stop writing at once. */
  lost() {
    this.leaseLost = true;
    this.trainer?.kill();
  }

  async execute(): Promise<void> {
    try {
      await rm(this.dir, { recursive: true, force: true });
      await mkdir(this.dir, { recursive: true });
      const spec = await this.prepare();
      if (this.interrupted)
        return await this.report({ outcome: 'INTERRUPTED', reason: 'worker_stopped', message: 'the worker shut down' });
      if (this.cancelling) return await this.report({ outcome: 'CANCELLED' });
      const relay = new EventRelay(
        this.api,
        this.job,
        {
          beforeCheckpoint: (e) => this.uploadCheckpoint(e),
          onCancelRequested: () => this.cancel(),
          onLeaseLost: () => {
            console.error(`[agent] ${describeJob(this.job)}: the API refused its events (LEASE_LOST); stopping it`);
            this.lost();
          },
        },
        { memoryEvents: this.config.relayMemoryEvents, spoolDir: join(this.dir, 'spool') },
      );
      this.trainer = await this.spawn(spec, (e) => relay.push(e));
      if (this.cancelling) this.trainer.stop();
      const exit = await this.trainer.exited;
      if (this.forceTimer) clearTimeout(this.forceTimer);
      if (this.leaseLost) return;
      await relay.drain();
      await this.finish(exit.terminal, exit.code, exit.signal, exit.stderrTail);
    } catch (error) {
      if (this.leaseLost || (error instanceof ApiError && error.leaseLost)) return;
      await this.report({
        outcome: 'FAILED',
        reason: 'agent_error',
        message: `the worker agent failed: ${(error as Error).message}`,
      }).catch(() => undefined);
    } finally {
      if (this.forceTimer) clearTimeout(this.forceTimer); // (a stop before the trainer started)
      await rm(dirname(this.dir), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async prepare() {
    const c = this.claimed;
    const train = join(this.dir, 'train.jsonl');
    await this.fetchTo(`/worker/runs/${c.id}/dataset?split=train`, train);
    let evalPath: string | null = null;
    if (c.validationRows > 0) {
      evalPath = join(this.dir, 'validation.jsonl');
      await this.fetchTo(`/worker/runs/${c.id}/dataset?split=validation`, evalPath);
    }
    const output = join(this.dir, 'output');
    await mkdir(join(output, 'checkpoints'), { recursive: true });
    if (c.resumeFromStep !== null) {
      const archive = join(this.dir, 'resume.tar.gz');
      await this.fetchTo(`/worker/runs/${c.id}/checkpoint`, archive);
      await extractArchive(archive, join(output, 'checkpoints'));
      await rm(archive);
    }
    const { base_model: model, resources: _resources, ...rest } = this.spec;
    const basePath = model.tiny_family ? await this.runtime.tinyModel(model.tiny_family) : null;
    const hp = (rest.hyperparameters ?? {}) as Record<string, unknown>;
    // The trainer requires every hyperparameter: with nothing to evaluate on, eval_steps is an explicit null.
    if (!evalPath) hp.eval_steps = null;
    return {
      ...rest,
      mode: this.config.trainerMode,
      base_model: basePath ? { path: basePath } : { hf_id: model.hf_id },
      dataset: { train_path: train, eval_path: evalPath },
      hyperparameters: hp,
      output_dir: output,
      resume_from_checkpoint: c.resumeFromStep !== null ? 'latest' : null,
    };
  }

  private async spawn(spec: Record<string, unknown>, onEvent: (e: TrainerEvent) => void) {
    const specPath = join(this.dir, 'spec.json');
    const gpus = this.spec.resources?.gpusPerNode ?? 0;
    // torchrun goes through the lifeline so that it, like the trainer and every rank, dies with this agent.
    const torchrun = [this.runtime.python, '-m', 'torch.distributed.run', '--standalone', `--nproc_per_node=${gpus}`];
    const args =
      gpus > 1 ? ['-m', 'llmtrainer.lifeline', ...torchrun, '-m', 'llmtrainer.train'] : ['-m', 'llmtrainer.train'];
    const env = jobEnv(process.env, this.runtime.env, this.config.trainerEnv, {
      LLMTRAINER_PARENT_PID: String(process.pid),
    });
    await writeFile(specPath, JSON.stringify(spec, null, 2));
    const trainer = new TrainerProcess(this.runtime.python, [...args, '--spec', specPath], env, this.dir, onEvent);
    if (trainer.pid !== undefined) {
      const pid = trainer.pid;
      recordJob(this.config.workDir, pid);
      void trainer.exited.then(() => forgetJob(this.config.workDir, pid));
    }
    return trainer;
  }

  private async finish(
    terminal: TrainerEvent | null,
    code: number | null,
    signal: string | null,
    stderrTail: string[],
  ) {
    if (terminal?.event === 'completed') {
      const artifacts = terminal.artifacts as { model_dir: string; kind: string };
      await mkdir(artifacts.model_dir, { recursive: true }); // noop mode writes no weights
      const files = await readdir(artifacts.model_dir);
      const archive = join(this.dir, 'model.tar.gz');
      await tar.c({ gzip: true, file: archive, cwd: artifacts.model_dir }, files.length ? files : ['.']);
      const { artifact } = await this.api.upload<{ artifact: string }>(
        `/worker/runs/${this.runId}/model`,
        this.attempt,
        () => createReadStream(archive),
      );
      return this.report({
        outcome: 'SUCCEEDED',
        training: {
          model: { artifact, kind: artifacts.kind, files },
          finalMetrics: (terminal.final_metrics as Record<string, unknown> | undefined) ?? null,
          chatTemplate: (terminal.chat_template as string | undefined) ?? null,
        },
      });
    }
    if (this.interrupted)
      return this.report({ outcome: 'INTERRUPTED', reason: 'worker_stopped', message: 'the worker shut down' });
    if (terminal?.event === 'cancelled' || this.cancelling) return this.report({ outcome: 'CANCELLED' });
    if (terminal?.event === 'failed')
      return this.report({
        outcome: 'FAILED',
        reason: String(terminal.reason),
        message: String(terminal.message),
        logTail: stderrTail.slice(-30),
      });
    return this.report({
      outcome: 'FAILED',
      reason: 'crashed',
      message: `the trainer exited without reporting an outcome (${signal ? `signal ${signal}` : `exit code ${code}`})`,
      logTail: stderrTail.slice(-30),
    });
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

  private async uploadCheckpoint(event: TrainerEvent) {
    const path = String(event.path);
    const archive = join(this.dir, `${basename(path)}.tar.gz`);
    await tar.c({ gzip: true, file: archive, cwd: dirname(path) }, [basename(path)]);
    await this.api.upload(`/worker/runs/${this.runId}/checkpoints/${event.step}`, this.attempt, () =>
      createReadStream(archive),
    );
    await rm(archive);
  }

  private async fetchTo(path: string, file: string) {
    await this.api.downloadTo(path, this.attempt, file);
  }
}
