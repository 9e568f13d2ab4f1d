import { z } from 'zod';

/** One event of a held attempt, as the worker relays it (workers/trainer/README.md). */
export interface IncomingEvent {
  seq: number;
  time: string;
  event: string;
  data: Record<string, unknown>;
}

const METRIC_KEY = /^[\w./-]{1,100}$/;
/** A metric event: its step, and values that are finite numbers or the explicit marker "NaN". */
const metricData = z.object({
  step: z.number().int().min(0, 'must be 0 or more'),
  values: z
    .record(
      z.string().regex(METRIC_KEY, 'metric keys are 1-100 letters, digits, _ . / -'),
      z.union([
        z.number().finite('must be a finite number (send the string "NaN" for not-a-number)'),
        z.literal('NaN'),
      ]),
    )
    .refine((v) => Object.keys(v).length <= 100, 'at most 100 values per event'),
});

const EVENT_KINDS = [
  'status',
  'log',
  'metric',
  'progress',
  'checkpoint',
  'example',
  'completed',
  'cancelled',
  'failed',
] as const;

/** A batch of events of any job kind: the shapes every kind shares. */
export const eventBatchSchema = z
  .array(
    z.object({
      seq: z.number().int().min(0, 'must be 0 or more'),
      time: z.iso.datetime({ message: 'must be an ISO 8601 time', offset: true }),
      event: z.enum(EVENT_KINDS, { message: `must be ${EVENT_KINDS.slice(0, -1).join(', ')} or failed` }),
      data: z.record(z.string(), z.unknown()),
    }),
  )
  .max(1000, 'at most 1000 events per batch')
  .superRefine((events, check) => {
    events.forEach((e, i) => {
      if (e.event !== 'metric') return;
      const parsed = metricData.safeParse(e.data);
      for (const issue of parsed.error?.issues ?? [])
        check.addIssue({ code: 'custom', path: [i, 'data', ...issue.path], message: issue.message });
    });
  });

export class MetricQuotaError extends Error {}
export class HolderNotFoundError extends Error {}
/** The attempt is not the worker's (any more): the fencing check, made under the holder's row lock. */
export class NotHeldError extends Error {}
