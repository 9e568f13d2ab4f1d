import { ApiToken } from '../modules/api-token/api-token.entity.js';
import { AuditEvent } from '../modules/audit/audit-event.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { Session } from '../modules/auth/session.entity.js';
import { SignInThrottle } from '../modules/auth/sign-in-throttle.entity.js';
import { Invite } from '../modules/invite/invite.entity.js';
import { ProjectMember } from '../modules/project/project-member.entity.js';
import { Project } from '../modules/project/project.entity.js';
import { Role } from '../modules/role/role.entity.js';
import { User } from '../modules/user/user.entity.js';
import { DatasetVersion } from '../modules/dataset/dataset-version.entity.js';
import { Dataset } from '../modules/dataset/dataset.entity.js';
import { Upload } from '../modules/dataset/upload.entity.js';
import { Worker } from '../modules/worker/worker.entity.js';
import { Run } from '../modules/run/run.entity.js';
import { RunAttempt } from '../modules/run/run-attempt.entity.js';
import { RunCheckpoint } from '../modules/run/run-checkpoint.entity.js';
import { RunUpload } from '../modules/run/run-upload.entity.js';
import { RunEvent } from '../modules/run/run-event.entity.js';
import { RunMetric } from '../modules/run/run-metric.entity.js';
import { RunMetricRollup } from '../modules/run/run-metric-rollup.entity.js';
import { RunSystemMetric } from '../modules/run/run-system-metric.entity.js';
import { ModelVersion } from '../modules/model-version/model-version.entity.js';
import { Evaluation } from '../modules/evaluation/evaluation.entity.js';
import { EvaluationAttempt } from '../modules/evaluation/evaluation-attempt.entity.js';
import { EvaluationEvent } from '../modules/evaluation/evaluation-event.entity.js';
import { EvaluationExample } from '../modules/evaluation/evaluation-example.entity.js';

/** Every entity, listed explicitly so tsx, tsc output, vitest and the MikroORM CLI agree. */
export const entities = [
  User,
  Role,
  Session,
  RefreshToken,
  SignInThrottle,
  Invite,
  ApiToken,
  Project,
  ProjectMember,
  AuditEvent,
  Dataset,
  DatasetVersion,
  Upload,
  Worker,
  Run,
  RunAttempt,
  RunCheckpoint,
  RunUpload,
  RunEvent,
  RunMetric,
  RunMetricRollup,
  RunSystemMetric,
  ModelVersion,
  Evaluation,
  EvaluationAttempt,
  EvaluationEvent,
  EvaluationExample,
];
