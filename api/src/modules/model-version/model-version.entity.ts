import { BigIntType } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, OneToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DatasetVersion } from '../dataset/dataset-version.entity.js';
import { Project } from '../project/project.entity.js';
import { Run } from '../run/run.entity.js';

/** What a successful run produced: weights (adapter or full), tokenizer, chat template and lineage. */
@ObjectType()
@Entity({ tableName: 'model_versions' })
@Unique({ properties: ['project', 'number'] })
@Index({ properties: ['project', 'createdAt'] })
export class ModelVersion {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Project, deleteRule: 'cascade' })
  project!: Project;

  @Field(() => Int)
  @Property({ type: 'integer' })
  number!: number;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  name!: string;

  @OneToOne({ entity: () => Run, owner: true, deleteRule: 'restrict', unique: true })
  run!: Run;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  baseModelId!: string;

  @ManyToOne({ entity: () => DatasetVersion, deleteRule: 'restrict' })
  datasetVersion!: DatasetVersion;

  @Field(() => String, { description: 'lora_adapter or full_model' })
  @Property({ type: 'string', length: 32 })
  kind!: string;

  /** Content hash of the tar archive (the final model directory) in the artifact store. */
  @Property({ type: 'string', length: 64 })
  artifact!: string;

  @Field(() => Float)
  @Property({ type: new BigIntType('number') })
  sizeBytes!: number;

  @Field(() => [String], { description: 'Files in the archive' })
  @Property({ type: 'json' })
  files: string[] = [];

  @Field(() => String)
  @Property({ type: 'text' })
  chatTemplate!: string;

  @Field(() => GraphQLJSONObject, { description: 'Method, objective, hyperparameters and resources of the run' })
  @Property({ type: 'json' })
  config!: Record<string, unknown>;

  @Field(() => GraphQLJSONObject)
  @Property({ type: 'json' })
  metrics: Record<string, number> = {};

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
