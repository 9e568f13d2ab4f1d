import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents from the committed SDL and the operations in src/**/*.graphql.
// Output is committed; prettier formats it so that a re-run on the same inputs gives the same bytes.
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
  },
  hooks: { afterAllFileWrite: ['prettier --write'] },
};

export default config;
