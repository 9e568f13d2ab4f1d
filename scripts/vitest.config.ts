import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The test runner's own self-test; its fixtures live under fixtures/ and run only in child processes.
export default defineConfig({
  test: {
    name: 'scripts',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
  },
});
