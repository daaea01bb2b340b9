#!/usr/bin/env bash
# Check openapi.json as the mobile teams' client generators read it. Fails on any problem:
#   1. Redocly CLI lints it with the `recommended` rules (redocly.yaml): any error or warning;
#   2. openapi-typescript generates TypeScript types from it (not committed), and
#   3. tsc type-checks clients/typescript/usage.ts against them (--strict).
# It checks the committed openapi.json: `make openapi` rewrites it from the code, and
# tests/test_openapi_file.py fails while it is stale. Needs Node.js (20.19+ or 22.12+) and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

# Exact versions, so a new release never changes the verdict on an unchanged document.
# openapi-typescript and typescript are pinned in clients/typescript/package.json.
REDOCLY_CLI_VERSION=2.77.0
DOCUMENT=openapi.json
CLIENT_DIR=clients/typescript

# Neither tool has any business outside the package registry.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false
export npm_config_audit=false npm_config_fund=false npm_config_package_lock=false

started=$SECONDS
step() { printf '\n==> %s\n' "$*"; }
fail() {
    printf '\ncheck_openapi: FAILED: %s\n' "$*" >&2
    exit 1
}
report=$(mktemp)
trap 'rm -f "$report"' EXIT

step "Redocly CLI $REDOCLY_CLI_VERSION: lint $DOCUMENT (errors and warnings both fail)"
lint=(npx --yes "@redocly/cli@$REDOCLY_CLI_VERSION" lint "$DOCUMENT")
lint_status=0
"${lint[@]}" --format json >"$report" || lint_status=$?
# `redocly lint` exits 0 on warnings only, so the totals decide.
# shellcheck disable=SC2016 # JavaScript, not shell, expands ${...} in this template literal
totals=$(node -e '
    const { totals } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${totals.errors} ${totals.warnings} ${totals.ignored}`);
' "$report") || fail "could not read Redocly's report (exit status $lint_status)"
read -r errors warnings ignored <<<"$totals"
if ((lint_status != 0 || errors + warnings > 0)); then
    "${lint[@]}" || true # again, for the readable report
    fail "Redocly: $errors errors, $warnings warnings in $DOCUMENT"
fi
printf 'Redocly: no errors, no warnings (%s deliberate exceptions in .redocly.lint-ignore.yaml)\n' \
    "$ignored"

step "npm install in $CLIENT_DIR (exact versions from package.json, no lockfile)"
(cd "$CLIENT_DIR" && npm install --no-package-lock --no-audit --no-fund --loglevel=error)

step "openapi-typescript: $DOCUMENT -> $CLIENT_DIR/build/schema.d.ts"
rm -rf "$CLIENT_DIR/build"
(cd "$CLIENT_DIR" && ./node_modules/.bin/openapi-typescript "../../$DOCUMENT" \
    --output build/schema.d.ts) || fail "openapi-typescript could not generate types"

step "tsc --noEmit --strict: $CLIENT_DIR/usage.ts against the generated types"
(cd "$CLIENT_DIR" && ./node_modules/.bin/tsc --version &&
    ./node_modules/.bin/tsc --project tsconfig.json --noEmit --strict) ||
    fail "$CLIENT_DIR/usage.ts does not type-check against the generated types"

printf '\ncheck_openapi: OK in %ss\n' "$((SECONDS - started))"
