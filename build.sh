#!/usr/bin/env bash
# build.sh: the project's set-up commands.
#
#   ./build.sh run    install missing packages, build, start the REPL on mish
#   ./build.sh test   install missing packages, build, run the test suite
#
# Environment: BUILD_DIR (default "build") is the CMake build directory;
# BUILD_TYPE (default RelWithDebInfo) its CMAKE_BUILD_TYPE.  Runs without a
# terminal or stdin (CI=true).  Packages come from Debian only (apt-get).
set -euo pipefail

cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
PACKAGES=(cmake make gcc re2c lemon libcmocka-dev llvm-19-dev clang-19
          libmpfr-dev pkg-config libedit-dev libcairo2-dev python3
          python3-numpy python3-torch python3-pytest python3-sklearn)

usage() {
  echo "usage: ./build.sh run|test" >&2
  echo "  run   build, then start the actjit REPL on mish" >&2
  echo "  test  build, then run the test suite with ctest" >&2
}

log() { echo "build.sh: $*" >&2; }

# Installs whichever of PACKAGES dpkg does not report as installed.
install_packages() {
  local missing=() pkg status
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  log "installing missing packages: ${missing[*]}"
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo -n)
    else
      log "error: not root and no sudo; install as root: ${missing[*]}"
      exit 1
    fi
  fi
  "${sudo[@]}" apt-get update </dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
}

build() {
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}

# The REPL on mish: its f, f', rewrites, a few values and a plot; then the
# terminal's lines when stdin is one (else stdin's, e.g. none in CI).
run_examples() {
  local actjit="$BUILD_DIR/actjit"
  echo "\$ $actjit repl mish ':eval -1 0 1' ':plot -4 4'"
  "$actjit" repl mish ':eval -1 0 1' ':plot -4 4'
}

run_tests() {
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j2
}

main() {
  if (($# != 1)); then
    usage
    exit 2
  fi
  case "$1" in
    run | test) ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage
      exit 2
      ;;
  esac
  install_packages
  build
  case "$1" in
    run) run_examples ;;
    test) run_tests ;;
  esac
}

main "$@"
