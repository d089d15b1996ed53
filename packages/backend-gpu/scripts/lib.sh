# Shared by test-node-webasm.sh and test-node-gl.sh (sourced, not run).
#
# run_step NAME CMD...: runs CMD from the repository root with its output in a log file; on success
# prints NAME, the time taken and the summary lines of the output (vitest's totals, the
# conformance header and totals); on failure prints the whole log and records the failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/axon-gpu-tests.XXXXXX")"
FAILED=()

# pnpm as installed, or the version the workspace pins.
if command -v pnpm >/dev/null 2>&1; then
  PNPM=(pnpm)
else
  PNPM=(npx -y "pnpm@$(node -p "require('$ROOT/package.json').packageManager.split('@')[1]")")
fi

run_step() {
  local name="$1"
  shift
  local log="$LOG_DIR/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_').log"
  local start=$SECONDS
  local rc=0
  (cd "$ROOT" && "$@") >"$log" 2>&1 || rc=$?
  local took=$((SECONDS - start))
  # Colour codes out, then only the lines that summarise a run.
  local summary
  summary="$(sed 's/\x1b\[[0-9;]*m//g' "$log" |
    grep -E '^ *(Test Files|Tests) |^mode |^skipped ops: |^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$|^training parity' || true)"
  if [ "$rc" -eq 0 ]; then
    echo "ok   $name (${took} s)"
  else
    echo "FAIL $name (${took} s, exit $rc); its output:"
    sed 's/^/  | /' "$log"
    FAILED+=("$name")
  fi
  [ -z "$summary" ] || echo "$summary" | sed 's/^ */     /'
}

finish() {
  local label="$1"
  if ((${#FAILED[@]})); then
    echo "$label: FAILED: ${FAILED[*]} (logs in $LOG_DIR)"
    exit 1
  fi
  rm -rf "$LOG_DIR"
  echo "$label: all passed"
}
