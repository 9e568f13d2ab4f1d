// The S3 store streams: a large object goes up and comes back without the process holding it. The
// object is generated and checked in a child process whose peak RSS is measured by the kernel.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../test/s3.js';
import { repoRoot } from '../config.js';

const MiB = 1024 ** 2;
/** The 2 GiB (about 50 s here, s3rver writing every part to disk); S3_STREAM_TEST_BYTES sets another size. */
const SIZE = Number(process.env.S3_STREAM_TEST_BYTES ?? 2048 * MiB);
const LIMIT = 150 * MiB;

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.close();
});

describe('the S3 object store with a large object', () => {
  it(`puts and gets a ${SIZE / MiB} MiB generated stream with the process growing by less than 150 MiB`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'api/test/s3-stream-child.ts')],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          ...s3.env('stream'),
          SIZE: String(SIZE),
          TSX_TSCONFIG_PATH: join(repoRoot, 'api/tsconfig.json'),
        },
      },
    );
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
    console.log(
      `S3 stream ${SIZE / MiB} MiB: put ${r.putSeconds.toFixed(1)} s, get ${r.getSeconds.toFixed(1)} s, ` +
        `RSS ${(r.baselineRss / MiB).toFixed(0)} MiB → peak ${(r.peakAfterPut / MiB).toFixed(0)} MiB after the put, ` +
        `${(r.peakRss / MiB).toFixed(0)} MiB after the get`,
    );
    expect(r).toMatchObject({ sizeBytes: SIZE, readBytes: SIZE, sameBytes: true });
    expect(r.peakRss - r.baselineRss).toBeLessThan(LIMIT);
  }, 180_000);
});
