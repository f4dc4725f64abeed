/*
** print.c: expression → source text that parses back to the same node,
** with minimal parentheses.  Iterative (an explicit stack of "emit this
** text" / "print that entry" items), so depth cannot overflow the C stack.
** When the tree written out in full would be large, every shared non-leaf
** subexpression becomes a local binding `_1 = ...; ` first.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

#define INLINE_TREE_MAX 200 /* print as one tree up to this many nodes */

void aj_sb_put(aj_strbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->n + n + 1 > cap) cap *= 2;
    char *z = aj_realloc(b->ctx, b->z, b->cap, cap);
    if (!z) {
      b->oom = 1;
      return;
    }
    b->z = z;
    b->cap = cap;
  }
  memcpy(b->z + b->n, s, n);
  b->n += n;
  b->z[b->n] = 0;
}

void aj_sb_puts(aj_strbuf *b, const char *s) { aj_sb_put(b, s, strlen(s)); }

void aj_shortest_double(char out[40], double v, locale_t c_locale) {
  char s[40];
  out[0] = 0;
  locale_t old = uselocale(c_locale);
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(s, sizeof s, "%.*g", prec, v);
    if (strtod_l(s, NULL, c_locale) == v && (!out[0] || strlen(s) < strlen(out)))
      memcpy(out, s, sizeof s);
  }
  if (!out[0]) snprintf(out, 40, "%.17g", v);
  uselocale(old);
}

/* v as the language reads it: the shortest round-trip digits, nan, inf. */
static void put_number(aj_strbuf *b, double v, locale_t c_locale) {
  if (isnan(v)) {
    aj_sb_puts(b, signbit(v) ? "-nan" : "nan");
    return;
  }
  if (isinf(v)) {
    aj_sb_puts(b, v < 0 ? "-inf" : "inf");
    return;
  }
  char best[40];
  aj_shortest_double(best, v, c_locale);
  aj_sb_puts(b, best);
}

/* Precedence of an entry as written (negative constants are unary). */
static int prec_of(const aj_node *n) {
  if (n->op == AJ_CONST)
    return signbit(n->u.num) && !isnan(n->u.num) ? 7 : 9;
  return aj_ops[n->op].prec;
}

/* A work item: text to emit, or an entry to print at minimum precedence. */
typedef struct item {
  const char *text; /* when non-NULL: emit it */
  uint32_t ent;
  uint8_t need;     /* parenthesize if prec < need */
  uint8_t top;      /* print the definition even if the entry is bound */
} item;

typedef struct printer {
  const actjit_expr *e;
  aj_strbuf *b;
  uint32_t *bound; /* per entry: binding number, 0 if printed inline */
  const char *prefix;
  item *stack;
  uint32_t sp, cap;
} printer;

static int push(printer *p, item it) {
  if (aj_grow(p->e->ctx, (void **)&p->stack, &p->cap, p->sp + 1,
              sizeof *p->stack)) {
    p->b->oom = 1;
    return -1;
  }
  p->stack[p->sp++] = it;
  return 0;
}

#define TEXT(s) ((item){(s), 0, 0, 0})
#define SUB(i, nd) ((item){NULL, (i), (nd), 0})

/* Pushes the items that print entry i (in reverse order of output). */
static int expand(printer *p, uint32_t i, int need, int top) {
  const aj_tape_ent *te = &p->e->tape.ent[i];
  const aj_node *n = te->node;
  char tmp[32];
  if (p->bound[i] && !top) {
    snprintf(tmp, sizeof tmp, "%s%u", p->prefix, p->bound[i]);
    aj_sb_puts(p->b, tmp);
    return 0;
  }
  const aj_opinfo *o = &aj_ops[n->op];
  int prec = prec_of(n);
  int paren = prec < need;
  int rc = 0;
  /* expand runs when this entry's text begins: "(" goes out now, ")" after
  ** everything pushed below. */
  if (paren) {
    aj_sb_puts(p->b, "(");
    rc |= push(p, TEXT(")"));
  }
  switch (o->kind) {
  case AJ_K_LEAF:
    if (n->op == AJ_CONST) put_number(p->b, n->u.num, p->e->ctx->c_locale);
    else if (n->op == AJ_X) aj_sb_puts(p->b, "x");
    else if (n->op == AJ_PARAM) aj_sb_puts(p->b, n->u.name.z);
    else aj_sb_puts(p->b, n->op == AJ_ARG ? "$arg" : "$dzero");
    break;
  case AJ_K_PREFIX: {
    /* `- -x` reads better than `--x`; both parse the same */
    const aj_node *a = p->e->tape.ent[te->arg[0]].node;
    int space = a->op == AJ_NEG || a->op == AJ_NOT ||
                (a->op == AJ_CONST && prec_of(a) == 7 && !p->bound[te->arg[0]]);
    rc |= push(p, SUB(te->arg[0], 7));
    rc |= push(p, TEXT(space ? " " : ""));
    rc |= push(p, TEXT(o->spelling));
    break;
  }
  case AJ_K_INFIX: {
    int lneed = prec, rneed = prec + 1;
    if (o->flags & AJ_RASSOC) lneed = prec + 1, rneed = 7; /* 2^-x */
    if (o->flags & AJ_NONASSOC) lneed = rneed = prec + 1;
    static const char *const spaced[] = {
        [AJ_ADD] = " + ", [AJ_SUB] = " - ", [AJ_LT] = " < ", [AJ_LE] = " <= ",
        [AJ_GT] = " > ", [AJ_GE] = " >= ", [AJ_EQ] = " == ",
        [AJ_NE] = " != ", [AJ_AND] = " && ", [AJ_OR] = " || "};
    const char *sym = (size_t)n->op < sizeof spaced / sizeof *spaced &&
                              spaced[n->op] ? spaced[n->op] : o->spelling;
    rc |= push(p, SUB(te->arg[1], rneed));
    rc |= push(p, TEXT(sym));
    rc |= push(p, SUB(te->arg[0], lneed));
    break;
  }
  case AJ_K_SELECT: /* c ? a : b, right-associative */
    rc |= push(p, SUB(te->arg[2], 1));
    rc |= push(p, TEXT(" : "));
    rc |= push(p, SUB(te->arg[1], 0));
    rc |= push(p, TEXT(" ? "));
    rc |= push(p, SUB(te->arg[0], 2));
    break;
  case AJ_K_FN:
    rc |= push(p, TEXT(")"));
    for (int k = n->nargs - 1; k >= 0; k--) {
      rc |= push(p, SUB(te->arg[k], 0));
      if (k) rc |= push(p, TEXT(", "));
    }
    rc |= push(p, TEXT("("));
    rc |= push(p, TEXT(o->spelling));
    break;
  }
  return rc;
}

static void print_entry(printer *p, uint32_t i, int top) {
  p->sp = 0;
  if (expand(p, i, 0, top)) return;
  while (p->sp && !p->b->oom) {
    item it = p->stack[--p->sp];
    if (it.text) aj_sb_puts(p->b, it.text);
    else if (expand(p, it.ent, it.need, 0)) return;
  }
}

/* A binding prefix ("_", "__", ...) that no parameter name can collide
** with: parameters spelled prefix + digits are checked. */
static const char *binding_prefix(const actjit_expr *e) {
  static const char *const prefixes[] = {"_", "__", "___", "_t", "_tmp"};
  for (size_t k = 0; k < sizeof prefixes / sizeof *prefixes; k++) {
    size_t pl = strlen(prefixes[k]);
    int clash = 0;
    for (uint32_t i = 0; i < e->tape.n && !clash; i++) {
      const aj_node *n = e->tape.ent[i].node;
      if (n->op != AJ_PARAM || n->u.name.n <= pl ||
          memcmp(n->u.name.z, prefixes[k], pl) != 0)
        continue;
      clash = strspn(n->u.name.z + pl, "0123456789") == n->u.name.n - pl;
    }
    if (!clash) return prefixes[k];
  }
  return "_tmp_";
}

actjit_status actjit_print(const actjit_expr *e, char **text,
                           actjit_error *err) {
  if (text) *text = NULL;
  if (!e || !text)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_print: NULL argument");
  actjit_ctx *ctx = e->ctx;
  const aj_tape *t = &e->tape;
  aj_strbuf b = {ctx, NULL, 0, 0, 0};
  printer p = {e, &b, NULL, binding_prefix(e), NULL, 0, 0};
  uint32_t *uses = aj_alloc(ctx, (size_t)t->n * sizeof *uses);
  p.bound = aj_alloc(ctx, (size_t)t->n * sizeof *p.bound);
  double *tree = aj_alloc(ctx, (size_t)t->n * sizeof *tree);
  if (!uses || !p.bound || !tree) {
    b.oom = 1;
    goto done;
  }
  memset(uses, 0, t->n * sizeof *uses);
  memset(p.bound, 0, t->n * sizeof *p.bound);
  for (uint32_t i = 0; i < t->n; i++) {
    tree[i] = 1;
    for (int k = 0; k < t->ent[i].node->nargs; k++) {
      uses[t->ent[i].arg[k]]++;
      tree[i] += tree[t->ent[i].arg[k]];
    }
  }
  uint32_t nbound = 0;
  if (tree[t->root[0]] > INLINE_TREE_MAX)
    for (uint32_t i = 0; i < t->n; i++)
      if (uses[i] > 1 && t->ent[i].node->nargs > 0 && i != t->root[0])
        p.bound[i] = ++nbound;
  /* Definitions in postorder (each uses only earlier ones), then the root. */
  for (uint32_t i = 0; i < t->n && !b.oom; i++) {
    if (!p.bound[i]) continue;
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%s%u = ", p.prefix, p.bound[i]);
    aj_sb_puts(&b, tmp);
    print_entry(&p, i, 1);
    aj_sb_puts(&b, "; ");
  }
  /* A lone parameter named like a function would read back as a call of
  ** that function on x: `+name` keeps it a value. */
  const aj_node *root = t->ent[t->root[0]].node;
  if (root->op == AJ_PARAM && aj_is_function_name(ctx, root->u.name.z))
    aj_sb_puts(&b, "+");
  print_entry(&p, t->root[0], 1);
done:
  aj_free(ctx, uses, (size_t)t->n * sizeof *uses);
  aj_free(ctx, p.bound, (size_t)t->n * sizeof *p.bound);
  aj_free(ctx, tree, (size_t)t->n * sizeof *tree);
  aj_free(ctx, p.stack, p.cap * sizeof *p.stack);
  if (!b.oom) {
    char *out = aj_text_alloc(ctx, b.n);
    if (out) {
      memcpy(out, b.z ? b.z : "", b.n);
      out[b.n] = 0;
      *text = out;
    } else {
      b.oom = 1;
    }
  }
  aj_free(ctx, b.z, b.cap);
  if (b.oom) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  return ACTJIT_OK;
}
