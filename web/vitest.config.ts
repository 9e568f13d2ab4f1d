import { defineConfig } from 'vitest/config';

// Unit tests only: plain TypeScript modules and JSON, no SvelteKit plugin needed.
export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts'],
    environment: 'node',
  },
});
