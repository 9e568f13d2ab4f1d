/** Progress of a run as the API reports it. */
export interface ProgressLike {
  step: number;
  totalSteps?: number | null;
}

/** 0 to 100, or null when the total is not known yet. */
export function progressPercent(progress: ProgressLike | null | undefined): number | null {
  if (!progress?.totalSteps || progress.totalSteps <= 0) return null;
  return Math.min(100, Math.max(0, (progress.step / progress.totalSteps) * 100));
}

/**
 * Seconds left, from the pace so far: the time since `startedAt` over the steps done since
 * `fromStep` (the checkpoint the current attempt resumed from, 0 for a fresh one). Null until there
 * is a pace to go by (no start, no total, no step done yet) or when the clock is behind the start.
 */
export function etaSeconds(
  progress: ProgressLike | null | undefined,
  startedAt: string | null | undefined,
  now: number,
  fromStep = 0,
): number | null {
  if (!progress?.totalSteps || !startedAt) return null;
  const started = Date.parse(startedAt);
  const done = progress.step - fromStep;
  const elapsed = (now - started) / 1000;
  if (Number.isNaN(started) || done <= 0 || elapsed <= 0) return null;
  const left = Math.max(0, progress.totalSteps - progress.step);
  return Math.round((elapsed / done) * left);
}
