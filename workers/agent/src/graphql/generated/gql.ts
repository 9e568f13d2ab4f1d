/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation RegisterWorker($input: RegisterWorkerInput!) {\n  registerWorker(input: $input) {\n    id\n    name\n  }\n}\n\nmutation ClaimJob($capabilities: WorkerCapabilitiesInput!) {\n  claimJob(capabilities: $capabilities) {\n    __typename\n    ... on JobTicket {\n      kind\n      id\n      attempt\n      leaseSeconds\n    }\n    ... on TrainingJob {\n      spec\n      trainRows\n      validationRows\n      resumeFromStep\n    }\n    ... on EvaluationJob {\n      spec\n      targets {\n        key\n        modelVersionId\n      }\n      rows\n      storedExamples\n    }\n  }\n}\n\nmutation WorkerHeartbeat($jobs: [HeldJobInput!], $system: JSONObject) {\n  workerHeartbeat(jobs: $jobs, system: $system) {\n    receivedAt\n    leases {\n      kind\n      id\n      attempt\n      valid\n      cancelRequested\n    }\n  }\n}\n\nmutation ReportJobEvents($input: ReportJobEventsInput!) {\n  reportJobEvents(input: $input) {\n    stored\n    cancelRequested\n  }\n}\n\nmutation CompleteJob($input: CompleteJobInput!) {\n  completeJob(input: $input) {\n    kind\n    id\n    attempt\n    status\n  }\n}": typeof types.RegisterWorkerDocument,
};
const documents: Documents = {
    "mutation RegisterWorker($input: RegisterWorkerInput!) {\n  registerWorker(input: $input) {\n    id\n    name\n  }\n}\n\nmutation ClaimJob($capabilities: WorkerCapabilitiesInput!) {\n  claimJob(capabilities: $capabilities) {\n    __typename\n    ... on JobTicket {\n      kind\n      id\n      attempt\n      leaseSeconds\n    }\n    ... on TrainingJob {\n      spec\n      trainRows\n      validationRows\n      resumeFromStep\n    }\n    ... on EvaluationJob {\n      spec\n      targets {\n        key\n        modelVersionId\n      }\n      rows\n      storedExamples\n    }\n  }\n}\n\nmutation WorkerHeartbeat($jobs: [HeldJobInput!], $system: JSONObject) {\n  workerHeartbeat(jobs: $jobs, system: $system) {\n    receivedAt\n    leases {\n      kind\n      id\n      attempt\n      valid\n      cancelRequested\n    }\n  }\n}\n\nmutation ReportJobEvents($input: ReportJobEventsInput!) {\n  reportJobEvents(input: $input) {\n    stored\n    cancelRequested\n  }\n}\n\nmutation CompleteJob($input: CompleteJobInput!) {\n  completeJob(input: $input) {\n    kind\n    id\n    attempt\n    status\n  }\n}": types.RegisterWorkerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RegisterWorker($input: RegisterWorkerInput!) {\n  registerWorker(input: $input) {\n    id\n    name\n  }\n}\n\nmutation ClaimJob($capabilities: WorkerCapabilitiesInput!) {\n  claimJob(capabilities: $capabilities) {\n    __typename\n    ... on JobTicket {\n      kind\n      id\n      attempt\n      leaseSeconds\n    }\n    ... on TrainingJob {\n      spec\n      trainRows\n      validationRows\n      resumeFromStep\n    }\n    ... on EvaluationJob {\n      spec\n      targets {\n        key\n        modelVersionId\n      }\n      rows\n      storedExamples\n    }\n  }\n}\n\nmutation WorkerHeartbeat($jobs: [HeldJobInput!], $system: JSONObject) {\n  workerHeartbeat(jobs: $jobs, system: $system) {\n    receivedAt\n    leases {\n      kind\n      id\n      attempt\n      valid\n      cancelRequested\n    }\n  }\n}\n\nmutation ReportJobEvents($input: ReportJobEventsInput!) {\n  reportJobEvents(input: $input) {\n    stored\n    cancelRequested\n  }\n}\n\nmutation CompleteJob($input: CompleteJobInput!) {\n  completeJob(input: $input) {\n    kind\n    id\n    attempt\n    status\n  }\n}"): typeof import('./graphql.js').RegisterWorkerDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
