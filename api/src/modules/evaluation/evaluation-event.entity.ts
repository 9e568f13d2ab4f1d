import { BigIntType } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Evaluation } from './evaluation.entity.js';

/**
 * The evaluator's status, log and end events (example rows live in evaluation_examples): (evaluation,
 * attempt, seq) makes a resent batch a no-op.
 */
@Entity({ tableName: 'evaluation_events' })
@Unique({ properties: ['evaluation', 'attempt', 'seq'] })
export class EvaluationEvent {
  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @ManyToOne({ entity: () => Evaluation, deleteRule: 'cascade' })
  evaluation!: Evaluation;

  @Property({ type: 'integer' })
  attempt!: number;

  @Property({ type: 'integer' })
  seq!: number;

  @Property({ type: 'string', length: 16 })
  kind!: string;

  @Property({ type: 'datetime' })
  time!: Date;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;
}
