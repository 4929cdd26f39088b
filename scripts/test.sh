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
vitest_args=("$@")
unit_and_integration() { npx vitest run "${vitest_args[@]}"; }

# The SDKs are packages of their own: their own lockfiles, checks and builds. These need no
# server, so they run while vitest does. The SDKs' tests start the server built above on the same
# PostgreSQL (the gateway's README runs the upstreams in examples/, and the MCP one needs its SDK).
# The TypeScript SDK's files but its model-based test follow its build there: they mostly wait on
# servers and timeouts, and run last and alone they held two cores half idle for two minutes.
sdk_packages() {
  npm ci --prefix sdk/typescript --no-audit --no-fund --silent
  npm ci --prefix examples --no-audit --no-fund --silent
  npm run --prefix sdk/typescript --silent typecheck
  npm run --prefix sdk/typescript --silent build
  # Python (sdk/python): ruff, mypy, build and installs; its own script, so it can also run alone.
  LEDGIX_PYTHON_SDK_STEP=checks bash sdk/python/scripts/test.sh
}
MODEL_TEST=tests/integration/approval-invariant.test.ts
sdk_packages_and_ts_sdk() {
  stage "SDK packages: install, types, lint, build" sdk_packages
  stage "TypeScript SDK tests but the model-based one" npm test --prefix sdk/typescript -- --exclude "$MODEL_TEST"
}
stages_in_parallel \
  "unit and integration tests (vitest)" unit_and_integration \
  "SDK packages, then the TypeScript SDK's tests" sdk_packages_and_ts_sdk

model_test() { npm test --prefix sdk/typescript -- "$MODEL_TEST"; }
python_sdk() { LEDGIX_PYTHON_SDK_STEP=pytest bash sdk/python/scripts/test.sh; }
browser() { npx playwright test; }
stages_in_parallel \
  "TypeScript SDK: the model-based test" model_test \
  "Python SDK tests (sdk/python)" python_sdk \
  "dashboard in Chromium (Playwright)" browser
