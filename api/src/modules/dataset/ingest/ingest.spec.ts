import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { fsStorage } from '../../../storage/storage.js';
import { detect, ingest, type IngestLimits } from './ingest.js';

const dir = mkdtempSync(join(tmpdir(), 'llmt-ingest-'));
const store = fsStorage(join(dir, 'store')).rows;
const limits: IngestLimits = {
  maxDecompressedBytes: 50 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxJsonBytes: 10 * 1024 * 1024,
  maxRecordChars: 20 * 1024 * 1024,
  maxRowChars: 100_000,
};
let n = 0;
function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
}
const run = (name: string, content: string | Buffer, extra: Partial<Parameters<typeof ingest>[1]> = {}) =>
  ingest(store, { path: file(name, content), filename: name, excludeInvalid: false, limits, ...extra });

const sharegpt = (q: string, a: string) =>
  JSON.stringify({
    conversations: [
      { from: 'human', value: q },
      { from: 'gpt', value: a },
    ],
  });

describe('formats and schemas', () => {
  it('reads ShareGPT JSONL into chat rows', async () => {
    const result = await run(
      'chat.jsonl',
      [sharegpt('你好', '你好！有什么可以帮你？'), sharegpt('Hi', 'Hello!')].join('\n'),
    );
    expect(result.detected).toMatchObject({ format: 'jsonl', encoding: 'utf-8', mapping: { kind: 'sharegpt' } });
    expect(result.rows).toBe(2);
    expect(await store.read(result.hash, 0, 1)).toEqual([
      {
        messages: [
          { role: 'user', content: '你好' },
          { role: 'assistant', content: '你好！有什么可以帮你？' },
        ],
      },
    ]);
    expect(result.stats.languages).toEqual({ zh: 1, en: 1, other: 0 });
  });

  it('counts turns per conversation in a bar per count: two-turn rows in the bar labelled 2', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => sharegpt(`问题 ${i}`, `回答 ${i}`));
    const result = await run('turns.jsonl', rows.join('\n'));
    const turns = result.stats.turns!;
    expect(turns.edges[turns.counts.findIndex((c) => c > 0)]).toBe(2);
    expect(turns.counts[turns.edges.indexOf(2)]).toBe(40);
    expect(turns.counts.reduce((a, b) => a + b, 0)).toBe(40);
  });

  it('reads a GBK CSV with Chinese text correctly', async () => {
    const csv = 'instruction,input,output\n把这句话翻译成英文,今天天气很好,The weather is nice today.\n';
    const result = await run('gbk.csv', iconv.encode(csv, 'gbk'));
    expect(result.detected.encoding).toBe('gb18030');
    expect(result.detected.mapping).toEqual({
      kind: 'alpaca',
      columns: { instruction: 'instruction', output: 'output', input: 'input' },
    });
    const [row] = (await store.read(result.hash, 0, 1)) as { messages: { content: string }[] }[];
    expect(row.messages[0].content).toBe('把这句话翻译成英文\n\n今天天气很好');
  });

  it('reads a CSV with a BOM and quoted newlines', async () => {
    const csv = '\ufeffprompt,completion\n"line one\nline two","answer, with comma"\n';
    const result = await run('bom.csv', csv);
    expect(result.detected.mapping!.kind).toBe('prompt_completion');
    expect(await store.read(result.hash, 0, 1)).toEqual([
      {
        messages: [
          { role: 'user', content: 'line one\nline two' },
          { role: 'assistant', content: 'answer, with comma' },
        ],
      },
    ]);
  });

  it('reads UTF-16 LE with a BOM, TSV, JSON object of arrays and gzip', async () => {
    const tsv = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('text\n第一行\nsecond\n', 'utf16le')]);
    const a = await run('utf16.tsv', tsv);
    expect([a.detected.encoding, a.rows]).toEqual(['utf-16le', 2]);
    const json = JSON.stringify({
      train: [
        {
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'a' },
          ],
        },
      ],
      test: [
        {
          messages: [
            { role: 'user', content: 'q2' },
            { role: 'assistant', content: 'a2' },
          ],
        },
      ],
    });
    expect((await run('splits.json', json)).rows).toBe(2);
    const gz = await run('chat.jsonl.gz', gzipSync(sharegpt('q', 'a')));
    expect([gz.detected.compressed, gz.rows]).toEqual([true, 1]);
  });

  it('reads preference pairs for DPO and plain text for pre-training', async () => {
    const pref = await run('pref.jsonl', JSON.stringify({ prompt: 'Which is better?', chosen: 'A', rejected: 'B' }));
    expect(await store.read(pref.hash, 0, 1)).toEqual([
      {
        prompt: [{ role: 'user', content: 'Which is better?' }],
        chosen: [{ role: 'assistant', content: 'A' }],
        rejected: [{ role: 'assistant', content: 'B' }],
      },
    ]);
    const txt = await run('corpus.txt', 'first document line\nsecond line\n', { textMode: 'document' });
    expect(await store.read(txt.hash, 0, 1)).toEqual([{ text: 'first document line\nsecond line\n' }]);
  });

  it('keeps tool calls and reasoning_content', async () => {
    const row = {
      messages: [
        { role: 'user', content: '2+2?' },
        { role: 'assistant', content: '4', reasoning_content: '2 加 2 等于 4' },
      ],
    };
    const result = await run('reasoning.jsonl', JSON.stringify(row));
    expect(await store.read(result.hash, 0, 1)).toEqual([row]);
  });

  it('reads Parquet, flagging columns of unexpected types by row', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'prompt', data: ['q1', 'q2'], type: 'STRING' },
        { name: 'completion', data: [1, 2], type: 'INT32' },
      ],
    });
    const result = await run('typed.parquet', Buffer.from(buffer));
    expect(result.detected.format).toBe('parquet');
    expect(result.validation.unresolved).toBe(2);
    expect(result.validation.problems[0]).toMatchObject({ code: 'NON_STRING_CONTENT', count: 2 });
    expect(result.validation.problems[0].examples[0].message).toBe('completion is a number, not text');
  });

  it('gives the same hash for the same content, whatever the source format', async () => {
    const a = await run('a.jsonl', JSON.stringify({ prompt: 'p', completion: 'c' }));
    const b = await run('b.csv', 'prompt,completion\np,c\n');
    expect(a.hash).toBe(b.hash);
  });
});

describe('validation accounts for every row', () => {
  it('reports a malformed JSON line with its number and keeps the other rows', async () => {
    const result = await run(
      'broken.jsonl',
      [sharegpt('a', 'b'), '{"conversations": [', sharegpt('c', 'd')].join('\n'),
    );
    expect(result.rows).toBe(2);
    expect(result.validation).toMatchObject({ sourceRecords: 3, validRows: 2, invalidRows: 1, unresolved: 1 });
    expect(result.validation.problems[0].code).toBe('PARSE_ERROR');
    expect(result.validation.problems[0].examples[0].line).toBe(2);
  });

  it('flags empty assistant turns, bad role order, duplicates and over-long rows', async () => {
    const rows = [
      {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: '  ' },
        ],
      },
      {
        messages: [
          { role: 'assistant', content: 'a' },
          { role: 'user', content: 'q' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'same' },
          { role: 'assistant', content: 'same' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'same' },
          { role: 'assistant', content: 'same' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'x'.repeat(100_001) },
          { role: 'assistant', content: 'y' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 42 },
          { role: 'assistant', content: 'y' },
        ],
      },
    ];
    const result = await run('problems.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    const codes = Object.fromEntries(result.validation.problems.map((p) => [p.code, p.count]));
    expect(codes).toEqual({ EMPTY_ASSISTANT: 1, BAD_ROLE_ORDER: 2, DUPLICATE: 1, TOO_LONG: 1, NON_STRING_CONTENT: 1 });
    expect(result.validation.validRows).toBe(1);
    expect(result.stats.exactDuplicates).toBe(1);
  });

  it('excludes invalid rows when asked, and records how many', async () => {
    const content = [sharegpt('a', 'b'), sharegpt('c', ''), 'not json'].join('\n');
    const result = await run('exclude.jsonl', content, { excludeInvalid: true });
    expect(result.rows).toBe(1);
    expect(result.validation).toMatchObject({ excludedRows: 2, unresolved: 0 });
  });
});

describe('bad files', () => {
  it('refuses an empty file', async () => {
    await expect(run('empty.jsonl', '')).rejects.toThrow(/empty/);
  });

  it('refuses a truncated gzip file clearly', async () => {
    const gz = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, i) => sharegpt(`q${i}`, `a${i}`)).join('\n')));
    await expect(run('cut.jsonl.gz', gz.subarray(0, gz.length - 40))).rejects.toThrow(/truncated or corrupt/);
  });

  it('stops a gzip bomb by its expansion ratio, storing nothing', async () => {
    const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 'a'));
    await expect(run('bomb.txt.gz', bomb)).rejects.toThrow(/gzip bomb/);
  });

  it('refuses binary data whatever the file is called', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
      Buffer.alloc(200),
    ]);
    await expect(run('data.jsonl', png)).rejects.toThrow(/binary/);
  });

  it('reads a 10 MB single line', async () => {
    const long = JSON.stringify({ text: '长'.repeat((10 * 1024 * 1024) / 3) });
    const result = await run('long.jsonl', long);
    expect(result.rows).toBe(1);
    expect(result.validation.problems.map((p) => p.code)).toEqual(['TOO_LONG']);
  });

  it('asks for a mapping when no known schema fits', async () => {
    await expect(run('odd.jsonl', JSON.stringify({ foo: 1 }))).rejects.toThrow(/mapping/);
    const d = await detect({
      path: file('odd2.jsonl', JSON.stringify({ q: 'a', a: 'b' })),
      filename: 'odd2.jsonl',
      limits,
    });
    expect(d.columns).toEqual(['q', 'a']);
    const mapped = await run('odd3.jsonl', JSON.stringify({ q: 'a', a: 'b' }), {
      mapping: { kind: 'prompt_completion', columns: { prompt: 'q', completion: 'a' } },
    });
    expect(mapped.rows).toBe(1);
  });
});

describe('multiple choice (C-Eval / CMMLU)', () => {
  const ceval = (question: string, choices: string[], answer: string, subject?: string) =>
    JSON.stringify({
      id: 0,
      question,
      ...Object.fromEntries(choices.map((c, i) => ['ABCD'[i], c])),
      answer,
      ...(subject ? { subject } : {}),
    });

  it('detects C-Eval rows (question, A–D, answer letter, subject) and stores one shape with a 0-based answer', async () => {
    const result = await run(
      'ceval.jsonl',
      [
        ceval('光在真空中的速度约为多少？', ['3×10^8 m/s', '3×10^5 m/s', '340 m/s', '1500 m/s'], 'A', '物理'),
        ceval('秦朝的开国皇帝是谁？', ['刘邦', '秦始皇', '项羽', '汉武帝'], 'B', '历史'),
        ceval('水的化学式是什么？', ['CO2', 'O2', 'H2O', 'NaCl'], 'C', '物理'),
      ].join('\n'),
    );
    expect(result.detected.mapping).toEqual({
      kind: 'multiple_choice',
      columns: { question: 'question', answer: 'answer', subject: 'subject', A: 'A', B: 'B', C: 'C', D: 'D' },
    });
    expect(result.validation).toMatchObject({ validRows: 3, unresolved: 0 });
    expect(await store.read(result.hash, 1, 1)).toEqual([
      { question: '秦朝的开国皇帝是谁？', choices: ['刘邦', '秦始皇', '项羽', '汉武帝'], answer: 1, subject: '历史' },
    ]);
    expect(result.stats).toMatchObject({ rows: 3, turns: null, subjects: { 物理: 2, 历史: 1 } });
    expect(result.stats.languages.zh).toBe(3);
  });

  it('reads a CMMLU CSV (Question, A–D, Answer headers) without a subject column', async () => {
    // A shorter row leaves its last letters blank: they are not choices.
    const csv =
      ',Question,A,B,C,D,Answer\n0,"下列哪个是质数？",4,6,7,9,C\n1,一天有多少小时？,12,24,36,48,b\n2,地球是圆的吗？,是,否,,,A\n';
    const result = await run('cmmlu.csv', csv);
    expect(result.detected.mapping!.kind).toBe('multiple_choice');
    expect(await store.read(result.hash, 0, 3)).toEqual([
      { question: '下列哪个是质数？', choices: ['4', '6', '7', '9'], answer: 2 },
      { question: '一天有多少小时？', choices: ['12', '24', '36', '48'], answer: 1 },
      { question: '地球是圆的吗？', choices: ['是', '否'], answer: 0 },
    ]);
    expect(result.stats.subjects).toEqual({});
  });

  it('reads a choices list with the answer as a 0-based index, a choice’s text or a full-width letter', async () => {
    const rows = [
      { question: 'Which is a fruit?', choices: ['carrot', 'apple', 'leek'], answer: 1 },
      { question: '哪个是颜色？', choices: ['红色', '桌子', '跑步'], answer: '红色' },
      { question: '二加二等于几？', choices: ['三', '四', '五', '六'], answer: 'Ｂ' },
      // An index as text (a Parquet or CSV export of a version); digits that are a choice's text are that choice.
      { question: '哪个最大？', choices: ['1', '9', '3'], answer: '2' },
      { question: '哪个是偶数？', choices: ['2', '3', '1'], answer: '2' },
    ];
    const result = await run('choices.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    expect(result.detected.mapping).toEqual({
      kind: 'multiple_choice',
      columns: { question: 'question', choices: 'choices', answer: 'answer' },
    });
    expect((await store.read(result.hash, 0, 5)).map((r) => (r as { answer: number }).answer)).toEqual([1, 0, 1, 2, 0]);
    expect(result.validation.unresolved).toBe(0);
  });

  it('counts subjects alike when a large file is mapped on two threads', async () => {
    const subjects = ['物理', '化学', null];
    const rows = Array.from({ length: 90_000 }, (_, i) =>
      JSON.stringify({
        question: `第 ${i} 题：下列哪一项是正确的？${'题干'.repeat(20)}`,
        choices: [`选项甲 ${i}`, `选项乙 ${i}`, `选项丙 ${i}`, `选项丁 ${i}`],
        answer: 'ABCD'[i % 4],
        ...(subjects[i % 3] ? { subject: subjects[i % 3] } : {}),
      }),
    );
    const content = rows.join('\n');
    expect(Buffer.byteLength(content)).toBeGreaterThan(16 * 1024 * 1024); // ingest.ts: PARALLEL_MIN_BYTES
    const result = await run('large-mc.jsonl', content);
    expect(result.rows).toBe(90_000);
    expect(result.stats.subjects).toEqual({ 物理: 30_000, 化学: 30_000 });
    expect(await store.read(result.hash, 89_999, 1)).toEqual([
      {
        question: expect.stringMatching(/^第 89999 题/),
        choices: ['选项甲 89999', '选项乙 89999', '选项丙 89999', '选项丁 89999'],
        answer: 3,
      },
    ]);
  });

  it('still reads question/answer rows without choices as prompt and completion', async () => {
    const result = await run('qa.jsonl', JSON.stringify({ question: '你好吗？', answer: '很好。' }));
    expect(result.detected.mapping!.kind).toBe('prompt_completion');
  });

  it('reports each bad row by line: answer not a choice, empty, duplicate or too few choices, missing question', async () => {
    const rows = [
      { question: '好的一行', choices: ['甲', '乙', '丙', '丁'], answer: 'A', subject: '语文' },
      { question: '答案不在选项里', choices: ['甲', '乙', '丙', '丁'], answer: 'E' },
      { question: '重复的选项', choices: ['北京', '上海', ' 北京 ', '广州'], answer: 'B' },
      { question: '空选项', choices: ['甲', '  ', '丙'], answer: 0 },
      { question: '只有一个选项', choices: ['甲'], answer: 'A' },
      { choices: ['甲', '乙'], answer: 'A' },
      { question: '   ', choices: ['甲', '乙'], answer: 'A' },
      { question: '下标越界', choices: ['甲', '乙'], answer: 2 },
      { question: '答案文字不在选项里', choices: ['甲', '乙'], answer: '丙' },
    ];
    const result = await run('bad-mc.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    expect(result.detected.mapping!.kind).toBe('multiple_choice');
    const problems = Object.fromEntries(
      result.validation.problems.map((p) => [p.code, p.examples.map((e) => `${e.line}: ${e.message}`)]),
    );
    expect(problems).toEqual({
      BAD_ANSWER: [
        '2: answer "E" is not among the choices A–D',
        '8: answer 2 is not among the choices (0-based indexes 0–1)',
        '9: answer "丙" is not among the choices A–B',
      ],
      BAD_CHOICES: [
        '3: choices A and C are the same ("北京")',
        '4: choice B is empty',
        '5: needs at least two choices; this row has 1',
      ],
      MISSING_FIELD: ['6: missing question (column "question")'],
      EMPTY_TEXT: ['7: question is empty'],
    });
    expect(result.validation).toMatchObject({ sourceRecords: 9, validRows: 1, invalidRows: 8, unresolved: 8 });
    // Rows whose answer cannot be read are not stored; the others are, flagged, to be fixed or dropped.
    expect(result.rows).toBe(5);
  });

  it('drops the flagged rows when asked, leaving a set the evaluator reads as is', async () => {
    const rows = [
      { question: 'q1', choices: ['a', 'b'], answer: 'B' },
      { question: 'q2', choices: ['a', 'a'], answer: 'A' },
      { question: 'q3', choices: ['a', 'b'], answer: 'Z' },
    ];
    const result = await run('drop-mc.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'), {
      excludeInvalid: true,
    });
    expect(result.rows).toBe(1);
    expect(result.validation).toMatchObject({ excludedRows: 2, unresolved: 0 });
    expect(await store.read(result.hash, 0, 1)).toEqual([{ question: 'q1', choices: ['a', 'b'], answer: 1 }]);
  });
});
