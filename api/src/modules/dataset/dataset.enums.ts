import { registerEnumType } from 'type-graphql';

/** GraphQL enums of the dataset feature; their values are what the ingest code uses internally. */
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
  MULTIPLE_CHOICE = 'multiple_choice',
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
