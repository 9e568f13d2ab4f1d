type Translate = (key: string, options?: { values: Record<string, number> }) => string;

/**
 * 3725 s → "1 h 2 min" via `runs.duration.*`: the two largest units, seconds only under a
 * minute (a tiny demo run takes seconds, a real one days).
 */
export function formatDuration(seconds: number, t: Translate): string {
  const total = Math.max(0, Math.round(seconds));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (days) return t('runs.duration.days', { values: { days, hours } });
  if (hours) return t('runs.duration.hours', { values: { hours, minutes } });
  if (minutes) return t('runs.duration.minutes', { values: { minutes, seconds: total % 60 } });
  return t('runs.duration.seconds', { values: { seconds: total } });
}

/** Seconds between two ISO times (the second one defaulting to `now`), or null. */
export function secondsBetween(from: string | null | undefined, to: string | null | undefined, now: number) {
  if (!from) return null;
  const start = Date.parse(from);
  const end = to ? Date.parse(to) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, (end - start) / 1000);
}
