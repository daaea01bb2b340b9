#!/usr/bin/env bash
# Run the Postman collection with newman against a throw-away API instance:
# `make run` semantics (.venv/bin/python -m api) on a free loopback port, with its
# own empty DATA_DIR (embedded store), stopped and deleted again on exit.
# Extra arguments go to `newman run`, e.g. `bash postman/run.sh --verbose`.
# newman's working directory is postman/, so the import's file (fixtures/contacts.csv)
# resolves relative to the collection.
# Exit status: newman's (non-zero when any assertion fails), or 1 if the API won't start
# or stop cleanly.
set -euo pipefail

NEWMAN_VERSION=6.2.2
HERE=postman

cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
if [[ ! -x $PYTHON ]]; then
  echo "run.sh: $PYTHON not found; run 'make install' first" >&2
  exit 1
fi
if ! command -v npx >/dev/null; then
  echo "run.sh: npx not found; install Node.js 16 or later (newman $NEWMAN_VERSION needs it)" >&2
  exit 1
fi

# scripts/with_api.py starts the throw-away API (free port, temporary DATA_DIR),
# hands its URL to the command as API_URL, prints the API's log if the command
# fails, and stops it again.
export NEWMAN_VERSION HERE
exec "$PYTHON" -m scripts.with_api -- bash -c '
  exec npx --yes "newman@$NEWMAN_VERSION" run "$HERE/contacts-api.postman_collection.json" \
    --environment "$HERE/local.postman_environment.json" \
    --env-var "baseUrl=$API_URL" \
    --working-dir "$HERE" \
    --timeout-request 15000 \
    "$@"' newman "$@"
