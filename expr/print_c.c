/*
** print_c.c: an activation's f and f' as a self-contained C99 translation
** unit (ACTJIT_PART_C), one double at a time with libm: the naive loop the
** REPL's :bench builds with cc to compare the kernels against.  Owns the C
** spelling of every operator (ops.def's EVAL column, stringified, with the
** operands renamed) and plain-libm definitions of the aj_* helpers that
** column calls.  It writes what it is given, node for node: no rewriting,
** no vectorization, and the helpers are the textbook formulas, not the
** interpreter's careful ones.
*/
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

/* Each operator's value as C, from ops.def's EVAL column: a, b and c stand
** for the operands.  Leaves are written by leaf_text instead. */
static const char *const c_template[AJ_OP_COUNT] = {
#define AJ_OP(id, sp, al, ar, k, p, f, ev, d) [AJ_##id] = #ev,
#include "ops.def"
#undef AJ_OP
};

/* The aj_* functions the templates call, as plain libm formulas with the
** reference semantics of ops.c where they cost nothing (NaN in comparisons
** and selects, IEEE minimum/maximum).  A helper comes after those its body
** calls: they are emitted in this order. */
typedef struct helper {
  const char *name;
  const char *def;
} helper;

static const helper helpers[] = {
    {"aj_lt", "static double aj_lt(double a, double b) {\n"
              "  return isnan(a) || isnan(b) ? NAN : (double)(a < b);\n"
              "}\n"},
    {"aj_le", "static double aj_le(double a, double b) {\n"
              "  return isnan(a) || isnan(b) ? NAN : (double)(a <= b);\n"
              "}\n"},
    {"aj_eq", "static double aj_eq(double a, double b) {\n"
              "  return isnan(a) || isnan(b) ? NAN : (double)(a == b);\n"
              "}\n"},
    {"aj_not", "static double aj_not(double a) {\n"
               "  return isnan(a) ? NAN : (double)(a == 0);\n"
               "}\n"},
    {"aj_and", "static double aj_and(double a, double b) {\n"
               "  return isnan(a) || isnan(b) ? NAN : (double)(a != 0 && "
               "b != 0);\n"
               "}\n"},
    {"aj_or", "static double aj_or(double a, double b) {\n"
              "  return isnan(a) || isnan(b) ? NAN : (double)(a != 0 || "
              "b != 0);\n"
              "}\n"},
    {"aj_select", "static double aj_select(double c, double a, double b) {\n"
                  "  return isnan(c) ? NAN : c != 0 ? a : b;\n"
                  "}\n"},
    {"aj_min", "static double aj_min(double a, double b) {\n"
               "  if (isnan(a) || isnan(b)) return NAN;\n"
               "  if (a == b) return signbit(a) ? a : b;\n"
               "  return a < b ? a : b;\n"
               "}\n"},
    {"aj_max", "static double aj_max(double a, double b) {\n"
               "  if (isnan(a) || isnan(b)) return NAN;\n"
               "  if (a == b) return signbit(a) ? b : a;\n"
               "  return a > b ? a : b;\n"
               "}\n"},
    {"aj_clamp", "static double aj_clamp(double v, double lo, double hi) {\n"
                 "  return aj_min(aj_max(v, lo), hi);\n"
                 "}\n"},
    {"aj_sign", "static double aj_sign(double a) {\n"
                "  return a > 0 ? 1.0 : a < 0 ? -1.0 : a;\n"
                "}\n"},
    {"aj_round_even", "static double aj_round_even(double a) { "
                      "return nearbyint(a); }\n"},
    {"aj_sigmoid", "static double aj_sigmoid(double a) { "
                   "return 1 / (1 + exp(-a)); }\n"},
    {"aj_log1pexp", "static double aj_log1pexp(double a) { "
                    "return log1p(exp(a)); }\n"},
    {"aj_normcdf", "static double aj_normcdf(double a) {\n"
                   "  return 0.5 * erfc(-a / sqrt(2.0));\n"
                   "}\n"},
    {"aj_normcdf_vpdf",
     "static double aj_normcdf_vpdf(double a, double b) {\n"
     "  return aj_normcdf(a) + b * exp(-a * a / 2) / "
     "sqrt(2 * 3.14159265358979323846);\n"
     "}\n"},
};

#define NHELPERS (sizeof helpers / sizeof *helpers)

/* ---- Output ------------------------------------------------------------ */

/* A double literal for v that reads back to exactly v: the shortest of
** %.Ng for N = 1..17 (30, not 3e+01), formatted in the C locale whatever
** the host's LC_NUMERIC (the thread's locale is switched for the call
** only), with ".0" added where it would read as an integer (1/2 must not
** divide integers); NaN and the infinities as <math.h>'s macros; negative
** values parenthesized, so that any operand position takes them. */
static void const_text(char *out, size_t size, double v, locale_t c_locale) {
  const char *sign = signbit(v) ? "(-" : "", *close = signbit(v) ? ")" : "";
  if (isnan(v) || isinf(v)) {
    snprintf(out, size, "%s%s%s", sign, isnan(v) ? "NAN" : "INFINITY", close);
    return;
  }
  char best[40];
  aj_shortest_double(best, fabs(v), c_locale);
  int integral = strpbrk(best, ".eE") == NULL;
  snprintf(out, size, "%s%s%s%s", sign, best, integral ? ".0" : "", close);
}

/* ---- Templates ---------------------------------------------------------- */

/* The helper called z[0, n), or -1. */
static int helper_index(const char *z, size_t n) {
  for (size_t h = 0; h < NHELPERS; h++)
    if (strlen(helpers[h].name) == n && memcmp(helpers[h].name, z, n) == 0)
      return (int)h;
  return -1;
}

/* Marks in used[] every helper that the C text s calls.  Returns 0, or -1
** with *bad, *nbad naming an aj_* function this file has no definition
** for. */
static int mark_helpers(const char *s, unsigned char *used, const char **bad,
                        size_t *nbad) {
  while (*s) {
    if (!aj_is_name_start(*s) && !(*s >= '0' && *s <= '9')) {
      s++;
      continue;
    }
    const char *z = s;
    while (aj_is_name_char(*s) || *s == '.') s++;
    size_t n = (size_t)(s - z);
    if (n > 3 && memcmp(z, "aj_", 3) == 0) {
      int h = helper_index(z, n);
      if (h < 0) {
        *bad = z;
        *nbad = n;
        return -1;
      }
      used[h] = 1;
    }
  }
  return 0;
}

/* Writes template t with the identifiers a, b and c replaced by opnd[0..2].
** Other identifiers and numbers are copied whole. */
static void put_template(aj_strbuf *b, const char *t, char opnd[3][48]) {
  while (*t) {
    const char *z = t;
    if (aj_is_name_start(*t) || (*t >= '0' && *t <= '9')) {
      while (aj_is_name_char(*t) || *t == '.') t++;
      if (t - z == 1 && *z >= 'a' && *z <= 'c') aj_sb_puts(b, opnd[*z - 'a']);
      else aj_sb_put(b, z, (size_t)(t - z));
    } else {
      aj_sb_put(b, z, 1);
      t++;
    }
  }
}

/* ---- Functions ---------------------------------------------------------- */

typedef struct emitter {
  actjit_ctx *ctx;
  aj_strbuf *b;
  aj_node *const *rparam;
  uint32_t nr;
  actjit_error *err;
} emitter;

/* The runtime index of a PARAM node, or UINT32_MAX. */
static uint32_t runtime_index(const emitter *em, const aj_node *n) {
  for (uint32_t k = 0; k < em->nr; k++)
    if (em->rparam[k] == n) return k;
  return UINT32_MAX;
}

/* Checks that every node of e has a C form and marks the helpers it
** calls. */
static actjit_status scan(const emitter *em, const actjit_expr *e,
                          unsigned char *used) {
  const aj_tape *t = &e->tape;
  for (uint32_t i = 0; i < t->n; i++) {
    const aj_node *n = t->ent[i].node;
    const char *bad;
    size_t nbad;
    if (n->op == AJ_ARG || n->op == AJ_DZERO)
      return aj_error(em->err, ACTJIT_EINTERNAL, 0, 0,
                      "operator '%s' has no C form", aj_ops[n->op].spelling);
    if (n->op == AJ_PARAM && runtime_index(em, n) == UINT32_MAX)
      return aj_error(em->err, ACTJIT_EINTERNAL, 0, 0,
                      "parameter '%.64s' is neither bound nor runtime",
                      n->u.name.z);
    if (aj_ops[n->op].kind == AJ_K_LEAF) continue;
    if (mark_helpers(c_template[n->op], used, &bad, &nbad))
      return aj_error(em->err, ACTJIT_EINTERNAL, 0, 0,
                      "operator '%s': no C definition of %.*s",
                      aj_ops[n->op].spelling, (int)nbad, bad);
  }
  return ACTJIT_OK;
}

/* The C operand for tape entry i: a leaf's text, or its temporary. */
static void operand(const emitter *em, const aj_tape *t, const uint32_t *tmp,
                    uint32_t i, char out[48]) {
  const aj_node *n = t->ent[i].node;
  switch (n->op) {
  case AJ_CONST: const_text(out, 48, n->u.num, em->ctx->c_locale); break;
  case AJ_X: snprintf(out, 48, "x"); break;
  case AJ_PARAM: snprintf(out, 48, "p[%u]", runtime_index(em, n)); break;
  default: snprintf(out, 48, "t%u", tmp[i]); break;
  }
}

/* Writes `double name(double x, const double *p) { ... }` computing e: one
** const temporary per non-leaf tape entry, in tape order (scan has checked
** every node). */
static void put_function(const emitter *em, const actjit_expr *e,
                         const char *name) {
  aj_strbuf *b = em->b;
  const aj_tape *t = &e->tape;
  uint32_t *tmp = aj_alloc(em->ctx, (size_t)t->n * sizeof *tmp);
  if (!tmp) {
    b->oom = 1;
    return;
  }
  int uses_x = 0, uses_p = 0;
  for (uint32_t i = 0, k = 0; i < t->n; i++) {
    const aj_node *n = t->ent[i].node;
    tmp[i] = aj_ops[n->op].kind == AJ_K_LEAF ? 0 : ++k;
    uses_x |= n->op == AJ_X;
    uses_p |= n->op == AJ_PARAM;
  }
  aj_sb_puts(b, "double ");
  aj_sb_puts(b, name);
  aj_sb_puts(b, "(double x, const double *p) {\n");
  if (!uses_x) aj_sb_puts(b, "  (void)x;\n");
  if (!uses_p) aj_sb_puts(b, "  (void)p;\n");
  char opnd[3][48], line[64];
  for (uint32_t i = 0; i < t->n && !b->oom; i++) {
    const aj_tape_ent *te = &t->ent[i];
    if (!tmp[i]) continue;
    for (int k = 0; k < 3; k++) {
      if (k < te->node->nargs) operand(em, t, tmp, te->arg[k], opnd[k]);
      else snprintf(opnd[k], sizeof opnd[k], "0");
    }
    snprintf(line, sizeof line, "  const double t%u = ", tmp[i]);
    aj_sb_puts(b, line);
    put_template(b, c_template[te->node->op], opnd);
    aj_sb_puts(b, ";\n");
  }
  operand(em, t, tmp, t->root[0], opnd[0]);
  aj_sb_puts(b, "  return ");
  aj_sb_puts(b, opnd[0]);
  aj_sb_puts(b, ";\n}\n");
  aj_free(em->ctx, tmp, (size_t)t->n * sizeof *tmp);
}

actjit_status aj_print_c(const actjit_expr *f, const actjit_expr *df,
                         aj_node *const *rparam, uint32_t nr, char **text,
                         actjit_error *err) {
  if (text) *text = NULL;
  if (!f || !df || !text || (nr && !rparam))
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "aj_print_c: NULL argument");
  actjit_ctx *ctx = f->ctx;
  aj_strbuf b = {ctx, NULL, 0, 0, 0};
  emitter em = {ctx, &b, rparam, nr, err};
  unsigned char used[NHELPERS] = {0};
  actjit_status s = scan(&em, f, used);
  if (s == ACTJIT_OK) s = scan(&em, df, used);
  if (s) return s;
  /* The helpers' own calls (aj_clamp's aj_min and aj_max, ...): a fixed
  ** point, each round marking at least one more or stopping. */
  for (int changed = 1; changed;) {
    changed = 0;
    for (size_t h = 0; h < NHELPERS; h++) {
      unsigned char before[NHELPERS];
      const char *bad;
      size_t nbad;
      if (!used[h]) continue;
      memcpy(before, used, sizeof before);
      if (mark_helpers(helpers[h].def, used, &bad, &nbad))
        return aj_error(err, ACTJIT_EINTERNAL, 0, 0,
                        "helper %s: no C definition of %.*s", helpers[h].name,
                        (int)nbad, bad);
      changed |= memcmp(before, used, sizeof before) != 0;
    }
  }
  aj_sb_puts(&b, "/* actjit: f(x) and f'(x) as written (no stabilizing rewrites), "
            "with libm.\n"
            "** p[k]: runtime parameter k (actjit_runtime_name order); bound "
            "ones are\n"
            "** folded. */\n"
            "#include <math.h>\n\n");
  int any = 0;
  for (size_t h = 0; h < NHELPERS; h++)
    if (used[h]) {
      aj_sb_puts(&b, helpers[h].def);
      any = 1;
    }
  if (any) aj_sb_puts(&b, "\n");
  put_function(&em, f, "actjit_c_f");
  aj_sb_puts(&b, "\n");
  put_function(&em, df, "actjit_c_df");
  if (!b.oom) {
    char *out = aj_text_alloc(ctx, b.n);
    if (out) {
      memcpy(out, b.z, b.n + 1);
      *text = out;
    } else {
      b.oom = 1;
    }
  }
  aj_free(ctx, b.z, b.cap);
  if (b.oom) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  return ACTJIT_OK;
}
