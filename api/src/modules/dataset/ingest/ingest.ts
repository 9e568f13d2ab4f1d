import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { AppError } from '../../../errors.js';
import type { RowStore } from '../../../storage/row-store.js';
import {
  openBytes,
  decodeText,
  detectEncoding,
  explainStreamError,
  isParquet,
  looksBinary,
  type Encoding,
  type SourceLimits,
} from './source.js';
import { detectFormat, readRecordBatches, readRecords, type FileFormat } from './parse.js';
import { detectSchema, type Mapping } from './schema.js';
import { StatsBuilder, type DatasetStats } from './stats.js';
import { Report, type ValidationReport } from './analyze.js';
import { mapRecords } from './map.js';
import { reduceJsonLinesInParallel } from './parallel.js';
import { Reducer } from './reduce.js';

export interface IngestLimits extends SourceLimits {
  maxJsonBytes: number;
  /** Longest source line or record, in characters. */
  maxRecordChars: number;
  /** Rows longer than this (characters of content) are flagged TOO_LONG. */
  maxRowChars: number;
}

export interface IngestOptions {
  path: string;
  filename: string;
  format?: FileFormat | null;
  encoding?: Encoding | null;
  textMode?: 'lines' | 'document' | null;
  mapping?: Mapping | null;
  /** Leave rows with problems out of the version (recorded); otherwise they stay and block training. */
  excludeInvalid: boolean;
  limits: IngestLimits;
  tokenizer?: { name: string; count: (text: string) => number };
  onProgress?: (rows: number) => void;
}

export type { ValidationReport };

export interface Detected {
  format: FileFormat;
  encoding: Encoding;
  encodingConfidence: number;
  compressed: boolean;
  mapping: Mapping | null;
  mappingConfidence: number;
  columns: string[];
  sample: Record<string, unknown>[];
}

const SAMPLE_RECORDS = 50;
/**
 * Detection reads at most this much decoded text, whatever the file's size: enough for the first
 * record at the record limit (it stops earlier, after SAMPLE_RECORDS records); 1 MiB of a document.
 */
const detectChars = (limits: IngestLimits, textMode?: string | null) =>
  textMode === 'document' ? 1024 * 1024 : limits.maxRecordChars + 1024;

/** The first `maxChars` characters of a text stream; the rest of the file is never read. */
function prefixOf(text: Readable, maxChars: number): Readable {
  return Readable.from(
    (async function* () {
      let chars = 0;
      try {
        for await (const chunk of text as AsyncIterable<string>) {
          const rest = maxChars - chars;
          chars += chunk.length;
          yield chunk.length > rest ? chunk.slice(0, rest) : chunk;
          if (chars >= maxChars) break;
        }
      } finally {
        text.destroy();
      }
    })(),
  );
}
/** Large UTF-8 JSONL files are mapped on two threads (parallel.ts); small ones are not worth a worker. */
const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

async function decodedHead(path: string, limits: IngestLimits, encoding?: Encoding | null) {
  const { stream, compressed } = await openBytes(path, limits);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= 64 * 1024) break;
  }
  stream.destroy();
  const head = Buffer.concat(chunks);
  const detected = detectEncoding(head);
  return { head, compressed, encoding: encoding ?? detected.encoding, confidence: encoding ? 1 : detected.confidence };
}

async function openText(path: string, limits: IngestLimits, encoding: Encoding): Promise<Readable> {
  const { stream } = await openBytes(path, limits);
  return decodeText(stream, encoding);
}

/** Detects format, encoding and schema from the start of a file, with a few sample records. */
export async function detect(
  opts: Pick<IngestOptions, 'path' | 'filename' | 'format' | 'encoding' | 'textMode' | 'limits'>,
): Promise<Detected> {
  try {
    return await detectUnsafe(opts);
  } catch (error) {
    throw explainStreamError(error);
  }
}

async function detectUnsafe(
  opts: Pick<IngestOptions, 'path' | 'filename' | 'format' | 'encoding' | 'textMode' | 'limits'>,
): Promise<Detected> {
  const { head, compressed, encoding, confidence } = await decodedHead(opts.path, opts.limits, opts.encoding);
  if (head.length === 0) throw new AppError('BAD_USER_INPUT', 'file: the file is empty');
  const parquet = isParquet(head);
  if (!parquet && !encoding.startsWith('utf-16') && looksBinary(head)) {
    throw new AppError(
      'BAD_USER_INPUT',
      'file: this is binary data, not a text dataset (whatever its name or content type says)',
    );
  }
  const headText = parquet ? '' : new TextDecoder(encoding).decode(head.subarray(0, 8192));
  const format = opts.format ?? detectFormat(opts.filename, headText, parquet);
  const sample: Record<string, unknown>[] = [];
  const text =
    format === 'parquet'
      ? null
      : prefixOf(await openText(opts.path, opts.limits, encoding), detectChars(opts.limits, opts.textMode));
  const records = readRecords(
    {
      format,
      textMode: opts.textMode ?? 'lines',
      maxJsonBytes: opts.limits.maxJsonBytes,
      maxRecordChars: opts.limits.maxRecordChars,
      partial: true,
    },
    text,
    opts.path,
  );
  for await (const record of records) {
    if (record.value) sample.push(record.value);
    if (sample.length >= SAMPLE_RECORDS) break;
  }
  text?.destroy();
  const schema = detectSchema(sample);
  return {
    format,
    encoding,
    encodingConfidence: confidence,
    compressed,
    mapping: schema.mapping,
    mappingConfidence: schema.confidence,
    columns: schema.columns,
    sample: sample.slice(0, 5),
  };
}

/**
 * Reads a stored upload end to end in constant memory (hash sets aside): decode, parse, normalise,
 * validate, de-duplicate, write the content-addressed row set and compute statistics. Every record
 * is accounted for: written, excluded (counted), or reported with its line number.
 */
export async function ingest(store: RowStore, opts: IngestOptions) {
  const detected = await detect(opts);
  const mapping = opts.mapping ?? detected.mapping;
  if (!mapping && detected.sample.length === 0) {
    throw new AppError(
      'BAD_USER_INPUT',
      'file: no readable records found (the file is blank, or its first records all fail to parse)',
    );
  }
  if (!mapping) {
    throw new AppError(
      'BAD_USER_INPUT',
      `mapping: could not tell which columns hold the data (found ${detected.columns.join(', ') || 'none'}); choose a mapping`,
    );
  }
  const mapOptions = { mapping, maxRecordChars: opts.limits.maxRecordChars, maxRowChars: opts.limits.maxRowChars };
  const parallel =
    detected.format === 'jsonl' && detected.encoding === 'utf-8' && (await stat(opts.path)).size >= PARALLEL_MIN_BYTES;
  const writer = await store.writer();
  const report = new Report();
  const stats = new StatsBuilder(opts.tokenizer);
  const reducer = new Reducer(report, stats, writer, opts);
  try {
    if (parallel) {
      const { stream } = await openBytes(opts.path, opts.limits);
      await reduceJsonLinesInParallel(stream, mapOptions, reducer, writer);
    } else {
      const text = detected.format === 'parquet' ? null : await openText(opts.path, opts.limits, detected.encoding);
      const batches = readRecordBatches(
        {
          format: detected.format,
          textMode: opts.textMode ?? 'lines',
          maxJsonBytes: opts.limits.maxJsonBytes,
          maxRecordChars: opts.limits.maxRecordChars,
        },
        text,
        opts.path,
      );
      for await (const batch of batches) {
        reducer.reduce(mapRecords(batch, mapOptions));
        reducer.countTokens();
        await writer.drained();
      }
    }
  } catch (error) {
    await writer.abort();
    throw explainStreamError(error);
  }
  if (report.sourceRecords === 0) {
    await writer.abort();
    throw new AppError('BAD_USER_INPUT', 'file: no records found (the file is empty or has only blank lines)');
  }
  const committed = await writer.commit();
  return {
    ...committed,
    detected: { ...detected, mapping },
    validation: report.build(),
    stats: stats.build() as DatasetStats,
  };
}
