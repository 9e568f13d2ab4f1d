import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Pre-aggregated metric buckets (width 32 and 1024 steps), kept up to date on ingest, so a chart of
 * a million-step series reads about a thousand rows instead of a million. Per bucket: min, max and
 * the value at its last step, so a spike survives any zoom level.
 */
@Entity({ tableName: 'run_metric_rollups' })
export class RunMetricRollup {
  @PrimaryKey({ type: 'uuid' })
  runId!: string;

  @PrimaryKey({ type: 'string', length: 100 })
  key!: string;

  @PrimaryKey({ type: 'integer' })
  width!: number;

  @PrimaryKey({ type: 'integer' })
  bucket!: number;

  @Property({ type: 'double' })
  min!: number;

  @Property({ type: 'double' })
  max!: number;

  @Property({ type: 'integer' })
  lastStep!: number;

  @Property({ type: 'double' })
  last!: number;
}
