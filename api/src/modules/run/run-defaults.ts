import { z } from 'zod';
import type { CatalogModel } from '../base-model/catalog.js';

const positive = z.number().positive('must be greater than 0');

/** A run's hyperparameters, every one required once resolved (camelCase; the trainer gets snake_case). */
export const hyperSchema = z.object({
  learningRate: positive.max(1, 'must be at most 1'),
  numTrainEpochs: positive.max(100, 'must be at most 100'),
  maxSteps: z.number().int().min(-1, 'must be -1 (whole epochs) or more').max(10_000_000),
  perDeviceTrainBatchSize: z.number().int().min(1, 'must be at least 1').max(1024),
  gradientAccumulationSteps: z.number().int().min(1, 'must be at least 1').max(4096),
  maxSeqLength: z.number().int().min(16, 'must be at least 16'),
  packing: z.boolean(),
  warmupRatio: z.number().min(0, 'must be 0 to 1').max(1, 'must be 0 to 1'),
  lrSchedulerType: z.enum(
    ['linear', 'cosine', 'constant', 'constant_with_warmup'],
    'must be linear, cosine, constant or constant_with_warmup',
  ),
  weightDecay: z.number().min(0, 'must be 0 to 1').max(1, 'must be 0 to 1'),
  optim: z.enum(['adamw_torch', 'adamw_8bit', 'adafactor', 'sgd'], 'must be adamw_torch, adamw_8bit, adafactor or sgd'),
  loraR: z.number().int().min(1, 'must be 1 to 1024').max(1024, 'must be 1 to 1024'),
  loraAlpha: z.number().int().min(1, 'must be at least 1'),
  loraDropout: z.number().min(0, 'must be 0 to 0.9').max(0.9, 'must be 0 to 0.9'),
  loraTargetModules: z.array(z.string().regex(/^[\w.-]+$/, 'must be a module name')).min(1, 'give at least one module'),
  precision: z.enum(['bf16', 'fp16', 'fp32']),
  gradientCheckpointing: z.boolean(),
  seed: z.number().int(),
  evalSteps: z.number().int().min(1, 'must be at least 1').nullable(),
  saveSteps: z.number().int().min(1, 'must be at least 1'),
  /** Checkpoints a worker keeps on disk (the API keeps its own copy); not settable by users. */
  saveTotalLimit: z.number().int().min(1, 'must be at least 1').nullable(),
  loggingSteps: z.number().int().min(1, 'must be at least 1'),
  assistantOnlyLoss: z.boolean(),
  thinking: z.enum(['keep', 'strip_empty'], 'must be keep or strip_empty'),
  dpoBeta: positive.max(10, 'must be at most 10'),
});
export type Hyperparameters = z.infer<typeof hyperSchema>;
export type HyperparameterName = keyof Hyperparameters;

/** Every hyperparameter a run has, in the API's names: the trainer requires each of them. */
export const HYPERPARAMETER_NAMES = Object.keys(hyperSchema.shape) as HyperparameterName[];

/**
 * What a run uses for a value nobody set: the one source of defaults. The planner reads them
 * (`runDefaults`), createRun stores them resolved, and the trainer gets each explicitly. The LoRA
 * target modules default to the model's catalogue entry (`defaultLoraTargets`).
 */
export const RUN_DEFAULTS: Omit<Hyperparameters, 'loraTargetModules'> = {
  learningRate: 2e-4,
  numTrainEpochs: 1,
  maxSteps: -1,
  perDeviceTrainBatchSize: 2,
  gradientAccumulationSteps: 1,
  maxSeqLength: 2048,
  packing: false,
  warmupRatio: 0.03,
  lrSchedulerType: 'cosine',
  weightDecay: 0,
  optim: 'adamw_torch',
  loraR: 16,
  loraAlpha: 32,
  loraDropout: 0.05,
  precision: 'bf16',
  gradientCheckpointing: false,
  seed: 42,
  evalSteps: null,
  saveSteps: 100,
  saveTotalLimit: 2,
  loggingSteps: 1,
  assistantOnlyLoss: true,
  thinking: 'keep',
  dpoBeta: 0.1,
};

/** The LoRA target modules of a model nobody chose modules for. */
export const defaultLoraTargets = (model: CatalogModel | null | undefined): string[] =>
  model?.loraTargets ?? ['q_proj', 'v_proj'];

type Method = 'full' | 'lora' | 'qlora';

/** Starting points, each made for one method; anything the user sets overrides them. */
export const PRESETS = {
  LORA_QUICK: {
    method: 'lora',
    values: {
      learningRate: 2e-4,
      numTrainEpochs: 1,
      perDeviceTrainBatchSize: 4,
      gradientAccumulationSteps: 4,
      loraR: 16,
      loraAlpha: 32,
    },
  },
  QLORA_LOW_MEMORY: {
    method: 'qlora',
    values: {
      learningRate: 2e-4,
      numTrainEpochs: 1,
      perDeviceTrainBatchSize: 1,
      gradientAccumulationSteps: 16,
      loraR: 16,
      loraAlpha: 32,
      gradientCheckpointing: true,
    },
  },
  FULL_FINE_TUNE: {
    method: 'full',
    values: {
      learningRate: 1e-5,
      numTrainEpochs: 2,
      perDeviceTrainBatchSize: 2,
      gradientAccumulationSteps: 8,
      gradientCheckpointing: true,
      weightDecay: 0.01,
    },
  },
} as const satisfies Record<string, { method: Method; values: Partial<Hyperparameters> }>;
export type PresetName = keyof typeof PRESETS;
export const isPresetName = (name: string): name is PresetName => Object.hasOwn(PRESETS, name);
