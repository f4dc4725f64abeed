#!/usr/bin/env bash
# tests/repl_test.sh: scripted REPL sessions (--batch, and plain reads of a
# non-terminal stdin), user definitions persisting across runs, and the
# subcommands plot, bench, list and every subcommand's --json.
#
# usage: tests/repl_test.sh PATH/TO/actjit
#
# Every command of the REPL and every error path: each check says what was
# expected; the exit status is 1 if any failed.  Config, state and cache
# directories are temporary.  Registered with CTest as the test `repl`.
set -uo pipefail

if (($# != 1)) || [[ ! -x "$1" ]]; then
  echo "usage: $0 PATH/TO/actjit" >&2
  exit 2
fi
ACTJIT=$1
HERE=$(dirname "$0")
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LC_ALL=C
NO_COLOR=1
XDG_CONFIG_HOME=$TMP/config
XDG_STATE_HOME=$TMP/state
XDG_CACHE_HOME=$TMP/cache
export LC_ALL NO_COLOR XDG_CONFIG_HOME XDG_STATE_HOME XDG_CACHE_HOME
USERFILE=$XDG_CONFIG_HOME/actjit/activations.act

# shellcheck source=tests/testlib.sh
. "$HERE/testlib.sh"

# batch LINES: runs `actjit --batch` on LINES (printf %b: \n separates).
batch() { run_stdin "$(printf '%b' "$1")" --batch; }

# expect_json PYEXPR: stdout is JSON and PYEXPR (over `d`) is true.
expect_json() {
  local why
  checks=$((checks + 1))
  why=$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
print("" if ok else "false: " + sys.argv[2])' "$TMP/out" "$1" 2>&1)
  [[ -z "$why" ]] || fail "JSON check: $why"
}

# expect_json_lines: every stdout line is one JSON object.
expect_json_lines() {
  local why
  checks=$((checks + 1))
  why=$("$PY" -c '
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    if not isinstance(json.loads(line), dict): print("line %d" % n)' \
    "$TMP/out" 2>&1)
  [[ -z "$why" ]] || fail "not JSON lines: $why"
}

# expect_plots FILE...: the charts parse and hold both curves.
expect_plots() {
  local why
  checks=$((checks + 1))
  why=$("$PY" "$HERE/plot_check.py" "$@" 2>&1) || fail "charts: $why"
}

# ---- an activation: f, f', df/dp, rewrites, compile time -------------------
batch 'mish'
expect_rc 0
expect_stdout_has '^  f\(x\)  = x\*tanh\(log1pexp\(x\)\)$'
expect_stdout_has "^  f'\\(x\\) = tanh\\(log1pexp\\(x\\)\\) \\+ "
expect_stdout_has '^  stabilizing rewrites:$'
expect_stdout_has '^    mish_tanh: tanh\(log1pexp\(u\)\) -> '
expect_stdout_has '^  the kernels compute:$'
expect_stdout_has '^    f  = x < -80 \? '
expect_stdout_has '^  compiled in [0-9.]+ ms \((LLVM|the disk cache|already loaded)(, quick kernels until the optimized ones are in)?; [0-9]+ float32 lanes\)$'
expect_lines stderr 0

batch 'elu'
expect_rc 0
expect_stdout_has '^  df/dalpha = '
expect_stdout_has '^  parameters: alpha = 1 \(default\)$'
expect_stdout_has '^  stabilizing rewrites: none$'

# ---- :eval, dtypes, :set and :unset ------------------------------------------
batch 'mish\n:eval 1 0 -3'
expect_rc 0
expect_stdout_has '^  1 +0\.865098(3|4)[0-9]* +1\.04903'
expect_stdout_has '^  0 +0 +0\.6'
expect_stdout_has '^  -3 +-0\.14564'

batch 'mish\n:set dtype f64\n:eval 1'
expect_rc 0
expect_stdout_has '^  1 +0\.8650983882673[0-9]* +1\.0490362200997'

batch 'elu\n:set alpha=0.5\n:eval -1\n:unset alpha\n:eval -1'
expect_rc 0
expect_stdout_has '^  -1 +-0\.316060'
expect_stdout_has '^  -1 +-0\.632120'

batch ':set alpha = 2\nelu\n:eval -1\n:set'
expect_rc 0
expect_stdout_has '^  -1 +-1\.26424'
expect_stdout_has '^  profile torch, dtype f32; bound: alpha=2; plot range \[-6, 6\]$'

batch 'relu6\n:eval 6\n:set profile onednn\n:eval 6\n:set profile minnorm'
expect_rc 0
expect_stdout_has '^  6 +6 +0$'
expect_stdout_has '^  6 +6 +1$'

batch 'elu(x, alpha=0.5)\n:set alpha=3'
expect_rc 0
expect_stdout_has 'alpha is bound for the activations that have it'

# a parameter without a default: an error until it has a value
batch 'x*sigmoid(b*x)\n:eval 1\n:set b=2\n:eval 1'
expect_rc 1
expect_stderr_has "^error: parameter 'b' has no value"
expect_stdout_has '^  1 +0\.88079'

# ---- :plot, :save-plot ---------------------------------------------------------
batch 'mish\n:plot -3 3'
expect_rc 0
expect_stdout_has '⠀|⣀|⠉|⡀|⢀'
expect_stdout_has '^ +-3 +0 +3$'
expect_stdout_has "f \\(solid\\) +.* f' \\(dotted\\)"
expect_no_stdout_match $'\e'

batch "gelu\n:save-plot $TMP/g.svg -4 4\n:save-plot $TMP/g.png\n:plot"
expect_rc 0
expect_stdout_has "^  wrote $TMP/g.svg$"
expect_stdout_has '^ +-4 +0 +4$' # the range stays
expect_plots "$TMP/g.svg" "$TMP/g.png"

# ---- :ir, :asm, :accuracy, :bench, :list, :help, :quit --------------------------
batch 'relu\n:ir\n:set dtype f64\n:ir'
expect_rc 0
expect_stdout_has '^define void @actjit_fwd'
expect_stdout_has 'x float>'
expect_stdout_has 'x double>'

batch 'relu\n:asm'
expect_rc 0
expect_stdout_has 'ret'

batch 'tanh\n:accuracy 1000'
expect_rc 0
expect_stdout_has '^f32 forward +[0-9.]+ +[0-9.]+ +[0-9]+ +0$'
expect_stdout_has '^f64 backward '

batch 'silu\n:bench 2048'
expect_rc 0
expect_stdout_has '^  2048 float32 elements'
expect_stdout_has '^  forward +[0-9.]+ \( *[0-9]+%\)'
expect_stdout_has '^  backward +[0-9.]+ \( *[0-9]+%\)'

batch ':list'
expect_rc 0
expect_stdout_has '^catalog activations:$'
expect_stdout_has '^  elu\(x, alpha=1\)$'
expect_stdout_has '^your activations:$'
expect_stdout_has '^functions:$'

batch ':help'
expect_rc 0
expect_stdout_has ':save-plot FILE'

batch 'relu\n:quit\nmish'
expect_rc 0
expect_no_stdout_match 'exp'

batch '# a comment\n\n   \nrelu'
expect_rc 0
expect_stdout_has '^  f\(x\)  = '

# ---- errors: carets, the session goes on, batch exit status -------------------
batch 'x +* 2\nrelu'
expect_rc 1
expect_line stderr 1 'error: ESYNTAX at 3+1: near "\*": syntax error'
expect_line stderr 2 'x +\* 2'
expect_line stderr 3 '   ^'
expect_stdout_has '^  f\(x\)  = '

batch ':nosuch\n:eval abc\n:eval'
expect_rc 1
expect_stderr_has "^error: unknown command ':nosuch'"
expect_stderr_has '^\^\^\^\^\^\^\^$'
expect_stderr_has "^error: no activation yet"
batch 'relu\n:eval 1 abc'
expect_stderr_has "^error: 'abc' is not a number$"
expect_stderr_has '^        \^\^\^$'

batch 'relu\n:set profile bogus\n:set dtype f16\n:set 1x=2\n:set a=zz\n:set nonsense\n:unset q\n:unset'
expect_rc 1
expect_stderr_has "unknown profile 'bogus'"
expect_stderr_has "unknown dtype 'f16'"
expect_stderr_has "'1x' is not a parameter name"
expect_stderr_has "'zz' is not a number"
expect_stderr_has 'expected profile P, dtype D or NAME=VALUE'
expect_stderr_has "'q' is not bound"
expect_stderr_has ':unset needs one parameter name'

batch "relu\n:plot 3 1\n:plot 1\n:save-plot $TMP/p.txt\n:save-plot $TMP/none/p.svg\n:save-plot\n:accuracy x\n:bench 0\n:bench 1 2"
expect_rc 1
expect_stderr_has 'the range needs finite lo < hi'
expect_stderr_has 'give both ends of the range'
expect_stderr_has 'must end in .svg or .png'
expect_stderr_has "^error: .*$TMP/none/p.svg"
expect_stderr_has ':save-plot needs a file name'
expect_stderr_has 'expected a whole number'
expect_stderr_has 'N must be at least 1'
expect_stderr_has "unexpected '2'"

batch 'relu\n:plot 3 1\nrelu'
expect_rc 1 # one failed line fails the batch, the others still ran
expect_stdout_has '^  f\(x\)  = '

# ---- definitions: saved, usable by name, across runs and in the library ------
rm -rf "$XDG_CONFIG_HOME"
batch 'sq = x^2\n:eval 3'
expect_rc 0
expect_stdout_has "^  defined sq \\(saved to $USERFILE\\)$"
expect_stdout_has '^  3 +9 +6$'
checks=$((checks + 1))
grep -qx 'sq = x^2' "$USERFILE" || fail "$USERFILE lacks 'sq = x^2'"

batch 'lin(x, k=3) = k*x\nsq = x^3\nsw = x*sigmoid(b*x)'
expect_rc 0
checks=$((checks + 1))
[[ $(grep -c '^sq = ' "$USERFILE") == 1 ]] || fail "sq defined twice in the file"

batch 'sq\n:eval 2\nlin\n:eval 2\n2*lin(x, k=5)\n:eval 2\n:list'   # a new run
expect_rc 0
expect_stdout_has '^  2 +8 +12$'
expect_stdout_has '^  2 +6 +3$'
expect_stdout_has '^  2 +20 +10$'
expect_stdout_has '^  lin\(x, k=3\)$'
expect_stdout_has '^  sw\(x, b\)$'

run eval sq 2 # the subcommands see them too: the library loads the file
expect_rc 0
expect_line stdout 1 '2	8	12'

batch 'relu = x\nfoo = nosuch(x)\nbar = (x'
expect_rc 1
expect_stderr_has "cannot define 'relu': a built-in activation"
expect_line stderr 2 'relu = x'
expect_line stderr 3 '^^^^'
expect_stderr_has "EUNKNOWN"
expect_stderr_has 'EUNBALANCED'

# a bad activations file: named with its line; the session goes on without it
printf 'ok = x\nbroken = x +* 1\n' >"$USERFILE"
batch 'relu'
expect_rc 1
expect_stderr_has "activations.act:2: near \"\\*\": syntax error"
expect_stdout_has '^  f\(x\)  = '
rm -f "$USERFILE"

# the bad line is skipped, the others stay usable; the library loads the
# default file the same way (every program keeps working)
printf 'ok2 = x*7\nbroken = x +* 1\n' >"$USERFILE"
batch 'ok2\n:eval 1'
expect_rc 1
expect_stdout_has '^  1 +7 +7$'
run eval ok2 1
expect_rc 0
expect_line stdout 1 '1	7	7'

# a redefinition stays where the old line was (later lines may use it)
printf 'a2 = x*2\nb2 = a2(x) + 1\n' >"$USERFILE"
batch 'a2 = x*3'
expect_rc 0
checks=$((checks + 1))
[[ $(grep -v '^#' "$USERFILE" | tr '\n' ';') == 'a2 = x*3;b2 = a2(x) + 1;' ]] ||
  fail "redefinition moved: $(cat "$USERFILE")"

# writers in parallel lose nothing; a symlinked file stays a symlink
rm -f "$USERFILE"
for i in 1 2 3 4 5 6 7 8; do
  printf 'par%d = x*%d\n' "$i" "$i" | "$ACTJIT" --batch >/dev/null 2>&1 &
done
wait
checks=$((checks + 1))
[[ $(grep -c '^par' "$USERFILE") == 8 ]] || fail "parallel saves: $(cat "$USERFILE")"
mkdir -p "$TMP/dot"
printf 'mine = x*2\n' >"$TMP/dot/acts"
chmod 600 "$TMP/dot/acts"
rm -f "$USERFILE"
ln -s "$TMP/dot/acts" "$USERFILE"
batch 'mine2 = x*4'
expect_rc 0
checks=$((checks + 1))
[[ -L "$USERFILE" ]] && grep -q '^mine2 = x\*4$' "$TMP/dot/acts" &&
  [[ $(stat -c %a "$TMP/dot/acts") == 600 ]] || fail "the symlinked file was not kept"
rm -f "$USERFILE"

# a line that starts with a local binding is a source, not a definition
batch 't = 2; t*x\n:eval 3'
expect_rc 0
expect_stdout_has '^  3 +6 +2$'
checks=$((checks + 1))
[[ ! -e "$USERFILE" ]] || fail "'t = 2; t*x' was saved as a definition"

# ---- plain reads without --batch, REPL lines from the command line ------------
run_stdin "$(printf 'mish\n:eval 1\n')"
expect_rc 0
expect_stdout_has '^  1 +0\.86509'
expect_no_stdout_match '^actjit>'

run repl relu ':eval 2'
expect_rc 0
expect_line stdout 1 'actjit> relu'
expect_stdout_has '^actjit> :eval 2$'
expect_stdout_has '^  2 +2 +1$'

run --batch extra
expect_rc 2

run repl --help
expect_rc 0
expect_line stdout 1 'usage: actjit *'

# ---- plot, bench, list subcommands -----------------------------------------
run plot mish -2 2
expect_rc 0
expect_stdout_has '^ +-2 +0 +2$'

run plot --out "$TMP/m.png" --param alpha=0.5 elu -3 3
expect_rc 0
expect_lines stdout 0
expect_plots "$TMP/m.png"

run plot --out "$TMP/m.txt" relu
expect_rc 2

run plot relu 1
expect_rc 2

run bench --elements 1024 relu
expect_rc 0
expect_stdout_has '^  1024 float32 elements'

run bench --elements 0 relu
expect_rc 2

run plot --from-y softplus # plot and bench bind or default every parameter
expect_rc 2
run bench --runtime alpha=5 elu
expect_rc 2
run plot --param alhpa=5 elu # a misspelled parameter
expect_rc 1
expect_stderr_has "'alhpa' is not a parameter of elu"

run plot --json mish -1e308 1e308 # a range whose width overflows
expect_rc 0
expect_json 'all(isinstance(v, (int, float)) for v in d["x"]) and d["x"][-1] == 1e308'

run list
expect_rc 0
expect_stdout_has '^  gelu_tanh\(x\)$'

# ---- --json for every subcommand ---------------------------------------------
run diff --json elu
expect_rc 0
expect_json 'd["f"].startswith("x > 0") and set(d["derivatives"]) == {"x", "alpha"}'

run eval --json relu -1 2 nan
expect_rc 0
expect_json '[p["f"] for p in d["points"]] == [0, 2, "nan"] and d["points"][1]["df"] == 1'

run_stdin '1 2' run --json --runtime alpha=0.5 elu
expect_rc 0
expect_json_lines
expect_stdout_has '"dparams_summed":\{"alpha":'

run ir --json relu
expect_rc 0
expect_json '"@actjit_fwd" in d["ir"]'

run asm --json relu
expect_rc 0
expect_json 'len(d["asm"]) > 100'

run accuracy --json --random 500 tanh
expect_rc 0
expect_json 'd["kernels"]["f32_forward"]["max_ulp"] <= 2 and d["random"] == 500'

run plot --json mish -1 1
expect_rc 0
expect_json 'len(d["x"]) == 801 and len(d["f"]) == 801 and d["x"][0] == -1'

run plot --json --out "$TMP/j.svg" mish
expect_rc 0
expect_json 'd["file"].endswith("j.svg") and d["lo"] == -6'
expect_plots "$TMP/j.svg"

run bench --json --elements 1024 silu
expect_rc 0
expect_json 'd["forward"]["actjit_ns"] > 0 and d["n"] == 1024 and "libm_ns" in d["backward"]'

run list --json
expect_rc 0
expect_json 'any(a["name"] == "elu" and a["parameters"][0]["name"] == "alpha" for a in d["catalog"]) and "exp" in d["functions"]'

echo "repl_test: $((checks - failures)) of $checks checks passed"
((failures == 0))
