import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import jschardet from 'jschardet';
import { AppError } from '../../../errors.js';

/** Encodings we detect and accept; the user may override detection with any of them. */
export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'gb18030'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export interface SourceLimits {
  /** Most bytes a compressed file may expand to. */
  maxDecompressedBytes: number;
  /** Most a compressed file may expand relative to its size (gzip bombs expand 1000×). */
  maxCompressionRatio: number;
}

const SAMPLE_BYTES = 64 * 1024;

export const isGzip = (head: Buffer) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
export const isParquet = (head: Buffer) => head.subarray(0, 4).toString('latin1') === 'PAR1';

export async function readHead(path: string, bytes = SAMPLE_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Detects the text encoding of a sample: BOM first, then UTF-16 zero patterns, strict UTF-8, else GB18030. */
export function detectEncoding(sample: Buffer): { encoding: Encoding; confidence: number; bom: boolean } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)
    return { encoding: 'utf-8', confidence: 1, bom: true };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', confidence: 1, bom: true };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', confidence: 1, bom: true };
  const pairs = Math.floor(Math.min(sample.length, 4096) / 2);
  if (pairs > 4) {
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < pairs; i++) {
      if (sample[2 * i] === 0) evenZeros++;
      if (sample[2 * i + 1] === 0) oddZeros++;
    }
    if (oddZeros / pairs > 0.3 && evenZeros / pairs < 0.05)
      return { encoding: 'utf-16le', confidence: 0.8, bom: false };
    if (evenZeros / pairs > 0.3 && oddZeros / pairs < 0.05)
      return { encoding: 'utf-16be', confidence: 0.8, bom: false };
  }
  if (isValidUtf8(sample)) return { encoding: 'utf-8', confidence: 0.99, bom: false };
  const guess = jschardet.detect(sample.toString('binary'));
  // GB2312 and GBK are subsets of GB18030; Big5 files are rare here but also decode best this way.
  return { encoding: 'gb18030', confidence: guess.confidence || 0.5, bom: false };
}

/** Strict UTF-8 check that tolerates a multi-byte character cut off at the end of the sample. */
function isValidUtf8(sample: Buffer): boolean {
  let end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = sample[end - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (needed > back) end -= back;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** Counts bytes going through, for the compression-ratio check. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, d?: Buffer) => void) {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * The file's bytes, gunzipped when gzip-compressed, with the size and ratio caps enforced while
 * streaming (a bomb is stopped long before it fills the disk or memory).
 */
export async function openBytes(
  path: string,
  limits: SourceLimits,
): Promise<{ stream: Readable; compressed: boolean }> {
  const head = await readHead(path, 4);
  if (!isGzip(head)) return { stream: createReadStream(path), compressed: false };
  const raw = createReadStream(path);
  const counter = new ByteCounter();
  const gunzip = createGunzip();
  let out = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      out += chunk.length;
      if (out > limits.maxDecompressedBytes) {
        return done(
          new AppError(
            'BAD_USER_INPUT',
            `file: decompresses to more than ${limits.maxDecompressedBytes} bytes (the limit)`,
          ),
        );
      }
      if (out > 1024 * 1024 && out > counter.bytes * limits.maxCompressionRatio) {
        return done(
          new AppError(
            'BAD_USER_INPUT',
            `file: expands more than ${limits.maxCompressionRatio}× when decompressed; refusing a possible gzip bomb`,
          ),
        );
      }
      done(null, chunk);
    },
  });
  // pipeline() tears every stage down together, whichever fails or is abandoned first.
  pipeline(raw, counter, gunzip, guard, () => {});
  return { stream: guard, compressed: true };
}

/** Decodes bytes to text in `encoding`, dropping a byte order mark. */
export function decodeText(bytes: Readable, encoding: Encoding): Readable {
  if (encoding === 'utf-8') {
    // Node's own decoder is several times faster than iconv-lite's for UTF-8; drop the BOM ourselves.
    let first = true;
    const strip = new Transform({
      decodeStrings: false,
      encoding: 'utf8', // hand on strings as they are, not re-encoded to bytes
      transform(chunk: string, _enc, done) {
        const text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
        first = false;
        done(null, text);
      },
    });
    bytes.setEncoding('utf8');
    pipeline(bytes, strip, () => {});
    return strip;
  }
  const decoder = iconv.decodeStream(encoding, { stripBOM: true }) as unknown as Transform;
  bytes.on('error', (e) => decoder.destroy(e));
  return bytes.pipe(decoder);
}

/** zlib's errors in words a user understands; other errors unchanged. */
export function explainStreamError(error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  if (
    e?.code?.startsWith('Z_') ||
    /unexpected end of file|incorrect header check|invalid (block|distance|stored)/i.test(e?.message ?? '')
  ) {
    return new AppError('BAD_USER_INPUT', 'file: the gzip data is truncated or corrupt');
  }
  return error;
}

/** True when the start of a (non-UTF-16) file holds bytes no text dataset has. */
export function looksBinary(head: Buffer): boolean {
  const sample = head.subarray(0, 4096);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) control++;
  }
  return sample.length > 0 && control / sample.length > 0.05;
}
