# syntax=docker/dockerfile:1.7
# Confer's platform image: one image for every control-plane role, chosen by the command:
#   confer serve (API, the default) | confer worker | confer migrate | confer media agent | confer check
# Build from the repository root:  docker build -t confer .
# It runs as an unprivileged user and with a read-only root filesystem (give it a writable /tmp).
# Base images are pinned by tag and digest (a tag can be re-pushed): bump both together.
ARG NODE_IMAGE=node:22.12.0-bookworm-slim@sha256:35531c52ce27b6575d69755c73e65d4468dba93a25644eed56dc12879cae9213
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:081075da77b2b55c23c088251026fb69a7b2bf92471e491ff5fd75c192fd38e5

# --- the web client (web/dist) ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- wheels for Confer and every dependency (compilers stay in this stage) ---------------------------------------------
# Exactly the versions of requirements/production.lock, each checked against its hashes: no test tools and not the
# embedded servers of `confer dev` (the extras). Regenerate the lock with scripts/lock.
FROM ${PYTHON_IMAGE} AS wheels
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements/production.lock ./requirements/
RUN pip wheel --no-cache-dir --require-hashes --no-deps --wheel-dir /wheels -r requirements/production.lock
COPY pyproject.toml README.md ./
COPY platform/ ./platform/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# --- runtime ---------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="confer" \
      org.opencontainers.image.description="Confer: API, worker, migrations and media node agent" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/confer/venv/bin:$PATH \
    CONFER_HOST=0.0.0.0 \
    CONFER_PORT=8000 \
    CONFER_DATA_DIR=/tmp/confer \
    CONFER_WEB_DIST=/opt/confer/web

RUN groupadd --system --gid 10001 confer \
    && useradd --system --uid 10001 --gid confer --home-dir /nonexistent --shell /usr/sbin/nologin confer

# Installed from the wheels stage without copying them into a layer, those wheels only (the lock already resolved
# them, and pip check proves the set complete); pip compiles the bytecode now, since the root filesystem is read-only
# at run time.
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    python -m venv /opt/confer/venv \
    && /opt/confer/venv/bin/pip install --no-cache-dir --no-index --no-deps /wheels/*.whl \
    && /opt/confer/venv/bin/pip check

# Confer serves the web client from CONFER_WEB_DIST.
COPY --from=web /src/web/dist /opt/confer/web

USER 10001:10001
WORKDIR /tmp
EXPOSE 8000

# For the API (the default command). Kubernetes uses the chart's probes instead; for other roles under Docker,
# run with --no-healthcheck.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('CONFER_PORT', '8000')}/healthz\", timeout=2)"]

ENTRYPOINT ["confer"]
CMD ["serve"]
