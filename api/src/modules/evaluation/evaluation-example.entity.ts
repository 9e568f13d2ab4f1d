import { BigIntType } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Evaluation } from './evaluation.entity.js';

/** One scored example of one target and suite, as the evaluator reported it (never twice). */
@ObjectType()
@Entity({ tableName: 'evaluation_examples' })
@Unique({ properties: ['evaluation', 'target', 'suite', 'index'] })
@Index({ properties: ['evaluation', 'index'] })
export class EvaluationExample {
  @Field(() => ID)
  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @ManyToOne({ entity: () => Evaluation, deleteRule: 'cascade' })
  evaluation!: Evaluation;

  @Field(() => Int, { description: 'The row of the evaluation set, from 0' })
  @Property({ type: 'integer' })
  index!: number;

  @Field(() => String)
  @Property({ type: 'string', length: 64 })
  target!: string;

  @Field(() => String, { description: 'perplexity, generation or multiple_choice' })
  @Property({ type: 'string', length: 32 })
  suite!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 200, nullable: true })
  subject: string | null = null;

  @Field(() => String)
  @Property({ type: 'text' })
  prompt!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  reference!: string;

  @Field(() => String, { nullable: true, description: 'The answer, thinking removed (null for perplexity)' })
  @Property({ type: 'text', nullable: true })
  output: string | null = null;

  @Field(() => String, { nullable: true, description: 'The <think> block, kept for display' })
  @Property({ type: 'text', nullable: true })
  thinking: string | null = null;

  @Field(() => [String], { description: 'e.g. unterminated_think, max_new_tokens_reached, output_truncated' })
  @Property({ type: 'json' })
  flags: string[] = [];

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'json' })
  scores: Record<string, number> = {};

  /** What a retried attempt hands back to the evaluator (BLEU/chrF statistics, choice log-probabilities). */
  @Property({ type: 'json', nullable: true })
  stats: Record<string, unknown> | null = null;

  @Field(() => Int)
  @Property({ type: 'integer' })
  attempt!: number;
}
