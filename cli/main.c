/*
** cli/main.c: the `actjit` command.
**
** Owns the command line: argument parsing, the `diff` and `eval`
** subcommands, and how a library error is shown on stderr (the error line,
** the source line it points into, and carets under the offending bytes).
** Uses only the public API in include/actjit.h; it must not include
** anything from expr/ or parser/.  (The REPL comes in a later issue.)
**
** Exit status: 0 success, 1 an error reported by the library (or a write
** error on stdout), 2 bad usage.
*/
#include "actjit.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_LIBRARY = 1, EXIT_USAGE = 2 };

/* One --param NAME=VALUE.  name points into argv (the '=' is replaced by a
** NUL). */
typedef struct binding {
  const char *name;
  double value;
} binding;

/* The parsed command line of a subcommand. */
typedef struct cmdline {
  const char *cmd; /* "diff" or "eval" */
  binding *binds;  /* --param bindings, in command-line order */
  size_t nbinds;
  const char *src; /* EXPR */
  double *xs;      /* eval: the X values */
  size_t nxs;
  int help; /* -h/--help was given */
} cmdline;

/* The expressions a subcommand works on, and their context. */
typedef struct session {
  actjit_ctx *ctx;
  actjit_expr *f; /* parsed, bound, simplified */
} session;

static const char usage_text[] =
    "usage: actjit diff [--param NAME=VALUE]... EXPR\n"
    "       actjit eval [--param NAME=VALUE]... EXPR X...\n"
    "       actjit --help | --version\n"
    "\n"
    "EXPR is an activation function of x written as math text: a catalog\n"
    "name (\"mish\"), a call (\"elu(x, alpha=0.5)\") or an expression\n"
    "(\"x*tanh(softplus(x))\").  It is parsed, each --param is bound, and\n"
    "the result is simplified.\n"
    "\n"
    "  diff   print f, df/dx, and df/dP for each parameter P left unbound\n"
    "  eval   print \"x<TAB>f(x)<TAB>f'(x)\" for each X (a number; inf, -inf\n"
    "         and nan are allowed); unbound parameters take their defaults\n"
    "\n"
    "Options (they go before EXPR):\n"
    "  --param NAME=VALUE  bind parameter NAME to the number VALUE\n"
    "  --                  end of options (for an EXPR starting with '-')\n"
    "  -h, --help          show this help and exit\n"
    "  --version           show the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 error in EXPR (shown with its position),\n"
    "2 bad usage.\n";

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

/* 1 and *out = the number if all of s is one number strtod accepts (so
** "-3", "1e-3", "inf", "-inf", "nan", "0x1p3"), else 0. */
static int parse_number(const char *s, double *out) {
  char *end;
  if (*s == '\0')
    return 0;
  errno = 0;
  *out = strtod(s, &end);
  /* ERANGE is fine: overflow gives +-inf, underflow rounds. */
  return end != s && *end == '\0';
}

/* 1 if s is a NAME of the language: [A-Za-z_][A-Za-z0-9_]*. */
static int is_name(const char *s) {
  const char *p;
  for (p = s; *p; p++) {
    int alpha =
        (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_';
    int digit = *p >= '0' && *p <= '9';
    if (!alpha && !(digit && p != s))
      return 0;
  }
  return p != s;
}

/* Splits arg ("NAME=VALUE", modified in place) into cl's next binding.
** Returns 0, or EXIT_USAGE after printing why. */
static int add_binding(cmdline *cl, char *arg) {
  char *eq = strchr(arg, '=');
  double value;
  size_t i;
  if (eq == NULL)
    return usage_error("--param '%s': expected NAME=VALUE", arg);
  *eq = '\0';
  if (!is_name(arg)) {
    *eq = '=';
    return usage_error("--param '%s': '%.*s' is not a name", arg,
                       (int)(eq - arg), arg);
  }
  if (!parse_number(eq + 1, &value)) {
    *eq = '=';
    return usage_error("--param '%s': '%s' is not a number", arg, eq + 1);
  }
  for (i = 0; i < cl->nbinds; i++)
    if (strcmp(cl->binds[i].name, arg) == 0)
      return usage_error("--param %s given twice", arg);
  cl->binds[cl->nbinds].name = arg;
  cl->binds[cl->nbinds].value = value;
  cl->nbinds++;
  return 0;
}

/* Parses argv[2...] of subcommand argv[1] into *cl (whose arrays the caller
** frees).  Returns 0, or EXIT_USAGE after printing why; on --help sets
** cl->help and returns 0 at once. */
static int parse_args(int argc, char **argv, cmdline *cl) {
  int i = 2, rc;
  int is_eval = strcmp(cl->cmd, "eval") == 0;
  cl->binds = calloc((size_t)argc, sizeof *cl->binds);
  cl->xs = calloc((size_t)argc, sizeof *cl->xs);
  if (cl->binds == NULL || cl->xs == NULL) {
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
    } else if (strcmp(a, "--param") == 0) {
      if (i + 1 >= argc)
        return usage_error("option '--param' needs NAME=VALUE");
      if ((rc = add_binding(cl, argv[++i])) != 0)
        return rc;
    } else if (strncmp(a, "--param=", 8) == 0) {
      if ((rc = add_binding(cl, a + 8)) != 0)
        return rc;
    } else {
      return usage_error("%s: unknown option '%s' (put '--' before an EXPR "
                         "that starts with '-')",
                         cl->cmd, a);
    }
  }
  if (i >= argc)
    return usage_error("%s: missing EXPR", cl->cmd);
  cl->src = argv[i++];
  if (!is_eval) {
    if (i < argc)
      return usage_error("diff: unexpected argument '%s' after EXPR", argv[i]);
    return 0;
  }
  if (i >= argc)
    return usage_error("eval: missing X (one or more numbers after EXPR)");
  for (; i < argc; i++) {
    if (!parse_number(argv[i], &cl->xs[cl->nxs]))
      return usage_error("eval: X '%s' is not a number%s", argv[i],
                         argv[i][0] == '-' ? " (options go before EXPR)" : "");
    cl->nxs++;
  }
  return 0;
}

/* 1 for a UTF-8 continuation byte (10xxxxxx). */
static int is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Prints, on stderr, the line of src holding byte `offset`, then a line
** that puts carets under bytes [offset, offset+length) of it: at least one
** caret, none past the end of the line.  Tabs before the offset are kept
** so the carets line up; a multi-byte UTF-8 character counts as one
** column. */
static void show_source(const char *src, size_t offset, size_t length) {
  size_t len = strlen(src), start, end, shown, from, stop, i, carets = 0;
  if (offset > len)
    offset = len;
  start = offset;
  while (start > 0 && src[start - 1] != '\n')
    start--;
  end = offset;
  while (end < len && src[end] != '\n')
    end++;
  shown = end;
  if (shown > start && src[shown - 1] == '\r') /* CRLF line */
    shown--;
  fprintf(stderr, "%.*s\n", (int)(shown - start), src + start);
  for (i = start; i < offset && i < shown; i++) /* up to the offset */
    if (!is_continuation((unsigned char)src[i]))
      fputc(src[i] == '\t' ? '\t' : ' ', stderr);
  from = offset < shown ? offset : shown;
  stop = length < shown - from ? from + length : shown;
  for (i = from; i < stop; i++)
    if (!is_continuation((unsigned char)src[i]))
      carets++;
  if (carets == 0)
    carets = 1;
  while (carets-- > 0)
    fputc('^', stderr);
  fputc('\n', stderr);
}

/* Reports a failed library call on stderr:
**   error: NAME at OFFSET+LENGTH: MESSAGE
** followed by the source line and carets when src is non-NULL and
** non-empty.  Returns EXIT_LIBRARY. */
static int report(actjit_status st, const actjit_error *err, const char *src) {
  fprintf(stderr, "error: %s at %zu+%zu: %s\n", actjit_status_name(st),
          err->offset, err->length,
          err->message[0] ? err->message : actjit_status_str(st));
  if (src != NULL && src[0] != '\0')
    show_source(src, err->offset, err->length);
  return EXIT_LIBRARY;
}

/* Like report, for calls whose errors may not point into the source
** (bind, simplify, diff): the source is shown only when they do. */
static int report_maybe_located(actjit_status st, const actjit_error *err,
                                const char *src) {
  int located = err->offset != 0 || err->length != 0;
  return report(st, err, located ? src : NULL);
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
    return report(err.code ? err.code : ACTJIT_ENOMEM, &err, NULL);
  st = actjit_parse(s->ctx, cl->src, ACTJIT_NUL_TERMINATED, &e, &err);
  if (st != ACTJIT_OK)
    return report(st, &err, cl->src);
  for (i = 0; i < cl->nbinds; i++) {
    next = NULL;
    st = actjit_bind(e, cl->binds[i].name, cl->binds[i].value, &next, &err);
    actjit_expr_free(e);
    e = next;
    if (st != ACTJIT_OK)
      return report_maybe_located(st, &err, cl->src);
  }
  st = actjit_simplify(e, &s->f, &err);
  actjit_expr_free(e);
  if (st != ACTJIT_OK)
    return report_maybe_located(st, &err, cl->src);
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
    return report_maybe_located(st, &err, src);
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
  int rc = session_open(&s, cl);
  if (rc == 0)
    rc = print_expr("f", "", s.f, cl->src);
  n = rc == 0 ? actjit_param_count(s.f) + 1 : 0;
  for (i = 0; rc == 0 && i < n; i++) {
    const char *wrt = i == 0 ? "x" : actjit_param_name(s.f, i - 1);
    st = actjit_diff(s.f, wrt, &d, &err);
    if (st != ACTJIT_OK) {
      rc = report_maybe_located(st, &err, cl->src);
      break;
    }
    rc = print_expr("df/d", wrt, d, cl->src);
    actjit_expr_free(d);
    d = NULL;
  }
  session_free(&s);
  return rc;
}

/* Prints v with %.17g (enough digits to read back the same double), and
** every NaN as "nan" whatever its sign bit (glibc would print "-nan"). */
static void print_number(double v, const char *after) {
  if (isnan(v))
    printf("nan%s", after);
  else
    printf("%.17g%s", v, after);
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
    rc = report_maybe_located(st, &err, cl->src);
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
    rc = report(st, &err, cl->src);
    goto done;
  }
  for (i = 0; i < cl->nxs; i++) {
    print_number(cl->xs[i], "\t");
    print_number(y[i], "\t");
    print_number(dy[i], "\n");
  }
done:
  free(y);
  free(dy);
  actjit_expr_free(d);
  session_free(&s);
  return rc;
}

/* Entry point: dispatches on argv[1].  Returns the exit status described
** in the banner. */
int main(int argc, char **argv) {
  cmdline cl;
  int rc;
  memset(&cl, 0, sizeof cl);
  if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
    /* No arguments: usage for now (a REPL comes in a later issue). */
    fputs(usage_text, stdout);
    rc = 0;
  } else if (strcmp(argv[1], "--version") == 0) {
    printf("actjit %s\n", actjit_version_string());
    rc = 0;
  } else if (strcmp(argv[1], "diff") == 0 || strcmp(argv[1], "eval") == 0) {
    cl.cmd = argv[1];
    rc = parse_args(argc, argv, &cl);
    if (rc == 0 && cl.help)
      fputs(usage_text, stdout);
    else if (rc == 0)
      rc = cl.cmd[0] == 'd' ? cmd_diff(&cl) : cmd_eval(&cl);
  } else if (argv[1][0] == '-') {
    rc = usage_error("unknown option '%s'", argv[1]);
  } else {
    rc = usage_error("unknown command '%s' (expected diff or eval)", argv[1]);
  }
  free(cl.binds);
  free(cl.xs);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fputs("actjit: error writing to standard output\n", stderr);
    return EXIT_LIBRARY;
  }
  return rc;
}
