/*
** expr.h: the actjit_expr object: a root, its tape (for the lock-free
** interpreter and printer) and its parameter list.
*/
#ifndef AJ_EXPR_H
#define AJ_EXPR_H

#include "node.h"

typedef struct aj_param {
  aj_node *node;     /* the PARAM node (its name lives in the context) */
  double def;        /* default value, when has_def */
  int has_def;
  uint32_t off, len; /* first use in the source */
} aj_param;

struct actjit_expr {
  actjit_ctx *ctx;
  aj_node *root;
  aj_tape tape;
  aj_param *params;
  uint32_t nparams;
  uint64_t rewrites; /* the stabilizer rules that fired making it (bit i:
                        rule i of rules.def) */
};

/* Makes an expression over root with a copy of params[0..nparams), its
** rewrites the rules fired so far in this operation.  Under lock.  NULL on
** ENOMEM. */
AJ_INTERNAL actjit_expr *aj_expr_new(actjit_ctx *ctx, aj_node *root,
                                     const aj_param *params,
                                     uint32_t nparams);

/* actjit_stabilize with a choice of rule phases (AJ_PHASE_*). */
AJ_INTERNAL actjit_status aj_expr_stabilize(const actjit_expr *e,
                                            unsigned phases,
                                            actjit_expr **out,
                                            actjit_error *err);
/* actjit_diff with kinks from profile, the result stabilized with phases
** (0: not at all). */
AJ_INTERNAL actjit_status aj_expr_diff(const actjit_expr *e, const char *wrt,
                                       int profile, unsigned phases,
                                       actjit_expr **out, actjit_error *err);
/* Backward from the output (invert.c): g(y) = f'(f^-1(y)) as an expression
** in x (standing for y), under the lock; NULL with *why (a static string)
** when f is not monotone or a piece has no known inverse, or NULL with
** ctx->make_fail set when a make failed.  f's parameters must be bound. */
AJ_INTERNAL aj_node *aj_backward_from_y(actjit_ctx *ctx, const actjit_expr *f,
                                        const char **why);

/* The C99 text of ACTJIT_PART_C: actjit_c_f computing f and actjit_c_df
** computing df (f', both expressions of x whose only parameters are
** runtime ones), parameter rparam[k] read as p[k] (k < nr).  *text is
** freed with actjit_free.  ENOMEM; EINTERNAL for a node with no C form. */
AJ_INTERNAL actjit_status aj_print_c(const actjit_expr *f,
                                     const actjit_expr *df,
                                     aj_node *const *rparam, uint32_t nr,
                                     char **text, actjit_error *err);

/* A growing string in the context's allocator (printers): after a failed
** allocation oom is set and later puts do nothing.  z is NUL-terminated. */
typedef struct aj_strbuf {
  actjit_ctx *ctx;
  char *z;
  size_t n, cap;
  int oom;
} aj_strbuf;
AJ_INTERNAL void aj_sb_put(aj_strbuf *b, const char *s, size_t n);
AJ_INTERNAL void aj_sb_puts(aj_strbuf *b, const char *s);
/* The shortest "%.Ng" (N = 1..17) of finite v that reads back to exactly
** v, in the C locale whatever the thread's. */
AJ_INTERNAL void aj_shortest_double(char out[40], double v,
                                    locale_t c_locale);

#endif
