import { describe, expect, it } from 'vitest';
import { formatDuration, secondsBetween } from './duration';

const t = (key: string, options?: { values: Record<string, number> }) => `${key} ${JSON.stringify(options?.values)}`;

describe('formatDuration', () => {
  it('uses the two largest units', () => {
    expect(formatDuration(90061, t)).toBe('runs.duration.days {"days":1,"hours":1}');
    expect(formatDuration(3725, t)).toBe('runs.duration.hours {"hours":1,"minutes":2}');
    expect(formatDuration(125, t)).toBe('runs.duration.minutes {"minutes":2,"seconds":5}');
    expect(formatDuration(7.4, t)).toBe('runs.duration.seconds {"seconds":7}');
  });
});

describe('secondsBetween', () => {
  it('measures to the end, or to now while it goes on', () => {
    expect(secondsBetween('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 0)).toBe(60);
    expect(secondsBetween('2026-01-01T00:00:00Z', null, Date.parse('2026-01-01T00:00:10Z'))).toBe(10);
    expect(secondsBetween(null, null, 0)).toBeNull();
  });
});
