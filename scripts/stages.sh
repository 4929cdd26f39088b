# Sourced by scripts/test.sh and .ci/run: `stage NAME COMMAND...` runs a command and records
# how long it took in $LEDGIX_STAGE_LOG; `print_stages` prints the table (also after a failure).
: "${LEDGIX_STAGE_LOG:=$(mktemp /tmp/ledgix-stages.XXXXXX)}"
export LEDGIX_STAGE_LOG
# The total is wall-clock time from the first sourcing: side-by-side stages overlap, so their sum is not.
: "${LEDGIX_STAGES_STARTED:=$(date +%s)}"
export LEDGIX_STAGES_STARTED

stage() {
  local name=$1 start code=0
  shift
  echo "== $name"
  start=$(date +%s)
  # In the background, so `set -e` still stops a failing step inside a function (bash ignores
  # it within anything run on the left of `||`).
  "$@" &
  wait $! || code=$?
  printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - start))" "$([ $code = 0 ] && echo ok || echo "FAILED ($code)")" >>"$LEDGIX_STAGE_LOG"
  return $code
}

# `stages_in_parallel "NAME" FUNCTION "NAME" FUNCTION …`: runs the stages side by side (each
# waits mostly on its own servers and browsers, so two cores serve several), each stage's output
# kept apart and printed whole when it ends; fails if any failed.
stages_in_parallel() {
  local dir pids=() names=() code=0 i
  dir=$(mktemp -d /tmp/ledgix-stage-output.XXXXXX)
  while [ $# -gt 0 ]; do
    names+=("$1")
    (stage "$1" "$2" >"$dir/${#names[@]}.log" 2>&1) &
    pids+=($!)
    shift 2
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || code=1
    cat "$dir/$((i + 1)).log"
  done
  rm -rf "$dir"
  return $code
}

print_stages() {
  [ -s "$LEDGIX_STAGE_LOG" ] || return 0
  echo
  awk -F'\t' '{ printf "  %-44s %6ss  %s\n", $1, $2, $3 }' "$LEDGIX_STAGE_LOG"
  printf '  %-44s %6ss\n' "total (wall clock)" "$(($(date +%s) - LEDGIX_STAGES_STARTED))"
}
