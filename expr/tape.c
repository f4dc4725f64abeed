/*
** tape.c: postorder schedules of a DAG.  Every pass walks a tape instead of
** recursing, so no DAG, however deep, can exhaust the C stack.
*/
#include <string.h>

#include "node.h"

typedef struct frame {
  aj_node *node;
  uint32_t next; /* next operand to visit */
} frame;

int aj_tape_build(actjit_ctx *ctx, aj_node **roots, uint32_t nroots,
                  uint8_t only, aj_tape *t) {
  return aj_tape_build_roots(ctx, roots, nroots < 2 ? nroots : 2, only, t,
                             NULL);
}

int aj_tape_build_roots(actjit_ctx *ctx, aj_node *const *roots,
                        uint32_t nroots, uint8_t only, aj_tape *t,
                        uint32_t *root_idx) {
  memset(t, 0, sizeof *t);
  uint32_t scap = 0, sp = 0;
  frame *stack = NULL;
  uint32_t epoch = aj_new_epoch(ctx);
  int rc = -1;
  for (uint32_t r = 0; r < nroots; r++) {
    aj_node *root = roots[r];
    if (root->mark == epoch) {
      uint32_t idx = (uint32_t)(uintptr_t)root->scratch;
      if (r < 2) t->root[r] = idx;
      if (root_idx) root_idx[r] = idx;
      continue;
    }
    if (aj_grow(ctx, (void **)&stack, &scap, sp + 1, sizeof *stack)) goto done;
    stack[sp++] = (frame){root, 0};
    root->mark = epoch;
    while (sp) {
      frame *f = &stack[sp - 1];
      aj_node *n = f->node;
      if (f->next < n->nargs) {
        aj_node *a = n->arg[f->next++];
        if (a->mark == epoch || (only && !(a->flags & only))) continue;
        a->mark = epoch;
        if (aj_grow(ctx, (void **)&stack, &scap, sp + 1, sizeof *stack))
          goto done;
        stack[sp++] = (frame){a, 0};
        continue;
      }
      /* All operands placed: place n. */
      if (aj_grow(ctx, (void **)&t->ent, &t->cap_, t->n + 1, sizeof *t->ent))
        goto done;
      aj_tape_ent *e = &t->ent[t->n];
      e->node = n;
      e->aux = 0;
      for (int i = 0; i < 3; i++) {
        aj_node *a = i < n->nargs ? n->arg[i] : NULL;
        e->arg[i] = a && a->mark == epoch ? (uint32_t)(uintptr_t)a->scratch
                                          : UINT32_MAX;
      }
      n->scratch = (aj_node *)(uintptr_t)t->n;
      t->n++;
      sp--;
    }
    uint32_t idx = (uint32_t)(uintptr_t)root->scratch;
    if (r < 2) t->root[r] = idx;
    if (root_idx) root_idx[r] = idx;
  }
  rc = 0;
done:
  aj_free(ctx, stack, scap * sizeof *stack);
  if (rc) aj_tape_free(ctx, t);
  return rc;
}

void aj_tape_free(actjit_ctx *ctx, aj_tape *t) {
  aj_free(ctx, t->ent, t->cap_ * sizeof *t->ent);
  memset(t, 0, sizeof *t);
}

aj_node *aj_tape_map(actjit_ctx *ctx, aj_node *root, uint8_t only,
                     aj_map_step step, void *ud) {
  aj_tape t;
  if (aj_tape_build(ctx, &root, 1, only, &t)) {
    ctx->make_fail = ACTJIT_ENOMEM;
    return NULL;
  }
  aj_node **out = aj_alloc(ctx, (size_t)t.n * sizeof *out);
  aj_node *result = NULL;
  if (!out) {
    ctx->make_fail = ACTJIT_ENOMEM;
  } else {
    uint32_t i;
    for (i = 0; i < t.n; i++)
      if (!(out[i] = step(ud, ctx, &t.ent[i], out))) break;
    if (i == t.n) result = out[t.root[0]];
  }
  aj_free(ctx, out, (size_t)t.n * sizeof *out);
  aj_tape_free(ctx, &t);
  return result;
}
