import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // The API imports build/handler.js and mounts it after /graphql on the same origin.
    adapter: adapter({ out: 'build', precompress: false }),
    // Absolute asset URLs: relative ones in the shell (favicon) break after client-side navigation.
    paths: { relative: false },
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        // Svelte writes inline style attributes (transitions, dynamic widths).
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        // 'self' covers ws(s):// on the same host in current browsers (CSP level 3).
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};

export default config;
