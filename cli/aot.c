/*
** cli/aot.c: `actjit aot`, ahead-of-time export (actjit_aot).
**
**   actjit aot -o kernels.o -H kernels.h [--cpu host|x86-64-v3|...]
**              [--prefix P] [--profile P] [--no-stabilize] [--json]
**              SOURCE...
**
** Each SOURCE is NAME=EXPR, or a source that starts with its name (mish,
** 'swish(x, beta=1.5)'), whose kernels are then P + NAME + _f32_fwd etc.
** (P empty by default).  The object links into a C program with no LLVM
** and no libactjit.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_SOURCES 256

static const char aot_usage[] =
    "usage: actjit aot -o OBJECT.o -H HEADER.h [--cpu CPU] [--prefix P]\n"
    "                  [--profile torch|onednn|minnorm] [--no-stabilize]\n"
    "                  [--json] SOURCE...\n"
    "\n"
    "Compiles each SOURCE's float32 and float64 forward and backward kernels\n"
    "into one object file and a C header declaring them:\n"
    "  P NAME_f32_fwd(const float *x, float *y, size_t n, const float *p)\n"
    "  P NAME_f32_bwd(const float *x, const float *dy, float *dx, size_t n,\n"
    "                 const float *p, float *dp)\n"
    "and the same with _f64_ in double.  A C program links the object with\n"
    "no LLVM and no libactjit at run time.\n"
    "\n"
    "  SOURCE         NAME=EXPR, or a source starting with its name: mish,\n"
    "                 'swish(x, beta=1.5)' (named swish)\n"
    "  --cpu CPU      host (default: this machine's CPU and features), or an\n"
    "                 x86-64 level for any CPU that has it: x86-64,\n"
    "                 x86-64-v2, x86-64-v3 (AVX2), x86-64-v4 (AVX-512)\n"
    "  --prefix P     put P before every kernel name (default none)\n"
    "  --json         print {\"object\", \"header\", \"kernels\"} when done\n";

/* Splits SOURCE into its name (into name[0, size)) and *src. */
static int name_of(const char *arg, char *name, size_t size,
                   const char **src) {
  size_t off = 0, n = actjit_definition_name(arg, strlen(arg), &off);
  if (n > 0) { /* NAME = EXPR (the helper form is a source of its own) */
    const char *eq = strchr(arg + off + n, '=');
    if (arg[off + n] != '(' && eq) {
      *src = eq + 1;
      snprintf(name, size, "%.*s", (int)n, arg + off);
      return n < size ? 0 : -1;
    }
  }
  *src = arg;
  const char *p = arg;
  while (*p == ' ' || *p == '\t')
    p++;
  size_t len = 0;
  while (p[len] == '_' || (p[len] >= 'a' && p[len] <= 'z') ||
         (p[len] >= 'A' && p[len] <= 'Z') ||
         (len && p[len] >= '0' && p[len] <= '9'))
    len++;
  const char *after = p + len;
  while (*after == ' ' || *after == '\t')
    after++;
  if (len == 0 || len >= size || (*after && *after != '('))
    return -1;
  snprintf(name, size, "%.*s", (int)len, p);
  return 0;
}

int cli_aot(int argc, char **argv) {
  const char *object = NULL, *header = NULL, *cpu = NULL, *prefix = "";
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  int json_out = 0, i;
  for (i = 2; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    const char *a = argv[i];
    const char **value = strcmp(a, "-o") == 0        ? &object
                         : strcmp(a, "-H") == 0      ? &header
                         : strcmp(a, "--cpu") == 0   ? &cpu
                         : strcmp(a, "--prefix") == 0 ? &prefix
                                                     : NULL;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(aot_usage, stdout);
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      json_out = 1;
    } else if (strcmp(a, "--no-stabilize") == 0) {
      opt.flags |= ACTJIT_NO_STABILIZE;
    } else if (strcmp(a, "--profile") == 0) {
      if (i + 1 >= argc || actjit_profile_by_name(argv[i + 1]) < 0) {
        fputs("actjit: aot: --profile needs torch, onednn or minnorm\n",
              stderr);
        return EXIT_USAGE;
      }
      opt.profile = (actjit_profile)actjit_profile_by_name(argv[++i]);
    } else if (value) {
      if (i + 1 >= argc) {
        fprintf(stderr, "actjit: aot: option '%s' needs a value\n", a);
        return EXIT_USAGE;
      }
      *value = argv[++i];
    } else {
      fprintf(stderr, "actjit: aot: unknown option '%s'\n%s", a, aot_usage);
      return EXIT_USAGE;
    }
  }
  int n = argc - i;
  if (object && header && strcmp(object, header) == 0) {
    fputs("actjit: aot: -o and -H name the same file\n", stderr);
    return EXIT_USAGE;
  }
  if (!object || !header || n <= 0 || n > MAX_SOURCES) {
    fprintf(stderr, "actjit: aot: give -o OBJECT, -H HEADER and 1 to %d "
                    "sources\n%s", MAX_SOURCES, aot_usage);
    return EXIT_USAGE;
  }
  actjit_aot_kernel *k = calloc((size_t)n, sizeof *k);
  char (*names)[128] = calloc((size_t)n, sizeof *names);
  int rc = k && names ? 0 : cli_report_status(ACTJIT_ENOMEM);
  for (int j = 0; j < n && rc == 0; j++) {
    char name[100] = "";
    if (name_of(argv[i + j], name, sizeof name, &k[j].src) != 0) {
      fprintf(stderr, "actjit: aot: '%s': name it: NAME=EXPR\n", argv[i + j]);
      rc = EXIT_USAGE;
      break;
    }
    snprintf(names[j], sizeof names[j], "%s%s", prefix, name);
    k[j].name = names[j];
  }
  actjit_error err = {0};
  actjit_ctx *ctx = rc ? NULL : actjit_ctx_new(NULL, &err);
  if (rc == 0 && !ctx)
    rc = cli_report(err.code, &err, NULL);
  if (rc == 0) {
    actjit_status st =
        actjit_aot(ctx, k, (size_t)n, &opt, cpu, object, header, &err);
    if (st != ACTJIT_OK) {
      const char *src = NULL; /* the source the error points into */
      for (int j = 0; j < n && !src; j++)
        if (strncmp(err.message, k[j].name, strlen(k[j].name)) == 0 &&
            err.message[strlen(k[j].name)] == ':')
          src = k[j].src;
      rc = cli_report_maybe_located(st, &err, src);
    }
  }
  if (rc == 0 && json_out) {
    json j;
    json_init(&j, stdout);
    json_begin_object(&j);
    json_key(&j, "object");
    json_string(&j, object);
    json_key(&j, "header");
    json_string(&j, header);
    json_key(&j, "kernels");
    json_begin_array(&j);
    for (int m = 0; m < n; m++)
      json_string(&j, k[m].name);
    json_end_array(&j);
    json_end_object(&j);
    json_finish(&j);
  }
  actjit_ctx_free(ctx);
  free(k);
  free(names);
  return rc;
}
