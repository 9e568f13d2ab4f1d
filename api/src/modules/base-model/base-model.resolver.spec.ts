import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';

let app: TestApp;
let user: TestUser;

beforeAll(async () => {
  app = await startTestApp();
  user = await createUser(app, ['VIEWER'], 'catalogue');
});
afterAll(() => app.close());

describe('base model catalogue', () => {
  it('lists the catalogue for the model picker', async () => {
    const res = await app.gql(
      `{ baseModels(first: 100) { totalCount nodes { id architecture contextLength thinking } } }`,
      {},
      user.token,
    );
    const ids = res.data!.baseModels.nodes.map((m: { id: string }) => m.id);
    expect(res.data!.baseModels.totalCount).toBe(16);
    expect(ids).toEqual(expect.arrayContaining(['llm-trainer/tiny-qwen3', 'llm-trainer/tiny-deepseek-v3']));
    expect(ids).toContain('Qwen/Qwen3-30B-A3B');
    expect(ids).toContain('deepseek-ai/DeepSeek-V2-Lite-Chat');
    const moe = await app.gql(`{ baseModel(id: "Qwen/Qwen3-30B-A3B") { architecture activeParams } }`, {}, user.token);
    expect(moe.data!.baseModel).toEqual({ architecture: 'Qwen3MoeForCausalLM', activeParams: 3.3 });
  });

  it('filters by family and names an unknown id', async () => {
    const qwen3 = await app.gql(`{ baseModels(first: 100, family: "Qwen3") { nodes { family } } }`, {}, user.token);
    expect(new Set(qwen3.data!.baseModels.nodes.map((m: { family: string }) => m.family))).toEqual(new Set(['Qwen3']));
    const unknown = await app.gql(`{ baseModel(id: "meta/llama-9") { id } }`, {}, user.token);
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
  });
});
