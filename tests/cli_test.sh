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

failures=0
checks=0
rc=0
out=
err=
cmdline=

# run ARGS...: runs actjit with no stdin; sets rc, out and err.
run() {
  cmdline="actjit$(printf ' %q' "$@")"
  "$ACTJIT" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  rc=$?
  out=$(cat "$TMP/out")
  err=$(cat "$TMP/err")
}

# fail WHAT: records a failed check on the last command.
fail() {
  failures=$((failures + 1))
  echo "FAIL: $cmdline: $*"
  echo "  exit status: $rc"
  echo "  stdout:"
  sed 's/^/    | /' "$TMP/out"
  echo "  stderr:"
  sed 's/^/    | /' "$TMP/err"
}

# expect_rc N: the last command exited with N.
expect_rc() {
  checks=$((checks + 1))
  ((rc == $1)) || fail "exit status $rc, expected $1"
}

# line TEXT N: line N (from 1) of TEXT.
line() { sed -n "$2p" <<<"$1"; }

# count_lines TEXT: number of lines of TEXT (0 when empty).
count_lines() {
  if [[ -z "$1" ]]; then echo 0; else wc -l <<<"$1" | tr -d ' '; fi
}

# expect_line STREAM N GLOB: line N of stdout/stderr matches the glob.
expect_line() {
  local text got
  checks=$((checks + 1))
  if [[ $1 == stdout ]]; then text=$out; else text=$err; fi
  got=$(line "$text" "$2")
  # shellcheck disable=SC2053
  [[ "$got" == $3 ]] || fail "$1 line $2 is '$got', expected '$3'"
}

# expect_lines STREAM N: stdout/stderr has exactly N lines.
expect_lines() {
  local text n
  checks=$((checks + 1))
  if [[ $1 == stdout ]]; then text=$out; else text=$err; fi
  n=$(count_lines "$text")
  ((n == $2)) || fail "$1 has $n lines, expected $2"
}

# expect_stdout_has REGEX: some line of stdout matches the regex.
expect_stdout_has() {
  checks=$((checks + 1))
  grep -Eq -- "$1" "$TMP/out" || fail "no stdout line matches /$1/"
}

# expect_no_stdout_match REGEX: no line of stdout matches the regex.
expect_no_stdout_match() {
  checks=$((checks + 1))
  ! grep -Eq -- "$1" "$TMP/out" || fail "a stdout line matches /$1/"
}

# expect_numbers AWKREF: every stdout line is "x<TAB>f<TAB>df" with f and df
# within 1e-12 (relative) of the awk expressions f(x) and df(x) defined in
# AWKREF (an awk program text defining functions f and df).
expect_numbers() {
  local report
  checks=$((checks + 1))
  report=$(awk -F'\t' "$1"'
    function close_to(a, b) {
      if (a == b) return 1
      d = a - b; if (d < 0) d = -d
      m = a < 0 ? -a : a; n = b < 0 ? -b : b; if (n > m) m = n
      return d <= 1e-12 * m + 1e-300
    }
    NF != 3 { print "line " NR " has " NF " fields: " $0; next }
    {
      x = $1 + 0
      if (!close_to($2 + 0, f(x)))
        printf "f(%s) = %s, expected %.17g\n", $1, $2, f(x)
      if (!close_to($3 + 0, df(x)))
        printf "df(%s) = %s, expected %.17g\n", $1, $3, df(x)
    }' "$TMP/out")
  [[ -z "$report" ]] || fail "wrong numbers: $report"
}

# expect_field N COL GLOB: column COL of stdout line N matches the glob.
expect_field() {
  local got
  checks=$((checks + 1))
  got=$(line "$out" "$1" | cut -f"$2")
  # shellcheck disable=SC2053
  [[ "$got" == $3 ]] || fail "line $1 column $2 is '$got', expected '$3'"
}

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

run
expect_rc 0
expect_line stdout 1 'usage: actjit *'

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

echo "cli_test: $((checks - failures)) of $checks checks passed"
((failures == 0))
