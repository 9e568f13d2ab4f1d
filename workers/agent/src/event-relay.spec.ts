// The event relay against the real API, through a hop that can refuse requests, lose answers and hold
// them: order, retries, idempotent resends, spool files, and a checkpoint event after its upload.
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultyHop, type Passed } from '../test/faulty-hop.js';
import { startRealApi, type RealApi } from '../test/real-api.js';
import { ApiClient, ApiError } from './api-client.js';
import { EventRelay, type TrainerEvent } from './event-relay.js';
import { CompleteJobDocument } from './graphql/generated/graphql.js';
import type { JobRef } from './job-executor.js';

let real: RealApi;
let hop: FaultyHop;
/** The worker's client, through the hop. */
let client: ApiClient;
const dir = mkdtempSync(join(tmpdir(), 'llmt-relay-'));

beforeAll(async () => {
  real = await startRealApi();
  hop = await FaultyHop.start(real.app.url);
  client = new ApiClient(hop.url, real.token, 10_000);
}, 60_000);
afterAll(async () => {
  await hop?.close();
  await real?.close();
  rmSync(dir, { recursive: true, force: true });
});

const REPORT = 'ReportJobEvents';
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const metric = (seq: number): TrainerEvent => ({
  seq,
  time: new Date().toISOString(),
  event: 'metric',
  step: seq + 1,
  epoch: 0,
  values: { loss: 1 / (seq + 1) },
});
const seqsOf = (p: Passed) => (p.variables.input.events as { seq: number }[]).map((e) => e.seq);
const storedNow = (p: Passed) => p.answer!.reportJobEvents.stored as number;

/** A training job held by the worker, and a relay for it through the hop. */
async function relayFor(options: {
  memoryEvents?: number;
  maxBatch?: number;
  beforeCheckpoint?: (job: JobRef, e: TrainerEvent) => Promise<void>;
  onLeaseLost?: () => void;
}) {
  const claimed = await real.heldTrainingJob();
  const job: JobRef = { kind: claimed.kind, id: claimed.id, attempt: claimed.attempt };
  const spoolDir = join(dir, claimed.id, 'spool');
  const before = options.beforeCheckpoint ?? (async () => {});
  const relay = new EventRelay(
    client,
    job,
    {
      beforeCheckpoint: (e) => before(job, e),
      onCancelRequested: () => {},
      onLeaseLost: options.onLeaseLost ?? (() => {}),
    },
    { memoryEvents: options.memoryEvents ?? 1000, spoolDir, maxBatch: options.maxBatch, maxDelayMs: 5 },
  );
  /** The batches of this job that reached the API, in order. */
  const reached = () => hop.reached(REPORT).filter((p) => p.variables.input.job.id === job.id);
  return { job, relay, spoolDir, reached };
}

describe('EventRelay', () => {
  it('delivers events in seq order; a refused send and a lost answer are sent again unchanged and stored once', async () => {
    const { job, relay, reached } = await relayFor({ maxBatch: 10 });
    // Batches of 10: the 2nd never reaches the API; the 3rd does, and its answer is lost on the way back.
    hop.inject(REPORT, null, 'refuse', null, 'lose-answer');
    for (const seq of range(45)) relay.push(metric(seq));
    await relay.drain();

    expect(await real.storedSeqs(job.id, job.attempt)).toEqual(range(45));
    expect(reached().map((b) => [seqsOf(b)[0], seqsOf(b).length, b.fate, storedNow(b)])).toEqual([
      [0, 10, 'forwarded', 10],
      [10, 10, 'forwarded', 10], // refused once, then sent as it was
      [20, 10, 'answer-lost', 10],
      [20, 10, 'forwarded', 0], // the resend: (job, attempt, seq) already stored, nothing twice
      [30, 10, 'forwarded', 10],
      [40, 5, 'forwarded', 5],
    ]);
    for (const b of reached()) expect(seqsOf(b)).toEqual(range(seqsOf(b).length, seqsOf(b)[0]));
    const refused = hop.passed.filter((p) => p.fate === 'refused' && p.variables.input.job.id === job.id);
    expect(refused.map(seqsOf)).toEqual([range(10, 10)]);
  });

  it('spools what the API cannot take yet to numbered files and sends them oldest first', async () => {
    const { job, relay, spoolDir, reached } = await relayFor({ memoryEvents: 5 });
    const gate = hop.hold(REPORT);
    for (const seq of range(3)) relay.push(metric(seq));
    await gate.held; // the first batch is on its way and the API does not answer
    for (const seq of range(22, 3)) relay.push(metric(seq));

    // Every 5 events in memory went to the next file; the newest 2 are still in memory.
    const files = readdirSync(spoolDir).sort();
    expect(files).toEqual(range(4).map((i) => `events-00000${i}.jsonl`));
    const spooled = files.map((f) =>
      readFileSync(join(spoolDir, f), 'utf8')
        .split('\n')
        .map((line) => (JSON.parse(line) as TrainerEvent).seq),
    );
    expect(spooled).toEqual([range(5, 3), range(5, 8), range(5, 13), range(5, 18)]);

    gate.release();
    await relay.drain();
    expect(reached().map(seqsOf)).toEqual([range(3), range(5, 3), range(5, 8), range(5, 13), range(5, 18), [23, 24]]);
    expect(await real.storedSeqs(job.id, job.attempt)).toEqual(range(25));
    expect(readdirSync(spoolDir)).toEqual([]); // read back and removed
  });

  it('sends a checkpoint event only once its upload is done, and nothing after it before that', async () => {
    let asked!: (e: TrainerEvent) => void;
    const uploadAsked = new Promise<TrainerEvent>((resolve) => (asked = resolve));
    let allowUpload!: () => void;
    const uploadAllowed = new Promise<void>((resolve) => (allowUpload = resolve));
    const checkpointDir = join(dir, 'checkpoint-2');
    mkdirSync(checkpointDir, { recursive: true });
    writeFileSync(join(checkpointDir, 'adapter.bin'), 'weights');
    const { job, relay, reached } = await relayFor({
      beforeCheckpoint: async (held, e) => {
        asked(e);
        await uploadAllowed;
        const archive = join(dir, 'checkpoint-2.tar.gz');
        await tar.c({ gzip: true, file: archive, cwd: dir }, ['checkpoint-2']);
        await client.upload(`/worker/runs/${held.id}/checkpoints/${e.step}`, held.attempt, () =>
          createReadStream(archive),
        );
      },
    });
    // What the API knows of the checkpoint at the moment its event reaches it.
    const known: number[] = [];
    hop.beforeForward = async (operation, variables) => {
      if (operation !== REPORT || !variables.input.events.some((e: TrainerEvent) => e.event === 'checkpoint')) return;
      const { rows } = await real.app.runtime.pool.query<{ n: number }>(
        'select count(*)::int as n from run_checkpoints where run_id = $1 and step = 2',
        [job.id],
      );
      known.push(rows[0].n);
    };
    try {
      relay.push(metric(0));
      relay.push(metric(1));
      relay.push({ seq: 2, time: new Date().toISOString(), event: 'checkpoint', step: 2, path: checkpointDir });
      relay.push(metric(3));
      expect((await uploadAsked).seq).toBe(2);
      // The events before it went on; the checkpoint and what follows it wait for the upload.
      expect(await real.storedSeqs(job.id, job.attempt)).toEqual([0, 1]);
      allowUpload();
      await relay.drain();
    } finally {
      hop.beforeForward = () => {};
    }
    expect(known).toEqual([1]);
    expect(reached().map(seqsOf)).toEqual([[0, 1], [2], [3]]);
    expect(await real.storedSeqs(job.id, job.attempt)).toEqual([0, 1, 2, 3]);
  });

  it('stops at LEASE_LOST: tells the job once, sends nothing more, and drain rejects with that code', async () => {
    let lost = 0;
    const { job, relay, reached } = await relayFor({ onLeaseLost: () => lost++ });
    relay.push(metric(0));
    await relay.drain();
    // The attempt ends behind the relay's back (its worker completes it); from now on the API fences it off.
    await real.api.graphql(CompleteJobDocument, {
      input: { job, outcome: 'FAILED', reason: 'invalid_spec', message: 'ended by the test' },
    });
    relay.push(metric(1));
    const refused = await relay.drain().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('LEASE_LOST');
    expect(lost).toBe(1);
    relay.push(metric(2));
    await expect(relay.drain()).rejects.toBe(refused);
    expect(lost).toBe(1);
    expect(reached().map(seqsOf)).toEqual([[0], [1]]);
    expect(await real.storedSeqs(job.id, job.attempt)).toEqual([0]);
  });
});
