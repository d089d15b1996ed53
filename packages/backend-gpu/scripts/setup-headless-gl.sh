#!/usr/bin/env bash
# Builds headless-gl (the `gl` package gpu.js loads optionally) for this workspace, so that
# @axon/backend-gpu runs in gpu.js's 'headlessgl' mode (real WebGL through Mesa) in Node.
#
#   bash packages/backend-gpu/scripts/setup-headless-gl.sh [--force]
#
# On a fresh Debian/Ubuntu machine, as root: installs the X11/Mesa packages with apt-get (skipped
# when they are all present already), builds the `gl` copy that pnpm installed as gpu.js's
# optional dependency from source with node-gyp (gl's prebuilt download needs the network and is
# not tried), and checks that `xvfb-run -a node -e "require('gl')(1,1)"` gives a WebGL context.
# A copy that already gives a context is not rebuilt unless --force. Quiet on success (one line
# per step); on failure prints the tail of the build log and exits non-zero. AXON_GL_DIR=<dir>
# builds another copy of the gl package instead (for trying the build without touching the
# workspace's copy).
set -euo pipefail

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *)
      echo "setup-headless-gl: unknown argument '$arg' (expected --force)" >&2
      exit 2
      ;;
  esac
done

PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG="${TMPDIR:-/tmp}/axon-headless-gl-build.log"
started=$SECONDS

say() { echo "setup-headless-gl: $*"; }
die() {
  echo "setup-headless-gl: $*" >&2
  exit 1
}

# ---- 1. system packages ----
APT_PACKAGES=(libxi-dev libx11-dev libxext-dev pkg-config xvfb libgl1-mesa-dri)
# node-gyp also needs a compiler, make and python3; a fresh machine may lack them.
command -v python3 >/dev/null 2>&1 || APT_PACKAGES+=(python3)
command -v make >/dev/null 2>&1 || APT_PACKAGES+=(make)
command -v g++ >/dev/null 2>&1 || APT_PACKAGES+=(g++)
# xvfb-run needs xauth, which xvfb only recommends (and recommends are not installed here).
command -v xauth >/dev/null 2>&1 || APT_PACKAGES+=(xauth)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these by hand: ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "run as root (apt-get must install: ${missing[*]})"
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${SUDO[@]}" apt-get update -qq >"$LOG" 2>&1 ||
    ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    die "apt-get failed (full log: $LOG)"
  fi
  say "installed ${missing[*]}"
else
  say "system packages present (${APT_PACKAGES[*]})"
fi

# ---- 2. the workspace's own copy of gl ----
GL_DIR="${AXON_GL_DIR:-}"
[ -n "$GL_DIR" ] || GL_DIR="$(cd "$PKG" && node -e "
const { dirname } = require('node:path');
const gpujs = dirname(require.resolve('gpu.js'));
process.stdout.write(dirname(require.resolve('gl/package.json', { paths: [gpujs] })));
" 2>/dev/null)" || die "cannot find the 'gl' package next to gpu.js (run pnpm install first)"
GL_VERSION="$(node -p "require('$GL_DIR/package.json').version")"

# Gives a WebGL context (prints the GL version) or fails.
check_context() {
  xvfb-run -a node -e "
const gl = require('$GL_DIR')(1, 1);
if (!gl) { console.error('require(\"gl\")(1, 1) returned null'); process.exit(1); }
console.log(gl.getParameter(gl.VERSION) + ' / ' + gl.getParameter(gl.RENDERER));
"
}

if [ "$force" -eq 0 ] && [ -f "$GL_DIR/build/Release/webgl.node" ] && version="$(check_context 2>/dev/null)"; then
  say "gl@$GL_VERSION already built at $GL_DIR ($version)"
  exit 0
fi

# ---- 3. build it with node-gyp ----
# The node-gyp that gl's own install script uses (its dependency), else npm's bundled one, else the
# registry's.
NODE_GYP=()
if own="$(cd "$GL_DIR" && node -p "require.resolve('node-gyp/bin/node-gyp.js')" 2>/dev/null)"; then
  NODE_GYP=(node "$own")
else
  npm_root="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  if [ -f "$npm_root/node_modules/node-gyp/bin/node-gyp.js" ]; then
    NODE_GYP=(node "$npm_root/node_modules/node-gyp/bin/node-gyp.js")
  else
    NODE_GYP=(npx -y node-gyp@latest)
  fi
fi
GYP_ARGS=(rebuild --jobs max)
# Node's headers: use the system's when they are installed (no download needed).
nodedir="$(npm config get nodedir 2>/dev/null || true)"
if [ -n "$nodedir" ] && [ "$nodedir" != "undefined" ] && [ -f "$nodedir/include/node/node.h" ]; then
  GYP_ARGS+=("--nodedir=$nodedir")
elif [ -f /usr/include/node/node.h ]; then
  GYP_ARGS+=(--nodedir=/usr)
fi

# gl's ANGLE .gyp files run `python`, which Debian does not provide (only python3): shim it.
SHIM="$(mktemp -d "${TMPDIR:-/tmp}/axon-python-shim.XXXXXX")"
ln -s "$(command -v python3)" "$SHIM/python"

say "building gl@$GL_VERSION in $GL_DIR (${NODE_GYP[*]} ${GYP_ARGS[*]}; several minutes) ..."
if ! (cd "$GL_DIR" && PATH="$SHIM:$PATH" "${NODE_GYP[@]}" "${GYP_ARGS[@]}") >"$LOG" 2>&1; then
  tail -n 40 "$LOG" >&2
  die "node-gyp rebuild failed (full log: $LOG)"
fi
[ -f "$GL_DIR/build/Release/webgl.node" ] || die "the build left no build/Release/webgl.node (log: $LOG)"

# ---- 4. verify ----
if ! version="$(check_context 2>&1)"; then
  echo "$version" >&2
  die "gl@$GL_VERSION built but gives no WebGL context under xvfb-run"
fi
if [ -n "${AXON_GL_DIR:-}" ]; then
  say "gl@$GL_VERSION built in $((SECONDS - started)) s at $GL_DIR; context: $version"
  exit 0
fi
mode="$(cd "$PKG" && xvfb-run -a node -e "const { GPU } = require('gpu.js'); process.stdout.write(new GPU().Kernel.name);" 2>&1)" ||
  die "gpu.js does not load under xvfb-run: $mode"
[ "$mode" = HeadlessGLKernel ] || die "gl gives a context, but gpu.js picks $mode instead of HeadlessGLKernel"
say "gl@$GL_VERSION built in $((SECONDS - started)) s; context: $version; gpu.js picks $mode"
