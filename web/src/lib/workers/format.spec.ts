import { describe, expect, it } from 'vitest';
import { WORKER_NAME, formatMemoryMb, formatRelative, gpuSummary, isOnline, machineLoad, parseGpu } from './format';

describe('gpuSummary', () => {
  it('describes one GPU with its memory in whole GB', () => {
    expect(gpuSummary([{ index: 0, name: 'NVIDIA H200', memoryMb: 143771 }], 'en')).toEqual([
      '1 × NVIDIA H200 (140 GB)',
    ]);
  });

  it('groups identical GPUs, largest group first', () => {
    const gpus = [
      { index: 0, name: 'NVIDIA L4', memoryMb: 23034 },
      { index: 1, name: 'NVIDIA A100-SXM4-80GB', memoryMb: 81920 },
      { index: 2, name: 'NVIDIA A100-SXM4-80GB', memoryMb: 81920 },
    ];
    expect(gpuSummary(gpus, 'en')).toEqual(['2 × NVIDIA A100-SXM4-80GB (80 GB)', '1 × NVIDIA L4 (22 GB)']);
  });

  it('copes with missing fields and no GPUs', () => {
    expect(gpuSummary([{ index: 0 }], 'en', 'Unknown GPU')).toEqual(['1 × Unknown GPU']);
    expect(gpuSummary([], 'en')).toEqual([]);
    expect(parseGpu({ index: '1', name: 7, memoryMb: Number.NaN })).toEqual({ index: null, name: '', memoryMb: null });
  });
});

describe('formatMemoryMb', () => {
  it('shows binary sizes and nothing for unknown', () => {
    expect(formatMemoryMb(65536, 'en')).toBe('64 GB');
    expect(formatMemoryMb(null, 'en')).toBeNull();
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');

  it('picks a unit that fits', () => {
    expect(formatRelative('2025-01-01T11:59:55Z', now, 'en')).toBe('5 seconds ago');
    expect(formatRelative('2025-01-01T11:57:00Z', now, 'en')).toBe('3 minutes ago');
    expect(formatRelative('2024-12-31T12:00:00Z', now, 'en')).toBe('yesterday');
    expect(formatRelative('2025-01-01T11:57:00Z', now, 'zh-CN')).toBe('3分钟前');
  });

  it('gives null for nothing or garbage', () => {
    expect(formatRelative(null, now, 'en')).toBeNull();
    expect(formatRelative('not a date', now, 'en')).toBeNull();
  });
});

describe('WORKER_NAME', () => {
  it.each(['gpu-01', 'a', 'x'.repeat(63)])('accepts %s', (name) => expect(WORKER_NAME.test(name)).toBe(true));
  it.each(['', 'GPU', '-gpu', 'gpu_1', 'x'.repeat(64)])('refuses %s', (name) =>
    expect(WORKER_NAME.test(name)).toBe(false),
  );
});

describe('isOnline', () => {
  const at = Date.parse('2026-01-01T00:00:00Z');
  it('goes offline when the last heartbeat ages past the window, without any event', () => {
    const worker = { online: true, lastHeartbeatAt: '2026-01-01T00:00:00Z' };
    expect(isOnline(worker, at + 10_000)).toBe(true);
    expect(isOnline(worker, at + 31_000)).toBe(false);
  });

  it('trusts the server when it says offline', () => {
    expect(isOnline({ online: false, lastHeartbeatAt: '2026-01-01T00:00:00Z' }, at)).toBe(false);
    expect(isOnline({ online: true, lastHeartbeatAt: null }, at)).toBe(false);
  });
});

describe('machineLoad', () => {
  it('reads the sample and orders GPUs by index', () => {
    const load = machineLoad({
      cpuPercent: 12.5,
      memoryUsedMb: 2048,
      memoryTotalMb: 8192,
      gpus: [
        { index: 1, utilization: 90, memoryUsedMb: 1000, memoryTotalMb: 80000 },
        { index: 0, utilization: 10, memoryUsedMb: null },
        { utilization: 5 },
      ],
    });
    expect(load).toEqual({
      cpuPercent: 12.5,
      memoryUsedMb: 2048,
      memoryTotalMb: 8192,
      gpus: [
        { index: 0, utilization: 10, memoryUsedMb: null, memoryTotalMb: null },
        { index: 1, utilization: 90, memoryUsedMb: 1000, memoryTotalMb: 80000 },
      ],
    });
  });

  it('is null without a sample', () => {
    expect(machineLoad(null)).toBeNull();
  });
});
