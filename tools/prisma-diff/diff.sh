#!/usr/bin/env bash
# Prints the SQL that turns schema FROM into schema TO ("empty" for FROM means no tables).
#   tools/prisma-diff/diff.sh empty prisma/schema.prisma
#   tools/prisma-diff/diff.sh <(git show HEAD:prisma/schema.prisma) prisma/schema.prisma
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$here/node_modules/prisma" ] || npm ci --prefix "$here" --silent --no-audit --no-fund >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Prisma 6 insists on a datasource url even though the adapter replaces it.
with_url() { sed 's|^  provider = "postgresql"$|  provider = "postgresql"\n  url      = "postgresql://unused"|' "$1"; }
with_url "$2" > "$work/to.prisma"
from=(--from-empty)
if [ "$1" != empty ]; then with_url "$1" > "$work/from.prisma"; from=(--from-schema-datamodel "$work/from.prisma"); fi
cd "$here"
LEDGIX_DIFF_SCHEMA="$work/to.prisma" PRISMA_HIDE_UPDATE_MESSAGE=1 \
  PRISMA_QUERY_ENGINE_LIBRARY=/bin/false PRISMA_SCHEMA_ENGINE_BINARY=/bin/false \
  node_modules/.bin/prisma migrate diff "${from[@]}" --to-schema-datamodel "$work/to.prisma" --script 2> >(grep -v '^Loaded Prisma config' >&2)
