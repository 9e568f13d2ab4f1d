import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents from the committed SDL and the operations in src/**/*.graphql.
// Output is committed and byte-for-byte reproducible from the same inputs (no timestamps, stable
// order), so `codegen:check` can fail CI when someone changes an operation or the schema without it.
const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/lib/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTimeISO: 'string', JSONObject: 'Record<string, unknown>' },
        skipTypename: true,
        dedupeFragments: true,
      },
    },
    'src/lib/graphql/generated/input-defaults.ts': { plugins: ['./codegen-input-defaults.js'] },
  },
};

export default config;
