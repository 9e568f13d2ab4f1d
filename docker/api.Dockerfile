# syntax=docker/dockerfile:1
# API + web: the GraphQL/WebSocket API (TypeScript run by tsx on Node 22) serving the built SvelteKit app.
# Build from the repository root:  docker build -f docker/api.Dockerfile -t llm-trainer-api .
ARG NODE_IMAGE=node:22.23.5-bookworm-slim

# Production dependencies of the api and web workspaces only (no compilers, test tools or the agent).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY web/package.json web/
COPY workers/agent/package.json workers/agent/
RUN npm ci --omit=dev --workspace api --workspace web --no-audit --no-fund

# The web app, built with every dev dependency; only its output leaves this stage.
FROM ${NODE_IMAGE} AS web
WORKDIR /app
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY web/package.json web/
COPY workers/agent/package.json workers/agent/
RUN npm ci --no-audit --no-fund
COPY schema schema
COPY web web
RUN npm run build --workspace web

FROM ${NODE_IMAGE} AS runtime
# DATA_DIR is a volume shared by every replica (uploads, dataset rows, artifacts). tsx reads the API's
# tsconfig for its decorators. HOST 0.0.0.0: the container's network is the boundary.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data \
    WEB_BUILD_DIR=/app/web/build \
    TSX_TSCONFIG_PATH=/app/api/tsconfig.json
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data
WORKDIR /app
COPY --from=deps /app ./
COPY package.json ./
COPY api/package.json api/tsconfig.json api/
COPY api/src api/src
COPY migrations migrations
COPY --from=web /app/web/build web/build
USER 10001:10001
EXPOSE 4000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The migration Job runs the same image with: node --import tsx api/src/scripts/migrate.ts
CMD ["node", "--import", "tsx", "api/src/main.ts"]
