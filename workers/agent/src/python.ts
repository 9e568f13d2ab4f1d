import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jobEnv } from './job-env.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** A catalogue base model as the trainer's and the evaluator's specs name it (`base_model`). */
export interface CatalogBaseModel {
  catalog_id: string | null;
  hf_id: string | null;
  /** Set for the catalogue's tiny demo models: the agent builds them (no download). */
  tiny_family: string | null;
}

/** The trainer's interpreter and environment, and the tiny demo models it can build. */
export interface TrainerRuntime {
  python: string;
  env: Record<string, string>;
  tinyModel(family: string): Promise<string>;
}

/**
 * Uses LLMTRAINER_PYTHON when given, else the repository's pinned virtualenv (built on first use by
 * scripts/python-env.mjs). The trainer runs from source (PYTHONPATH).
 */
export function trainerRuntime(python: string | null, workDir: string): TrainerRuntime {
  let interpreter = python;
  if (!interpreter) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'python-env.mjs')], {
      encoding: 'utf8',
      env: jobEnv(process.env),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error('could not prepare the trainer virtualenv (scripts/python-env.mjs)');
    interpreter = r.stdout.trim();
  }
  const env = { PYTHONPATH: join(repoRoot, 'workers', 'trainer', 'src'), PYTHONUNBUFFERED: '1' };
  const building = new Map<string, Promise<string>>();
  return {
    python: interpreter,
    env,
    tinyModel(family) {
      if (!/^[a-z0-9_]+$/.test(family)) throw new Error(`bad tiny model family ${family}`);
      const out = join(workDir, 'models', `tiny-${family}`);
      let p = building.get(family);
      if (!p) {
        // The builder is idempotent and safe against concurrent builders; it reuses a complete model.
        p = existsSync(join(out, '.tiny-model-complete'))
          ? Promise.resolve(out)
          : promisify(execFile)(interpreter!, ['-m', 'llmtrainer.tiny_models', '--family', family, '--out', out], {
              env: jobEnv(process.env, env),
            }).then(() => out);
        building.set(family, p);
        p.catch(() => building.delete(family));
      }
      return p;
    },
  };
}

/**
 * The directory a base model loads from on this machine, or null when the process loads it by its
 * hub id: a tiny demo model is built here (once per work dir) around the real tokenizer.
 */
export function localBaseModel(runtime: TrainerRuntime, model: CatalogBaseModel): Promise<string | null> {
  return model.tiny_family ? runtime.tinyModel(model.tiny_family) : Promise.resolve(null);
}

/** One runtime per agent, prepared on first use and shared by every kind that runs the trainer's Python. */
export function sharedRuntime(config: { python: string | null; workDir: string }): () => TrainerRuntime {
  let runtime: TrainerRuntime | null = null;
  return () => (runtime ??= trainerRuntime(config.python, config.workDir));
}
