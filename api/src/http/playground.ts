import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';

const require = createRequire(import.meta.url);
const asset = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), file);

/**
 * GraphiQL for integrators, served from our own node_modules so it works offline (no CDN).
 * Paste `{"Authorization": "Bearer <token>"}` into the Headers tab to act as a user or an API token.
 */
export function playgroundRouter(): Router {
  const router = express.Router();
  const files: Record<string, string> = {
    'react.js': asset('react', 'umd/react.production.min.js'),
    'react-dom.js': asset('react-dom', 'umd/react-dom.production.min.js'),
    'graphiql.js': asset('graphiql', 'graphiql.min.js'),
    'graphiql.css': asset('graphiql', 'graphiql.min.css'),
  };
  router.get('/playground/assets/:file', (req, res) => {
    const file = files[req.params.file];
    if (!file) return void res.status(404).end();
    res.sendFile(file, { maxAge: '1d' });
  });
  router.get('/playground', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LLM Trainer · GraphQL playground</title>
<link rel="stylesheet" href="/playground/assets/graphiql.css">
<style>body{margin:0;height:100vh}#graphiql{height:100vh}</style></head>
<body><div id="graphiql">Loading…</div>
<script src="/playground/assets/react.js"></script>
<script src="/playground/assets/react-dom.js"></script>
<script src="/playground/assets/graphiql.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, {
    fetcher,
    defaultHeaders: '{\\n  "Authorization": "Bearer <access token or lt_pat_ API token>"\\n}',
    defaultQuery: '# Put your token in the Headers tab below, then run:\\n{\\n  me { id email displayName permissions }\\n}\\n',
  }));
</script></body></html>`);
  });
  return router;
}
