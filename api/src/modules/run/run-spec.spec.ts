import { readFileSync } from 'node:fs';
import { isInputObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../graphql/schema.js';
import { HYPERPARAMETER_NAMES, RUN_DEFAULTS, type Hyperparameters } from './run-defaults.js';
import { TRAINER_HYPERPARAMETERS, trainerHyperparameters } from './run-spec.js';

/** The field names of the trainer's `Hyperparameters` dataclass, read from its source. */
function trainerFields(): string[] {
  const source = readFileSync(new URL('../../../../workers/trainer/src/llmtrainer/spec.py', import.meta.url), 'utf8');
  const body = source.split(/^class Hyperparameters:\n/m)[1]!.split(/^\S/m)[0]!;
  return [...body.matchAll(/^ {4}(\w+): /gm)].map((m) => m[1]!);
}

const stored: Hyperparameters = {
  ...RUN_DEFAULTS,
  loraTargetModules: ['q_proj', 'k_proj'],
  maxSeqLength: 1024,
  precision: 'fp32',
};
const run = (hyperparameters: Record<string, unknown>, baseModelId = 'Qwen/Qwen3-0.6B') => ({
  baseModelId,
  config: { hyperparameters, resources: { gpusPerNode: 0, nodes: 1, strategy: 'ddp' } },
});

describe('trainer hyperparameters', () => {
  it("names exactly the trainer's fields: the API and spec.py cannot drift apart", () => {
    const fields = trainerFields();
    expect(fields.length).toBeGreaterThan(20);
    expect([...TRAINER_HYPERPARAMETERS].sort()).toEqual([...fields].sort());
  });

  it('sends every one, snake_case, with a null kept as an explicit null', () => {
    const hp = trainerHyperparameters(run(stored));
    expect(Object.keys(hp).sort()).toEqual([...trainerFields()].sort());
    expect(hp).toMatchObject({
      max_seq_length: 1024,
      precision: 'fp32',
      lora_target_modules: ['q_proj', 'k_proj'],
      lora_r: 16,
      save_total_limit: 2,
    });
    expect(hp).toHaveProperty('eval_steps', null);
  });

  it("fills a field a run stored before it existed from the API's defaults", () => {
    const { thinking: _t, dpoBeta: _d, saveTotalLimit: _s, loraTargetModules: _l, evalSteps: _e, ...old } = stored;
    const hp = trainerHyperparameters(run(old, 'Qwen/Qwen3-0.6B'));
    expect(Object.keys(hp)).toHaveLength(TRAINER_HYPERPARAMETERS.length);
    expect(hp).toMatchObject({ thinking: 'keep', dpo_beta: 0.1, save_total_limit: 2, eval_steps: null });
    expect(hp.lora_target_modules).toEqual([
      'q_proj',
      'k_proj',
      'v_proj',
      'o_proj',
      'gate_proj',
      'up_proj',
      'down_proj',
    ]);
    expect(hp.max_seq_length).toBe(1024);
  });

  it('passes "all-linear" as the string the trainer takes', () => {
    expect(trainerHyperparameters(run({ ...stored, loraTargetModules: ['all-linear'] })).lora_target_modules).toBe(
      'all-linear',
    );
  });

  it('offers users every hyperparameter but the checkpoint limit, and shows every default', async () => {
    const schema = await buildAppSchema();
    const input = schema.getType('HyperparametersInput');
    const values = schema.getType('HyperparameterValues');
    if (!isInputObjectType(input) || !isObjectType(values)) throw new Error('missing types');
    const settable = HYPERPARAMETER_NAMES.filter((n) => n !== 'saveTotalLimit');
    expect(Object.keys(input.getFields()).sort()).toEqual([...settable].sort());
    expect(Object.keys(values.getFields()).sort()).toEqual(settable.filter((n) => n !== 'loraTargetModules').sort());
  });
});
