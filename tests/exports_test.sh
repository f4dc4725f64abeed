#!/usr/bin/env bash
# exports_test.sh LIB: the shared library exports only actjit_* symbols
# (no LLVM, no aj_*), and every function of the public header is exported.
set -euo pipefail
lib=$1
header=$(dirname "$0")/../include/actjit.h
fail=0
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^actjit_' |
      grep -v '^$' || true)
if [ -n "$bad" ]; then
  echo "FAIL: symbols other than actjit_* are exported:"
  echo "$bad" | head -20
  fail=1
fi
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort -u)
declared=$(grep -oE 'actjit_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
for f in $declared; do
  if ! grep -qx "$f" <<<"$exported"; then
    echo "FAIL: $f is declared in actjit.h but not exported"
    fail=1
  fi
done
n=$(wc -l <<<"$exported")
if [ "$fail" = 0 ]; then
  echo "exports: $n symbols, all actjit_*, every declared function present"
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
fi
exit "$fail"
