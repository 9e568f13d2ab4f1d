import { describe, expect, it } from 'vitest';
import { readTab, statusTone } from './versions';

describe('readTab', () => {
  it('accepts the known tabs and falls back to the preview', () => {
    expect(readTab('diff')).toBe('diff');
    expect(readTab('nonsense')).toBe('preview');
    expect(readTab(null)).toBe('preview');
  });
});

describe('statusTone', () => {
  it('colours a version by its status', () => {
    expect(statusTone('READY')).toBe('success');
    expect(statusTone('FAILED')).toBe('danger');
    expect(statusTone('PROCESSING')).toBe('warning');
  });
});
