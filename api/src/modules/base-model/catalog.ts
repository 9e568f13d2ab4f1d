/**
 * Built-in base models. Figures come from each model's published config.json; `template` names the
 * chat template family the platform renders with (see chat-templates.ts) and `tokenizer` the real
 * tokenizer family shipped with the platform for counting and previews.
 */
export interface CatalogModel {
  id: string;
  family: 'Qwen2.5' | 'Qwen3' | 'DeepSeek-R1-Distill' | 'deepseek-coder' | 'DeepSeek-V2' | 'Tiny test';
  architecture: string;
  /** Parameters in billions (total; `activeParams` for mixture-of-experts). */
  params: number;
  activeParams?: number;
  layers: number;
  hiddenSize: number;
  contextLength: number;
  licence: string;
  template: 'qwen2_5' | 'qwen3' | 'deepseek_r1' | 'deepseek_coder' | 'deepseek_v2';
  tokenizer: 'qwen3' | 'deepseek_v3';
  thinking: boolean;
  loraTargets: string[];
  /** Built-in tiny random-weight model the worker generates locally (tests and the CPU demo). */
  tinyFamily?: 'qwen3' | 'deepseek_v3';
}

const QWEN_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const qwen25 = (
  size: string,
  params: number,
  layers: number,
  hidden: number,
  context: number,
  licence = 'Apache-2.0',
): CatalogModel => ({
  id: `Qwen/Qwen2.5-${size}-Instruct`,
  family: 'Qwen2.5',
  architecture: 'Qwen2ForCausalLM',
  params,
  layers,
  hiddenSize: hidden,
  contextLength: context,
  licence,
  template: 'qwen2_5',
  tokenizer: 'qwen3',
  thinking: false,
  loraTargets: QWEN_TARGETS,
});
const qwen3 = (size: string, params: number, layers: number, hidden: number, context: number): CatalogModel => ({
  id: `Qwen/Qwen3-${size}`,
  family: 'Qwen3',
  architecture: 'Qwen3ForCausalLM',
  params,
  layers,
  hiddenSize: hidden,
  contextLength: context,
  licence: 'Apache-2.0',
  template: 'qwen3',
  tokenizer: 'qwen3',
  thinking: true,
  loraTargets: QWEN_TARGETS,
});

export const CATALOG: CatalogModel[] = [
  qwen25('0.5B', 0.49, 24, 896, 32_768),
  qwen25('1.5B', 1.54, 28, 1536, 32_768),
  qwen25('3B', 3.09, 36, 2048, 32_768, 'Qwen Research'),
  qwen25('7B', 7.61, 28, 3584, 131_072),
  qwen3('0.6B', 0.6, 28, 1024, 40_960),
  qwen3('1.7B', 1.7, 28, 2048, 40_960),
  qwen3('4B', 4.0, 36, 2560, 40_960),
  qwen3('8B', 8.2, 36, 4096, 131_072),
  {
    ...qwen3('30B-A3B', 30.5, 48, 2048, 131_072),
    architecture: 'Qwen3MoeForCausalLM',
    activeParams: 3.3,
    loraTargets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'],
  },
  ...(['1.5B', '7B'] as const).map((size): CatalogModel => ({
    id: `deepseek-ai/DeepSeek-R1-Distill-Qwen-${size}`,
    family: 'DeepSeek-R1-Distill',
    architecture: 'Qwen2ForCausalLM',
    params: size === '1.5B' ? 1.78 : 7.62,
    layers: 28,
    hiddenSize: size === '1.5B' ? 1536 : 3584,
    contextLength: 131_072,
    licence: 'MIT',
    template: 'deepseek_r1',
    tokenizer: 'deepseek_v3',
    thinking: true,
    loraTargets: QWEN_TARGETS,
  })),
  ...(['1.3b', '6.7b'] as const).map((size): CatalogModel => ({
    id: `deepseek-ai/deepseek-coder-${size}-instruct`,
    family: 'deepseek-coder',
    architecture: 'LlamaForCausalLM',
    params: size === '1.3b' ? 1.35 : 6.74,
    layers: size === '1.3b' ? 24 : 32,
    hiddenSize: size === '1.3b' ? 2048 : 4096,
    contextLength: 16_384,
    licence: 'DeepSeek License',
    template: 'deepseek_coder',
    tokenizer: 'deepseek_v3',
    thinking: false,
    loraTargets: QWEN_TARGETS,
  })),
  {
    id: 'deepseek-ai/DeepSeek-V2-Lite-Chat',
    family: 'DeepSeek-V2',
    architecture: 'DeepseekV2ForCausalLM',
    params: 15.7,
    activeParams: 2.4,
    layers: 27,
    hiddenSize: 2048,
    contextLength: 32_768,
    licence: 'DeepSeek License',
    template: 'deepseek_v2',
    tokenizer: 'deepseek_v3',
    thinking: false,
    loraTargets: ['q_proj', 'kv_a_proj_with_mqa', 'kv_b_proj', 'o_proj'],
  },
];

/** Random weights around the real tokenizer and chat template: for tests and the CPU demo, not for use. */
const tiny = (family: 'qwen3' | 'deepseek_v3'): CatalogModel => ({
  id: `llm-trainer/tiny-${family.replace('_', '-')}`,
  family: 'Tiny test',
  architecture: family === 'qwen3' ? 'Qwen3ForCausalLM' : 'DeepseekV3ForCausalLM',
  params: 0.0001,
  layers: 2,
  hiddenSize: 64,
  contextLength: 2048,
  licence: 'Apache-2.0',
  template: family === 'qwen3' ? 'qwen3' : 'deepseek_r1',
  tokenizer: family,
  thinking: family === 'qwen3',
  loraTargets: family === 'qwen3' ? ['q_proj', 'v_proj'] : ['q_a_proj', 'q_b_proj', 'kv_b_proj', 'o_proj'],
  tinyFamily: family,
});
CATALOG.push(tiny('qwen3'), tiny('deepseek_v3'));

export const findModel = (id: string) => CATALOG.find((m) => m.id === id);
