import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DatasetRow } from './dataset.inputs.js';

export enum PipelineOp {
  DEDUPE_EXACT = 'DEDUPE_EXACT',
  DEDUPE_NORMALIZED = 'DEDUPE_NORMALIZED',
  FILTER_LENGTH = 'FILTER_LENGTH',
  DROP_INVALID = 'DROP_INVALID',
  NORMALIZE_TEXT = 'NORMALIZE_TEXT',
  SCRUB_PII = 'SCRUB_PII',
  SHUFFLE = 'SHUFFLE',
  SAMPLE = 'SAMPLE',
  SPLIT = 'SPLIT',
}
registerEnumType(PipelineOp, {
  name: 'PipelineOp',
  valuesConfig: {
    DEDUPE_EXACT: { description: 'Drop rows identical to an earlier row' },
    DEDUPE_NORMALIZED: { description: 'Drop rows equal to an earlier row ignoring case, spaces and punctuation' },
    FILTER_LENGTH: { description: 'Keep rows within minChars/maxChars and minTokens/maxTokens (Qwen3 tokenizer)' },
    DROP_INVALID: { description: 'Drop rows with validation problems' },
    NORMALIZE_TEXT: { description: 'Unicode NFKC, unified line endings, trimmed and collapsed blank space' },
    SCRUB_PII: { description: 'Replace emails, phone numbers and ID-card numbers with placeholders' },
    SHUFFLE: { description: 'Seeded shuffle' },
    SAMPLE: { description: 'Keep the first `count` rows (shuffle first for a random sample)' },
    SPLIT: { description: 'Seeded train/validation/test split by `ratios`; rows are ordered train, validation, test' },
  },
});

/** One declarative step. Only the fields its `op` uses may be set; each is validated by name. */
@InputType()
export class PipelineStepInput {
  @Field(() => PipelineOp)
  op!: PipelineOp;

  @Field(() => Int, { nullable: true })
  minChars?: number | null;

  @Field(() => Int, { nullable: true })
  maxChars?: number | null;

  @Field(() => Int, { nullable: true })
  minTokens?: number | null;

  @Field(() => Int, { nullable: true })
  maxTokens?: number | null;

  @Field(() => Int, { nullable: true, description: 'SHUFFLE and SPLIT' })
  seed?: number | null;

  @Field(() => Int, { nullable: true, description: 'SAMPLE' })
  count?: number | null;

  @Field(() => [Float], { nullable: true, description: 'SPLIT: [train, validation, test], summing to 1' })
  ratios?: number[] | null;
}

@InputType()
export class ApplyDatasetPipelineInput {
  @Field(() => ID)
  versionId!: string;

  @Field(() => [PipelineStepInput])
  steps!: PipelineStepInput[];

  @Field(() => String, { nullable: true })
  message?: string | null;
}

export enum RowEditOp {
  UPDATE = 'UPDATE',
  DELETE = 'DELETE',
  ADD = 'ADD',
}
registerEnumType(RowEditOp, { name: 'RowEditOp' });

@InputType()
export class RowEditInput {
  @Field(() => RowEditOp)
  op!: RowEditOp;

  @Field(() => Int, { nullable: true, description: 'UPDATE and DELETE: the row index in the source version' })
  index?: number | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'UPDATE and ADD: the row in normalised form' })
  row?: Record<string, unknown> | null;
}

@InputType()
export class EditDatasetRowsInput {
  @Field(() => ID)
  versionId!: string;

  @Field(() => [RowEditInput])
  edits!: RowEditInput[];

  @Field(() => String)
  message!: string;
}

export enum DiffKind {
  ADDED = 'ADDED',
  REMOVED = 'REMOVED',
  CHANGED = 'CHANGED',
}
registerEnumType(DiffKind, { name: 'DiffKind' });

@ObjectType()
export class DiffEntry {
  @Field(() => DiffKind)
  kind!: DiffKind;

  @Field(() => DatasetRow, { nullable: true })
  base!: DatasetRow | null;

  @Field(() => DatasetRow, { nullable: true })
  head!: DatasetRow | null;
}

@ObjectType()
export class DatasetDiff {
  @Field(() => Int)
  added!: number;

  @Field(() => Int)
  removed!: number;

  @Field(() => Int)
  changed!: number;

  @Field(() => Int)
  unchanged!: number;

  @Field(() => [DiffEntry], { description: 'The page of differences asked for, in row order' })
  entries!: DiffEntry[];

  @Field(() => GraphQLJSONObject, {
    description: 'head − base for rows, mean characters, mean tokens, languages and duplicates',
  })
  statsDelta!: Record<string, unknown>;
}

@ObjectType()
export class RenderedToken {
  @Field(() => Int)
  id!: number;

  @Field(() => String)
  text!: string;

  @Field(() => Boolean, { description: 'Counted in the loss (assistant-only masking)' })
  trained!: boolean;
}

@ObjectType()
export class RenderedRow {
  @Field(() => String, { description: 'The row rendered through the model chat template' })
  text!: string;

  @Field(() => [RenderedToken], { description: 'Tokens up to maxLength' })
  tokens!: RenderedToken[];

  @Field(() => Int)
  totalTokens!: number;

  @Field(() => Int)
  trainedTokens!: number;

  @Field(() => Int, { nullable: true, description: 'Token index where maxLength cuts the row, if it does' })
  truncatedAt!: number | null;

  @Field(() => [String], {
    description:
      'Problems a trainer would hit: empty think blocks, missing EOS, dropped system prompt, truncated answers',
  })
  warnings!: string[];

  @Field(() => String)
  template!: string;
}
