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

# The TypeScript SDK is its own package: its own lockfile, build and tests. Its
# integration tests start the server built above, on the same PostgreSQL.
echo "== TypeScript SDK (sdk/typescript)"
npm ci --prefix sdk/typescript --no-audit --no-fund
npm run --prefix sdk/typescript typecheck
npm run --prefix sdk/typescript build
npm test --prefix sdk/typescript

# Python SDK (sdk/python): ruff, mypy, build, unit and integration tests against this build,
# on the PostgreSQL above. Its own script, so it can also run alone.
echo "== python sdk"
bash sdk/python/scripts/test.sh
echo "== end-to-end (Playwright, Debian's Chromium, its own server on a fresh embedded database)"
npx playwright test
