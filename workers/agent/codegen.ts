import type { CodegenConfig } from '@graphql-codegen/cli';

// The agent's operation types from the committed SDL and src/**/*.graphql, as the web's are. Documents
// are plain strings (`documentMode: 'string'`): the agent POSTs them with fetch and needs no GraphQL
// runtime. Output is committed and reproducible, so `codegen:check` fails `npm test` when it drifts.
const config: CodegenConfig = {
  schema: '../../schema/schema.graphql',
  documents: ['src/**/*.graphql'],
  ignoreNoDocuments: false,
  // Relative imports with `.js`, as NodeNext resolution (the agent's tsconfig) requires.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTimeISO: 'string', JSONObject: 'Record<string, unknown>' },
        skipTypename: true,
        dedupeFragments: true,
      },
    },
  },
};

export default config;
