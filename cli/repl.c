/*
** cli/repl.c: the interactive face of actjit.  Reads lines (libedit with
** history and completion on a terminal, plain reads otherwise) and runs
** each: an expression is compiled and shown (f, f', df/dp, the rewrites,
** the compile time); `NAME = EXPR` also defines NAME and saves it to the
** user's activations file; `:command ...` lines explore the current
** activation.  A failing line prints its error, with carets under the
** offending bytes, and the session goes on.
**
** History lives in $XDG_STATE_HOME/actjit/history (else
** ~/.local/state/actjit/history).
*/
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cli.h"

#define HISTORY_MAX 1000
#define MAX_ARGS 32

typedef struct repl {
  actjit_ctx *ctx;
  cli_settings set;
  cli_act cur; /* the current activation; cur.a NULL when none yet */
  double plot_lo, plot_hi;
  int interactive; /* stdin is a terminal: libedit, prompt */
  int failures;    /* lines that failed */
  int quit;
  char history[4096]; /* "" when there is no history file */
} repl;

/* The REPL for completion (libedit's callbacks take no user data). */
static repl *g_repl;

/* ---- Words of a command line ------------------------------------------- */

typedef struct args {
  int n;
  char *word[MAX_ARGS];   /* NUL-terminated copies (in buf) */
  size_t off[MAX_ARGS];   /* offsets in the line */
  size_t len[MAX_ARGS];
  char buf[4096];
} args;

/* Splits line into whitespace-separated words.  -1 when too many. */
static int split(const char *line, args *a) {
  size_t i = 0, at = 0;
  a->n = 0;
  for (;;) {
    while (line[i] && isspace((unsigned char)line[i]))
      i++;
    if (!line[i])
      return 0;
    if (a->n == MAX_ARGS)
      return -1;
    size_t start = i;
    while (line[i] && !isspace((unsigned char)line[i]))
      i++;
    if (at + (i - start) + 1 > sizeof a->buf)
      return -1;
    a->off[a->n] = start;
    a->len[a->n] = i - start;
    a->word[a->n] = a->buf + at;
    memcpy(a->buf + at, line + start, i - start);
    a->buf[at + (i - start)] = 0;
    at += i - start + 1;
    a->n++;
  }
}

/* "error: MESSAGE" on stderr, then the line with carets under [off,
** off+len) when len > 0.  Returns EXIT_LIBRARY. */
static int line_error(const char *line, size_t off, size_t len,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int line_error(const char *line, size_t off, size_t len,
                      const char *fmt, ...) {
  va_list ap;
  fputs("error: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  if (len > 0)
    cli_show_source(stderr, line, off, len, 0);
  return EXIT_LIBRARY;
}

/* An error about word i of a. */
#define WORD_ERROR(line, a, i, ...)                                            \
  line_error(line, (a)->off[i], (a)->len[i], __VA_ARGS__)

/* ---- Compiling ----------------------------------------------------------- */

/* Compiles src as the current activation and shows it. */
static int take(repl *r, const char *src) {
  cli_act next;
  int rc = cli_act_compile(r->ctx, src, &r->set, &next);
  if (rc != 0)
    return rc;
  cli_act_free(&r->cur);
  r->cur = next;
  return cli_show_act(stdout, &r->cur);
}

/* Compiles the current source again (after :set). */
static int recompile(repl *r) {
  if (!r->cur.a)
    return 0;
  char *src = strdup(r->cur.src);
  if (!src)
    return cli_report_status(ACTJIT_ENOMEM);
  int rc = take(r, src);
  free(src);
  return rc;
}

/* NAME = EXPR or NAME(x, p=1) = EXPR: defines, saves, shows. */
static int define(repl *r, const char *line, size_t name_off, size_t n) {
  actjit_error err = {0};
  actjit_status st = actjit_define(r->ctx, line, strlen(line), &err);
  if (st != ACTJIT_OK)
    return cli_report(st, &err, line);
  char path[4096], why[512], name[80];
  snprintf(name, sizeof name, "%.*s", (int)n, line + name_off);
  int rc = 0;
  if (cli_save_definition(line, path, sizeof path, why, sizeof why) != 0) {
    fprintf(stderr, "error: %s is defined for this session only: %s\n", name,
            why);
    rc = EXIT_LIBRARY;
  } else {
    printf("  defined %s (saved to %s)\n", name, path);
  }
  int shown = take(r, name);
  return rc ? rc : shown;
}

/* ---- Commands ------------------------------------------------------------ */

static int need_current(const repl *r) {
  if (r->cur.a)
    return 0;
  fputs("error: no activation yet: type one first (e.g. mish)\n", stderr);
  return EXIT_LIBRARY;
}

/* Parses words [from, a->n) as numbers into v (at most max). */
static int numbers(const char *line, const args *a, int from, double *v,
                   int max, int *count) {
  *count = 0;
  for (int i = from; i < a->n; i++) {
    if (*count == max)
      return WORD_ERROR(line, a, i, "too many numbers (at most %d)", max);
    if (!cli_parse_number(a->word[i], &v[*count]))
      return WORD_ERROR(line, a, i, "'%s' is not a number", a->word[i]);
    (*count)++;
  }
  return 0;
}

static int cmd_eval(repl *r, const char *line, const args *a) {
  double x[MAX_ARGS], f[MAX_ARGS], df[MAX_ARGS];
  int n, rc = need_current(r);
  if (rc == 0)
    rc = numbers(line, a, 1, x, MAX_ARGS, &n);
  if (rc == 0 && n == 0)
    rc = line_error(line, 0, 0, ":eval needs one or more x values");
  if (rc == 0)
    rc = cli_act_eval(&r->cur, r->set.f64, x, f, df, (size_t)n);
  if (rc != 0)
    return rc;
  int digits = r->set.f64 ? 17 : 9;
  printf("  %-*s  %-*s  %s\n", digits + 6, "x", digits + 6, "f(x)", "f'(x)");
  for (int i = 0; i < n; i++) {
    printf("  %-*.*g  ", digits + 6, digits, x[i]);
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", digits, f[i]);
    printf("%-*s  ", digits + 6, isnan(f[i]) ? "nan" : buf);
    cli_print_g(stdout, df[i], digits, "\n");
  }
  return 0;
}

/* The terminal's size, or 80x24. */
static void term_size(int *cols, int *rows) {
  struct winsize ws;
  *cols = 80, *rows = 24;
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
      ws.ws_col > 0) {
    *cols = ws.ws_col;
    *rows = ws.ws_row;
  }
}

/* Reads [lo hi] from words [from, ...): none keeps the current range. */
static int plot_range(repl *r, const char *line, const args *a, int from,
                      double *lo, double *hi) {
  double v[2];
  int n, rc = numbers(line, a, from, v, 2, &n);
  if (rc != 0)
    return rc;
  if (n == 1)
    return line_error(line, a->off[from], a->len[from],
                      "give both ends of the range: lo hi");
  *lo = n ? v[0] : r->plot_lo;
  *hi = n ? v[1] : r->plot_hi;
  if (!(*lo < *hi) || !isfinite(*lo) || !isfinite(*hi))
    return line_error(line, a->off[from], a->off[a->n - 1] +
                                              a->len[a->n - 1] - a->off[from],
                      "the range needs finite lo < hi");
  r->plot_lo = *lo, r->plot_hi = *hi;
  return 0;
}

static int cmd_plot(repl *r, const char *line, const args *a) {
  double lo, hi;
  int rc = need_current(r);
  if (rc == 0)
    rc = plot_range(r, line, a, 1, &lo, &hi);
  if (rc != 0)
    return rc;
  int cols, rows;
  term_size(&cols, &rows);
  int width = cols - 12, height = rows > 30 ? 20 : rows > 12 ? rows - 8 : 5;
  width = width < 20 ? 20 : width > 160 ? 160 : width;
  int color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
  return cli_plot(&r->cur, r->set.f64, lo, hi, NULL, width, height, color,
                  NULL);
}

static int cmd_save_plot(repl *r, const char *line, const args *a) {
  double lo, hi;
  int rc = need_current(r);
  if (rc == 0 && a->n < 2)
    rc = line_error(line, 0, 0, ":save-plot needs a file name (.svg or .png)");
  if (rc == 0)
    rc = plot_range(r, line, a, 2, &lo, &hi);
  if (rc == 0)
    rc = cli_plot(&r->cur, r->set.f64, lo, hi, a->word[1], 0, 0, 0, NULL);
  if (rc == 0)
    printf("  wrote %s\n", a->word[1]);
  return rc;
}

static int cmd_describe(repl *r, int asm_) {
  int rc = need_current(r);
  if (rc != 0)
    return rc;
  actjit_part part = r->set.f64 ? (asm_ ? ACTJIT_PART_ASM_F64 : ACTJIT_PART_IR_F64)
                                : (asm_ ? ACTJIT_PART_ASM : ACTJIT_PART_IR);
  char *text = NULL;
  actjit_error err = {0};
  actjit_status st = actjit_describe(r->cur.a, part, &text, &err);
  if (st != ACTJIT_OK)
    return cli_report(st, &err, NULL);
  fputs(text, stdout);
  if (*text && text[strlen(text) - 1] != '\n')
    fputc('\n', stdout);
  actjit_free(text);
  return 0;
}

/* An optional whole number in word 1 (default def, at most max). */
static int count_arg(const char *line, const args *a, size_t def, size_t max,
                     size_t *out) {
  *out = def;
  if (a->n > 2)
    return WORD_ERROR(line, a, 2, "unexpected '%s'", a->word[2]);
  if (a->n < 2)
    return 0;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(a->word[1], &end, 10);
  if (!isdigit((unsigned char)a->word[1][0]) || *end || errno || v > max)
    return WORD_ERROR(line, a, 1, "expected a whole number from 0 to %zu", max);
  *out = (size_t)v;
  return 0;
}

static int cmd_accuracy(repl *r, const char *line, const args *a) {
  size_t n;
  int rc = need_current(r);
  if (rc == 0)
    rc = count_arg(line, a, 20000, 100000000, &n);
  if (rc == 0)
    rc = cli_act_check_values(&r->cur);
  return rc ? rc : cli_accuracy(stdout, NULL, &r->cur, n, 1);
}

static int cmd_bench(repl *r, const char *line, const args *a) {
  size_t n;
  int rc = need_current(r);
  if (rc == 0)
    rc = count_arg(line, a, 1 << 16, (size_t)1 << 26, &n);
  if (rc == 0 && n == 0)
    rc = WORD_ERROR(line, a, 1, "N must be at least 1");
  return rc ? rc : cli_bench(stdout, NULL, &r->cur, r->set.f64, n);
}

static void show_settings(const repl *r) {
  printf("  profile %s, dtype %s", actjit_profile_name(r->set.profile),
         r->set.f64 ? "f64" : "f32");
  for (size_t i = 0; i < r->set.nbinds; i++) {
    printf(i ? ", " : "; bound: ");
    printf("%s=", r->set.bind_name[i]);
    cli_print_g(stdout, r->set.bind_value[i], 17, "");
  }
  printf("; plot range [%g, %g]\n", r->plot_lo, r->plot_hi);
}

/* :set profile P | :set dtype D | :set NAME=VALUE (or NAME = VALUE). */
static int cmd_set(repl *r, const char *line, const args *a) {
  if (a->n == 1) {
    show_settings(r);
    return 0;
  }
  const char *what = a->word[1];
  if (strcmp(what, "profile") == 0 || strcmp(what, "dtype") == 0) {
    if (a->n != 3)
      return line_error(line, a->off[1], a->len[1], ":set %s needs %s", what,
                        what[0] == 'p' ? "torch, onednn or minnorm"
                                       : "f32 or f64");
    const char *v = a->word[2];
    if (what[0] == 'p') {
      int p = actjit_profile_by_name(v);
      if (p < 0)
        return WORD_ERROR(line, a, 2, "unknown profile '%s' (torch, onednn "
                          "or minnorm)", v);
      r->set.profile = p;
      return recompile(r);
    }
    if (strcmp(v, "f32") != 0 && strcmp(v, "f64") != 0)
      return WORD_ERROR(line, a, 2, "unknown dtype '%s' (f32 or f64)", v);
    r->set.f64 = v[1] == '6';
    return 0;
  }
  /* NAME=VALUE, possibly spread over words */
  char text[512];
  size_t at = 0;
  for (int i = 1; i < a->n && at < sizeof text; i++)
    at += (size_t)snprintf(text + at, sizeof text - at, "%s", a->word[i]);
  size_t from = a->off[1];
  size_t span = a->off[a->n - 1] + a->len[a->n - 1] - from;
  char *eq = strchr(text, '=');
  if (!eq)
    return line_error(line, from, span,
                      "expected profile P, dtype D or NAME=VALUE");
  *eq = 0;
  double v;
  if (!cli_is_name(text))
    return line_error(line, from, span, "'%s' is not a parameter name", text);
  if (!cli_parse_number(eq + 1, &v))
    return line_error(line, from, span, "'%s' is not a number", eq + 1);
  if (cli_settings_bind(&r->set, text, v) != 0)
    return line_error(line, from, span, "too many bound parameters");
  int known = 0;
  for (size_t k = 0; r->cur.a && k < r->cur.nparams; k++)
    known |= strcmp(actjit_runtime_name(r->cur.a, k), text) == 0;
  if (r->cur.a && !known)
    printf("  %s is bound for the activations that have it (the current "
           "one does not)\n", text);
  return known ? recompile(r) : 0;
}

static int cmd_unset(repl *r, const char *line, const args *a) {
  if (a->n != 2)
    return line_error(line, 0, 0, ":unset needs one parameter name");
  if (!cli_settings_unbind(&r->set, a->word[1]))
    return WORD_ERROR(line, a, 1, "'%s' is not bound", a->word[1]);
  return recompile(r);
}

static const char help_text[] =
    "Type an activation to compile it and see f, f', df/dp, the stabilizing\n"
    "rewrites and the compile time: a catalog name (mish), a call\n"
    "(elu(x, alpha=0.5)) or a formula (x*tanh(softplus(x))).\n"
    "NAME = EXPR (or NAME(x, p=1) = EXPR) defines an activation, saved to\n"
    "your activations file and usable by name here and in the library.\n"
    "\n"
    "  :eval X...              f(x) and f'(x) from the compiled kernels\n"
    "  :plot [LO HI]           f and f' drawn in the terminal\n"
    "  :save-plot FILE [LO HI] a chart in FILE.svg or FILE.png\n"
    "  :ir, :asm               the kernels' LLVM IR, their assembly\n"
    "  :accuracy [N]           error in ULP against MPFR (N random inputs)\n"
    "  :bench [N]              ns/element of the kernels and of a plain libm\n"
    "                          loop of the same formula (N elements)\n"
    "  :set profile torch|onednn|minnorm   kink convention of f'\n"
    "  :set dtype f32|f64      the kernels :eval, :plot, :bench, :ir use\n"
    "  :set NAME=VALUE         bind a parameter (:unset NAME to free it)\n"
    "  :set                    show the settings\n"
    "  :list                   the catalog and your activations\n"
    "  :help, :quit\n"
    "\n"
    "Unbound parameters are runtime parameters at their defaults, so their\n"
    "df/dp is shown.  Tab completes names and commands.\n";

typedef struct command {
  const char *name;
  int (*run)(repl *r, const char *line, const args *a);
} command;

static int run_list(repl *r, const char *line, const args *a) {
  (void)line, (void)a;
  return cli_list(stdout, NULL, r->ctx);
}
static int run_help(repl *r, const char *line, const args *a) {
  (void)r, (void)line, (void)a;
  fputs(help_text, stdout);
  return 0;
}
static int run_quit(repl *r, const char *line, const args *a) {
  (void)line, (void)a;
  r->quit = 1;
  return 0;
}
static int run_ir(repl *r, const char *line, const args *a) {
  (void)line, (void)a;
  return cmd_describe(r, 0);
}
static int run_asm(repl *r, const char *line, const args *a) {
  (void)line, (void)a;
  return cmd_describe(r, 1);
}

static const command commands[] = {
    {":eval", cmd_eval},         {":plot", cmd_plot},
    {":save-plot", cmd_save_plot}, {":ir", run_ir},
    {":asm", run_asm},           {":accuracy", cmd_accuracy},
    {":bench", cmd_bench},       {":set", cmd_set},
    {":unset", cmd_unset},       {":list", run_list},
    {":help", run_help},         {":quit", run_quit},
    {":q", run_quit},            {":exit", run_quit},
};
enum { NCOMMANDS = sizeof commands / sizeof *commands };

static int run_command(repl *r, const char *line) {
  args a;
  if (split(line, &a) != 0)
    return line_error(line, 0, 0, "the command line is too long");
  for (int i = 0; i < NCOMMANDS; i++)
    if (strcmp(a.word[0], commands[i].name) == 0)
      return commands[i].run(r, line, &a);
  return WORD_ERROR(line, &a, 0, "unknown command '%s' (:help lists them)",
                    a.word[0]);
}

/* 1 if line, shaped like NAME = ..., is rather a source that starts with
** a local binding (t = 2; t*x): it parses as a source but not as a
** definition. */
static int is_source(repl *r, const char *line) {
  if (!strchr(line, ';'))
    return 0;
  actjit_expr *e = NULL;
  if (actjit_parse(r->ctx, line, ACTJIT_NUL_TERMINATED, &e, NULL) != ACTJIT_OK)
    return 0;
  actjit_expr_free(e);
  /* both parse (twice = a = 2; a*x): a definition, as the user wrote */
  const char *eq = strchr(line, '=');
  actjit_expr *body = NULL;
  int body_ok = eq && actjit_parse(r->ctx, eq + 1, ACTJIT_NUL_TERMINATED,
                                   &body, NULL) == ACTJIT_OK;
  actjit_expr_free(body);
  return !body_ok;
}

/* Runs one line.  0, or nonzero when it failed. */
static int run_line(repl *r, const char *line) {
  const char *p = line;
  while (isspace((unsigned char)*p))
    p++;
  if (*p == 0 || *p == '#')
    return 0;
  if (*p == ':')
    return run_command(r, line);
  size_t off = 0, n = actjit_definition_name(line, strlen(line), &off);
  if (n > 0 && !is_source(r, line))
    return define(r, line, off, n);
  return take(r, line);
}

/* ---- Completion ----------------------------------------------------------- */

/* The candidates for the word being completed (NULL-terminated, static
** strings or ones owned by the context). */
static const char *candidates[1024];

static void add_candidate(int *n, const char *s) {
  if (*n < (int)(sizeof candidates / sizeof *candidates) - 1)
    candidates[(*n)++] = s;
}

/* Fills candidates for a word starting at `start` of the line. */
static void gather(int start) {
  repl *r = g_repl;
  int n = 0;
  const char *line = rl_line_buffer;
  args a;
  char before[512];
  snprintf(before, sizeof before, "%.*s", start, line);
  if (split(before, &a) != 0)
    a.n = 0;
  if (a.n == 0 && line[start] == ':') {
    for (int i = 0; i < NCOMMANDS; i++)
      add_candidate(&n, commands[i].name);
  } else if (a.n == 1 && strcmp(a.word[0], ":set") == 0) {
    add_candidate(&n, "profile");
    add_candidate(&n, "dtype");
    for (size_t k = 0; r->cur.a && k < r->cur.nparams; k++)
      add_candidate(&n, actjit_runtime_name(r->cur.a, k));
  } else if (a.n == 2 && strcmp(a.word[0], ":set") == 0 &&
             strcmp(a.word[1], "profile") == 0) {
    add_candidate(&n, "torch");
    add_candidate(&n, "onednn");
    add_candidate(&n, "minnorm");
  } else if (a.n == 2 && strcmp(a.word[0], ":set") == 0 &&
             strcmp(a.word[1], "dtype") == 0) {
    add_candidate(&n, "f32");
    add_candidate(&n, "f64");
  } else if (a.n == 1 && strcmp(a.word[0], ":unset") == 0) {
    for (size_t i = 0; i < r->set.nbinds; i++)
      add_candidate(&n, r->set.bind_name[i]);
  } else if (a.n == 0 || a.word[0][0] != ':') {
    const char *name;
    for (size_t i = 0; (name = actjit_catalog_name(r->ctx, i, NULL)); i++)
      add_candidate(&n, name);
    for (size_t k = 0; r->cur.a && k < r->cur.nparams; k++)
      add_candidate(&n, actjit_runtime_name(r->cur.a, k));
    static const char *const names[] = {"x", "pi", "inf", "nan"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
      add_candidate(&n, names[i]);
  }
  candidates[n] = NULL;
}

static char *next_match(const char *text, int state) {
  static int i;
  static size_t len;
  if (state == 0)
    i = 0, len = strlen(text);
  while (candidates[i]) {
    const char *c = candidates[i++];
    if (strncmp(c, text, len) == 0)
      return strdup(c);
  }
  return NULL;
}

static char **complete(const char *text, int start, int end) {
  (void)end;
  gather(start);
  rl_attempted_completion_over = 1; /* never file names */
  return rl_completion_matches(text, next_match);
}

/* ---- The loop -------------------------------------------------------------- */

static void history_path(repl *r) {
  const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
  r->history[0] = 0;
  if (state && state[0] == '/')
    snprintf(r->history, sizeof r->history, "%s/actjit/history", state);
  else if (home && home[0])
    snprintf(r->history, sizeof r->history, "%s/.local/state/actjit/history",
             home);
  if (r->history[0] && cli_make_parents(r->history) != 0)
    r->history[0] = 0; /* no history file then */
}

/* The next line (malloc'd, no newline), or NULL at the end of input. */
static char *read_line(repl *r) {
  if (r->interactive) {
    char *line = readline("actjit> ");
    if (line && *line) {
      add_history(line);
      if (r->history[0]) /* at once: a killed session keeps its lines */
        write_history(r->history);
    }
    return line;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);
  if (n < 0) {
    free(line);
    return NULL;
  }
  if ((size_t)n != strlen(line)) { /* a NUL byte inside: not text */
    line[0] = 0x01;                  /* an invalid character, reported */
    line[1] = 0;
  }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = 0;
  return line;
}

/* Runs a line and counts its failure; stdout flushed before stderr moves. */
static void run_counted(repl *r, const char *line) {
  if (run_line(r, line) != 0)
    r->failures++;
  fflush(stdout);
  fflush(stderr);
}

/* The REPL's context.  The user's activations file, when there is one,
** is named explicitly so that a line that does not load is reported (and
** *failed set); then the library's default loading skips it. */
static actjit_ctx *open_context(int *failed, actjit_error *err) {
  char path[4096];
  actjit_config cfg;
  actjit_config_init(&cfg);
  if (actjit_activations_path(path, sizeof path) && access(path, F_OK) == 0) {
    cfg.activations_file = path;
    actjit_ctx *ctx = actjit_ctx_new(&cfg, err);
    if (ctx)
      return ctx;
    cli_report(err->code, err, NULL);
    fputs("  (that line is skipped; fix or delete it in the file)\n", stderr);
    *failed = 1;
  }
  return actjit_ctx_new(NULL, err);
}

int cli_repl(char **first, int n, int batch) {
  repl r;
  memset(&r, 0, sizeof r);
  g_repl = &r;
  r.plot_lo = -6, r.plot_hi = 6;
  r.interactive = !batch && isatty(STDIN_FILENO);
  actjit_error err = {0};
  int failed = 0;
  r.ctx = open_context(&failed, &err);
  if (!r.ctx)
    return cli_report(err.code, &err, NULL);
  r.failures += failed;
  if (r.interactive) {
    rl_readline_name = "actjit";
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n()+-*/^,<>=!?;&|";
    rl_completion_append_character = '\0';
    history_path(&r);
    stifle_history(HISTORY_MAX);
    if (r.history[0])
      read_history(r.history);
    printf("actjit %s: type an activation (mish, x*tanh(softplus(x))), "
           "NAME = EXPR to\ndefine one, :help for the commands, :quit to "
           "leave.\n",
           actjit_version_string());
  }
  for (int i = 0; i < n && !r.quit; i++) {
    if (r.interactive || !batch)
      printf("actjit> %s\n", first[i]);
    run_counted(&r, first[i]);
  }
  char *line;
  while (!r.quit && (line = read_line(&r)) != NULL) {
    run_counted(&r, line);
    free(line);
  }
  if (r.interactive && r.history[0]) {
    write_history(r.history);
    history_truncate_file(r.history, HISTORY_MAX);
  }
  cli_act_free(&r.cur);
  cli_settings_free(&r.set);
  actjit_ctx_free(r.ctx);
  g_repl = NULL;
  if (ferror(stdout))
    return EXIT_LIBRARY;
  return r.failures && !r.interactive ? EXIT_LIBRARY : 0;
}
