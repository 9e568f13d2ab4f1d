// What the executor fetches before training, over a connection that breaks mid-transfer: a small HTTP
// server stands in for the API, and a stand-in "python" keeps the dataset the trainer was given.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.js';
import type { AgentConfig } from './config.js';
import { TrainingExecutor } from './training-executor.js';

const root = mkdtempSync(join(tmpdir(), 'llmt-executor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the dataset download', () => {
  it('is started again when the connection breaks mid-body; the trainer gets every row', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ text: `row ${i} 第 ${i} 行` })).join('\n');
    const body = Buffer.from(`${rows}\n`);
    let downloads = 0;
    let completed!: (input: Record<string, any>) => void;
    const completion = new Promise<Record<string, any>>((resolve) => (completed = resolve));
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.includes('/dataset')) {
        // The first answer breaks off after half its body, as a cut connection leaves it.
        if (downloads++ === 0) {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write(body.subarray(0, body.length / 2), () => res.socket!.destroy());
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(body);
        return;
      }
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        const { variables } = JSON.parse(text) as { variables: { input: Record<string, any> } };
        completed(variables.input);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: { completeJob: { status: 'FAILED', attempt: 1 } } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The stand-in trainer keeps what it was given, then exits without a word (the run "crashes").
    const kept = join(root, 'kept.jsonl');
    const python = join(root, 'python');
    writeFileSync(python, `#!/bin/sh\ncp train.jsonl '${kept}'\n`);
    chmodSync(python, 0o755);
    const config: AgentConfig = {
      apiUrl: url,
      token: 'lt_pat_stand_in',
      workDir: join(root, 'work'),
      python,
      pollSeconds: 1,
      cancelGraceSeconds: 5,
      trainerMode: 'train',
      relayMemoryEvents: 100,
      trainerEnv: {},
      hostname: 'stand-in',
    };
    const executor = new TrainingExecutor(
      {
        __typename: 'TrainingJob',
        kind: 'TRAINING',
        id: randomUUID(),
        attempt: 1,
        leaseSeconds: 30,
        spec: { base_model: { catalog_id: 'x', hf_id: 'x/y', tiny_family: null }, hyperparameters: {} },
        trainRows: 2000,
        validationRows: 0,
        resumeFromStep: null,
      },
      new ApiClient(url, config.token),
      config,
      { python, env: {}, tinyModel: () => Promise.reject(new Error('no tiny model here')) },
    );
    try {
      await executor.execute();
      const outcome = await completion;
      // It went on to train (the stand-in trainer then ended without an outcome): not an agent error.
      expect(outcome).toMatchObject({ outcome: 'FAILED', reason: 'crashed' });
      expect(downloads).toBe(2);
      expect(readFileSync(kept)).toEqual(body);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
