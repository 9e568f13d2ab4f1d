import { defineConfig } from 'vitest/config';

// Root config: one vitest run over the api, web, agent and scripts projects (`npm test` runs it via scripts/test.mjs).
export default defineConfig({
  test: {
    projects: [
      'api/vitest.config.ts',
      'web/vitest.config.ts',
      'workers/agent/vitest.config.ts',
      'scripts/vitest.config.ts',
    ],
  },
});
