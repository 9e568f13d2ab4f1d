import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** Machine metrics sampled by the worker agent while it trains a run, keyed by time. */
@Entity({ tableName: 'run_system_metrics' })
export class RunSystemMetric {
  @PrimaryKey({ type: 'uuid' })
  runId!: string;

  @PrimaryKey({ type: 'string', length: 100 })
  key!: string;

  @PrimaryKey({ type: 'datetime' })
  time!: Date;

  @Property({ type: 'double' })
  value!: number;
}
