#!/usr/bin/env bash
# hot_block.sh: the size of a kernel's hot block, the code one vector of
# inputs runs through when no lane takes a cold arm: the instructions from
# the label where the full-vector and masked loads join (the first label at
# most 3 lines after the masked {z} load) to the block's first branch,
# counted and given to llvm-mca (LLVM 19) for the host CPU.
# A profile to put next to bench/run's ns/element (docs/kernels.md).
#
# Usage: bench/hot_block.sh EXPR [fwd|bwd] [MCPU]
#   BUILD_DIR (default build) must hold the actjit command (target actjit_cli).
# Prints: EXPR OP: N vector instructions, llvm-mca block reciprocal
# throughput C cycles per vector (MCPU: an llvm-mca -mcpu, default native).
set -euo pipefail
expr=${1:?usage: bench/hot_block.sh EXPR [fwd|bwd] [MCPU]}
op=${2:-fwd}
mcpu=${3:-native}
BUILD_DIR=${BUILD_DIR:-build}
mca=$(command -v llvm-mca-19 || echo /usr/lib/llvm-19/bin/llvm-mca)
asm=$("$BUILD_DIR/actjit" asm "$expr")
hot=$(awk -v fn="actjit_$op:" '
  $0 == fn { on = 1; next }
  on && /^actjit_(fwd|bwd):/ { exit }
  on && /\{z\}/ { zline = NR }
  on && !inb && /^\.LBB/ && zline && NR - zline <= 3 { inb = 1; next }
  inb && /^[ \t]+j(e|ne|mp)[ \t]/ { exit }
  inb && /^[ \t]+[a-z]/ { print }' <<<"$asm")
if [ -z "$hot" ]; then
  echo "hot_block.sh: no masked-load join found in actjit_$op" >&2
  exit 1
fi
n=$(grep -cP '^\s+v' <<<"$hot" || true)
c=$("$mca" -mcpu="$mcpu" -iterations=100 <<<"$hot" 2>/dev/null |
    sed -n 's/^ *Block RThroughput: *//p')
echo "$expr $op: $n vector instructions, llvm-mca block reciprocal" \
     "throughput $c cycles per vector"
