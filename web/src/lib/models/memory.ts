import type { TrainingMethod } from '$lib/graphql/generated/graphql';

/** Methods in the order the catalogue shows them: least memory first. */
export const METHODS: TrainingMethod[] = ['QLORA', 'LORA', 'FULL'];

/**
 * Bytes of GPU memory per model parameter, first order (no activations, no LoRA adapters):
 *
 * - LoRA: the frozen weights in bf16, 2 bytes each. The adapters and their optimizer states are
 *   small (well under 2 % of the parameters at the usual ranks) and left out.
 * - QLoRA: the frozen weights in 4 bit plus the quantisation constants, about 0.55 bytes each.
 * - Full fine-tune: bf16 weights (2) + bf16 gradients (2) + AdamW's two fp32 moments (8) = 12.
 *
 * Mixture-of-experts models count all their parameters: every expert is held in memory even
 * though only some run per token.
 */
export const BYTES_PER_PARAM: Record<TrainingMethod, number> = {
  LORA: 2,
  QLORA: 0.55,
  FULL: 2 + 2 + 8,
};

/** GPU memory is sold in binary gigabytes (an "80 GB" card holds 80 GiB), as the API counts too. */
const GIB = 1024 ** 3;

/** Approximate memory in GB (GiB) for `paramsBillions` parameters trained with `method`, activations excluded. */
export function approxMemoryGb(paramsBillions: number, method: TrainingMethod): number {
  return (paramsBillions * 1e9 * BYTES_PER_PARAM[method]) / GIB;
}

/** A figure for "≈ N GB": one decimal under 10, whole numbers above. */
export function roundGb(gb: number): number {
  return gb < 10 ? Math.round(gb * 10) / 10 : Math.round(gb);
}
