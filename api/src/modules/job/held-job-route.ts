import type { Request } from 'express';
import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { routeContext } from '../../http/route-context.js';
import type { AppServices } from '../../services.js';
import type { JobHolder, JobKind } from './job-kind.js';

/** The attempt a worker's file request is fenced by: `x-job-attempt` (`x-run-attempt` for runs, as before). */
function attemptOf(req: Request) {
  const attempt = Number(req.get('x-job-attempt') ?? req.get('x-run-attempt'));
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new AppError('BAD_USER_INPUT', 'x-job-attempt: header must be the attempt number claimJob returned');
  return attempt;
}

/**
 * For a worker's binary endpoint (`/worker/<kind>/:id/…`): the holder of the job the request names,
 * if the calling worker holds that attempt (LEASE_LOST otherwise), as the GraphQL operations fence.
 */
export async function heldJob<H extends JobHolder>(
  app: AppServices,
  req: Request,
  kind: JobKind,
): Promise<{ ctx: Context; holder: H }> {
  const ctx = await routeContext(app, req, 'worker:run');
  const job = { kind, id: String(req.params.id), attempt: attemptOf(req) };
  return { ctx, holder: (await ctx.services.jobWorker.held(job)).holder as H };
}
