#!/usr/bin/env bash
# Builds @ledgix/sdk and packs it into a tarball for `npm install <tarball>`: the package is
# not on the npm registry yet. Prints the tarball's absolute path (ledgix-sdk-<version>.tgz).
# Usage: scripts/pack.sh [output directory, default sdk/typescript]. Needs `npm ci` first.
set -euo pipefail
sdk=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "${1:-$sdk}" && pwd)
cd "$sdk"
npm run --silent build >/dev/null
file=$(npm pack --silent --pack-destination "$out" | tail -n 1)
echo "$out/$file"
