/*
** cli/explore.c: an activation being explored, shared by the REPL and the
** subcommands plot, bench and list.  Compiles a source under the settings
** (bound parameters folded, every other parameter a runtime one so its
** df/dp exists), shows what compiling made, evaluates the kernels, samples
** and plots, prints the accuracy report and the catalog.
*/
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "plot.h"

/* ---- Settings ----------------------------------------------------------- */

int cli_settings_bind(cli_settings *s, const char *name, double value) {
  for (size_t i = 0; i < s->nbinds; i++)
    if (strcmp(s->bind_name[i], name) == 0) {
      s->bind_value[i] = value;
      return 0;
    }
  if (s->nbinds == CLI_MAX_BINDS)
    return -1;
  char *copy = strdup(name);
  if (!copy)
    return -1;
  s->bind_name[s->nbinds] = copy;
  s->bind_value[s->nbinds++] = value;
  return 0;
}

int cli_settings_unbind(cli_settings *s, const char *name) {
  for (size_t i = 0; i < s->nbinds; i++)
    if (strcmp(s->bind_name[i], name) == 0) {
      free(s->bind_name[i]);
      s->nbinds--;
      memmove(&s->bind_name[i], &s->bind_name[i + 1],
              (s->nbinds - i) * sizeof *s->bind_name);
      memmove(&s->bind_value[i], &s->bind_value[i + 1],
              (s->nbinds - i) * sizeof *s->bind_value);
      return 1;
    }
  return 0;
}

void cli_settings_free(cli_settings *s) {
  for (size_t i = 0; i < s->nbinds; i++)
    free(s->bind_name[i]);
  s->nbinds = 0;
}

/* The settings' value of name: 1 and *v, or 0. */
static int bound_value(const cli_settings *s, const char *name, double *v) {
  for (size_t i = 0; i < s->nbinds; i++)
    if (strcmp(s->bind_name[i], name) == 0) {
      *v = s->bind_value[i];
      return 1;
    }
  return 0;
}

/* ---- Compiling ----------------------------------------------------------- */

void cli_act_free(cli_act *act) {
  actjit_activation_free(act->a);
  free(act->src);
  memset(act, 0, sizeof *act);
}

int cli_act_compile(actjit_ctx *ctx, const char *src, const cli_settings *s,
                    cli_act *act) {
  memset(act, 0, sizeof *act);
  actjit_error err = {0};
  actjit_expr *e = NULL;
  actjit_status st = actjit_parse(ctx, src, ACTJIT_NUL_TERMINATED, &e, &err);
  if (st != ACTJIT_OK)
    return cli_report(st, &err, src);
  size_t np = actjit_param_count(e), nb = 0, nr = 0;
  if (np > 64) {
    actjit_expr_free(e);
    fprintf(stderr, "error: %zu parameters; at most 64 can be explored\n",
            np);
    return EXIT_LIBRARY;
  }
  for (size_t i = 0; s->strict && i < s->nbinds; i++)
    if (actjit_param_index(e, s->bind_name[i]) < 0) {
      actjit_expr_free(e);
      fprintf(stderr, "error: EUNKNOWN: '%s' is not a parameter of %s\n",
              s->bind_name[i], src);
      return EXIT_LIBRARY;
    }
  actjit_binding bind[64];
  const char *runtime[64];
  for (size_t k = 0; k < np; k++) {
    const char *name = actjit_param_name(e, k);
    double v;
    if (bound_value(s, name, &v)) {
      bind[nb].name = name;
      bind[nb++].value = v;
      continue;
    }
    act->has_value[nr] = actjit_param_default(e, k, &v);
    act->pvalue[nr] = act->has_value[nr] ? v : NAN;
    runtime[nr++] = name;
  }
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.bind = bind;
  opt.nbind = nb;
  opt.runtime = runtime;
  opt.nruntime = nr;
  opt.profile = (actjit_profile)s->profile;
  opt.flags = s->flags;
  opt.y_max_ulp = s->y_max_ulp;
  act->src = strdup(src);
  st = act->src ? actjit_compile(ctx, src, &opt, &act->a, &err) : ACTJIT_ENOMEM;
  actjit_expr_free(e); /* after compiling: the names in bind[] are e's */
  if (st != ACTJIT_OK) {
    int rc = cli_report_maybe_located(st, &err, src);
    cli_act_free(act);
    return rc;
  }
  act->nparams = nr;
  return 0;
}

int cli_act_check_values(const cli_act *act) {
  for (size_t k = 0; k < act->nparams; k++)
    if (!act->has_value[k]) {
      const char *name = actjit_runtime_name(act->a, k);
      fprintf(stderr,
              "error: parameter '%s' has no value: give it one with "
              ":set %s=VALUE (or --param %s=VALUE)\n",
              name, name, name);
      return EXIT_LIBRARY;
    }
  return 0;
}

int cli_act_eval(const cli_act *act, int f64, const double *x, double *f,
                 double *df, size_t n) {
  int rc = cli_act_check_values(act);
  if (rc != 0)
    return rc;
  size_t np = act->nparams;
  actjit_status st;
  if (f64) {
    double *ones = malloc((n ? n : 1) * sizeof *ones), dp[64] = {0};
    if (!ones)
      return cli_report_status(ACTJIT_ENOMEM);
    for (size_t i = 0; i < n; i++)
      ones[i] = 1;
    st = actjit_forward_f64_p(act->a, act->pvalue, x, f, n);
    if (st == ACTJIT_OK)
      st = actjit_backward_f64_p(act->a, act->pvalue, x, ones, df, n, dp);
    free(ones);
    return st == ACTJIT_OK ? 0 : cli_report_status(st);
  }
  float *buf = malloc(4 * (n ? n : 1) * sizeof *buf), p[64], dp[64] = {0};
  if (!buf)
    return cli_report_status(ACTJIT_ENOMEM);
  float *x32 = buf, *y32 = buf + n, *d32 = buf + 2 * n, *ones = buf + 3 * n;
  for (size_t i = 0; i < n; i++) {
    x32[i] = (float)x[i];
    ones[i] = 1;
  }
  for (size_t k = 0; k < np; k++)
    p[k] = (float)act->pvalue[k];
  st = actjit_forward_f32_p(act->a, p, x32, y32, n);
  if (st == ACTJIT_OK)
    st = actjit_backward_f32_p(act->a, p, x32, ones, d32, n, dp);
  for (size_t i = 0; i < n && st == ACTJIT_OK; i++) {
    f[i] = y32[i];
    df[i] = d32[i];
  }
  free(buf);
  return st == ACTJIT_OK ? 0 : cli_report_status(st);
}

/* ---- Showing ------------------------------------------------------------- */

/* *text = part of act (actjit_free), or NULL after reporting. */
static char *part_text(const cli_act *act, actjit_part part) {
  char *text = NULL;
  actjit_error err = {0};
  actjit_status st = actjit_describe(act->a, part, &text, &err);
  if (st != ACTJIT_OK) {
    cli_report(st, &err, NULL);
    return NULL;
  }
  return text;
}

static const char *origin_name(actjit_origin o) {
  return o == ACTJIT_ORIGIN_LLVM   ? "LLVM"
         : o == ACTJIT_ORIGIN_DISK ? "the disk cache"
                                   : "already loaded";
}

/* Prints the lines of text, each after prefix. */
static void print_lines(FILE *out, const char *prefix, const char *text) {
  while (*text) {
    const char *nl = strchr(text, '\n');
    size_t n = nl ? (size_t)(nl - text) : strlen(text);
    fprintf(out, "%s%.*s\n", prefix, (int)n, text);
    text += n + (nl != NULL);
  }
}

/* "f = E" -> "  f(x)  = E" etc.: the written forms, aligned. */
static void print_written(FILE *out, const char *text) {
  while (*text) {
    const char *nl = strchr(text, '\n'), *eq = strstr(text, " = ");
    size_t n = nl ? (size_t)(nl - text) : strlen(text);
    if (eq && eq < text + n) {
      size_t lab = (size_t)(eq - text);
      const char *label = lab == 1 && text[0] == 'f'   ? "f(x)"
                          : lab == 2 && text[0] == 'f' ? "f'(x)"
                                                       : NULL;
      if (label)
        fprintf(out, "  %-5s = %.*s\n", label, (int)(n - lab - 3), eq + 3);
      else
        fprintf(out, "  %.*s\n", (int)n, text);
    }
    text += n + (nl != NULL);
  }
}

int cli_show_act(FILE *out, const cli_act *act) {
  char *w = part_text(act, ACTJIT_PART_WRITTEN);
  char *f = part_text(act, ACTJIT_PART_F), *df = part_text(act, ACTJIT_PART_DF);
  char *dp = part_text(act, ACTJIT_PART_DPARAM);
  char *rw = part_text(act, ACTJIT_PART_REWRITES);
  int rc = w && f && df && dp && rw ? 0 : EXIT_LIBRARY;
  if (rc == 0) {
    print_written(out, w);
    for (size_t k = 0; k < act->nparams; k++) {
      fprintf(out, k ? ", " : "  parameters: ");
      fprintf(out, "%s = ", actjit_runtime_name(act->a, k));
      if (act->has_value[k])
        cli_print_g(out, act->pvalue[k], 6, " (default)");
      else
        fputs("? (no default: :set it)", out);
    }
    if (act->nparams)
      fputc('\n', out);
    if (*rw) {
      fputs("  stabilizing rewrites:\n", out);
      print_lines(out, "    ", rw);
      fprintf(out, "  the kernels compute:\n    f  = %s\n    f' = %s\n", f,
              df);
      print_lines(out, "    ", dp);
    } else {
      fputs("  stabilizing rewrites: none\n", out);
    }
    actjit_info info;
    actjit_activation_info(act->a, &info);
    fprintf(out, "  compiled in %.2f ms (%s%s; %u float32 lanes)\n",
            info.compile_ms, origin_name(info.origin),
            info.optimized ? "" : ", quick kernels until the optimized ones "
                                  "are in",
            info.vector_width);
  }
  actjit_free(w);
  actjit_free(f);
  actjit_free(df);
  actjit_free(dp);
  actjit_free(rw);
  return rc;
}

/* ---- Accuracy ------------------------------------------------------------ */

/* An error in ULP in a field of width w: two decimals while small, three
** significant digits when large, "inf" for +inf. */
static void print_ulp(FILE *out, double u, int w) {
  if (isinf(u))
    fprintf(out, "%*s", w, "inf");
  else if (u < 1e4)
    fprintf(out, "%*.2f", w, u);
  else
    fprintf(out, "%*.3g", w, u);
}

/* The rows of the table: dtype, kind and label. */
static const struct {
  int dt, kind;
  const char *label, *key;
} acc_rows[] = {
    {ACTJIT_ACC_F32, ACTJIT_ACC_FORWARD, "f32 forward", "f32_forward"},
    {ACTJIT_ACC_F32, ACTJIT_ACC_BACKWARD, "f32 backward", "f32_backward"},
    {ACTJIT_ACC_F64, ACTJIT_ACC_FORWARD, "f64 forward", "f64_forward"},
    {ACTJIT_ACC_F64, ACTJIT_ACC_BACKWARD, "f64 backward", "f64_backward"},
    {ACTJIT_ACC_F32, ACTJIT_ACC_BACKWARD_Y, "f32 backward from y",
     "f32_backward_y"},
    {ACTJIT_ACC_F64, ACTJIT_ACC_BACKWARD_Y, "f64 backward from y",
     "f64_backward_y"},
};
enum { NROWS = sizeof acc_rows / sizeof *acc_rows };

static void json_accuracy(json *j, const actjit_accuracy_report *rep,
                          const char *src, size_t nrandom,
                          unsigned long long seed) {
  json_begin_object(j);
  json_key(j, "source");
  json_string(j, src);
  json_key(j, "random");
  json_int(j, (long long)nrandom);
  json_key(j, "seed");
  json_uint(j, seed);
  json_key(j, "kernels");
  json_begin_object(j);
  for (int i = 0; i < NROWS; i++) {
    const actjit_accuracy_part *p = &rep->part[acc_rows[i].dt][acc_rows[i].kind];
    if (p->samples == 0)
      continue;
    json_key(j, acc_rows[i].key);
    json_begin_object(j);
    json_key(j, "max_ulp");
    json_number(j, p->max_ulp);
    json_key(j, "median_ulp");
    json_number(j, p->median_ulp);
    json_key(j, "samples");
    json_int(j, (long long)p->samples);
    json_key(j, "nonfinite");
    json_int(j, (long long)p->nonfinite);
    json_key(j, "worst");
    json_begin_array(j);
    for (int w = 0; w < ACTJIT_ACCURACY_WORST && p->worst_ulp[w] >= 0; w++) {
      json_begin_object(j);
      json_key(j, "x");
      json_number(j, p->worst_x[w]);
      json_key(j, "got");
      json_number(j, p->worst_got[w]);
      json_key(j, "want");
      json_number(j, p->worst_want[w]);
      json_key(j, "ulp");
      json_number(j, p->worst_ulp[w]);
      json_end_object(j);
    }
    json_end_array(j);
    json_end_object(j);
  }
  json_end_object(j);
  json_end_object(j);
}

int cli_accuracy(FILE *out, json *j, const cli_act *act, size_t nrandom,
                 unsigned long long seed) {
  actjit_accuracy_report rep;
  actjit_error err = {0};
  actjit_status st = actjit_accuracy(act->a, nrandom, seed, &rep, &err);
  if (st != ACTJIT_OK)
    return cli_report_maybe_located(st, &err, act->src);
  if (j) {
    json_accuracy(j, &rep, act->src, nrandom, seed);
    return 0;
  }
  fprintf(out,
          "%s: error in ULP against MPFR (128 bits), on the value grid and "
          "%zu random inputs (seed %llu)\n\n",
          act->src, nrandom, seed);
  fprintf(out, "%-20s %10s %10s %9s %9s\n", "kernel", "max ULP", "median ULP",
          "samples", "nonfinite");
  for (int i = 0; i < NROWS; i++) {
    const actjit_accuracy_part *p = &rep.part[acc_rows[i].dt][acc_rows[i].kind];
    if (p->samples == 0)
      continue; /* not compiled: from x in y mode, from y otherwise */
    fprintf(out, "%-20s ", acc_rows[i].label);
    print_ulp(out, p->max_ulp, 10);
    fputc(' ', out);
    print_ulp(out, p->median_ulp, 10);
    fprintf(out, " %9zu %9zu\n", p->samples, p->nonfinite);
  }
  fprintf(out, "\nworst inputs (x: got, want, error in ULP)\n");
  for (int i = 0; i < NROWS; i++) {
    const actjit_accuracy_part *p = &rep.part[acc_rows[i].dt][acc_rows[i].kind];
    int digits = acc_rows[i].dt == ACTJIT_ACC_F32 ? 9 : 17;
    if (p->samples == 0)
      continue;
    fprintf(out, "%-20s", acc_rows[i].label);
    if (p->worst_ulp[0] < 0)
      fprintf(out, " (exact everywhere)\n");
    for (int w = 0; w < ACTJIT_ACCURACY_WORST && p->worst_ulp[w] >= 0; w++) {
      if (w > 0)
        fprintf(out, "%-20s", "");
      fprintf(out, " x = ");
      cli_print_g(out, p->worst_x[w], digits, ": got ");
      cli_print_g(out, p->worst_got[w], digits, ", want ");
      cli_print_g(out, p->worst_want[w], digits, ", ");
      print_ulp(out, p->worst_ulp[w], 0);
      fputc('\n', out);
    }
  }
  return 0;
}

/* ---- The catalog --------------------------------------------------------- */

/* name's signature "name(x, p=1, q)" in buf (ending "...)" when it does
** not fit), and its parameters as JSON objects when j is non-NULL. */
static void signature(actjit_ctx *ctx, const char *name, char *buf,
                      size_t size, json *j) {
  actjit_expr *e = NULL;
  size_t at = (size_t)snprintf(buf, size, "%s(x", name);
  if (actjit_parse(ctx, name, ACTJIT_NUL_TERMINATED, &e, NULL) == ACTJIT_OK) {
    for (size_t k = 0; k < actjit_param_count(e); k++) {
      double d = 0;
      int has = actjit_param_default(e, k, &d);
      if (j) {
        json_begin_object(j);
        json_key(j, "name");
        json_string(j, actjit_param_name(e, k));
        json_key(j, "default");
        if (has)
          json_number(j, d);
        else
          json_null(j);
        json_end_object(j);
      }
      if (at < size)
        at += (size_t)snprintf(buf + at, size - at,
                               has ? ", %s=%.17g" : ", %s",
                               actjit_param_name(e, k), d);
    }
  }
  if (at + 2 <= size)
    snprintf(buf + at, size - at, ")");
  else if (size > 5)
    memcpy(buf + size - 5, "...)", 5);
  actjit_expr_free(e);
}

int cli_list(FILE *out, json *j, actjit_ctx *ctx) {
  char sig[512];
  const char *name;
  int kind;
  if (j) {
    json_begin_object(j);
    for (int want = 1; want <= 2; want++) {
      json_key(j, want == 1 ? "catalog" : "user");
      json_begin_array(j);
      for (size_t i = 0; (name = actjit_catalog_name(ctx, i, &kind)); i++) {
        if (kind != want)
          continue;
        json_begin_object(j);
        json_key(j, "name");
        json_string(j, name);
        json_key(j, "parameters");
        json_begin_array(j);
        signature(ctx, name, sig, sizeof sig, j);
        json_end_array(j);
        json_key(j, "signature");
        json_string(j, sig);
        json_end_object(j);
      }
      json_end_array(j);
    }
    json_key(j, "functions");
    json_begin_array(j);
    for (size_t i = 0; (name = actjit_catalog_name(ctx, i, &kind)); i++)
      if (kind == 0)
        json_string(j, name);
    json_end_array(j);
    json_end_object(j);
    return 0;
  }
  static const char *const heading[] = {"functions", "catalog activations",
                                        "your activations"};
  for (int want = 1; want <= 2; want++) {
    int any = 0;
    fprintf(out, "%s:\n", heading[want]);
    for (size_t i = 0; (name = actjit_catalog_name(ctx, i, &kind)); i++) {
      if (kind != want)
        continue;
      signature(ctx, name, sig, sizeof sig, NULL);
      fprintf(out, "  %s\n", sig);
      any = 1;
    }
    if (!any)
      fputs("  (none yet: define one with NAME = EXPR)\n", out);
  }
  fprintf(out, "%s:\n ", heading[0]);
  int col = 1;
  for (size_t i = 0; (name = actjit_catalog_name(ctx, i, &kind)); i++) {
    if (kind != 0)
      continue;
    if (col + (int)strlen(name) + 1 > 78) {
      fputs("\n ", out);
      col = 1;
    }
    col += fprintf(out, " %s", name);
  }
  fputc('\n', out);
  return 0;
}

/* ---- Plots --------------------------------------------------------------- */

/* 1 if path ends with ext (case-insensitive). */
static int has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  return n > e && strcasecmp(path + n - e, ext) == 0;
}

int cli_plot(const cli_act *act, int f64, double lo, double hi,
             const char *path, int width, int height, int color, json *j) {
  if (!(lo < hi) || !isfinite(lo) || !isfinite(hi)) {
    fprintf(stderr, "error: the plot range needs finite lo < hi\n");
    return EXIT_USAGE;
  }
  if (path && !has_ext(path, ".svg") && !has_ext(path, ".png")) {
    fprintf(stderr, "error: %s: the file name must end in .svg or .png\n",
            path);
    return EXIT_USAGE;
  }
  size_t n = 801;
  double *buf = malloc(3 * n * sizeof *buf);
  if (!buf)
    return cli_report_status(ACTJIT_ENOMEM);
  double *xs = buf, *f = buf + n, *df = buf + 2 * n;
  for (size_t i = 0; i < n; i++)
  { /* lo (1 - t) + hi t: no hi - lo to overflow, and the ends exact */
    double t = (double)i / (double)(n - 1);
    xs[i] = lo * (1 - t) + hi * t;
  }
  int rc = cli_act_eval(act, f64, xs, f, df, n);
  if (rc == 0) {
    plot_data d = {act->src, lo, hi, n, xs, f, df};
    char why[256] = "";
    if (!path && j) {
      const double *col[3] = {xs, f, df};
      static const char *const key[3] = {"x", "f", "df"};
      json_begin_object(j);
      for (int c = 0; c < 3; c++) {
        json_key(j, key[c]);
        json_begin_array(j);
        for (size_t i = 0; i < n; i++)
          json_number(j, col[c][i]);
        json_end_array(j);
      }
      json_end_object(j);
    } else if (!path) {
      rc = plot_text(stdout, &d, width, height, color) ? EXIT_LIBRARY : 0;
    } else {
      int bad = has_ext(path, ".svg") ? plot_svg(path, &d, why, sizeof why)
                                      : plot_png(path, &d, why, sizeof why);
      if (bad) {
        fprintf(stderr, "error: %s\n", why);
        rc = EXIT_LIBRARY;
      }
    }
  }
  free(buf);
  return rc;
}
