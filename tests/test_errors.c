/*
** test_errors.c: every error class with its code, offset and length
** (docs/semantics.md "Errors"), as one table {source, code, offset,
** length, the bytes at that span}.  Every failed parse must also leave
** *out NULL and a non-empty, NUL-terminated, one-line message; ESYNTAX
** messages read `near "TOKEN": syntax error`.  Rows marked judgement are
** choices where semantics.md leaves the exact span open.
** Also: EUNBOUND from eval, EUNKNOWN from diff and bind, EINVAL from
** bad configurations and arguments, one case of each limit.
*/
#include "fe_check.h"

typedef struct err_case {
  const char *src;
  size_t len; /* 0: strlen(src) */
  actjit_status code;
  size_t off, elen; /* off FE_END: the source length */
  const char *at;   /* the bytes at [off, off+elen) (a check of the table) */
} err_case;

#define E_(code) ACTJIT_##code
static const err_case errs[] = {
    /* ---- ESYNTAX: at the unexpected token ---- */
    {"x + * 2", 0, E_(ESYNTAX), 4, 1, "*"},
    {"1 2", 0, E_(ESYNTAX), 2, 1, "2"},
    {"x y", 0, E_(ESYNTAX), 2, 1, "y"},
    {"x < y < z", 0, E_(ESYNTAX), 6, 1, "<"}, /* non-associative */
    {"x == y == z", 0, E_(ESYNTAX), 7, 2, "=="},
    {"x <= 1 > 0", 0, E_(ESYNTAX), 7, 1, ">"},
    {"x <= < 1", 0, E_(ESYNTAX), 5, 1, "<"},
    {"(,)", 0, E_(ESYNTAX), 1, 1, ","},
    {"x ? 1 ; 2", 0, E_(ESYNTAX), 6, 1, ";"},
    {"x : 1", 0, E_(ESYNTAX), 2, 1, ":"},
    {"x ? : 1", 0, E_(ESYNTAX), 4, 1, ":"},
    {"x ? 1 : 2 : 3", 0, E_(ESYNTAX), 10, 1, ":"},
    {"*x", 0, E_(ESYNTAX), 0, 1, "*"},
    {"= x", 0, E_(ESYNTAX), 0, 1, "="},
    {"a b = 1; x", 0, E_(ESYNTAX), 2, 1, "b"},
    {"x ,", 0, E_(ESYNTAX), 2, 1, ","},
    {"elu(x,,1)", 0, E_(ESYNTAX), 6, 1, ","},
    {"exp(x,)", 0, E_(ESYNTAX), 6, 1, ")"},
    {"exp(,x)", 0, E_(ESYNTAX), 4, 1, ","},
    {"a = 1 = 2; a", 0, E_(ESYNTAX), 6, 1, "="},
    {"a =; x", 0, E_(ESYNTAX), 3, 1, ";"},
    {"1 = 2; x", 0, E_(ESYNTAX), 2, 1, "="},
    {"(x) = 1; x", 0, E_(ESYNTAX), 4, 1, "="},
    {"2 ^ ^ 3", 0, E_(ESYNTAX), 4, 1, "^"},
    {"x !", 0, E_(ESYNTAX), 2, 1, "!"},
    {"x && || y", 0, E_(ESYNTAX), 5, 2, "||"},
    {"2(x)", 0, E_(ESYNTAX), 1, 1, "("},
    {"exp(x)(1)", 0, E_(ESYNTAX), 6, 1, "("},
    {"x; y", 0, E_(ESYNTAX), 3, 1, "y"},   /* judgement */
    {"x\n+1", 0, E_(ESYNTAX), 2, 1, "+"},  /* judgement: `x` is no
                                              statement */
    {"x\n(1)", 0, E_(ESYNTAX), 2, 1, "("}, /* judgement */
    /* judgement: a helper's formals must be names; the error is at the
       first token that is not one */
    {"f(1) = x; f(2)", 0, E_(ESYNTAX), 2, 1, "1"},
    {"f(u+1) = u; f(x)", 0, E_(ESYNTAX), 3, 1, "+"},
    {"f(u, k=) = u; f(x)", 0, E_(ESYNTAX), 7, 1, ")"},
    {"f() = 1; f()", 0, E_(ESYNTAX), 2, 1, ")"}, /* judgement: no formals */

    /* ---- EINCOMPLETE: at the end, length 0 ---- */
    {"", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"x +", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"f(u) =", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"f(u) = u;", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"x ?", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"x ? 1 :", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"a = 1;", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"a = 1\n", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"a = 2; b = 3;", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"a =", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"   ", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"\n\n", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"# only a comment", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {";", 0, E_(EINCOMPLETE), FE_END, 0, ""}, /* judgement */
    {"-", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"!", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"x +\n", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"x *  # trailing comment", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"x &&", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"x <", 0, E_(EINCOMPLETE), FE_END, 0, ""},
    {"2^", 0, E_(EINCOMPLETE), FE_END, 0, ""},

    /* ---- EUNBALANCED: the innermost unclosed `(`, or a stray `)` ---- */
    {"(x+1", 0, E_(EUNBALANCED), 0, 1, "("},
    {"x*tanh(softplus(x)", 0, E_(EUNBALANCED), 6, 1, "("},
    {"x)", 0, E_(EUNBALANCED), 1, 1, ")"},
    {")", 0, E_(EUNBALANCED), 0, 1, ")"},
    {"((x)", 0, E_(EUNBALANCED), 0, 1, "("},
    {"(x))", 0, E_(EUNBALANCED), 3, 1, ")"},
    {"exp(x", 0, E_(EUNBALANCED), 3, 1, "("},
    {"exp(", 0, E_(EUNBALANCED), 3, 1, "("},
    {"((((x", 0, E_(EUNBALANCED), 3, 1, "("},
    {"(x\n", 0, E_(EUNBALANCED), 0, 1, "("},
    {"x + (1 # comment )", 0, E_(EUNBALANCED), 4, 1, "("},
    {"x)(", 0, E_(EUNBALANCED), 1, 1, ")"},
    {"max(x, (1)", 0, E_(EUNBALANCED), 3, 1, "("},
    {"(x +", 0, E_(EUNBALANCED), 0, 1, "("},          /* judgement */
    {"elu(x, alpha=", 0, E_(EUNBALANCED), 3, 1, "("}, /* judgement */
    {"f(u) = u)\nf(x)", 0, E_(EUNBALANCED), 8, 1, ")"},

    /* ---- ECHAR ---- */
    {"x @ 1", 0, E_(ECHAR), 2, 1, "@"},
    {"$", 0, E_(ECHAR), 0, 1, "$"},
    {"x\0+1", 4, E_(ECHAR), 1, 1, NULL},
    {"x + \xff", 0, E_(ECHAR), 4, 1, "\xff"},
    {"\xc3\xa9", 0, E_(ECHAR), 0, 2, "\xc3\xa9"},
    {"x*\xc3\xa9", 0, E_(ECHAR), 2, 2, "\xc3\xa9"},
    {"\xe2\x82\xac", 0, E_(ECHAR), 0, 3, "\xe2\x82\xac"},
    {"x\x01", 0, E_(ECHAR), 1, 1, "\x01"},
    {"# \xff\nx", 0, E_(ECHAR), 2, 1, "\xff"},
    {"x\x0c", 0, E_(ECHAR), 1, 1, "\x0c"},
    {"x & y", 0, E_(ECHAR), 2, 1, "&"},    /* judgement */
    {"x\x7f", 0, E_(ECHAR), 1, 1, "\x7f"}, /* judgement */

    /* ---- ENUMBER ---- */
    {"2x", 0, E_(ENUMBER), 0, 2, "2x"}, /* judgement: length */
    {"1e", 0, E_(ENUMBER), 0, 2, "1e"},
    {"1e+", 0, E_(ENUMBER), 0, 3, "1e+"},
    {"3*2x", 0, E_(ENUMBER), 2, 2, "2x"},   /* judgement: length */
    {"1.5x", 0, E_(ENUMBER), 0, 4, "1.5x"}, /* judgement: length */
    {"1e999", 0, E_(ENUMBER), 0, 5, "1e999"},
    {"x*1e400", 0, E_(ENUMBER), 2, 5, "1e400"},
    {"0x1p99999", 0, E_(ENUMBER), 0, 9, "0x1p99999"},
    {"1.8e308", 0, E_(ENUMBER), 0, 7, "1.8e308"},

    /* ---- EUNKNOWN: the name of the unknown function ---- */
    {"foo(x)", 0, E_(EUNKNOWN), 0, 3, "foo"},
    {"x + bar(1, 2)", 0, E_(EUNKNOWN), 4, 3, "bar"},
    {"exp(foo(x))", 0, E_(EUNKNOWN), 4, 3, "foo"},
    {"mish2(x)", 0, E_(EUNKNOWN), 0, 5, "mish2"},
    {"f(u) = g(u); f(x)", 0, E_(EUNKNOWN), 7, 1, "g"},
    {"f(u) = g(u); g(u) = f(u); f(x)", 0, E_(EUNKNOWN), 7, 1, "g"},
    {"pi(1)", 0, E_(EUNKNOWN), 0, 2, "pi"},      /* judgement */
    {"x(1)", 0, E_(EUNKNOWN), 0, 1, "x"},        /* judgement */
    {"a = 2; a(x)", 0, E_(EUNKNOWN), 7, 1, "a"}, /* judgement */
    {"Exp(x)", 0, E_(EUNKNOWN), 0, 3, "Exp"},

    /* ---- EARITY: the function name ---- */
    {"exp(x, 1)", 0, E_(EARITY), 0, 3, "exp"},
    {"atan2(x)", 0, E_(EARITY), 0, 5, "atan2"},
    {"threshold(x)", 0, E_(EARITY), 0, 9, "threshold"},
    {"threshold(x, 1)", 0, E_(EARITY), 0, 9, "threshold"},
    /* (a function name as a value is a parameter: see test_parser) */
    {"exp()", 0, E_(EARITY), 0, 3, "exp"},
    {"relu()", 0, E_(EARITY), 0, 4, "relu"},
    {"clamp(x, 0)", 0, E_(EARITY), 0, 5, "clamp"},
    {"where(x, 1)", 0, E_(EARITY), 0, 5, "where"},
    {"elu(x, 1, 2)", 0, E_(EARITY), 0, 3, "elu"},
    {"mish(x, 1)", 0, E_(EARITY), 0, 4, "mish"},
    {"f(u) = u; f(x, 1)", 0, E_(EARITY), 10, 1, "f"},
    {"f(u, v) = u; f(x)", 0, E_(EARITY), 13, 1, "f"},
    {"f(a, b=2, c) = a + b*c; f(x)", 0, E_(EARITY), 24, 1, "f"},
    {"f(u, k) = u*k; f(x, k=2, 3)", 0, E_(EKEYWORD), 25, 1,
     "3"}, /* judgement */

    /* ---- EKEYWORD: the keyword (or the offending argument) ---- */
    {"elu(x, beta=1)", 0, E_(EKEYWORD), 7, 4, "beta"},
    {"elu(x, alpha=1, alpha=2)", 0, E_(EKEYWORD), 16, 5, "alpha"},
    {"elu(x, 1, alpha=2)", 0, E_(EKEYWORD), 10, 5, "alpha"},
    {"exp(x=1)", 0, E_(EKEYWORD), 4, 1, "x"},
    {"sin(u=x)", 0, E_(EKEYWORD), 4, 1, "u"},
    {"max(x, b=1)", 0, E_(EKEYWORD), 7, 1, "b"},
    {"elu(alpha=1, x)", 0, E_(EKEYWORD), 13, 1, "x"}, /* judgement */
    {"f(u, k=1) = u*k; f(x, j=2)", 0, E_(EKEYWORD), 22, 1, "j"},
    {"f(u) = u; f(u=x, u=x)", 0, E_(EKEYWORD), 17, 1, "u"},
    {"f(u, k=1) = u*k; f(x, 2, k=3)", 0, E_(EKEYWORD), 25, 1, "k"},

    /* ---- ERECURSION: the recursive call's name ---- */
    {"f(u) = f(u) + 1; f(x)", 0, E_(ERECURSION), 7, 1, "f"},
    {"f(u) = 2*f(u-1); f(x)", 0, E_(ERECURSION), 9, 1, "f"},
    {"g(u) = u; f(u) = g(f(u)); f(x)", 0, E_(ERECURSION), 19, 1, "f"},
    {"myact(u) = u > 0 ? u : myact(-u); myact(x)", 0, E_(ERECURSION), 23, 5,
     "myact"},

    /* ---- EREDEFINE: the name being defined ---- */
    {"a = 1; a = 2; x", 0, E_(EREDEFINE), 7, 1, "a"},
    {"x = 2; x", 0, E_(EREDEFINE), 0, 1, "x"},
    {"pi = 3; x", 0, E_(EREDEFINE), 0, 2, "pi"},
    {"e = 3; x", 0, E_(EREDEFINE), 0, 1, "e"},
    {"inf = 1; x", 0, E_(EREDEFINE), 0, 3, "inf"},
    {"nan = 1; x", 0, E_(EREDEFINE), 0, 3, "nan"},
    {"f(u) = u; f(u) = u; f(x)", 0, E_(EREDEFINE), 10, 1, "f"},
    {"x(u) = u; x", 0, E_(EREDEFINE), 0, 1, "x"},          /* judgement */
    {"pi(u) = u; pi(x)", 0, E_(EREDEFINE), 0, 2, "pi"},    /* judgement */
    {"f(u, u) = u; f(x, x)", 0, E_(EREDEFINE), 5, 1, "u"}, /* judgement */
    /* a formal named x, pi, e, inf or nan cannot be lifted to a parameter
       (judgement: at the whole-source name) */
    {"f(u, e=2) = u*e; f", 0, E_(EREDEFINE), 17, 1, "f"},
    {"f(u, x=2) = u*x; f", 0, E_(EREDEFINE), 17, 1, "f"},

    /* ---- ENOTCONST: the default that does not fold ---- */
    {"f(u, k=x) = u*k; f(x)", 0, E_(ENOTCONST), 7, 1, "x"},   /* judgement */
    {"f(u, k=s) = u*k; f(x)", 0, E_(ENOTCONST), 7, 1, "s"},   /* judgement */
    {"f(u, k=x+1) = u; f(x)", 0, E_(ENOTCONST), 7, 3, "x+1"}, /* judgement */
};
#undef E_

static actjit_ctx *g_ctx;

static void t_err(void **state) {
  const err_case *c = *state;
  size_t len = c->len ? c->len : strlen(c->src);
  size_t off = c->off == FE_END ? len : c->off;
  /* the table itself: the span and the bytes it names */
  if (c->at && (off + c->elen > len || strlen(c->at) != c->elen ||
                memcmp(c->src + off, c->at, c->elen) != 0))
    fail_msg("TABLE BUG: \"%s\" has no \"%s\" at %zu+%zu", c->src, c->at, off,
             c->elen);
  actjit_error err =
      fe_expect(g_ctx, c->src, c->len ? c->len : ACTJIT_NUL_TERMINATED, c->code,
                c->off, c->elen);
  if (c->code == ACTJIT_ESYNTAX) {
    char want[300];
    snprintf(want, sizeof want, "near \"%.*s\": syntax error", (int)c->elen,
             c->src + off);
    if (!strstr(err.message, want))
      fail_msg("\"%s\": message \"%s\" lacks '%s'", c->src, err.message, want);
  }
}

/* ---- EUNBOUND from eval: the first use of the parameter --------------- */

typedef struct unbound_case {
  const char *src;
  size_t off, len;
  const char *at;
} unbound_case;

static const unbound_case unbound[] = {
    {"x*a", 2, 1, "a"},
    {"a*x + b*x", 0, 1, "a"}, /* judgement: the first parameter unbound */
    {"x + 0*k", 6, 1, "k"},
    {"x + slope*x + slope", 4, 5, "slope"},
    {"q = 2; x*q + w", 13, 1, "w"},
    {"f(u) = u*k; f(x) + k", 9, 1, "k"}, /* judgement: in the helper body */
    {"threshold", 0, 9, "threshold"},    /* judgement: the name */
    {"elu(x, alpha=a)", 13, 1, "a"},
};

static void t_unbound(void **state) {
  const unbound_case *c = *state;
  if (memcmp(c->src + c->off, c->at, c->len) != 0)
    fail_msg("TABLE BUG: \"%s\"", c->src);
  actjit_expr *e = fe_parse(g_ctx, c->src, ACTJIT_NUL_TERMINATED);
  actjit_error err;
  memset(&err, 0x5a, sizeof err);
  double x = 1.5, y = 99;
  actjit_status s = actjit_eval(e, NULL, &x, &y, 1, &err);
  actjit_expr_free(e);
  if (s != ACTJIT_EUNBOUND)
    fail_msg("eval \"%s\": %s, want EUNBOUND", c->src, actjit_status_name(s));
  fe_check_shape(c->src, s, &err, strlen(c->src));
  if (err.offset != c->off || err.length != c->len)
    fail_msg("eval \"%s\": EUNBOUND at %zu+%zu (%s), want %zu+%zu", c->src,
             err.offset, err.length, err.message, c->off, c->len);
}

/* ---- EUNKNOWN from diff and bind (offset 0, length 0) ------------------ */

static void t_diff_bind_unknown(void **state) {
  (void)state;
  actjit_expr *e = fe_parse(g_ctx, "a*x + elu(x)", ACTJIT_NUL_TERMINATED);
  static const char *names[] = {"b", "alpha", "X", "", "ax", "pi"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    actjit_error err;
    actjit_expr *o = (actjit_expr *)&err;
    memset(&err, 0x5a, sizeof err);
    actjit_status s = actjit_diff(e, names[i], &o, &err);
    if (s != ACTJIT_EUNKNOWN)
      fail_msg("diff wrt \"%s\": %s, want EUNKNOWN", names[i],
               actjit_status_name(s));
    fe_check_shape("diff", s, &err, FE_ANY);
    assert_null(o);
    assert_int_equal(err.offset, 0);
    assert_int_equal(err.length, 0);
    o = (actjit_expr *)&err;
    memset(&err, 0x5a, sizeof err);
    s = actjit_bind(e, names[i], 2.0, &o, &err);
    if (s != ACTJIT_EUNKNOWN)
      fail_msg("bind \"%s\": %s, want EUNKNOWN", names[i],
               actjit_status_name(s));
    fe_check_shape("bind", s, &err, FE_ANY);
    assert_null(o);
    assert_int_equal(err.offset, 0);
    assert_int_equal(err.length, 0);
  }
  /* x and the parameter a are fine */
  actjit_expr *d = tu_diff(e, "x");
  actjit_expr *da = tu_diff(e, "a");
  assert_true(fe_eval1(da, 3, "d/da") == 3);
  actjit_expr_free(d);
  actjit_expr_free(da);
  actjit_expr_free(e);
}

/* ---- EINVAL ------------------------------------------------------------ */

static void t_einval_config(void **state) {
  (void)state;
  static const struct {
    const char *what;
    actjit_limits lim;
  } rows[] = {
      {"max_input_bytes", {ACTJIT_HARD_MAX_INPUT_BYTES + 1, 0, 0, 0, 0}},
      {"max_depth", {0, ACTJIT_HARD_MAX_DEPTH + 1, 0, 0, 0}},
      {"max_parse_nodes", {0, 0, ACTJIT_HARD_MAX_PARSE_NODES + 1, 0, 0}},
      {"max_diff_nodes", {0, 0, 0, ACTJIT_HARD_MAX_DIFF_NODES + 1, 0}},
      {"max_literal_len", {0, 0, 0, 0, ACTJIT_HARD_MAX_LITERAL_LEN + 1}},
      {"max_depth huge", {0, UINT32_MAX, 0, 0, 0}},
      {"max_input_bytes huge", {SIZE_MAX, 0, 0, 0, 0}},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    actjit_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.limits = rows[i].lim;
    actjit_error err;
    memset(&err, 0x5a, sizeof err);
    actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
    if (ctx) {
      actjit_ctx_free(ctx);
      fail_msg("%s above the hard maximum: context created", rows[i].what);
    }
    fe_check_shape(rows[i].what, ACTJIT_EINVAL, &err, FE_ANY);
    assert_int_equal(err.offset, 0);
    assert_int_equal(err.length, 0);
  }
}

/* judgement: NULL where a pointer is required is EINVAL, not a crash */
static void t_einval_args(void **state) {
  (void)state;
  actjit_error err;
  actjit_expr *o = NULL;
  memset(&err, 0x5a, sizeof err);
  assert_int_equal(actjit_parse(NULL, "x", 1, &o, &err), ACTJIT_EINVAL);
  assert_null(o);
  fe_check_shape("parse(NULL ctx)", ACTJIT_EINVAL, &err, FE_ANY);
  memset(&err, 0x5a, sizeof err);
  assert_int_equal(actjit_parse(g_ctx, NULL, 3, &o, &err), ACTJIT_EINVAL);
  assert_null(o);
  fe_check_shape("parse(NULL src)", ACTJIT_EINVAL, &err, FE_ANY);
  /* a NULL error pointer is allowed */
  assert_int_equal(actjit_parse(g_ctx, "x +", 3, &o, NULL), ACTJIT_EINCOMPLETE);
  assert_null(o);
}

/* ---- One of each limit (test_limits has them all at L and L+1) -------- */

static void t_limits_once(void **state) {
  (void)state;
  actjit_limits lim = {24, 10, 8, 0, 0};
  actjit_ctx *ctx = fe_ctx_limits(&lim);
  fe_expect(ctx, "x + 1 + 1 + 1 + 1 + 1 + 1 + 1", ACTJIT_NUL_TERMINATED,
            ACTJIT_ELIMIT_INPUT, 24, 5);
  fe_expect(ctx, "(((((((((((x)))))))))))", 23, ACTJIT_ELIMIT_DEPTH, 10, 1);
  actjit_ctx_free(ctx);
  ctx = tu_ctx();
  char *lit = fe_repeat("x+", "1", 513, "");
  fe_expect(ctx, lit, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_LITERAL, 2, 513);
  free(lit);
  actjit_ctx_free(ctx);
  ctx = fe_ctx_limits(&lim);
  /* 9 new nodes (5 constants no built-in uses, 4 operators), height 4 */
  fe_expect(ctx, "(71+72)*(73+74)+75", ACTJIT_NUL_TERMINATED,
            ACTJIT_ELIMIT_NODES, FE_ANY, FE_ANY);
  actjit_ctx_free(ctx);
}

/* Status names and strings: every code has both. */
static void t_status_names(void **state) {
  (void)state;
  static const char *names[] = {
#define N_(name, text) #name,
      ACTJIT_STATUS_MAP(N_)
#undef N_
  };
  for (int s = 1; s < ACTJIT_STATUS_COUNT_; s++) {
    assert_string_equal(actjit_status_name((actjit_status)s), names[s]);
    assert_true(actjit_status_str((actjit_status)s)[0] != 0);
  }
  assert_string_equal(actjit_status_name(ACTJIT_OK), "OK");
  assert_string_equal(actjit_status_name((actjit_status)9999),
                      "EUNKNOWNSTATUS");
}

int main(void) {
  g_ctx = tu_ctx();
  fe_group g = {0};
  for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%s", actjit_status_name(errs[i].code));
    fe_add(&g,
           fe_row_name(&g, prefix, errs[i].src,
                       errs[i].len ? errs[i].len : ACTJIT_NUL_TERMINATED),
           t_err, (void *)&errs[i]);
  }
  for (size_t i = 0; i < sizeof unbound / sizeof unbound[0]; i++)
    fe_add(&g,
           fe_row_name(&g, "EUNBOUND", unbound[i].src, ACTJIT_NUL_TERMINATED),
           t_unbound, (void *)&unbound[i]);
  fe_add(&g, "EUNKNOWN from diff and bind", t_diff_bind_unknown, NULL);
  fe_add(&g, "EINVAL: limits above the hard maxima", t_einval_config, NULL);
  fe_add(&g, "EINVAL: NULL arguments", t_einval_args, NULL);
  fe_add(&g, "ELIMIT_*: one of each", t_limits_once, NULL);
  fe_add(&g, "status names", t_status_names, NULL);
  int rc = fe_run(&g, "errors");
  actjit_ctx_free(g_ctx);
  return rc;
}
