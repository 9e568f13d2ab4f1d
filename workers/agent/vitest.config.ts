import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The agent's unit tests. Those of the protocol drive it against the real API (api/test/test-app.ts),
// so they share the API project's PostgreSQL setup and its one copy of graphql.
export default defineConfig({
  resolve: {
    // Two copies of graphql under vitest break instanceof checks ("another module or realm").
    alias: [
      {
        find: /^graphql$/,
        replacement: fileURLToPath(new URL('../../node_modules/graphql/index.js', import.meta.url)),
      },
    ],
  },
  test: {
    name: 'agent',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['src/**/*.spec.ts'],
    globalSetup: ['../../api/test/global-setup.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
