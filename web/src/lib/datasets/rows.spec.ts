import { describe, expect, it } from 'vitest';
import { cellText, readSplits, rowShape, splitOf } from './rows';

describe('rowShape', () => {
  it('tells chat, text and preference rows apart', () => {
    expect(rowShape({ messages: [{ role: 'user', content: '你好' }] }).kind).toBe('chat');
    expect(rowShape({ text: 'plain' }).kind).toBe('text');
    const pref = { prompt: [{ role: 'user', content: 'q' }], chosen: [], rejected: [] };
    expect(rowShape(pref).kind).toBe('preference');
    expect(rowShape({ something: 1 }).kind).toBe('other');
    expect(rowShape({ question: '一加一？', choices: ['一', '二'], answer: 1, subject: '数学' })).toEqual({
      kind: 'choice',
      question: '一加一？',
      choices: ['一', '二'],
      answer: 1,
      subject: '数学',
    });
  });

  it('shows non-text content as JSON instead of failing', () => {
    const shape = rowShape({ messages: [{ role: 'user', content: [{ type: 'text' }] }] });
    expect(shape.kind === 'chat' && shape.messages[0]?.content).toBe('[{"type":"text"}]');
  });
});

describe('splits', () => {
  it('places a row index in train, validation or test', () => {
    const splits = readSplits({ train: 8, validation: 1, test: 1 });
    expect([0, 7, 8, 9].map((i) => splitOf(i, splits))).toEqual(['train', 'train', 'validation', 'test']);
    expect(splitOf(3, readSplits(null))).toBeNull();
  });
});

describe('cellText', () => {
  it('shortens long values and writes objects as JSON', () => {
    expect(cellText('x'.repeat(10), 4)).toBe('xxxx…');
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(cellText(undefined)).toBe('');
  });
});
