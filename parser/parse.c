/*
** parse.c: the parser driver and the grammar's actions.
**
** The driver feeds lexer tokens to the lemon parser, deciding what the
** grammar cannot: which newlines separate statements, which NAME starts a
** helper definition (DEFNAME), bracket balance and nesting depth.  The
** actions build the DAG directly: they resolve names (formals, locals, x,
** constants, functions, parameters), inline helpers by substitution, and
** turn every failure into an actjit_error with the offending bytes.
** The first error wins; after it, actions return empty values.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* The lemon parser (grammar.c). */
size_t aj_lemon_size(void);
void aj_lemonInit(void *p, aj_parser *ps);
void aj_lemon(void *p, int major, aj_token minor);
void aj_lemonFinalize(void *p);

extern const char aj_prelude_source[];
extern const size_t aj_prelude_source_len;

static const aj_sexpr NONE = {NULL, NULL, -1, 0, 0};

/* ---- Errors ------------------------------------------------------------ */

static int failed(aj_parser *ps) { return ps->status != ACTJIT_OK; }

#define FAIL(ps, code, off, len, ...)                                          \
  do {                                                                         \
    if (!failed(ps))                                                           \
      (ps)->status = aj_error((ps)->err, code, off, len, __VA_ARGS__);         \
  } while (0)

/* Reports why a node could not be made (ctx->make_fail) at token t. */
static void make_failed(aj_parser *ps, uint32_t off, uint32_t len) {
  actjit_ctx *ctx = ps->ctx;
  if (ctx->make_fail == ACTJIT_ELIMIT_NODES)
    FAIL(ps, ACTJIT_ELIMIT_NODES, off, len,
         "expression has more than %u nodes (max_parse_nodes)",
         (unsigned)ctx->lim.max_parse_nodes);
  else if (ctx->make_fail == ACTJIT_ENOMEM)
    FAIL(ps, ACTJIT_ENOMEM, off, len, "out of memory");
  else
    FAIL(ps, ACTJIT_EINTERNAL, off, len, "internal error making a node");
}

static uint32_t end_of(aj_sexpr e) { return e.off + e.len; }

static aj_sexpr span(aj_node *n, uint32_t from, uint32_t to) {
  aj_sexpr s = {n, NULL, -1, from, to - from};
  return s;
}

/* A made node, checked for failure and for the depth limit at [off, len). */
static aj_node *checked(aj_parser *ps, aj_node *n, uint32_t off,
                        uint32_t len) {
  if (failed(ps)) return NULL;
  if (!n) {
    make_failed(ps, off, len);
    return NULL;
  }
  if (n->height > ps->ctx->lim.max_depth) {
    FAIL(ps, ACTJIT_ELIMIT_DEPTH, off, len,
         "expression nested deeper than %u (max_depth)",
         (unsigned)ps->ctx->lim.max_depth);
    return NULL;
  }
  return n;
}

static int same_name(const char *a, uint32_t na, const char *b, uint32_t nb) {
  return na == nb && memcmp(a, b, na) == 0;
}

static int is_name(const aj_parser *ps, aj_token t, const char *s) {
  return same_name(ps->src + t.off, t.len, s, (uint32_t)strlen(s));
}

/* A value is required (absent only after an error). */
static int require(aj_parser *ps, aj_sexpr e) {
  return !failed(ps) && e.node != NULL;
}

/* ---- Names --------------------------------------------------------------*/

static const char *const reserved[] = {"x", "pi", "e", "inf", "nan"};

int aj_is_reserved(const char *z, uint32_t n) {
  for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
    if (same_name(z, n, reserved[i], (uint32_t)strlen(reserved[i]))) return 1;
  return 0;
}

static double constant_value(const char *z, uint32_t n, int *found) {
  *found = 1;
  if (same_name(z, n, "pi", 2)) return 3.14159265358979323846;
  if (same_name(z, n, "e", 1)) return 2.71828182845904523536;
  if (same_name(z, n, "inf", 3)) return INFINITY;
  if (same_name(z, n, "nan", 3)) return NAN;
  *found = 0;
  return 0;
}

/* The symbol-table entry for z[0, n): found, created (create != 0), or
** NULL (absent, or out of memory: then the parse has failed). */
static aj_sym *sym(aj_parser *ps, const char *z, uint32_t n, int create) {
  uint64_t h = aj_hash_bytes(z, n);
  if (create && (ps->nsyms + 1) * 2 > ps->cap_syms) {
    uint32_t cap = ps->cap_syms ? ps->cap_syms * 2 : 64;
    aj_sym *t = aj_alloc(ps->ctx, cap * sizeof *t);
    if (!t) {
      FAIL(ps, ACTJIT_ENOMEM, 0, 0, "out of memory");
      return NULL;
    }
    memset(t, 0, cap * sizeof *t);
    for (uint32_t i = 0; i < ps->cap_syms; i++) {
      aj_sym *o = &ps->syms[i];
      if (!o->z) continue;
      uint32_t j = (uint32_t)aj_hash_bytes(o->z, o->n) & (cap - 1);
      while (t[j].z) j = (j + 1) & (cap - 1);
      t[j] = *o;
    }
    aj_free(ps->ctx, ps->syms, ps->cap_syms * sizeof *ps->syms);
    ps->syms = t;
    ps->cap_syms = cap;
  }
  if (!ps->cap_syms) return NULL;
  uint32_t j = (uint32_t)h & (ps->cap_syms - 1);
  for (;; j = (j + 1) & (ps->cap_syms - 1)) {
    aj_sym *e = &ps->syms[j];
    if (!e->z) break;
    if (same_name(e->z, e->n, z, n)) return e;
  }
  if (!create) return NULL;
  aj_sym *e = &ps->syms[j];
  *e = (aj_sym){z, n, UINT32_MAX, UINT32_MAX, UINT32_MAX};
  ps->nsyms++;
  return e;
}

/* The prelude entry called z[0, n), or NULL. */
static const aj_fn *find_prelude_fn(const actjit_ctx *ctx, const char *z,
                                    uint32_t n) {
  for (uint32_t i = ctx->nfns; i-- > 0;)
    if (same_name(ctx->fns[i].name, ctx->fns[i].nlen, z, n))
      return &ctx->fns[i];
  return NULL;
}

/* The helper or prelude function called z[0, n), newest definition first;
** NULL if none.  Under a kink profile other than torch, a prelude entry
** NAME defined again as NAME_<profile> (the catalog's per-profile
** variants, see prelude.act) resolves to the variant. */
static const aj_fn *find_fn(aj_parser *ps, const char *z, uint32_t n) {
  aj_sym *e = sym(ps, z, n, 0);
  if (e && e->helper != UINT32_MAX) return &ps->helpers[e->helper];
  if (ps->mode != AJ_MODE_USER) return NULL;
  const aj_fn *fn = find_prelude_fn(ps->ctx, z, n);
  const char *suffix = actjit_profile_name(ps->profile);
  if (fn && ps->profile != ACTJIT_PROFILE_TORCH && suffix) {
    char variant[96];
    size_t sl = strlen(suffix);
    if (n + 1 + sl < sizeof variant) {
      memcpy(variant, z, n);
      variant[n] = '_';
      memcpy(variant + n + 1, suffix, sl);
      const aj_fn *v = find_prelude_fn(ps->ctx, variant, (uint32_t)(n + 1 + sl));
      if (v) fn = v;
    }
  }
  return fn;
}

static aj_param *find_param(aj_parser *ps, aj_node *p) {
  aj_sym *e = sym(ps, p->u.name.z, p->u.name.n, 0);
  return e && e->param != UINT32_MAX ? &ps->params[e->param] : NULL;
}

/* Records parameter p at its first use [off, len). */
static void note_param(aj_parser *ps, aj_node *p, uint32_t off, uint32_t len,
                       int has_def, double def) {
  if (find_param(ps, p)) return;
  aj_sym *e = sym(ps, p->u.name.z, p->u.name.n, 1);
  if (!e) return;
  if (aj_grow(ps->ctx, (void **)&ps->params, &ps->cap_params, ps->nparams + 1,
              sizeof *ps->params)) {
    FAIL(ps, ACTJIT_ENOMEM, off, len, "out of memory");
    return;
  }
  e->param = ps->nparams;
  aj_param *q = &ps->params[ps->nparams++];
  q->node = p;
  q->def = def;
  q->has_def = has_def;
  q->off = off;
  q->len = len;
}

/* name -> formal | local | x | constant | function | parameter */
aj_sexpr aj_p_name(aj_parser *ps, aj_token t) {
  if (failed(ps)) return NONE;
  actjit_ctx *ctx = ps->ctx;
  const char *z = ps->src + t.off;
  if (ps->defining)
    for (uint32_t i = 0; i < ps->defining->nformals; i++)
      if (same_name(ps->defining->formal[i], ps->defining->formal_len[i], z,
                    t.len))
        return span(checked(ps, aj_arg(ctx, i), t.off, t.len), t.off,
                    t.off + t.len);
  aj_sym *e = sym(ps, z, t.len, 0);
  if (e && e->local != UINT32_MAX)
    return span(ps->locals[e->local].node, t.off, t.off + t.len);
  if (is_name(ps, t, "x")) return span(ctx->x, t.off, t.off + t.len);
  int found;
  double v = constant_value(z, t.len, &found);
  if (found)
    return span(checked(ps, aj_const(ctx, v), t.off, t.len), t.off,
                t.off + t.len);
  /* A function's name as a value is a parameter of that name, except as
  ** the whole source (aj_p_source), which means name(x). */
  const aj_fn *fn = find_fn(ps, z, t.len);
  int op = fn ? -1 : aj_op_by_name(z, t.len);
  if (ps->mode != AJ_MODE_USER) {
    FAIL(ps, ACTJIT_EUNKNOWN, t.off, t.len, "unknown name '%.*s'", (int)t.len,
         z);
    return NONE;
  }
  aj_node *p = checked(ps, aj_param_node(ctx, z, t.len), t.off, t.len);
  if (p) note_param(ps, p, t.off, t.len, 0, 0);
  aj_sexpr s = {p, fn, op, t.off, t.len};
  return s;
}

/* ---- Expressions ------------------------------------------------------- */

aj_sexpr aj_p_number(aj_parser *ps, aj_token t) {
  if (failed(ps)) return NONE;
  char text[ACTJIT_HARD_MAX_LITERAL_LEN + 1];
  if (t.len >= sizeof text) { /* the lexer enforces the limit */
    FAIL(ps, ACTJIT_ELIMIT_LITERAL, t.off, t.len, "numeric literal too long");
    return NONE;
  }
  memcpy(text, ps->src + t.off, t.len);
  text[t.len] = 0;
  char *end;
  double v = strtod_l(text, &end, ps->ctx->c_locale);
  if (end != text + t.len) {
    FAIL(ps, ACTJIT_ENUMBER, t.off, t.len, "malformed number \"%.*s\"",
         (int)(t.len > 40 ? 40 : t.len), text);
    return NONE;
  }
  if (isinf(v)) {
    FAIL(ps, ACTJIT_ENUMBER, t.off, t.len,
         "number \"%.*s\" is too large for float64",
         (int)(t.len > 40 ? 40 : t.len), text);
    return NONE;
  }
  return span(checked(ps, aj_const(ps->ctx, v), t.off, t.len), t.off,
              t.off + t.len);
}

aj_sexpr aj_p_unary(aj_parser *ps, aj_op op, aj_token t, aj_sexpr a) {
  if (!require(ps, a)) return NONE;
  aj_node *n = aj_make(ps->ctx, op, a.node, NULL, NULL);
  return span(checked(ps, n, t.off, t.len), t.off, end_of(a));
}

aj_sexpr aj_p_plus(aj_parser *ps, aj_token t, aj_sexpr a) {
  if (!require(ps, a)) return NONE;
  return span(a.node, t.off, end_of(a)); /* +u is u */
}

aj_sexpr aj_p_binary(aj_parser *ps, aj_op op, aj_token t, aj_sexpr a,
                     aj_sexpr b) {
  if (!require(ps, a) || !require(ps, b)) return NONE;
  aj_node *n = aj_make(ps->ctx, op, a.node, b.node, NULL);
  return span(checked(ps, n, t.off, t.len), a.off, end_of(b));
}

aj_sexpr aj_p_select(aj_parser *ps, aj_token t, aj_sexpr c, aj_sexpr a,
                     aj_sexpr b) {
  if (!require(ps, c) || !require(ps, a) || !require(ps, b)) return NONE;
  aj_node *n = aj_make(ps->ctx, AJ_SELECT, c.node, a.node, b.node);
  return span(checked(ps, n, t.off, t.len), c.off, end_of(b));
}

aj_sexpr aj_p_paren(aj_parser *ps, aj_token lp, aj_sexpr a, aj_token rp) {
  if (failed(ps)) return NONE;
  a.off = lp.off;
  a.len = rp.off + rp.len - lp.off;
  return a;
}

/* ---- Calls ------------------------------------------------------------- */

void aj_p_arg(aj_parser *ps, aj_sexpr v, const aj_token *kw) {
  if (aj_grow(ps->ctx, (void **)&ps->args, &ps->cap_args, ps->nargs + 1,
              sizeof *ps->args)) {
    FAIL(ps, ACTJIT_ENOMEM, v.off, v.len, "out of memory");
    return;
  }
  aj_callarg *a = &ps->args[ps->nargs++];
  a->value = v;
  memset(&a->kw, 0, sizeof a->kw);
  if (kw) a->kw = *kw;
}

/* Built-in function: positional arguments only, exact arity. */
static aj_node *call_op(aj_parser *ps, int op, aj_token name, aj_callarg *a,
                        uint32_t n) {
  const aj_opinfo *o = &aj_ops[op];
  for (uint32_t i = 0; i < n; i++)
    if (a[i].kw.len) {
      FAIL(ps, ACTJIT_EKEYWORD, a[i].kw.off, a[i].kw.len,
           "'%.*s' takes no keyword arguments", (int)name.len,
           ps->src + name.off);
      return NULL;
    }
  if (n != o->arity) {
    FAIL(ps, ACTJIT_EARITY, name.off, name.len,
         "'%.*s' takes %u argument%s (%u given)", (int)name.len,
         ps->src + name.off, (unsigned)o->arity, o->arity == 1 ? "" : "s",
         (unsigned)n);
    return NULL;
  }
  aj_node *args[3] = {NULL, NULL, NULL};
  for (uint32_t i = 0; i < n; i++) args[i] = a[i].value.node;
  return checked(ps, aj_make_v(ps->ctx, (aj_op)op, args), name.off, name.len);
}

/* Helper: positional then keyword arguments onto formals, defaults for the
** rest, then the body with formals substituted. */
static aj_node *call_fn(aj_parser *ps, const aj_fn *fn, aj_token name,
                        aj_callarg *a, uint32_t n) {
  actjit_ctx *ctx = ps->ctx;
  aj_node *stackv[8];
  aj_node **vals = stackv;
  aj_node *result = NULL;
  if (fn->nformals > 8) {
    vals = aj_alloc(ctx, fn->nformals * sizeof *vals);
    if (!vals) {
      FAIL(ps, ACTJIT_ENOMEM, name.off, name.len, "out of memory");
      return NULL;
    }
  }
  memset(vals, 0, fn->nformals * sizeof *vals);
  const char *fname = ps->src + name.off;
  int nf = (int)name.len, seen_kw = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t k;
    if (!a[i].kw.len) {
      if (seen_kw) {
        FAIL(ps, ACTJIT_EKEYWORD, a[i].value.off, a[i].value.len,
             "positional argument after a keyword argument");
        goto done;
      }
      if (i >= fn->nformals) {
        FAIL(ps, ACTJIT_EARITY, name.off, name.len,
             "'%.*s' takes at most %u argument%s (%u given)", nf, fname,
             (unsigned)fn->nformals, fn->nformals == 1 ? "" : "s",
             (unsigned)n);
        goto done;
      }
      k = i;
    } else {
      seen_kw = 1;
      const char *kz = ps->src + a[i].kw.off;
      for (k = 0; k < fn->nformals; k++)
        if (same_name(fn->formal[k], fn->formal_len[k], kz, a[i].kw.len))
          break;
      if (k == fn->nformals) {
        FAIL(ps, ACTJIT_EKEYWORD, a[i].kw.off, a[i].kw.len,
             "'%.*s' has no parameter '%.*s'", nf, fname, (int)a[i].kw.len,
             kz);
        goto done;
      }
      if (vals[k]) {
        FAIL(ps, ACTJIT_EKEYWORD, a[i].kw.off, a[i].kw.len,
             "argument '%.*s' given twice", (int)a[i].kw.len, kz);
        goto done;
      }
    }
    vals[k] = a[i].value.node;
  }
  /* An activation called with keywords only applies to x:
  ** swish(beta=1.5) is swish(x, beta=1.5) (semantics.md). */
  if (fn->nformals > 0 && !vals[0] && n > 0 && a[0].kw.len &&
      ps->mode == AJ_MODE_USER && fn >= ps->ctx->fns &&
      fn < ps->ctx->fns + ps->ctx->nfns)
    vals[0] = ctx->x;
  for (uint32_t k = 0; k < fn->nformals; k++) {
    if (vals[k]) continue;
    if (!fn->has_def[k]) {
      FAIL(ps, ACTJIT_EARITY, name.off, name.len,
           "missing argument '%.*s' of '%.*s'", (int)fn->formal_len[k],
           fn->formal[k], nf, fname);
      goto done;
    }
    vals[k] = checked(ps, aj_const(ctx, fn->def[k]), name.off, name.len);
    if (!vals[k]) goto done;
  }
  result = aj_subst_args(ctx, fn->body, vals, fn->nformals, AJ_BUILD_RAW);
  result = checked(ps, result, name.off, name.len);
done:
  if (vals != stackv) aj_free(ctx, vals, fn->nformals * sizeof *vals);
  return result;
}

aj_sexpr aj_p_call(aj_parser *ps, aj_token name, uint32_t mark, aj_token rp) {
  if (mark > ps->nargs) mark = ps->nargs;
  aj_callarg *a = ps->args + mark;
  uint32_t n = ps->nargs - mark;
  ps->nargs = mark; /* pop this call's arguments */
  if (failed(ps)) return NONE;
  for (uint32_t i = 0; i < n; i++)
    if (!require(ps, a[i].value)) return NONE;
  const char *z = ps->src + name.off;
  const aj_fn *fn = find_fn(ps, z, name.len);
  int op = fn ? -1 : aj_op_by_name(z, name.len);
  aj_node *r = NULL;
  if (fn) {
    r = call_fn(ps, fn, name, a, n);
  } else if (op >= 0) {
    r = call_op(ps, op, name, a, n);
  } else if (ps->defining &&
             same_name(ps->defining->name, ps->defining->nlen, z, name.len)) {
    FAIL(ps, ACTJIT_ERECURSION, name.off, name.len,
         "'%.*s' calls itself: helpers cannot be recursive", (int)name.len, z);
  } else {
    FAIL(ps, ACTJIT_EUNKNOWN, name.off, name.len, "unknown function '%.*s'",
         (int)name.len, z);
  }
  return span(r, name.off, rp.off + rp.len);
}

/* ---- Statements -------------------------------------------------------- */

void aj_p_local(aj_parser *ps, aj_token name, aj_sexpr v) {
  if (!require(ps, v)) return;
  const char *z = ps->src + name.off;
  aj_sym *e = sym(ps, z, name.len, 0);
  if (aj_is_reserved(z, name.len) ||
      (e && (e->local != UINT32_MAX || e->param != UINT32_MAX))) {
    FAIL(ps, ACTJIT_EREDEFINE, name.off, name.len,
         "'%.*s' is already defined", (int)name.len, z);
    return;
  }
  if (!(e = sym(ps, z, name.len, 1))) return;
  if (aj_grow(ps->ctx, (void **)&ps->locals, &ps->cap_locals,
              ps->nlocals + 1, sizeof *ps->locals)) {
    FAIL(ps, ACTJIT_ENOMEM, name.off, name.len, "out of memory");
    return;
  }
  e->local = ps->nlocals;
  ps->locals[ps->nlocals++] = (aj_local){z, name.len, v.node};
}

void aj_p_formal(aj_parser *ps, aj_token name, const aj_sexpr *def) {
  if (failed(ps)) return;
  const char *z = ps->src + name.off;
  aj_callarg f;
  memset(&f, 0, sizeof f);
  f.kw = name;
  if (def) {
    if (!require(ps, *def)) return;
    aj_node *v = aj_simplify(ps->ctx, def->node);
    if (!v) {
      make_failed(ps, def->off, def->len);
      return;
    }
    if (v->op != AJ_CONST) {
      FAIL(ps, ACTJIT_ENOTCONST, def->off, def->len,
           "the default of '%.*s' must be a constant", (int)name.len, z);
      return;
    }
    f.value = span(v, def->off, end_of(*def));
  }
  for (uint32_t i = 0; i < ps->nformals; i++)
    if (same_name(ps->src + ps->formals[i].kw.off, ps->formals[i].kw.len, z,
                  name.len)) {
      FAIL(ps, ACTJIT_EREDEFINE, name.off, name.len,
           "formal '%.*s' appears twice", (int)name.len, z);
      return;
    }
  if (aj_grow(ps->ctx, (void **)&ps->formals, &ps->cap_formals,
              ps->nformals + 1, sizeof *ps->formals)) {
    FAIL(ps, ACTJIT_ENOMEM, name.off, name.len, "out of memory");
    return;
  }
  ps->formals[ps->nformals++] = f;
}

/* One allocation holds a function's four per-formal arrays. */
static size_t fn_block_size(uint32_t n) {
  return n * (sizeof(const char *) + sizeof(double) + sizeof(uint32_t) + 1);
}

int aj_fn_init(actjit_ctx *ctx, aj_fn *fn, uint32_t n) {
  memset(fn, 0, sizeof *fn);
  char *block = aj_alloc(ctx, fn_block_size(n) ? fn_block_size(n) : 1);
  if (!block) return -1;
  fn->formal = (const char **)block;
  fn->def = (double *)(block + n * sizeof(const char *));
  fn->formal_len = (uint32_t *)(block + n * (sizeof(const char *) +
                                             sizeof(double)));
  fn->has_def = (uint8_t *)(block + n * (sizeof(const char *) +
                                         sizeof(double) + sizeof(uint32_t)));
  fn->nformals = n;
  return 0;
}

void aj_fn_free(actjit_ctx *ctx, aj_fn *fn) {
  if (fn->formal)
    aj_free(ctx, (void *)fn->formal,
            fn_block_size(fn->nformals) ? fn_block_size(fn->nformals) : 1);
  fn->formal = NULL;
  aj_free(ctx, fn->owned, fn->owned_len);
  fn->owned = NULL;
}

void aj_p_helper_begin(aj_parser *ps, aj_token name) {
  if (failed(ps)) return;
  const char *z = ps->src + name.off;
  aj_sym *e = sym(ps, z, name.len, 0);
  if (aj_is_reserved(z, name.len) || (e && e->helper != UINT32_MAX)) {
    FAIL(ps, ACTJIT_EREDEFINE, name.off, name.len,
         "'%.*s' is already defined", (int)name.len, z);
    return;
  }
  if (aj_grow(ps->ctx, (void **)&ps->helpers, &ps->cap_helpers,
              ps->nhelpers + 1, sizeof *ps->helpers)) {
    FAIL(ps, ACTJIT_ENOMEM, name.off, name.len, "out of memory");
    return;
  }
  /* The new helper sits past the end of the list until its body is done,
  ** so the body cannot see it. */
  aj_fn *fn = &ps->helpers[ps->nhelpers];
  uint32_t n = ps->nformals;
  if (aj_fn_init(ps->ctx, fn, n)) {
    FAIL(ps, ACTJIT_ENOMEM, name.off, name.len, "out of memory");
    return;
  }
  fn->name = z;
  fn->nlen = name.len;
  for (uint32_t i = 0; i < n; i++) {
    aj_callarg *f = &ps->formals[i];
    fn->formal[i] = ps->src + f->kw.off;
    fn->formal_len[i] = f->kw.len;
    fn->has_def[i] = f->value.node != NULL;
    fn->def[i] = f->value.node ? f->value.node->u.num : 0;
  }
  ps->nformals = 0;
  ps->defining = fn;
  ps->defining_name = name;
}

void aj_p_helper_end(aj_parser *ps, aj_sexpr body) {
  aj_fn *fn = ps->defining;
  ps->defining = NULL;
  if (!fn) return;
  if (!require(ps, body)) {
    aj_fn_free(ps->ctx, fn);
    return;
  }
  aj_sym *e = sym(ps, fn->name, fn->nlen, 1);
  if (!e) {
    aj_fn_free(ps->ctx, fn);
    return;
  }
  fn->body = body.node;
  e->helper = ps->nhelpers++;
}

/* source -> ... expr: a bare function name means name(x), its other
** formals lifted to parameters with their defaults. */
void aj_p_source(aj_parser *ps, aj_sexpr e) {
  if (failed(ps)) return;
  ps->done = 1;
  if (!e.fn && e.op < 0) {
    ps->result = e;
    return;
  }
  actjit_ctx *ctx = ps->ctx;
  aj_token name = {e.off, e.len, TK_NAME};
  if (e.op >= 0) {
    aj_callarg a;
    memset(&a, 0, sizeof a);
    a.value = span(ctx->x, e.off, e.off + e.len);
    ps->result = span(call_op(ps, e.op, name, &a, 1), e.off, e.off + e.len);
    return;
  }
  const aj_fn *fn = e.fn;
  aj_callarg *a = aj_alloc(ctx, (fn->nformals ? fn->nformals : 1) * sizeof *a);
  if (!a) {
    FAIL(ps, ACTJIT_ENOMEM, e.off, e.len, "out of memory");
    return;
  }
  memset(a, 0, (fn->nformals ? fn->nformals : 1) * sizeof *a);
  for (uint32_t k = 0; k < fn->nformals; k++) {
    aj_node *v = ctx->x;
    if (k > 0) {
      if (aj_is_reserved(fn->formal[k], fn->formal_len[k])) {
        FAIL(ps, ACTJIT_EREDEFINE, e.off, e.len,
             "parameter '%.*s' of '%.*s' cannot be lifted: reserved name",
             (int)fn->formal_len[k], fn->formal[k], (int)e.len,
             ps->src + e.off);
        break;
      }
      v = checked(ps, aj_param_node(ctx, fn->formal[k], fn->formal_len[k]), e.off,
                  e.len);
      if (!v) break;
      note_param(ps, v, e.off, e.len, fn->has_def[k], fn->def[k]);
    }
    a[k].value = span(v, e.off, e.off + e.len);
  }
  if (!failed(ps))
    ps->result = span(call_fn(ps, fn, name, a, fn->nformals), e.off,
                      e.off + e.len);
  aj_free(ctx, a, (fn->nformals ? fn->nformals : 1) * sizeof *a);
}

void aj_p_syntax_error(aj_parser *ps, aj_token t) {
  if (t.type == AJ_TK_EOF || t.off >= ps->len) {
    FAIL(ps, ACTJIT_EINCOMPLETE, ps->len, 0, "incomplete input");
  } else if (t.len == 1 && ps->src[t.off] == '\n') {
    FAIL(ps, ACTJIT_ESYNTAX, t.off, t.len, "near end of line: syntax error");
  } else {
    FAIL(ps, ACTJIT_ESYNTAX, t.off, t.len, "near \"%.*s\": syntax error",
         (int)(t.len > 40 ? 40 : t.len), ps->src + t.off);
  }
}

void aj_p_stack_overflow(aj_parser *ps) {
  FAIL(ps, ACTJIT_ELIMIT_DEPTH, ps->cur.off, ps->cur.len,
       "expression nested too deeply");
}

/* ---- The driver -------------------------------------------------------- */

/* At a statement start, NAME '(' ... ')' '=' (not '==') is a helper head. */
static int is_helper_head(aj_parser *ps, size_t pos) {
  aj_token t;
  actjit_error scratch;
  uint32_t lim = ps->ctx->lim.max_literal_len;
  if (aj_lex(ps->src, ps->len, pos, lim, &t, &scratch) != TK_LP) return 0;
  uint32_t depth = 1;
  pos = t.off + t.len;
  while (depth) {
    int type = aj_lex(ps->src, ps->len, pos, lim, &t, &scratch);
    if (type == AJ_TK_EOF || type == AJ_TK_ERROR || type == TK_SEMI) return 0;
    depth += type == TK_LP;
    depth -= type == TK_RP;
    pos = t.off + t.len;
  }
  return aj_lex(ps->src, ps->len, pos, lim, &t, &scratch) == TK_ASSIGN;
}

static int ends_expression(int type) {
  return type == TK_NUMBER || type == TK_NAME || type == TK_RP;
}

/* Feeds the whole source to lemon.  ps->status says how it went. */
static void run(aj_parser *ps) {
  actjit_ctx *ctx = ps->ctx;
  void *lemon = aj_alloc(ctx, aj_lemon_size());
  uint32_t max_open = ctx->lim.max_depth;
  uint32_t *open = aj_alloc(ctx, (max_open + 1) * sizeof *open);
  if (!lemon || !open) {
    FAIL(ps, ACTJIT_ENOMEM, 0, 0, "out of memory");
    goto done;
  }
  aj_lemonInit(lemon, ps);
  uint32_t nopen = 0;
  int prev = TK_SEP; /* as if after a separator: leading ones are dropped */
  size_t pos = 0;
  for (;;) {
    aj_token t;
    int type = aj_lex(ps->src, ps->len, pos, ctx->lim.max_literal_len, &t,
                      ps->err);
    if (type == AJ_TK_ERROR) { /* the lexer filled ps->err */
      ps->status = ps->err->code;
      break;
    }
    pos = (size_t)t.off + t.len;
    if (type == AJ_TK_NEWLINE) {
      if (nopen || !ends_expression(prev)) continue;
      type = TK_SEP;
    } else if (type == TK_SEMI) {
      type = TK_SEP;
    }
    if (type == TK_SEP && prev == TK_SEP) continue;
    if (type == AJ_TK_EOF) {
      if (nopen) {
        FAIL(ps, ACTJIT_EUNBALANCED, open[nopen - 1], 1,
             "'(' is never closed");
        break;
      }
      t.type = AJ_TK_EOF;
      aj_lemon(lemon, 0, t);
      break;
    }
    if (type == TK_LP) {
      if (nopen >= max_open) {
        FAIL(ps, ACTJIT_ELIMIT_DEPTH, t.off, t.len,
             "brackets nested deeper than %u (max_depth)", (unsigned)max_open);
        break;
      }
      open[nopen++] = t.off;
    } else if (type == TK_RP) {
      if (!nopen) {
        FAIL(ps, ACTJIT_EUNBALANCED, t.off, t.len, "')' without a matching '('");
        break;
      }
      nopen--;
    } else if (type == TK_NAME && prev == TK_SEP && is_helper_head(ps, pos)) {
      type = TK_DEFNAME;
    }
    t.type = type;
    ps->cur = t;
    aj_lemon(lemon, type, t);
    prev = type;
    if (failed(ps)) break;
  }
  if (!failed(ps) && !ps->done)
    FAIL(ps, ACTJIT_EINCOMPLETE, ps->len, 0, "incomplete input");
  aj_lemonFinalize(lemon);
done:
  aj_free(ctx, lemon, aj_lemon_size());
  aj_free(ctx, open, (max_open + 1) * sizeof *open);
}

static void parser_init(aj_parser *ps, actjit_ctx *ctx, const char *src,
                        size_t len, aj_mode mode, actjit_error *err) {
  memset(ps, 0, sizeof *ps);
  ps->ctx = ctx;
  ps->src = src;
  ps->len = len;
  ps->mode = mode;
  ps->err = err;
  ps->result = NONE;
}

/* Frees the parser's arrays; helpers too unless keep_helpers. */
static void parser_free(aj_parser *ps, int keep_helpers) {
  actjit_ctx *ctx = ps->ctx;
  /* a half-defined helper lives in the helpers array: free it first */
  if (ps->defining) aj_fn_free(ctx, ps->defining);
  ps->defining = NULL;
  if (!keep_helpers) {
    for (uint32_t i = 0; i < ps->nhelpers; i++) aj_fn_free(ctx, &ps->helpers[i]);
    aj_free(ctx, ps->helpers, ps->cap_helpers * sizeof *ps->helpers);
  }
  aj_free(ctx, ps->syms, ps->cap_syms * sizeof *ps->syms);
  aj_free(ctx, ps->locals, ps->cap_locals * sizeof *ps->locals);
  aj_free(ctx, ps->formals, ps->cap_formals * sizeof *ps->formals);
  aj_free(ctx, ps->args, ps->cap_args * sizeof *ps->args);
  aj_free(ctx, ps->params, ps->cap_params * sizeof *ps->params);
}

actjit_status aj_parse_user(actjit_ctx *ctx, const char *src, size_t len,
                            int profile, actjit_expr **out,
                            actjit_error *err) {
  if (len > ctx->lim.max_input_bytes)
    return aj_error(err, ACTJIT_ELIMIT_INPUT, ctx->lim.max_input_bytes,
                    len - ctx->lim.max_input_bytes,
                    "source is %zu bytes; the limit is %zu (max_input_bytes)",
                    len, ctx->lim.max_input_bytes);
  actjit_error local;
  if (!err) err = &local;
  aj_parser ps;
  parser_init(&ps, ctx, src, len, AJ_MODE_USER, err);
  ps.profile = profile;
  uint32_t cp = aj_op_begin(ctx, ctx->lim.max_parse_nodes);
  run(&ps);
  if (!failed(&ps)) {
    /* Keep only the parameters the result uses, in order of first use. */
    aj_tape t;
    if (aj_tape_build(ctx, &ps.result.node, 1, AJ_N_PARAM, &t) == 0) {
      uint32_t epoch = aj_new_epoch(ctx);
      for (uint32_t i = 0; i < t.n; i++) t.ent[i].node->mark = epoch;
      uint32_t k = 0;
      for (uint32_t i = 0; i < ps.nparams; i++)
        if (ps.params[i].node->mark == epoch) ps.params[k++] = ps.params[i];
      ps.nparams = k;
      aj_tape_free(ctx, &t);
      *out = aj_expr_new(ctx, ps.result.node, ps.params, ps.nparams);
    }
    if (!*out) FAIL(&ps, ACTJIT_ENOMEM, 0, 0, "out of memory");
  }
  aj_op_end(ctx, cp, failed(&ps));
  parser_free(&ps, 0);
  return ps.status;
}

/* ---- Built-ins: derivative templates and the prelude ------------------- */

actjit_status aj_parse_template(actjit_ctx *ctx, const char *head,
                                const char *body, const char *what,
                                aj_node **out, actjit_error *err) {
  char text[640];
  size_t n = strlen(head) + strlen(body);
  if (n + 4 > sizeof text)
    return aj_error(err, ACTJIT_EINTERNAL, 0, 0, "%s: template too long", what);
  memcpy(text, head, strlen(head));
  memcpy(text + strlen(head), body, strlen(body));
  /* The template is the helper's body; the final expression is a dummy. */
  memcpy(text + n, "; 0", 4);
  aj_parser ps;
  parser_init(&ps, ctx, text, n + 3, AJ_MODE_TEMPLATE, err);
  uint32_t cp = aj_op_begin(ctx, 0);
  run(&ps);
  if (!failed(&ps)) {
    *out = aj_simplify(ctx, ps.helpers[0].body);
    if (!*out) FAIL(&ps, ACTJIT_ENOMEM, 0, 0, "out of memory");
  }
  aj_op_end(ctx, cp, failed(&ps));
  parser_free(&ps, 0);
  if (failed(&ps)) {
    char why[sizeof err->message];
    memcpy(why, err->message, sizeof why); /* err is also the output */
    if (ps.status != ACTJIT_ENOMEM)
      return aj_error(err, ACTJIT_EINTERNAL, 0, 0,
                      "%s does not parse: %.180s", what, why);
    return ps.status;
  }
  return ACTJIT_OK;
}

static actjit_status load_templates(actjit_ctx *ctx, actjit_error *err) {
  for (int op = 0; op < AJ_OP_COUNT; op++) {
    if (!aj_ops[op].deriv) continue;
    actjit_status s = aj_parse_template(ctx, "d(a, b, c, da, db, dc, self) = ",
                                        aj_ops[op].deriv, aj_ops[op].spelling,
                                        &ctx->tmpl[op], err);
    if (s) return s;
  }
  return ACTJIT_OK;
}

static actjit_status load_prelude(actjit_ctx *ctx, actjit_error *err) {
  aj_parser ps;
  parser_init(&ps, ctx, aj_prelude_source, aj_prelude_source_len,
              AJ_MODE_PRELUDE, err);
  uint32_t cp = aj_op_begin(ctx, 0);
  run(&ps);
  if (!failed(&ps)) {
    ctx->fn_names = aj_alloc(ctx, (ps.nhelpers + 1) * sizeof(char *));
    if (!ctx->fn_names) FAIL(&ps, ACTJIT_ENOMEM, 0, 0, "out of memory");
    else memset(ctx->fn_names, 0, (ps.nhelpers + 1) * sizeof(char *));
    for (uint32_t i = 0; i < ps.nhelpers && !failed(&ps); i++) {
      char *s = aj_alloc(ctx, ps.helpers[i].nlen + 1);
      if (!s) {
        FAIL(&ps, ACTJIT_ENOMEM, 0, 0, "out of memory");
        break;
      }
      memcpy(s, ps.helpers[i].name, ps.helpers[i].nlen);
      s[ps.helpers[i].nlen] = 0;
      ctx->fn_names[i] = s;
    }
  }
  aj_op_end(ctx, cp, failed(&ps));
  if (failed(&ps)) {
    actjit_status s = ps.status;
    if (ctx->fn_names) {
      for (uint32_t i = 0; ctx->fn_names[i]; i++)
        aj_free(ctx, ctx->fn_names[i], strlen(ctx->fn_names[i]) + 1);
      aj_free(ctx, ctx->fn_names, (ps.nhelpers + 1) * sizeof(char *));
      ctx->fn_names = NULL;
    }
    parser_free(&ps, 0);
    char why[sizeof err->message];
    memcpy(why, err->message, sizeof why); /* err is also the output */
    if (s != ACTJIT_ENOMEM)
      return aj_error(err, ACTJIT_EINTERNAL, err->offset, err->length,
                      "the prelude does not parse: %.200s", why);
    return s;
  }
  ctx->fns = ps.helpers;
  ctx->nfns = ps.nhelpers;
  ctx->nprelude = ps.nhelpers;
  ctx->cap_fns_ = ps.cap_helpers;
  parser_free(&ps, 1);
  return ACTJIT_OK;
}

actjit_status aj_load_builtins(actjit_ctx *ctx, actjit_error *err) {
  actjit_error local;
  if (!err) err = &local;
  /* The built-ins load under the hard maxima: a caller's small limits are
  ** for the caller's sources, not for ours. */
  actjit_limits user = ctx->lim;
  ctx->lim.max_input_bytes = ACTJIT_HARD_MAX_INPUT_BYTES;
  ctx->lim.max_depth = ACTJIT_HARD_MAX_DEPTH;
  ctx->lim.max_parse_nodes = ACTJIT_HARD_MAX_PARSE_NODES;
  ctx->lim.max_diff_nodes = ACTJIT_HARD_MAX_DIFF_NODES;
  ctx->lim.max_literal_len = ACTJIT_HARD_MAX_LITERAL_LEN;
  actjit_status s = load_templates(ctx, err);
  if (s == ACTJIT_OK) s = aj_load_profile_templates(ctx, err);
  if (s == ACTJIT_OK) s = aj_load_rules(ctx, err);
  if (s == ACTJIT_OK) s = load_prelude(ctx, err);
  ctx->lim = user;
  return s;
}

void aj_unload_builtins(actjit_ctx *ctx) {
  aj_free_rules(ctx);
  for (uint32_t i = 0; i < ctx->nfns; i++) aj_fn_free(ctx, &ctx->fns[i]);
  aj_free(ctx, ctx->fns, ctx->cap_fns_ * sizeof *ctx->fns);
  if (ctx->fn_names) {
    for (uint32_t i = 0; ctx->fn_names[i]; i++)
      aj_free(ctx, ctx->fn_names[i], strlen(ctx->fn_names[i]) + 1);
    aj_free(ctx, ctx->fn_names, (ctx->nprelude + 1) * sizeof(char *));
  }
  ctx->fns = NULL;
  ctx->fn_names = NULL;
  ctx->nfns = 0;
}
