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

/** The server's "online" window: a heartbeat within this long. */
export const ONLINE_WINDOW_MS = 30_000;

/**
 * Online as of `now`: live updates arrive with heartbeats, so a worker that stops sending them
 * sends nothing more; its last heartbeat ageing past the window is what marks it offline.
 */
export function isOnline(worker: { online: boolean; lastHeartbeatAt?: string | null }, now: number): boolean {
  if (!worker.online || !worker.lastHeartbeatAt) return false;
  const at = Date.parse(worker.lastHeartbeatAt);
  return !Number.isNaN(at) && now - at < ONLINE_WINDOW_MS;
}

export interface GpuLoad {
  index: number;
  utilization: number;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
}

export interface MachineLoad {
  cpuPercent: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  gpus: GpuLoad[];
}

/** The agent's latest sample (Worker.system) in a shape to show; null when there is none. */
export function machineLoad(system: Record<string, unknown> | null | undefined): MachineLoad | null {
  if (!system) return null;
  const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const gpus = Array.isArray(system.gpus) ? (system.gpus as Record<string, unknown>[]) : [];
  return {
    cpuPercent: num(system.cpuPercent),
    memoryUsedMb: num(system.memoryUsedMb),
    memoryTotalMb: num(system.memoryTotalMb),
    gpus: gpus
      .filter((g) => g && num(g.index) !== null && num(g.utilization) !== null)
      .map((g) => ({
        index: num(g.index)!,
        utilization: num(g.utilization)!,
        memoryUsedMb: num(g.memoryUsedMb),
        memoryTotalMb: num(g.memoryTotalMb),
      }))
      .sort((a, b) => a.index - b.index),
  };
}
