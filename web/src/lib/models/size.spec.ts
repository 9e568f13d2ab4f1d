import { describe, expect, it } from 'vitest';
import { approxMemoryGb } from './memory';
import { memoryAmount, paramsMessage } from './size';

describe('model sizes', () => {
  it('gives a tiny model its size in millions of parameters and megabytes, not "0 B" and "≈ 0 GB"', () => {
    expect(paramsMessage(0.0001, 'en')).toEqual({ key: 'models.sizeM', values: { size: '0.1' } });
    expect(memoryAmount(approxMemoryGb(0.0001, 'LORA'), 'en')).toEqual({ key: 'models.mb', values: { mb: '0.2' } });
  });

  it('keeps billions and gigabytes for real models', () => {
    expect(paramsMessage(8.19, 'en')).toEqual({ key: 'models.sizeB', values: { size: '8.19' } });
    expect(memoryAmount(15.3, 'en')).toEqual({ key: 'models.gb', values: { gb: '15' } });
    expect(memoryAmount(3.94, 'en')).toEqual({ key: 'models.gb', values: { gb: '3.9' } });
  });
});
