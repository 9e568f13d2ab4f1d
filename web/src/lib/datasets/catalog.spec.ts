import { describe, expect, it } from 'vitest';
import en from '../i18n/en.json';
import {
  FILE_FORMATS,
  SCHEMA_KINDS,
  TEXT_ENCODINGS,
  encodingKey,
  guessColumns,
  kindEnum,
  missingFields,
  readMapping,
} from './catalog';
import { OP_NAMES } from './pipeline';

describe('readMapping', () => {
  it('reads the API mapping JSON and drops what is not a column name', () => {
    expect(readMapping({ kind: 'alpaca', columns: { instruction: 'q', output: 'a', input: 3 } })).toEqual({
      kind: 'alpaca',
      columns: { instruction: 'q', output: 'a' },
    });
    expect(readMapping({ kind: 'nope', columns: {} })).toBeNull();
    expect(readMapping(null)).toBeNull();
  });
});

describe('guessColumns', () => {
  it('maps fields to same-named columns and keeps earlier choices that still exist', () => {
    expect(guessColumns('prompt_completion', ['Prompt', 'answer', 'sys'], { completion: 'answer' })).toEqual({
      prompt: 'Prompt',
      completion: 'answer',
    });
  });

  it('reports required fields left unmapped', () => {
    expect(missingFields('preference', { prompt: 'p', chosen: 'c' })).toEqual(['rejected']);
  });

  it('maps multiple-choice letter columns and asks for the choices when neither a list nor A and B are mapped', () => {
    expect(guessColumns('multiple_choice', ['Question', 'A', 'B', 'C', 'D', 'Answer'])).toEqual({
      question: 'Question',
      answer: 'Answer',
      A: 'A',
      B: 'B',
      C: 'C',
      D: 'D',
    });
    expect(missingFields('multiple_choice', { question: 'q', answer: 'a', A: 'A' })).toEqual(['choices']);
    expect(missingFields('multiple_choice', { question: 'q', answer: 'a', choices: 'options' })).toEqual([]);
  });
});

describe('enum names', () => {
  it('converts between the JSON and the GraphQL spellings', () => {
    expect(kindEnum('prompt_completion')).toBe('PROMPT_COMPLETION');
    expect(encodingKey('utf-16le')).toBe('UTF16LE');
    expect(encodingKey('gb18030')).toBe('GB18030');
  });

  it('has a label for every kind, format, encoding and pipeline op', () => {
    for (const kind of SCHEMA_KINDS) expect(en.schemaKinds[kind]).toBeTruthy();
    for (const format of FILE_FORMATS) expect(en.fileFormats[format]).toBeTruthy();
    for (const encoding of TEXT_ENCODINGS) expect(en.encodings[encoding]).toBeTruthy();
    for (const op of OP_NAMES) expect(en.pipeline.ops[op].name).toBeTruthy();
    expect(en.encodings.GB18030).toBe('GBK / GB18030');
  });
});
