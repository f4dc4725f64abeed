#!/usr/bin/env bash
# peer_ulp.sh: the accuracy of bench/run's peer columns, measured the way
# bench/exhaustive_catalog.c measures actjit's own kernels (same inputs,
# same reference: actjit's float64 kernels of the catalog entry, same ULP
# measure, P1-P3), so the peers can be held to actjit's targets (float32
# forward <= 2 ULP, backward <= 4 ULP).  Owns: the build of what that needs
# and the summary table; the measuring is exhaustive_catalog --peer COLUMN.
#
# Usage: bench/peer_ulp.sh [--stride K] [--columns C[,C...]] [--acts A[,A...]]
#   --stride K    every K-th float32 bit pattern (default 16: 2^28 inputs
#                 per activation, about 2.5 minutes for the five columns on
#                 two cores; 1 is all 2^32, about 40 minutes)
#   --columns     of actjit, libm, libm_fm, sleef, onednn (default all five;
#                 actjit: actjit's own kernels, to compare with)
#   --acts        of the benchmark's 12 activations (default all)
# Builds with `bench/run --build-only` in $BUILD_DIR (default build; that
# configures it as bench/run does and builds libactjit and
# $BUILD_DIR/bench/libajbench.so, installing libdnnl-dev and libsleef-dev
# when missing), then the target exhaustive_catalog there.  Runs on both
# cores (two worker threads): nothing else should run meanwhile.
# Writes bench/results/peer-ulp-YYYY-MM-DD[-strideK][-partial].md and .csv:
# one table (activation x fwd/bwd; per column the largest ULP with its x,
# and the number of inputs over the target), then each column's own
# exhaustive_catalog report as a section; the CSV is exhaustive_catalog's
# rows with the column's name first.  Progress on stderr.  Exit status 0
# when every run completed (a peer over target is a result, not a
# failure), 2 on a build or set-up error.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmdline="bench/peer_ulp.sh $*"
stride=16
columns=actjit,libm,libm_fm,sleef,onednn
acts=relu,leaky_relu,elu,selu,sigmoid,tanh,softplus,silu,mish,gelu,gelu_tanh,hardswish
partial=0
usage() {
  sed -n '9,15p' "$0" >&2
  exit 2
}
while (($#)); do
  case $1 in
    --stride) (($# > 1)) || usage; stride=$2; shift 2 ;;
    --columns) (($# > 1)) || usage; columns=$2; partial=1; shift 2 ;;
    --acts) (($# > 1)) || usage; acts=$2; partial=1; shift 2 ;;
    *) usage ;;
  esac
done
[[ $stride =~ ^[0-9]+$ ]] && ((stride >= 1)) || usage
IFS=, read -ra cols <<< "$columns"
for c in "${cols[@]}"; do
  case $c in actjit | libm | libm_fm | sleef | onednn) ;; *) usage ;; esac
done

# The summary table of the combined CSV $1 (columns $2, space-separated;
# activations $3, comma-separated), markdown on stdout.  A direction misses
# where inputs are over the target (P1 included, error inf) or the
# reference is NaN/inf where the result differs: bold; P2 and P3 failures
# are marked after the count and counted apart.
summary_table() {
  awk -F, -v cols="$2" -v acts="$3" '
    BEGIN { nc = split(cols, C, " "); na = split(acts, A, ",") }
    FNR == 1 { next }
    {
      k = $1 SUBSEP $2 SUBSEP $3
      if ($5 == "-") { cell[k] = "-"; cnt[k] = ""; next }
      miss = ($10 > 0 || $14 > 0)
      b = miss ? "**" : ""
      v = $5 + 0
      if (v < 10) { # truncated, so that 1.99996 does not read as 2
        u = sprintf("%.3f", int(v * 1000) / 1000)
        sub(/0+$/, "", u)
        sub(/\.$/, "", u)
      } else u = sprintf("%.3g", v)
      cell[k] = sprintf("%s%s%s (%.6g)", b, u, b, $6)
      extra = ""
      if ($13 > 0) extra = extra " P2"
      if ($15 > 0) extra = extra " P3"
      if ($14 > 0) extra = extra " ref"
      cnt[k] = $10 extra
      tot[$1]++
      if (!miss) ok[$1]++
      if (!miss && $13 == 0 && $15 == 0) clean[$1]++
    }
    END {
      printf "| activation | op |"
      for (c = 1; c <= nc; c++) printf " %s max ULP (x) | %s > target |", C[c], C[c]
      printf "\n|---|---|"
      for (c = 1; c <= nc; c++) printf "---|---|"
      printf "\n"
      for (a = 1; a <= na; a++)
        for (d = 0; d < 2; d++) {
          op = d ? "bwd" : "fwd"
          printf "| %s | %s |", A[a], op
          for (c = 1; c <= nc; c++) {
            k = C[c] SUBSEP A[a] SUBSEP op
            printf " %s | %s |", (k in cell) ? cell[k] : "?", cnt[k]
          }
          printf "\n"
        }
      printf "\nWithin the ULP target (activation x op, of those the column has):"
      for (c = 1; c <= nc; c++)
        printf "%s %s %d/%d", (c > 1 ? ";" : ""), C[c], ok[C[c]], tot[C[c]]
      printf ".  Also without P2/P3 failures:"
      for (c = 1; c <= nc; c++)
        printf "%s %s %d/%d", (c > 1 ? ";" : ""), C[c], clean[C[c]], tot[C[c]]
      printf ".\n"
    }' "$1"
}

BUILD_DIR=$BUILD_DIR bench/run --build-only || exit 2
cmake --build "$BUILD_DIR" -j"$(nproc)" --target exhaustive_catalog >/dev/null ||
  exit 2
lib=$BUILD_DIR/bench/libajbench.so

mkdir -p bench/results
stem=bench/results/peer-ulp-$(date -u +%Y-%m-%d)
((stride == 1)) || stem=$stem-stride$stride
((partial == 0)) || stem=$stem-partial
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t0=$(date +%s)
for c in "${cols[@]}"; do
  echo "peer_ulp: column $c" >&2
  args=(--stride "$stride" --only "$acts" --csv "$tmp/$c.csv")
  [ "$c" = actjit ] || args+=(--peer "$c" --peer-lib "$lib")
  set +e
  "$BUILD_DIR/exhaustive_catalog" "${args[@]}" > "$tmp/$c.md"
  rc=$?
  set -e
  if ((rc > 1)); then
    echo "peer_ulp: exhaustive_catalog failed for $c (exit $rc)" >&2
    exit 2
  fi
done

# The combined CSV: column, then exhaustive_catalog's fields (without the
# trailing peer field the --peer runs add).
{
  printf 'column,'
  head -1 "$tmp/${cols[0]}.csv" | sed 's/,peer$//'
  for c in "${cols[@]}"; do
    tail -n +2 "$tmp/$c.csv" | sed "s/,$c\$//; s/^/$c,/"
  done
} > "$stem.csv"

rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  rev="$rev + uncommitted changes"
fi
ninputs=$(( (4294967296 + stride - 1) / stride ))
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%MZ) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; git $rev -->"
  echo "<!-- command: $cmdline (BUILD_DIR=$BUILD_DIR) -->"
  echo
  echo "# Accuracy of bench/run's peers against actjit's targets (float32)"
  echo
  if ((stride == 1)); then
    echo "Inputs: all 2^32 float32 bit patterns per activation."
  else
    echo "Inputs: **sampled**, every $stride-th float32 bit pattern" \
         "($ninputs per activation, all binades alike), not all 2^32."
  fi
  echo "Measured by \`exhaustive_catalog --peer COLUMN\`: the column's float32"
  echo "loops from libajbench.so (bench/peers*.c, as bench/run times them)"
  echo "against actjit's float64 kernels of the catalog entry, in ULP as"
  echo "numerics.md measures it (relative, or absolute in ULP of the largest"
  echo "|f| within +-0.25 of x); backward is f'(x) with dy = 1.  Targets:"
  echo "fwd <= 2, bwd <= 4.  Per column: the largest error and its x, and the"
  echo "number of sampled inputs over the target (a NaN/inf result where the"
  echo "reference is finite counts, as error inf); **bold** where the"
  echo "direction misses the target.  Marked after the count, apart from"
  echo "ULP: P2 (a NaN input without a NaN result: relu(NaN) = 0) and P3"
  echo "(+-inf not giving the limit: NaN from inf*0).  actjit is actjit's own"
  echo "kernels in the same run.  oneDNN's reference uses the onednn kink"
  echo "profile (hardswish' is 0 at -3 and 1 at 3, as oneDNN has it); the"
  echo "others torch's.  \"-\": the column lacks it (oneDNN has no selu)."
  echo
  summary_table "$stem.csv" "${cols[*]}" "$acts"
  for c in "${cols[@]}"; do # each report's title becomes its section's
    echo
    sed 's/^#/##/' "$tmp/$c.md"
  done
} > "$stem.md"
echo "peer_ulp: $(( $(date +%s) - t0 )) s; wrote $stem.md and $stem.csv" >&2
