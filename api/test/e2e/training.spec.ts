// End to end through the real API, pg-boss queue, worker agent and Python trainer, on CPU with the
// tiny Qwen3 (random weights, real tokenizer and chat template).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import {
  CREATE_RUN,
  FINISHED,
  agentWorkRoot,
  chatRows,
  datasetVersion,
  repoRoot,
  startAgent,
  tinyRun,
  trainerPython,
  waitForRun,
} from '../training.js';

let app: TestApp;
let user: TestUser;
let agent: Agent;
let projectId: string;
let chatVersion: string;

beforeAll(async () => {
  app = await startTestApp({ RUN_LEASE_SECONDS: '10', RUN_QUEUE_MONITOR_SECONDS: '1', RUN_RETRY_DELAY_SECONDS: '0' });
  user = await createUser(app, ['MEMBER'], 'trainer');
  projectId = await createProject(app, user.token, 'Training');
  chatVersion = await datasetVersion(app, user, projectId, 'chat', chatRows(24));
  agent = await startAgent(app, await loginAdmin(app), 'cpu-1');
}, 120_000);
afterAll(async () => {
  await agent?.stop();
  await app?.close();
});

describe('a LoRA SFT run of the tiny Qwen3, through the platform', () => {
  let runId: string;

  it('is queued, claimed, trained and SUCCEEDED, with its per-step metrics and checkpoints stored', async () => {
    const created = await app.gql(CREATE_RUN, { i: tinyRun(chatVersion) }, user.token);
    expect(created.errors).toBeUndefined();
    runId = created.data!.createRun.id;
    expect(created.data!.createRun.status).toBe('QUEUED');
    const run = await waitForRun(app, user.token, runId, (r) => FINISHED.includes(r.status));
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.progress).toEqual({ step: 6, totalSteps: 6 });
    expect(run.finalMetrics!.global_step).toBe(6);
    expect(run.chatTemplate).toContain('<|im_start|>');

    const detail = await app.gql(
      `query($id: ID!) { run(id: $id) {
        workerName
        attempts { nodes { number workerName outcome resumedFromStep } }
        checkpoints { nodes { step sizeBytes } }
        events(kinds: ["metric"], first: 100) { totalCount nodes { payload } }
      } }`,
      { id: runId },
      user.token,
    );
    const r = detail.data!.run;
    expect(r.attempts.nodes).toEqual([{ number: 1, workerName: 'cpu-1', outcome: 'SUCCEEDED', resumedFromStep: null }]);
    expect(r.checkpoints.nodes.map((c: { step: number }) => c.step)).toEqual([6, 4, 2]);
    expect(r.checkpoints.nodes[0].sizeBytes).toBeGreaterThan(1000);
    expect(r.events.totalCount).toBe(6);
    const { rows } = await app.runtime.pool.query(
      `select step, value from run_metrics where run_id = $1 and key = 'loss' order by step`,
      [runId],
    );
    expect(rows.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows.every((m) => Number.isFinite(m.value))).toBe(true);
  }, 240_000);

  it('registers a model version whose adapter downloads, loads onto the base model and generates', async () => {
    const res = await app.gql(
      `query($p: ID!) { modelVersions(projectId: $p) { nodes {
        id number kind files sizeBytes chatTemplate baseModelId downloadPath metrics run { id } datasetVersion { id dataset { name } }
      } } }`,
      { p: projectId },
      user.token,
    );
    const [version] = res.data!.modelVersions.nodes;
    expect(version).toMatchObject({
      number: 1,
      kind: 'lora_adapter',
      baseModelId: 'llm-trainer/tiny-qwen3',
      run: { id: runId },
      datasetVersion: { id: chatVersion, dataset: { name: 'chat' } },
    });
    expect(version.sizeBytes).toBeGreaterThan(1000);
    expect(version.files).toEqual(expect.arrayContaining(['adapter_model.safetensors', 'adapter_config.json']));
    expect(version.chatTemplate).toContain('<|im_start|>');

    const download = await fetch(`${app.url}${version.downloadPath}`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(download.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'llmt-model-'));
    const archive = join(dir, 'model.tar.gz');
    writeFileSync(archive, Buffer.from(await download.arrayBuffer()));
    await tar.x({ file: archive, cwd: dir });
    // Portable: the base model by its catalogue id, not the worker's path; a model card; no pickles.
    const adapterConfig = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(adapterConfig.base_model_name_or_path).toBe('llm-trainer/tiny-qwen3');
    const card = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(card).toContain('base_model: llm-trainer/tiny-qwen3');
    expect(card).toMatch(/Dataset: chat v\d+/);
    expect(card).toContain('PeftModel.from_pretrained');
    expect(readdirSync(dir).filter((f) => /\.(bin|pt|pth|pkl)$/.test(f))).toEqual([]);
    const base = join(agentWorkRoot, 'cpu-1', 'models', 'tiny-qwen3');
    const script = `
import sys, torch
from transformers import AutoModelForCausalLM
from peft import PeftModel
from llmtrainer.modeling import load_tokenizer
base, adapter = sys.argv[1], sys.argv[2]
tok = load_tokenizer(adapter)
model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), adapter)
ids = tok.apply_chat_template([{"role": "user", "content": "1 + 1?"}], add_generation_prompt=True, return_tensors="pt", return_dict=True)
out = model.generate(**ids, max_new_tokens=5, do_sample=False)
print(out.shape[1] - ids["input_ids"].shape[1])
`;
    // Asynchronously: the API in this process keeps serving meanwhile.
    const gen = await promisify(execFile)(trainerPython(), ['-c', script, base, dir], {
      env: { ...process.env, PYTHONPATH: join(repoRoot, 'workers', 'trainer', 'src') },
    });
    expect(Number(gen.stdout.trim())).toBeGreaterThan(0);

    const outsider = await createUser(app, ['MEMBER'], 'outsider');
    const refused = await fetch(`${app.url}${version.downloadPath}`, {
      headers: { authorization: `Bearer ${outsider.token}` },
    });
    expect(refused.status).toBe(404);
  }, 120_000);
});

describe('a DPO run on a preference dataset', () => {
  it('SUCCEEDED with a model version', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({
      prompt: `问题 ${i}: 2 + ${i}?`,
      chosen: `${2 + i}`,
      rejected: `${3 + i} (wrong)`,
    }));
    const prefs = await datasetVersion(app, user, projectId, 'prefs', rows);
    const created = await app.gql(
      CREATE_RUN,
      { i: tinyRun(prefs, { maxSteps: 3, saveSteps: 3 }, { objective: 'DPO' }) },
      user.token,
    );
    expect(created.errors).toBeUndefined();
    const run = await waitForRun(app, user.token, created.data!.createRun.id, (r) => FINISHED.includes(r.status));
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    const versions = await app.gql(
      `query($p: ID!) { modelVersions(projectId: $p) { totalCount nodes { run { objective } kind } } }`,
      { p: projectId },
      user.token,
    );
    expect(versions.data!.modelVersions.nodes[0]).toEqual({ run: { objective: 'dpo' }, kind: 'lora_adapter' });
  }, 240_000);
});
