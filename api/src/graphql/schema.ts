import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { repoRoot } from '../config.js';
import { ApiTokenResolver } from '../modules/api-token/api-token.resolver.js';
import { AuditResolver } from '../modules/audit/audit.resolver.js';
import { AuthResolver } from '../modules/auth/auth.resolver.js';
import { InviteResolver } from '../modules/invite/invite.resolver.js';
import { DatasetOpsResolver } from '../modules/dataset/dataset-ops.resolver.js';
import { BaseModelResolver } from '../modules/base-model/base-model.resolver.js';
import { RunConfigResolver } from '../modules/run/run-config.resolver.js';
import { RunResolver } from '../modules/run/run.resolver.js';
import { RunLiveResolver } from '../modules/run/run-live.resolver.js';
import { EvaluationResolver } from '../modules/evaluation/evaluation.resolver.js';
import { JobWorkerResolver } from '../modules/job/job-worker.resolver.js';
import { ModelVersionResolver } from '../modules/model-version/model-version.resolver.js';
import { WorkerResolver } from '../modules/worker/worker.resolver.js';
import { DatasetResolver, DatasetVersionResolver } from '../modules/dataset/dataset.resolver.js';
import { ProjectMemberResolver, ProjectResolver } from '../modules/project/project.resolver.js';
import { RoleResolver } from '../modules/role/role.resolver.js';
import { UserResolver } from '../modules/user/user.resolver.js';

export const schemaFile = join(repoRoot, 'schema', 'schema.graphql');

const resolvers = [
  AuthResolver,
  InviteResolver,
  UserResolver,
  RoleResolver,
  ApiTokenResolver,
  ProjectResolver,
  ProjectMemberResolver,
  AuditResolver,
  DatasetResolver,
  DatasetVersionResolver,
  DatasetOpsResolver,
  BaseModelResolver,
  RunConfigResolver,
  WorkerResolver,
  RunResolver,
  RunLiveResolver,
  JobWorkerResolver,
  EvaluationResolver,
  ModelVersionResolver,
] as const;

/**
 * type-graphql insists on a pub/sub when there are subscriptions, but every @Subscription here has
 * its own `subscribe` using the instance's pub/sub from the context (AppServices.pubsub): the schema
 * is shared by every instance in a process, so it must not hold one.
 */
const noTopics = {
  publish: () => {
    throw new Error('publish through AppServices.pubsub');
  },
  subscribe: () => {
    throw new Error('subscribe through AppServices.pubsub');
  },
};

let built: Promise<GraphQLSchema> | undefined;
/** The code-first schema (without the shield), built once per process. */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers, pubSub: noTopics, validate: false, emitSchemaFile: false });
  return built;
}

/** The SDL as committed in schema/schema.graphql: sorted, so diffs show real changes only. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}

export async function emitSchemaFile(): Promise<void> {
  writeFileSync(schemaFile, await printAppSchema());
}
