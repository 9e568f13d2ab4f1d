import { isAbsolute, relative, resolve } from 'node:path';
import * as tar from 'tar';

/** An archive holding an entry that could write, or point, outside the directory it is extracted into. */
export class UnsafeArchiveError extends Error {
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`refused archive entry "${entry}": ${reason}; nothing was extracted`);
  }
}

/** Entry types an archive of plain files may hold (pax/GNU headers are consumed by the reader). */
const PLAIN = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Why `path` (of an entry of `type`) may not be extracted into `target`, or null when it may. */
function problem(target: string, path: string, type: string): string | null {
  if (type === 'SymbolicLink') return 'symbolic links are not allowed';
  if (type === 'Link') return 'hard links are not allowed';
  if (!PLAIN.has(type)) return `entries of type ${type} are not allowed`;
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path)) return 'absolute paths are not allowed';
  if (path.split(/[\\/]/).includes('..')) return '".." in paths is not allowed';
  const rel = relative(target, resolve(target, path));
  if (rel.startsWith('..') || isAbsolute(rel)) return 'it would be written outside the target directory';
  return null;
}

/**
 * Extracts a tar(.gz) of plain files and directories into `cwd`. The whole archive is read first: a
 * link (symbolic or hard), a device, an absolute path or a `..` anywhere refuses the archive before
 * anything is written (checkpoints and backups come from other machines; a link in one would let the
 * trainer, or a later upload, read or overwrite files outside the run's directory). The filter on the
 * extraction itself repeats the check, so an archive that changed in between still writes nothing
 * outside `cwd`.
 */
export async function extractArchive(file: string, cwd: string): Promise<void> {
  const target = resolve(cwd);
  let refused: UnsafeArchiveError | null = null;
  await tar.t({
    file,
    onReadEntry: (entry) => {
      const why = problem(target, entry.path, entry.type);
      if (why && !refused) refused = new UnsafeArchiveError(entry.path, why);
    },
  });
  if (refused) throw refused;
  await tar.x({
    file,
    cwd: target,
    strict: true,
    filter: (path, entry) => {
      const why = problem(target, path, 'type' in entry ? entry.type : 'File');
      if (why) refused ??= new UnsafeArchiveError(path, why);
      return !why;
    },
  });
  if (refused) throw refused;
}
