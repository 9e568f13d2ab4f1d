import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractArchive } from './safe-extract.js';

/** Written last into a cached model version's directory: without it the directory is not used. */
const MARKER = '.model-version.json';

/**
 * The directory of a model version on this machine, `<workDir>/model-versions/<id>`, downloaded
 * (`download` writes the tar.gz and returns the model's kind) and extracted on first use and reused by
 * every later job that loads the same version: a version's files never change. The archive is
 * extracted into `<id>.partial` and renamed into place with its marker, so a download cut short (a
 * killed agent) is never taken for a model, and the next try starts it over.
 */
export async function cachedModelVersion(
  workDir: string,
  id: string,
  download: (archive: string) => Promise<string | null>,
): Promise<string> {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw new Error(`bad model version id ${JSON.stringify(id)}`);
  const root = join(workDir, 'model-versions');
  const dir = join(root, id);
  if (existsSync(join(dir, MARKER))) return dir;
  const partial = join(root, `${id}.partial`);
  const archive = `${partial}.tar.gz`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    const kind = await download(archive);
    await extractArchive(archive, partial);
    await writeFile(join(partial, MARKER), JSON.stringify({ id, kind }));
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return dir;
  } finally {
    await rm(archive, { force: true });
    await rm(partial, { recursive: true, force: true });
  }
}
