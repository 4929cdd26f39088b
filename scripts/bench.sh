#!/usr/bin/env bash
# `npm run bench`: builds, starts a throwaway PostgreSQL 15 (unless
# LEDGIX_TEST_DATABASE_URL is set) and prints the benchmarks as Markdown tables, in order:
# the clearance API against the floor, a naive durable write (scripts/bench.ts, scripts/floor-app); two app processes against one PostgreSQL
# (scripts/bench-scale.ts); the ledger (scripts/bench-ledger.ts) on a BENCH_LEDGER_SIZE-entry
# ledger (default 1,000,000; e.g. 20000 for a quick run); the HTTP gateway's added latency
# (sdk/typescript/bench/gateway-latency.ts); the policy engine in-process
# (scripts/bench-policy.ts; needs no server or database); the dashboard's review queue and
# requests list with 10,000 pending requests (scripts/bench-dashboard.ts); the overload curve
# of the clearance API on PostgreSQL (scripts/bench-overload.ts); what OpenTelemetry tracing costs,
# off and on (scripts/bench-tracing.ts).
# BENCH_ONLY=clearance, scale, ledger, gateway, policy, dashboard, overload or tracing runs just one of them.
set -euo pipefail
cd "$(dirname "$0")/.."
only=${BENCH_ONLY:-}
case "$only" in "" | clearance | scale | ledger | gateway | policy | dashboard | overload | tracing) ;; *) echo "BENCH_ONLY must be clearance, scale, ledger, gateway, policy, dashboard, overload or tracing" >&2; exit 2 ;; esac
if [ "$only" = policy ]; then exec node --import tsx scripts/bench-policy.ts; fi
. scripts/postgres.sh
[ -n "${LEDGIX_TEST_DATABASE_URL:-}" ] || start_throwaway_postgres >&2
npm run --silent build >/dev/null
[ -n "$only" ] && [ "$only" != clearance ] || node --import tsx scripts/bench.ts "$@"
[ -n "$only" ] && [ "$only" != scale ] || node --import tsx scripts/bench-scale.ts
[ -n "$only" ] && [ "$only" != ledger ] || node --import tsx scripts/bench-ledger.ts
if [ -z "$only" ] || [ "$only" = gateway ]; then
  [ -d sdk/typescript/node_modules ] || npm ci --prefix sdk/typescript --no-audit --no-fund >&2
  npm run --silent --prefix sdk/typescript bench
fi
[ -n "$only" ] || node --import tsx scripts/bench-policy.ts
[ -n "$only" ] && [ "$only" != dashboard ] || node --import tsx scripts/bench-dashboard.ts
[ -n "$only" ] && [ "$only" != overload ] || node --import tsx scripts/bench-overload.ts
[ -n "$only" ] && [ "$only" != tracing ] || node --import tsx scripts/bench-tracing.ts
