#!/usr/bin/env bash
# tests/cli_test.sh: command-line tests of the `actjit` command.
#
# usage: tests/cli_test.sh PATH/TO/actjit
#
# Runs the command on fixed inputs and checks exit statuses, output lines
# and numbers (against references computed here in awk).  Every check
# runs; each failure prints what was expected and what came out; the exit
# status is 1 if any failed.  Registered with CTest as the test `cli`.
set -uo pipefail

if (($# != 1)) || [[ ! -x "$1" ]]; then
  echo "usage: $0 PATH/TO/actjit" >&2
  exit 2
fi
ACTJIT=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LC_ALL=C
export LC_ALL

# shellcheck source=tests/testlib.sh
. "$(dirname "$0")/testlib.sh"

MISH='
  function sp(x) { return log(1 + exp(x)) }
  function th(u,  e2) { e2 = exp(2 * u); return (e2 - 1) / (e2 + 1) }
  function sg(x) { return 1 / (1 + exp(-x)) }
  function f(x) { return x * th(sp(x)) }
  function df(x,  t) { t = th(sp(x)); return t + x * sg(x) * (1 - t * t) }'

# ---- the awk reference itself, against known values ----------------------
checks=$((checks + 1))
ref=$(awk "$MISH"'
  function off(a, b, tol) { d = a - b; if (d < 0) d = -d; return d > tol }
  BEGIN {
    if (off(f(1), 0.86509838826731, 1e-13)) print "mish(1) = " f(1)
    if (off(f(-3), -0.1456474612756246, 1e-13)) print "mish(-3) = " f(-3)
    if (off(df(1), 1.0490362200997, 1e-12)) print "mish'"'"'(1) = " df(1)
    if (off(df(0), 0.6, 1e-15)) print "mish'"'"'(0) = " df(0)
  }' </dev/null)
if [[ -n "$ref" ]]; then
  failures=$((failures + 1))
  echo "FAIL: awk reference for mish is off: $ref"
fi

# ---- help, version, usage errors ------------------------------------------
run --version
expect_rc 0
expect_line stdout 1 'actjit [0-9]*.[0-9]*.[0-9]*'
expect_lines stdout 1

run --help
expect_rc 0
expect_line stdout 1 'usage: actjit *'
expect_lines stderr 0

run -h
expect_rc 0
expect_line stdout 1 'usage: actjit *'

run # no arguments: the REPL, here on an empty stdin
expect_rc 0
expect_lines stdout 0
expect_lines stderr 0

run diff --help
expect_rc 0
expect_line stdout 1 'usage: actjit *'

run bogus
expect_rc 2
expect_line stderr 1 'actjit: *bogus*'
expect_lines stdout 0

run --bogus
expect_rc 2
expect_line stderr 1 'actjit: *'

run diff
expect_rc 2
expect_line stderr 1 'actjit: *EXPR*'

run eval mish
expect_rc 2
expect_line stderr 1 'actjit: *'

run eval mish 1 abc
expect_rc 2
expect_line stderr 1 "actjit: *'abc'*"
expect_lines stdout 0

run eval mish 1x
expect_rc 2

run eval mish 1 --param alpha=2
expect_rc 2

run diff mish x
expect_rc 2

run eval --frob mish 1
expect_rc 2
expect_line stderr 1 "actjit: *'--frob'*"

run eval --param alpha elu 1
expect_rc 2
run eval --param =2 elu 1
expect_rc 2
run eval --param 2a=2 elu 1
expect_rc 2
run eval --param alpha=two elu 1
expect_rc 2
run eval --param alpha=1 --param alpha=2 elu 1
expect_rc 2
run eval elu --param
expect_rc 2
run eval --param
expect_rc 2

# ---- diff --------------------------------------------------------------------
run diff mish
expect_rc 0
expect_line stdout 1 'f = ?*'
expect_line stdout 2 'df/dx = ?*'
expect_lines stdout 2
expect_lines stderr 0

run diff 'x*tanh(softplus(x))'
expect_rc 0
expect_line stdout 1 'f = ?*'
expect_line stdout 2 'df/dx = ?*'
expect_lines stdout 2

run diff elu
expect_rc 0
expect_line stdout 1 'f = ?*'
expect_line stdout 2 'df/dx = ?*'
expect_line stdout 3 'df/dalpha = ?*'
expect_lines stdout 3

run diff --param alpha=2 elu
expect_rc 0
expect_lines stdout 2
expect_no_stdout_match '^df/dalpha'

run diff --param=alpha=0.5 elu
expect_rc 0
expect_lines stdout 2

run diff threshold
expect_rc 0
expect_stdout_has '^df/dthreshold = '
expect_stdout_has '^df/dvalue = '
expect_lines stdout 4

run diff 'a*x + b'
expect_rc 0
expect_line stdout 3 'df/da = ?*'
expect_line stdout 4 'df/db = ?*'

# ---- eval --------------------------------------------------------------------
run eval 'x*tanh(softplus(x))' 0 1 -3
expect_rc 0
expect_lines stdout 3
expect_lines stderr 0
expect_numbers "$MISH"
expect_field 1 1 0
expect_field 2 1 1
expect_field 3 1 -3
expect_field 1 2 0

run eval mish 0 1 -3 0.5 -0.25 2 10
expect_rc 0
expect_lines stdout 7
expect_numbers "$MISH"

ELU2='
  function f(x) { return x > 0 ? x : 2 * (exp(x) - 1) }
  function df(x) { return x > 0 ? 1 : 2 * exp(x) }'
run eval --param alpha=2 elu -1 -0.5 0.5 3
expect_rc 0
expect_lines stdout 4
expect_numbers "$ELU2"

ELU1='
  function f(x) { return x > 0 ? x : exp(x) - 1 }
  function df(x) { return x > 0 ? 1 : exp(x) }'
run eval elu -1 2
expect_rc 0
expect_numbers "$ELU1"

run eval 'elu(x, alpha=2)' -1
expect_rc 0
expect_numbers "$ELU2"

THR='
  function f(x) { return x > 0.5 ? x : -1 }
  function df(x) { return x > 0.5 ? 1 : 0 }'
run eval --param threshold=0.5 --param value=-1 threshold 1 -2 0.25
expect_rc 0
expect_numbers "$THR"

# options end at "--", so an EXPR may start with '-'
NEG='
  function f(x) { return -x }
  function df(x) { return -1 }'
run eval -- -x 2 -3
expect_rc 0
expect_numbers "$NEG"

# special X values
run eval mish inf -inf nan 1e-3 0x1p-2
expect_rc 0
expect_lines stdout 5
expect_field 1 1 inf
expect_field 2 1 -inf
expect_field 3 1 nan
expect_field 1 2 inf
expect_field 3 2 nan
expect_field 3 3 nan
expect_field 5 1 0.25

# ---- library errors -------------------------------------------------------
run eval 'x+' 1
expect_rc 1
expect_line stderr 1 'error: EINCOMPLETE at 2+0: ?*'
expect_line stderr 2 'x+'
expect_line stderr 3 '  ^'
expect_lines stderr 3
expect_lines stdout 0

run eval 'foo(x)' 1
expect_rc 1
expect_line stderr 1 'error: EUNKNOWN at 0+3: ?*'
expect_line stderr 2 'foo(x)'
expect_line stderr 3 '^^^'
expect_lines stderr 3

run diff 'x + foo(x)'
expect_rc 1
expect_line stderr 1 'error: EUNKNOWN at 4+3: ?*'
expect_line stderr 3 '    ^^^'

# only the line holding the error is shown
run eval $'a = 2\nb = foo(a)\nx*b' 1
expect_rc 1
expect_line stderr 1 'error: EUNKNOWN at 10+3: ?*'
expect_line stderr 2 'b = foo(a)'
expect_line stderr 3 '    ^^^'
expect_lines stderr 3

# tabs are kept in the caret line
run eval $'x +\tfoo(x)' 1
expect_rc 1
expect_line stderr 1 'error: EUNKNOWN at 4+3: ?*'
expect_line stderr 3 $'   \t^^^'

# an empty source: no source or caret lines
run eval '' 1
expect_rc 1
expect_line stderr 1 'error: EINCOMPLETE at 0+0: ?*'
expect_lines stderr 1

run eval threshold 1
expect_rc 1
expect_line stderr 1 'error: EUNBOUND at *'
expect_lines stdout 0

run eval --param threshold=0 threshold 1
expect_rc 1
expect_line stderr 1 'error: EUNBOUND at *'

# bind with a name that is not a parameter: not tied to the source
run diff --param beta=2 elu
expect_rc 1
expect_line stderr 1 'error: EUNKNOWN at 0+0: ?*'
expect_lines stderr 1
expect_lines stdout 0

run eval 'x +* 2' 1
expect_rc 1
expect_line stderr 1 'error: ESYNTAX at 3+1: ?*'
expect_line stderr 3 '   ^'

run eval 'elu(x, beta=2)' 1
expect_rc 1
expect_line stderr 1 'error: EKEYWORD at *'

# ---- run: the compiled kernels on stdin ---------------------------------
# (Only expressions without transcendental functions for now: until the
# vector-math runtime is linked, compiling mish, elu, sigmoid ... fails
# with EJIT; see the mish check at the end of this section.)
run_stdin $'0 1 -3\n2.5' run relu
expect_rc 0
expect_lines stdout 4
expect_lines stderr 0
expect_line stdout 1 $'0\t0\t0'
expect_line stdout 2 $'1\t1\t1'
expect_line stdout 3 $'-3\t0\t0'
expect_line stdout 4 $'2.5\t2.5\t1'

run_stdin 3 run --dtype f64 'x^2'
expect_rc 0
expect_line stdout 1 $'3\t9\t6'
expect_lines stdout 1

run_stdin 3 run --dtype=f64 'x^2'
expect_rc 0
expect_line stdout 1 $'3\t9\t6'

# f32: x is rounded to float first, and printed with %.9g
run_stdin 0.1 run 'x^2'
expect_rc 0
expect_field 1 1 0.100000001
expect_field 1 3 0.200000003

# the kink values of the torch profile
run_stdin '-3 3' run hardswish
expect_rc 0
expect_lines stdout 2
expect_field 1 3 -0.5
expect_field 2 3 1.5

run_stdin '-1 0 6 7 3' run relu6
expect_rc 0
expect_lines stdout 5
expect_field 2 3 0
expect_field 3 3 0
expect_field 5 3 1

# runtime parameters: the values, then the summed parameter gradients
run_stdin '-2 1' run --runtime a=0.25 prelu
expect_rc 0
expect_lines stdout 3
expect_field 1 2 -0.5
expect_field 1 3 0.25
expect_field 2 2 1
expect_line stdout 3 '# df/da summed = -2'

run_stdin '-2 1' run --dtype f64 --runtime=a=0.5 prelu
expect_rc 0
expect_line stdout 1 $'-2\t-1\t0.5'
expect_line stdout 3 '# df/da summed = -2'

run_stdin '' run --runtime a=0.25 prelu
expect_rc 0
expect_lines stdout 1
expect_line stdout 1 '# df/da summed = 0'

SQP1='
  function f(x) { return (x + sqrt(x * x + 1)) / 2 }
  function df(x) { return (1 + x / sqrt(x * x + 1)) / 2 }'
run_stdin '-2 3 0.5' run --dtype f64 --runtime b=1 squareplus
expect_rc 0
expect_lines stdout 4
expect_numbers "$SQP1"
expect_stdout_has '^# df/db summed = 0\.41446713812917'

SOFTSIGN='
  function f(x) { return x / (1 + (x < 0 ? -x : x)) }
  function df(x) { return 1 / ((1 + (x < 0 ? -x : x)) ^ 2) }'
run_stdin $'-7 -2.5\t-0.5\n0.5 1 2.5 7 1e-3' run --dtype f64 softsign
expect_rc 0
expect_lines stdout 8
expect_numbers "$SOFTSIGN"

# f32 kernels: within float rounding of the float64 reference
run_stdin '-7 -2.5 -0.5 0.5 1 2.5 7' run softsign
expect_rc 0
expect_lines stdout 7
expect_numbers "$SOFTSIGN" 3e-7

HT2='
  function f(x) { return x < -2 ? -2 : x > 3 ? 3 : x }
  function df(x) { return x < -2 || x > 3 ? 0 : 1 }'
run_stdin '-5 -1.5 0.25 2.75 4' run --dtype f64 --param min_val=-2 \
  --param max_val=3 hardtanh
expect_rc 0
expect_lines stdout 5
expect_numbers "$HT2"

# more values than one batch, in one stream: every line, in order
seq -5000 5000 >"$TMP/in"
cmdline='seq -5000 5000 | actjit run --dtype f64 relu'
"$ACTJIT" run --dtype f64 relu <"$TMP/in" >"$TMP/out" 2>"$TMP/err"
rc=$?
out=$(cat "$TMP/out")
err=$(cat "$TMP/err")
expect_rc 0
expect_lines stdout 10001
expect_line stdout 1 $'-5000\t0\t0'
expect_line stdout 10001 $'5000\t5000\t1'
RELU='
  function f(x) { return x > 0 ? x : 0 }
  function df(x) { return x > 0 ? 1 : 0 }'
expect_numbers "$RELU"

# special values
run_stdin 'inf -inf nan' run --dtype f64 relu
expect_rc 0
expect_lines stdout 3
expect_field 1 2 inf
expect_field 2 1 -inf
expect_field 3 1 nan
expect_field 3 2 nan

# a token that is not a number: exit 2, naming it (the values before it
# are answered)
run_stdin '1 2 abc 4' run relu
expect_rc 2
expect_line stderr 1 "actjit: *line 1*'abc'*"
expect_lines stdout 2
expect_no_stdout_match '^4'

run_stdin $'1\n2\n3x' run --dtype f64 relu
expect_rc 2
expect_line stderr 1 "actjit: *line 3*'3x'*"

run_stdin '1' run relu 2
expect_rc 2
expect_line stderr 1 "actjit: *'2'*"

run_stdin '1' run --dtype f16 relu
expect_rc 2
expect_line stderr 1 "actjit: *'f16'*"

run_stdin '1' run --runtime a prelu
expect_rc 2
run_stdin '1' run --runtime a=x prelu
expect_rc 2
run_stdin '1' run --runtime a=1 --runtime a=2 prelu
expect_rc 2
run_stdin '1' run --param a=1 --runtime a=2 prelu
expect_rc 2
run_stdin '1' run relu --runtime
expect_rc 2
run diff --runtime a=1 prelu
expect_rc 2
expect_line stderr 1 "actjit: *'--runtime'*"
run eval --dtype f64 relu 1
expect_rc 2
run run
expect_rc 2
expect_line stderr 1 'actjit: *EXPR*'
run run --help
expect_rc 0
expect_line stdout 1 'usage: actjit *'

# library errors, reported as for diff and eval
run_stdin '1' run 'x+'
expect_rc 1
expect_line stderr 1 'error: EINCOMPLETE at 2+0: ?*'
expect_line stderr 2 'x+'
expect_line stderr 3 '  ^'
expect_lines stderr 3
expect_lines stdout 0

run_stdin '1' run 'x +* 2'
expect_rc 1
expect_line stderr 1 'error: ESYNTAX at 3+1: ?*'
expect_line stderr 3 '   ^'

run_stdin '1' run --runtime beta=1 prelu
expect_rc 1
expect_line stderr 1 'error: EUNKNOWN at 0+0: ?*'
expect_lines stderr 1

run_stdin '1' run threshold
expect_rc 1
expect_line stderr 1 'error: EUNBOUND at *'
expect_lines stdout 0

# mish needs the vector-math runtime (exp, tanh, ...): checked once it
# is linked, skipped while compiling it fails with EJIT
run_stdin 1 run mish
if ((rc != 0)) && grep -q '^error: EJIT at ' "$TMP/err"; then
  echo "SKIP mish (runtime not linked)"
else
  expect_rc 0
  expect_lines stdout 1
  expect_field 1 1 1
  # mish(1) = 0.86509838826731; in float32, within a few ulps
  checks=$((checks + 1))
  awk -F'\t' '{ d = $2 - 0.865098388; if (d < 0) d = -d; exit !(d < 2e-7) }' \
    "$TMP/out" || fail "mish(1) is not 0.865098388 (to float precision)"
fi

# ---- ir, asm ---------------------------------------------------------------
run ir relu
expect_rc 0
expect_lines stderr 0
expect_stdout_has '^define '
# the f32 vector width is the host's: 16 (AVX-512), 8 (AVX2) or 4
expect_stdout_has '<(16|8|4) x float>'

run ir --runtime a prelu
expect_rc 0
expect_stdout_has '^define '

run ir --param a=0.5 --runtime=a=1 prelu
expect_rc 2

run asm relu
expect_rc 0
checks=$((checks + 1))
[[ -n "$out" ]] || fail "asm printed nothing"

run asm --runtime a=0.1 prelu
expect_rc 0
checks=$((checks + 1))
[[ -n "$out" ]] || fail "asm printed nothing"

run ir 'x+'
expect_rc 1
expect_line stderr 1 'error: EINCOMPLETE at 2+0: ?*'

run asm relu extra
expect_rc 2

# ---- accuracy --------------------------------------------------------------
run accuracy --random 1000 sigmoid
expect_rc 0
expect_lines stderr 0
expect_line stdout 1 'sigmoid: error in ULP against MPFR*1000 random inputs (seed 1)'
expect_stdout_has '^kernel +max ULP +median ULP +samples +nonfinite$'
expect_stdout_has '^f32 forward +[0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ +1043 +0$'
expect_stdout_has '^f32 backward +[0-9.]+ '
expect_stdout_has '^f64 forward +[0-9.]+ '
expect_stdout_has '^f64 backward +[0-9.]+ '
expect_stdout_has '^worst inputs'
# the f32 forward's max ULP is a number within numerics.md's 2
checks=$((checks + 1))
awk '/^f32 forward / { found = 1; if (!($3 <= 2)) bad = 1; exit }
     END { exit !(found && !bad) }' "$TMP/out" ||
  fail "f32 forward max ULP of sigmoid is not <= 2"
first=$out

run accuracy --random=1000 --seed=1 sigmoid
expect_rc 0
checks=$((checks + 1))
[[ "$out" == "$first" ]] || fail "same seed, different report"

run accuracy --random 200 --seed 0x2a relu
expect_rc 0
expect_stdout_has '^f32 forward +0\.00 +0\.00 +243 +0$'
expect_stdout_has 'exact everywhere'

run accuracy --random 0 --profile minnorm relu6
expect_rc 0
expect_stdout_has '^f64 backward +0\.00 +0\.00 +43 +0$'

# a naive formula: inf in f32 for x > 88.7 (nonfinite results)
run accuracy --random 100 --no-stabilize 'log(1 + exp(x))'
expect_rc 0
expect_stdout_has '^f32 forward +inf +[0-9.]+ +143 +[1-9][0-9]*$'

run accuracy --random 100 --runtime a prelu
expect_rc 0
expect_stdout_has '^f32 forward '

run accuracy 'x+'
expect_rc 1
expect_line stderr 1 'error: EINCOMPLETE at 2+0: ?*'
expect_line stderr 2 'x+'
expect_line stderr 3 '  ^'
expect_lines stdout 0

run accuracy --random 10 threshold
expect_rc 1
expect_line stderr 1 'error: EUNBOUND at *'
expect_lines stdout 0

run accuracy --help
expect_rc 0
expect_line stdout 1 'usage: actjit *'

run accuracy
expect_rc 2
expect_line stderr 1 'actjit: *EXPR*'
run accuracy relu extra
expect_rc 2
run accuracy --random -5 relu
expect_rc 2
expect_line stderr 1 "actjit: --random '-5'*"
run accuracy --random abc relu
expect_rc 2
run accuracy --random 1000000000 relu
expect_rc 2
run accuracy --seed x relu
expect_rc 2
run accuracy --random
expect_rc 2
run accuracy --profile bogus relu
expect_rc 2
expect_line stderr 1 "actjit: --profile 'bogus': expected torch, onednn or minnorm"
run accuracy --runtime a=1 prelu
expect_rc 2
expect_line stderr 1 "actjit: accuracy: --runtime 'a=1': give NAME alone*"
run accuracy --y-max-ulp 0 --from-y softplus
expect_rc 2
run eval --random 10 relu 1
expect_rc 2
expect_line stderr 1 "actjit: eval: option '--random' is for accuracy only"
run diff --no-stabilize relu
expect_rc 2
run diff --profile torch relu
expect_rc 2
run_stdin 1 run --seed 3 relu
expect_rc 2

# the compile options on run, ir and asm
run_stdin '-1 0 6' run --profile onednn relu6
expect_rc 0
expect_lines stdout 3
run_stdin '-1 0 6' run --profile=minnorm relu6
expect_rc 0
expect_field 2 3 0
run ir --no-stabilize relu
expect_rc 0
expect_stdout_has '^define '
run asm --profile torch relu
expect_rc 0
# --from-y is parsed here; whether softplus compiles that way is the
# library's to say (exit 0, or 1 with its error), never a usage error
run ir --from-y --y-max-ulp 1e9 softplus
checks=$((checks + 1))
((rc == 0 || rc == 1)) || fail "exit status $rc, expected 0 or 1"

echo "cli_test: $((checks - failures)) of $checks checks passed"
((failures == 0))
