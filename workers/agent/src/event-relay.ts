import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type ApiClient } from './api-client.js';
import { ReportJobEventsDocument } from './graphql/generated/graphql.js';
import type { JobRef } from './job-executor.js';

export interface TrainerEvent {
  seq: number;
  time: string;
  event: string;
  [key: string]: unknown;
}

/** What the relay tells the job it relays for. */
export interface RelayHandlers {
  /** Before a checkpoint event is sent: its upload (the event waits for it). */
  beforeCheckpoint(event: TrainerEvent): Promise<void>;
  /** The API answered that a user asked to cancel the job. */
  onCancelRequested(): void;
  /** The API refused a batch with LEASE_LOST: the attempt is no longer this worker's; nothing more is sent. */
  onLeaseLost(): void;
}

export interface RelayOptions {
  /** Events kept in memory before the oldest are spooled to disk (the API is slow or unreachable). */
  memoryEvents: number;
  /** Where spool segments go; removed with the attempt's directory. */
  spoolDir: string;
  maxBatch?: number;
  maxDelayMs?: number;
}

/**
 * Forwards a job's events (the trainer's, for training) to the API in order, in batches bounded by size and time. While the API
 * does not answer (a restart, a network cut) events pile up; past `memoryEvents` they are written to
 * numbered spool files and read back, oldest first, once it answers again, so a long outage costs
 * disk, not memory. A checkpoint event is sent only after `beforeCheckpoint` (the upload) finished,
 * so the API never announces a checkpoint it does not have. Resent batches are harmless:
 * (job, attempt, seq) is unique.
 */
export class EventRelay {
  /** Newest events, after everything spooled. */
  private memory: TrainerEvent[] = [];
  /** Spool files not yet read back, oldest first. */
  private segments: string[] = [];
  /** A spool file read back, being sent. */
  private reading: TrainerEvent[] = [];
  private spills = 0;
  private pumping: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failure: unknown = null;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly api: ApiClient,
    private readonly job: JobRef,
    private readonly handlers: RelayHandlers,
    private readonly options: RelayOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 200;
  }

  push(event: TrainerEvent) {
    this.memory.push(event);
    if (this.memory.length >= this.options.memoryEvents) this.spill();
    if (event.event === 'checkpoint' || this.memory.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
  }

  /** Starts sending what is pending (after anything already on its way). */
  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pumping || this.failure) return;
    this.pumping = this.pump().finally(() => (this.pumping = null));
  }

  /** Everything pushed so far is stored (or the first error). */
  async drain() {
    while (!this.failure && (this.pumping || this.pendingCount() > 0)) {
      this.flush();
      await this.pumping;
    }
    if (this.failure) throw this.failure;
  }

  private pendingCount() {
    return this.reading.length + this.segments.length + this.memory.length;
  }

  /** Moves the in-memory events to a new spool file. Synchronous: `push` keeps their order. */
  private spill() {
    mkdirSync(this.options.spoolDir, { recursive: true });
    const file = join(this.options.spoolDir, `events-${String(this.spills++).padStart(6, '0')}.jsonl`);
    writeFileSync(file, this.memory.map((e) => JSON.stringify(e)).join('\n'));
    this.segments.push(file);
    this.memory = [];
  }

  private async pump() {
    try {
      for (let batch = await this.nextBatch(); batch.length; batch = await this.nextBatch()) {
        if (batch[0].event === 'checkpoint') await this.handlers.beforeCheckpoint(batch[0]);
        await this.send(batch);
      }
    } catch (error) {
      this.failure = error;
      if (error instanceof ApiError && error.leaseLost) this.handlers.onLeaseLost();
    }
  }

  /** The oldest pending events, up to `maxBatch`; a checkpoint event always travels alone. */
  private async nextBatch(): Promise<TrainerEvent[]> {
    if (!this.reading.length && this.segments.length) {
      const file = this.segments.shift()!;
      this.reading = (await readFile(file, 'utf8')).split('\n').map((line) => JSON.parse(line) as TrainerEvent);
      await rm(file);
    }
    const source = this.reading.length ? this.reading : this.memory;
    if (source[0]?.event === 'checkpoint') return source.splice(0, 1);
    const end = source.findIndex((e, i) => i >= this.maxBatch || e.event === 'checkpoint');
    return source.splice(0, end === -1 ? source.length : end);
  }

  private async send(batch: TrainerEvent[]) {
    const events = batch.map(({ seq, time, event, ...data }) => ({ seq, time, event, data }));
    const { reportJobEvents } = await this.api.graphql(ReportJobEventsDocument, { input: { job: this.job, events } });
    if (reportJobEvents.cancelRequested) this.handlers.onCancelRequested();
  }
}
