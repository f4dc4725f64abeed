/*
** define.c: user definitions.  actjit_define adds a named activation to a
** context's function list (after the prelude, newest first when looked
** up), and a new context loads the user's activations file through it.
**
** A definition is parsed like any source, once per kink profile, and kept
** as a function of (x, its parameters...): its body is the parsed DAG with
** x and each parameter replaced by the formals.  The torch body is NAME;
** the others are NAME_onednn and NAME_minnorm, the names the parser looks
** up under those profiles (as for the prelude's variants), so `elu` inside
** a definition still follows the profile it is compiled under.  Nothing
** here keeps a pointer into the caller's text.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define NPROFILES 3 /* torch, onednn, minnorm */

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

size_t actjit_definition_name(const char *text, size_t len, size_t *name_off) {
  if (!text) return 0;
  if (len == ACTJIT_NUL_TERMINATED) len = strlen(text);
  size_t i = 0;
  while (i < len && is_blank(text[i])) i++;
  size_t start = i;
  if (i >= len || !aj_is_name_start(text[i])) return 0;
  while (i < len && aj_is_name_char(text[i])) i++;
  size_t end = i;
  while (i < len && is_blank(text[i])) i++;
  if (i < len && text[i] == '(') { /* NAME ( ... ) = */
    unsigned depth = 0;
    for (; i < len; i++) {
      if (text[i] == '#' || text[i] == '\n' || text[i] == ';') return 0;
      depth += text[i] == '(';
      if (text[i] == ')' && --depth == 0) break;
    }
    if (i >= len) return 0;
    i++;
    while (i < len && is_blank(text[i])) i++;
  }
  if (i >= len || text[i] != '=' || (i + 1 < len && text[i + 1] == '='))
    return 0;
  if (name_off) *name_off = start;
  return end - start;
}

/* Why NAME (z[0, n)) cannot be defined, or NULL when it can. */
static const char *refusal(const actjit_ctx *ctx, const char *z, size_t n) {
  if (aj_is_reserved(z, (uint32_t)n)) return "a reserved name";
  if (aj_op_by_name(z, (uint32_t)n) >= 0) return "a built-in function";
  for (uint32_t i = 0; i < ctx->nprelude; i++)
    if (ctx->fns[i].nlen == n && memcmp(ctx->fns[i].name, z, n) == 0)
      return "a built-in activation";
  const char *u = memrchr(z, '_', n); /* NAME_<profile> is a variant's */
  char suffix[16];
  size_t sl = u ? (size_t)(z + n - u - 1) : 0;
  if (sl == 0 || sl >= sizeof suffix) return NULL;
  memcpy(suffix, u + 1, sl);
  suffix[sl] = 0;
  return actjit_profile_by_name(suffix) >= 0
             ? "reserved: the suffix names a kink profile"
             : NULL;
}

/* The profile variant name of z[0, n) for profile p: "NAME" or
** "NAME_<profile>", NUL-terminated in out (n + 16 bytes). */
static size_t variant_name(const char *z, size_t n, int p, char *out) {
  memcpy(out, z, n);
  size_t len = n;
  if (p != ACTJIT_PROFILE_TORCH) {
    const char *s = actjit_profile_name(p);
    out[len++] = '_';
    memcpy(out + len, s, strlen(s));
    len += strlen(s);
  }
  out[len] = 0;
  return len;
}

/* Fills fn (appended, under lock) from e: formals x, e's parameters; body
** e's root over them.  0, or -1 on ENOMEM. */
static int make_fn(actjit_ctx *ctx, aj_fn *fn, const char *name, size_t nlen,
                   const actjit_expr *e) {
  uint32_t n = 1 + e->nparams;
  if (aj_fn_init(ctx, fn, n)) return -1;
  size_t owned = nlen + 1 + 2; /* name, "x" */
  for (uint32_t k = 0; k < e->nparams; k++)
    owned += e->params[k].node->u.name.n + 1;
  fn->owned = aj_alloc(ctx, owned);
  if (!fn->owned) return -1;
  fn->owned_len = owned;
  char *at = fn->owned;
  memcpy(at, name, nlen);
  at[nlen] = 0;
  fn->name = at;
  fn->nlen = (uint32_t)nlen;
  at += nlen + 1;
  memcpy(at, "x", 2);
  fn->formal[0] = at;
  fn->formal_len[0] = 1;
  at += 2;
  aj_node *from[65], *to[65];
  aj_node **pfrom = n <= 65 ? from : aj_alloc(ctx, n * sizeof *pfrom);
  aj_node **pto = n <= 65 ? to : aj_alloc(ctx, n * sizeof *pto);
  int rc = -1;
  if (!pfrom || !pto) goto done;
  pfrom[0] = ctx->x;
  for (uint32_t k = 0; k < e->nparams; k++) {
    const aj_param *q = &e->params[k];
    memcpy(at, q->node->u.name.z, q->node->u.name.n);
    at[q->node->u.name.n] = 0;
    fn->formal[1 + k] = at;
    fn->formal_len[1 + k] = q->node->u.name.n;
    fn->has_def[1 + k] = (uint8_t)q->has_def;
    fn->def[1 + k] = q->has_def ? q->def : 0;
    at += q->node->u.name.n + 1;
    pfrom[1 + k] = q->node;
  }
  for (uint32_t k = 0; k < n; k++)
    if (!(pto[k] = aj_arg(ctx, k))) goto done;
  fn->body = aj_subst_leaves(ctx, e->root, pfrom, pto, n);
  rc = fn->body ? 0 : -1;
done:
  if (pfrom && pfrom != from) aj_free(ctx, pfrom, n * sizeof *pfrom);
  if (pto && pto != to) aj_free(ctx, pto, n * sizeof *pto);
  return rc;
}

/* Appends the NPROFILES functions of NAME (one per parsed body). */
static actjit_status add_fns(actjit_ctx *ctx, const char *z, size_t n,
                             actjit_expr *const *e, actjit_error *err) {
  uint32_t cp = aj_op_begin(ctx, 0);
  int failed = aj_grow(ctx, (void **)&ctx->fns, &ctx->cap_fns_,
                       ctx->nfns + NPROFILES, sizeof *ctx->fns);
  for (int p = 0; p < NPROFILES && !failed; p++) {
    char name[96];
    size_t len = variant_name(z, n, p, name);
    aj_fn *fn = &ctx->fns[ctx->nfns + p];
    if (make_fn(ctx, fn, name, len, e[p])) {
      for (int q = 0; q <= p; q++) aj_fn_free(ctx, &ctx->fns[ctx->nfns + q]);
      failed = 1;
    }
  }
  if (!failed) ctx->nfns += NPROFILES;
  aj_op_end(ctx, cp, failed);
  return failed ? aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory") : ACTJIT_OK;
}

actjit_status actjit_define(actjit_ctx *ctx, const char *def, size_t len,
                            actjit_error *err) {
  if (!ctx || !def)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_define: NULL argument");
  if (len == ACTJIT_NUL_TERMINATED) len = strlen(def);
  if (len > ctx->lim.max_input_bytes)
    return aj_error(err, ACTJIT_ELIMIT_INPUT, ctx->lim.max_input_bytes,
                    len - ctx->lim.max_input_bytes,
                    "definition is %zu bytes; the limit is %zu "
                    "(max_input_bytes)", len, ctx->lim.max_input_bytes);
  size_t at = 0, n = actjit_definition_name(def, len, &at);
  if (n == 0)
    return aj_error(err, ACTJIT_ESYNTAX, 0, len,
                    "not a definition: write NAME = SOURCE or "
                    "NAME(x, p=1) = EXPR");
  if (n > 64)
    return aj_error(err, ACTJIT_EINVAL, at, n,
                    "a defined name has at most 64 characters");
  const char *why = refusal(ctx, def + at, n);
  if (why)
    return aj_error(err, ACTJIT_EREDEFINE, at, n, "cannot define '%.*s': %s",
                    (int)n, def + at, why);
  /* The source to parse: what follows '=', or for the helper form the
  ** whole text then NAME (a bare name lifts the formals to parameters). */
  size_t eq = at + n;
  while (def[eq] != '(' && def[eq] != '=') eq++;
  int helper = def[eq] == '(';
  const char *src = def + eq + 1;
  size_t slen = len - eq - 1, shift = eq + 1;
  char *text = NULL;
  if (helper) {
    slen = len + 1 + n;
    text = aj_alloc(ctx, slen);
    if (!text) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
    memcpy(text, def, len);
    text[len] = '\n';
    memcpy(text + len + 1, def + at, n);
    src = text, shift = 0;
  }
  actjit_error local;
  if (!err) err = &local;
  actjit_expr *e[NPROFILES] = {NULL, NULL, NULL};
  actjit_status s = ACTJIT_OK;
  for (int p = 0; p < NPROFILES && s == ACTJIT_OK; p++)
    s = aj_parse_user(ctx, src, slen, p, &e[p], err);
  if (s != ACTJIT_OK) {
    /* back to offsets in def (the helper form's added NAME: its end) */
    size_t off = err->offset + shift, elen = err->length;
    if (off > len) off = len;
    if (elen > len - off) elen = len - off;
    err->offset = off, err->length = elen;
  } else {
    s = add_fns(ctx, def + at, n, e, err);
  }
  for (int p = 0; p < NPROFILES; p++) actjit_expr_free(e[p]);
  aj_free(ctx, text, slen);
  return s;
}

size_t actjit_activations_path(char *buf, size_t size) {
  const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
  int n;
  if (xdg && xdg[0] == '/')
    n = snprintf(buf, size, "%s/actjit/activations.act", xdg);
  else if (home && home[0])
    n = snprintf(buf, size, "%s/.config/actjit/activations.act", home);
  else
    return 0;
  return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* Reads path whole into *out (ctx allocator: *cap bytes, the text *len of
** them).  A missing file leaves *out NULL and returns OK when missing_ok. */
static actjit_status read_file(actjit_ctx *ctx, const char *path,
                               int missing_ok, char **out, size_t *len,
                               size_t *cap, actjit_error *err) {
  *out = NULL;
  *len = *cap = 0;
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (missing_ok && errno == ENOENT) return ACTJIT_OK;
    return aj_error(err, ACTJIT_EIO, 0, 0, "cannot open %.200s: %s", path,
                    strerror(errno));
  }
  size_t size = 4096, n = 0, limit = ctx->lim.max_input_bytes;
  char *buf = aj_alloc(ctx, size);
  actjit_status s = buf ? ACTJIT_OK : ACTJIT_ENOMEM;
  while (s == ACTJIT_OK) {
    if (n == size) {
      char *bigger = aj_realloc(ctx, buf, size, size * 2);
      if (!bigger) {
        s = ACTJIT_ENOMEM;
        break;
      }
      buf = bigger, size *= 2;
    }
    size_t got = fread(buf + n, 1, size - n, f);
    n += got;
    if (n > limit) s = ACTJIT_ELIMIT_INPUT;
    else if (got == 0 && ferror(f)) s = ACTJIT_EIO;
    else if (got == 0) break;
  }
  fclose(f);
  if (s == ACTJIT_OK) {
    *out = buf, *len = n, *cap = size;
    return ACTJIT_OK;
  }
  aj_free(ctx, buf, size);
  if (s == ACTJIT_ELIMIT_INPUT)
    return aj_error(err, s, limit, 0, "%.200s is larger than %zu bytes "
                    "(max_input_bytes)", path, limit);
  if (s == ACTJIT_EIO)
    return aj_error(err, s, 0, 0, "cannot read %.200s", path);
  return aj_error(err, s, 0, 0, "out of memory");
}

/* The activations file: one definition per line (actjit_define's forms);
** blank lines and lines starting with '#' are skipped.  An explicit file
** (path non-NULL) must load whole: an error names the file and line and
** locates the bytes in the file.  The default file (path NULL) is the
** user's, shared by every program: it is read when it exists, and a line
** that does not load (or a file too large) is skipped, so one bad line
** cannot stop every context; `actjit` reports such lines. */
actjit_status aj_load_user_file(actjit_ctx *ctx, const char *path,
                                actjit_error *err) {
  char def_path[4096];
  int lenient = path == NULL;
  if (!path) {
    if (!actjit_activations_path(def_path, sizeof def_path)) return ACTJIT_OK;
    path = def_path;
  }
  if (!path[0]) return ACTJIT_OK;
  char *text;
  size_t len, cap;
  actjit_error scratch;
  actjit_error *e = lenient ? &scratch : err;
  actjit_status s = read_file(ctx, path, lenient, &text, &len, &cap, e);
  if (s != ACTJIT_OK || !text)
    return lenient && s != ACTJIT_ENOMEM ? ACTJIT_OK : s;
  size_t line_no = 1;
  for (size_t at = 0; at < len && s == ACTJIT_OK; line_no++) {
    const char *nl = memchr(text + at, '\n', len - at);
    size_t end = nl ? (size_t)(nl - text) : len, i = at;
    while (i < end && is_blank(text[i])) i++;
    if (i < end && text[i] != '#') {
      s = actjit_define(ctx, text + at, end - at, e);
      if (s != ACTJIT_OK && lenient && s != ACTJIT_ENOMEM) {
        s = ACTJIT_OK; /* skipped */
      } else if (s != ACTJIT_OK && e) {
        char why[sizeof e->message];
        memcpy(why, e->message, sizeof why);
        aj_error(e, s, at + e->offset, e->length, "%.160s:%zu: %.200s",
                 path, line_no, why);
      }
    }
    at = end + 1;
  }
  aj_free(ctx, text, cap);
  if (s == ACTJIT_ENOMEM && lenient && err) *err = scratch;
  return s;
}
