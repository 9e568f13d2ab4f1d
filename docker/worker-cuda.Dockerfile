# syntax=docker/dockerfile:1
# GPU worker: the worker agent and the Python trainer on PyTorch's CUDA image. The base image's torch
# must be the version workers/trainer/requirements.txt pins (the build checks it), so pip keeps it.
# Build from the repository root:  docker build -f docker/worker-cuda.Dockerfile -t llm-trainer-worker-cuda .
ARG NODE_IMAGE=node:22.23.5-bookworm-slim
ARG PYTORCH_IMAGE=pytorch/pytorch:2.13.0-cuda12.8-cudnn9-runtime

FROM ${NODE_IMAGE} AS node

# The agent's production dependencies only (tar, tsx).
FROM ${NODE_IMAGE} AS agent-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY web/package.json web/
COPY workers/agent/package.json workers/agent/
RUN npm ci --omit=dev --workspace workers/agent --no-audit --no-fund

FROM ${PYTORCH_IMAGE} AS runtime
ENV LLMTRAINER_PYTHON=/opt/conda/bin/python \
    LLMTRAINER_WORK_DIR=/work \
    PYTHONUNBUFFERED=1
COPY workers/trainer/requirements.txt workers/trainer/requirements-nodeps.txt /tmp/
RUN grep -vE '^(pytest|ruff)==' /tmp/requirements.txt > /tmp/runtime.txt \
    && pinned="$(sed -n 's/^torch==//p' /tmp/runtime.txt)" \
    && /opt/conda/bin/python -c "import sys, torch; v = torch.__version__.split('+')[0]; sys.exit(0 if v == sys.argv[1] else 'base image has torch ' + v + ', requirements pin ' + sys.argv[1])" "$pinned" \
    && /opt/conda/bin/python -m pip install --no-cache-dir -r /tmp/runtime.txt \
    && /opt/conda/bin/python -m pip install --no-cache-dir --no-deps -r /tmp/requirements-nodeps.txt \
    && rm /tmp/requirements.txt /tmp/requirements-nodeps.txt /tmp/runtime.txt
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /work --shell /usr/sbin/nologin app \
    && mkdir -p /work \
    && chown app:app /work
COPY --from=node /usr/local/bin/node /usr/local/bin/node
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
# LLMTRAINER_API_URL and LLMTRAINER_WORKER_TOKEN come from the environment; the GPUs from the runtime
# (docker run --gpus all, or nvidia.com/gpu in Kubernetes).
CMD ["node", "--import", "tsx", "workers/agent/src/main.ts"]
