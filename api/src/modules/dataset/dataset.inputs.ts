import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { EncodingOption, FileFormatOption, SchemaKindOption, TextModeOption } from './dataset.enums.js';

export { EncodingOption, FileFormatOption, SchemaKindOption, TextModeOption };
import { PageArgs } from '../../graphql/pagination.js';
import { DatasetVersionStatus } from './dataset-version.entity.js';

@InputType()
export class ColumnMappingInput {
  @Field(() => SchemaKindOption)
  kind!: SchemaKindOption;

  @Field(() => GraphQLJSONObject, {
    description: 'Canonical field → source column, e.g. {"instruction": "question", "output": "answer"}',
  })
  columns!: Record<string, string>;
}

@InputType({ description: 'Overrides for what detection found; leave out to accept it' })
export class ReadOptionsInput {
  @Field(() => FileFormatOption, { nullable: true })
  format?: FileFormatOption | null;

  @Field(() => EncodingOption, { nullable: true })
  encoding?: EncodingOption | null;

  @Field(() => TextModeOption, { nullable: true })
  textMode?: TextModeOption | null;

  @Field(() => ColumnMappingInput, { nullable: true })
  mapping?: ColumnMappingInput | null;
}

@InputType()
export class CreateDatasetInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class UpdateDatasetInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class CreateDatasetVersionInput {
  @Field(() => ID)
  datasetId!: string;

  @Field(() => ID, { description: 'A completed upload of the same project (POST /uploads, tus protocol)' })
  uploadId!: string;

  @Field(() => ReadOptionsInput, { nullable: true })
  options?: ReadOptionsInput | null;

  @Field(() => Boolean, { defaultValue: false, description: 'Leave rows with problems out (recorded in the version)' })
  excludeInvalidRows: boolean = false;

  @Field(() => String, { nullable: true })
  message?: string | null;
}

@ArgsType()
export class DatasetsArgs extends PageArgs {
  @Field(() => ID)
  projectId!: string;

  @Field(() => String, { nullable: true })
  search?: string | null;
}

@ArgsType()
export class RowsArgs {
  @Field(() => Int, { defaultValue: 0 })
  offset: number = 0;

  @Field(() => Int, { defaultValue: 50, description: '1 to 500' })
  limit: number = 50;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text to find in the row' })
  search?: string | null;
}

@ObjectType()
export class DatasetRow {
  @Field(() => Int, { description: '0-based position in the version' })
  index!: number;

  @Field(() => GraphQLJSONObject, {
    description: 'The normalised row: {messages}, {text} or {prompt, chosen, rejected}',
  })
  data!: Record<string, unknown>;
}

@ObjectType()
export class DatasetRowPage {
  @Field(() => [DatasetRow])
  rows!: DatasetRow[];

  @Field(() => Int, { description: 'Rows in the version, or matches when searching' })
  total!: number;
}

@ObjectType()
export class ProblemExample {
  @Field(() => Int, { description: 'Line (or record) number in the source file' })
  line!: number;

  @Field(() => String)
  message!: string;
}

@ObjectType()
export class ProblemCount {
  @Field(() => String, {
    description:
      'PARSE_ERROR, MISSING_FIELD, EMPTY_ASSISTANT, BAD_ROLE_ORDER, DUPLICATE, TOO_LONG, BAD_ANSWER, BAD_CHOICES, …',
  })
  code!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => [ProblemExample], { description: 'The first offending rows' })
  examples!: ProblemExample[];
}

@ObjectType()
export class ValidationReport {
  @Field(() => Int)
  sourceRecords!: number;

  @Field(() => Int)
  validRows!: number;

  @Field(() => Int)
  invalidRows!: number;

  @Field(() => Int, { description: 'Left out because the author chose to exclude invalid rows' })
  excludedRows!: number;

  @Field(() => Int, { description: 'Problems still present; the version cannot be trained on until 0' })
  unresolved!: number;

  @Field(() => [ProblemCount])
  problems!: ProblemCount[];
}

@ObjectType()
export class DatasetSchema {
  @Field(() => SchemaKindOption, { nullable: true })
  kind!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  mapping!: Record<string, unknown> | null;

  @Field(() => FileFormatOption, { nullable: true })
  format!: string | null;

  @Field(() => EncodingOption, { nullable: true })
  encoding!: string | null;
}

@ObjectType()
export class UploadDetection {
  @Field(() => FileFormatOption)
  format!: FileFormatOption;

  @Field(() => EncodingOption)
  encoding!: EncodingOption;

  @Field(() => Number)
  encodingConfidence!: number;

  @Field(() => Boolean)
  compressed!: boolean;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Detected {kind, columns}, or null when no schema fits',
  })
  mapping!: Record<string, unknown> | null;

  @Field(() => Number)
  mappingConfidence!: number;

  @Field(() => [String])
  columns!: string[];

  @Field(() => [GraphQLJSONObject], { description: 'First records as read' })
  sample!: Record<string, unknown>[];
}

@ObjectType()
export class DatasetVersionProgress {
  @Field(() => ID)
  versionId!: string;

  @Field(() => DatasetVersionStatus)
  status!: string;

  @Field(() => Int)
  rowsProcessed!: number;

  @Field(() => String, { nullable: true })
  message!: string | null;
}
