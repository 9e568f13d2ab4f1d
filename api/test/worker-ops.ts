// The worker protocol as tests speak it when they play a worker by hand: training jobs only.

/** Claims the next training job; answers `{ runId, attempt }` (the job's id is its run's). */
export const CLAIM = `mutation Claim { claimJob(capabilities: { kinds: [TRAINING] }) { ... on TrainingJob { runId: id attempt } } }`;

/** The held-job reference every worker write names. */
export const trainingJob = (runId: string, attempt: number) => ({ kind: 'TRAINING', id: runId, attempt });

export const REPORT = `mutation($i: ReportJobEventsInput!) { reportJobEvents(input: $i) { stored cancelRequested } }`;

export const COMPLETE = `mutation($i: CompleteJobInput!) { completeJob(input: $i) { status attempt } }`;

export const HEARTBEAT = `mutation($jobs: [HeldJobInput!], $system: JSONObject) {
  workerHeartbeat(jobs: $jobs, system: $system) { leases { valid } }
}`;
