# Sourced by scripts/test.sh and .ci/run: `stage NAME COMMAND...` runs a command and records
# how long it took in $LEDGIX_STAGE_LOG; `print_stages` prints the table (also after a failure).
: "${LEDGIX_STAGE_LOG:=$(mktemp /tmp/ledgix-stages.XXXXXX)}"
export LEDGIX_STAGE_LOG

stage() {
  local name=$1 start code=0
  shift
  echo "== $name"
  start=$(date +%s)
  "$@" || code=$?
  printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - start))" "$([ $code = 0 ] && echo ok || echo "FAILED ($code)")" >>"$LEDGIX_STAGE_LOG"
  return $code
}

print_stages() {
  [ -s "$LEDGIX_STAGE_LOG" ] || return 0
  echo
  awk -F'\t' '{ printf "  %-44s %6ss  %s\n", $1, $2, $3; total += $2 } END { printf "  %-44s %6ss\n", "total", total }' "$LEDGIX_STAGE_LOG"
}
