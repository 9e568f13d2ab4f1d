import type { GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppSchema } from '../src/graphql/schema.js';
import { rootFieldRules } from '../src/graphql/shield.js';
import { BUILT_IN_ROLES, type Permission } from '../src/modules/role/permissions.js';
import { createUser, login } from './factories.js';
import { sampleOperation } from './sample-operation.js';
import { startTestApp, type GraphQLResponse, type TestApp } from './test-app.js';
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
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
  return new Promise<GraphQLResponse>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => resolve(value as GraphQLResponse),
        error: (error) => resolve({ errors: Array.isArray(error) ? error : [{ message: String(error) }] }),
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
  'Mutation.updateProject': 'signed-in',
  'Mutation.archiveProject': 'signed-in',
  'Mutation.addProjectMember': 'signed-in',
  'Mutation.setProjectMemberRole': 'signed-in',
  'Mutation.removeProjectMember': 'signed-in',
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
  'Query.workers': 'worker:manage',
  'Mutation.createWorkerToken': 'worker:manage',
  'Mutation.revokeWorkerToken': 'worker:manage',
  'Mutation.registerWorker': 'worker:run',
  'Mutation.workerHeartbeat': 'worker:run',
  'Query.runs': 'signed-in',
  'Query.run': 'signed-in',
  'Mutation.createRun': 'run:create',
  'Mutation.cancelRun': 'run:cancel',
  'Mutation.retryRun': 'run:create',
  'Subscription.runUpdated': 'signed-in',
  'Mutation.claimRun': 'worker:run',
  'Mutation.reportRunEvents': 'worker:run',
  'Mutation.completeRun': 'worker:run',
  'Query.myRuns': 'signed-in',
  'Subscription.runMetrics': 'signed-in',
  'Subscription.runLogs': 'signed-in',
  'Subscription.workerUpdated': 'worker:manage',
  'Query.modelVersions': 'model:read',
  'Query.modelVersion': 'model:read',
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
      for (const { kind, typeName, field, schema } of await rootFields()) {
        const key = `${typeName}.${field.name}`;
        const token = account ? (await login(app, account.email, account.password)).token : undefined;
        const { query, variables } = sampleOperation(schema, kind, field);
        const res =
          kind === 'subscription'
            ? await firstOverWebSocket(app, query, variables, token)
            : await app.gql(query, variables, token);
        const code = res.errors?.[0]?.extensions?.code;
        // Public operations may answer UNAUTHENTICATED for bad credentials; only "Sign in first" is a refusal.
        const refused =
          code === 'FORBIDDEN' ||
          (code === 'UNAUTHENTICATED' && (EXPECTED[key] !== 'public' || res.errors![0].message === 'Sign in first'));
        // Allowed means data or a domain error (NOT_FOUND, BAD_USER_INPUT…); a crash is never an answer.
        const broken = code === 'INTERNAL_SERVER_ERROR' || (!res.data && !res.errors?.length);
        const expectedAllowed = allows(EXPECTED[key], permissions);
        if (broken) results.push(`${key}: ${code ?? 'no data and no error'}: ${res.errors?.[0]?.message ?? ''}`);
        else if (refused === expectedAllowed)
          results.push(`${key}: expected ${expectedAllowed ? 'allowed' : 'refused'}, got ${code ?? 'data'}`);
      }
      expect(results).toEqual([]);
    });
  }
});
