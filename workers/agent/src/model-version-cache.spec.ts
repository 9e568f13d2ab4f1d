import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedModelVersion } from './model-version-cache.js';

const root = mkdtempSync(join(tmpdir(), 'llmt-model-cache-'));
const archive = join(root, 'adapter.tar.gz');
const id = '0d4c7a52-5a0e-4d8e-9a43-1c2f9b6e3f10';
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  const src = join(root, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'adapter_config.json'), '{}');
  writeFileSync(join(src, 'adapter_model.safetensors'), 'weights');
  await tar.c({ gzip: true, file: archive, cwd: src }, ['adapter_config.json', 'adapter_model.safetensors']);
});

/** A download that writes the archive and counts its calls. */
function downloader() {
  const d = {
    calls: 0,
    fetch: async (file: string) => {
      d.calls++;
      copyFileSync(archive, file);
      return 'lora_adapter';
    },
  };
  return d;
}

describe('the model version cache', () => {
  it('downloads a version once and reuses its directory for every later job', async () => {
    const workDir = join(root, 'reuse');
    const d = downloader();
    const dir = await cachedModelVersion(workDir, id, d.fetch);
    expect(dir).toBe(join(workDir, 'model-versions', id));
    expect(readdirSync(dir).sort()).toEqual([
      '.model-version.json',
      'adapter_config.json',
      'adapter_model.safetensors',
    ]);
    expect(JSON.parse(readFileSync(join(dir, '.model-version.json'), 'utf8'))).toEqual({ id, kind: 'lora_adapter' });
    expect(await cachedModelVersion(workDir, id, d.fetch)).toBe(dir);
    expect(d.calls).toBe(1);
    expect(readdirSync(join(workDir, 'model-versions'))).toEqual([id]);
  });

  it('never takes a download cut short for a model: the next use downloads it again', async () => {
    const workDir = join(root, 'cut');
    const cut = async () => {
      throw new Error('connection reset');
    };
    await expect(cachedModelVersion(workDir, id, cut)).rejects.toThrow('connection reset');
    expect(readdirSync(join(workDir, 'model-versions'))).toEqual([]);
    // A directory left without its marker (an agent killed mid-extraction) is not trusted either.
    mkdirSync(join(workDir, 'model-versions', id));
    const d = downloader();
    const dir = await cachedModelVersion(workDir, id, d.fetch);
    expect(d.calls).toBe(1);
    expect(existsSync(join(dir, 'adapter_model.safetensors'))).toBe(true);
  });

  it('refuses an id that is not a plain name (it becomes a path)', async () => {
    await expect(cachedModelVersion(root, '../escape', downloader().fetch)).rejects.toThrow(/bad model version id/);
  });
});
