/*
** cli/cli.h: what the files of the `actjit` command share.
**
**   main.c     the command line: options, subcommands, dispatch
**   aot.c      `actjit aot`: kernels ahead of time, an object and a header
**   report.c   errors on stderr (carets under the offending bytes), numbers
**   json.c     a small JSON writer for --json
**   explore.c  an activation being explored: settings, compiling, showing
**              f/f'/df/dp/rewrites, sampling, the accuracy table, the list
**   bench.c    ns/element of the kernels next to a plain libm loop
**   userfile.c the user's activations file (saving definitions)
**   repl.c     the interactive REPL and --batch
**   plot.c     charts (terminal, SVG, PNG)
**
** Only include/actjit.h of the library is used: nothing from expr/ or
** parser/.
*/
#ifndef AJ_CLI_H
#define AJ_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "actjit.h"

enum { EXIT_LIBRARY = 1, EXIT_USAGE = 2 };

/* ---- report.c ---------------------------------------------------------- */

/* Prints, on out, the line of src holding byte `offset` (prefixed by
** indent spaces), then carets under bytes [offset, offset+length) of it. */
void cli_show_source(FILE *out, const char *src, size_t offset, size_t length,
                     int indent);
/* "error: NAME at OFFSET+LENGTH: MESSAGE" on stderr, then the source line
** and carets when src is non-NULL and non-empty.  Returns EXIT_LIBRARY. */
int cli_report(actjit_status st, const actjit_error *err, const char *src);
/* Like cli_report, showing src only when the error has a location. */
int cli_report_maybe_located(actjit_status st, const actjit_error *err,
                             const char *src);
/* cli_report for a failed call that fills no actjit_error. */
int cli_report_status(actjit_status st);
/* Prints v with %.<digits>g then `after`; every NaN as "nan". */
void cli_print_g(FILE *out, double v, int digits, const char *after);
/* 1 and *out = the number if all of s is one number strtod accepts. */
int cli_parse_number(const char *s, double *out);
/* 1 if s is a NAME of the language. */
int cli_is_name(const char *s);

/* ---- json.c ------------------------------------------------------------ */

/* Streams one JSON value to out.  Containers nest; commas are automatic. */
typedef struct json {
  FILE *out;
  int depth;
  unsigned char first[32]; /* per depth: nothing written in it yet */
  int after_key;
} json;

void json_init(json *j, FILE *out);
void json_begin_object(json *j);
void json_end_object(json *j);
void json_begin_array(json *j);
void json_end_array(json *j);
/* An object key; the next value is its value. */
void json_key(json *j, const char *key);
void json_string(json *j, const char *s);
/* A finite number with 17 significant digits; NaN and +-inf as the strings
** "nan", "inf", "-inf" (JSON has no such numbers). */
void json_number(json *j, double v);
void json_int(json *j, long long v);
void json_uint(json *j, unsigned long long v);
void json_bool(json *j, int v);
void json_null(json *j);
/* The closing newline; 0, or -1 on a write error. */
int json_finish(json *j);

/* ---- explore.c --------------------------------------------------------- */

#define CLI_MAX_BINDS 64

/* How an activation is compiled and run: the REPL's :set, the subcommands'
** options. */
typedef struct cli_settings {
  int profile;  /* actjit_profile */
  int f64;      /* dtype f64 (else f32) */
  unsigned flags; /* actjit_options.flags */
  int strict;     /* a bound name that is not a parameter is an error
                     (subcommands; the REPL's :set binds for later ones) */
  double y_max_ulp;
  size_t nbinds;
  char *bind_name[CLI_MAX_BINDS]; /* malloc'd */
  double bind_value[CLI_MAX_BINDS];
} cli_settings;

/* Sets name = value (replacing a previous value).  0, or -1 when full or
** out of memory. */
int cli_settings_bind(cli_settings *s, const char *name, double value);
/* Removes name's binding; 1 if it had one. */
int cli_settings_unbind(cli_settings *s, const char *name);
void cli_settings_free(cli_settings *s);

/* An activation compiled for exploring: every parameter the settings do
** not bind is a runtime parameter, so df/dp can be shown; its value is
** its default (pvalue, NaN when it has none). */
typedef struct cli_act {
  char *src;              /* malloc'd copy */
  actjit_activation *a;
  size_t nparams;         /* runtime parameters */
  double pvalue[64];
  int has_value[64];
} cli_act;

/* Compiles src in ctx with settings s into *act (freed with
** cli_act_free, also after a failure).  Returns 0, or EXIT_LIBRARY after
** reporting the error (carets under src). */
int cli_act_compile(actjit_ctx *ctx, const char *src, const cli_settings *s,
                    cli_act *act);
void cli_act_free(cli_act *act);
/* 0 when every runtime parameter has a value, else EXIT_LIBRARY after
** saying which one to :set / --param. */
int cli_act_check_values(const cli_act *act);
/* f and f' at x[0..n) by the kernels of the settings' dtype (dy = 1).
** 0, or EXIT_LIBRARY after reporting. */
int cli_act_eval(const cli_act *act, int f64, const double *x, double *f,
                 double *df, size_t n);

/* Prints what compiling made: f, f' and df/dp as written, the rewrites
** and what the kernels compute after them, the compile time. */
int cli_show_act(FILE *out, const cli_act *act);

/* Prints / writes actjit_accuracy's report for act (nrandom inputs). */
int cli_accuracy(FILE *out, json *j, const cli_act *act, size_t nrandom,
                 unsigned long long seed);
/* The catalog and the user's definitions with their parameters. */
int cli_list(FILE *out, json *j, actjit_ctx *ctx);

/* Samples f and f' at 801 points over [lo, hi] and draws them: to the
** terminal (path NULL; width/height in cells, color), or to an .svg/.png
** file, or (path NULL, j non-NULL) writes the samples as JSON arrays x, f,
** df.  0, or EXIT_LIBRARY / EXIT_USAGE after saying why. */
int cli_plot(const cli_act *act, int f64, double lo, double hi,
             const char *path, int width, int height, int color, json *j);

/* ---- bench.c ----------------------------------------------------------- */

/* ns/element of act's forward and backward kernels on n elements, next to
** a plain libm loop of the same formula compiled with the system's C
** compiler (skipped, with a note, when there is none).  0, or
** EXIT_LIBRARY. */
int cli_bench(FILE *out, json *j, const cli_act *act, int f64, size_t n);

/* ---- userfile.c -------------------------------------------------------- */

/* mkdir -p of path's directory part (mode 0700).  0, or -1 with errno. */
int cli_make_parents(const char *path);
/* Loads the activations file path strictly (every line must load) in a
** scratch context.  0, or -1 with *err naming the file, line and bytes. */
int cli_check_activations(const char *path, actjit_error *err);

/* Saves definition def (one line, already accepted by actjit_define) to
** the user's activations file, replacing an earlier definition of the
** same name; the directory is created when missing.  Writes the file's
** path to path[0..size).  0, or -1 with why[0..whylen) filled. */
int cli_save_definition(const char *def, char *path, size_t size, char *why,
                        size_t whylen);

/* ---- aot.c ------------------------------------------------------------- */

/* actjit aot ... (argv[1] == "aot"): exit status. */
int cli_aot(int argc, char **argv);

/* ---- repl.c ------------------------------------------------------------ */

/* The REPL: runs the lines of `first` (n of them) as if typed, then reads
** lines from stdin (libedit when it is a terminal, else plain reads) until
** :quit or end of input.  batch: no banner or prompt.  Returns 0, or 1
** when any line failed and the input was not a terminal. */
int cli_repl(char **first, int n, int batch);

#endif
