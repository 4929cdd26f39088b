#!/usr/bin/env bash
# The whole test suite (`npm test`): lint, type-check, production build, then the unit and
# integration tests on the embedded PostgreSQL, and the integration tests once more on a
# throwaway PostgreSQL 15 (the oldest version we support). The unit tests use that
# PostgreSQL too. Set LEDGIX_TEST_DATABASE_URL to use an existing PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh

[ -n "${LEDGIX_TEST_DATABASE_URL:-}" ] || start_throwaway_postgres
echo "== lint and types"
npx eslint . --max-warnings 0
npx tsc --noEmit
echo "== build"
npx next build >/dev/null
echo "== tests (embedded PostgreSQL)"
npx vitest run "$@"
echo "== integration tests (PostgreSQL at LEDGIX_TEST_DATABASE_URL)"
LEDGIX_TEST_DB=postgres npx vitest run --project integration --passWithNoTests "$@"
