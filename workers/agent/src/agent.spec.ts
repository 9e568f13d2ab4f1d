// The claim loop's dispatch. The real API hands out only the kinds it has, so a job of a kind this agent
// cannot run comes from a small HTTP server standing in for a newer API.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AGENT_VERSION, Agent } from './agent.js';
import { ApiClient } from './api-client.js';
import type { AgentConfig } from './config.js';
import { EvaluationExecutor, evaluationRunner } from './evaluation-executor.js';
import { dispatch, type ClaimedJob } from './job-executor.js';
import { TrainingExecutor, trainingRunner } from './training-executor.js';

const root = mkdtempSync(join(tmpdir(), 'llmt-dispatch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Call {
  operation: string;
  variables: Record<string, any>;
}

/** Answers the worker operations with `answers[operation](variables)`; records every call. */
async function standInApi(answers: Record<string, (variables: Record<string, any>) => unknown>) {
  const calls: Call[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, any> };
      const operation = /mutation\s+(\w+)/.exec(query)![1];
      calls.push({ operation, variables });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: answers[operation](variables) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const config = (apiUrl: string, name: string): AgentConfig => ({
  apiUrl,
  token: 'lt_pat_stand_in',
  workDir: join(root, name),
  python: process.execPath, // never started: no job here trains
  pollSeconds: 0.05,
  cancelGraceSeconds: 5,
  trainerMode: 'noop',
  relayMemoryEvents: 100,
  trainerEnv: {},
  hostname: name,
});

afterEach(() => vi.restoreAllMocks());

describe('claim dispatch', () => {
  it('claims only the kinds it runs and starts each job on its kind’s executor', () => {
    const api = new ApiClient('http://127.0.0.1:1', 'lt_pat_unused');
    const cfg = config('http://127.0.0.1:1', 'typed');
    const runners = { TrainingJob: trainingRunner(api, cfg), EvaluationJob: evaluationRunner(api, cfg) };
    runners.TrainingJob.setUp?.();
    runners.EvaluationJob.setUp?.();
    const job: ClaimedJob = {
      __typename: 'TrainingJob',
      kind: 'TRAINING',
      id: randomUUID(),
      attempt: 3,
      leaseSeconds: 30,
      spec: {},
      trainRows: 4,
      validationRows: 0,
      resumeFromStep: null,
    };
    const found = dispatch(job, runners);
    expect('executor' in found && found.executor).toBeInstanceOf(TrainingExecutor);
    expect('executor' in found && found.executor.job).toEqual({ kind: 'TRAINING', id: job.id, attempt: 3 });

    const evaluation: ClaimedJob = {
      __typename: 'EvaluationJob',
      kind: 'EVALUATION',
      id: randomUUID(),
      attempt: 1,
      leaseSeconds: 30,
      spec: {},
      targets: [{ key: 'base-tiny-qwen3', modelVersionId: null }],
      rows: 4,
      storedExamples: 0,
    };
    const evaluator = dispatch(evaluation, runners);
    expect('executor' in evaluator && evaluator.executor).toBeInstanceOf(EvaluationExecutor);
    // A payload that does not match its kind is refused, not run on the wrong executor.
    expect(dispatch({ ...evaluation, kind: 'TRAINING' }, runners)).toEqual({
      unsupported: 'this agent cannot run TRAINING jobs (payload EvaluationJob); it runs TRAINING, EVALUATION',
    });
  });

  it('does not run a job of a kind it does not know, and reports it as failed, saying why', async () => {
    const id = randomUUID();
    let handedOut = false;
    let reported!: (input: Record<string, any>) => void;
    const completion = new Promise<Record<string, any>>((resolve) => (reported = resolve));
    const api = await standInApi({
      RegisterWorker: () => ({ registerWorker: { id: randomUUID(), name: 'stand-in-1' } }),
      WorkerHeartbeat: ({ jobs }) => ({
        workerHeartbeat: {
          receivedAt: new Date().toISOString(),
          leases: jobs.map((j: object) => ({ ...j, valid: true, cancelRequested: false })),
        },
      }),
      ClaimJob: () => {
        if (handedOut) return { claimJob: null };
        handedOut = true;
        // A kind from a newer API: neither its payload type nor its kind is known to this build.
        return { claimJob: { __typename: 'ExportJob', kind: 'EXPORT', id, attempt: 1, leaseSeconds: 30 } };
      },
      CompleteJob: ({ input }) => {
        reported(input);
        return { completeJob: { ...input.job, status: 'QUEUED' } };
      },
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const agent = new Agent(config(api.url, 'unknown-kind'));
    try {
      await agent.start();
      const input = await completion;
      expect(input).toMatchObject({
        job: { kind: 'EXPORT', id, attempt: 1 },
        outcome: 'FAILED',
        reason: 'unsupported_kind',
      });
      expect(input.message).toBe(
        `worker stand-in-1 (agent ${AGENT_VERSION}): this agent cannot run EXPORT jobs (payload ExportJob); it runs TRAINING, EVALUATION`,
      );
      expect(errors).toHaveBeenCalledWith(expect.stringContaining(`not running export job ${id} attempt 1`));
    } finally {
      await agent.stop();
      await api.close();
    }
    // It asked only for what it runs, never held the job (no lease renewed, nothing written for it).
    const claims = api.calls.filter((c) => c.operation === 'ClaimJob');
    expect(claims[0].variables).toEqual({ capabilities: { kinds: ['TRAINING', 'EVALUATION'] } });
    const heartbeats = api.calls.filter((c) => c.operation === 'WorkerHeartbeat');
    expect(heartbeats.length).toBeGreaterThan(0);
    expect(heartbeats.every((c) => c.variables.jobs.length === 0)).toBe(true);
    expect(existsSync(join(root, 'unknown-kind', 'runs'))).toBe(false);
    expect(existsSync(join(root, 'unknown-kind', 'evaluations'))).toBe(false);
    expect(api.calls.filter((c) => c.operation === 'CompleteJob')).toHaveLength(1);
  });
});
