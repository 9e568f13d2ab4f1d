import type { Context } from '../../context.js';
import { holderUpdates } from '../job/job-updates.js';
import { Run } from './run.entity.js';

/** The run now, then after every change until it ends (see holderUpdates). */
export function runUpdates(ctx: Context, runId: string): AsyncGenerator<Run> {
  return holderUpdates(
    ctx,
    'RUN_UPDATED',
    runId,
    'run:read',
    (c) => c.services.runs.access(runId),
    (c) => c.em.fork().findOneOrFail(Run, { id: runId }),
  );
}
