/*
** test_limits.c: every limit of actjit_limits at L (accepted) and L+1 (a
** clean error with its code, offset and length), with small configured
** limits, the defaults, and the hard maxima: input bytes, depth (brackets,
** unary chains, right- and left-associative chains, calls, selects),
** parse nodes (with hash-consing), diff/simplify/bind nodes, literal
** length.  Values above ACTJIT_HARD_MAX_* are EINVAL at actjit_ctx_new.
** Accepted deep expressions are also evaluated, printed and re-parsed
** (recursive passes must cope with max_depth).
*/
#include "fe_check.h"

/* ---- A growable string ------------------------------------------------- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t k) {
  if (b->n + k + 1 > b->cap) {
    b->cap = (b->n + k + 1) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p)
      abort();
  }
  memcpy(b->p + b->n, s, k);
  b->n += k;
  b->p[b->n] = 0;
}
static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
static void sb_rep(sbuf *b, const char *s, size_t times) {
  for (size_t i = 0; i < times; i++)
    sb_puts(b, s);
}

/* (lo + ... + hi) as a balanced tree of distinct constants */
static void sb_balanced(sbuf *b, long lo, long hi) {
  if (lo == hi) {
    char t[32];
    snprintf(t, sizeof t, "%ld", lo);
    sb_puts(b, t);
    return;
  }
  long mid = lo + (hi - lo) / 2;
  sb_puts(b, "(");
  sb_balanced(b, lo, mid);
  sb_puts(b, "+");
  sb_balanced(b, mid + 1, hi);
  sb_puts(b, ")");
}

static actjit_ctx *ctx_lim(size_t in, uint32_t depth, uint32_t pn, uint32_t dn,
                           uint32_t lit) {
  actjit_limits lim = {in, depth, pn, dn, lit};
  return fe_ctx_limits(&lim);
}

/* Parses src, which must succeed; evaluates it, prints it and re-parses
** the text (same root). */
static void accept_deep(actjit_ctx *ctx, const char *src, const char *what) {
  actjit_error err;
  actjit_expr *e = NULL;
  actjit_status s = actjit_parse(ctx, src, ACTJIT_NUL_TERMINATED, &e, &err);
  if (s != ACTJIT_OK)
    fail_msg("%s (%zu bytes): %s at %zu+%zu: %s", what, strlen(src),
             actjit_status_name(s), err.offset, err.length, err.message);
  double x = 0.5, y;
  s = actjit_eval(e, NULL, &x, &y, 1, &err);
  if (s != ACTJIT_OK)
    fail_msg("%s: eval: %s", what, err.message);
  char *text = NULL;
  s = actjit_print(e, &text, &err);
  if (s != ACTJIT_OK)
    fail_msg("%s: print: %s", what, err.message);
  actjit_expr *r = NULL;
  s = actjit_parse(ctx, text, ACTJIT_NUL_TERMINATED, &r, &err);
  if (s != ACTJIT_OK)
    fail_msg("%s: re-parsing the printed text: %s at %zu: %s", what,
             actjit_status_name(s), err.offset, err.message);
  if (!actjit_expr_same(e, r))
    fail_msg("%s: printed text parses to another root", what);
  actjit_expr_free(r);
  actjit_free(text);
  actjit_expr_free(e);
}

/* ---- Depth ------------------------------------------------------------- */

/* A shape of depth k, and where its first over-limit token is when
** k = D + 1 levels are asked for D. */
typedef struct shape {
  const char *name;
  void (*make)(sbuf *b, size_t k); /* k levels */
  size_t (*bad_off)(size_t d);     /* offset of the error for k = ok(d)+1 */
  size_t bad_len;
  size_t (*ok_k)(size_t d); /* largest accepted k under max_depth d */
} shape;

static void mk_parens(sbuf *b, size_t k) {
  sb_rep(b, "(", k), sb_puts(b, "x"), sb_rep(b, ")", k);
}
static void mk_unary(sbuf *b, size_t k) { sb_rep(b, "-", k), sb_puts(b, "x"); }
static void mk_not(sbuf *b, size_t k) { sb_rep(b, "!", k), sb_puts(b, "x"); }
static void mk_pow(sbuf *b, size_t k) { sb_puts(b, "x"), sb_rep(b, "^x", k); }
static void mk_plus(sbuf *b, size_t k) { sb_puts(b, "x"), sb_rep(b, "+x", k); }
static void mk_calls(sbuf *b, size_t k) {
  sb_rep(b, "exp(", k), sb_puts(b, "x"), sb_rep(b, ")", k);
}
static void mk_select(sbuf *b, size_t k) {
  sb_rep(b, "x?x:", k), sb_puts(b, "x");
}
/* ten brackets around a chain: nesting and height both at the limit */
static void mk_paren_chain(sbuf *b, size_t k) {
  sb_rep(b, "(", 10), sb_puts(b, "x"), sb_rep(b, "+x", k), sb_rep(b, ")", 10);
}

static size_t k_eq(size_t d) { return d; }         /* nesting d */
static size_t k_minus1(size_t d) { return d - 1; } /* height k + 1 */
static size_t off_at(size_t d) { return d; }       /* the (d+1)th '(' */
static size_t off_0(size_t d) { return 0; }        /* the outermost op */
static size_t off_1(size_t d) { return 1; }        /* the first '^'/'?' */
static size_t off_last_plus(size_t d) { return 2 * d - 1; }
static size_t off_chain(size_t d) { return 10 + 2 * d - 1; }

static const shape shapes[] = {
    {"parens", mk_parens, off_at, 1, k_eq},
    {"unary minus", mk_unary, off_0, 1, k_minus1},
    {"not", mk_not, off_0, 1, k_minus1},
    {"right-assoc ^", mk_pow, off_1, 1, k_minus1},
    {"left-assoc +", mk_plus, off_last_plus, 1, k_minus1},
    {"calls", mk_calls, off_0, 3, k_minus1},    /* judgement: the call's name */
    {"selects", mk_select, off_1, 1, k_minus1}, /* judgement: at the '?' */
    {"parens around a chain", mk_paren_chain, off_chain, 1, k_minus1},
};

typedef struct depth_case {
  const shape *sh;
  uint32_t depth; /* 0: the default */
} depth_case;

static depth_case depth_cases[3 * sizeof shapes / sizeof shapes[0]];

static void t_depth(void **state) {
  const depth_case *c = *state;
  size_t d = c->depth ? c->depth : ACTJIT_DEFAULT_MAX_DEPTH;
  actjit_ctx *ctx = ctx_lim(0, c->depth, 0, 0, 0);
  size_t k = c->sh->ok_k(d);
  sbuf ok = {0}, bad = {0};
  c->sh->make(&ok, k);
  c->sh->make(&bad, k + 1);
  char what[96];
  snprintf(what, sizeof what, "%s, %zu levels, max_depth %zu", c->sh->name, k,
           d);
  accept_deep(ctx, ok.p, what);
  fe_expect(ctx, bad.p, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_DEPTH,
            c->sh->bad_off(d), c->sh->bad_len);
  /* far over the limit: the same code, nothing crashes */
  sbuf far = {0};
  c->sh->make(&far, 4 * d + 100);
  fe_expect(ctx, far.p, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_DEPTH, FE_ANY,
            FE_ANY);
  free(ok.p);
  free(bad.p);
  free(far.p);
  actjit_ctx_free(ctx);
}

/* Plus chains at the default: the value of the accepted one. */
static void t_depth_value(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  sbuf b = {0};
  mk_plus(&b, 255); /* 256 x's, height 256 */
  actjit_expr *e = fe_parse(ctx, b.p, ACTJIT_NUL_TERMINATED);
  assert_true(fe_eval1(e, 1.5, "chain") == 256 * 1.5);
  actjit_expr *d = tu_diff(e, "x");
  assert_true(fe_eval1(d, 1.5, "d chain") == 256);
  actjit_expr_free(d);
  actjit_expr_free(e);
  free(b.p);
  actjit_ctx_free(ctx);
}

/* ---- Input bytes ------------------------------------------------------- */

static void t_input(void **state) {
  (void)state;
  /* configured: 16 */
  actjit_ctx *ctx = ctx_lim(16, 0, 0, 0, 0);
  char *ok = fe_repeat("x", " ", 15, "");
  char *bad = fe_repeat("x", " ", 16, "");
  char *bad24 = fe_repeat("x", " ", 39, "");
  actjit_expr_free(fe_parse(ctx, ok, ACTJIT_NUL_TERMINATED));
  actjit_expr_free(fe_parse(ctx, ok, 16));
  fe_expect(ctx, bad, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_INPUT, 16, 1);
  fe_expect(ctx, bad, 17, ACTJIT_ELIMIT_INPUT, 16, 1);
  fe_expect(ctx, bad24, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_INPUT, 16, 24);
  /* the limit applies to the length, whatever the bytes: no lexing first */
  fe_expect(ctx, "@@@@@@@@@@@@@@@@@@@@", ACTJIT_NUL_TERMINATED,
            ACTJIT_ELIMIT_INPUT, 16, 4);
  actjit_ctx_free(ctx);
  free(ok);
  free(bad);
  free(bad24);

  /* the default: 1 MiB */
  size_t mib = ACTJIT_DEFAULT_MAX_INPUT_BYTES;
  ctx = tu_ctx();
  char *big = fe_repeat("x", " ", mib - 1, "");
  actjit_expr *e = fe_parse(ctx, big, mib);
  assert_true(fe_eval1(e, 2, "1 MiB") == 2);
  actjit_expr_free(e);
  char *big1 = fe_repeat("x", " ", mib, "");
  fe_expect(ctx, big1, mib + 1, ACTJIT_ELIMIT_INPUT, mib, 1);
  fe_expect(ctx, big1, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_INPUT, mib, 1);
  /* 1 MiB of comment after x, then the same + 1 */
  char *com = fe_repeat("x #", "c", mib - 3, "");
  actjit_expr_free(fe_parse(ctx, com, mib));
  char *com1 = fe_repeat("x #", "c", mib - 2, "");
  fe_expect(ctx, com1, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_INPUT, mib, 1);
  free(com1);
  actjit_ctx_free(ctx);

  /* a larger configured limit accepts more */
  ctx = ctx_lim(ACTJIT_HARD_MAX_INPUT_BYTES, 0, 0, 0, 0);
  actjit_expr_free(fe_parse(ctx, big1, mib + 1));
  actjit_ctx_free(ctx);
  free(big);
  free(big1);
  free(com);
}

/* ---- Parse nodes ------------------------------------------------------- */

/* "pre" 1001 + 1002 + ... (n constants from 1001) */
static char *const_chain(const char *first, long from, long to) {
  sbuf b = {0};
  sb_puts(&b, first);
  for (long v = from; v <= to; v++) {
    char t[32];
    snprintf(t, sizeof t, "+%ld", v);
    sb_puts(&b, t);
  }
  return b.p;
}

/* A context whose x, 0 and 1 nodes already exist (the prelude may or may
** not have made them), so the counts below are of new nodes only. */
static actjit_ctx *ctx_nodes(uint32_t pn) {
  actjit_ctx *ctx = ctx_lim(0, 0, pn, 0, 0);
  actjit_expr_free(fe_parse(ctx, "x", ACTJIT_NUL_TERMINATED));
  return ctx;
}

static void t_parse_nodes(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_nodes(50);
  /* 25 constants + exp + 24 '+' = 50 */
  char *ok = const_chain("exp(1001)", 1002, 1025);
  actjit_expr *e = fe_parse(ctx, ok, ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_node_count(e), 50);
  actjit_expr_free(e);
  /* the same again: no new nodes at all */
  actjit_expr_free(fe_parse(ctx, ok, ACTJIT_NUL_TERMINATED));
  actjit_ctx_free(ctx);

  /* 26 constants + 25 '+' = 51: over by one */
  ctx = ctx_nodes(50);
  char *bad = const_chain("1001", 1002, 1026);
  /* judgement: at the token being reduced, the last '+' (node 51) */
  fe_expect(ctx, bad, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_NODES,
            strlen(bad) - 5, 1);
  /* the context is still usable */
  e = fe_parse(ctx, "x*2", ACTJIT_NUL_TERMINATED);
  assert_true(fe_eval1(e, 3, "x*2") == 6);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);

  /* new nodes per parse: 49 first, then the 51-node source adds 2 */
  ctx = ctx_nodes(50);
  char *pre = const_chain("1001", 1002, 1025);
  e = fe_parse(ctx, pre, ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_node_count(e), 49);
  actjit_expr_free(e);
  e = fe_parse(ctx, bad, ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_node_count(e), 51);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);

  /* hash-consing: 40 copies of exp(1001) cost 1001, exp and 39 '+' */
  ctx = ctx_nodes(50);
  char *rep = fe_repeat("exp(1001)", "+exp(1001)", 39, "");
  e = fe_parse(ctx, rep, ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_node_count(e), 41);
  actjit_expr_free(e);
  free(rep);
  rep = fe_repeat("exp(1002)", "+exp(1002)", 49, ""); /* 51 new */
  fe_expect(ctx, rep, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_NODES, FE_ANY,
            FE_ANY);
  free(rep);
  actjit_ctx_free(ctx);

  /* commutative operands in another order are the same node */
  ctx = ctx_nodes(4);
  e = fe_parse(ctx, "(1001+1002)*(1002+1001)", ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_node_count(e), 4);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
  ctx = ctx_nodes(4);
  /* judgement: at the '*' whose node is the fifth */
  fe_expect(ctx, "(1001+1002)*(1002-1001)", ACTJIT_NUL_TERMINATED,
            ACTJIT_ELIMIT_NODES, 11, 1);
  actjit_ctx_free(ctx);

  /* parameters are nodes too: q1+q2+q3 is 5 */
  ctx = ctx_nodes(5);
  actjit_expr_free(fe_parse(ctx, "q1+q2+q3", ACTJIT_NUL_TERMINATED));
  actjit_ctx_free(ctx);
  ctx = ctx_nodes(4);
  fe_expect(ctx, "q1+q2+q3", ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_NODES, 5,
            1); /* judgement: the second '+' */
  actjit_ctx_free(ctx);
  free(ok);
  free(bad);
  free(pre);
}

static void t_parse_nodes_default(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_nodes(0);
  /* exp(balanced sum of 50000 distinct constants): 100000 new nodes */
  sbuf b = {0};
  sb_puts(&b, "exp");
  sb_balanced(&b, 1000001, 1050000);
  assert_true(b.n < ACTJIT_DEFAULT_MAX_INPUT_BYTES);
  actjit_expr *e = fe_parse(ctx, b.p, ACTJIT_NUL_TERMINATED);
  assert_int_equal(actjit_node_count(e), 100000);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
  /* 50001 constants + 50000 '+' = 100001 */
  ctx = ctx_nodes(0);
  sbuf c = {0};
  sb_balanced(&c, 1000001, 1050001);
  fe_expect(ctx, c.p, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_NODES, FE_ANY,
            FE_ANY);
  actjit_ctx_free(ctx);
  free(b.p);
  free(c.p);
}

/* ---- Diff / simplify / bind nodes -------------------------------------- */

enum { OP_DIFF, OP_SIMPLIFY, OP_BIND };

static actjit_status run_op(int op, uint32_t dn, const char *src,
                            actjit_error *err, tu_alloc *a) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.alloc = tu_alloc_fn;
  cfg.alloc_ud = a;
  cfg.limits.max_diff_nodes = dn;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, err);
  if (!ctx)
    fail_msg("ctx_new: %s", err->message);
  actjit_expr *e = fe_parse(ctx, src, ACTJIT_NUL_TERMINATED);
  actjit_expr *out = (actjit_expr *)err;
  memset(err, 0x5a, sizeof *err);
  actjit_status s = op == OP_DIFF       ? actjit_diff(e, "x", &out, err)
                    : op == OP_SIMPLIFY ? actjit_simplify(e, &out, err)
                                        : actjit_bind(e, "a", 2.5, &out, err);
  if (s != ACTJIT_OK) {
    if (out != NULL)
      fail_msg("failed with *out not NULL");
    fe_check_shape(src, s, err, FE_ANY);
  } else {
    actjit_expr_free(out);
  }
  /* the context is still usable */
  actjit_expr *f = fe_parse(ctx, "x*3", ACTJIT_NUL_TERMINATED);
  assert_true(fe_eval1(f, 2, "x*3") == 6);
  actjit_expr_free(f);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
  assert_int_equal(a->live_blocks, 0);
  assert_int_equal(a->live_bytes, 0);
  return s;
}

typedef struct node_op_case {
  const char *name;
  int op;
  const char *src;
  int must_fail_at_1; /* limit 1 must fail */
} node_op_case;

static const node_op_case node_ops[] = {
    {"diff", OP_DIFF, "sin(x)*exp(x)*tanh(x) + x^3/(1 + x^2)", 1},
    {"diff mish", OP_DIFF, "x*tanh(softplus(x))", 1},
    {"bind", OP_BIND, "a*sin(x) + a*cos(x) + tanh(a*x)*exp(a*x)", 1},
    /* judgement: the simplifier folds 2*3 (so it creates nodes) */
    {"simplify", OP_SIMPLIFY, "sin(x + 2*3)*cos(x + 2*3) + tanh(x + 2*3)", 1},
};

/* The smallest max_diff_nodes that works is L: every limit below it fails
** with ELIMIT_NODES at 0+0 and L, L+1, L+10 and the default succeed. */
static void t_node_op(void **state) {
  const node_op_case *c = *state;
  tu_alloc a;
  actjit_error err;
  memset(&a, 0, sizeof a);
  assert_int_equal(run_op(c->op, 0, c->src, &err, &a), ACTJIT_OK);
  uint32_t L = 1;
  for (; L <= 5000; L++) {
    actjit_status s = run_op(c->op, L, c->src, &err, &a);
    if (s == ACTJIT_OK)
      break;
    if (s != ACTJIT_ELIMIT_NODES || err.offset != 0 || err.length != 0)
      fail_msg("%s with max_diff_nodes %u: %s at %zu+%zu, want ELIMIT_NODES "
               "at 0+0",
               c->name, L, actjit_status_name(s), err.offset, err.length);
  }
  if (L > 5000)
    fail_msg("%s: fails under every limit up to 5000", c->name);
  if (c->must_fail_at_1 && L == 1)
    fail_msg("%s: succeeded with max_diff_nodes 1 (no limit check?)", c->name);
  assert_int_equal(run_op(c->op, L + 1, c->src, &err, &a), ACTJIT_OK);
  assert_int_equal(run_op(c->op, L + 10, c->src, &err, &a), ACTJIT_OK);
  print_message("      %s: smallest max_diff_nodes that works: %u\n", c->name,
                L);
}

/* ---- Literal length ---------------------------------------------------- */

static void t_literal(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  char *ok = fe_repeat("0.", "0", 510, "");
  char *bad = fe_repeat("0.", "0", 511, "");
  char *bad2 = fe_repeat("x+0.", "0", 511, "");
  assert_int_equal(strlen(ok), 512);
  actjit_expr *e = fe_parse(ctx, ok, ACTJIT_NUL_TERMINATED);
  assert_true(tu_same_double(fe_eval1(e, 1, "512-char literal"), 0.0));
  actjit_expr_free(e);
  fe_expect(ctx, bad, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_LITERAL, 0, 513);
  fe_expect(ctx, bad2, ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_LITERAL, 2, 513);
  /* 512 characters of 1.000...0001: accepted, rounds to 1 */
  char *one = fe_repeat("1.", "0", 509, "1");
  e = fe_parse(ctx, one, ACTJIT_NUL_TERMINATED);
  assert_true(fe_eval1(e, 0, "1.000...1") == 1.0);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
  free(ok);
  free(bad);
  free(bad2);
  free(one);
}

static void t_literal_small(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_lim(0, 0, 0, 0, 8);
  actjit_expr_free(fe_parse(ctx, "x+12345678", ACTJIT_NUL_TERMINATED));
  actjit_expr_free(fe_parse(ctx, "x+1.234e-5", ACTJIT_NUL_TERMINATED));
  fe_expect(ctx, "x+123456789", ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_LITERAL, 2,
            9);
  fe_expect(ctx, "x+1.234e-56", ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_LITERAL, 2,
            9);
  fe_expect(ctx, "x+0x1.8p300", ACTJIT_NUL_TERMINATED, ACTJIT_ELIMIT_LITERAL, 2,
            9);
  /* names are not literals */
  actjit_expr_free(fe_parse(ctx, "x+abcdefghijklmnop", ACTJIT_NUL_TERMINATED));
  actjit_ctx_free(ctx);
}

/* The smallest legal limits (1) still give a working context: the
** library's own prelude and rules are not the user's input. */
static void t_tiny_limits(void **state) {
  (void)state;
  static const struct {
    const char *name;
    actjit_limits lim;
    const char *src;
  } rows[] = {
      {"max_input_bytes 1", {1, 0, 0, 0, 0}, "x"},
      {"max_depth 1", {0, 1, 0, 0, 0}, "x"},
      {"max_depth 2", {0, 2, 0, 0, 0}, "-x"},
      {"max_parse_nodes 1", {0, 0, 1, 0, 0}, "x"},
      {"max_diff_nodes 1", {0, 0, 0, 1, 0}, "x"},
      {"max_literal_len 1", {0, 0, 0, 0, 1}, "x+1"},
      {"max_literal_len 3", {0, 0, 0, 0, 3}, "x+1.5"},
      {"all 1", {1, 1, 1, 1, 1}, "x"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    actjit_config cfg;
    actjit_config_init(&cfg);
    cfg.limits = rows[i].lim;
    actjit_error err;
    memset(&err, 0, sizeof err);
    actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
    if (!ctx)
      fail_msg("%s: actjit_ctx_new: %s: %s", rows[i].name,
               actjit_status_name(err.code), err.message);
    actjit_expr *e = fe_parse(ctx, rows[i].src, ACTJIT_NUL_TERMINATED);
    actjit_expr_free(e);
    /* the prelude is usable under the limits when the result fits */
    if (rows[i].lim.max_depth == 0 && rows[i].lim.max_input_bytes == 0 &&
        rows[i].lim.max_parse_nodes == 0) {
      e = fe_parse(ctx, "mish", ACTJIT_NUL_TERMINATED);
      actjit_expr_free(e);
    }
    actjit_ctx_free(ctx);
  }
}

/* ---- Hard maxima and the config --------------------------------------- */

static void t_hard_max(void **state) {
  (void)state;
  actjit_config cfg;
  actjit_config_init(&cfg);
  assert_null(cfg.alloc);
  assert_int_equal(cfg.limits.max_input_bytes, ACTJIT_DEFAULT_MAX_INPUT_BYTES);
  assert_int_equal(cfg.limits.max_depth, ACTJIT_DEFAULT_MAX_DEPTH);
  assert_int_equal(cfg.limits.max_parse_nodes, ACTJIT_DEFAULT_MAX_PARSE_NODES);
  assert_int_equal(cfg.limits.max_diff_nodes, ACTJIT_DEFAULT_MAX_DIFF_NODES);
  assert_int_equal(cfg.limits.max_literal_len, ACTJIT_DEFAULT_MAX_LITERAL_LEN);

  /* a zeroed config means the defaults */
  actjit_config zero;
  memset(&zero, 0, sizeof zero);
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(&zero, &err);
  assert_non_null(ctx);
  sbuf b = {0};
  mk_plus(&b, 255);
  actjit_expr_free(fe_parse(ctx, b.p, ACTJIT_NUL_TERMINATED));
  free(b.p);
  actjit_ctx_free(ctx);

  static const struct {
    const char *name;
    actjit_limits at, over;
  } rows[] = {
      {"max_input_bytes",
       {ACTJIT_HARD_MAX_INPUT_BYTES, 0, 0, 0, 0},
       {ACTJIT_HARD_MAX_INPUT_BYTES + 1, 0, 0, 0, 0}},
      {"max_depth",
       {0, ACTJIT_HARD_MAX_DEPTH, 0, 0, 0},
       {0, ACTJIT_HARD_MAX_DEPTH + 1, 0, 0, 0}},
      {"max_parse_nodes",
       {0, 0, ACTJIT_HARD_MAX_PARSE_NODES, 0, 0},
       {0, 0, ACTJIT_HARD_MAX_PARSE_NODES + 1, 0, 0}},
      {"max_diff_nodes",
       {0, 0, 0, ACTJIT_HARD_MAX_DIFF_NODES, 0},
       {0, 0, 0, ACTJIT_HARD_MAX_DIFF_NODES + 1, 0}},
      {"max_literal_len",
       {0, 0, 0, 0, ACTJIT_HARD_MAX_LITERAL_LEN},
       {0, 0, 0, 0, ACTJIT_HARD_MAX_LITERAL_LEN + 1}},
      {"all at once",
       {ACTJIT_HARD_MAX_INPUT_BYTES, ACTJIT_HARD_MAX_DEPTH,
        ACTJIT_HARD_MAX_PARSE_NODES, ACTJIT_HARD_MAX_DIFF_NODES,
        ACTJIT_HARD_MAX_LITERAL_LEN},
       {ACTJIT_HARD_MAX_INPUT_BYTES, ACTJIT_HARD_MAX_DEPTH,
        ACTJIT_HARD_MAX_PARSE_NODES, ACTJIT_HARD_MAX_DIFF_NODES,
        ACTJIT_HARD_MAX_LITERAL_LEN + 1}},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    cfg.limits = rows[i].at;
    ctx = actjit_ctx_new(&cfg, &err);
    if (!ctx)
      fail_msg("%s at the hard maximum: %s", rows[i].name, err.message);
    actjit_ctx_free(ctx);
    cfg.limits = rows[i].over;
    memset(&err, 0x5a, sizeof err);
    ctx = actjit_ctx_new(&cfg, &err);
    if (ctx) {
      actjit_ctx_free(ctx);
      fail_msg("%s over the hard maximum: context created", rows[i].name);
    }
    fe_check_shape(rows[i].name, ACTJIT_EINVAL, &err, FE_ANY);
    assert_int_equal(err.offset, 0);
    assert_int_equal(err.length, 0);
  }
  /* NULL err is allowed */
  cfg.limits.max_depth = ACTJIT_HARD_MAX_DEPTH + 1;
  assert_null(actjit_ctx_new(&cfg, NULL));
}

int main(void) {
  fe_group g = {0};
  size_t nd = 0;
  static const uint32_t depths[3] = {10, 0, ACTJIT_HARD_MAX_DEPTH};
  for (size_t j = 0; j < 3; j++)
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
      depth_cases[nd].sh = &shapes[i];
      depth_cases[nd].depth = depths[j];
      char *name = malloc(96);
      snprintf(name, 96, "depth: %s, max_depth %u%s", shapes[i].name,
               depths[j] ? depths[j] : ACTJIT_DEFAULT_MAX_DEPTH,
               depths[j] ? "" : " (default)");
      fe_add(&g, fe_own(&g, name), t_depth, &depth_cases[nd]);
      nd++;
    }
  fe_add(&g, "depth: value of a 256-deep chain", t_depth_value, NULL);
  fe_add(&g, "input bytes", t_input, NULL);
  fe_add(&g, "parse nodes (configured)", t_parse_nodes, NULL);
  fe_add(&g, "parse nodes (default 100000)", t_parse_nodes_default, NULL);
  for (size_t i = 0; i < sizeof node_ops / sizeof node_ops[0]; i++) {
    char *name = malloc(64);
    snprintf(name, 64, "max_diff_nodes: %s", node_ops[i].name);
    fe_add(&g, fe_own(&g, name), t_node_op, (void *)&node_ops[i]);
  }
  fe_add(&g, "literal length (default)", t_literal, NULL);
  fe_add(&g, "literal length (configured 8)", t_literal_small, NULL);
  fe_add(&g, "the smallest limits give a working context", t_tiny_limits, NULL);
  fe_add(&g, "hard maxima and config", t_hard_max, NULL);
  return fe_run(&g, "limits");
}
