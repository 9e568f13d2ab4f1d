import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SchemaKindOption } from './dataset.enums.js';
import { Dataset } from './dataset.entity.js';

export enum DatasetVersionStatus {
  PROCESSING = 'PROCESSING',
  READY = 'READY',
  FAILED = 'FAILED',
}
registerEnumType(DatasetVersionStatus, { name: 'DatasetVersionStatus' });

/**
 * An immutable version: its rows are a content-addressed row set (`contentHash`), and it records
 * where it came from (parents, author, message, recipe), what was found (validation) and its stats.
 */
@ObjectType()
@Entity({ tableName: 'dataset_versions' })
@Unique({ properties: ['dataset', 'number'] })
@Index({ properties: ['dataset', 'contentHash'] })
export class DatasetVersion {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Dataset, deleteRule: 'cascade' })
  dataset!: Dataset;

  /** 1, 2, 3… within the dataset. */
  @Field(() => Int)
  @Property({ type: 'integer' })
  number!: number;

  @Field(() => DatasetVersionStatus)
  @Enum({ items: () => DatasetVersionStatus, nativeEnumName: 'dataset_version_status' })
  status: DatasetVersionStatus = DatasetVersionStatus.PROCESSING;

  @Field(() => String, { nullable: true, description: 'Why processing failed' })
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  /** Bytes of the row set on disk (rows and index), counted in the storage quotas. */
  @Property({ type: 'bigint', default: 0 })
  sizeBytes: number = 0;

  /** SHA-256 of the normalised rows: equal content, equal hash. */
  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  contentHash: string | null = null;

  @Field(() => [ID])
  @Property({ type: 'text[]' })
  parentIds: string[] = [];

  @Field(() => ID)
  @Property({ type: 'uuid' })
  authorId!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 2000, default: '' })
  message: string = '';

  @Field(() => GraphQLJSONObject, {
    description: 'How this version was produced (source file and mapping, or pipeline steps, or edits)',
  })
  @Property({ type: 'json' })
  recipe: Record<string, unknown> = {};

  @Field(() => SchemaKindOption, { nullable: true })
  @Property({ type: 'string', length: 32, nullable: true })
  schemaKind: string | null = null;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  rowCount: number = 0;

  @Property({ type: 'json', nullable: true })
  validation: Record<string, unknown> | null = null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Row, turn, character and token distributions, languages, roles, duplicates',
  })
  @Property({ type: 'json', nullable: true })
  stats: Record<string, unknown> | null = null;

  /** Row counts of the train, validation and test blocks (rows are stored in that order), when split. */
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: '{train, validation, test} row counts; rows are stored in that order',
  })
  @Property({ type: 'json', nullable: true })
  splits: { train: number; validation: number; test: number } | null = null;

  /**
   * What processing needs beyond the recipe (the edits of editDatasetRows), kept until the version
   * is READY or FAILED so that any API instance can (re)do the work from the database alone.
   */
  @Property({ type: 'json', nullable: true })
  input: Record<string, unknown> | null = null;

  /** Times processing started (a retry after a crash or a lapsed lease counts again). */
  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
