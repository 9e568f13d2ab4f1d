/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CompleteJobInput = {
  /** EVALUATION, SUCCEEDED: its summary */
  evaluation?: EvaluationResultInput | null | undefined;
  job: HeldJobInput;
  /** Last stderr lines of the process */
  logTail?: Array<string> | null | undefined;
  message?: string | null | undefined;
  /** SUCCEEDED, FAILED, CANCELLED or INTERRUPTED (the worker stopped; queue it again) */
  outcome: string;
  /** For FAILED: invalid_spec, oom, nan_loss, error, crashed */
  reason?: string | null | undefined;
  /** TRAINING, SUCCEEDED: what it produced */
  training?: TrainingResultInput | null | undefined;
};

/** What a succeeded evaluation attempt produced */
export type EvaluationResultInput = {
  evaluatorVersion: string;
  /** The evaluator's summary, as in its completed event */
  summary: Record<string, unknown>;
};

export type GpuInfoInput = {
  index: number;
  memoryMb: number;
  name: string;
};

/** A job attempt the worker holds */
export type HeldJobInput = {
  attempt: number;
  id: string | number;
  kind: JobKind;
};

/** One job event (trainer or agent), as in workers/trainer/README.md */
export type JobEventInput = {
  /** The event without seq/time/event */
  data: Record<string, unknown>;
  event: string;
  /** Per attempt, from 0, no gaps: the idempotency key */
  seq: number;
  /** ISO 8601 time */
  time: string;
};

/** What a queued job does on a worker */
export type JobKind =
  | 'EVALUATION'
  | 'TRAINING';

export type JobStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'STARTING'
  | 'SUCCEEDED';

export type ModelArtifactInput = {
  /** The id PUT /worker/runs/:id/model returned */
  artifact: string;
  files: Array<string>;
  /** lora_adapter or full_model */
  kind: string;
};

/** What the agent found on its machine (nvidia-smi, os) */
export type RegisterWorkerInput = {
  agentVersion: string;
  cpuCount: number;
  gpus: Array<GpuInfoInput>;
  hostname: string;
  memoryMb: number;
};

export type ReportJobEventsInput = {
  events: Array<JobEventInput>;
  job: HeldJobInput;
};

/** What a succeeded training attempt produced */
export type TrainingResultInput = {
  chatTemplate?: string | null | undefined;
  finalMetrics?: Record<string, unknown> | null | undefined;
  model: ModelArtifactInput;
};

/** What the worker can execute (it runs only the kinds it names) */
export type WorkerCapabilitiesInput = {
  kinds: Array<JobKind>;
};

export type RegisterWorkerMutationVariables = Exact<{
  input: RegisterWorkerInput;
}>;


export type RegisterWorkerMutation = { registerWorker: { id: string, name: string } };

export type ClaimJobMutationVariables = Exact<{
  capabilities: WorkerCapabilitiesInput;
}>;


export type ClaimJobMutation = { claimJob:
    | { __typename: 'EvaluationJob', kind: JobKind, id: string, attempt: number, leaseSeconds: number, spec: Record<string, unknown>, rows: number, storedExamples: number, targets: Array<{ key: string, modelVersionId: string | null }> }
    | { __typename: 'TrainingJob', kind: JobKind, id: string, attempt: number, leaseSeconds: number, spec: Record<string, unknown>, trainRows: number, validationRows: number, resumeFromStep: number | null }
   | null };

export type WorkerHeartbeatMutationVariables = Exact<{
  jobs?: Array<HeldJobInput> | HeldJobInput | null | undefined;
  system?: Record<string, unknown> | null | undefined;
}>;


export type WorkerHeartbeatMutation = { workerHeartbeat: { receivedAt: string, leases: Array<{ kind: JobKind, id: string, attempt: number, valid: boolean, cancelRequested: boolean }> } };

export type ReportJobEventsMutationVariables = Exact<{
  input: ReportJobEventsInput;
}>;


export type ReportJobEventsMutation = { reportJobEvents: { stored: number, cancelRequested: boolean } };

export type CompleteJobMutationVariables = Exact<{
  input: CompleteJobInput;
}>;


export type CompleteJobMutation = { completeJob: { kind: JobKind, id: string, attempt: number, status: JobStatus } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const RegisterWorkerDocument = new TypedDocumentString(`
    mutation RegisterWorker($input: RegisterWorkerInput!) {
  registerWorker(input: $input) {
    id
    name
  }
}
    `) as unknown as TypedDocumentString<RegisterWorkerMutation, RegisterWorkerMutationVariables>;
export const ClaimJobDocument = new TypedDocumentString(`
    mutation ClaimJob($capabilities: WorkerCapabilitiesInput!) {
  claimJob(capabilities: $capabilities) {
    __typename
    ... on JobTicket {
      kind
      id
      attempt
      leaseSeconds
    }
    ... on TrainingJob {
      spec
      trainRows
      validationRows
      resumeFromStep
    }
    ... on EvaluationJob {
      spec
      targets {
        key
        modelVersionId
      }
      rows
      storedExamples
    }
  }
}
    `) as unknown as TypedDocumentString<ClaimJobMutation, ClaimJobMutationVariables>;
export const WorkerHeartbeatDocument = new TypedDocumentString(`
    mutation WorkerHeartbeat($jobs: [HeldJobInput!], $system: JSONObject) {
  workerHeartbeat(jobs: $jobs, system: $system) {
    receivedAt
    leases {
      kind
      id
      attempt
      valid
      cancelRequested
    }
  }
}
    `) as unknown as TypedDocumentString<WorkerHeartbeatMutation, WorkerHeartbeatMutationVariables>;
export const ReportJobEventsDocument = new TypedDocumentString(`
    mutation ReportJobEvents($input: ReportJobEventsInput!) {
  reportJobEvents(input: $input) {
    stored
    cancelRequested
  }
}
    `) as unknown as TypedDocumentString<ReportJobEventsMutation, ReportJobEventsMutationVariables>;
export const CompleteJobDocument = new TypedDocumentString(`
    mutation CompleteJob($input: CompleteJobInput!) {
  completeJob(input: $input) {
    kind
    id
    attempt
    status
  }
}
    `) as unknown as TypedDocumentString<CompleteJobMutation, CompleteJobMutationVariables>;