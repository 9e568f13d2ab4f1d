import { describe, expect, it } from 'vitest';
import { resumeAfterStep, seriesLabel, systemCharts } from './metric-charts';

describe('resumeAfterStep', () => {
  it('picks up one step before the oldest newest step', () => {
    expect(resumeAfterStep([{ lastStep: 120 }, { lastStep: 100 }, { lastStep: null }])).toBe(99);
  });

  it('is null before anything is stored', () => {
    expect(resumeAfterStep([{ lastStep: null }])).toBeNull();
    expect(resumeAfterStep([])).toBeNull();
  });
});

describe('systemCharts', () => {
  it('groups per-GPU keys by metric in GPU order and drops empty charts', () => {
    const keys = ['gpu10.utilization', 'gpu2.utilization', 'gpu2.memory_used_mb', 'cpu.percent', 'disk.used_gb'];
    expect(systemCharts(keys)).toEqual([
      { id: 'gpuUtilization', keys: ['gpu2.utilization', 'gpu10.utilization'] },
      { id: 'gpuMemory', keys: ['gpu2.memory_used_mb'] },
      { id: 'cpu', keys: ['cpu.percent'] },
    ]);
  });

  it('has nothing for a run without system metrics', () => {
    expect(systemCharts([])).toEqual([]);
  });
});

describe('seriesLabel', () => {
  it('names GPUs by index', () => {
    expect(seriesLabel('gpu3.utilization')).toBe('GPU 3');
    expect(seriesLabel('loss')).toBe('loss');
  });
});
