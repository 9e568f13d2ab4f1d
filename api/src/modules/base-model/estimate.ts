import type { CatalogModel } from './catalog.js';

export type Method = 'full' | 'lora' | 'qlora';
export type Precision = 'bf16' | 'fp16' | 'fp32';

export interface EstimateInput {
  method: Method;
  precision: Precision;
  loraR: number;
  loraTargets: number;
  batchSize: number;
  maxSeqLength: number;
  gradientCheckpointing: boolean;
  gpus: number;
  strategy: 'ddp' | 'fsdp';
  /** Training tokens (rows × mean tokens × epochs), for the time estimate. */
  trainTokens: number;
}

export interface Estimate {
  /** Per-GPU memory in GiB, by part. */
  weightsGb: number;
  trainableGb: number;
  optimizerGb: number;
  activationsGb: number;
  totalGb: number;
  trainableParams: number;
  /** Wall time on one A100-80GB-class GPU per GPU used, at a typical utilisation; a rough guide. */
  seconds: number;
}

const GB = 1024 ** 3;
const BYTES: Record<Precision, number> = { bf16: 2, fp16: 2, fp32: 4 };

/**
 * A first-order estimate, the same arithmetic the model picker shows: weights at their storage
 * precision (4-bit for QLoRA), trainable parameters with gradients and AdamW states in fp32, and
 * activations per token per layer (reduced to a checkpoint per layer with gradient checkpointing).
 * FSDP shards weights, gradients and optimizer states across GPUs; DDP replicates them.
 */
export function estimateMemory(model: CatalogModel, input: EstimateInput): Estimate {
  const params = model.params * 1e9;
  const weightBytes = input.method === 'qlora' ? 0.55 : BYTES[input.precision]; // 4-bit + quantisation constants
  // LoRA adds r × (in + out) per targeted projection per layer. MLP projections are wider than the
  // hidden size; 1.6 × hidden averages attention and MLP projections for these architectures.
  const loraParams = model.layers * input.loraTargets * input.loraR * 2 * model.hiddenSize * 1.6;
  const trainableParams = input.method === 'full' ? params : loraParams;
  const shard = input.strategy === 'fsdp' ? Math.max(1, input.gpus) : 1;
  const weightsGb = (params * weightBytes) / GB / shard;
  // Full fine-tune under mixed precision keeps gradients plus an fp32 master copy (2 + 4 bytes);
  // LoRA parameters train in fp32 with fp32 gradients (4 + 4 bytes).
  const trainableBytes = input.method === 'full' ? (input.precision === 'fp32' ? 4 : 6) : 8;
  const trainableGb = (trainableParams * trainableBytes) / GB / shard;
  const optimizerGb = (trainableParams * 8) / GB / shard; // AdamW: two fp32 moments
  // Activation bytes per token per layer in 16-bit: ~34 × hidden without recomputation (Korthikanti et
  // al., without the attention-score term that flash attention removes), the 2-byte layer input with
  // gradient checkpointing. fp32 doubles it.
  const perTokenPerLayer =
    model.hiddenSize * (input.gradientCheckpointing ? 2 : 34) * (input.precision === 'fp32' ? 2 : 1);
  const activationsGb = (input.batchSize * input.maxSeqLength * model.layers * perTokenPerLayer) / GB;
  const totalGb = (weightsGb + trainableGb + optimizerGb + activationsGb) * 1.1 + 1; // allocator slack + CUDA context
  // 6 FLOPs per parameter per token (forward + backward), 40% of 312 TFLOPs (A100 bf16).
  const active = (model.activeParams ?? model.params) * 1e9;
  const seconds = (6 * active * input.trainTokens) / (0.4 * 312e12 * Math.max(1, input.gpus));
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    weightsGb: round(weightsGb),
    trainableGb: round(trainableGb),
    optimizerGb: round(optimizerGb),
    activationsGb: round(activationsGb),
    totalGb: round(totalGb),
    trainableParams: Math.round(trainableParams),
    seconds: Math.round(seconds),
  };
}
