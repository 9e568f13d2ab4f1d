import { describe, expect, it } from 'vitest';
import { WORKER_NAME, formatMemoryMb, formatRelative, gpuSummary, parseGpu } from './format';

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
