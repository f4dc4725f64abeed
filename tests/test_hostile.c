/*
** test_hostile.c: the hostile-input corpus (reliability.md): deep nesting
** each way, 1 MiB inputs, NUL bytes, invalid UTF-8, huge and odd
** literals, unknown names, wrong arity, recursion through helpers, empty
** and blank sources, very long identifiers, 10k-parameter sources,
** exponential trees with small DAGs.  Each named case gives its expected
** code (and offset/length where meaningful) with default limits, and
** nothing crashes.  Accepted sources are also evaluated, simplified,
** differentiated and printed.  Every case must finish quickly.
*/
#include "fe_check.h"

#define MIB ((size_t)1 << 20)

typedef struct hcase {
  const char *name;
  const char *src;           /* a fixed source ... */
  size_t len;                /* its length (0: strlen) */
  char *(*gen)(size_t *len); /* ... or a generated one (malloc'd) */
  actjit_status code;
  size_t off, elen; /* FE_ANY: not checked */
  int value;        /* 1: check the value at x */
  double x, want;
  void (*post)(actjit_expr *e); /* extra checks on an accepted source */
} hcase;

/* ---- Generators -------------------------------------------------------- */

static char *rep(size_t *len, const char *pre, const char *mid, size_t n,
                 const char *post) {
  char *s = fe_repeat(pre, mid, n, post);
  *len = strlen(s);
  return s;
}
static char *g_nuls(size_t *len) {
  char *s = calloc(1000, 1);
  *len = 1000;
  return s;
}
static char *g_lit513(size_t *len) { return rep(len, "1.", "0", 511, ""); }
static char *g_lit512_big(size_t *len) { return rep(len, "1", "0", 511, ""); }
static char *g_lit512_tiny(size_t *len) {
  return rep(len, "0.", "0", 509, "1");
}
static char *g_lit512_exp(size_t *len) { return rep(len, "1e", "0", 510, ""); }
static char *g_nines400(size_t *len) { return rep(len, "", "9", 400, ""); }
static char *g_long_ident(size_t *len) {
  return rep(len, "x*", "a", 100000, "");
}
static char *g_long_unknown(size_t *len) {
  return rep(len, "", "b", 10000, "(x)");
}
static char *g_parens257(size_t *len) {
  return rep(len, "", "(", 257, "x))))");
}
static char *g_parens256(size_t *len) {
  char *s = fe_repeat("", "(", 256, "x");
  char *t = fe_repeat(s, ")", 256, "");
  free(s);
  *len = strlen(t);
  return t;
}
static char *g_parens10k(size_t *len) { return rep(len, "", "(", 10000, "x"); }
static char *g_minus100k(size_t *len) { return rep(len, "", "-", 100000, "x"); }
static char *g_minus255(size_t *len) { return rep(len, "", "-", 255, "x"); }
static char *g_not100k(size_t *len) { return rep(len, "", "!", 100000, "x"); }
static char *g_pow10k(size_t *len) { return rep(len, "x", "^x", 10000, ""); }
static char *g_plus100k(size_t *len) { return rep(len, "x", "+x", 100000, ""); }
static char *g_mul100k(size_t *len) { return rep(len, "x", "*x", 100000, ""); }
static char *g_select300(size_t *len) { return rep(len, "", "x?x:", 300, "x"); }
static char *g_calls300(size_t *len) {
  char *s = fe_repeat("", "exp(", 300, "x");
  char *t = fe_repeat(s, ")", 300, "");
  free(s);
  *len = strlen(t);
  return t;
}
static char *g_unclosed300(size_t *len) { return rep(len, "", "(", 300, ""); }
static char *g_unclosed200(size_t *len) { return rep(len, "", "(", 200, "x"); }
static char *g_closers100k(size_t *len) {
  return rep(len, "", ")", 100000, "");
}
static char *g_negparen300(size_t *len) { return rep(len, "", "-(", 300, "x"); }
static char *g_input_1mib_1(size_t *len) { return rep(len, "x", " ", MIB, ""); }
static char *g_input_2mib(size_t *len) {
  return rep(len, "x", " ", 2 * MIB - 1, "");
}
static char *g_input_1mib_comment(size_t *len) {
  return rep(len, "x #", "c", MIB - 3, "");
}
static char *g_newlines_1mib(size_t *len) {
  return rep(len, "", "\n", MIB - 1, "x");
}
static char *g_semis100k(size_t *len) { return rep(len, "", ";", 100000, "x"); }
static char *g_long_comment(size_t *len) {
  return rep(len, "# ", "c", 500000, "\nx");
}
static char *g_bindings10k(size_t *len) {
  size_t cap = 10000 * 32;
  char *s = malloc(cap);
  size_t n = (size_t)snprintf(s, cap, "a0 = x\n");
  for (int i = 1; i < 10000; i++)
    n += (size_t)snprintf(s + n, cap - n, "a%d = a%d\n", i, i - 1);
  n += (size_t)snprintf(s + n, cap - n, "a9999*2");
  *len = n;
  return s;
}
static char *g_helpers2k(size_t *len) {
  size_t cap = 2000 * 40;
  char *s = malloc(cap);
  size_t n = (size_t)snprintf(s, cap, "f0(u) = u\n");
  for (int i = 1; i < 2000; i++)
    n += (size_t)snprintf(s + n, cap - n, "f%d(u) = f%d(u)\n", i, i - 1);
  n += (size_t)snprintf(s + n, cap - n, "f1999(x)*2");
  *len = n;
  return s;
}
/* p0 + p1 + ... + p9999 as a balanced tree */
static void bal_params(char *s, size_t *n, int lo, int hi) {
  if (lo == hi) {
    *n += (size_t)sprintf(s + *n, "p%d", lo);
    return;
  }
  int mid = lo + (hi - lo) / 2;
  s[(*n)++] = '(';
  bal_params(s, n, lo, mid);
  s[(*n)++] = '+';
  bal_params(s, n, mid + 1, hi);
  s[(*n)++] = ')';
}
static char *g_params10k(size_t *len) {
  char *s = malloc(10000 * 12);
  size_t n = 0;
  bal_params(s, &n, 0, 9999);
  s[n] = 0;
  *len = n;
  return s;
}
/* x*x, squared 16 times by nesting: 65536 x's, 17 DAG nodes */
static void bal_square(char *s, size_t *n, int levels) {
  if (levels == 0) {
    s[(*n)++] = 'x';
    return;
  }
  s[(*n)++] = '(';
  bal_square(s, n, levels - 1);
  s[(*n)++] = '*';
  bal_square(s, n, levels - 1);
  s[(*n)++] = ')';
}
static char *g_square16(size_t *len) {
  char *s = malloc((size_t)65536 * 5);
  size_t n = 0;
  bal_square(s, &n, 16);
  s[n] = 0;
  *len = n;
  return s;
}
static char *g_max10k(size_t *len) {
  return rep(len, "max(", "x,", 10000, "x)");
}
static char *g_dup_kw(size_t *len) {
  return rep(len, "elu(x", ", alpha=1", 1000, ")");
}

/* helpers doubling the tree at each level */
static const char helpers_height[] =
    "f1(u) = -(-u)\n"
    "f2(u) = f1(f1(u))\nf3(u) = f2(f2(u))\nf4(u) = f3(f3(u))\n"
    "f5(u) = f4(f4(u))\nf6(u) = f5(f5(u))\nf7(u) = f6(f6(u))\n"
    "f8(u) = f7(f7(u))\nf9(u) = f8(f8(u))\nf9(x)";
static const char helpers_exp_tree[] =
    "h1(u) = u*u\n"
    "h2(u) = h1(h1(u))\nh3(u) = h2(h2(u))\nh4(u) = h3(h3(u))\n"
    "h5(u) = h4(h4(u))\nh6(u) = h5(h5(u))\nh7(u) = h6(h6(u))\n"
    "h7(x) + h6(x) + h5(x)";
static const char helpers_mixed[] =
    "s1(u) = u + sin(u)\n"
    "s2(u) = s1(s1(u))\ns3(u) = s2(s2(u))\ns4(u) = s3(s3(u))\n"
    "s5(u) = s4(s4(u))\ns5(x)";

/* ---- Extra checks on accepted sources ------------------------------------ */

static void p_long_ident(actjit_expr *e) {
  assert_int_equal(actjit_param_count(e), 1);
  assert_int_equal(strlen(actjit_param_name(e, 0)), 100000);
}
static void p_params10k(actjit_expr *e) {
  assert_int_equal(actjit_param_count(e), 10000);
  assert_string_equal(actjit_param_name(e, 0), "p0");
  assert_string_equal(actjit_param_name(e, 5000), "p5000");
  assert_string_equal(actjit_param_name(e, 9999), "p9999");
  assert_int_equal(actjit_param_index(e, "p1234"), 1234);
  assert_int_equal(actjit_param_index(e, "p10000"), -1);
  assert_int_equal(actjit_node_count(e), 19999);
  static double p[10000];
  for (int i = 0; i < 10000; i++)
    p[i] = i;
  double x = 0, y = 0;
  actjit_error err;
  assert_int_equal(actjit_eval(e, p, &x, &y, 1, &err), ACTJIT_OK);
  assert_true(y == 49995000.0);
  /* unbound: the first use of p0, right after the opening brackets */
  assert_int_equal(actjit_eval(e, NULL, &x, &y, 1, &err), ACTJIT_EUNBOUND);
  assert_int_equal(err.length, 2);
  assert_int_equal(err.offset, 14); /* bal(0..9999) opens 14 brackets */
}
static void p_square16(actjit_expr *e) {
  assert_int_equal(actjit_node_count(e), 17);
}
static void p_exp_tree(actjit_expr *e) {
  assert_true(actjit_node_count(e) <= 70 + 10);
}
static void p_unbound(actjit_expr *e) {
  assert_int_equal(actjit_param_count(e), 1);
}

#define FIX(name, src, code, off, elen)                                        \
  { name, src, 0, NULL, ACTJIT_##code, off, elen, 0, 0, 0, NULL }
#define FIXN(name, src, len, code, off, elen)                                  \
  { name, src, len, NULL, ACTJIT_##code, off, elen, 0, 0, 0, NULL }
#define GEN(name, gen, code, off, elen)                                        \
  { name, NULL, 0, gen, ACTJIT_##code, off, elen, 0, 0, 0, NULL }
#define OKV(name, src, x, want)                                                \
  { name, src, 0, NULL, ACTJIT_OK, 0, 0, 1, x, want, NULL }
#define OKG(name, gen, x, want, post)                                          \
  { name, NULL, 0, gen, ACTJIT_OK, 0, 0, 1, x, want, post }
#define OKGN(name, gen, post)                                                  \
  { name, NULL, 0, gen, ACTJIT_OK, 0, 0, 0, 0, 0, post }
#define ANY FE_ANY

static const hcase cases[] = {
    /* ---- empty and blank ---- */
    FIX("empty", "", EINCOMPLETE, 0, 0),
    FIX("only spaces", "    ", EINCOMPLETE, 4, 0),
    FIX("only a comment", "# nothing here", EINCOMPLETE, 14, 0),
    FIX("only newlines", "\n\n\n", EINCOMPLETE, 3, 0),
    FIX("only semicolons", ";;;", EINCOMPLETE, 3, 0), /* judgement */
    FIX("comments and separators", "# a\n;\n# b\n;", EINCOMPLETE, 11, 0),
    FIX("tabs and CRs", "\t\r\n\t", EINCOMPLETE, 4, 0),
    /* ---- NUL bytes ---- */
    FIXN("NUL first", "\0x", 2, ECHAR, 0, 1),
    FIXN("NUL after operator", "x+\0", 3, ECHAR, 2, 1),
    FIXN("NUL at the end", "x\0", 2, ECHAR, 1, 1),
    FIXN("NUL in a comment", "x # a\0b", 7, ECHAR, 5, 1), /* judgement */
    FIXN("NUL then garbage", "x\0@@@", 5, ECHAR, 1, 1),
    GEN("1000 NULs", g_nuls, ECHAR, 0, 1),
    /* ---- invalid UTF-8, non-ASCII outside comments ---- */
    FIX("lone continuation byte", "\x80", ECHAR, 0, 1),
    FIX("truncated sequence at the end", "x+\xc3", ECHAR, 2, 1),
    FIX("overlong in a comment", "# \xc0\xaf", ECHAR, 2, 1), /* judgement */
    FIX("surrogate in a comment", "# \xed\xa0\x80", ECHAR, 2, 1),
    FIX("above U+10FFFF in a comment", "# \xf4\x90\x80\x80", ECHAR, 2, 1),
    FIX("5-byte form in a comment", "# \xf8\x88\x80\x80\x80", ECHAR, 2, 1),
    FIX("0xfe 0xff in a comment", "# \xfe\xff", ECHAR, 2, 1),
    FIX("bad byte after a good comment", "x + # caf\xc3\xa9\n \xff", ECHAR, 13,
        1),
    FIX("byte-order mark", "\xef\xbb\xbfx", ECHAR, 0, 3),
    FIX("emoji in code", "x*\xf0\x9f\x98\x80", ECHAR, 2, 4),
    FIX("Greek identifier", "\xce\xb1*x", ECHAR, 0, 2),
    OKV("UTF-8 in a comment", "x # \xce\xb1\xce\xb2 \xe2\x82\xac", 3, 3),
    /* ---- control characters ---- */
    FIX("form feed", "x\x0c+1", ECHAR, 1, 1),
    FIX("ANSI escape", "\x1b[31mx", ECHAR, 0, 1),
    FIX("DEL", "x\x7f", ECHAR, 1, 1), /* judgement */
    OKV("CR as a blank", "x\r+\r1", 2, 3),
    /* ---- literals ---- */
    FIX("1e999", "1e999", ENUMBER, 0, 5),
    FIX("-1e999", "-1e999", ENUMBER, 1, 5),
    OKV("1e-999 is 0", "1e-999", 0, 0),
    OKV("1e-400 is 0", "x*0 + 1e-400", 1, 0),
    OKV("smallest subnormal", "4.9e-324", 0, 4.9406564584124654e-324),
    FIX("hex overflow", "0x1p1024", ENUMBER, 0, 8),
    OKV("hex underflow", "0x1p-1080", 0, 0),
    OKV("inf from arithmetic", "1e308*10", 0, INFINITY),
    FIX("just above DBL_MAX", "1.7976931348623159e308", ENUMBER, 0, 22),
    OKV("DBL_MAX", "1.7976931348623157e308", 0, 1.7976931348623157e308),
    GEN("513-char literal", g_lit513, ELIMIT_LITERAL, 0, 513),
    GEN("512 digits overflow", g_lit512_big, ENUMBER, 0, 512),
    OKG("512-char tiny literal", g_lit512_tiny, 0, 0, NULL),
    OKG("512-char exponent 1e000...0", g_lit512_exp, 0, 1, NULL),
    GEN("400 nines", g_nines400, ENUMBER, 0, 400),
    OKV("1e+0000", "1e+0000", 0, 1),
    OKV("leading zeros", "00012", 0, 12),
    FIX("0x alone", "0x", ENUMBER, 0, 2),           /* judgement */
    FIX("digit separator", "1_000", ENUMBER, 0, 5), /* judgement */
    OKV("inf - inf", "inf - inf", 0, NAN),
    /* ---- names, arity, keywords ---- */
    FIX("unknown function", "foo(x)", EUNKNOWN, 0, 3),
    FIX("unknown function deep inside", "exp(sin(bogus(x)))", EUNKNOWN, 8, 5),
    {"unknown value is a parameter", "bogus*x", 0, NULL, ACTJIT_OK, 0, 0, 0, 0,
     0, p_unbound},
    OKGN("100000-char identifier", g_long_ident, p_long_ident),
    GEN("10000-char unknown function", g_long_unknown, EUNKNOWN, 0, 10000),
    OKGN("10000 parameters", g_params10k, p_params10k),
    FIX("too many arguments", "exp(x, x)", EARITY, 0, 3),
    FIX("too few arguments", "where(x)", EARITY, 0, 5),
    GEN("10001 arguments to max", g_max10k, EARITY, 0, 3), /* judgement */
    FIX("keyword to a built-in", "sin(x=1)", EKEYWORD, 4, 1),
    GEN("1000 duplicate keywords", g_dup_kw, EKEYWORD, 16, 5),
    FIX("redefine nan", "nan = 1; x", EREDEFINE, 0, 3),
    FIX("redefine x", "x = x; x", EREDEFINE, 0, 1),
    FIX("redefine e", "e = 1; e", EREDEFINE, 0, 1),
    {"function name as value is a parameter", "mish + mish", 0, NULL, ACTJIT_OK,
     0, 0, 0, 0, 0, p_unbound},
    /* ---- recursion ---- */
    FIX("direct recursion", "f(u) = f(u); f(x)", ERECURSION, 7, 1),
    FIX("recursion through a helper", "g(u) = u; f(u) = g(f(u)); f(x)",
        ERECURSION, 19, 1),
    FIX("mutual recursion", "f(u) = g(u); g(u) = f(u); f(x)", EUNKNOWN, 7, 1),
    OKV("shadowing is not recursion", "relu(u) = relu(u)*2; relu(x)", 3, 6),
    /* ---- nesting and depth (default 256) ---- */
    OKG("256 parens", g_parens256, 2, 2, NULL),
    GEN("257 parens", g_parens257, ELIMIT_DEPTH, 256, 1),
    GEN("10000 parens", g_parens10k, ELIMIT_DEPTH, 256, 1),
    OKG("255 minus signs", g_minus255, 2, -2, NULL),
    GEN("100000 minus signs", g_minus100k, ELIMIT_DEPTH, ANY, ANY),
    GEN("100000 nots", g_not100k, ELIMIT_DEPTH, ANY, ANY),
    GEN("10000 right-assoc powers", g_pow10k, ELIMIT_DEPTH, ANY, ANY),
    GEN("100000 left-assoc plus", g_plus100k, ELIMIT_DEPTH, 511, 1),
    GEN("100000 left-assoc times", g_mul100k, ELIMIT_DEPTH, 511, 1),
    GEN("300 nested selects", g_select300, ELIMIT_DEPTH, ANY, ANY),
    GEN("300 nested calls", g_calls300, ELIMIT_DEPTH, ANY, ANY),
    GEN("300 unclosed parens", g_unclosed300, ELIMIT_DEPTH, 256, 1),
    GEN("200 unclosed parens", g_unclosed200, EUNBALANCED, 199, 1),
    GEN("100000 closing parens", g_closers100k, EUNBALANCED, 0, 1),
    FIX("lone open paren", "(", EUNBALANCED, 0, 1),
    GEN("300 of -(", g_negparen300, ELIMIT_DEPTH, 513, 1),
    /* judgement: the height of the inlined tree counts */
    FIX("height through helpers", helpers_height, ELIMIT_DEPTH, ANY, ANY),
    {"exponential tree, small DAG (helpers)", helpers_exp_tree, 0, NULL,
     ACTJIT_OK, 0, 0, 1, 1, 3, p_exp_tree},
    OKV("exponential tree with sin (helpers)", helpers_mixed, 0, 0),
    OKG("65536 x's squared, 17 nodes", g_square16, 1, 1, p_square16),
    /* ---- size ---- */
    GEN("1 MiB + 1", g_input_1mib_1, ELIMIT_INPUT, MIB, 1),
    GEN("2 MiB", g_input_2mib, ELIMIT_INPUT, MIB, MIB),
    OKG("exactly 1 MiB, mostly comment", g_input_1mib_comment, 2, 2, NULL),
    OKG("1 MiB of newlines", g_newlines_1mib, 2, 2, NULL),
    OKG("100000 semicolons", g_semis100k, 2, 2, NULL), /* judgement */
    OKG("500 KB comment line", g_long_comment, 2, 2, NULL),
    OKG("10000 chained bindings", g_bindings10k, 2, 4, NULL),
    OKG("2000 chained helpers", g_helpers2k, 2, 4, NULL), /* judgement */
    OKV("sign soup", "+-+-+-x", 2, -2),
};

static void t_case(void **state) {
  const hcase *c = &cases[(size_t)(uintptr_t)*state - 1];
  size_t len = 0;
  char *owned = NULL;
  const char *src = c->src;
  if (c->gen) {
    owned = c->gen(&len);
    src = owned;
  } else {
    if (!src)
      fail_msg("TABLE BUG: %s has no source", c->name);
    len = c->len ? c->len : strlen(src);
  }
  actjit_ctx *ctx = tu_ctx();
  if (c->code != ACTJIT_OK) {
    fe_expect(ctx, src, len, c->code, c->off, c->elen);
  } else {
    actjit_expr *e = fe_parse(ctx, src, len);
    actjit_error err;
    if (c->value) {
      double y = fe_eval1(e, c->x, c->name);
      if (!tu_same_double(y, c->want))
        fail_msg("%s: value %.17g at x=%g, want %.17g", c->name, y, c->x,
                 c->want);
    }
    if (c->post)
      c->post(e);
    /* the other passes cope too */
    actjit_expr *s = NULL, *d = NULL;
    actjit_status st = actjit_simplify(e, &s, &err);
    if (st != ACTJIT_OK && st != ACTJIT_ELIMIT_NODES)
      fail_msg("%s: simplify: %s", c->name, err.message);
    st = actjit_diff(e, "x", &d, &err);
    if (st != ACTJIT_OK && st != ACTJIT_ELIMIT_NODES)
      fail_msg("%s: diff: %s", c->name, err.message);
    char *text = NULL;
    st = actjit_print(e, &text, &err);
    if (st != ACTJIT_OK)
      fail_msg("%s: print: %s", c->name, err.message);
    actjit_free(text);
    actjit_expr_free(s);
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
  free(owned);
}

int main(void) {
  fe_group g = {0};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    fe_add(&g, cases[i].name, t_case, (void *)(uintptr_t)(i + 1));
  print_message("hostile corpus: %zu named cases\n",
                sizeof cases / sizeof cases[0]);
  return fe_run(&g, "hostile");
}
