import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination.js';

@ObjectType({ description: 'One point of a series: raw (min = max = last) or one bucket' })
export class MetricPoint {
  @Field(() => Int, { description: 'Step (system metrics: seconds since the Unix epoch)' }) step!: number;
  @Field(() => Float) min!: number;
  @Field(() => Float) max!: number;
  @Field(() => Float, { description: 'The value at the bucket’s last step' }) last!: number;
}

@ObjectType()
export class MetricSeries {
  @Field(() => String) key!: string;
  @Field(() => Int, { description: 'Steps per point; 1 = raw points' }) bucketSteps!: number;
  @Field(() => Int, { nullable: true, description: 'The newest stored step: subscribe with afterStep = this' })
  lastStep!: number | null;
  @Field(() => [MetricPoint], { description: 'Point objects; the column fields below carry the same data faster' })
  points!: MetricPoint[];
  @Field(() => [Int], { description: 'Column form (what charts want; far cheaper to serve): x of each point' })
  get steps(): number[] {
    return this.points.map((p) => p.step);
  }
  @Field(() => [Float]) get mins(): number[] {
    return this.points.map((p) => p.min);
  }
  @Field(() => [Float]) get maxs(): number[] {
    return this.points.map((p) => p.max);
  }
  @Field(() => [Float]) get lasts(): number[] {
    return this.points.map((p) => p.last);
  }
}

@ArgsType()
export class MetricsArgs {
  @Field(() => [String], { nullable: true, description: 'Default: every key the run has' })
  keys?: string[] | null;
  @Field(() => Int, { nullable: true }) fromStep?: number | null;
  @Field(() => Int, { nullable: true }) toStep?: number | null;
  @Field(() => Int, { defaultValue: 1000, description: '2 to 10000' }) maxPoints: number = 1000;
}

@ArgsType()
export class SystemMetricsArgs {
  @Field(() => [String], { nullable: true }) keys?: string[] | null;
  @Field(() => Int, { defaultValue: 1000 }) maxPoints: number = 1000;
}

@ObjectType()
export class LivePoint {
  @Field(() => String) key!: string;
  @Field(() => Int) step!: number;
  @Field(() => Float) value!: number;
}

@ObjectType({ description: 'Points stored together, in step order per key' })
export class MetricBatch {
  @Field(() => [LivePoint]) points!: LivePoint[];
}

@ObjectType()
export class RunLogLine {
  @Field(() => ID, { description: 'Increasing: the cursor for runLogs(afterId)' }) id!: string;
  @Field(() => Date) time!: Date;
  @Field(() => Int) attempt!: number;
  @Field(() => String, { description: 'info, warning or error' }) level!: string;
  @Field(() => String) message!: string;
}

@ObjectType()
export class RunLogBatch {
  @Field(() => [RunLogLine]) lines!: RunLogLine[];
}

@ObjectType()
export class RunLogConnection extends Connection(RunLogLine) {}

@ArgsType()
export class RunLogsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only lines containing this text' }) search?: string | null;
}
