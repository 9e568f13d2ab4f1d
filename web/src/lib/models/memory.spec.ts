import { describe, expect, it } from 'vitest';
import { BYTES_PER_PARAM, approxMemoryGb, roundGb } from './memory';

const GIB = 1024 ** 3;

describe('approxMemoryGb', () => {
  it('counts 2 bytes per parameter for LoRA (bf16 weights)', () => {
    expect(approxMemoryGb(8.2, 'LORA')).toBeCloseTo((8.2e9 * 2) / GIB, 6);
    expect(roundGb(approxMemoryGb(8.2, 'LORA'))).toBe(15);
  });

  it('counts 0.55 bytes per parameter for 4-bit QLoRA', () => {
    expect(approxMemoryGb(7.61, 'QLORA')).toBeCloseTo((7.61e9 * 0.55) / GIB, 6);
    expect(roundGb(approxMemoryGb(7.61, 'QLORA'))).toBe(3.9);
  });

  it('adds gradients and AdamW states for a full fine-tune: 2 + 2 + 8 bytes', () => {
    expect(BYTES_PER_PARAM.FULL).toBe(12);
    expect(roundGb(approxMemoryGb(0.6, 'FULL'))).toBe(6.7);
    expect(approxMemoryGb(30.5, 'FULL') / approxMemoryGb(30.5, 'LORA')).toBeCloseTo(6, 6);
  });
});

describe('roundGb', () => {
  it('keeps one decimal below 10 GB and whole numbers above', () => {
    expect(roundGb(0.26)).toBe(0.3);
    expect(roundGb(9.94)).toBe(9.9);
    expect(roundGb(10.4)).toBe(10);
    expect(roundGb(127.6)).toBe(128);
  });
});
