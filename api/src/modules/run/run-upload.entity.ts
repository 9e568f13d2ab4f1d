import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { Run } from './run.entity.js';

/**
 * An artifact a worker uploaded while holding one attempt of a run. Artifacts are stored by content
 * hash, so the hash alone proves nothing about who sent it: `completeJob` accepts only a model uploaded
 * for the same run and attempt (a worker cannot register another run's, or a stale attempt's, upload).
 */
@Entity({ tableName: 'run_uploads' })
@Unique({ properties: ['run', 'attempt', 'kind', 'artifact'] })
@Index({ properties: ['artifact'] })
export class RunUpload {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Run, deleteRule: 'cascade' })
  run!: Run;

  @Property({ type: 'integer' })
  attempt!: number;

  /** `model` (the final archive) or `checkpoint`. */
  @Property({ type: 'string', length: 16 })
  kind!: 'model' | 'checkpoint';

  @Property({ type: 'string', length: 64 })
  artifact!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
