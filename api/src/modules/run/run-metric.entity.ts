import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * One training scalar at one step. (run, key, step) is unique: a step repeated after a resume
 * replaces the earlier value, a batch sent twice changes nothing. Written in bulk by SQL, not the ORM.
 */
@Entity({ tableName: 'run_metrics' })
export class RunMetric {
  @PrimaryKey({ type: 'uuid' })
  runId!: string;

  @PrimaryKey({ type: 'string', length: 100 })
  key!: string;

  @PrimaryKey({ type: 'integer' })
  step!: number;

  @Property({ type: 'double' })
  value!: number;

  @Property({ type: 'integer' })
  attempt!: number;

  @Property({ type: 'datetime' })
  time!: Date;
}
