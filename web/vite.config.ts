import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// In development the API runs separately; proxy GraphQL (HTTP and graphql-ws), tus uploads and
// dataset downloads so the page, the refresh cookie (path /graphql) and the socket all stay on one
// origin, as in production.
const apiTarget = process.env.API_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/graphql': { target: apiTarget, ws: true },
      '/uploads': { target: apiTarget },
      '/datasets/versions': { target: apiTarget },
    },
  },
});
