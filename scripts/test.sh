#!/usr/bin/env bash
# The whole test suite (`npm test`): lint, type-check, production build, then unit
# and integration tests on the embedded database and on a throwaway PostgreSQL 15.
# Set LEDGIX_TEST_DATABASE_URL to use an existing PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh

[ -n "${LEDGIX_TEST_DATABASE_URL:-}" ] || start_throwaway_postgres
echo "== lint and types"
npx eslint . --max-warnings 0
npx tsc --noEmit
echo "== build"
npx next build >/dev/null
echo "== tests"
npx vitest run "$@"

echo "== end-to-end (Playwright, Debian's Chromium, its own server on a fresh embedded database)"
npx playwright test
