# tests/testlib.sh: the helpers of the command-line tests (cli_test.sh,
# repl_test.sh), sourced after ACTJIT (the command) and TMP (a scratch
# directory) are set.  Each expect_* counts a check and, when it fails,
# prints what was expected and what came out; `finish` prints the count and
# exits 1 if any failed.

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

# run_stdin INPUT ARGS...: like run, with INPUT (printf %s) as stdin.
run_stdin() {
  local input=$1
  shift
  cmdline="printf %s $(printf '%q' "$input") | actjit$(printf ' %q' "$@")"
  printf %s "$input" | "$ACTJIT" "$@" >"$TMP/out" 2>"$TMP/err"
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

# expect_numbers AWKREF [TOL]: every stdout line not starting with "#" is
# "x<TAB>f<TAB>df" with f and df within TOL (relative; default 1e-12) of
# the awk expressions f(x) and df(x) defined in AWKREF (an awk program text
# defining functions f and df).
expect_numbers() {
  local report
  checks=$((checks + 1))
  report=$(awk -F'\t' -v tol="${2:-1e-12}" "$1"'
    function close_to(a, b) {
      if (a == b) return 1
      d = a - b; if (d < 0) d = -d
      m = a < 0 ? -a : a; n = b < 0 ? -b : b; if (n > m) m = n
      return d <= tol * m + 1e-300
    }
    /^#/ { next }
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

# expect_stderr_has REGEX: some line of stderr matches the regex.
expect_stderr_has() {
  checks=$((checks + 1))
  grep -Eq -- "$1" "$TMP/err" || fail "no stderr line matches /$1/"
}

