/*
** test_print.c: actjit_print.  Round trip (print, parse in the same
** context, same root) for a table of sources covering every construct,
** for random expressions, and for their simplified forms and derivatives;
** the exact text of clear cases (minimal parentheses, the canonical
** spacing); large DAGs printed with local bindings, still round-tripping,
** in text linear in the DAG's size.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof *(a))

/* Prints e, parses the text back in ctx and checks the root is the same.
** Returns 1 when it round-trips; prints the case otherwise. */
static int round_trips(actjit_ctx *ctx, const actjit_expr *e, const char *what,
                       const char *src) {
  char *text = tu_print(e);
  actjit_expr *back = NULL;
  actjit_error err;
  actjit_status st =
      actjit_parse(ctx, text, ACTJIT_NUL_TERMINATED, &back, &err);
  int ok = st == ACTJIT_OK && actjit_expr_same(e, back);
  if (!ok) {
    if (st != ACTJIT_OK)
      print_message("  %s of %s: printed \"%s\" does not parse: %s at %zu: "
                    "%s\n",
                    what, src, text, actjit_status_name(st), err.offset,
                    err.message);
    else {
      char *again = tu_print(back);
      print_message("  %s of %s: printed \"%s\" parses to another root "
                    "(printed again: \"%s\")\n",
                    what, src, text, again);
      actjit_free(again);
    }
  }
  actjit_expr_free(back);
  actjit_free(text);
  return ok;
}

/* Round trip of e, of simplify(e) and of d e/dx; returns the failures. */
static int round_trip_all(actjit_ctx *ctx, const char *src) {
  actjit_expr *e = tu_parse(ctx, src);
  int bad = !round_trips(ctx, e, "source", src);
  actjit_expr *s = NULL;
  actjit_error err;
  if (actjit_simplify(e, &s, &err) != ACTJIT_OK)
    fail_msg("simplify %s: %s", src, err.message);
  bad += !round_trips(ctx, s, "simplified", src);
  actjit_expr *d = tu_diff(e, "x");
  bad += !round_trips(ctx, d, "derivative", src);
  actjit_expr_free(d);
  actjit_expr_free(s);
  actjit_expr_free(e);
  return bad;
}

static const char *const sources[] = {
    /* the catalog */
    "relu",
    "relu6",
    "hardtanh",
    "leaky_relu",
    "prelu",
    "elu",
    "celu",
    "selu",
    "sigmoid",
    "tanh",
    "softplus",
    "silu",
    "swish",
    "mish",
    "gelu",
    "gelu_tanh",
    "softsign",
    "tanhshrink",
    "logsigmoid",
    "hardsigmoid",
    "hardswish",
    "hardshrink",
    "softshrink",
    "threshold",
    "rrelu",
    "squareplus",
    "quick_gelu",
    "elu(x, alpha=0.5)",
    "threshold(x, 1, -2)",
    "softplus(x, beta=2, threshold=10)",
    "x*tanh(softplus(x))",
    /* every construct */
    "x",
    "-x",
    "+x",
    "!x",
    "x + 1",
    "x - 1",
    "x*2",
    "x/2",
    "x^2",
    "x < 1",
    "x <= 1",
    "x > 1",
    "x >= 1",
    "x == 1",
    "x != 1",
    "x > 0 && x < 1",
    "x < 0 || x > 1",
    "x > 0 ? x : -x",
    "where(x > 0, x, 0)",
    "min(x, 1)",
    "max(x, 1)",
    "clamp(x, -1, 1)",
    "abs(x)",
    "sign(x)",
    "floor(x)",
    "ceil(x)",
    "round(x)",
    "trunc(x)",
    "exp(x) + exp2(x) + expm1(x)",
    "log(x) + log2(x) + log10(x) + log1p(x)",
    "sqrt(x) + cbrt(x)",
    "sin(x) + cos(x) + tan(x)",
    "asin(x) + acos(x) + atan(x)",
    "sinh(x) + cosh(x) + tanh(x)",
    "asinh(x) + acosh(x) + atanh(x)",
    "erf(x) + erfc(x)",
    "pow(x, 3)",
    "atan2(x, 2)",
    "hypot(x, 2)",
    "sigmoid(x) + softplus(x)",
    "log1pexp(x) - log1pexp(-x)",
    /* precedence and associativity */
    "-x^2",
    "(-x)^2",
    "2^3^2",
    "(2^3)^2",
    "a - (b - c)",
    "a - (b + c)",
    "(a - b) - c",
    "a/(b*c)",
    "a/(b/c)",
    "(a/b)/c",
    "a*(b/c)",
    "-(a + b)",
    "-(-x)",
    "--x",
    "!(!x)",
    "!x == 0",
    "!(x == 0)",
    "-(x*y)",
    "(-x)*y",
    "x - -y",
    "x + -y",
    "x*-y",
    "x^-y",
    "2^-x",
    "-2^x",
    "(-2)^x",
    "a ? b : c ? d : g",
    "(a ? b : c) ? d : g",
    "a ? (b ? c : d) : g",
    "a || b && c",
    "(a || b) && c",
    "(a < b) == c",
    "a < (b == c)",
    "(a + b)*(c - d)",
    "a + b*c",
    "(a + b)*c",
    "x ? y : z + 1",
    "(x ? y : z) + 1",
    "x - (y ? 1 : 2)",
    "-(x ? 1 : 2)",
    "(x > 0) + (x < 0)",
    "(x && y) < 1",
    "!x^2",
    "(!x)^2",
    "-x*y",
    "x/-y",
    "(x*y)^2",
    "x^(y*2)",
    "(x + 1)^(x - 1)",
    "-(x^y)^z",
    /* constants */
    "-1",
    "-2.5*x",
    "x*-1",
    "x^-1",
    "-1e300",
    "-0",
    "inf",
    "-inf",
    "nan",
    "1e-300",
    "0.1",
    "5e-324",
    "1.7976931348623157e308",
    "0x1.8p3",
    "0x1p-1074",
    "1/3",
    "pi",
    "e",
    "2*pi*x",
    "x + e",
    "0.1 + 0.2",
    "2*3 + x",
    "x*(1 - 1)",
    "-(1)",
    "-(-(2))",
    /* parameters, helpers, locals */
    "p*x + q",
    "elu(x, alpha=p)",
    "x > p ? x : q",
    "p^x + x^q",
    "f(u) = u*sigmoid(u); f(x) + f(2*x)",
    "t = tanh(x); t*t + t",
};

static void test_print_round_trip_table(void **state) {
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(sources); i++)
    bad += round_trip_all(ctx, sources[i]);
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

static void test_print_round_trip_random(void **state) {
  actjit_ctx *ctx = tu_ctx();
  uint64_t seed = 0x9121;
  int bad = 0;
  for (int i = 0; i < 2000; i++) {
    char *src = tu_random_expr(&seed, 1 + i % 5, i % 4 == 0);
    if (bad < 20)
      bad += round_trip_all(ctx, src);
    free(src);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* The exact printed text where the minimal form is clear. */
static void test_print_exact(void **state) {
  static const struct {
    const char *src, *text;
  } t[] = {
      /* the canonical order puts commuted operands as the printer shows
      ** (compound first for + and *, ...); parentheses only where needed */
      {"(x)", "x"},
      {"((x+1))*2", "2*(x + 1)"},
      {"x+1", "x + 1"},
      {"-(x^2)", "-x^2"},
      {"-x^2", "-x^2"},
      {"(-x)^2", "(-x)^2"},
      {"(-x)^y", "(-x)^y"},
      {"2^(3^2)", "2^3^2"},
      {"(2^3)^2", "(2^3)^2"},
      {"x^y^z", "x^y^z"},
      {"(x^y)^z", "(x^y)^z"},
      {"-(x^y)^z", "-(x^y)^z"},
      {"-2^x", "-2^x"},
      {"(-2)^x", "(-2)^x"},
      {"x^(-1)", "x^-1"},
      {"2^-x", "2^-x"},
      {"a-(b-c)", "a - (b - c)"},
      {"a-(b+c)", "a - (c + b)"},
      {"(a-b)-c", "a - b - c"},
      {"x-(-1)", "x - -1"},
      {"-(x-y)", "-(x - y)"},
      {"-(a+b)", "-(a + b)"},
      {"x/y/z", "x/y/z"},
      {"x/(y/z)", "x/(y/z)"},
      {"x*(y/z)", "x*(y/z)"},
      {"(x-1)/(x+1)", "(x - 1)/(x + 1)"},
      {"1/(2*x)", "1/(2*x)"},
      {"x - (y*z)", "x - z*y"},
      {"(-a)*b", "b*-a"},
      {"exp(-x)", "exp(-x)"},
      {"-(-x)", "- -x"},
      {"!(!x)", "! !x"},
      {"!(x<1)", "!(x < 1)"},
      {"!x<1", "!x < 1"},
      {"x<1", "x < 1"},
      {"x <= y", "x <= y"},
      {"(x>0)&&(x<1)", "x > 0 && x < 1"},
      {"(a||b)&&c", "c && (a || b)"},
      {"a||(b&&c)", "a || c && b"},
      {"(x > 0) + 1", "(x > 0) + 1"},
      {"x>0?x:0", "x > 0 ? x : 0"},
      {"where(x>0,x,0)", "x > 0 ? x : 0"},
      {"a?b:(c?d:g)", "a ? b : c ? d : g"},
      {"(a?b:c)?d:g", "(a ? b : c) ? d : g"},
      {"(a?b:c)+1", "(a ? b : c) + 1"},
      {"a?b:c+1", "a ? b : c + 1"},
      {"-(x ? 1 : 2)", "-(x ? 1 : 2)"},
      {"clamp(x,-1,1)", "clamp(x, -1, 1)"},
      {"p*x", "p*x"},
      {"1e-300", "1e-300"},
      {"0.1", "0.1"},
      {"-0", "-0"},
      {"inf", "inf"},
      {"-inf", "-inf"},
      {"nan", "nan"},
      {"5e-324", "5e-324"},
      {"0x1.8p3", "12"},
      {"1/3", "1/3"},
  };
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(t); i++) {
    actjit_expr *e = tu_parse(ctx, t[i].src);
    char *text = tu_print(e);
    if (strcmp(text, t[i].text) != 0) {
      print_message("  %s printed \"%s\", want \"%s\"\n", t[i].src, text,
                    t[i].text);
      bad++;
    }
    actjit_free(text);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* Large DAGs: local bindings, still a round trip, text linear in size. */
static void check_large(actjit_ctx *ctx, const actjit_expr *e,
                        const char *what) {
  char *text = tu_print(e);
  size_t len = strlen(text), n = actjit_node_count(e);
  print_message("  %s: %zu nodes, %zu bytes of text\n", what, n, len);
  if (!strchr(text, '=') || !strchr(text, ';'))
    fail_msg("%s printed without local bindings: %.200s...", what, text);
  if (len > 64 * n + 256)
    fail_msg("%s: %zu bytes of text for %zu nodes", what, len, n);
  actjit_free(text);
  assert_true(round_trips(ctx, e, what, what));
}

static void test_print_large_dags(void **state) {
  actjit_ctx *ctx = tu_ctx();
  /* the derivative of 12 nested swish */
  char src[1024] = "";
  for (int i = 0; i < 12; i++)
    strcat(src, "swish(");
  strcat(src, "x");
  for (int i = 0; i < 12; i++)
    strcat(src, ")");
  actjit_expr *e = tu_parse(ctx, src);
  actjit_expr *d = tu_diff(e, "x");
  check_large(ctx, d, "d/dx of 12 nested swish");
  actjit_expr *d2 = tu_diff(d, "x");
  check_large(ctx, d2, "d2/dx2 of 12 nested swish");
  actjit_expr_free(d2);
  actjit_expr_free(d);
  actjit_expr_free(e);

  /* a DAG whose tree is 2^40 nodes */
  char big[4096] = "u0 = x\n";
  for (int i = 1; i <= 40; i++)
    sprintf(big + strlen(big), "u%d = u%d*u%d + sin(u%d)\n", i, i - 1, i - 1,
            i - 1);
  strcat(big, "u40");
  e = tu_parse(ctx, big);
  assert_true(actjit_node_count(e) < 200);
  check_large(ctx, e, "u_{i+1} = u_i*u_i + sin(u_i), 40 levels");
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* Printing does not depend on the expression's parameter defaults and
** names the parameters as the source did. */
static void test_print_params(void **state) {
  actjit_ctx *ctx = tu_ctx();
  actjit_expr *e = tu_parse(ctx, "elu");
  char *text = tu_print(e);
  if (!strstr(text, "alpha"))
    fail_msg("elu printed as %s", text);
  actjit_expr *back = tu_parse(ctx, text);
  assert_true(actjit_expr_same(e, back));
  assert_int_equal(actjit_param_count(back), 1);
  assert_string_equal(actjit_param_name(back, 0), "alpha");
  actjit_expr_free(back);
  actjit_free(text);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* A parameter named like a function (torch's own names collide:
** softplus's `threshold`, threshold's `threshold`) round-trips, and prints
** as `+name` when it is the whole expression (semantics.md). */
static void test_print_function_named_params(void **state) {
  static const char *const srcs[] = {
      "x*threshold + value",
      "threshold",
      "softplus",
      "exp*x + sin",
      "x > threshold ? x : value",
      "softplus(x, threshold=threshold)",
  };
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(srcs); i++)
    bad += round_trip_all(ctx, srcs[i]);
  assert_int_equal(bad, 0);
  actjit_expr *e = tu_parse(ctx, "x*threshold");
  actjit_expr *d = tu_diff(e, "x");
  char *text = tu_print(d);
  assert_string_equal(text, "+threshold");
  actjit_expr *back = tu_parse(ctx, text);
  assert_true(actjit_expr_same(d, back));
  assert_int_equal(actjit_param_count(back), 1);
  assert_string_equal(actjit_param_name(back, 0), "threshold");
  actjit_expr_free(back);
  actjit_free(text);
  actjit_expr_free(d);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_print_round_trip_table),
      cmocka_unit_test(test_print_round_trip_random),
      cmocka_unit_test(test_print_exact),
      cmocka_unit_test(test_print_large_dags),
      cmocka_unit_test(test_print_params),
      cmocka_unit_test(test_print_function_named_params),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
