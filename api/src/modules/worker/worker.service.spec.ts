import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, loginAdmin } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';

const CREATE = `mutation($name: String!) { createWorkerToken(name: $name) { token worker { id name online } } }`;
const REGISTER = `mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) { id hostname gpus cpuCount online } }`;
const machine = {
  hostname: 'gpu-01',
  gpus: [{ index: 0, name: 'NVIDIA H200', memoryMb: 143_771 }],
  cpuCount: 16,
  memoryMb: 131_072,
  agentVersion: '0.1.0',
};

let app: TestApp;
let adminToken: string;
beforeAll(async () => {
  app = await startTestApp();
  adminToken = (await loginAdmin(app)).token;
});
afterAll(() => app.close());

async function newWorker(name: string) {
  const res = await app.gql(CREATE, { name }, adminToken);
  expect(res.errors).toBeUndefined();
  return res.data!.createWorkerToken as { token: string; worker: { id: string; online: boolean } };
}

describe('workers', () => {
  it('a member sees what the pool can run, in counts only: a CPU-only pool says so', async () => {
    const member = await createUser(app, ['MEMBER'], 'planner');
    const POOL = `{ workerPool { registered online maxGpus cpuOnly } }`;
    const pool = async () => (await app.gql(POOL, {}, member.token)).data!.workerPool;
    expect(await pool()).toEqual({ registered: 0, online: 0, maxGpus: null, cpuOnly: false });
    const { token, worker } = await newWorker('cpu-pool');
    await app.gql(REGISTER, { input: { ...machine, hostname: 'cpu-pool', gpus: [] } }, token);
    expect(await pool()).toEqual({ registered: 1, online: 1, maxGpus: 0, cpuOnly: true });
    // The workers themselves (names, hosts) stay for those who manage them.
    expect(errorCode(await app.gql(`{ workers { totalCount } }`, {}, member.token))).toBe('FORBIDDEN');
    await app.gql(`mutation($id: ID!) { revokeWorkerToken(id: $id) { id } }`, { id: worker.id }, adminToken);
    expect((await pool()).registered).toBe(0);
  });

  it('an administrator creates a worker token; the agent registers and heartbeats with it', async () => {
    const { token, worker } = await newWorker('gpu-01');
    expect(worker.online).toBe(false);
    const registered = (await app.gql(REGISTER, { input: machine }, token)).data!.registerWorker;
    expect(registered).toMatchObject({ id: worker.id, hostname: 'gpu-01', cpuCount: 16, online: true });
    expect(registered.gpus).toEqual([{ index: 0, name: 'NVIDIA H200', memoryMb: 143_771 }]);
    expect((await app.gql(`mutation { workerHeartbeat { workerId } }`, {}, token)).data!.workerHeartbeat.workerId).toBe(
      worker.id,
    );
    const list = await app.gql(`{ workers { nodes { name online gpus } totalCount } }`, {}, adminToken);
    expect(list.data!.workers.nodes).toContainEqual({ name: 'gpu-01', online: true, gpus: machine.gpus });
  });

  it('a worker token cannot call user operations, and users cannot call worker operations', async () => {
    const { token } = await newWorker('gpu-02');
    for (const query of [
      '{ me { id } }',
      '{ projects { totalCount } }',
      'mutation { createProject(input: { name: "x" }) { id } }',
    ]) {
      expect(errorCode(await app.gql(query, {}, token))).toBe('FORBIDDEN');
    }
    const member = await createUser(app, ['MEMBER'], 'human');
    expect(errorCode(await app.gql(REGISTER, { input: machine }, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(`mutation { workerHeartbeat { workerId } }`, {}, adminToken))).toBe('FORBIDDEN');
  });

  it('revoking stops the token at once', async () => {
    const { token, worker } = await newWorker('gpu-03');
    await app.gql(`mutation($id: ID!) { revokeWorkerToken(id: $id) { revokedAt } }`, { id: worker.id }, adminToken);
    expect(errorCode(await app.gql(`mutation { workerHeartbeat { workerId } }`, {}, token))).toBe('UNAUTHENTICATED');
  });

  it('refuses bad names, duplicates and bad machine reports, naming the field', async () => {
    expect((await app.gql(CREATE, { name: 'GPU 01!' }, adminToken)).errors![0].extensions!.fields[0].field).toBe(
      'name',
    );
    expect(errorCode(await app.gql(CREATE, { name: 'gpu-01' }, adminToken))).toBe('CONFLICT');
    const { token } = await newWorker('gpu-04');
    const bad = await app.gql(REGISTER, { input: { ...machine, cpuCount: 0, hostname: ' ' } }, token);
    expect(bad.errors![0].extensions!.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'input.cpuCount',
      'input.hostname',
    ]);
  });
});
