#!/usr/bin/env bash
# Runs every example with --smoke (1 epoch over a few batches) and prints one line per example:
#   ok    xor          0.9 s  {"example":"xor",...}
# Exits non-zero when any example fails. Usage: bash examples/smoke.sh [--backend cpu|gpu]
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
for dir in examples/*/; do
  name=$(basename "$dir")
  [ -f "$dir/main.ts" ] || continue
  if [ "$name" = raw-grad ]; then args=(--steps 20); else args=(--smoke --json "$@"); fi
  log=$(mktemp)
  start=$(date +%s%N)
  if ./node_modules/.bin/tsx --conditions=source examples/run.ts "$name" "${args[@]}" >"$log" 2>&1; then
    status=ok
  else
    status=FAIL
    failed=1
  fi
  ms=$((($(date +%s%N) - start) / 1000000))
  secs="$((ms / 1000)).$(((ms % 1000) / 100))"
  last=$(tail -n 1 "$log")
  printf '%-5s %-18s %6s s  %s\n' "$status" "$name" "$secs" "$last"
  if [ "$status" = FAIL ]; then sed 's/^/      | /' "$log" | tail -n 20; fi
  rm -f "$log"
done
# Variants an example selects with its own flags.
for variant in "mnist-dcgan --loss wgan-gp"; do
  read -r -a words <<<"$variant"
  log=$(mktemp)
  if ./node_modules/.bin/tsx --conditions=source examples/run.ts "${words[@]}" --smoke --json "$@" >"$log" 2>&1; then
    status=ok
  else
    status=FAIL
    failed=1
  fi
  printf '%-5s %-18s %s\n' "$status" "$variant" "$(tail -n 1 "$log")"
  if [ "$status" = FAIL ]; then sed 's/^/      | /' "$log" | tail -n 20; fi
  rm -f "$log"
done
exit $failed
