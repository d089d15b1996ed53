#!/usr/bin/env bash
# The gpu backend's Node tests in gpu.js's headless-gl mode (WebGL 1 through Mesa/ANGLE, on a
# virtual X display): the @axon/backend-gpu vitest suite and `pnpm conformance --backend gpu`,
# each under `xvfb-run -a` with AXON_EXPECT_GPU_MODE=headlessgl, so that a silent fallback of
# gpu.js to webasm fails the run. Needs headless-gl built first (scripts/setup-headless-gl.sh).
# Prints one summary per step; exits non-zero if any step fails (and prints its output).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

unset AXON_GPU_MODE
export AXON_EXPECT_GPU_MODE=headlessgl

command -v xvfb-run >/dev/null 2>&1 || {
  echo "test-node-gl: xvfb-run not found; run packages/backend-gpu/scripts/setup-headless-gl.sh first" >&2
  exit 1
}
# Fail early, and plainly, when gpu.js cannot get a WebGL context here.
kernel="$(cd "$ROOT/packages/backend-gpu" && xvfb-run -a node -e \
  "const { GPU } = require('gpu.js'); process.stdout.write(new GPU().Kernel.name);" 2>&1)" || kernel="error: $kernel"
if [ "$kernel" != HeadlessGLKernel ]; then
  echo "test-node-gl: gpu.js does not get headless-gl here (it picks: $kernel);" \
    "run packages/backend-gpu/scripts/setup-headless-gl.sh first" >&2
  exit 1
fi

run_step "backend-gpu vitest (headlessgl)" xvfb-run -a bash -c 'cd packages/backend-gpu && npx vitest run'
run_step "conformance --backend gpu (headlessgl)" xvfb-run -a "${PNPM[@]}" conformance --backend gpu
finish "node headlessgl"
