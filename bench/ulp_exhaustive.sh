#!/bin/sh
# ulp_exhaustive.sh: build bench/ulp_exhaustive.c against the runtime with
# clang-19 (-O2 -ffp-contract=off, native ISA) and run it: all 2^32 floats
# through the ten <= 1 ULP functions, or the speed table with --speed
# (which needs AVX-512 and libsleef-dev for its SLEEF column).
# Usage: bench/ulp_exhaustive.sh [--speed | fn ...]   (build dir: $OUT or
# /tmp/ajrt-ulp)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/ajrt-ulp}
mkdir -p "$out"
cc=${CC:-clang-19}
$cc -std=c11 -O2 -ffp-contract=off -march=native -Wno-psabi \
  -I"$here/runtime" -c "$here/runtime/ajrt.c" -o "$out/ajrt.o"
$cc -std=gnu11 -O2 -march=native -Wno-psabi -I"$here/runtime" \
  "$here/bench/ulp_exhaustive.c" "$out/ajrt.o" -o "$out/ulp_exhaustive" \
  -lsleef -lm -lpthread
exec "$out/ulp_exhaustive" "$@"
