#!/usr/bin/env bash
# `npm run bench`: builds, starts a throwaway PostgreSQL 15 (unless
# LEDGIX_TEST_DATABASE_URL is set) and prints the benchmarks as a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
[ -n "${LEDGIX_TEST_DATABASE_URL:-}" ] || start_throwaway_postgres >&2
npx next build >/dev/null
node --import tsx scripts/bench.ts "$@"
