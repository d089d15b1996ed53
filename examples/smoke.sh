#!/usr/bin/env bash
# Runs every example with --smoke (1 epoch over a few batches) and prints one line per example:
#   ok    xor          0.9 s  {"example":"xor",...}
# Exits non-zero when any example fails. Usage: bash examples/smoke.sh [--backend cpu|gpu]
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0

# run LABEL ARGS...: runs `examples/run.ts ARGS...` and prints one line (its last output line).
run() {
  local label=$1
  shift
  local log start status ms secs
  log=$(mktemp)
  start=$(date +%s%N)
  if ./node_modules/.bin/tsx --conditions=source examples/run.ts "$@" >"$log" 2>&1; then
    status=ok
  else
    status=FAIL
    failed=1
  fi
  ms=$((($(date +%s%N) - start) / 1000000))
  secs="$((ms / 1000)).$(((ms % 1000) / 100))"
  printf '%-5s %-18s %6s s  %s\n' "$status" "$label" "$secs" "$(tail -n 1 "$log")"
  if [ "$status" = FAIL ]; then sed 's/^/      | /' "$log" | tail -n 20; fi
  rm -f "$log"
}

for dir in examples/*/; do
  name=$(basename "$dir")
  [ -f "$dir/main.ts" ] || continue
  if [ "$name" = raw-grad ]; then run "$name" "$name" --steps 20; else run "$name" "$name" --smoke --json "$@"; fi
done
# Variants an example selects with its own flags.
run "mnist-dcgan --loss wgan-gp" mnist-dcgan --loss wgan-gp --smoke --json "$@"
run "mnist-dcgan --loss wgan-gp --n-critic 1 --adam ttur --depth 3" mnist-dcgan --loss wgan-gp --n-critic 1 --adam ttur --depth 3 --smoke --json "$@"
run "mnist-dcgan --loss wgan-gp --n-critic 1 --adam ttur --lr-drop 9 --lambda 10-then-1" mnist-dcgan --loss wgan-gp --n-critic 1 --adam ttur --lr-drop 9 --lambda 10-then-1 --epochs 13 --smoke --json "$@" # both rates ÷4 as epoch 10 begins, λ 10 → 1 as epoch 13 begins
run "mnist-dcgan --loss r1" mnist-dcgan --loss r1 --smoke --json "$@"
run "mnist-dcgan --loss r1 --width full" mnist-dcgan --loss r1 --width full --smoke --json "$@"
run "mnist-dcgan --loss r1 --latent codes --r1-every 4" mnist-dcgan --loss r1 --latent codes --r1-every 4 --smoke --json "$@"
run "mnist-dcgan --loss r1 --depth 3 --gamma 0.1 --rejection 0.5" mnist-dcgan --loss r1 --depth 3 --gamma 0.1 --rejection 0.5 --smoke --json "$@"
run "mnist-dcgan --loss r1 --gamma 1-then-0.1" mnist-dcgan --loss r1 --gamma 1-then-0.1 --epochs 8 --smoke --json "$@" # γ switches as epoch 8 begins
run "mnist-dcgan --resume" mnist-dcgan --resume --epochs 2 --smoke --json "$@" # from the first smoke run's checkpoint
exit $failed
