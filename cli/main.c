/*
** cli/main.c: the `actjit` command line.
**
** Owns argument parsing and the subcommands `diff`, `eval`, `run`, `ir`,
** `asm`, `accuracy`, `plot`, `bench` and `list` (each with --json), and
** dispatch: no arguments (or `repl`) starts the REPL (repl.c), `--batch`
** runs REPL lines from stdin.  `diff` and `eval` use the reference
** interpreter; the others compile EXPR to native kernels (actjit_compile).
** Uses only the public API in include/actjit.h (see cli.h for the files).
**
** Exit status: 0 success, 1 an error reported by the library (or a read
** error on stdin, a write error on stdout), 2 bad usage (for `run`, also a
** token on stdin that is not a number).
*/
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* accuracy: random inputs by default, and the most --random accepts. */
#define DEFAULT_RANDOM 100000
#define MAX_RANDOM 100000000

/* One --param NAME=VALUE.  name points into argv (the '=' is replaced by a
** NUL). */
typedef struct binding {
  const char *name;
  double value;
} binding;

/* The parsed command line of a subcommand. */
typedef struct cmdline {
  const char *cmd; /* "diff", "eval", "run", "ir", "asm" or "accuracy" */
  binding *binds;  /* --param bindings, in command-line order */
  size_t nbinds;
  binding *runtimes; /* --runtime parameters (run, ir, asm), in order */
  size_t nruntimes;
  int f64;         /* run: --dtype f64 (default f32) */
  /* run, ir, asm, accuracy: how EXPR is compiled */
  int profile;       /* --profile (actjit_profile) */
  unsigned flags;    /* --no-stabilize, --from-y (actjit_options.flags) */
  double y_max_ulp;  /* --y-max-ulp (0: the library's default) */
  /* accuracy */
  size_t nrandom;    /* --random (default DEFAULT_RANDOM) */
  uint64_t seed;     /* --seed (default 1) */
  const char *src; /* EXPR */
  double *xs;      /* eval: the X values */
  size_t nxs;
  int help; /* -h/--help was given */
  int json; /* --json */
  const char *out; /* plot: --out FILE */
  double range[2]; /* plot: LO HI after EXPR (nrange of them) */
  int nrange;
  size_t elements; /* bench: --elements N */
} cmdline;

/* The expressions a subcommand works on, and their context. */
typedef struct session {
  actjit_ctx *ctx;
  actjit_expr *f; /* parsed, bound, simplified */
} session;

static const char usage_text[] =
    "usage: actjit diff [--param NAME=VALUE]... EXPR\n"
    "       actjit eval [--param NAME=VALUE]... EXPR X...\n"
    "       actjit run [--dtype f32|f64] [--param NAME=VALUE]...\n"
    "                  [--runtime NAME=VALUE]... EXPR < X-VALUES\n"
    "       actjit ir [--param NAME=VALUE]...\n"
    "                 [--runtime NAME[=VALUE]]... EXPR\n"
    "       actjit asm [--param NAME=VALUE]...\n"
    "                  [--runtime NAME[=VALUE]]... EXPR\n"
    "       actjit accuracy [--random N] [--seed S] [--param NAME=VALUE]...\n"
    "                       [--runtime NAME]... EXPR\n"
    "       actjit plot [--out FILE.svg|FILE.png] [--dtype f32|f64]\n"
    "                   [--param NAME=VALUE]... EXPR [LO HI]\n"
    "       actjit bench [--elements N] [--dtype f32|f64]\n"
    "                    [--param NAME=VALUE]... EXPR\n"
    "       actjit list\n"
    "       actjit aot -o OBJECT.o -H HEADER.h [--cpu CPU] SOURCE...\n"
    "                                   (actjit aot --help for more)\n"
    "       actjit [repl [LINE]...]     the REPL (no arguments: the same)\n"
    "       actjit --batch < LINES      REPL lines from stdin, no prompt\n"
    "       actjit --help | --version\n"
    "\n"
    "Every subcommand takes --json: its output as JSON (run: one JSON\n"
    "object per line; NaN and infinities as the strings \"nan\", \"inf\",\n"
    "\"-inf\").  run, ir, asm, accuracy, plot and bench also take the\n"
    "compile options\n"
    "    [--profile torch|onednn|minnorm] [--no-stabilize] [--from-y]\n"
    "    [--y-max-ulp U]\n"
    "\n"
    "EXPR is an activation function of x written as math text: a catalog\n"
    "name (\"mish\"), a call (\"elu(x, alpha=0.5)\") or an expression\n"
    "(\"x*tanh(softplus(x))\").  It is parsed, each --param is bound, and\n"
    "the result is simplified.\n"
    "\n"
    "  diff   print f, df/dx, and df/dP for each parameter P left unbound\n"
    "  eval   print \"x<TAB>f(x)<TAB>f'(x)\" for each X (a number; inf, -inf\n"
    "         and nan are allowed); unbound parameters take their defaults\n"
    "  run    compile EXPR to native kernels, read whitespace-separated x\n"
    "         values from standard input (numbers; inf, -inf, nan allowed)\n"
    "         and print \"x<TAB>f(x)<TAB>f'(x)\" for each, computed by the\n"
    "         compiled forward and backward kernels (%.9g for f32, %.17g\n"
    "         for f64).  With --runtime, the last lines are\n"
    "         \"# df/dNAME summed = S\", the parameter gradient over all\n"
    "         inputs.  Stops at the first token that is not a number (exit\n"
    "         status 2), after printing the lines of the values before it.\n"
    "  ir     compile EXPR and print the kernels' LLVM IR\n"
    "  asm    compile EXPR and print the kernels' host assembly\n"
    "  accuracy\n"
    "         compile EXPR and measure its float32 and float64 forward and\n"
    "         backward kernels against MPFR (the same function evaluated at\n"
    "         128 bits) on the value grid of numerics.md and N log-uniform\n"
    "         inputs in [-1e4, 1e4]; print a table of the error in ULP (max,\n"
    "         median), the inputs measured, those with a NaN or infinite\n"
    "         result where the exact value is finite, and the worst inputs\n"
    "         with the kernel's result (got) and the exact one (want).\n"
    "         Runtime parameters are measured at their defaults.\n"
    "  plot   draw f and f' over [LO, HI] (default [-6, 6]): in the terminal,\n"
    "         or with --out as an SVG or PNG chart\n"
    "  bench  ns/element of the forward and backward kernels on N elements\n"
    "         (default 65536) next to a plain libm loop of the same formula\n"
    "         built with the system's C compiler\n"
    "  list   the catalog's activations, your own (defined in the REPL with\n"
    "         NAME = EXPR, kept in $XDG_CONFIG_HOME/actjit/activations.act)\n"
    "         and the built-in functions\n"
    "  repl   read activations and :commands (:help lists them) from the\n"
    "         terminal; each LINE runs first, as if typed\n"
    "\n"
    "diff and eval use the float64 reference interpreter; run, ir, asm and\n"
    "accuracy the JIT.  There, parameters neither bound nor runtime take\n"
    "their defaults (folded into the code).\n"
    "\n"
    "Options (they go before EXPR):\n"
    "  --param NAME=VALUE    bind parameter NAME to the number VALUE\n"
    "  --runtime NAME=VALUE  (run, ir, asm) make NAME a runtime parameter of\n"
    "                        the kernels, passed VALUE on each call (ir and\n"
    "                        asm ignore VALUE and accept NAME alone)\n"
    "  --dtype f32|f64       (run) the kernels' element type; default f32\n"
    "  --profile P           (run, ir, asm, accuracy) the derivative's value at\n"
    "                        kinks: torch (default), onednn or minnorm\n"
    "  --no-stabilize        (run, ir, asm, accuracy) compile the formula as\n"
    "                        written, without the stabilizing rewrites\n"
    "  --from-y              (run, ir, asm, accuracy) backward from the\n"
    "                        output y = f(x) instead of x (run prints the\n"
    "                        gradient computed from the forward's y)\n"
    "  --y-max-ulp U         (with --from-y) the largest float32 error of\n"
    "                        the backward from y accepted, in ULP (default 8)\n"
    "  --random N            (accuracy) random inputs; default 100000\n"
    "  --seed S              (accuracy) the random inputs' seed; default 1\n"
    "  --                    end of options (for an EXPR starting with '-')\n"
    "  -h, --help            show this help and exit\n"
    "  --version             show the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 error in EXPR (shown with its position) or\n"
    "from the library, 2 bad usage.\n";

/* Prints "actjit: <message>" and a hint on stderr; returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...) {
  va_list ap;
  fputs("actjit: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nTry 'actjit --help' for more information.\n", stderr);
  return EXIT_USAGE;
}

/* 1 if the subcommand compiles EXPR to kernels (run, ir, asm, accuracy). */
static int is_jit_cmd(const cmdline *cl) {
  return strcmp(cl->cmd, "run") == 0 || strcmp(cl->cmd, "ir") == 0 ||
         strcmp(cl->cmd, "asm") == 0 || strcmp(cl->cmd, "accuracy") == 0 ||
         strcmp(cl->cmd, "plot") == 0 || strcmp(cl->cmd, "bench") == 0;
}

/* 1 for plot and bench, which compile as the REPL does: every parameter
** not bound with --param is a runtime one at its default (so no
** --runtime, and no backward from y, which needs them all bound). */
static int is_explore_cmd(const cmdline *cl) {
  return strcmp(cl->cmd, "plot") == 0 || strcmp(cl->cmd, "bench") == 0;
}

/* Splits arg ("NAME=VALUE", modified in place) into cl's next binding: a
** --param binding, or a --runtime parameter when opt is "--runtime" (where
** ir and asm, which never call the kernels, also accept "NAME" alone, and
** accuracy, which calls them with the defaults, only that).  A name may be
** given once, as --param or as --runtime.  Returns 0, or EXIT_USAGE after
** printing why. */
static int add_binding(cmdline *cl, const char *opt, char *arg) {
  int runtime = strcmp(opt, "--runtime") == 0;
  int value_optional = runtime && strcmp(cl->cmd, "run") != 0;
  binding *list = runtime ? cl->runtimes : cl->binds;
  size_t *count = runtime ? &cl->nruntimes : &cl->nbinds;
  char *eq = strchr(arg, '=');
  size_t namelen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
  double value = NAN;
  size_t i;
  if (eq == NULL && !value_optional)
    return usage_error("%s '%s': expected NAME=VALUE", opt, arg);
  if (eq != NULL && runtime && strcmp(cl->cmd, "accuracy") == 0)
    return usage_error("accuracy: --runtime '%s': give NAME alone (runtime "
                       "parameters are measured at their defaults; use "
                       "--param to bind a value)",
                       arg);
  if (eq != NULL)
    *eq = '\0';
  if (!cli_is_name(arg)) {
    if (eq != NULL)
      *eq = '=';
    return usage_error("%s '%s': '%.*s' is not a name", opt, arg, (int)namelen,
                       arg);
  }
  if (eq != NULL && !cli_parse_number(eq + 1, &value)) {
    *eq = '=';
    return usage_error("%s '%s': '%s' is not a number", opt, arg, eq + 1);
  }
  for (i = 0; i < *count; i++)
    if (strcmp(list[i].name, arg) == 0)
      return usage_error("%s %s given twice", opt, arg);
  for (i = 0; i < (runtime ? cl->nbinds : cl->nruntimes); i++)
    if (strcmp((runtime ? cl->binds : cl->runtimes)[i].name, arg) == 0)
      return usage_error("%s given both as --param and as --runtime", arg);
  list[*count].name = arg;
  list[*count].value = value;
  (*count)++;
  return 0;
}

/* Sets cl->f64 from a --dtype value.  Returns 0, or EXIT_USAGE after
** printing why. */
static int set_dtype(cmdline *cl, const char *value) {
  if (strcmp(value, "f32") == 0)
    cl->f64 = 0;
  else if (strcmp(value, "f64") == 0)
    cl->f64 = 1;
  else
    return usage_error("--dtype '%s': expected f32 or f64", value);
  return 0;
}

/* 1 and *out = s as a decimal or 0x-prefixed unsigned integer (all of s),
** else 0. */
static int parse_unsigned(const char *s, uint64_t *out) {
  char *end;
  unsigned long long v;
  if (*s < '0' || *s > '9')
    return 0;
  errno = 0;
  v = strtoull(s, &end, 0);
  if (errno != 0 || end == s || *end != '\0')
    return 0;
  *out = (uint64_t)v;
  return 1;
}

/* Handles the option argv[*i] if it is one of the compile options
** (--profile, --no-stabilize, --from-y, --y-max-ulp) or accuracy's
** (--random, --seed), consuming its value.  Returns 0 if it handled it,
** -1 if it is none of them, or EXIT_USAGE after printing why. */
static int parse_jit_option(int argc, char **argv, int *i, cmdline *cl) {
  const char *a = argv[*i], *value = NULL;
  static const char *const with_value[] = {"--profile", "--y-max-ulp",
                                           "--random", "--seed"};
  int accuracy_only = 0;
  size_t k, len = 0;
  double d;
  uint64_t u;
  if ((strcmp(a, "--from-y") == 0 || strncmp(a, "--y-max-ulp", 11) == 0) &&
      is_explore_cmd(cl))
    return usage_error("%s: option '%s' is for run, ir, asm and accuracy "
                       "only", cl->cmd, a);
  if (strcmp(a, "--no-stabilize") == 0 || strcmp(a, "--from-y") == 0) {
    if (!is_jit_cmd(cl))
      return usage_error("%s: option '%s' is for run, ir, asm and accuracy "
                         "only",
                         cl->cmd, a);
    cl->flags |= a[2] == 'n' ? ACTJIT_NO_STABILIZE : ACTJIT_BACKWARD_FROM_Y;
    return 0;
  }
  for (k = 0; k < sizeof with_value / sizeof *with_value; k++) {
    len = strlen(with_value[k]);
    if (strncmp(a, with_value[k], len) == 0 &&
        (a[len] == '\0' || a[len] == '='))
      break;
  }
  if (k == sizeof with_value / sizeof *with_value)
    return -1;
  accuracy_only = k >= 2;
  if (accuracy_only ? strcmp(cl->cmd, "accuracy") != 0 : !is_jit_cmd(cl))
    return usage_error("%s: option '%s' is for %s only", cl->cmd,
                       with_value[k],
                       accuracy_only ? "accuracy" : "run, ir, asm and accuracy");
  if (a[len] == '=') {
    value = a + len + 1;
  } else {
    if (*i + 1 >= argc)
      return usage_error("option '%s' needs a value", with_value[k]);
    value = argv[++*i];
  }
  switch (k) {
  case 0:
    if (actjit_profile_by_name(value) < 0)
      return usage_error("--profile '%s': expected torch, onednn or minnorm",
                         value);
    cl->profile = actjit_profile_by_name(value);
    break;
  case 1:
    if (!cli_parse_number(value, &d) || !(d > 0))
      return usage_error("--y-max-ulp '%s': expected a number > 0", value);
    cl->y_max_ulp = d;
    break;
  case 2:
    if (!parse_unsigned(value, &u) || u > MAX_RANDOM)
      return usage_error("--random '%s': expected a whole number from 0 to "
                         "%d",
                         value, MAX_RANDOM);
    cl->nrandom = (size_t)u;
    break;
  default:
    if (!parse_unsigned(value, &u))
      return usage_error("--seed '%s': expected a whole number >= 0", value);
    cl->seed = u;
    break;
  }
  return 0;
}

/* Parses argv[2...] of subcommand argv[1] into *cl (whose arrays the caller
** frees).  Returns 0, or EXIT_USAGE after printing why; on --help sets
** cl->help and returns 0 at once. */
static int parse_args(int argc, char **argv, cmdline *cl) {
  int i = 2, rc;
  int is_eval = strcmp(cl->cmd, "eval") == 0;
  int is_run = strcmp(cl->cmd, "run") == 0;
  int is_plot = strcmp(cl->cmd, "plot") == 0;
  int has_dtype = is_run || is_plot || strcmp(cl->cmd, "bench") == 0;
  cl->elements = 65536;
  cl->nrandom = DEFAULT_RANDOM;
  cl->seed = 1;
  cl->binds = calloc((size_t)argc, sizeof *cl->binds);
  cl->runtimes = calloc((size_t)argc, sizeof *cl->runtimes);
  cl->xs = calloc((size_t)argc, sizeof *cl->xs);
  if (cl->binds == NULL || cl->runtimes == NULL || cl->xs == NULL) {
    fputs("actjit: out of memory\n", stderr);
    return EXIT_LIBRARY;
  }
  /* Options, up to EXPR. */
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
    char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      cl->help = 1;
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      cl->json = 1;
    } else if (strcmp(a, "--out") == 0 || strncmp(a, "--out=", 6) == 0) {
      if (!is_plot)
        return usage_error("%s: option '--out' is for plot only", cl->cmd);
      if (a[5] == '\0' && i + 1 >= argc)
        return usage_error("option '--out' needs a file name");
      cl->out = a[5] == '\0' ? argv[++i] : a + 6;
    } else if (strcmp(a, "--elements") == 0 ||
               strncmp(a, "--elements=", 11) == 0) {
      uint64_t u;
      const char *v = a[10] == '\0' ? (i + 1 < argc ? argv[++i] : "") : a + 11;
      if (strcmp(cl->cmd, "bench") != 0)
        return usage_error("%s: option '--elements' is for bench only",
                           cl->cmd);
      if (!parse_unsigned(v, &u) || u < 1 || u > ((uint64_t)1 << 28))
        return usage_error("--elements '%s': expected a whole number from 1 "
                           "to 268435456", v);
      cl->elements = (size_t)u;
    } else if (strcmp(a, "--param") == 0) {
      if (i + 1 >= argc)
        return usage_error("option '--param' needs NAME=VALUE");
      if ((rc = add_binding(cl, "--param", argv[++i])) != 0)
        return rc;
    } else if (strncmp(a, "--param=", 8) == 0) {
      if ((rc = add_binding(cl, "--param", a + 8)) != 0)
        return rc;
    } else if (strcmp(a, "--runtime") == 0 ||
               strncmp(a, "--runtime=", 10) == 0) {
      if (!is_jit_cmd(cl) || is_explore_cmd(cl))
        return usage_error("%s: option '--runtime' is for run, ir, asm and "
                           "accuracy only (%s makes every parameter not "
                           "bound with --param a runtime one at its default)",
                           cl->cmd, cl->cmd);
      if (a[9] == '\0' && i + 1 >= argc)
        return usage_error("option '--runtime' needs NAME=VALUE");
      if ((rc = add_binding(cl, "--runtime",
                            a[9] == '\0' ? argv[++i] : a + 10)) != 0)
        return rc;
    } else if (strcmp(a, "--dtype") == 0 || strncmp(a, "--dtype=", 8) == 0) {
      if (!has_dtype)
        return usage_error("%s: option '--dtype' is for run, plot and bench "
                           "only", cl->cmd);
      if (a[7] == '\0' && i + 1 >= argc)
        return usage_error("option '--dtype' needs f32 or f64");
      if ((rc = set_dtype(cl, a[7] == '\0' ? argv[++i] : a + 8)) != 0)
        return rc;
    } else if ((rc = parse_jit_option(argc, argv, &i, cl)) >= 0) {
      if (rc != 0)
        return rc;
    } else {
      return usage_error("%s: unknown option '%s' (put '--' before an EXPR "
                         "that starts with '-')",
                         cl->cmd, a);
    }
  }
  if (strcmp(cl->cmd, "list") == 0) {
    if (i < argc)
      return usage_error("list: unexpected argument '%s'", argv[i]);
    return 0;
  }
  if (i >= argc)
    return usage_error("%s: missing EXPR", cl->cmd);
  cl->src = argv[i++];
  if (is_plot) {
    for (; i < argc; i++) {
      if (cl->nrange == 2 || !cli_parse_number(argv[i], &cl->range[cl->nrange]))
        return usage_error("plot: '%s': expected LO HI after EXPR", argv[i]);
      cl->nrange++;
    }
    if (cl->nrange == 1)
      return usage_error("plot: give both LO and HI");
    return 0;
  }
  if (!is_eval) {
    if (i < argc)
      return usage_error("%s: unexpected argument '%s' after EXPR%s", cl->cmd,
                         argv[i],
                         is_run ? " (run reads the x values from standard "
                                  "input)"
                                : "");
    return 0;
  }
  if (i >= argc)
    return usage_error("eval: missing X (one or more numbers after EXPR)");
  for (; i < argc; i++) {
    if (!cli_parse_number(argv[i], &cl->xs[cl->nxs]))
      return usage_error("eval: X '%s' is not a number%s", argv[i],
                         argv[i][0] == '-' ? " (options go before EXPR)" : "");
    cl->nxs++;
  }
  return 0;
}

/* Opens a context, parses cl->src, binds each --param and simplifies, into
** s->f.  Returns 0, or EXIT_LIBRARY after reporting the error.  The caller
** frees s with session_free, either way. */
static int session_open(session *s, const cmdline *cl) {
  actjit_error err = {0};
  actjit_expr *e = NULL, *next = NULL;
  actjit_status st;
  size_t i;
  s->ctx = actjit_ctx_new(NULL, &err);
  if (s->ctx == NULL)
    return cli_report(err.code ? err.code : ACTJIT_ENOMEM, &err, NULL);
  st = actjit_parse(s->ctx, cl->src, ACTJIT_NUL_TERMINATED, &e, &err);
  if (st != ACTJIT_OK)
    return cli_report(st, &err, cl->src);
  for (i = 0; i < cl->nbinds; i++) {
    next = NULL;
    st = actjit_bind(e, cl->binds[i].name, cl->binds[i].value, &next, &err);
    actjit_expr_free(e);
    e = next;
    if (st != ACTJIT_OK)
      return cli_report_maybe_located(st, &err, cl->src);
  }
  st = actjit_simplify(e, &s->f, &err);
  actjit_expr_free(e);
  if (st != ACTJIT_OK)
    return cli_report_maybe_located(st, &err, cl->src);
  return 0;
}

/* Frees what session_open made. */
static void session_free(session *s) {
  actjit_expr_free(s->f);
  actjit_ctx_free(s->ctx);
}

/* Prints "<label><name> = <e as text>" on stdout.  Returns 0, or
** EXIT_LIBRARY after reporting the error. */
static int print_expr(const char *label, const char *name, const actjit_expr *e,
                      const char *src) {
  actjit_error err = {0};
  char *text = NULL;
  actjit_status st = actjit_print(e, &text, &err);
  if (st != ACTJIT_OK)
    return cli_report_maybe_located(st, &err, src);
  printf("%s%s = %s\n", label, name, text);
  actjit_free(text);
  return 0;
}

/* actjit diff: f, df/dx, then df/dP for each remaining parameter P. */
static int cmd_diff(const cmdline *cl) {
  session s = {NULL, NULL};
  actjit_error err = {0};
  actjit_expr *d = NULL;
  actjit_status st;
  size_t i, n;
  json j;
  char *text = NULL;
  int rc = session_open(&s, cl);
  if (rc == 0 && cl->json) {
    json_init(&j, stdout);
    json_begin_object(&j);
    st = actjit_print(s.f, &text, &err);
    if (st != ACTJIT_OK)
      rc = cli_report_maybe_located(st, &err, cl->src);
    json_key(&j, "f");
    json_string(&j, text);
    actjit_free(text);
    json_key(&j, "derivatives");
    json_begin_object(&j);
  } else if (rc == 0) {
    rc = print_expr("f", "", s.f, cl->src);
  }
  n = rc == 0 ? actjit_param_count(s.f) + 1 : 0;
  for (i = 0; rc == 0 && i < n; i++) {
    const char *wrt = i == 0 ? "x" : actjit_param_name(s.f, i - 1);
    st = actjit_diff(s.f, wrt, &d, &err);
    if (st != ACTJIT_OK) {
      rc = cli_report_maybe_located(st, &err, cl->src);
      break;
    }
    if (cl->json) {
      text = NULL;
      st = actjit_print(d, &text, &err);
      if (st != ACTJIT_OK)
        rc = cli_report_maybe_located(st, &err, cl->src);
      json_key(&j, wrt);
      json_string(&j, text);
      actjit_free(text);
    } else {
      rc = print_expr("df/d", wrt, d, cl->src);
    }
    actjit_expr_free(d);
    d = NULL;
  }
  if (rc == 0 && cl->json) {
    json_end_object(&j);
    json_end_object(&j);
    json_finish(&j);
  }
  session_free(&s);
  return rc;
}

/* {"x": x, "f": f, "df": df} */
static void json_point(json *j, double x, double f, double df) {
  json_begin_object(j);
  json_key(j, "x");
  json_number(j, x);
  json_key(j, "f");
  json_number(j, f);
  json_key(j, "df");
  json_number(j, df);
  json_end_object(j);
}

/* actjit eval: "x<TAB>f(x)<TAB>f'(x)" for each X, parameters left unbound
** taking their defaults (EUNBOUND from the library when one has none). */
static int cmd_eval(const cmdline *cl) {
  session s = {NULL, NULL};
  actjit_error err = {0};
  actjit_expr *d = NULL;
  actjit_status st;
  double *y = NULL, *dy = NULL;
  size_t i;
  int rc = session_open(&s, cl);
  if (rc != 0)
    goto done;
  st = actjit_diff(s.f, "x", &d, &err);
  if (st != ACTJIT_OK) {
    rc = cli_report_maybe_located(st, &err, cl->src);
    goto done;
  }
  y = malloc(cl->nxs * sizeof *y);
  dy = malloc(cl->nxs * sizeof *dy);
  if (y == NULL || dy == NULL) {
    fputs("actjit: out of memory\n", stderr);
    rc = EXIT_LIBRARY;
    goto done;
  }
  /* params == NULL: every parameter's default (d keeps f's parameters). */
  st = actjit_eval(s.f, NULL, cl->xs, y, cl->nxs, &err);
  if (st == ACTJIT_OK)
    st = actjit_eval(d, NULL, cl->xs, dy, cl->nxs, &err);
  if (st != ACTJIT_OK) {
    rc = cli_report(st, &err, cl->src);
    goto done;
  }
  if (cl->json) {
    json j;
    json_init(&j, stdout);
    json_begin_object(&j);
    json_key(&j, "points");
    json_begin_array(&j);
    for (i = 0; i < cl->nxs; i++)
      json_point(&j, cl->xs[i], y[i], dy[i]);
    json_end_array(&j);
    json_end_object(&j);
    json_finish(&j);
  }
  for (i = 0; i < cl->nxs && !cl->json; i++) {
    cli_print_g(stdout, cl->xs[i], 17, "\t");
    cli_print_g(stdout, y[i], 17, "\t");
    cli_print_g(stdout, dy[i], 17, "\n");
  }
done:
  free(y);
  free(dy);
  actjit_expr_free(d);
  session_free(&s);
  return rc;
}

/* ---- run, ir, asm: the compiled kernels -------------------------------- */

/* run: values per kernel call, and bytes per read of stdin. */
enum { RUN_BATCH = 4096, READ_CHUNK = 65536 };

/* Compiles cl->src, with each --param bound and each --runtime name a
** runtime parameter, into *a in a new context *ctx.  Returns 0, or
** EXIT_LIBRARY after reporting the error.  The caller frees *a and then
** *ctx, either way. */
static int compile_activation(const cmdline *cl, actjit_ctx **ctx,
                              actjit_activation **a) {
  actjit_error err = {0};
  actjit_options opt;
  actjit_binding *bind;
  const char **runtime;
  actjit_status st;
  size_t i;
  *a = NULL;
  *ctx = actjit_ctx_new(NULL, &err);
  if (*ctx == NULL)
    return cli_report(err.code ? err.code : ACTJIT_ENOMEM, &err, NULL);
  bind = calloc(cl->nbinds + 1, sizeof *bind);
  runtime = calloc(cl->nruntimes + 1, sizeof *runtime);
  if (bind == NULL || runtime == NULL) {
    free(bind);
    free(runtime);
    fputs("actjit: out of memory\n", stderr);
    return EXIT_LIBRARY;
  }
  for (i = 0; i < cl->nbinds; i++) {
    bind[i].name = cl->binds[i].name;
    bind[i].value = cl->binds[i].value;
  }
  for (i = 0; i < cl->nruntimes; i++)
    runtime[i] = cl->runtimes[i].name;
  memset(&opt, 0, sizeof opt);
  opt.bind = bind;
  opt.nbind = cl->nbinds;
  opt.runtime = runtime;
  opt.nruntime = cl->nruntimes;
  opt.profile = (actjit_profile)cl->profile;
  opt.flags = cl->flags;
  opt.y_max_ulp = cl->y_max_ulp;
  st = actjit_compile(*ctx, cl->src, &opt, a, &err);
  free(bind);
  free(runtime);
  /* Parse errors point into the source; a bad --param or --runtime name
  ** and a failed code generation do not. */
  if (st != ACTJIT_OK)
    return cli_report_maybe_located(st, &err, cl->src);
  return 0;
}

/* The state of `actjit run`: one batch of x values in the dtype, the
** kernels' outputs, and the runtime parameters' values and summed
** gradients. */
typedef struct run_state {
  const actjit_activation *a;
  int f64;
  int json;       /* --json: one object per line */
  int from_y;     /* --from-y: the backward takes the forward's y */
  size_t n;       /* x values in the batch */
  size_t nparams; /* runtime parameters */
  float *x32, *y32, *dx32, *ones32, *p32, *dp32;
  double *x64, *y64, *dx64, *ones64, *p64, *dp64;
  double *dpsum; /* df/dp_k summed over every input so far */
} run_state;

/* Allocates r's arrays (r->f64 and r->nparams set).  Returns 0, or
** EXIT_LIBRARY after saying so. */
static int run_state_alloc(run_state *r) {
  size_t i, np = r->nparams + 1;
  if (r->f64) {
    r->x64 = malloc(RUN_BATCH * sizeof *r->x64);
    r->y64 = malloc(RUN_BATCH * sizeof *r->y64);
    r->dx64 = malloc(RUN_BATCH * sizeof *r->dx64);
    r->ones64 = malloc(RUN_BATCH * sizeof *r->ones64);
    r->p64 = calloc(np, sizeof *r->p64);
    r->dp64 = calloc(np, sizeof *r->dp64);
  } else {
    r->x32 = malloc(RUN_BATCH * sizeof *r->x32);
    r->y32 = malloc(RUN_BATCH * sizeof *r->y32);
    r->dx32 = malloc(RUN_BATCH * sizeof *r->dx32);
    r->ones32 = malloc(RUN_BATCH * sizeof *r->ones32);
    r->p32 = calloc(np, sizeof *r->p32);
    r->dp32 = calloc(np, sizeof *r->dp32);
  }
  r->dpsum = calloc(np, sizeof *r->dpsum);
  if (r->dpsum == NULL || (r->f64 ? !r->x64 || !r->y64 || !r->dx64 ||
                                        !r->ones64 || !r->p64 || !r->dp64
                                  : !r->x32 || !r->y32 || !r->dx32 ||
                                        !r->ones32 || !r->p32 || !r->dp32)) {
    fputs("actjit: out of memory\n", stderr);
    return EXIT_LIBRARY;
  }
  for (i = 0; i < RUN_BATCH; i++) { /* dy = 1: the backward gives f' */
    if (r->f64)
      r->ones64[i] = 1.0;
    else
      r->ones32[i] = 1.0f;
  }
  return 0;
}

/* Frees r's arrays. */
static void run_state_free(run_state *r) {
  free(r->x32);
  free(r->y32);
  free(r->dx32);
  free(r->ones32);
  free(r->p32);
  free(r->dp32);
  free(r->x64);
  free(r->y64);
  free(r->dx64);
  free(r->ones64);
  free(r->p64);
  free(r->dp64);
  free(r->dpsum);
}

/* One line of `run --json`. */
static void run_json_line(double x, double f, double df) {
  json j;
  json_init(&j, stdout);
  json_point(&j, x, f, df);
  json_finish(&j);
}

/* Runs the forward and backward kernels on the batch, prints its lines
** and adds its parameter gradients to r->dpsum; the batch is then empty.
** Returns 0, or EXIT_LIBRARY after reporting a failed call (or on a write
** error, which main reports). */
static int run_batch(run_state *r) {
  actjit_status st;
  size_t i, k, n = r->n, np = r->nparams;
  if (n == 0)
    return 0;
  r->n = 0;
  if (r->f64) {
    for (k = 0; k < np; k++)
      r->dp64[k] = 0.0;
    st = actjit_forward_f64_p(r->a, r->p64, r->x64, r->y64, n);
    if (st == ACTJIT_OK && r->from_y)
      st = actjit_backward_y_f64(r->a, r->y64, r->ones64, r->dx64, n);
    else if (st == ACTJIT_OK)
      st = actjit_backward_f64_p(r->a, r->p64, r->x64, r->ones64, r->dx64, n,
                                 r->dp64);
    if (st != ACTJIT_OK)
      return cli_report_status(st);
    for (k = 0; k < np; k++)
      r->dpsum[k] += r->dp64[k];
    for (i = 0; i < n; i++) {
      if (r->json) {
        run_json_line(r->x64[i], r->y64[i], r->dx64[i]);
        continue;
      }
      cli_print_g(stdout, r->x64[i], 17, "\t");
      cli_print_g(stdout, r->y64[i], 17, "\t");
      cli_print_g(stdout, r->dx64[i], 17, "\n");
    }
  } else {
    for (k = 0; k < np; k++)
      r->dp32[k] = 0.0f;
    st = actjit_forward_f32_p(r->a, r->p32, r->x32, r->y32, n);
    if (st == ACTJIT_OK && r->from_y)
      st = actjit_backward_y_f32(r->a, r->y32, r->ones32, r->dx32, n);
    else if (st == ACTJIT_OK)
      st = actjit_backward_f32_p(r->a, r->p32, r->x32, r->ones32, r->dx32, n,
                                 r->dp32);
    if (st != ACTJIT_OK)
      return cli_report_status(st);
    for (k = 0; k < np; k++) /* batch sums in float, the total in double */
      r->dpsum[k] += r->dp32[k];
    for (i = 0; i < n; i++) {
      if (r->json) {
        run_json_line(r->x32[i], r->y32[i], r->dx32[i]);
        continue;
      }
      cli_print_g(stdout, r->x32[i], 9, "\t");
      cli_print_g(stdout, r->y32[i], 9, "\t");
      cli_print_g(stdout, r->dx32[i], 9, "\n");
    }
  }
  return ferror(stdout) ? EXIT_LIBRARY : 0;
}

/* A token of stdin being read: the bytes since the last whitespace. */
typedef struct token {
  char *text; /* NUL-terminated once complete */
  size_t len, cap;
} token;

/* Appends c to t.  Returns 0, or EXIT_LIBRARY after saying so. */
static int token_push(token *t, char c) {
  if (t->len + 1 >= t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 64;
    char *text = realloc(t->text, cap);
    if (text == NULL) {
      fputs("actjit: out of memory\n", stderr);
      return EXIT_LIBRARY;
    }
    t->text = text;
    t->cap = cap;
  }
  t->text[t->len++] = c;
  return 0;
}

/* Adds the complete token t (read on stdin line `line`) to r's batch as a
** number, running the batch when it is full; t is then empty.  A token
** that is not a number: runs the values before it, then reports it and
** returns EXIT_USAGE.  Returns 0, or the exit status after reporting. */
static int take_token(run_state *r, token *t, unsigned long line) {
  char shown[52];
  size_t i, j;
  int ok;
  t->text[t->len] = '\0';
  if (strlen(t->text) != t->len) { /* a NUL byte inside */
    ok = 0;
  } else if (r->f64) {
    ok = cli_parse_number(t->text, &r->x64[r->n]);
  } else {
    char *end;
    r->x32[r->n] = strtof(t->text, &end); /* one rounding, to float */
    ok = end != t->text && *end == '\0';
  }
  if (ok) {
    t->len = 0;
    return ++r->n == RUN_BATCH ? run_batch(r) : 0;
  }
  ok = run_batch(r); /* the values before it get their lines */
  if (ok != 0)
    return ok;
  for (i = j = 0; i < t->len && j < 40; i++) /* printable, and short */
    shown[j++] = (unsigned char)t->text[i] < 0x20 || t->text[i] == 0x7f
                     ? '?'
                     : t->text[i];
  shown[j] = '\0';
  return usage_error("run: standard input line %lu: '%s%s' is not a number",
                     line, shown, i < t->len ? "..." : "");
}

/* 1 for the bytes that separate x values: C-locale whitespace. */
static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

/* actjit run: the compiled kernels on the x values of stdin, batch by
** batch.  Each read of stdin is answered (and stdout flushed) before the
** next one, so interactive input gets its lines as soon as it is typed. */
static int cmd_run(const cmdline *cl) {
  actjit_ctx *ctx = NULL;
  actjit_activation *a = NULL;
  run_state r;
  token t = {NULL, 0, 0};
  char *chunk = NULL;
  unsigned long line = 1;
  size_t i, k;
  int rc;
  memset(&r, 0, sizeof r);
  rc = compile_activation(cl, &ctx, &a);
  if (rc != 0)
    goto done;
  r.a = a;
  r.f64 = cl->f64;
  r.json = cl->json;
  r.from_y = (cl->flags & ACTJIT_BACKWARD_FROM_Y) != 0;
  r.nparams = actjit_runtime_count(a);
  rc = run_state_alloc(&r);
  chunk = malloc(READ_CHUNK);
  if (rc == 0 && chunk == NULL) {
    fputs("actjit: out of memory\n", stderr);
    rc = EXIT_LIBRARY;
  }
  if (rc != 0)
    goto done;
  /* The kernels take runtime parameters in actjit_runtime_name order,
  ** which is the order of the --runtime options. */
  for (k = 0; k < r.nparams; k++) {
    if (r.f64)
      r.p64[k] = cl->runtimes[k].value;
    else
      r.p32[k] = (float)cl->runtimes[k].value;
  }
  for (;;) {
    ssize_t got = read(STDIN_FILENO, chunk, READ_CHUNK);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      fprintf(stderr, "actjit: error reading standard input: %s\n",
              strerror(errno));
      rc = EXIT_LIBRARY;
      break;
    }
    for (i = 0; i < (size_t)got && rc == 0; i++) {
      if (!is_space(chunk[i]))
        rc = token_push(&t, chunk[i]);
      else if (t.len > 0)
        rc = take_token(&r, &t, line);
      if (chunk[i] == '\n')
        line++;
    }
    if (rc == 0 && got == 0 && t.len > 0) /* the last token, at EOF */
      rc = take_token(&r, &t, line);
    if (rc == 0)
      rc = run_batch(&r);
    if (rc == 0 && fflush(stdout) != 0)
      rc = EXIT_LIBRARY; /* main reports the write error */
    if (rc != 0 || got == 0)
      break;
  }
  if (rc == 0 && r.json && r.nparams) {
    json j;
    json_init(&j, stdout);
    json_begin_object(&j);
    json_key(&j, "dparams_summed");
    json_begin_object(&j);
    for (k = 0; k < r.nparams; k++) {
      json_key(&j, actjit_runtime_name(a, k));
      json_number(&j, r.dpsum[k]);
    }
    json_end_object(&j);
    json_end_object(&j);
    json_finish(&j);
  }
  for (k = 0; rc == 0 && !r.json && k < r.nparams; k++) {
    printf("# df/d%s summed = ", actjit_runtime_name(a, k));
    cli_print_g(stdout, r.dpsum[k], r.f64 ? 17 : 9, "\n");
  }
done:
  free(chunk);
  free(t.text);
  run_state_free(&r);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
  return rc;
}

/* actjit ir / asm: the compiled kernels' LLVM IR or host assembly. */
static int cmd_describe(const cmdline *cl, actjit_part part) {
  actjit_ctx *ctx = NULL;
  actjit_activation *a = NULL;
  actjit_error err = {0};
  char *text = NULL;
  actjit_status st;
  int rc = compile_activation(cl, &ctx, &a);
  if (rc == 0) {
    st = actjit_describe(a, part, &text, &err);
    if (st != ACTJIT_OK) {
      rc = cli_report_maybe_located(st, &err, cl->src);
    } else if (cl->json) {
      json j;
      json_init(&j, stdout);
      json_begin_object(&j);
      json_key(&j, part == ACTJIT_PART_IR ? "ir" : "asm");
      json_string(&j, text);
      json_end_object(&j);
      json_finish(&j);
    } else {
      size_t len = strlen(text);
      fputs(text, stdout);
      if (len > 0 && text[len - 1] != '\n')
        fputc('\n', stdout);
    }
  }
  actjit_free(text);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
  return rc;
}

/* cli_settings from the command line's options (--param binds; the
** others of explore.c's defaults: parameters left unbound are runtime
** ones at their defaults). */
static int settings_of(const cmdline *cl, cli_settings *s) {
  memset(s, 0, sizeof *s);
  s->profile = cl->profile;
  s->f64 = cl->f64;
  s->flags = cl->flags;
  s->y_max_ulp = cl->y_max_ulp;
  s->strict = 1;
  for (size_t i = 0; i < cl->nbinds; i++)
    if (cli_settings_bind(s, cl->binds[i].name, cl->binds[i].value) != 0) {
      fputs("actjit: too many --param bindings\n", stderr);
      return EXIT_USAGE;
    }
  return 0;
}

/* actjit accuracy: compiles EXPR, measures it (actjit_accuracy) and prints
** the table or the JSON. */
static int cmd_accuracy(const cmdline *cl) {
  actjit_ctx *ctx = NULL;
  cli_act act;
  memset(&act, 0, sizeof act);
  int rc = compile_activation(cl, &ctx, &act.a);
  if (rc == 0) {
    act.src = (char *)cl->src;
    json j;
    json_init(&j, stdout);
    rc = cli_accuracy(stdout, cl->json ? &j : NULL, &act, cl->nrandom,
                      cl->seed);
    if (rc == 0 && cl->json)
      json_finish(&j);
  }
  actjit_activation_free(act.a);
  actjit_ctx_free(ctx);
  return rc;
}

/* actjit plot / bench: EXPR compiled as the REPL does (explore.c). */
static int cmd_explore(const cmdline *cl) {
  cli_settings set;
  cli_act act;
  memset(&act, 0, sizeof act);
  int rc = settings_of(cl, &set);
  actjit_error err = {0};
  actjit_ctx *ctx = rc ? NULL : actjit_ctx_new(NULL, &err);
  if (rc == 0 && !ctx)
    rc = cli_report(err.code, &err, NULL);
  if (rc == 0)
    rc = cli_act_compile(ctx, cl->src, &set, &act);
  json j;
  json_init(&j, stdout);
  if (rc == 0 && strcmp(cl->cmd, "bench") == 0) {
    rc = cli_bench(stdout, cl->json ? &j : NULL, &act, cl->f64, cl->elements);
    if (rc == 0 && cl->json)
      json_finish(&j);
  } else if (rc == 0) {
    double lo = cl->nrange ? cl->range[0] : -6, hi = cl->nrange ? cl->range[1] : 6;
    rc = cli_plot(&act, cl->f64, lo, hi, cl->out, 72, 20,
                  !cl->out && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
                  cl->json && !cl->out ? &j : NULL);
    if (rc == 0 && cl->json && !cl->out)
      json_finish(&j);
    if (rc == 0 && cl->json && cl->out) {
      json_begin_object(&j);
      json_key(&j, "file");
      json_string(&j, cl->out);
      json_key(&j, "lo");
      json_number(&j, lo);
      json_key(&j, "hi");
      json_number(&j, hi);
      json_end_object(&j);
      json_finish(&j);
    }
  }
  cli_act_free(&act);
  cli_settings_free(&set);
  actjit_ctx_free(ctx);
  return rc;
}

/* actjit list */
static int cmd_list(const cmdline *cl) {
  actjit_error err = {0};
  actjit_ctx *ctx = actjit_ctx_new(NULL, &err);
  if (!ctx)
    return cli_report(err.code, &err, NULL);
  json j;
  json_init(&j, stdout);
  int rc = cli_list(stdout, cl->json ? &j : NULL, ctx);
  if (rc == 0 && cl->json)
    json_finish(&j);
  actjit_ctx_free(ctx);
  return rc;
}

/* Entry point: dispatches on argv[1].  Returns the exit status described
** in the banner. */
int main(int argc, char **argv) {
  static const char *const subcommands[] = {
      "diff", "eval", "run", "ir", "asm", "accuracy", "plot", "bench", "list"};
  cmdline cl;
  int rc = -1;
  memset(&cl, 0, sizeof cl);
  int repl_help = argc > 2 && strcmp(argv[1], "repl") == 0 &&
                  (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0);
  if (repl_help) {
    fputs(usage_text, stdout);
    rc = 0;
  } else if (argc < 2 || strcmp(argv[1], "repl") == 0) {
    rc = cli_repl(argv + 2, argc > 2 ? argc - 2 : 0, 0);
  } else if (strcmp(argv[1], "--batch") == 0) {
    rc = argc == 2 ? cli_repl(NULL, 0, 1)
                   : usage_error("--batch reads its lines from standard input "
                                 "(no arguments)");
  } else if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
             strcmp(argv[1], "help") == 0) {
    fputs(usage_text, stdout);
    rc = 0;
  } else if (strcmp(argv[1], "--version") == 0) {
    printf("actjit %s\n", actjit_version_string());
    rc = 0;
  } else if (strcmp(argv[1], "aot") == 0) {
    rc = cli_aot(argc, argv);
  }
  for (size_t k = 0; rc < 0 && k < sizeof subcommands / sizeof *subcommands;
       k++) {
    if (strcmp(argv[1], subcommands[k]) != 0)
      continue;
    cl.cmd = argv[1];
    rc = parse_args(argc, argv, &cl);
    if (rc != 0)
      break;
    if (cl.help)
      fputs(usage_text, stdout);
    else if (strcmp(cl.cmd, "diff") == 0)
      rc = cmd_diff(&cl);
    else if (strcmp(cl.cmd, "eval") == 0)
      rc = cmd_eval(&cl);
    else if (strcmp(cl.cmd, "run") == 0)
      rc = cmd_run(&cl);
    else if (strcmp(cl.cmd, "accuracy") == 0)
      rc = cmd_accuracy(&cl);
    else if (strcmp(cl.cmd, "plot") == 0 || strcmp(cl.cmd, "bench") == 0)
      rc = cmd_explore(&cl);
    else if (strcmp(cl.cmd, "list") == 0)
      rc = cmd_list(&cl);
    else
      rc = cmd_describe(&cl, strcmp(cl.cmd, "ir") == 0 ? ACTJIT_PART_IR
                                                       : ACTJIT_PART_ASM);
  }
  if (rc < 0 && argv[1][0] == '-')
    rc = usage_error("unknown option '%s'", argv[1]);
  else if (rc < 0)
    rc = usage_error("unknown command '%s' (expected diff, eval, run, ir, "
                     "asm, accuracy, plot, bench, list, aot or repl)",
                     argv[1]);
  free(cl.binds);
  free(cl.runtimes);
  free(cl.xs);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fputs("actjit: error writing to standard output\n", stderr);
    return EXIT_LIBRARY;
  }
  return rc;
}
