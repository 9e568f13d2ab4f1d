import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageArgs } from '../../graphql/pagination.js';

export enum FileFormatOption {
  JSONL = 'jsonl',
  JSON = 'json',
  CSV = 'csv',
  TSV = 'tsv',
  PARQUET = 'parquet',
  TXT = 'txt',
}
registerEnumType(FileFormatOption, { name: 'FileFormat' });

export enum EncodingOption {
  UTF8 = 'utf-8',
  UTF16LE = 'utf-16le',
  UTF16BE = 'utf-16be',
  GB18030 = 'gb18030',
}
registerEnumType(EncodingOption, { name: 'TextEncoding', description: 'GB18030 also reads GBK and GB2312' });

export enum SchemaKindOption {
  ALPACA = 'alpaca',
  SHAREGPT = 'sharegpt',
  OPENAI = 'openai',
  PROMPT_COMPLETION = 'prompt_completion',
  TEXT = 'text',
  PREFERENCE = 'preference',
}
registerEnumType(SchemaKindOption, { name: 'SchemaKind' });

export enum TextModeOption {
  LINES = 'lines',
  DOCUMENT = 'document',
}
registerEnumType(TextModeOption, {
  name: 'TextMode',
  description: 'TXT files: one row per line, or the whole file as one row',
});

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
    description: 'PARSE_ERROR, MISSING_FIELD, EMPTY_ASSISTANT, BAD_ROLE_ORDER, DUPLICATE, TOO_LONG, …',
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
  @Field(() => String, { nullable: true })
  kind!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  mapping!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  format!: string | null;

  @Field(() => String, { nullable: true })
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

  @Field(() => String)
  status!: string;

  @Field(() => Int)
  rowsProcessed!: number;

  @Field(() => String, { nullable: true })
  message!: string | null;
}
