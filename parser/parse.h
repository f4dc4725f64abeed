/*
** parse.h: the parser's interface to the rest of the engine, and the state
** shared by the driver (parse.c) and the grammar's actions (grammar.y).
** Parsing builds the DAG directly: names are resolved and helpers inlined
** as the grammar reduces, so no AST exists.
*/
#ifndef AJ_PARSE_H
#define AJ_PARSE_H

#include "expr.h"
#include "lexer.h"

/* A function callable by name: a prelude entry or a user helper. */
struct aj_fn {
  const char *name; /* not NUL-terminated: name[0, nlen) */
  uint32_t nlen;
  uint32_t nformals;
  const char **formal;   /* formal[i][0, formal_len[i]) */
  uint32_t *formal_len;
  double *def;           /* default of formal i when has_def[i] */
  uint8_t *has_def;
  aj_node *body;         /* over ARG 0 .. nformals-1 */
  char *owned;           /* a user definition's name and formal names
                            (define.c), freed with it; else NULL */
  size_t owned_len;
};

/* The value of an expression during parsing, with its source span.  A bare
** function name also carries the function (fn or op): as the whole source
** it means name(x); anywhere else it is the parameter in node. */
typedef struct aj_sexpr {
  aj_node *node;
  const aj_fn *fn; /* bare prelude/helper name, else NULL */
  int op;          /* bare built-in function name, else -1 */
  uint32_t off, len; /* source span */
} aj_sexpr;

/* One call argument (pushed while a call's arguments are parsed). */
typedef struct aj_callarg {
  aj_sexpr value;
  aj_token kw; /* keyword name, kw.len == 0 when positional */
} aj_callarg;

typedef struct aj_local {
  const char *name;
  uint32_t len;
  aj_node *node;
} aj_local;

/* A name's meanings in this parse (UINT32_MAX: none), hashed by name. */
typedef struct aj_sym {
  const char *z; /* NULL: empty slot */
  uint32_t n;
  uint32_t local, helper, param; /* indices into the parser's arrays */
} aj_sym;

typedef enum aj_mode {
  AJ_MODE_USER,     /* a user's source: free names are parameters */
  AJ_MODE_PRELUDE,  /* the prelude: helpers persist in the context */
  AJ_MODE_TEMPLATE  /* a derivative rule */
} aj_mode;

typedef struct aj_parser {
  actjit_ctx *ctx;
  const char *src;
  size_t len;
  aj_mode mode;
  int profile; /* actjit_profile: picks the catalog's per-profile variants */
  actjit_error *err;
  actjit_status status; /* first error wins */

  aj_sym *syms; /* open addressing, power-of-two size */
  uint32_t nsyms, cap_syms;
  aj_local *locals;
  uint32_t nlocals, cap_locals;
  aj_fn *helpers; /* helpers defined so far (prelude mode: the prelude) */
  uint32_t nhelpers, cap_helpers;
  aj_fn *defining; /* helper whose body is being parsed, or NULL */
  aj_token defining_name;
  aj_callarg *formals; /* pending formals of the helper head */
  uint32_t nformals, cap_formals;
  aj_callarg *args; /* call argument stack */
  uint32_t nargs, cap_args;
  aj_param *params; /* parameters in order of first use */
  uint32_t nparams, cap_params;

  aj_token cur;        /* the token being fed to the grammar */
  aj_sexpr result;
  int done;
} aj_parser;

/* ---- Entry points ---- */

/* Parses a user's source into *out (under the context lock).  err must not
** be NULL. */
AJ_INTERNAL actjit_status aj_parse_user(actjit_ctx *ctx, const char *src,
                                        size_t len, int profile,
                                        actjit_expr **out, actjit_error *err);
/* Parses "head body" (head: "name(formals) = ") as a helper and sets *out
** to its simplified body over ARG 0.. (the formals).  what names it in an
** error.  For the built-in rule tables (derivatives, profiles, stabilizer). */
AJ_INTERNAL actjit_status aj_parse_template(actjit_ctx *ctx, const char *head,
                                            const char *body, const char *what,
                                            aj_node **out, actjit_error *err);
/* Loads the derivative templates and the prelude into a new context. */
AJ_INTERNAL actjit_status aj_load_builtins(actjit_ctx *ctx,
                                           actjit_error *err);
/* 1 if z[0, n) is one of the names a source cannot define: x, pi, e, inf,
** nan. */
AJ_INTERNAL int aj_is_reserved(const char *z, uint32_t n);
/* Gives fn (zeroed first) room for n formals.  0, or -1 on ENOMEM. */
AJ_INTERNAL int aj_fn_init(actjit_ctx *ctx, aj_fn *fn, uint32_t n);
/* Frees what fn owns (not fn itself). */
AJ_INTERNAL void aj_fn_free(actjit_ctx *ctx, aj_fn *fn);
/* Loads the user definitions of cfg (define.c): the activations file. */
AJ_INTERNAL actjit_status aj_load_user_file(actjit_ctx *ctx, const char *path,
                                            actjit_error *err);
/* Frees what aj_load_builtins made (safe on a partly loaded context). */
AJ_INTERNAL void aj_unload_builtins(actjit_ctx *ctx);

/* ---- Grammar actions (parse.c), called from grammar.y ---- */

AJ_INTERNAL aj_sexpr aj_p_number(aj_parser *ps, aj_token t);
AJ_INTERNAL aj_sexpr aj_p_name(aj_parser *ps, aj_token t);
AJ_INTERNAL aj_sexpr aj_p_unary(aj_parser *ps, aj_op op, aj_token t,
                                aj_sexpr a);
AJ_INTERNAL aj_sexpr aj_p_plus(aj_parser *ps, aj_token t, aj_sexpr a);
AJ_INTERNAL aj_sexpr aj_p_binary(aj_parser *ps, aj_op op, aj_token t,
                                 aj_sexpr a, aj_sexpr b);
AJ_INTERNAL aj_sexpr aj_p_select(aj_parser *ps, aj_token t, aj_sexpr c,
                                 aj_sexpr a, aj_sexpr b);
AJ_INTERNAL aj_sexpr aj_p_paren(aj_parser *ps, aj_token lp, aj_sexpr a,
                                aj_token rp);
/* Argument stack: mark = ps->nargs before the first argument. */
AJ_INTERNAL void aj_p_arg(aj_parser *ps, aj_sexpr v, const aj_token *kw);
AJ_INTERNAL aj_sexpr aj_p_call(aj_parser *ps, aj_token name, uint32_t mark,
                               aj_token rp);
AJ_INTERNAL void aj_p_local(aj_parser *ps, aj_token name, aj_sexpr v);
AJ_INTERNAL void aj_p_formal(aj_parser *ps, aj_token name,
                             const aj_sexpr *def);
AJ_INTERNAL void aj_p_helper_begin(aj_parser *ps, aj_token name);
AJ_INTERNAL void aj_p_helper_end(aj_parser *ps, aj_sexpr body);
AJ_INTERNAL void aj_p_source(aj_parser *ps, aj_sexpr e);
AJ_INTERNAL void aj_p_syntax_error(aj_parser *ps, aj_token t);
AJ_INTERNAL void aj_p_stack_overflow(aj_parser *ps);

#endif
