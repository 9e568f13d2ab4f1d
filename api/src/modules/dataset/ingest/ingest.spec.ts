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
