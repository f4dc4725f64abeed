#!/usr/bin/env bash
# exhaustive_catalog.sh: build bench/exhaustive_catalog.c (target
# exhaustive_catalog, linked against the public libactjit) and run it: all
# 2^32 float32 inputs, forward and backward, for every catalog entry,
# against the entries' float64 kernels (numerics.md's bench job).  Takes
# minutes on two cores; both are used (two worker threads), so nothing else
# should run meanwhile.
#
# Usage: bench/exhaustive_catalog.sh [--only NAME[,NAME...]] [--stride K]
#                                    [--threads T]
#   --stride K   every K-th float bit pattern (a quick pass: --stride 4096)
# Writes bench/results/exhaustive-catalog-YYYY-MM-DD.md and .csv (the
# markdown also goes to stdout; -strideK / -partial are added to the name
# for a partial run); progress on stderr.  Build dir: $BUILD_DIR
# (default build), configured as Release if it has no CMakeCache.txt yet.
# Exit status: the program's (0 when every entry meets the targets).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD_DIR" -j"$(nproc)" --target exhaustive_catalog >/dev/null
mkdir -p bench/results
stem=bench/results/exhaustive-catalog-$(date -u +%Y-%m-%d)
# a partial run (--stride, --only) does not overwrite the full run's files
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; i++)); do
  case ${args[i]} in
    --stride) [ "${args[i+1]}" = 1 ] || stem=$stem-stride${args[i+1]} ;;
    --only) stem=$stem-partial ;;
  esac
done
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  rev="$rev + uncommitted changes"
fi
t0=$(date +%s)
set +e
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%MZ) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; git $rev -->"
  echo "<!-- command: bench/exhaustive_catalog.sh $* -->"
  echo
  "$BUILD_DIR/exhaustive_catalog" --csv "$stem.csv" "$@"
} > "$stem.md"
rc=$?
set -e
cat "$stem.md"
echo "wall time: $(( $(date +%s) - t0 )) s; wrote $stem.md and $stem.csv" >&2
exit $rc
