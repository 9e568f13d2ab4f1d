import type { RunEstimateFieldsFragment } from '$lib/graphql/generated/graphql';

export const PARTS = ['weights', 'trainable', 'optimizer', 'activations', 'overhead'] as const;
export type EstimatePart = (typeof PARTS)[number];

/**
 * The peak per GPU split into its parts, each with its share of the total. The API's total adds
 * allocator slack and the CUDA context to the four parts; that remainder is `overhead`.
 */
export function breakdown(estimate: RunEstimateFieldsFragment): { part: EstimatePart; gb: number; percent: number }[] {
  const parts: [EstimatePart, number][] = [
    ['weights', estimate.weightsGb],
    ['trainable', estimate.trainableGb],
    ['optimizer', estimate.optimizerGb],
    ['activations', estimate.activationsGb],
  ];
  const sum = parts.reduce((total, [, gb]) => total + gb, 0);
  parts.push(['overhead', Math.max(0, estimate.totalGb - sum)]);
  const scale = Math.max(estimate.totalGb, sum);
  return parts.map(([part, gb]) => ({ part, gb, percent: scale > 0 ? (gb / scale) * 100 : 0 }));
}

/** Seconds → whole days, hours and minutes (rounded to the minute) for a rough time. */
export function splitDuration(seconds: number): { days: number; hours: number; minutes: number } {
  const minutesTotal = Math.round(Math.max(0, seconds) / 60);
  return {
    days: Math.floor(minutesTotal / 1440),
    hours: Math.floor((minutesTotal % 1440) / 60),
    minutes: minutesTotal % 60,
  };
}
