/*
** test_parser.c: the front end through the public API.  Every construct
** of language.md, checked by value (actjit_eval) and by structure
** (actjit_expr_same against a fully parenthesized equivalent): numbers,
** x, parameters, constants, every built-in function and its arity,
** keyword arguments, selects, comparisons, logic, powers, bindings,
** helpers with defaults, comments and separators.  Then the decisions of
** docs/semantics.md (NaN through logic, whole-source function names,
** shadowing, parameter order), actjit_bind, interning and node counts.
*/
#include "fe_check.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#ifndef M_E
#define M_E 2.7182818284590452354
#endif

static actjit_ctx *g_ctx; /* one context shared by the whole suite */

static int setup_ctx(void **state) {
  (void)state;
  g_ctx = tu_ctx();
  return 0;
}
static int teardown_ctx(void **state) {
  (void)state;
  actjit_ctx_free(g_ctx);
  g_ctx = NULL;
  return 0;
}

/* ---- Values ------------------------------------------------------------ */

enum { EXACT, CLOSE, ISNAN };

typedef struct val_case {
  const char *src;
  double x, want;
  int how; /* EXACT: bitwise (or both NaN); CLOSE: 1e-14 relative;
              ISNAN: want ignored, result must be NaN */
} val_case;

static void check_val(const val_case *c) {
  actjit_expr *e = fe_parse(g_ctx, c->src, ACTJIT_NUL_TERMINATED);
  double y = fe_eval1(e, c->x, c->src);
  actjit_expr_free(e);
  int ok = c->how == EXACT   ? tu_same_double(y, c->want)
           : c->how == CLOSE ? tu_close(y, c->want, 1e-14, 1e-300)
                             : isnan(y);
  if (!ok)
    fail_msg("\"%s\" at x=%.17g: got %.17g, want %s%.17g", c->src, c->x, y,
             c->how == ISNAN ? "NaN, not " : "", c->how == ISNAN ? y : c->want);
}

static void t_val(void **state) { check_val(*state); }

#define NaN_ NAN
/* Operators, precedence and associativity, by value.  Each row's wrong
** parse gives a different value. */
static const val_case ops[] = {
    {"2^3^2", 0, 512, EXACT}, /* not (2^3)^2 = 64 */
    {"2^2^0", 0, 2, EXACT},   /* not (2^2)^0 = 1 */
    {"-2^2", 0, -4, EXACT},   /* not (-2)^2 */
    {"-x^2", 3, -9, EXACT},
    {"(-x)^2", 3, 9, EXACT},
    {"-1^0.5", 0, -1, EXACT},   /* not (-1)^0.5 = NaN */
    {"1-2-3", 0, -4, EXACT},    /* not 1-(2-3) = 2 */
    {"1 - 1 + 1", 0, 1, EXACT}, /* not 1-(1+1) */
    {"10/2/5", 0, 1, EXACT},    /* not 10/(2/5) = 25 */
    {"1/2*4", 0, 2, EXACT},     /* not 1/(2*4) */
    {"100/10*2", 0, 20, EXACT},
    {"2*3+4", 0, 10, EXACT},
    {"2+3*4", 0, 14, EXACT},
    {"(2+3)*4", 0, 20, EXACT},
    {"2^3*2", 0, 16, EXACT},
    {"2*3^2", 0, 18, EXACT},
    {"2^-1", 0, 0.5, EXACT},
    {"2^-x", 1, 0.5, EXACT},
    {"-2^-2", 0, -0.25, EXACT},
    {"2-(3-4)", 0, 3, EXACT},
    {"8/(4/2)", 0, 4, EXACT},
    {"2 * -3", 0, -6, EXACT},
    {"3 - -3", 0, 6, EXACT},
    {"+x", 3, 3, EXACT},
    {"- -x", 3, 3, EXACT},
    {"--x", 3, 3, EXACT},
    {"x", 3.25, 3.25, EXACT},
    {"x*x", -1.5, 2.25, EXACT},
    {"!0", 0, 1, EXACT},
    {"!3", 0, 0, EXACT},
    {"!-2", 0, 0, EXACT},
    {"!!5", 0, 1, EXACT},
    {"!0 + 1", 0, 2, EXACT}, /* (!0)+1, not !(0+1) = 0 */
    {"1 < 2", 0, 1, EXACT},
    {"2 < 1", 0, 0, EXACT},
    {"2 <= 2", 0, 1, EXACT},
    {"3 <= 2", 0, 0, EXACT},
    {"3 > 2", 0, 1, EXACT},
    {"2 >= 3", 0, 0, EXACT},
    {"3 >= 3", 0, 1, EXACT},
    {"1 == 1", 0, 1, EXACT},
    {"1 == 2", 0, 0, EXACT},
    {"1 != 1", 0, 0, EXACT},
    {"1 != 2", 0, 1, EXACT},
    {"-1 < 0", 0, 1, EXACT},
    {"1 + 2 == 3", 0, 1, EXACT},
    {"2 * 3 > 5", 0, 1, EXACT},
    {"2 && 3", 0, 1, EXACT},
    {"0 && 3", 0, 0, EXACT},
    {"0 || 0", 0, 0, EXACT},
    {"0 || -2", 0, 1, EXACT},
    {"1 || 0 && 0", 0, 1, EXACT}, /* 1 || (0 && 0); not (1||0)&&0 = 0 */
    {"0 && 0 || 1", 0, 1, EXACT},
    {"!1 || 1", 0, 1, EXACT},
    {"!(1 || 1)", 0, 0, EXACT},
    {"x < 1 && x > 0 || x == 5", 5, 1, EXACT},
    {"x < 1 && x > 0 || x == 5", 0.5, 1, EXACT},
    {"x < 1 && x > 0 || x == 5", 2, 0, EXACT},
    {"1 ? 5 : 7", 0, 5, EXACT},
    {"0 ? 5 : 7", 0, 7, EXACT},
    {"-1 ? 5 : 7", 0, 5, EXACT},
    {"0.5 ? 5 : 7", 0, 5, EXACT},
    {"0 ? 1 : 0 ? 2 : 3", 0, 3, EXACT}, /* right-assoc */
    {"1 ? 0 ? 4 : 5 : 6", 0, 5, EXACT},
    {"1 + 2 > 2 ? 10 : 20", 0, 10, EXACT},
    {"0 || 1 ? 10 : 20", 0, 10, EXACT},
    {"1 ? 2 : 3 + 10", 0, 2, EXACT}, /* 1 ? 2 : (3+10) */
    {"0 ? 2 : 3 + 10", 0, 13, EXACT},
    {"x > 0 ? x : 0.01*x", -2, -0.02, CLOSE},
    {"x > 0 ? x : 0.01*x", 2, 2, EXACT},
    {"where(x, 1, 2)", 0, 2, EXACT},
    {"where(x, 1, 2)", 3, 1, EXACT},
    {"where(x > 1, x, -x)", -3, 3, EXACT},
    /* numbers */
    {"1", 0, 1, EXACT},
    {"1.5", 0, 1.5, EXACT},
    {".5", 0, 0.5, EXACT},
    {"1.", 0, 1, EXACT},
    {"1e-3", 0, 1e-3, EXACT},
    {"2.5E+4", 0, 25000, EXACT},
    {"0x1.8p3", 0, 12, EXACT},
    {"0x1p-2", 0, 0.25, EXACT},
    {"0.1", 0, 0.1, EXACT},
    {"007", 0, 7, EXACT},
    {"1e-999", 0, 0, EXACT}, /* underflow rounds to 0 */
    {"4.9406564584124654e-324", 0, 4.9406564584124654e-324, EXACT},
    {"1.7976931348623157e308", 0, 1.7976931348623157e308, EXACT},
    {"1e308*10", 0, INFINITY, EXACT}, /* inf from arithmetic: fine */
    {"123456789012345678901234567890", 0, 123456789012345678901234567890.0,
     EXACT},
    /* constants */
    {"pi", 0, M_PI, EXACT},
    {"e", 0, M_E, EXACT},
    {"2*e", 0, 2 * M_E, EXACT},
    {"inf", 0, INFINITY, EXACT},
    {"-inf", 0, -INFINITY, EXACT},
    {"nan", 0, 0, ISNAN},
    {"inf - inf", 0, 0, ISNAN},
};

/* NaN through comparisons, selects and logic (semantics.md "Values"). */
static const val_case nans[] = {
    {"nan < 1", 0, 0, ISNAN},
    {"nan > 1", 0, 0, ISNAN},
    {"nan <= nan", 0, 0, ISNAN},
    {"nan >= 1", 0, 0, ISNAN},
    {"nan == nan", 0, 0, ISNAN},
    {"nan != 1", 0, 0, ISNAN},
    {"1 != nan", 0, 0, ISNAN},
    {"1 < nan", 0, 0, ISNAN},
    {"x < 1", NAN, 0, ISNAN},
    {"x == x", NAN, 0, ISNAN},
    {"!nan", 0, 0, ISNAN},
    {"!x", NAN, 0, ISNAN},
    {"nan && 1", 0, 0, ISNAN},
    {"nan && 0", 0, 0, ISNAN},
    {"0 && nan", 0, 0, ISNAN}, /* judgement: any NaN operand */
    {"1 || nan", 0, 0, ISNAN}, /* judgement: any NaN operand */
    {"nan || 1", 0, 0, ISNAN},
    {"nan || 0", 0, 0, ISNAN},
    {"nan ? 1 : 2", 0, 0, ISNAN},
    {"x ? 1 : 2", NAN, 0, ISNAN},
    {"where(nan, 1, 2)", 0, 0, ISNAN},
    {"where(x, 1, 2)", NAN, 0, ISNAN},
    {"x > 0 ? x : 0", NAN, 0, ISNAN},
    {"0 ? nan : 2", 0, 2, EXACT}, /* the branch not taken does not matter */
    {"1 ? 2 : nan", 0, 2, EXACT},
    {"where(1, 2, nan)", 0, 2, EXACT},
    {"min(nan, 1)", 0, 0, ISNAN},
    {"min(1, nan)", 0, 0, ISNAN},
    {"max(nan, 1)", 0, 0, ISNAN},
    {"max(1, nan)", 0, 0, ISNAN},
    {"clamp(nan, 0, 1)", 0, 0, ISNAN},
    {"clamp(x, 0, 1)", NAN, 0, ISNAN},
    {"sign(nan)", 0, 0, ISNAN},
    {"round(nan)", 0, 0, ISNAN},
    {"relu", NAN, 0, ISNAN},
    {"relu(x)", NAN, 0, ISNAN},
    {"relu(nan)", 0, 0, ISNAN},
    {"hardtanh", NAN, 0, ISNAN},
    {"softshrink", NAN, 0, ISNAN},
    {"relu6", NAN, 0, ISNAN},
};

/* Bindings, helpers, defaults, keywords, shadowing, the prelude. */
static val_case defs[] = {
    /* not const: main fills libm values */
    {"a = 2; a*x", 3, 6, EXACT},
    {"a = 2; b = a*3; b*x", 1, 6, EXACT},
    {"y = x*x; y + y", 3, 18, EXACT},
    {"f(u) = u + 1; f(x)*2", 3, 8, EXACT},
    {"f(u) = u + 1; g(u) = f(u)*2; g(x)", 3, 8, EXACT},
    {"f(u, k=3) = u*k; f(x)", 2, 6, EXACT},
    {"f(u, k=3) = u*k; f(x, 4)", 2, 8, EXACT},
    {"f(u, k=3) = u*k; f(x, k=5)", 2, 10, EXACT},
    {"f(u, k=3) = u*k; f(k=5, u=x)", 2, 10, EXACT}, /* all by keyword */
    {"f(u, k=2, m=3) = u*k + m; f(x, m=1)", 2, 5, EXACT},
    {"f(a, b=2, c) = a + b*c; f(x, c=1)", 1, 3, EXACT},
    {"f(a, b=2, c) = a + b*c; f(x, 3, 1)", 1, 4, EXACT},
    {"f(u, k=1+2) = u*k; f(x)", 2, 6, EXACT},
    {"f(u, k=-2) = u*k; f(x)", 2, -4, EXACT},
    {"f(u, k=2*pi) = u*k; f(x)", 1, 2 * M_PI, CLOSE},
    {"f(u, k=2^10) = u*k; f(x)", 1, 1024, EXACT},
    {"k = 3; f(u) = u*k; f(x)", 2, 6, EXACT},
    {"k = 3; f(u, m=k) = u*m; f(x)", 2, 6, EXACT}, /* judgement: a binding
                                                      folds in a default */
    {"f(u) = u + x; f(2)", 3, 5, EXACT},
    {"f(u, v) = u - v; f(x, 1) + f(1, x)", 5, 0, EXACT},
    {"f(u, v) = u - v; f(v=x, u=1)", 5, -4, EXACT},
    {"exp(u) = exp(u)*2; exp(x)", 1, 2 * M_E, CLOSE},
    {"exp(u) = exp(u)*2; exp(x)", 0, 2, EXACT},
    {"relu(u) = 2*u; relu(x)", -3, -6, EXACT},
    {"sigmoid(u) = sigmoid(u) + 1; sigmoid(x)", 0, 1.5, EXACT},
    {"tanh(u) = u; tanh(x)", 5, 5, EXACT},
    {"abs(u) = -u; abs(x) + abs(1)", 2, -3, EXACT},
    {"mish = 3; mish*x", 2, 6, EXACT}, /* judgement: a binding may use the
                                          name of a prelude entry */
    {"f(u) = u*2\nf(x)", 3, 6, EXACT},
    {"elu(x, alpha=0.5)", -1, 0, CLOSE}, /* filled in main */
    {"elu(x, 0.5)", -1, 0, CLOSE},       /* filled in main */
    {"elu(x)", -1, 0, CLOSE},            /* filled in main */
    {"elu", -1, 0, CLOSE},               /* filled in main */
    {"2*elu(x)", -1, 0, CLOSE},          /* filled in main */
    {"elu", 2, 2, EXACT},
    {"threshold(x, 1, -5)", 0.5, -5, EXACT},
    {"threshold(x, 1, -5)", 1, -5, EXACT}, /* strict x > th */
    {"threshold(x, 1, -5)", 2, 2, EXACT},
    {"threshold(x, threshold=1, value=-5)", 0.5, -5, EXACT},
    {"threshold(x, value=-5, threshold=1)", 3, 3, EXACT},
    {"relu", -2, 0, EXACT},
    {"relu", 2, 2, EXACT},
    {"relu(x - 1)", 3, 2, EXACT},
    {"leaky_relu(x)", -1, -0.01, CLOSE},
    {"mish", 1, 0, CLOSE},                /* filled in main */
    {"mish(x)", 1, 0, CLOSE},             /* filled in main */
    {"x*tanh(softplus(x))", 1, 0, CLOSE}, /* filled in main */
    {"sigmoid", 0, 0.5, EXACT},
    {"tanh", 0.5, 0, CLOSE}, /* filled in main */
};

/* Comments, separators, newlines. */
static const val_case seps[] = {
    {"x # the input", 2, 2, EXACT},
    {"# header\nx*2", 2, 4, EXACT},
    {"# a\n# b\n\nx*2 # c\n# d", 2, 4, EXACT},
    {"a = 3\na*x", 2, 6, EXACT},
    {"a = 3;a*x;", 2, 6, EXACT},
    {"a = 3\n\n\na*x\n\n", 2, 6, EXACT},
    {"a = 3;; a*x", 2, 6, EXACT},
    {"a = 3 ;\n; a*x ;", 2, 6, EXACT},
    {"\n\nx", 2, 2, EXACT},
    {";x", 2, 2, EXACT}, /* judgement: a leading empty statement */
    {"x;", 2, 2, EXACT},
    {"x\n", 2, 2, EXACT},
    {"x;\n;", 2, 2, EXACT}, /* judgement: trailing empty statements */
    {"(x\n+1)", 2, 3, EXACT},
    {"(\nx\n+\n1\n)", 2, 3, EXACT},
    {"x +\n1", 2, 3, EXACT},
    {"x *\n# comment\n2", 2, 4, EXACT},
    {"max(\nx,\n1\n)", 2, 2, EXACT},
    {"a =\n 2; a*x", 2, 4, EXACT},
    {"x > 0 ?\n x :\n 0", 2, 2, EXACT},
    {"x > 0 &&\n x < 5", 2, 1, EXACT},
    {"f(u) =\n u*2\nf(x)", 3, 6, EXACT},
    {"a = 1\n+ 2", 0, 2, EXACT}, /* the newline ends `a = 1`; `+2` is the
                                    final expression */
    {"a = 2 # two\nb = 3 # three\na*b*x", 2, 12, EXACT},
    {"x # c\r\n", 2, 2, EXACT},
    {"a = 2\r\na*x\r\n", 2, 4, EXACT},
    {"\tx\t*\t2\t", 2, 4, EXACT},
    {"x # caf\xc3\xa9 \xe2\x82\xac\n", 2, 2, EXACT},
};

/* ---- Built-in functions: values and arity ----------------------------- */

typedef struct fn_case {
  const char *name;
  int arity;
  int check_more; /* 0 where more arguments could be legal */
} fn_case;

static const fn_case fns[] = {
    {"exp", 1, 1},      {"exp2", 1, 1},  {"expm1", 1, 1}, {"log", 1, 1},
    {"log2", 1, 1},     {"log10", 1, 1}, {"log1p", 1, 1}, {"sqrt", 1, 1},
    {"cbrt", 1, 1},     {"abs", 1, 1},   {"sign", 1, 1},  {"sin", 1, 1},
    {"cos", 1, 1},      {"tan", 1, 1},   {"asin", 1, 1},  {"acos", 1, 1},
    {"atan", 1, 1},     {"atan2", 2, 1}, {"sinh", 1, 1},  {"cosh", 1, 1},
    {"tanh", 1, 1},     {"asinh", 1, 1}, {"acosh", 1, 1}, {"atanh", 1, 1},
    {"erf", 1, 1},      {"erfc", 1, 1},  {"floor", 1, 1}, {"ceil", 1, 1},
    {"round", 1, 1},    {"trunc", 1, 1}, {"min", 2, 1},   {"max", 2, 1},
    {"clamp", 3, 1},    {"pow", 2, 1},   {"where", 3, 1}, {"sigmoid", 1, 1},
    {"log1pexp", 1, 1}, {"hypot", 2, 1},
};
/* judgement: min and max take exactly two arguments.  softplus is no
** built-in function (semantics.md): log1pexp is; softplus is the prelude's. */

static char *call_src(const char *name, int nargs) {
  char *s = malloc(strlen(name) + 8 * (size_t)nargs + 4);
  strcpy(s, name);
  strcat(s, "(");
  for (int i = 0; i < nargs; i++)
    strcat(s, i ? ", x" : "x");
  strcat(s, ")");
  return s;
}

static void t_arity(void **state) {
  const fn_case *c = *state;
  char *ok = call_src(c->name, c->arity);
  actjit_expr_free(fe_parse(g_ctx, ok, ACTJIT_NUL_TERMINATED));
  char *less = call_src(c->name, c->arity - 1);
  fe_expect(g_ctx, less, ACTJIT_NUL_TERMINATED, ACTJIT_EARITY, 0,
            strlen(c->name));
  if (c->check_more) {
    char *more = call_src(c->name, c->arity + 1);
    fe_expect(g_ctx, more, ACTJIT_NUL_TERMINATED, ACTJIT_EARITY, 0,
              strlen(c->name));
    free(more);
  }
  /* a built-in function's name used as a value is a parameter */
  char buf[64];
  snprintf(buf, sizeof buf, "1 + %s", c->name);
  actjit_expr *e = fe_parse(g_ctx, buf, ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_param_count(e), 1);
  assert_string_equal(actjit_param_name(e, 0), c->name);
  actjit_expr_free(e);
  free(ok);
  free(less);
}

static val_case builtin_vals[128];
static size_t n_builtin_vals;

static void add_bv(const char *src, double x, double want, int how) {
  val_case c = {src, x, want, how};
  if (n_builtin_vals == sizeof builtin_vals / sizeof builtin_vals[0])
    abort();
  builtin_vals[n_builtin_vals++] = c;
}

static void fill_builtin_vals(void) {
  add_bv("exp(x)", 0.7, exp(0.7), CLOSE);
  add_bv("exp2(x)", 0.7, exp2(0.7), CLOSE);
  add_bv("expm1(x)", 1e-5, expm1(1e-5), CLOSE);
  add_bv("log(x)", 2.5, log(2.5), CLOSE);
  add_bv("log2(x)", 2.5, log2(2.5), CLOSE);
  add_bv("log10(x)", 2.5, log10(2.5), CLOSE);
  add_bv("log1p(x)", 1e-5, log1p(1e-5), CLOSE);
  add_bv("sqrt(x)", 2, sqrt(2.0), CLOSE);
  add_bv("cbrt(x)", -27, -3, CLOSE);
  add_bv("abs(x)", -2.5, 2.5, EXACT);
  add_bv("sign(x)", -2.5, -1, EXACT);
  add_bv("sign(x)", 7, 1, EXACT);
  add_bv("sign(x)", 0.0, 0.0, EXACT);
  add_bv("sign(x)", -0.0, -0.0, EXACT);
  add_bv("sin(x)", 0.7, sin(0.7), CLOSE);
  add_bv("cos(x)", 0.7, cos(0.7), CLOSE);
  add_bv("tan(x)", 0.7, tan(0.7), CLOSE);
  add_bv("asin(x)", 0.3, asin(0.3), CLOSE);
  add_bv("acos(x)", 0.3, acos(0.3), CLOSE);
  add_bv("atan(x)", 0.3, atan(0.3), CLOSE);
  add_bv("atan2(x, 2)", 1, atan2(1.0, 2.0), CLOSE);
  add_bv("atan2(1, x)", -2, atan2(1.0, -2.0), CLOSE);
  add_bv("sinh(x)", 0.7, sinh(0.7), CLOSE);
  add_bv("cosh(x)", 0.7, cosh(0.7), CLOSE);
  add_bv("tanh(x)", 0.7, tanh(0.7), CLOSE);
  add_bv("asinh(x)", 0.7, asinh(0.7), CLOSE);
  add_bv("acosh(x)", 1.7, acosh(1.7), CLOSE);
  add_bv("atanh(x)", 0.3, atanh(0.3), CLOSE);
  add_bv("erf(x)", 0.7, erf(0.7), CLOSE);
  add_bv("erfc(x)", 0.7, erfc(0.7), CLOSE);
  add_bv("floor(x)", -2.5, -3, EXACT);
  add_bv("ceil(x)", -2.5, -2, EXACT);
  add_bv("round(x)", 2.5, 2, EXACT); /* half to even */
  add_bv("round(x)", -2.5, -2, EXACT);
  add_bv("round(x)", 3.5, 4, EXACT);
  add_bv("round(x)", 0.5, 0, EXACT);
  add_bv("round(x)", 2.6, 3, EXACT);
  add_bv("trunc(x)", -2.7, -2, EXACT);
  add_bv("min(x, 1)", 3, 1, EXACT);
  add_bv("max(x, 1)", 3, 3, EXACT);
  add_bv("clamp(x, 0, 1)", 0.3, 0.3, EXACT);
  add_bv("clamp(x, 0, 1)", -1, 0, EXACT);
  add_bv("clamp(x, 0, 1)", 2, 1, EXACT);
  add_bv("pow(x, 3)", 2, 8, EXACT);
  add_bv("pow(2, x)", 0.5, sqrt(2.0), CLOSE);
  add_bv("where(x, 1, 2)", 0, 2, EXACT);
  add_bv("sigmoid(x)", 0.7, 1 / (1 + exp(-0.7)), CLOSE);
  add_bv("sigmoid(x)", -1000, 0, EXACT); /* no overflow, no NaN */
  add_bv("sigmoid(x)", 1000, 1, EXACT);
  add_bv("log1pexp(x)", 0.7, log1p(exp(0.7)), CLOSE);
  add_bv("log1pexp(x)", 30, 30 + log1p(exp(-30.0)), CLOSE);
  add_bv("log1pexp(x) > 30", 30, 1, EXACT); /* exact: not linear at 30 */
  add_bv("log1pexp(x)", 1000, 1000, EXACT); /* no overflow */
  add_bv("log1pexp(x)", -1000, 0, EXACT);
  add_bv("log1pexp(x)", -30, log1p(exp(-30.0)), CLOSE);
  /* the prelude's softplus is torch's: linear above the threshold */
  add_bv("softplus(x)", 0.7, log1p(exp(0.7)), CLOSE);
  add_bv("softplus(x)", 30, 30, EXACT);
  add_bv("softplus(x)", 1000, 1000, EXACT);
  add_bv("softplus(x, 2)", 0.7, log1p(exp(1.4)) / 2, CLOSE);
  /* min/max are IEEE minimum/maximum: -0 < +0 */
  add_bv("max(x, 0)", -0.0, 0.0, EXACT);
  add_bv("max(0, x)", -0.0, 0.0, EXACT);
  add_bv("min(x, 0)", -0.0, -0.0, EXACT);
  add_bv("min(0, x)", -0.0, -0.0, EXACT);
  add_bv("max(-0, 0)", 0, 0.0, EXACT);
  add_bv("min(0, -0)", 0, -0.0, EXACT);
  add_bv("clamp(x, 0, 1)", -0.0, 0.0, EXACT);
  add_bv("clamp(x, -1, -0)", 0.0, -0.0, EXACT);
  add_bv("max(x, -inf)", -INFINITY, -INFINITY, EXACT);
  add_bv("hypot(x, 4)", 3, 5, EXACT);
}

/* ---- Structure: precedence and associativity -------------------------- */

typedef struct same_case {
  const char *a, *b;
} same_case;

/* {src, the same with every grouping written out} */
static const same_case prec[] = {
    {"-x^2", "-(x^2)"},
    {"2^3^2", "2^(3^2)"},
    {"x^y^z", "x^(y^z)"},
    {"1-2-3", "(1-2)-3"},
    {"x-y+z", "(x-y)+z"},
    {"x/y/z", "(x/y)/z"},
    {"x/y*z", "(x/y)*z"},
    {"x+y*z", "x+(y*z)"},
    {"x*y+z", "(x*y)+z"},
    {"x*y^z", "x*(y^z)"},
    {"-x*y", "(-x)*y"},
    {"x*-y", "x*(-y)"},
    {"2^-x", "2^(-x)"},
    {"x^-1", "x^(-1)"},
    {"2^-x^2", "2^(-(x^2))"},
    {"- -x", "-(-x)"},
    {"!x^2", "!(x^2)"},
    {"!x == y", "(!x) == y"},
    {"!x && y", "(!x) && y"},
    {"a ? b : c ? d : e", "a ? b : (c ? d : e)"},
    {"a ? b ? c : d : e", "a ? (b ? c : d) : e"},
    {"a || b ? c : d", "(a || b) ? c : d"},
    {"x ? y : z || w", "x ? y : (z || w)"},
    {"x + 1 ? 2 : 3", "(x + 1) ? 2 : 3"},
    {"x < 1 && x > 0 || x == 5", "((x < 1) && (x > 0)) || (x == 5)"},
    {"x || y && z", "x || (y && z)"},
    {"a && b || c && d", "(a && b) || (c && d)"},
    {"a && b && c", "(a && b) && c"}, /* judgement: left-assoc */
    {"a || b || c", "(a || b) || c"}, /* judgement: left-assoc */
    {"a + b < c * d", "(a + b) < (c * d)"},
    {"a < b && c", "(a < b) && c"},
    {"1 + 2 == 3", "(1 + 2) == 3"},
    {"x != y + 1", "x != (y + 1)"},
    {"-x < -y", "(-x) < (-y)"},
    {"a = x + 1; a * 2", "(x + 1) * 2"},
    {"exp(x)^2", "(exp(x))^2"},
    {"-exp(x)", "-(exp(x))"},
};

/* Hash-consing: structurally equal sources give the same root. */
static const same_case same[] = {
    {"x*2+1", "x * 2 + 1"},
    {"x+1", "1+x"},
    {"x*y", "y*x"},
    {"x*y*z", "z*(x*y)"},
    {"(x*y)*z", "(y*x)*z"},
    {"x + 1 + 2", "(1 + x) + 2"},
    {"(x)", "x"},
    {"((x+1))", "x+1"},
    {"x # c", "x"},
    {".5", "0.5"},
    {"1e0", "1"},
    {"0x1.8p3", "12"},
    {"2.50", "2.5"},
    {"0.1", "0.1000000000000000055511151231257827"},
    {"1e-999", "0"},
    {"a = x*x; a + a", "x*x + x*x"},
    {"f(u) = u*2; f(x)", "x*2"},
    {"f(u) = u*2; f(x+1)", "(x+1)*2"},
    {"f(u, k=3) = u*k; f(x)", "x*3"},
    {"k = 2; k*x", "2*x"},
    {"exp(u) = exp(u)*2; exp(x)", "exp(x)*2"},
    {"elu(x, alpha=0.5)", "elu(x, 0.5)"},
    {"mish", "mish(x)"},
    {"(mish)", "mish(x)"}, /* judgement: brackets around the bare name */
    {"relu", "relu(x)"},
    {"elu", "elu(x, alpha)"}, /* judgement: a parameter node is its name */
    {"sin", "sin(x)"},        /* judgement: a built-in as whole source */
    {"mish(u) = u*3; mish", "x*3"}, /* judgement */
    {"a*x", "x*a"},
};

static const same_case differ[] = {
    {"-0", "0"},
    {"a + b", "a - b"},
    {"x-1", "1-x"},
    {"x/2", "2/x"},
    {"x^2", "2^x"},
    {"x < 1", "1 < x"},
    {"atan2(x, 1)", "atan2(1, x)"},
    {"pow(x, 2)", "pow(2, x)"},
    {"x ? 1 : 2", "x ? 2 : 1"},
    {"x", "-x"},
    {"x+1", "x+1.0000000000000002"},
    {"(x+1)+2", "x+(1+2)"}, /* no reassociation */
    {"x*(y+z)", "x*y+x*z"},
    {"x", "y"},
    {"1+1", "2"}, /* parse does not fold */
    {"sin(x)", "cos(x)"},
    {"elu(x, 0.5)", "elu(x, 0.25)"},
    {"clamp(x, 0, 1)", "clamp(x, 1, 0)"},
    {"where(x, y, z)", "where(y, x, z)"},
};

static void check_same(const same_case *c, int want) {
  actjit_expr *a = fe_parse(g_ctx, c->a, ACTJIT_NUL_TERMINATED);
  actjit_expr *b = fe_parse(g_ctx, c->b, ACTJIT_NUL_TERMINATED);
  int got = actjit_expr_same(a, b);
  if (got != want) {
    char *pa = tu_print(a), *pb = tu_print(b);
    fail_msg("\"%s\" vs \"%s\": same=%d, want %d (printed: \"%s\" / \"%s\")",
             c->a, c->b, got, want, pa, pb);
  }
  assert_int_equal(actjit_expr_same(b, a), want);
  assert_int_equal(actjit_expr_same(a, a), 1);
  if (want)
    assert_int_equal(actjit_node_count(a), actjit_node_count(b));
  actjit_expr_free(a);
  actjit_expr_free(b);
}
static void t_same(void **state) { check_same(*state, 1); }
static void t_differ(void **state) { check_same(*state, 0); }

/* ---- Node counts (sharing) -------------------------------------------- */

typedef struct count_case {
  const char *src;
  size_t nodes;
} count_case;

static const count_case counts[] = {
    {"x", 1},
    {"x+x", 2},
    {"sin(x)+sin(x)", 3}, /* x, sin, + */
    {"x+x+x", 3},         /* x, x+x, (x+x)+x */
    {"x*2+1", 5},
    {"(x+1)*(x+1)", 4},
    {"(x+1)*(1+x)", 4}, /* commutative: one x+1 node */
    {"(x+1)*(x-1)", 5}, /* x, 1, +, -, * */
    {"a = x*x; a + a", 3},
    {"exp(x) - exp(x)", 3},
    {"1+1", 2},
    {"-0 + 0", 3},
    {"x + 1.0 + 1", 4},
    {"f(u) = u*u; f(f(x))", 3}, /* x, x*x, (x*x)*(x*x) */
    {"a*x + a", 4},
    {"where(x, x, x)", 2},
    {"clamp(x, 0, 1)", 4},
};

static void t_count(void **state) {
  const count_case *c = *state;
  actjit_expr *e = fe_parse(g_ctx, c->src, ACTJIT_NUL_TERMINATED);
  size_t n = actjit_node_count(e);
  actjit_expr_free(e);
  if (n != c->nodes)
    fail_msg("\"%s\": %zu nodes, want %zu", c->src, n, c->nodes);
}

/* ---- Parameters --------------------------------------------------------- */

static void t_param_order(void **state) {
  (void)state;
  actjit_expr *e = fe_parse(g_ctx, "b*x + a + c*b", ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_param_count(e), 3);
  assert_string_equal(actjit_param_name(e, 0), "b");
  assert_string_equal(actjit_param_name(e, 1), "a");
  assert_string_equal(actjit_param_name(e, 2), "c");
  assert_null(actjit_param_name(e, 3));
  assert_int_equal(actjit_param_index(e, "b"), 0);
  assert_int_equal(actjit_param_index(e, "a"), 1);
  assert_int_equal(actjit_param_index(e, "c"), 2);
  assert_int_equal(actjit_param_index(e, "zz"), -1);
  assert_int_equal(actjit_param_index(e, "x"), -1);
  assert_int_equal(actjit_param_index(e, ""), -1);
  double v = 42;
  assert_int_equal(actjit_param_default(e, 0, &v), 0);
  assert_int_equal(actjit_param_default(e, 2, &v), 0);
  assert_int_equal(actjit_param_default(e, 3, &v), 0);
  /* params[k] is parameter k: b=2, a=3, c=5 at x=7: 14 + 3 + 10 */
  double p[3] = {2, 3, 5}, x = 7, y = 0;
  actjit_error err;
  assert_int_equal(actjit_eval(e, p, &x, &y, 1, &err), ACTJIT_OK);
  assert_true(y == 27);
  actjit_expr_free(e);

  /* constants and x are not parameters; bindings and formals neither */
  static const struct {
    const char *src;
    size_t n;
    const char *names[3];
  } rows[] = {
      {"x", 0, {0}},
      {"pi*x + e + inf*0 + nan*0", 0, {0}},
      {"k = 2; k*x", 0, {0}},
      {"f(u) = u*2; f(x)", 0, {0}},
      {"f(u) = u*s; f(x) + t", 2, {"s", "t"}},
      {"z*(y + x) + y", 2, {"z", "y"}},
      {"elu(x, alpha=0.5)", 0, {0}},
      {"2*elu(x)", 0, {0}},
      {"elu(x, alpha=q)", 1, {"q"}},
      {"alpha*x + elu(x)", 1, {"alpha"}},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    e = fe_parse(g_ctx, rows[i].src, ACTJIT_NUL_TERMINATED);
    if (actjit_param_count(e) != rows[i].n)
      fail_msg("\"%s\": %zu parameters, want %zu", rows[i].src,
               actjit_param_count(e), rows[i].n);
    for (size_t k = 0; k < rows[i].n; k++)
      if (strcmp(actjit_param_name(e, k), rows[i].names[k]))
        fail_msg("\"%s\": parameter %zu is %s, want %s", rows[i].src, k,
                 actjit_param_name(e, k), rows[i].names[k]);
    actjit_expr_free(e);
  }
}

static void t_whole_source_functions(void **state) {
  (void)state;
  actjit_error err;
  double v = 0, x = -1, y = 0;
  /* elu: parameter alpha with default 1 */
  actjit_expr *e = fe_parse(g_ctx, "elu", ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_param_count(e), 1);
  assert_string_equal(actjit_param_name(e, 0), "alpha");
  assert_int_equal(actjit_param_index(e, "alpha"), 0);
  assert_int_equal(actjit_param_default(e, 0, &v), 1);
  assert_true(v == 1);
  double p = 0.5;
  assert_int_equal(actjit_eval(e, &p, &x, &y, 1, &err), ACTJIT_OK);
  assert_true(tu_close(y, 0.5 * expm1(-1.0), 1e-14, 0));
  assert_int_equal(actjit_eval(e, NULL, &x, &y, 1, &err), ACTJIT_OK);
  assert_true(tu_close(y, expm1(-1.0), 1e-14, 0));
  actjit_expr_free(e);

  /* mish: no parameters, the same as mish(x) */
  e = fe_parse(g_ctx, "mish", ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_param_count(e), 0);
  actjit_expr_free(e);

  /* threshold: two parameters without defaults */
  e = fe_parse(g_ctx, "threshold", ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_param_count(e), 2);
  assert_string_equal(actjit_param_name(e, 0), "threshold");
  assert_string_equal(actjit_param_name(e, 1), "value");
  assert_int_equal(actjit_param_default(e, 0, &v), 0);
  assert_int_equal(actjit_param_default(e, 1, &v), 0);
  memset(&err, 0x5a, sizeof err);
  x = 2;
  assert_int_equal(actjit_eval(e, NULL, &x, &y, 1, &err), ACTJIT_EUNBOUND);
  fe_check_shape("eval threshold", ACTJIT_EUNBOUND, &err, 9);
  assert_int_equal(err.offset, 0); /* judgement: the name "threshold" */
  assert_int_equal(err.length, 9);
  double tv[2] = {1, -5};
  double xs[3] = {2, 0.5, 1}, ys[3];
  assert_int_equal(actjit_eval(e, tv, xs, ys, 3, &err), ACTJIT_OK);
  assert_true(ys[0] == 2 && ys[1] == -5 && ys[2] == -5);
  actjit_expr_free(e);

  /* a helper name as the whole final expression: its other formals become
     parameters with their defaults (judgement: helpers behave like the
     prelude here) */
  e = fe_parse(g_ctx, "f(u, k=2) = u*k; f", ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_param_count(e), 1);
  assert_string_equal(actjit_param_name(e, 0), "k");
  assert_int_equal(actjit_param_default(e, 0, &v), 1);
  assert_true(v == 2);
  assert_true(fe_eval1(e, 3, "f") == 6);
  actjit_expr_free(e);
}

/* A function name in value position is a parameter of that name
** (semantics.md "Names"), except as the whole final expression. */
static void t_function_names_as_values(void **state) {
  (void)state;
  static const struct {
    const char *src;
    size_t n;
    const char *names[3];
  } rows[] = {
      {"1 + exp", 1, {"exp"}},
      {"2*elu", 1, {"elu"}},
      {"elu + 1", 1, {"elu"}},
      {"x * exp", 1, {"exp"}},
      {"-exp", 1, {"exp"}},
      {"+mish", 1, {"mish"}},
      {"f(u) = u; f + 1", 1, {"f"}},
      {"a = exp; a*x", 1, {"exp"}},
      {"softplus(x, beta, threshold)", 2, {"beta", "threshold"}},
      {"threshold(x, threshold, value)", 2, {"threshold", "value"}},
      {"x > threshold ? x : value", 2, {"threshold", "value"}},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    actjit_expr *e = fe_parse(g_ctx, rows[i].src, ACTJIT_NUL_TERMINATED);
    if (actjit_param_count(e) != rows[i].n)
      fail_msg("\"%s\": %zu parameters, want %zu", rows[i].src,
               actjit_param_count(e), rows[i].n);
    for (size_t k = 0; k < rows[i].n; k++)
      if (strcmp(actjit_param_name(e, k), rows[i].names[k]))
        fail_msg("\"%s\": parameter %zu is %s, want %s", rows[i].src, k,
                 actjit_param_name(e, k), rows[i].names[k]);
    /* printing round-trips */
    char *t = tu_print(e);
    actjit_expr *r = fe_parse(g_ctx, t, ACTJIT_NUL_TERMINATED);
    if (!actjit_expr_same(e, r))
      fail_msg("\"%s\" printed as \"%s\", which parses to another root",
               rows[i].src, t);
    actjit_free(t);
    actjit_expr_free(r);
    actjit_expr_free(e);
  }
  /* the whole-source threshold is the same as its call with parameters */
  actjit_expr *a = fe_parse(g_ctx, "threshold", ACTJIT_NUL_TERMINATED);
  actjit_expr *b =
      fe_parse(g_ctx, "threshold(x, threshold, value)", ACTJIT_NUL_TERMINATED);
  assert_true(actjit_expr_same(a, b));
  actjit_expr_free(a);
  actjit_expr_free(b);
  /* the whole-source softplus: beta=1 and threshold=20 as defaults */
  a = fe_parse(g_ctx, "softplus", ACTJIT_NUL_TERMINATED);
  double v = 0;
  assert_int_equal(actjit_param_count(a), 2);
  assert_string_equal(actjit_param_name(a, 0), "beta");
  assert_string_equal(actjit_param_name(a, 1), "threshold");
  assert_int_equal(actjit_param_default(a, 0, &v), 1);
  assert_true(v == 1);
  assert_int_equal(actjit_param_default(a, 1, &v), 1);
  assert_true(v == 20);
  assert_true(fe_eval1(a, 25, "softplus") == 25);
  actjit_expr_free(a);
  /* +mish prints as +mish; unbound, it hints at mish(x) */
  a = fe_parse(g_ctx, "+mish", ACTJIT_NUL_TERMINATED);
  char *t = tu_print(a);
  assert_string_equal(t, "+mish");
  actjit_free(t);
  actjit_error err;
  double x = 1, y;
  memset(&err, 0x5a, sizeof err);
  assert_int_equal(actjit_eval(a, NULL, &x, &y, 1, &err), ACTJIT_EUNBOUND);
  fe_check_shape("+mish", ACTJIT_EUNBOUND, &err, 5);
  assert_int_equal(err.offset, 1);
  assert_int_equal(err.length, 4);
  if (!strstr(err.message, "mish(x)"))
    fail_msg("EUNBOUND for +mish: no \"mish(x)\" hint in \"%s\"", err.message);
  actjit_expr_free(a);
}

static void t_eval_api(void **state) {
  (void)state;
  actjit_error err;
  actjit_expr *e = fe_parse(g_ctx, "x*2 + 1", ACTJIT_NUL_TERMINATED);
  /* y may alias x */
  double v[5] = {0, 1, 2, -3, 0.5};
  assert_int_equal(actjit_eval(e, NULL, v, v, 5, &err), ACTJIT_OK);
  assert_true(v[0] == 1 && v[1] == 3 && v[2] == 5 && v[3] == -5 && v[4] == 2);
  /* many points, each independent */
  double xs[1000], ys[1000];
  for (int i = 0; i < 1000; i++)
    xs[i] = i - 500.5;
  assert_int_equal(actjit_eval(e, NULL, xs, ys, 1000, &err), ACTJIT_OK);
  for (int i = 0; i < 1000; i++)
    assert_true(ys[i] == 2 * xs[i] + 1);
  actjit_expr_free(e);
  /* EUNBOUND names the first use of the parameter */
  e = fe_parse(g_ctx, "x*a + b", ACTJIT_NUL_TERMINATED);
  double x = 1, y = 0;
  memset(&err, 0x5a, sizeof err);
  assert_int_equal(actjit_eval(e, NULL, &x, &y, 1, &err), ACTJIT_EUNBOUND);
  fe_check_shape("eval x*a + b", ACTJIT_EUNBOUND, &err, 7);
  assert_int_equal(err.offset, 2);
  assert_int_equal(err.length, 1);
  double p[2] = {3, 4};
  assert_int_equal(actjit_eval(e, p, &x, &y, 1, &err), ACTJIT_OK);
  assert_true(y == 7);
  actjit_expr_free(e);
}

static void t_bind(void **state) {
  (void)state;
  actjit_error err;
  actjit_expr *e = fe_parse(g_ctx, "a*x + b", ACTJIT_NUL_TERMINATED);
  actjit_expr *e1 = NULL, *e2 = NULL;
  assert_int_equal(actjit_bind(e, "a", 2, &e1, &err), ACTJIT_OK);
  assert_int_equal(actjit_param_count(e1), 1);
  assert_string_equal(actjit_param_name(e1, 0), "b");
  assert_int_equal(actjit_param_index(e1, "a"), -1);
  double p = 3, x = 1, y = 0;
  assert_int_equal(actjit_eval(e1, &p, &x, &y, 1, &err), ACTJIT_OK);
  assert_true(y == 5);
  assert_int_equal(actjit_bind(e1, "b", 3, &e2, &err), ACTJIT_OK);
  assert_int_equal(actjit_param_count(e2), 0);
  x = 2;
  assert_int_equal(actjit_eval(e2, NULL, &x, &y, 1, &err), ACTJIT_OK);
  assert_true(y == 7);
  /* the original is unchanged */
  assert_int_equal(actjit_param_count(e), 2);
  /* unknown names: EUNKNOWN at 0+0, *out NULL */
  static const char *bad[] = {"zz", "x", "", "A", "ab"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    actjit_expr *o = (actjit_expr *)&err;
    memset(&err, 0x5a, sizeof err);
    actjit_status s = actjit_bind(e, bad[i], 1, &o, &err);
    if (s != ACTJIT_EUNKNOWN)
      fail_msg("bind \"%s\": %s, want EUNKNOWN", bad[i], actjit_status_name(s));
    assert_null(o);
    fe_check_shape("bind", s, &err, FE_ANY);
    assert_int_equal(err.offset, 0);
    assert_int_equal(err.length, 0);
  }
  /* bind(elu, alpha, 0.5) is simplify(elu(x, alpha=0.5)) (judgement: both
     simplify the same substituted DAG) */
  actjit_expr *elu = fe_parse(g_ctx, "elu", ACTJIT_NUL_TERMINATED);
  actjit_expr *kw = fe_parse(g_ctx, "elu(x, alpha=0.5)", ACTJIT_NUL_TERMINATED);
  actjit_expr *b = NULL, *s = NULL;
  assert_int_equal(actjit_bind(elu, "alpha", 0.5, &b, &err), ACTJIT_OK);
  assert_int_equal(actjit_simplify(kw, &s, &err), ACTJIT_OK);
  assert_int_equal(actjit_param_count(b), 0);
  assert_true(actjit_expr_same(b, s));
  double xs[4] = {-2, -0.5, 0, 3};
  for (int i = 0; i < 4; i++)
    assert_true(tu_same_double(fe_eval1(b, xs[i], "bound elu"),
                               fe_eval1(kw, xs[i], "elu kw")));
  actjit_expr_free(elu);
  actjit_expr_free(kw);
  actjit_expr_free(b);
  actjit_expr_free(s);
  /* threshold bound twice has no parameters left */
  actjit_expr *t = fe_parse(g_ctx, "threshold", ACTJIT_NUL_TERMINATED);
  actjit_expr *t1 = NULL, *t2 = NULL;
  assert_int_equal(actjit_bind(t, "value", -5, &t1, &err), ACTJIT_OK);
  assert_int_equal(actjit_param_count(t1), 1);
  assert_string_equal(actjit_param_name(t1, 0), "threshold");
  assert_int_equal(actjit_bind(t1, "threshold", 1, &t2, &err), ACTJIT_OK);
  assert_true(fe_eval1(t2, 0.5, "threshold bound") == -5);
  assert_true(fe_eval1(t2, 3, "threshold bound") == 3);
  actjit_expr_free(t);
  actjit_expr_free(t1);
  actjit_expr_free(t2);
  actjit_expr_free(e);
  actjit_expr_free(e1);
  actjit_expr_free(e2);
}

/* The length argument: explicit lengths cut the source; NUL_TERMINATED
** means strlen. */
static void t_lengths(void **state) {
  (void)state;
  actjit_expr *a = fe_parse(g_ctx, "x*2 garbage", 3);
  actjit_expr *b = fe_parse(g_ctx, "x*2", ACTJIT_NUL_TERMINATED);
  assert_true(actjit_expr_same(a, b));
  actjit_expr_free(a);
  actjit_expr_free(b);
  fe_expect(g_ctx, "x*2", 2, ACTJIT_EINCOMPLETE, 2, 0);
  fe_expect(g_ctx, "x*2", 0, ACTJIT_EINCOMPLETE, 0, 0);
}

int main(void) {
  /* rows whose wanted value needs libm */
  val_case *d = defs;
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
    if (d[i].how != CLOSE || d[i].want != 0)
      continue;
    if (!strncmp(d[i].src, "elu(x, ", 7) && strstr(d[i].src, "0.5"))
      d[i].want = 0.5 * expm1(-1.0);
    else if (!strcmp(d[i].src, "elu(x)") || !strcmp(d[i].src, "elu"))
      d[i].want = expm1(-1.0);
    else if (!strcmp(d[i].src, "2*elu(x)"))
      d[i].want = 2 * expm1(-1.0);
    else if (strstr(d[i].src, "mish") || strstr(d[i].src, "softplus"))
      d[i].want = tanh(log1p(exp(1.0)));
    else if (!strcmp(d[i].src, "tanh"))
      d[i].want = tanh(0.5);
  }
  fill_builtin_vals();

  fe_group g = {0};
#define ROWS(tab, prefix, fn)                                                  \
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)                      \
  fe_add(&g, fe_row_name(&g, prefix, tab[i].src, ACTJIT_NUL_TERMINATED), fn,   \
         (void *)&tab[i])
  ROWS(ops, "value", t_val);
  ROWS(nans, "nan", t_val);
  ROWS(defs, "defs", t_val);
  ROWS(seps, "separators", t_val);
  for (size_t i = 0; i < n_builtin_vals; i++)
    fe_add(
        &g,
        fe_row_name(&g, "builtin", builtin_vals[i].src, ACTJIT_NUL_TERMINATED),
        t_val, &builtin_vals[i]);
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
    fe_add(&g, fe_row_name(&g, "arity", fns[i].name, ACTJIT_NUL_TERMINATED),
           t_arity, (void *)&fns[i]);
  for (size_t i = 0; i < sizeof prec / sizeof prec[0]; i++)
    fe_add(&g, fe_row_name(&g, "precedence", prec[i].a, ACTJIT_NUL_TERMINATED),
           t_same, (void *)&prec[i]);
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
    fe_add(&g, fe_row_name(&g, "same", same[i].a, ACTJIT_NUL_TERMINATED),
           t_same, (void *)&same[i]);
  for (size_t i = 0; i < sizeof differ / sizeof differ[0]; i++)
    fe_add(&g, fe_row_name(&g, "differ", differ[i].a, ACTJIT_NUL_TERMINATED),
           t_differ, (void *)&differ[i]);
  ROWS(counts, "nodes", t_count);
#undef ROWS
  fe_add(&g, "parameters in order of first use", t_param_order, NULL);
  fe_add(&g, "whole-source function names", t_whole_source_functions, NULL);
  fe_add(&g, "function names as values", t_function_names_as_values, NULL);
  fe_add(&g, "eval api", t_eval_api, NULL);
  fe_add(&g, "bind", t_bind, NULL);
  fe_add(&g, "explicit lengths", t_lengths, NULL);
  setup_ctx(NULL);
  int rc = fe_run(&g, "parser");
  teardown_ctx(NULL);
  return rc;
}
