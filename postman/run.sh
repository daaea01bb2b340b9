#!/usr/bin/env bash
# Run the Postman collection with newman against a throw-away API instance:
# `make run` semantics (.venv/bin/python -m api) on a free loopback port, with its
# own empty DATA_DIR (embedded store), stopped and deleted again on exit.
# Extra arguments go to `newman run`, e.g. `bash postman/run.sh --verbose`.
# newman's working directory is postman/, so the import's file (fixtures/contacts.csv)
# resolves relative to the collection.
# Exit status: newman's (non-zero when any assertion fails), or 1 if the API won't start.
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

PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATA_DIR=$(mktemp -d)
LOG=$(mktemp)
BASE_URL="http://127.0.0.1:$PORT"
SERVER_PID=

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    # SIGTERM lets uvicorn run the app's shutdown, which stops the embedded store.
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR" "$LOG"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Environment variables beat .env: a blank MONGODB_URL means the embedded store, so a
# MONGODB_URL in .env can't point this run at a real database.
HOST=127.0.0.1 PORT=$PORT DATA_DIR=$DATA_DIR MONGODB_URL='' "$PYTHON" -m api >"$LOG" 2>&1 &
SERVER_PID=$!

echo "run.sh: starting the API on $BASE_URL (data in a temporary directory)"
ready=
deadline=$((SECONDS + 30))
while ((SECONDS < deadline)) && kill -0 "$SERVER_PID" 2>/dev/null; do
  if "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$BASE_URL/openapi.json" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.5
done
if [[ -z $ready ]] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "run.sh: the API did not answer on $BASE_URL within 30 s; its log:" >&2
  cat "$LOG" >&2
  exit 1
fi

status=0
npx --yes "newman@$NEWMAN_VERSION" run "$HERE/contacts-api.postman_collection.json" \
  --environment "$HERE/local.postman_environment.json" \
  --env-var "baseUrl=$BASE_URL" \
  --working-dir "$HERE" \
  --timeout-request 15000 \
  "$@" || status=$?

if [[ $status -ne 0 ]]; then
  echo "run.sh: newman failed (exit $status); the API's log:" >&2
  tail -n 50 "$LOG" >&2
fi
exit "$status"
