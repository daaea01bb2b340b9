# The Contacts API image: `docker compose up` (see docker-compose.yml) or
#   docker build -t contacts-api . && docker run -p 8000:8000 -e MONGODB_URL=... -e JWT_SECRET=... contacts-api
# Without MONGODB_URL the app falls back to its embedded store under /app/data.

# --- builder: the locked runtime dependencies, installed into a self-contained venv ---
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /build
RUN python -m venv /opt/venv
COPY requirements.txt ./
# Exact versions with their hashes; --no-deps because the lock already lists every dependency.
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r requirements.txt

# --- runtime: the same base (the venv links to its interpreter), the venv and the app code ---
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000

# An unprivileged account; the code stays owned by root, so the process cannot rewrite it.
RUN useradd --system --user-group --uid 10001 --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY api/ api/
COPY auth/ auth/
COPY contacts/ contacts/
COPY models/ models/
# DATA_DIR's default (relative to /app): only the embedded store writes there.
RUN mkdir data && chown app:app data

USER app
EXPOSE 8000
CMD ["python", "-m", "api"]
