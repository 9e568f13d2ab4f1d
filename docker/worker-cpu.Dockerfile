# syntax=docker/dockerfile:1
# CPU worker: the worker agent (TypeScript on Node 22) and the Python trainer with CPU-only PyTorch.
# Build from the repository root:  docker build -f docker/worker-cpu.Dockerfile -t llm-trainer-worker-cpu .
ARG NODE_IMAGE=node:22.23.5-bookworm-slim
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${NODE_IMAGE} AS node

# The agent's production dependencies only (tar, tsx).
FROM ${NODE_IMAGE} AS agent-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY web/package.json web/
COPY workers/agent/package.json workers/agent/
RUN npm ci --omit=dev --workspace workers/agent --no-audit --no-fund

# The trainer's pinned requirements without its test tools. PyTorch's CPU index is searched too:
# torch==2.13.0 then resolves to 2.13.0+cpu (a local version sorts above the plain one), not the
# CUDA wheels PyPI serves.
FROM ${PYTHON_IMAGE} AS trainer-env
COPY workers/trainer/requirements.txt workers/trainer/requirements-nodeps.txt /tmp/
RUN grep -vE '^(pytest|ruff)==' /tmp/requirements.txt > /tmp/runtime.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu -r /tmp/runtime.txt \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps -r /tmp/requirements-nodeps.txt

FROM ${PYTHON_IMAGE} AS runtime
ENV LLMTRAINER_PYTHON=/opt/venv/bin/python \
    LLMTRAINER_WORK_DIR=/work \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /work --shell /usr/sbin/nologin app \
    && mkdir -p /work \
    && chown app:app /work
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=trainer-env /opt/venv /opt/venv
WORKDIR /app
COPY --from=agent-deps /app ./
COPY package.json ./
COPY workers/agent/package.json workers/agent/
COPY workers/agent/src workers/agent/src
COPY workers/trainer/src workers/trainer/src
USER 10001:10001
VOLUME ["/work"]
# The agent serves nothing: healthy means it can reach the API it works for.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch(process.env.LLMTRAINER_API_URL + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# LLMTRAINER_API_URL and LLMTRAINER_WORKER_TOKEN come from the environment (workers/agent/README.md).
CMD ["node", "--import", "tsx", "workers/agent/src/main.ts"]
