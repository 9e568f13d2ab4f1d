import { describe, expect, it } from 'vitest';
import { renderRow } from './render.js';

// Rare CJK (龘 囧 𠮷 outside the BMP), common characters split across byte-level tokens, emoji with
// joiners: each token alone may be part of a UTF-8 sequence, so a per-token decode shows "�".
const QUESTION = '2 加 2 等于多少？龘囧𠮷';
const ANSWER = '等于 4。👨‍👩‍👧 🚀 繁體字測試：鬱龘靐齉';
const row = {
  messages: [
    { role: 'user' as const, content: QUESTION },
    { role: 'assistant' as const, content: ANSWER },
  ],
};

describe('template preview tokens', () => {
  for (const model of [
    'Qwen/Qwen3-0.6B',
    'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
    'deepseek-ai/DeepSeek-V2-Lite-Chat',
  ]) {
    it(`${model}: the tokens' texts join into the rendered text, with no replacement character`, () => {
      const r = renderRow(row as never, model, 512);
      expect(r.truncatedAt).toBeNull();
      const joined = r.tokens.map((t) => t.text).join('');
      expect(joined).not.toContain('\uFFFD');
      expect(joined).toBe(r.text);
      const trained = r.tokens
        .filter((t) => t.trained)
        .map((t) => t.text)
        .join('');
      expect(trained).toContain(ANSWER);
      expect(
        r.tokens
          .filter((t) => !t.trained)
          .map((t) => t.text)
          .join(''),
      ).toContain(QUESTION);
    });
  }

  it('keeps one entry per token, so the counts still match the trainer', () => {
    const r = renderRow(row as never, 'Qwen/Qwen3-0.6B', 512);
    expect(r.tokens).toHaveLength(r.totalTokens);
  });
});
