import { describe, expect, it } from 'vitest';
import en from '../i18n/en.json';
import {
  HYPER_FIELDS,
  HYPER_GROUPS,
  PLAN_STEPS,
  effectiveDefault,
  presetChanges,
  isLocked,
  fitToPool,
  CPU_MODEL,
  mergeProblems,
  emptyForm,
  parseValue,
  problemAt,
  stepOfPath,
  parsePriority,
  toRunConfigInput,
  type HyperValues,
  type PlanForm,
  type RunDefaults,
} from './plan';

function form(change: (f: PlanForm) => void = () => {}): PlanForm {
  const f = emptyForm();
  f.datasetVersionId = 'v1';
  f.baseModelId = 'Qwen/Qwen3-0.6B';
  change(f);
  return f;
}

describe('toRunConfigInput', () => {
  it('sends only what is set: empty fields take the preset or default', () => {
    expect(toRunConfigInput(form())).toEqual({
      input: {
        datasetVersionId: 'v1',
        baseModelId: 'Qwen/Qwen3-0.6B',
        method: 'LORA',
        objective: 'SFT',
        resources: { strategy: 'DDP', gpusPerNode: 1, nodes: 1 },
      },
      problems: {},
    });
  });

  it('parses numbers, booleans and choices into their GraphQL types', () => {
    const { input, problems } = toRunConfigInput(
      form((f) => {
        f.preset = 'QLORA_LOW_MEMORY';
        f.method = 'QLORA';
        f.hyper.learningRate = ' 2e-4 ';
        f.hyper.numTrainEpochs = '1.5';
        f.hyper.loraR = '64';
        f.hyper.maxSteps = '-1';
        f.hyper.packing = 'true';
        f.hyper.gradientCheckpointing = 'false';
        f.hyper.precision = 'FP16';
        f.hyper.thinking = 'strip_empty';
        f.loraTargets = { mode: 'all-linear', modules: [] };
        f.resources = { gpusPerNode: '4', nodes: '2', strategy: 'FSDP' };
      }),
    );
    expect(problems).toEqual({});
    expect(input).toEqual({
      datasetVersionId: 'v1',
      baseModelId: 'Qwen/Qwen3-0.6B',
      method: 'QLORA',
      objective: 'SFT',
      preset: 'QLORA_LOW_MEMORY',
      hyperparameters: {
        learningRate: 0.0002,
        numTrainEpochs: 1.5,
        maxSteps: -1,
        packing: true,
        loraR: 64,
        precision: 'FP16',
        gradientCheckpointing: false,
        thinking: 'strip_empty',
        loraTargetModules: ['all-linear'],
      },
      resources: { strategy: 'FSDP', gpusPerNode: 4, nodes: 2 },
    });
  });

  it('leaves out LoRA settings for a full fine-tune and dpoBeta for SFT', () => {
    const fields = (f: PlanForm) => {
      f.hyper.loraR = 'not a number';
      f.hyper.loraDropout = '0.1';
      f.hyper.dpoBeta = '0.2';
      f.loraTargets = { mode: 'custom', modules: ['q_proj'] };
    };
    const full = toRunConfigInput(
      form((f) => {
        fields(f);
        f.method = 'FULL';
      }),
    );
    expect(full.problems).toEqual({});
    expect(full.input.hyperparameters).toBeUndefined();
    const dpo = toRunConfigInput(
      form((f) => {
        fields(f);
        f.hyper.loraR = '8';
        f.objective = 'DPO';
      }),
    );
    expect(dpo.input.hyperparameters).toEqual({
      dpoBeta: 0.2,
      loraR: 8,
      loraDropout: 0.1,
      loraTargetModules: ['q_proj'],
    });
  });

  it('reports what cannot be sent at the API field path of the control', () => {
    const { problems, input } = toRunConfigInput(
      form((f) => {
        f.hyper.perDeviceTrainBatchSize = '2.5';
        f.hyper.learningRate = '1e-4x';
        f.hyper.seed = '99999999999';
        f.loraTargets = { mode: 'custom', modules: [] };
        f.resources.gpusPerNode = 'two';
        f.resources.nodes = '';
      }),
    );
    expect(problems).toEqual({
      'hyperparameters.perDeviceTrainBatchSize': { key: 'plan.validation.integer' },
      'hyperparameters.learningRate': { key: 'plan.validation.number' },
      'hyperparameters.seed': { key: 'plan.validation.tooLarge' },
      'hyperparameters.loraTargetModules': { key: 'plan.validation.modules' },
      'resources.gpusPerNode': { key: 'plan.validation.integer' },
    });
    expect(input.hyperparameters).toBeUndefined();
    expect(input.resources).toEqual({ strategy: 'DDP' });
  });
});

describe('parseValue', () => {
  it('rejects a choice the API does not know', () => {
    expect(parseValue({ kind: 'choice', options: ['keep'] }, 'drop')).toEqual({ key: 'plan.validation.choice' });
    expect(parseValue({ kind: 'float' }, '.5')).toBe(0.5);
    expect(parseValue({ kind: 'float' }, 'Infinity')).toEqual({ key: 'plan.validation.number' });
    expect(parseValue({ kind: 'int' }, '   ')).toBeUndefined();
  });
});

describe('defaults and presets', () => {
  // Not the API's values: whatever `runDefaults` answers is what the planner shows.
  const base = Object.fromEntries(HYPER_FIELDS.map((f, i) => [f.name, i + 1000])) as HyperValues;
  const defaults: RunDefaults = {
    hyperparameters: { ...base, precision: 'BF16', evalSteps: null },
    presets: [{ name: 'SLOW', method: 'FULL', hyperparameters: { ...base, learningRate: 1e-5, packing: true } }],
  };

  it("shows the API's default, or the chosen preset's value where it sets one", () => {
    expect(effectiveDefault(defaults, 'maxSeqLength', '')).toBe(base.maxSeqLength);
    expect(effectiveDefault(defaults, 'precision', '')).toBe('BF16');
    expect(effectiveDefault(defaults, 'evalSteps', '')).toBeNull();
    expect(effectiveDefault(defaults, 'learningRate', 'SLOW')).toBe(1e-5);
    expect(effectiveDefault(defaults, 'maxSeqLength', 'SLOW')).toBe(base.maxSeqLength);
    expect(effectiveDefault(defaults, 'learningRate', 'GONE')).toBe(base.learningRate);
  });

  it('names what a preset changes from the defaults, in display order', () => {
    expect(presetChanges(defaults, 'SLOW')).toEqual(['learningRate', 'packing', 'precision', 'evalSteps']);
    expect(presetChanges(defaults, '')).toEqual([]);
  });

  it('covers every field with an English label and hint', () => {
    const labels = en.plan.hyper.fields as Record<string, { label: string; hint: string }>;
    for (const field of HYPER_FIELDS) {
      expect(labels[field.name]?.label).toBeTruthy();
      expect(labels[field.name]?.hint).toBeTruthy();
    }
    for (const group of HYPER_GROUPS) expect(en.plan.hyper.groups[group]).toBeTruthy();
    for (const step of PLAN_STEPS) expect(en.plan.steps[step]).toBeTruthy();
  });
});

describe('problem placement', () => {
  it('finds the step of each API field path', () => {
    expect(stepOfPath('datasetVersionId')).toBe('data');
    expect(stepOfPath('baseModelId')).toBe('model');
    expect(stepOfPath('objective')).toBe('method');
    expect(stepOfPath('preset')).toBe('preset');
    expect(stepOfPath('hyperparameters.loraTargetModules.1')).toBe('hyper');
    expect(stepOfPath('resources.strategy')).toBe('resources');
    expect(stepOfPath('name')).toBe('review');
    expect(stepOfPath('priority')).toBe('review');
    expect(stepOfPath('evaluateAfter.generation.maxNewTokens')).toBe('review');
    expect(stepOfPath('somethingElse')).toBeNull();
  });

  it('opens the later steps once a version and a model are chosen', () => {
    expect(isLocked('data', false)).toBe(false);
    expect(isLocked('model', false)).toBe(false);
    expect(isLocked('hyper', false)).toBe(true);
    expect(isLocked('review', true)).toBe(false);
  });

  it('gives a control its own message or one about a part of it', () => {
    const problems = { 'hyperparameters.loraTargetModules.1': 'must be a module name', method: 'needs GPUs' };
    expect(problemAt(problems, 'hyperparameters.loraTargetModules')).toBe('must be a module name');
    expect(problemAt(problems, 'method')).toBe('needs GPUs');
    expect(problemAt(problems, 'hyperparameters.loraR')).toBeUndefined();
  });
});

describe('parsePriority', () => {
  it('reads an integer from -100 to 100, empty meaning 0', () => {
    expect(parsePriority('')).toBe(0);
    expect(parsePriority(' 5 ')).toBe(5);
    expect(parsePriority('-100')).toBe(-100);
  });

  it('refuses what the API would refuse', () => {
    expect(parsePriority('101')).toEqual({ key: 'plan.launch.priorityRange' });
    expect(parsePriority('1.5')).toEqual({ key: 'plan.validation.integer' });
  });
});

describe('mergeProblems', () => {
  it('counts two bad fields as two problems: one the browser caught, one the API reported', () => {
    const { problems: client } = toRunConfigInput(form((f) => (f.hyper.learningRate = 'abc')));
    const merged = mergeProblems(client, { 'hyperparameters.loraR': 'must be 1 to 1024' });
    expect(Object.keys(merged).sort()).toEqual(['hyperparameters.learningRate', 'hyperparameters.loraR']);
    expect(merged['hyperparameters.loraR']).toEqual({ text: 'must be 1 to 1024' });
  });

  it("keeps one message per field: the client's, over the API's verdict on a value never sent", () => {
    const client = { 'hyperparameters.loraTargetModules': { key: 'plan.validation.modules' } };
    const server = {
      'hyperparameters.loraTargetModules.1': 'must be a module name',
      'resources.gpusPerNode': 'must be 0 to 16',
    };
    expect(mergeProblems(client, server)).toEqual({
      'resources.gpusPerNode': { text: 'must be 0 to 16' },
      'hyperparameters.loraTargetModules': { key: 'plan.validation.modules' },
    });
  });
});

describe('fitToPool', () => {
  const ids = ['Qwen/Qwen3-0.6B', CPU_MODEL];

  it('on a CPU-only pool starts from 0 GPUs, fp32 and the tiny model: the plan launches as it is', () => {
    const f = emptyForm();
    f.datasetVersionId = 'v1';
    expect(fitToPool(f, { cpuOnly: true, maxGpus: 0 }, ids)).toBe(true);
    const { input, problems } = toRunConfigInput(f);
    expect(problems).toEqual({});
    expect(input.baseModelId).toBe(CPU_MODEL);
    expect(input.resources).toMatchObject({ gpusPerNode: 0, nodes: 1 });
    expect(input.hyperparameters).toEqual({ precision: 'FP32' });
  });

  it("keeps what someone already chose, and leaves a GPU pool's defaults alone", () => {
    const chosen = form((f) => (f.resources.gpusPerNode = '2'));
    expect(fitToPool(chosen, { cpuOnly: true, maxGpus: 0 }, ids)).toBe(false);
    expect(chosen.baseModelId).toBe('Qwen/Qwen3-0.6B');
    expect(chosen.resources.gpusPerNode).toBe('2');
    const gpu = emptyForm();
    expect(fitToPool(gpu, { cpuOnly: false, maxGpus: 8 }, ids)).toBe(false);
    expect(gpu).toEqual(emptyForm());
  });
});
