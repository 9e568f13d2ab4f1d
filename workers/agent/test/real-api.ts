// The real API (api/test/test-app.ts) with one registered worker, for tests of the agent's side of the
// protocol: runs are created as a user would and claimed with the agent's own client and operations.
import { createProject, createUser, loginAdmin, type TestUser } from '../../../api/test/factories.js';
import { startTestApp, type TestApp } from '../../../api/test/test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../../../api/test/training.js';
import { ApiClient } from '../src/api-client.js';
import { ClaimJobDocument, RegisterWorkerDocument } from '../src/graphql/generated/graphql.js';
import type { ClaimedJobOf } from '../src/job-executor.js';

export interface RealApi {
  app: TestApp;
  user: TestUser;
  /** The worker's token (lt_pat_…). */
  token: string;
  /** The worker's client, straight to the API. */
  api: ApiClient;
  /** Queues a run and claims it as the worker: a training job in hand, with an empty event log. */
  heldTrainingJob(): Promise<ClaimedJobOf<'TrainingJob'>>;
  /** The seqs stored for the attempt, in the order they were stored. */
  storedSeqs(runId: string, attempt: number): Promise<number[]>;
  close(): Promise<void>;
}

export async function startRealApi(): Promise<RealApi> {
  // Several runs of one project are held at once (one per test).
  const app = await startTestApp({ RUN_PROJECT_CONCURRENCY: '20' });
  const admin = await loginAdmin(app);
  const user = await createUser(app, ['MEMBER'], 'agent-tests');
  const projectId = await createProject(app, user.token, 'Agent tests');
  const version = await datasetVersion(app, user, projectId, 'rows', chatRows(4));
  const token = await workerToken(app, admin, 'agent-test-worker');
  const api = new ApiClient(app.url, token, 10_000);
  await api.graphql(RegisterWorkerDocument, {
    input: { hostname: 'agent-tests', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' },
  });
  return {
    app,
    user,
    token,
    api,
    async heldTrainingJob() {
      const created = await app.gql(CREATE_RUN, { i: tinyRun(version) }, user.token);
      if (!created.data?.createRun) throw new Error(`createRun failed: ${JSON.stringify(created.errors)}`);
      const { claimJob } = await api.graphql(ClaimJobDocument, { capabilities: { kinds: ['TRAINING'] } });
      if (claimJob?.__typename !== 'TrainingJob' || claimJob.id !== created.data.createRun.id)
        throw new Error(`expected to claim run ${created.data.createRun.id}, got ${JSON.stringify(claimJob)}`);
      return claimJob;
    },
    async storedSeqs(runId, attempt) {
      const { rows } = await app.runtime.pool.query<{ seq: number }>(
        'select seq from run_events where run_id = $1 and attempt = $2 order by id',
        [runId, attempt],
      );
      return rows.map((r) => r.seq);
    },
    close: () => app.close(),
  };
}
