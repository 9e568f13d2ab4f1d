import type { ApiClient } from './api-client.js';

export interface TrainerEvent {
  seq: number;
  time: string;
  event: string;
  [key: string]: unknown;
}

const REPORT = `mutation Report($input: ReportRunEventsInput!) {
  reportRunEvents(input: $input) { stored cancelRequested }
}`;

/**
 * Forwards trainer events to the API in order, in batches bounded by size and time. A checkpoint
 * event is held back until `beforeCheckpoint` (the upload) finished, so the API never announces a
 * checkpoint it does not have. Resent batches are harmless: (run, attempt, seq) is unique.
 */
export class EventRelay {
  private pending: TrainerEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private failure: unknown = null;

  constructor(
    private readonly api: ApiClient,
    private readonly runId: string,
    private readonly attempt: number,
    private readonly beforeCheckpoint: (event: TrainerEvent) => Promise<void>,
    private readonly onCancelRequested: () => void,
    private readonly maxBatch = 200,
    private readonly maxDelayMs = 200,
  ) {}

  push(event: TrainerEvent) {
    if (event.event === 'checkpoint') {
      this.flush();
      this.enqueue(() => this.beforeCheckpoint(event));
      this.pending.push(event);
      this.flush();
      return;
    }
    this.pending.push(event);
    if (this.pending.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
  }

  /** Sends what is pending (in order after anything already sent). */
  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.enqueue(() => this.send(batch));
  }

  /** Everything pushed so far is stored (or the first error). */
  async drain() {
    this.flush();
    await this.chain;
    if (this.failure) throw this.failure;
  }

  private enqueue(step: () => Promise<void>) {
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await step();
      } catch (error) {
        this.failure = error;
      }
    });
  }

  private async send(batch: TrainerEvent[]) {
    const events = batch.map(({ seq, time, event, ...data }) => ({ seq, time, event, data }));
    const { reportRunEvents } = await this.api.graphql<{ reportRunEvents: { cancelRequested: boolean } }>(REPORT, {
      input: { runId: this.runId, attempt: this.attempt, events },
    });
    if (reportRunEvents.cancelRequested) this.onCancelRequested();
  }
}
