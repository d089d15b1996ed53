#!/usr/bin/env bash
# The gpu backend's Node tests in gpu.js's WebAssembly mode: the @axon/backend-gpu vitest suite and
# `pnpm conformance --backend gpu`, with AXON_GPU_MODE=webasm (so that a machine with headless-gl
# runs webasm all the same) and AXON_EXPECT_GPU_MODE=webasm (the tests fail if another mode ran).
# Prints one summary per step; exits non-zero if any step fails (and prints its output).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export AXON_GPU_MODE=webasm
export AXON_EXPECT_GPU_MODE=webasm

run_step "backend-gpu vitest (webasm)" bash -c 'cd packages/backend-gpu && npx vitest run'
run_step "conformance --backend gpu (webasm)" "${PNPM[@]}" conformance --backend gpu
finish "node webasm"
