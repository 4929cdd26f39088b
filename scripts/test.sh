#!/usr/bin/env bash
# The whole test suite (`npm test`): lint, types and the production build; the unit and
# integration tests on a throwaway PostgreSQL 15 (the oldest version we support), among them the
# README's own commands (tests/integration/readme.test.ts), and the files that depend on the
# database kind again on the embedded PostgreSQL; both SDKs; the dashboard in Chromium. Set
# LEDGIX_TEST_DATABASE_URL to use an existing PostgreSQL instead. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
. scripts/stages.sh
[ -n "${LEDGIX_TEST_DATABASE_URL:-}" ] || start_throwaway_postgres
# The outermost script (this one, or .ci/run) prints the table of stage times, pass or fail.
[ -n "${LEDGIX_STAGES_OWNER:-}" ] || { export LEDGIX_STAGES_OWNER=$$; print_here=1; }
trap '[ -z "${print_here:-}" ] || print_stages; eval "${THROWAWAY_POSTGRES_STOP:-}"' EXIT

# eslint and tsc are single-threaded: side by side they take the time of the slower one.
lint_and_types() {
  npx eslint . --max-warnings 0 & local lint=$!
  npx tsc --noEmit & local types=$!
  wait $lint && wait $types
}
stage "lint and types" lint_and_types
# Alone: beside lint and tsc, the build took twice as long (it uses both cores itself).
stage "build (app and CLI)" npm run --silent build
stage "unit and integration tests (vitest)" npx vitest run "$@"

# The TypeScript SDK is its own package: its own lockfile, build and tests. Its
# integration tests start the server built above, on the same PostgreSQL, and the gateway's
# README runs the upstreams in examples/ (the MCP one needs its SDK).
ts_sdk() {
  npm ci --prefix sdk/typescript --no-audit --no-fund --silent
  npm ci --prefix examples --no-audit --no-fund --silent
  npm run --prefix sdk/typescript --silent typecheck
  npm run --prefix sdk/typescript --silent build
  npm test --prefix sdk/typescript
}
# Python SDK (sdk/python): ruff, mypy, build, unit and integration tests against this build,
# on the PostgreSQL above. Its own script, so it can also run alone.
python_sdk() { bash sdk/python/scripts/test.sh; }
browser() { npx playwright test; }
stages_in_parallel \
  "TypeScript SDK (sdk/typescript)" ts_sdk \
  "Python SDK (sdk/python)" python_sdk \
  "dashboard in Chromium (Playwright)" browser
