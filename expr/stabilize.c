/*
** stabilize.c: the stabilizer.  Applies the rewrite rules of rules.def
** (pattern -> result, written in the language) to a DAG, bottom-up over a
** tape, until no rule fires.  Matching is structural on the hash-consed
** DAG: a pattern variable binds a node, a second use must be the same node,
** and commutative operators match either operand order.  Patterns are
** small and fixed, so the matcher recurses over the pattern (never over
** the user's DAG).
*/
#include <string.h>

#include "node.h"
#include "parse.h"

#define NVARS 3 /* u, v, w */
#define MAX_PASSES 8

struct aj_rule {
  aj_node *pattern, *result; /* over ARG 0..2 = u, v, w */
  uint8_t phase;
};

static const struct {
  uint8_t phase;
  const char *name, *pattern, *result;
} rule_text[] = {
#define CANON AJ_PHASE_CANON
#define TAIL AJ_PHASE_TAIL
#define EVAL AJ_PHASE_EVAL
#define INV AJ_PHASE_INV
#define FUSE AJ_PHASE_FUSE
#define AJ_RULE(ph, name, pat, res) {ph, name, pat, res},
#include "rules.def"
#undef AJ_RULE
#undef CANON
#undef TAIL
#undef EVAL
#undef INV
#undef FUSE
};
enum { NRULES = sizeof rule_text / sizeof *rule_text };
_Static_assert(NRULES <= 64, "actjit_expr.rewrites has one bit per rule");

actjit_status aj_load_rules(actjit_ctx *ctx, actjit_error *err) {
  ctx->rules = aj_alloc(ctx, NRULES * sizeof *ctx->rules);
  if (!ctx->rules) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  for (uint32_t i = 0; i < NRULES; i++) {
    struct aj_rule *r = &ctx->rules[i];
    r->phase = rule_text[i].phase;
    actjit_status s = aj_parse_template(ctx, "r(u, v, w) = ",
                                        rule_text[i].pattern,
                                        rule_text[i].name, &r->pattern, err);
    if (!s)
      s = aj_parse_template(ctx, "r(u, v, w) = ", rule_text[i].result,
                            rule_text[i].name, &r->result, err);
    if (s) {
      aj_free_rules(ctx);
      return s;
    }
    ctx->nrules = i + 1;
  }
  return ACTJIT_OK;
}

void aj_free_rules(actjit_ctx *ctx) {
  aj_free(ctx, ctx->rules, NRULES * sizeof *ctx->rules);
  ctx->rules = NULL;
  ctx->nrules = 0;
}

uint32_t aj_rule_count(const actjit_ctx *ctx) { return ctx->nrules; }

void aj_rule_text(const actjit_ctx *ctx, uint32_t i, const char **name,
                  const char **pattern, const char **result,
                  unsigned *phase) {
  (void)ctx;
  *name = rule_text[i].name;
  *pattern = rule_text[i].pattern;
  *result = rule_text[i].result;
  *phase = rule_text[i].phase;
}

/* 1 if pattern p matches node n, extending bind[] (which is left partly
** filled on failure: the caller resets it). */
static int match(const aj_node *p, aj_node *n, aj_node **bind) {
  if (p->op == AJ_ARG) {
    aj_node **b = &bind[p->u.index];
    if (!*b) *b = n;
    return *b == n;
  }
  if (p->op != n->op || p->nargs != n->nargs) return 0;
  if (p->nargs == 0) return p == n; /* constants and x are interned */
  if (p->nargs == 2 && (aj_ops[p->op].flags & AJ_COMM)) {
    aj_node *save[NVARS];
    memcpy(save, bind, sizeof save);
    if (match(p->arg[0], n->arg[0], bind) && match(p->arg[1], n->arg[1], bind))
      return 1;
    memcpy(bind, save, sizeof save);
    return match(p->arg[0], n->arg[1], bind) &&
           match(p->arg[1], n->arg[0], bind);
  }
  for (int k = 0; k < p->nargs; k++)
    if (!match(p->arg[k], n->arg[k], bind)) return 0;
  return 1;
}

typedef struct stab_state {
  unsigned phase;
  uint32_t fired;
  const uint8_t *in_product; /* per tape entry: an operand of some product */
  aj_node **kept;            /* matched nodes a result kept as they were */
  uint32_t nkept, cap_kept;
  int nomem;
} stab_state;

static int is_kept(const stab_state *st, const aj_node *n) {
  for (uint32_t i = 0; i < st->nkept; i++)
    if (st->kept[i] == n) return 1;
  return 0;
}

/* The rewrite of entry i (operands already rewritten in out[]), or NULL
** when a make failed. */
static aj_node *stab_step(stab_state *st, actjit_ctx *ctx, const aj_tape *t,
                          uint32_t i, aj_node *const *out) {
  const aj_tape_ent *e = &t->ent[i];
  aj_node *n = e->node;
  if (n->nargs == 0) return n;
  aj_node *args[3] = {NULL, NULL, NULL};
  for (int k = 0; k < n->nargs; k++) args[k] = out[e->arg[k]];
  aj_node *m = aj_simp_make(ctx, (aj_op)n->op, args);
  if (!m || is_kept(st, m)) return m;
  /* TAIL rules rescale a whole product: not one inside a larger product */
  if (st->phase == AJ_PHASE_TAIL && st->in_product[i]) return m;
  for (uint32_t r = 0; r < ctx->nrules; r++) {
    const struct aj_rule *rule = &ctx->rules[r];
    if (rule->phase != st->phase || rule->pattern->op != m->op) continue;
    aj_node *bind[NVARS] = {NULL, NULL, NULL};
    if (!match(rule->pattern, m, bind)) continue;
    for (int k = 0; k < NVARS; k++)
      if (!bind[k]) bind[k] = ctx->zero; /* unused variable */
    aj_node *res = aj_subst_args(ctx, rule->result, bind, NVARS,
                                 AJ_BUILD_SIMPLIFY);
    /* A result may keep the matched expression where it is accurate
    ** already; that copy is not rewritten again. */
    if (res && aj_grow(ctx, (void **)&st->kept, &st->cap_kept, st->nkept + 1,
                       sizeof *st->kept) == 0)
      st->kept[st->nkept++] = m;
    else if (res)
      st->nomem = 1;
    st->fired++;
    ctx->fired_rules |= (uint64_t)1 << r;
    return res;
  }
  return m;
}

/* One bottom-up pass of one phase's rules over root.  Its own loop over
** the tape, not aj_tape_map: TAIL rules need to know, per entry, whether a
** product uses it, which is indexed by tape position. */
static aj_node *stab_pass(actjit_ctx *ctx, aj_node *root, stab_state *st) {
  aj_tape t;
  if (aj_tape_build(ctx, &root, 1, 0, &t)) {
    ctx->make_fail = ACTJIT_ENOMEM;
    return NULL;
  }
  aj_node **out = aj_alloc(ctx, (size_t)t.n * sizeof *out);
  uint8_t *in_product = aj_alloc(ctx, t.n ? t.n : 1);
  aj_node *result = NULL;
  if (out && in_product) {
    memset(in_product, 0, t.n ? t.n : 1);
    for (uint32_t i = 0; i < t.n; i++)
      if (t.ent[i].node->op == AJ_MUL)
        for (int k = 0; k < 2; k++) in_product[t.ent[i].arg[k]] = 1;
    st->in_product = in_product;
    uint32_t i;
    for (i = 0; i < t.n; i++)
      if (!(out[i] = stab_step(st, ctx, &t, i, out))) break;
    if (i == t.n && !st->nomem) result = out[t.root[0]];
  }
  if (!result && !ctx->make_fail) ctx->make_fail = ACTJIT_ENOMEM;
  aj_free(ctx, out, (size_t)t.n * sizeof *out);
  aj_free(ctx, in_product, t.n ? t.n : 1);
  aj_tape_free(ctx, &t);
  return result;
}

aj_node *aj_stabilize(actjit_ctx *ctx, aj_node *root, unsigned phases) {
  static const unsigned order[] = {AJ_PHASE_INV, AJ_PHASE_CANON,
                                   AJ_PHASE_FUSE, AJ_PHASE_TAIL,
                                   AJ_PHASE_EVAL};
  for (int p = 0; p < 5 && root; p++) {
    if (!(phases & order[p])) continue;
    stab_state st;
    memset(&st, 0, sizeof st);
    st.phase = order[p];
    for (int pass = 0; pass < MAX_PASSES && root; pass++) {
      st.fired = 0;
      root = stab_pass(ctx, root, &st);
      if (!st.fired) break;
    }
    aj_free(ctx, st.kept, st.cap_kept * sizeof *st.kept);
  }
  return root;
}
