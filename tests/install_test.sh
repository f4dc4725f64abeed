#!/usr/bin/env bash
# install_test.sh BUILD_DIR SOURCE_DIR [CMAKE] [CC]: `cmake --install`s the
# build tree into a scratch prefix, checks what lands there, and uses it the
# way an outside project would: examples/embed.c built with pkg-config and
# with find_package(actjit CONFIG), the command, and the Python package
# (found with no ACTJIT_LIBRARY).  Caches and configuration live in the
# scratch directory (removed at exit), the CMake package registry is not
# read; outside it only BUILD_DIR/install_manifest.txt is written.
set -uo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
cmake=${3:-cmake}
cc=${4:-cc}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/actjit-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
prefix=$TMP/prefix
export XDG_CACHE_HOME=$TMP/cache XDG_CONFIG_HOME=$TMP/config
export XDG_STATE_HOME=$TMP/state
export PYTHONDONTWRITEBYTECODE=1
unset ACTJIT_LIBRARY LD_LIBRARY_PATH PKG_CONFIG_PATH CMAKE_PREFIX_PATH \
      PYTHONPATH DESTDIR

failures=0
checks=0
# check WHAT COMMAND...: runs COMMAND (output to $TMP/log); a failure prints
# WHAT and the output.
check() {
  local what=$1
  shift
  checks=$((checks + 1))
  if ! "$@" >"$TMP/log" 2>&1; then
    failures=$((failures + 1))
    echo "FAIL: $what"
    echo "  command: $*"
    sed 's/^/    | /' "$TMP/log"
    return 1
  fi
}
# expect WHAT GOT GLOB: GOT matches the glob.
expect() {
  checks=$((checks + 1))
  # shellcheck disable=SC2053
  if [[ "$2" != $3 ]]; then
    failures=$((failures + 1))
    echo "FAIL: $1: got '$2', expected '$3'"
  fi
}
# shellcheck disable=SC2317  # (called through check)
# nowhere GREP-ARGS...: grep -i finds nothing (status 1: not 0, nor 2 for
# a missing file); what it finds goes to the log.
nowhere() {
  grep -i "$@"
  (($? == 1))
}
# needs EXE: the shared libraries EXE needs (NEEDED, RUNPATH).
needs() { readelf -d "$1" | grep -E 'NEEDED|RUNPATH|RPATH'; }
finish() {
  echo "$((checks - failures)) passed, $failures failed"
  exit $((failures > 0))
}

# ---- cmake --install ----
if ! check "cmake --install" "$cmake" --install "$build" --prefix "$prefix"
then
  finish
fi
( cd "$prefix" && find . \( -type f -o -type l \) | sort ) >"$TMP/files"
echo "installed under the prefix:"
sed 's/^\.\//  /' "$TMP/files"

pc=$(find "$prefix" -path '*/pkgconfig/actjit.pc' | head -1)
libdir=$(dirname "$(dirname "${pc:-$prefix/lib/pkgconfig/actjit.pc}")")
pydir=$(dirname "$(find "$prefix" -path '*-packages/actjit/__init__.py' |
                   head -1)")
for f in include/actjit.h bin/actjit "${libdir#"$prefix"/}/libactjit.so" \
         "${libdir#"$prefix"/}/libactjit.so.0" \
         "${libdir#"$prefix"/}/pkgconfig/actjit.pc" \
         "${libdir#"$prefix"/}/cmake/actjit/actjitConfig.cmake" \
         "${libdir#"$prefix"/}/cmake/actjit/actjitConfigVersion.cmake" \
         "${libdir#"$prefix"/}/cmake/actjit/actjitTargets.cmake" \
         "${pydir#"$prefix"/}/_lib.py" "${pydir#"$prefix"/}/libactjit.so"; do
  check "installed: $f" test -e "$prefix/$f"
done
expect "the SONAME link" "$(readlink "$libdir/libactjit.so.0")" \
  "libactjit.so.0.*"
expect "the Python package's link (relative)" \
  "$(readlink "$pydir/libactjit.so")" "../*libactjit.so.0"
# Text files name neither the build nor the source tree, and the
# consumer-facing ones do not name LLVM.
check "no build or source paths in installed text files" \
  nowhere -rIl -F -e "$build" -e "$src" "$prefix"
# LLVM stays private: nothing for a consumer to link but libactjit.
check "actjit.pc: no Requires, no Libs.private" \
  nowhere -E "^(Requires|Libs\.private)" "$libdir/pkgconfig/actjit.pc"
check "actjitTargets.cmake: no INTERFACE_LINK_LIBRARIES" \
  nowhere -F INTERFACE_LINK_LIBRARIES "$libdir/cmake/actjit/actjitTargets.cmake"
needs "$libdir/libactjit.so.0" >"$TMP/needs"
check "no build-tree RUNPATH in the library" nowhere -F "$build" "$TMP/needs"

# ---- pkg-config ----
export PKG_CONFIG_PATH=$libdir/pkgconfig
expect "pkg-config --modversion" "$(pkg-config --modversion actjit)" \
  "$(sed -n 's/^project(actjit VERSION \([0-9.]*\).*/\1/p' \
     "$src/CMakeLists.txt")"
expect "pkg-config --libs" "$(pkg-config --libs actjit | xargs)" \
  "-L$libdir -lactjit"
# shellcheck disable=SC2046
check "cc embed.c \$(pkg-config --cflags --libs actjit)" \
  "$cc" -o "$TMP/embed_pc" "$src/examples/embed.c" \
  $(pkg-config --cflags --libs actjit) -Wl,-rpath,"$libdir"
unset PKG_CONFIG_PATH

# ---- find_package(actjit CONFIG) ----
mkdir -p "$TMP/consumer"
cp "$src/examples/embed.c" "$TMP/consumer/"
cat >"$TMP/consumer/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(consumer LANGUAGES C)
find_package(actjit 0 CONFIG REQUIRED)
message(STATUS "actjit_DIR=${actjit_DIR} actjit_VERSION=${actjit_VERSION}")
add_executable(embed embed.c)
target_link_libraries(embed PRIVATE actjit::actjit)
EOF
check "cmake configure (find_package)" "$cmake" -S "$TMP/consumer" \
  -B "$TMP/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF &&
  expect "actjit_DIR" \
    "$(sed -n 's/.*actjit_DIR=\([^ ]*\) .*/\1/p' "$TMP/log")" \
    "$libdir/cmake/actjit"
check "cmake build (actjit::actjit)" "$cmake" --build "$TMP/consumer/build" \
  --verbose &&
  expect "the link line: libactjit, no LLVM" \
    "$(grep -E -- '-o embed( |$)' "$TMP/log" | grep -v -i llvm)" \
    "*$libdir/libactjit.so*"

# ---- the two consumers run (rpath to the prefix, no LD_LIBRARY_PATH) ----
for exe in "$TMP/embed_pc" "$TMP/consumer/build/embed"; do
  [[ -x $exe ]] || continue
  if check "run $exe" "$exe"; then
    expect "$exe: f(1), f'(1)" "$(sed -n 4p "$TMP/log")" \
      "f(1) = 0.86509*   f'(1) = 1.04903*"
    expect "$exe: f'(x)" "$(sed -n 6p "$TMP/log")" "f'(x) = *"
    ldd "$exe" >"$TMP/ldd"
    check "$exe: uses the installed library" \
      grep -F "$libdir/libactjit.so.0" "$TMP/ldd"
    needs "$exe" >"$TMP/needs"
    check "$exe: no LLVM among its own needs" nowhere -F llvm "$TMP/needs"
  fi
done

# ---- the command ----
if check "actjit --version" "$prefix/bin/actjit" --version; then
  expect "actjit --version" "$(head -1 "$TMP/log")" \
    "*$(pkg-config --with-path="$libdir/pkgconfig" --modversion actjit)*"
fi

# ---- the Python package: no ACTJIT_LIBRARY, not in ldconfig's cache ----
if check "python: import actjit and compute mish(1)" \
  env PYTHONPATH="$(dirname "$pydir")" /usr/bin/python3 -c '
import os, numpy as np, actjit, actjit._lib as L
act = actjit.compile("x*tanh(softplus(x))")
y = act(np.array([1.0]))
print(actjit.__file__, L.lib._name, actjit.__version__, repr(y[0]))
assert abs(y[0] - 0.8650983882673103) < 1e-12, y
assert os.path.realpath(L.lib._name) == os.path.realpath(
    os.path.join(os.path.dirname(actjit.__file__), "libactjit.so"))'; then
  expect "python: the installed package" "$(cat "$TMP/log")" "$pydir/*"
  cat "$TMP/log"
fi

finish
