#!/usr/bin/env bash
# tests/aot_test.sh: ahead-of-time export end to end.
#
# usage: tests/aot_test.sh PATH/TO/actjit SOURCE_DIR
#
# For the host CPU and for x86-64-v3 (when this machine has AVX2): `actjit
# aot` writes kernels.o and kernels.h for mish and gelu; gcc builds
# examples/aot/main.c against them with neither LLVM nor libactjit (checked
# with ldd and nm); its output for float32 and float64 on the value grid
# below must equal `actjit run`'s (the JIT's kernels) byte for byte, which
# with %.9g / %.17g is bit for bit.  Also the errors of `actjit aot`.
set -uo pipefail
ACTJIT=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
XDG_CACHE_HOME=$TMP/cache XDG_CONFIG_HOME=$TMP/config
export XDG_CACHE_HOME XDG_CONFIG_HOME LC_ALL=C
failures=0
fail() {
  failures=$((failures + 1))
  echo "FAIL: $*"
}

# inputs: a grid through the interesting ranges, the tails, zeros, specials
xs="-1e30 -100 -90 -80 -20 -9.5 -5 -3 -1 -0.5 -1e-7 -0 0 1e-30 1e-7 0.5 1 2.5 3 5 10 20 40 90 1e30 inf -inf nan"
for i in $(seq 1 200); do xs="$xs $(awk -v i="$i" 'BEGIN { printf "%.6g", (i - 100) * 0.173 }')"; done

cpus=(host)
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && cpus+=(x86-64-v3)
for cpu in "${cpus[@]}"; do
  d=$TMP/$cpu
  mkdir -p "$d"
  if ! "$ACTJIT" aot -o "$d/kernels.o" -H "$d/kernels.h" --cpu "$cpu" mish gelu \
      >"$d/aot.log" 2>&1; then
    fail "$cpu: actjit aot: $(cat "$d/aot.log")"
    continue
  fi
  if ! gcc -std=c11 -O2 -Wall -Werror -I"$d" "$SRC/examples/aot/main.c" \
      "$d/kernels.o" -o "$d/demo" 2>"$d/cc.log"; then
    fail "$cpu: gcc: $(cat "$d/cc.log")"
    continue
  fi
  if ldd "$d/demo" | grep -Eq 'LLVM|actjit'; then
    fail "$cpu: the demo links LLVM or libactjit: $(ldd "$d/demo")"
  fi
  undefined=$(nm -u "$d/kernels.o" | grep -v _GLOBAL_OFFSET_TABLE_)
  [[ -z "$undefined" ]] || fail "$cpu: kernels.o needs: $undefined"
  for name in mish gelu; do
    for dt in f32 f64; do
      echo "$xs" | "$d/demo" "$name" "$dt" >"$d/aot.$name.$dt" 2>&1
      echo "$xs" | "$ACTJIT" run --dtype "$dt" "$name" >"$d/jit.$name.$dt" 2>&1
      if ! cmp -s "$d/aot.$name.$dt" "$d/jit.$name.$dt"; then
        fail "$cpu $name $dt: AOT and JIT differ:"
        diff "$d/aot.$name.$dt" "$d/jit.$name.$dt" | head -5
      fi
      n=$(wc -l <"$d/aot.$name.$dt")
      ((n == 228)) || fail "$cpu $name $dt: $n lines, expected 228"
    done
  done
  grep -q 'void mish_f32_fwd(const float \*x, float \*y, size_t n' \
    "$d/kernels.h" || fail "$cpu: kernels.h lacks mish_f32_fwd"
done

# errors: unnamed source, bad cpu, a source error with its name, usage
"$ACTJIT" aot -o "$TMP/e.o" -H "$TMP/e.h" 'x*2' 2>"$TMP/err"
[[ $? == 2 ]] && grep -q 'name it: NAME=EXPR' "$TMP/err" || fail "unnamed source: $(cat "$TMP/err")"
"$ACTJIT" aot -o "$TMP/e.o" -H "$TMP/e.h" --cpu pentium mish 2>"$TMP/err"
[[ $? == 1 ]] && grep -q "EINVAL.*cpu 'pentium'" "$TMP/err" || fail "bad cpu: $(cat "$TMP/err")"
"$ACTJIT" aot -o "$TMP/e.o" -H "$TMP/e.h" 'bad=x +* 2' 2>"$TMP/err"
[[ $? == 1 ]] && grep -q 'ESYNTAX at 3+1: bad: near' "$TMP/err" && grep -qx '   ^' "$TMP/err" || fail "source error: $(cat "$TMP/err")"
"$ACTJIT" aot -o "$TMP/e.o" mish 2>"$TMP/err"
[[ $? == 2 ]] || fail "missing -H accepted"
"$ACTJIT" aot -o "$TMP/none/e.o" -H "$TMP/e.h" mish 2>"$TMP/err"
[[ $? == 1 ]] && grep -q 'EIO' "$TMP/err" || fail "unwritable object: $(cat "$TMP/err")"
out=$("$ACTJIT" aot --json -o "$TMP/j.o" -H "$TMP/j.h" --prefix my_ 'sq=x^2' 'swish(x, beta=1.5)')
[[ $out == '{"object":"'"$TMP"'/j.o","header":"'"$TMP"'/j.h","kernels":["my_sq","my_swish"]}' ]] || fail "--json: $out"
grep -q 'my_swish_f64_bwd' "$TMP/j.h" || fail "--prefix: no my_swish_f64_bwd"

if ((failures)); then
  echo "aot_test: $failures failures"
  exit 1
fi
echo "aot_test: all checks passed (${cpus[*]})"
