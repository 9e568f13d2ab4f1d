import { formatBytes, formatNumber } from '../format';

/** The server's rule for worker names: 1 to 63 lowercase letters, digits or dashes, not starting with a dash. */
export const WORKER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface GpuInfo {
  index: number | null;
  name: string;
  memoryMb: number | null;
}

/** One GPU as the agent reported it (a JSON object); missing or odd fields become null. */
export function parseGpu(raw: Record<string, unknown>): GpuInfo {
  const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const name = typeof raw.name === 'string' && raw.name.trim() ? raw.name.trim() : '';
  return { index: num(raw.index), name, memoryMb: num(raw.memoryMb) };
}

/**
 * Identical GPUs grouped, largest group first: ["2 × NVIDIA A100 (80 GB)", "1 × NVIDIA H200 (140 GB)"].
 * Memory is in whole GB (binary), as vendors label cards; `unknownName` stands in for a missing name.
 */
export function gpuSummary(gpus: Record<string, unknown>[], locale: string, unknownName = 'GPU'): string[] {
  const groups = new Map<string, { label: string; count: number }>();
  for (const gpu of gpus.map(parseGpu)) {
    const memory = gpu.memoryMb === null ? '' : ` (${formatNumber(Math.round(gpu.memoryMb / 1024), locale)} GB)`;
    const label = `${gpu.name || unknownName}${memory}`;
    const group = groups.get(label) ?? { label, count: 0 };
    group.count++;
    groups.set(label, group);
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
    .map((g) => `${g.count} × ${g.label}`);
}

/** 65536 → "64 GB"; null → null. */
export function formatMemoryMb(memoryMb: number | null | undefined, locale: string): string | null {
  if (memoryMb === null || memoryMb === undefined) return null;
  return formatBytes(memoryMb * 1024 * 1024, locale);
}

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "5 seconds ago", "3 分钟前": how long ago `iso` was, measured from `now` (ms). Null when unknown. */
export function formatRelative(iso: string | null | undefined, now: number, locale: string): string | null {
  if (!iso) return null;
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return null;
  let value = Math.round((then - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return format.format(value, unit);
    value = Math.round(value / size);
  }
  return format.format(value, 'year');
}
