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
#define EVAL AJ_PHASE_EVAL
#define AJ_RULE(ph, name, pat, res) {ph, name, pat, res},
#include "rules.def"
#undef AJ_RULE
#undef CANON
#undef EVAL
};
enum { NRULES = sizeof rule_text / sizeof *rule_text };

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
  unsigned phases;
  uint32_t fired;
} stab_state;

static aj_node *stab_step(void *ud, actjit_ctx *ctx, const aj_tape_ent *e,
                          aj_node *const *out) {
  stab_state *st = ud;
  aj_node *n = e->node;
  if (n->nargs == 0) return n;
  aj_node *args[3] = {NULL, NULL, NULL};
  for (int k = 0; k < n->nargs; k++) args[k] = out[e->arg[k]];
  aj_node *m = aj_simp_make(ctx, (aj_op)n->op, args);
  if (!m) return NULL;
  for (uint32_t i = 0; i < ctx->nrules; i++) {
    const struct aj_rule *r = &ctx->rules[i];
    if (!(r->phase & st->phases) || r->pattern->op != m->op) continue;
    aj_node *bind[NVARS] = {NULL, NULL, NULL};
    if (!match(r->pattern, m, bind)) continue;
    for (int k = 0; k < NVARS; k++)
      if (!bind[k]) bind[k] = ctx->zero; /* unused variable */
    st->fired++;
    return aj_subst_args(ctx, r->result, bind, NVARS, AJ_BUILD_SIMPLIFY);
  }
  return m;
}

aj_node *aj_stabilize(actjit_ctx *ctx, aj_node *root, unsigned phases) {
  for (int pass = 0; pass < MAX_PASSES && root; pass++) {
    stab_state st = {phases, 0};
    root = aj_tape_map(ctx, root, 0, stab_step, &st);
    if (!st.fired) break;
  }
  return root;
}
