// The worker protocol as tests speak it when they play a worker by hand.

/** Claims the next training job; answers `{ runId, attempt }` (the job's id is its run's). */
export const CLAIM = `mutation Claim { claimJob(capabilities: { kinds: [TRAINING] }) { ... on TrainingJob { runId: id attempt } } }`;

/** Claims the next evaluation job: its id (the evaluation's), attempt, target keys and row count. */
export const CLAIM_EVALUATION = `mutation ClaimEvaluation { claimJob(capabilities: { kinds: [EVALUATION] }) {
  ... on EvaluationJob { id attempt rows targets { key modelVersionId } spec } } }`;

/** The held-job reference every worker write names. */
export const trainingJob = (runId: string, attempt: number) => ({ kind: 'TRAINING', id: runId, attempt });
export const evaluationJob = (id: string, attempt: number) => ({ kind: 'EVALUATION', id, attempt });

export const REPORT = `mutation($i: ReportJobEventsInput!) { reportJobEvents(input: $i) { stored cancelRequested } }`;

export const COMPLETE = `mutation($i: CompleteJobInput!) { completeJob(input: $i) { status attempt } }`;

export const HEARTBEAT = `mutation($jobs: [HeldJobInput!], $system: JSONObject) {
  workerHeartbeat(jobs: $jobs, system: $system) { leases { valid } }
}`;

export const REGISTER = `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`;

/** A CPU machine as a hand-played worker registers it. */
export const CPU_MACHINE = { hostname: 'test', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' };
