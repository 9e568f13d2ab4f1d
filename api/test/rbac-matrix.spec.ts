import { randomUUID } from 'node:crypto';
import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppSchema } from '../src/graphql/schema.js';
import { nestedFieldRules, rootFieldRules } from '../src/graphql/shield.js';
import { sha256 } from '../src/modules/auth/tokens.js';
import { BUILT_IN_ROLES, type Permission } from '../src/modules/role/permissions.js';
import { createApiToken, createProject, createUser, login, loginAdmin, type TestUser } from './factories.js';
import { sampleOperation } from './sample-operation.js';
import { startTestApp, type GraphQLResponse, type TestApp } from './test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from './training.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** The first result (or error) of a subscription, as a GraphQL response. */
function firstOverWebSocket(
  app: TestApp,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<GraphQLResponse> {
  const client = createClient({
    url: `${app.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0, // a refused socket is the answer, not a reason to retry
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
  return new Promise<GraphQLResponse>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => resolve(value as GraphQLResponse),
        error: (error) => {
          if (Array.isArray(error)) return resolve({ errors: error });
          // A socket the server would not open (no or a bad token) is a refusal too.
          const close = error as { code?: number; reason?: string };
          if (close.code === 4403 || close.code === 4401)
            return resolve({ errors: [{ message: close.reason ?? '', extensions: { code: 'UNAUTHENTICATED' } }] });
          resolve({ errors: [{ message: String(close.reason ?? error) }] });
        },
        complete: () => resolve({ data: null }),
      },
    );
  }).finally(() => client.dispose());
}

/**
 * Who may call each operation, written down independently of the rules files. A new operation fails
 * this test until it is added here, so nothing ships without a decision about its access.
 */
type Access = 'public' | 'signed-in' | 'password-session' | Permission;

/** Worker tokens (role WORKER) may call public and worker operations only. */
const EXPECTED: Record<string, Access> = {
  'Query.me': 'signed-in',
  'Query.users': 'user:manage',
  'Query.user': 'user:manage',
  'Query.roles': 'signed-in',
  'Query.projects': 'signed-in',
  'Query.project': 'signed-in',
  'Query.apiTokens': 'signed-in',
  'Query.auditEvents': 'audit:read',
  'Mutation.register': 'public',
  'Mutation.login': 'public',
  'Mutation.refreshToken': 'public',
  'Mutation.logout': 'public',
  'Mutation.updateProfile': 'signed-in',
  'Mutation.changePassword': 'password-session',
  'Mutation.createUser': 'user:manage',
  'Mutation.setUserRoles': 'user:manage',
  'Mutation.disableUser': 'user:manage',
  'Mutation.enableUser': 'user:manage',
  'Mutation.createRole': 'user:manage',
  'Mutation.createProject': 'project:create',
  'Mutation.updateProject': 'project:manage',
  'Mutation.archiveProject': 'project:manage',
  'Mutation.addProjectMember': 'project:manage',
  'Mutation.setProjectMemberRole': 'project:manage',
  'Mutation.removeProjectMember': 'project:manage',
  'Mutation.createApiToken': 'password-session',
  'Mutation.revokeApiToken': 'signed-in',
  'Query.datasets': 'dataset:read',
  'Query.dataset': 'dataset:read',
  'Query.datasetVersion': 'dataset:read',
  'Query.detectUpload': 'dataset:read',
  'Mutation.createDataset': 'dataset:write',
  'Mutation.updateDataset': 'dataset:write',
  'Mutation.deleteDataset': 'dataset:write',
  'Mutation.createDatasetVersion': 'dataset:write',
  'Subscription.datasetVersionProgress': 'dataset:read',
  'Query.diffDatasetVersions': 'dataset:read',
  'Query.renderDatasetRow': 'dataset:read',
  'Mutation.applyDatasetPipeline': 'dataset:write',
  'Mutation.editDatasetRows': 'dataset:write',
  'Query.baseModels': 'signed-in',
  'Query.baseModel': 'signed-in',
  'Query.estimateRun': 'run:create',
  'Query.runDefaults': 'run:create',
  'Query.workers': 'worker:manage',
  'Query.workerPool': 'signed-in',
  'Mutation.createWorkerToken': 'worker:manage',
  'Mutation.revokeWorkerToken': 'worker:manage',
  'Mutation.registerWorker': 'worker:run',
  'Mutation.workerHeartbeat': 'worker:run',
  'Query.runs': 'run:read',
  'Query.run': 'run:read',
  'Mutation.createRun': 'run:create',
  'Mutation.cancelRun': 'run:cancel',
  'Mutation.retryRun': 'run:create',
  'Subscription.runUpdated': 'run:read',
  'Mutation.claimJob': 'worker:run',
  'Mutation.reportJobEvents': 'worker:run',
  'Mutation.completeJob': 'worker:run',
  'Query.myRuns': 'run:read',
  'Subscription.runMetrics': 'run:read',
  'Subscription.runLogs': 'run:read',
  'Subscription.workerUpdated': 'worker:manage',
  'Query.modelVersions': 'model:read',
  'Query.modelVersion': 'model:read',
  'Query.evaluations': 'model:read',
  'Query.evaluation': 'model:read',
  'Mutation.createEvaluation': 'evaluation:create',
  'Mutation.cancelEvaluation': 'evaluation:create',
  'Mutation.retryEvaluation': 'evaluation:create',
  'Subscription.evaluationUpdated': 'model:read',
  'Mutation.clearSignInThrottle': 'user:manage',
  'Query.invites': 'user:manage',
  'Mutation.createInvite': 'user:manage',
  'Mutation.revokeInvite': 'user:manage',
};

const ROOTS = [
  ['Query', 'query'],
  ['Mutation', 'mutation'],
  ['Subscription', 'subscription'],
] as const;

async function rootFields() {
  const schema = await buildAppSchema();
  return ROOTS.flatMap(([typeName, kind]) => {
    const type = schema.getType(typeName) as GraphQLObjectType | undefined;
    return type ? Object.values(type.getFields()).map((field) => ({ typeName, kind, field, schema })) : [];
  });
}

describe('every operation has a rule', () => {
  it('each Query/Mutation/Subscription field has an explicit shield rule and an expected access', async () => {
    const rules = rootFieldRules();
    const missingRule: string[] = [];
    const missingExpectation: string[] = [];
    for (const { typeName, field } of await rootFields()) {
      if (!(field.name in rules[typeName])) missingRule.push(`${typeName}.${field.name}`);
      if (!(`${typeName}.${field.name}` in EXPECTED)) missingExpectation.push(`${typeName}.${field.name}`);
    }
    expect(missingRule).toEqual([]);
    expect(missingExpectation).toEqual([]);
  });
});

type RootField = Awaited<ReturnType<typeof rootFields>>[number];

/**
 * Calls one operation (sample arguments) with `token` and says what went wrong, or null when the answer
 * matches `expectedAllowed`. Allowed means data or a domain error (NOT_FOUND, BAD_USER_INPUT…); refused
 * means FORBIDDEN or UNAUTHENTICATED; a crash (INTERNAL_SERVER_ERROR) is never an answer.
 */
async function verdict(app: TestApp, op: RootField, token: string | undefined, expectedAllowed: boolean) {
  const key = `${op.typeName}.${op.field.name}`;
  const { query, variables } = sampleOperation(op.schema, op.kind, op.field);
  const res =
    op.kind === 'subscription'
      ? await firstOverWebSocket(app, query, variables, token)
      : await app.gql(query, variables, token);
  const code = res.errors?.[0]?.extensions?.code;
  // Public operations may answer UNAUTHENTICATED for bad credentials; only "Sign in first" is a refusal.
  const refused =
    code === 'FORBIDDEN' ||
    (code === 'UNAUTHENTICATED' && (EXPECTED[key] !== 'public' || res.errors![0].message === 'Sign in first'));
  const broken = code === 'INTERNAL_SERVER_ERROR' || (!res.data && !res.errors?.length);
  if (broken) return `${key}: ${code ?? 'no data and no error'}: ${res.errors?.[0]?.message ?? ''}`;
  if (refused === expectedAllowed)
    return `${key}: expected ${expectedAllowed ? 'allowed' : 'refused'}, got ${code ?? 'data'}`;
  return null;
}

describe('built-in roles × operations', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const allows = (access: Access, permissions: readonly string[] | null) => {
    if (access === 'public') return true;
    if (permissions === null) return false;
    const worker = permissions.includes('worker:run');
    if (access === 'signed-in' || access === 'password-session') return !worker;
    return permissions.includes(access);
  };

  const callers: [string, readonly string[] | null][] = [
    ['anonymous', null],
    ...Object.entries(BUILT_IN_ROLES).map(([name, role]) => [name, role.permissions] as [string, readonly string[]]),
  ];

  for (const [caller, permissions] of callers) {
    it(`${caller}: refused exactly the operations its permissions do not cover`, async () => {
      // A fresh sign-in per operation, since some (logout) end the session they run in.
      const results: string[] = [];
      const account = permissions ? await createUser(app, [caller], caller.toLowerCase()) : null;
      for (const op of await rootFields()) {
        const token = account ? (await login(app, account.email, account.password)).token : undefined;
        const problem = await verdict(app, op, token, allows(EXPECTED[`${op.typeName}.${op.field.name}`], permissions));
        if (problem) results.push(problem);
      }
      expect(results).toEqual([]);
    });
  }
});

/** A personal API token of the worker account behind `workerSecret`, with exactly `scopes` (none can be asked for). */
async function workerAccountToken(app: TestApp, workerSecret: string, scopes: string[]): Promise<string> {
  const secret = `lt_pat_${randomUUID().replaceAll('-', '')}`;
  await app.runtime.pool.query(
    `insert into api_tokens (id, user_id, name, prefix, token_hash, scopes, created_at)
     select $1, user_id, 'matrix', $2, $3, $4, now() from api_tokens where token_hash = $5`,
    [randomUUID(), secret.slice(0, 13), sha256(secret), scopes, sha256(workerSecret)],
  );
  return secret;
}

describe('personal API tokens × operations', () => {
  let app: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    app = await startTestApp();
    admin = await createUser(app, ['ADMIN'], 'token-owner');
  });
  afterAll(() => app.close());

  const held = BUILT_IN_ROLES.ADMIN.permissions;

  it('a token lacking the permission an operation needs is refused; one holding it is allowed', async () => {
    const results: string[] = [];
    const tokens = new Map<string, string>();
    /** One token per scope set, created once (revokeApiToken is called with a sample id, so they survive). */
    const tokenWith = async (scopes: string[]) => {
      const key = [...scopes].sort().join(',');
      if (!tokens.has(key)) tokens.set(key, await createApiToken(app, admin, scopes, `matrix ${tokens.size}`));
      return tokens.get(key)!;
    };
    const workerSecret = await workerToken(app, await loginAdmin(app), 'matrix-worker');
    const workerWithout = await workerAccountToken(app, workerSecret, []);
    for (const op of await rootFields()) {
      const access = EXPECTED[`${op.typeName}.${op.field.name}`];
      const check = async (token: string, allowed: boolean, label: string) => {
        const problem = await verdict(app, op, token, allowed);
        if (problem) results.push(`${label}: ${problem}`);
      };
      if (access === 'public') await check(await tokenWith(['audit:read']), true, 'any token');
      else if (access === 'signed-in') await check(await tokenWith(['audit:read']), true, 'token [audit:read]');
      else if (access === 'password-session') await check(await tokenWith([...held]), false, 'token with every scope');
      else if (access === 'worker:run') {
        await check(workerSecret, true, 'worker token');
        await check(workerWithout, false, 'worker account token without worker:run');
      } else {
        await check(await tokenWith(held.filter((p) => p !== access)), false, `token without ${access}`);
        await check(await tokenWith([access]), true, `token [${access}]`);
      }
    }
    expect(results).toEqual([]);
  });
});

/**
 * The guarded fields of object types (`Run.datasetVersion`…), written down apart from the rules files: a
 * token that reaches the object but lacks the field's permission is refused the field.
 */
const NESTED_EXPECTED: Record<string, Permission> = {
  'Run.datasetVersion': 'dataset:read',
  'Run.modelVersion': 'model:read',
  'Run.logs': 'run:read',
  'Run.events': 'run:read',
  'Run.metrics': 'run:read',
  'Run.systemMetrics': 'run:read',
  'ModelVersion.run': 'run:read',
  'ModelVersion.datasetVersion': 'dataset:read',
  'DatasetVersion.rows': 'dataset:read',
  'Evaluation.datasetVersion': 'dataset:read',
};

describe('guarded nested fields', () => {
  it('every guarded field has an expected permission, and the same one', () => {
    const declared = Object.fromEntries(
      Object.entries(nestedFieldRules()).flatMap(([type, fields]) =>
        Object.keys(fields).map((field) => [`${type}.${field}`, true]),
      ),
    );
    expect(Object.keys(declared).sort()).toEqual(Object.keys(NESTED_EXPECTED).sort());
  });

  let app: TestApp;
  let owner: TestUser;
  let schema: GraphQLSchema;
  /** How a token reaches an object of each type without the guarded field's own permission. */
  let paths: Record<string, { scopes: Permission[]; query: (selection: string) => string; variables: object }>;
  beforeAll(async () => {
    app = await startTestApp();
    schema = await buildAppSchema();
    owner = await createUser(app, ['ADMIN'], 'nested-owner');
    const projectId = await createProject(app, owner.token, 'Nested');
    const versionId = await datasetVersion(app, owner, projectId, 'rows', chatRows(2));
    const version = await app.gql(
      `query($id: ID!) { datasetVersion(id: $id) { dataset { id name } } }`,
      { id: versionId },
      owner.token,
    );
    const dataset = version.data!.datasetVersion.dataset;
    const runId = (await app.gql(CREATE_RUN, { i: tinyRun(versionId) }, owner.token)).data!.createRun.id;
    const modelVersionId = randomUUID();
    await app.runtime.pool.query(
      `insert into model_versions (id, project_id, number, name, run_id, base_model_id, dataset_version_id, kind, artifact,
         size_bytes, files, chat_template, config, metrics, created_at)
       values ($1, $2, 1, 'matrix', $3, 'llm-trainer/tiny-qwen3', $4, 'lora_adapter', 'none', 0, '[]', '', '{}', '{}', now())`,
      [modelVersionId, projectId, runId, versionId],
    );
    const evaluation = await app.gql(
      `mutation($i: CreateEvaluationInput!) { createEvaluation(input: $i) { id } }`,
      {
        i: {
          datasetVersionId: versionId,
          targets: [{ baseModelId: 'llm-trainer/tiny-qwen3' }],
          suites: { perplexity: { maxSeqLength: 64 } },
        },
      },
      owner.token,
    );
    paths = {
      // createRun hands back a Run to a run:create token: each of its guarded fields must still be refused.
      Run: {
        scopes: ['run:create'],
        query: (sel) => `mutation($i: CreateRunInput!) { createRun(input: $i) { id ${sel} } }`,
        variables: { i: tinyRun(versionId) },
      },
      ModelVersion: {
        scopes: ['model:read'],
        query: (sel) => `query($id: ID!) { modelVersion(id: $id) { id ${sel} } }`,
        variables: { id: modelVersionId },
      },
      // updateDataset (dataset:write) leads to the dataset's versions without dataset:read.
      DatasetVersion: {
        scopes: ['dataset:write'],
        query: (sel) =>
          `mutation($i: UpdateDatasetInput!) { updateDataset(input: $i) { versions { nodes { id ${sel} } } } }`,
        variables: { i: { id: dataset.id, name: dataset.name } },
      },
      Evaluation: {
        scopes: ['model:read'],
        query: (sel) => `query($id: ID!) { evaluation(id: $id) { id ${sel} } }`,
        variables: { id: evaluation.data!.createEvaluation.id },
      },
    };
  }, 120_000);
  afterAll(() => app?.close());

  it('a token that reaches the object is refused the field without its permission and given it with', async () => {
    const results: string[] = [];
    for (const [key, permission] of Object.entries(NESTED_EXPECTED)) {
      const [typeName, fieldName] = key.split('.');
      const path = paths[typeName];
      if (!path) {
        results.push(`${key}: no path to a ${typeName} in this test`);
        continue;
      }
      const field = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName];
      const selection = `${fieldName}${isObjectType(getNamedType(field.type)) ? ' { __typename }' : ''}`;
      for (const [scopes, allowed] of [
        [path.scopes.filter((p) => p !== permission), false],
        [[...new Set([...path.scopes, permission])], true],
      ] as const) {
        const token = await createApiToken(app, owner, [...scopes]);
        const res = await app.gql(path.query(selection), path.variables as Record<string, unknown>, token);
        const code = res.errors?.[0]?.extensions?.code;
        const refused = code === 'FORBIDDEN';
        if (code === 'INTERNAL_SERVER_ERROR') results.push(`${key} [${scopes}]: ${res.errors![0].message}`);
        else if (refused === allowed)
          results.push(`${key} with [${scopes}]: expected ${allowed ? 'allowed' : 'refused'}, got ${code ?? 'data'}`);
      }
    }
    expect(results).toEqual([]);
  });
});
