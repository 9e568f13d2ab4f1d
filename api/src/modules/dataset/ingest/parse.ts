import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { AppError } from '../../../errors.js';
import { jsonRowElements } from './json-stream.js';

/** File formats we read. `txt` rows are lines (or the whole file for continued pre-training). */
export const FILE_FORMATS = ['jsonl', 'json', 'csv', 'tsv', 'parquet', 'txt'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** One source record: its 1-based row (or line) number, the value, or why it could not be read. */
export interface SourceRecord {
  line: number;
  value?: Record<string, unknown>;
  error?: string;
}

export interface ParseOptions {
  format: FileFormat;
  /** txt only: one row per line (default) or the whole file as one row. */
  textMode?: 'lines' | 'document';
  /** Longest JSON document (non-JSONL), in characters; JSON is read as a stream, a row at a time. */
  maxJsonBytes: number;
  /** Longest single line/row accepted, in characters. */
  maxRecordChars: number;
  /** The text is only the start of the file (detection): an unfinished last record is not an error. */
  partial?: boolean;
}

/** Guesses the format from the file name and the first decoded characters. */
export function detectFormat(filename: string, headText: string, parquetMagic: boolean): FileFormat {
  if (parquetMagic) return 'parquet';
  const ext = filename.toLowerCase().replace(/\.gz$/, '').split('.').pop() ?? '';
  if ((FILE_FORMATS as readonly string[]).includes(ext)) {
    if (ext === 'json' && /^\s*\{[^\n]*\}\s*\n\s*\{/.test(headText)) return 'jsonl';
    return ext as FileFormat;
  }
  if (ext === 'ndjson') return 'jsonl';
  const trimmed = headText.trimStart();
  if (trimmed.startsWith('[')) return 'json';
  if (trimmed.startsWith('{')) return /^\{[^\n]*\}\s*(\n|$)/.test(trimmed) ? 'jsonl' : 'json';
  const firstLine = trimmed.split('\n', 1)[0];
  if (firstLine.split('\t').length > 1) return 'tsv';
  if (firstLine.split(',').length > 1 && /^[\w" ,-]+$/.test(firstLine)) return 'csv';
  return 'txt';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits text at `\n`, `\r\n` and lone `\r`, as readline does; the last piece is what follows the last break. */
export const splitLines = (s: string): string[] => (s.includes('\r') ? s.split(/\r\n|\r|\n/) : s.split('\n'));

/** One JSONL line as a record (null for a blank line). */
export function parseJsonLine(raw: string, line: number, maxChars: number): SourceRecord | null {
  const s = raw.trim();
  if (!s) return null;
  if (s.length > maxChars) return { line, error: `line is ${s.length} characters; the limit is ${maxChars}` };
  try {
    const value: unknown = JSON.parse(s);
    return isObject(value) ? { line, value } : { line, error: 'expected a JSON object on this line' };
  } catch (e) {
    return { line, error: `invalid JSON: ${(e as Error).message}` };
  }
}

/**
 * Splits decoded text into lines as readline does (`\n`, `\r\n` and a lone `\r` each end a line,
 * also across chunks), a chunk's worth at a time: one await per chunk instead of one per line. A line
 * longer than `maxChars` is not kept: its length (a number) stands in for it.
 */
async function* lineBatches(text: Readable, maxChars: number): AsyncGenerator<(string | number)[]> {
  let rest = '';
  let skipped = -1; // characters so far of an over-long line being skipped; -1: none
  const decoder = new StringDecoder('utf8');
  for await (const chunk of text as AsyncIterable<string | Buffer>) {
    let part = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const out: (string | number)[] = [];
    if (skipped >= 0) {
      const end = part.search(/[\r\n]/);
      if (end < 0) {
        skipped += part.length;
        continue;
      }
      out.push(skipped + end);
      skipped = -1;
      part = part.slice(part.startsWith('\r\n', end) ? end + 2 : end + 1);
    }
    let s = rest ? rest + part : part;
    // A `\r` at the end may be the first half of `\r\n`: decide when the next chunk comes.
    const held = s.endsWith('\r');
    if (held) s = s.slice(0, -1);
    const lines = splitLines(s);
    rest = lines.pop()! + (held ? '\r' : '');
    for (const line of lines) out.push(line.length > maxChars ? line.length : line);
    if (rest.length > maxChars) {
      skipped = rest.length;
      rest = '';
    }
    if (out.length) yield out;
  }
  if (skipped >= 0) yield [skipped];
  else if (rest) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

const tooLong = (length: number, maxChars: number) => `line is ${length} characters; the limit is ${maxChars}`;

async function* jsonLines(text: Readable, maxChars: number): AsyncGenerator<SourceRecord[]> {
  let line = 0;
  for await (const raws of lineBatches(text, maxChars)) {
    const batch: SourceRecord[] = [];
    for (const raw of raws) {
      if (typeof raw === 'number') {
        batch.push({ line: ++line, error: tooLong(raw, maxChars) });
        continue;
      }
      const record = parseJsonLine(raw, ++line, maxChars);
      if (record) batch.push(record);
    }
    if (batch.length) yield batch;
  }
}

/** The rows of a JSON document, parsed one element at a time as the text streams in (json-stream.ts). */
async function* jsonDocument(text: Readable, options: ParseOptions): AsyncGenerator<SourceRecord[]> {
  let chars = 0;
  const { maxJsonBytes, maxRecordChars } = options;
  async function* counted() {
    for await (const chunk of text as AsyncIterable<string>) {
      chars += chunk.length;
      if (chars > maxJsonBytes) {
        throw new AppError(
          'BAD_USER_INPUT',
          `file: a JSON document over ${maxJsonBytes} characters must be uploaded as JSONL (one row per line)`,
        );
      }
      yield chunk;
    }
  }
  let line = 0;
  for await (const elements of jsonRowElements(counted(), maxRecordChars, options.partial)) {
    const batch: SourceRecord[] = [];
    for (const element of elements) {
      line++;
      if ('tooLong' in element) {
        batch.push({ line, error: `row is ${element.tooLong} characters; the limit is ${maxRecordChars}` });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(element.text);
      } catch (e) {
        batch.push({ line, error: `invalid JSON: ${(e as Error).message}` });
        continue;
      }
      batch.push(isObject(value) ? { line, value } : { line, error: 'expected an object' });
    }
    if (batch.length) yield batch;
  }
}

async function* delimited(text: Readable, delimiter: string, maxChars: number): AsyncGenerator<SourceRecord> {
  const skipped: SourceRecord[] = [];
  const parser = parseCsv({
    delimiter,
    columns: (header: string[]) => header.map((h) => h.trim()),
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxChars,
    info: true,
  });
  parser.on('skip', (err: Error & { lines?: number }) => skipped.push({ line: err.lines ?? 0, error: err.message }));
  text.on('error', (e) => parser.destroy(e));
  text.pipe(parser);
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length) yield skipped.shift()!;
    yield { line: rec.info.lines, value: rec.record };
  }
  while (skipped.length) yield skipped.shift()!;
}

async function* textLines(text: Readable, options: ParseOptions): AsyncGenerator<SourceRecord[]> {
  const maxChars = options.maxRecordChars;
  if (options.textMode === 'document') {
    let body = '';
    for await (const chunk of text) {
      body += chunk as string;
      if (body.length > maxChars && !options.partial) {
        throw new AppError(
          'BAD_USER_INPUT',
          `file: the text document is over ${maxChars} characters (the limit); read it as lines (one row per line) or split it into smaller files`,
        );
      }
    }
    yield [{ line: 1, value: { text: body } }];
    return;
  }
  let line = 0;
  for await (const raws of lineBatches(text, maxChars)) {
    const batch: SourceRecord[] = [];
    for (const raw of raws) {
      line++;
      if (typeof raw === 'number') batch.push({ line, error: tooLong(raw, maxChars) });
      else if (raw.trim()) batch.push({ line, value: { text: raw } });
    }
    if (batch.length) yield batch;
  }
}

/** Parquet rows in batches (never the whole file in memory); BigInts become numbers. */
async function* parquetRows(path: string): AsyncGenerator<SourceRecord> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const total = Number(metadata.num_rows);
  const batch = 10_000;
  for (let start = 0; start < total; start += batch) {
    const rows = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: Math.min(total, start + batch) });
    for (let i = 0; i < rows.length; i++) {
      const value = Object.fromEntries(
        Object.entries(rows[i]).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]),
      );
      yield { line: start + i + 1, value };
    }
  }
}

/** Groups a record stream into arrays, so that consumers await once per batch. */
async function* batched(records: AsyncGenerator<SourceRecord>, size = 1000): AsyncGenerator<SourceRecord[]> {
  let batch: SourceRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Streams the records of a decoded file in batches, in order (parquet reads the stored file directly). */
export function readRecordBatches(
  options: ParseOptions,
  text: Readable | null,
  path: string,
): AsyncGenerator<SourceRecord[]> {
  switch (options.format) {
    case 'parquet':
      return batched(parquetRows(path));
    case 'jsonl':
      return jsonLines(text!, options.maxRecordChars);
    case 'json':
      return jsonDocument(text!, options);
    case 'csv':
      return batched(delimited(text!, ',', options.maxRecordChars));
    case 'tsv':
      return batched(delimited(text!, '\t', options.maxRecordChars));
    case 'txt':
      return textLines(text!, options);
  }
}

/** Streams the records of a decoded file one by one. */
export async function* readRecords(
  options: ParseOptions,
  text: Readable | null,
  path: string,
): AsyncGenerator<SourceRecord> {
  for await (const batch of readRecordBatches(options, text, path)) yield* batch;
}
