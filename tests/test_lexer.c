/*
** test_lexer.c: the tokenizer (internal API aj_lex, parser/lexer.h).
** Every token kind with its offset and length; numbers; comments and
** newlines; ECHAR / ENUMBER / ELIMIT_LITERAL with their spans; UTF-8 in
** and out of comments; and that the lexer never reads outside
** src[0, len): each source is also lexed from an exactly sized malloc
** block and from buffers that end (or start) at a PROT_NONE guard page.
*/
#include <sys/mman.h>
#include <unistd.h>

#include "fe_check.h"
#include "lexer.h"

#define MAXTOK 48
#define LIT 512u /* the default max_literal_len */

typedef struct tok3 {
  int type;
  uint32_t off, len;
} tok3;

/* Lexes src[0, len) until EOF or an error; returns the token count
** (the EOF or error token included). */
static size_t lex_all(const char *src, size_t len, uint32_t maxlit,
                      aj_token *toks, size_t max, actjit_error *err) {
  size_t pos = 0, n = 0;
  memset(err, 0, sizeof *err);
  while (n < max) {
    aj_token t;
    memset(&t, 0x5a, sizeof t);
    int ty = aj_lex(src, len, pos, maxlit, &t, err);
    if (ty != t.type)
      fail_msg("aj_lex returned %d but tok.type is %d", ty, t.type);
    toks[n++] = t;
    if (ty == AJ_TK_EOF || ty == AJ_TK_ERROR)
      break;
    if (t.off < pos || t.len == 0 || (size_t)t.off + t.len > len)
      fail_msg("token %d at %u+%u after pos %zu (len %zu)", ty, t.off, t.len,
               pos, len);
    pos = (size_t)t.off + t.len;
  }
  return n;
}

static const char *tkname(int t) {
  switch (t) {
#define N_(k)                                                                  \
  case k:                                                                      \
    return #k;
    N_(TK_NUMBER)
    N_(TK_NAME) N_(TK_PLUS) N_(TK_MINUS) N_(TK_STAR) N_(TK_SLASH) N_(TK_CARET)
        N_(TK_LP) N_(TK_RP) N_(TK_COMMA) N_(TK_QUESTION) N_(TK_COLON) N_(TK_LT)
            N_(TK_LE) N_(TK_GT) N_(TK_GE) N_(TK_EQ) N_(TK_NE) N_(TK_ANDAND)
                N_(TK_OROR) N_(TK_NOT) N_(TK_ASSIGN) N_(TK_SEMI)
                    N_(AJ_TK_NEWLINE) N_(AJ_TK_EOF) N_(AJ_TK_ERROR)
#undef N_
  }
  return "?";
}

/* ---- Single tokens: kind, offset, length ------------------------------ */

typedef struct single_case {
  const char *src;
  int type;
  uint32_t off, len;
} single_case;

static const single_case singles[] = {
    {"+", TK_PLUS, 0, 1},
    {" -", TK_MINUS, 1, 1},
    {"  *  ", TK_STAR, 2, 1},
    {"\t/", TK_SLASH, 1, 1},
    {"^", TK_CARET, 0, 1},
    {"(", TK_LP, 0, 1},
    {")", TK_RP, 0, 1},
    {",", TK_COMMA, 0, 1},
    {"?", TK_QUESTION, 0, 1},
    {":", TK_COLON, 0, 1},
    {"<", TK_LT, 0, 1},
    {"<=", TK_LE, 0, 2},
    {">", TK_GT, 0, 1},
    {" >=", TK_GE, 1, 2},
    {"==", TK_EQ, 0, 2},
    {"!=", TK_NE, 0, 2},
    {"&&", TK_ANDAND, 0, 2},
    {"||", TK_OROR, 0, 2},
    {"!", TK_NOT, 0, 1},
    {"=", TK_ASSIGN, 0, 1},
    {";", TK_SEMI, 0, 1},
    {"\n", AJ_TK_NEWLINE, 0, 1},
    {"\r\n", AJ_TK_NEWLINE, 1, 1}, /* CR is a blank */
    {"x", TK_NAME, 0, 1},
    {"_", TK_NAME, 0, 1},
    {"_a1", TK_NAME, 0, 3},
    {"  softplus ", TK_NAME, 2, 8},
    {"Alpha_Z9", TK_NAME, 0, 8},
    {"e", TK_NAME, 0, 1},
    {"e5", TK_NAME, 0, 2},
    {"x1e5", TK_NAME, 0, 4},
    {"1", TK_NUMBER, 0, 1},
    {"1.5", TK_NUMBER, 0, 3},
    {".5", TK_NUMBER, 0, 2},
    {"1.", TK_NUMBER, 0, 2},
    {"1e-3", TK_NUMBER, 0, 4},
    {"2.5E+4", TK_NUMBER, 0, 6},
    {"0x1.8p3", TK_NUMBER, 0, 7},
    {"0x1p-3", TK_NUMBER, 0, 6},
    {"1e5", TK_NUMBER, 0, 3},
    {"1E5", TK_NUMBER, 0, 3},
    {"123456789", TK_NUMBER, 0, 9},
    {"007", TK_NUMBER, 0, 3},
    {"0.000001", TK_NUMBER, 0, 8},
    {" 3.25 ", TK_NUMBER, 1, 4},
    {"1e+10", TK_NUMBER, 0, 5},
};

static void t_single(void **state) {
  const single_case *c = *state;
  aj_token t[MAXTOK];
  actjit_error err;
  size_t len = strlen(c->src);
  size_t n = lex_all(c->src, len, LIT, t, MAXTOK, &err);
  if (n != 2)
    fail_msg("\"%s\": %zu tokens (first %s), want 1 + EOF", c->src, n,
             tkname(t[0].type));
  if (t[0].type != c->type || t[0].off != c->off || t[0].len != c->len)
    fail_msg("\"%s\": %s at %u+%u, want %s at %u+%u", c->src, tkname(t[0].type),
             t[0].off, t[0].len, tkname(c->type), c->off, c->len);
  assert_int_equal(t[1].type, AJ_TK_EOF);
}

/* ---- Token sequences --------------------------------------------------- */

typedef struct seq_case {
  const char *src;
  tok3 want[MAXTOK]; /* ends with AJ_TK_EOF */
} seq_case;

#define EOF_(o)                                                                \
  { AJ_TK_EOF, o, 0 }
static const seq_case seqs[] = {
    {"x*tanh(softplus(x)) + elu(x, alpha=0.5)",
     {{TK_NAME, 0, 1},
      {TK_STAR, 1, 1},
      {TK_NAME, 2, 4},
      {TK_LP, 6, 1},
      {TK_NAME, 7, 8},
      {TK_LP, 15, 1},
      {TK_NAME, 16, 1},
      {TK_RP, 17, 1},
      {TK_RP, 18, 1},
      {TK_PLUS, 20, 1},
      {TK_NAME, 22, 3},
      {TK_LP, 25, 1},
      {TK_NAME, 26, 1},
      {TK_COMMA, 27, 1},
      {TK_NAME, 29, 5},
      {TK_ASSIGN, 34, 1},
      {TK_NUMBER, 35, 3},
      {TK_RP, 38, 1},
      EOF_(39)}},
    {"a<=b<c>=d>e==f!=g&&h||!i?j:k=l;m",
     {{TK_NAME, 0, 1},      {TK_LE, 1, 2},      {TK_NAME, 3, 1},
      {TK_LT, 4, 1},        {TK_NAME, 5, 1},    {TK_GE, 6, 2},
      {TK_NAME, 8, 1},      {TK_GT, 9, 1},      {TK_NAME, 10, 1},
      {TK_EQ, 11, 2},       {TK_NAME, 13, 1},   {TK_NE, 14, 2},
      {TK_NAME, 16, 1},     {TK_ANDAND, 17, 2}, {TK_NAME, 19, 1},
      {TK_OROR, 20, 2},     {TK_NOT, 22, 1},    {TK_NAME, 23, 1},
      {TK_QUESTION, 24, 1}, {TK_NAME, 25, 1},   {TK_COLON, 26, 1},
      {TK_NAME, 27, 1},     {TK_ASSIGN, 28, 1}, {TK_NAME, 29, 1},
      {TK_SEMI, 30, 1},     {TK_NAME, 31, 1},   EOF_(32)}},
    /* maximal munch */
    {"!===<==",
     {{TK_NE, 0, 2}, {TK_EQ, 2, 2}, {TK_LE, 4, 2}, {TK_ASSIGN, 6, 1}, EOF_(7)}},
    {"x<-1",
     {{TK_NAME, 0, 1},
      {TK_LT, 1, 1},
      {TK_MINUS, 2, 1},
      {TK_NUMBER, 3, 1},
      EOF_(4)}},
    {"1+2-3",
     {{TK_NUMBER, 0, 1},
      {TK_PLUS, 1, 1},
      {TK_NUMBER, 2, 1},
      {TK_MINUS, 3, 1},
      {TK_NUMBER, 4, 1},
      EOF_(5)}},
    {"1e+3+4",
     {{TK_NUMBER, 0, 4}, {TK_PLUS, 4, 1}, {TK_NUMBER, 5, 1}, EOF_(6)}},
    {"2^-x",
     {{TK_NUMBER, 0, 1},
      {TK_CARET, 1, 1},
      {TK_MINUS, 2, 1},
      {TK_NAME, 3, 1},
      EOF_(4)}},
    {"a=-1",
     {{TK_NAME, 0, 1},
      {TK_ASSIGN, 1, 1},
      {TK_MINUS, 2, 1},
      {TK_NUMBER, 3, 1},
      EOF_(4)}},
    {"a!=!b",
     {{TK_NAME, 0, 1},
      {TK_NE, 1, 2},
      {TK_NOT, 3, 1},
      {TK_NAME, 4, 1},
      EOF_(5)}},
    {"x;y", {{TK_NAME, 0, 1}, {TK_SEMI, 1, 1}, {TK_NAME, 2, 1}, EOF_(3)}},
    {"f(a,b)=a?b:a",
     {{TK_NAME, 0, 1},
      {TK_LP, 1, 1},
      {TK_NAME, 2, 1},
      {TK_COMMA, 3, 1},
      {TK_NAME, 4, 1},
      {TK_RP, 5, 1},
      {TK_ASSIGN, 6, 1},
      {TK_NAME, 7, 1},
      {TK_QUESTION, 8, 1},
      {TK_NAME, 9, 1},
      {TK_COLON, 10, 1},
      {TK_NAME, 11, 1},
      EOF_(12)}},
    {"_a1 B_2 e", {{TK_NAME, 0, 3}, {TK_NAME, 4, 3}, {TK_NAME, 8, 1}, EOF_(9)}},
    {"1.5 x", {{TK_NUMBER, 0, 3}, {TK_NAME, 4, 1}, EOF_(5)}},
    {"(.5)", {{TK_LP, 0, 1}, {TK_NUMBER, 1, 2}, {TK_RP, 3, 1}, EOF_(4)}},
    {"0x1.8p3*2",
     {{TK_NUMBER, 0, 7}, {TK_STAR, 7, 1}, {TK_NUMBER, 8, 1}, EOF_(9)}},
    /* comments run to the end of the line; the newline is a token */
    {"x # comment\ny",
     {{TK_NAME, 0, 1}, {AJ_TK_NEWLINE, 11, 1}, {TK_NAME, 12, 1}, EOF_(13)}},
    {"x#c\r\ny",
     {{TK_NAME, 0, 1}, {AJ_TK_NEWLINE, 4, 1}, {TK_NAME, 5, 1}, EOF_(6)}},
    {"#only a comment", {EOF_(15)}},
    {"#\n", {{AJ_TK_NEWLINE, 1, 1}, EOF_(2)}},
    {"x # + ( ) 2x @ $ \\ \"\n+",
     {{TK_NAME, 0, 1}, {AJ_TK_NEWLINE, 20, 1}, {TK_PLUS, 21, 1}, EOF_(22)}},
    {"a\n\nb",
     {{TK_NAME, 0, 1},
      {AJ_TK_NEWLINE, 1, 1},
      {AJ_TK_NEWLINE, 2, 1},
      {TK_NAME, 3, 1},
      EOF_(4)}},
    {" \t\r\nx", {{AJ_TK_NEWLINE, 3, 1}, {TK_NAME, 4, 1}, EOF_(5)}},
    {"x\t+\r1", {{TK_NAME, 0, 1}, {TK_PLUS, 2, 1}, {TK_NUMBER, 4, 1}, EOF_(5)}},
    /* valid UTF-8 inside a comment is fine (é, €, an emoji) */
    {"x # \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\ny",
     {{TK_NAME, 0, 1}, {AJ_TK_NEWLINE, 15, 1}, {TK_NAME, 16, 1}, EOF_(17)}},
    {"# \xc3\xa9", {EOF_(4)}},
    {"", {EOF_(0)}},
    {"   ", {EOF_(3)}}, /* judgement: EOF's offset is len */
};
#undef EOF_

static void t_seq(void **state) {
  const seq_case *c = *state;
  aj_token t[MAXTOK];
  actjit_error err;
  size_t len = strlen(c->src);
  size_t n = lex_all(c->src, len, LIT, t, MAXTOK, &err);
  char *name = fe_escape(c->src, len, 60);
  for (size_t i = 0;; i++) {
    const tok3 *w = &c->want[i];
    if (i >= n)
      fail_msg("\"%s\": token %zu missing, want %s at %u+%u", name, i,
               tkname(w->type), w->off, w->len);
    if (t[i].type != w->type || t[i].off != w->off ||
        (w->type != AJ_TK_EOF && t[i].len != w->len))
      fail_msg("\"%s\": token %zu is %s at %u+%u, want %s at %u+%u", name, i,
               tkname(t[i].type), t[i].off, t[i].len, tkname(w->type), w->off,
               w->len);
    if (w->type == AJ_TK_EOF)
      break;
  }
  free(name);
}

/* ---- Errors ------------------------------------------------------------ */

typedef struct err_case {
  const char *src;
  size_t len; /* 0: strlen(src) */
  actjit_status code;
  size_t off, elen;
} err_case;

static const err_case errs[] = {
    /* numbers running into letters, exponents without digits */
    {"2x", 0, ACTJIT_ENUMBER, 0, 2}, /* judgement: the whole "2x" */
    {"1e", 0, ACTJIT_ENUMBER, 0, 2},
    {"1e+", 0, ACTJIT_ENUMBER, 0, 3},
    {"1e-", 0, ACTJIT_ENUMBER, 0, 3},
    {"1e ", 0, ACTJIT_ENUMBER, 0, 2},
    {"x+2x", 0, ACTJIT_ENUMBER, 2, 2},   /* judgement: length */
    {"2x+1", 0, ACTJIT_ENUMBER, 0, 2},   /* judgement: length */
    {"2.5e3x", 0, ACTJIT_ENUMBER, 0, 6}, /* judgement: length */
    {"12abc", 0, ACTJIT_ENUMBER, 0, 5},  /* judgement: length */
    {"1e5e", 0, ACTJIT_ENUMBER, 0, 4},   /* judgement: length */
    {"0x1p", 0, ACTJIT_ENUMBER, 0, 4},   /* judgement: length */
    {"(1e)", 0, ACTJIT_ENUMBER, 1, 2},
    /* bytes that are no token */
    {"@", 0, ACTJIT_ECHAR, 0, 1},
    {"x $", 0, ACTJIT_ECHAR, 2, 1},
    {"x @ 1", 0, ACTJIT_ECHAR, 2, 1},
    {"x\0y", 3, ACTJIT_ECHAR, 1, 1},
    {"\0", 1, ACTJIT_ECHAR, 0, 1},
    {"\xff", 0, ACTJIT_ECHAR, 0, 1},
    {"x+\xff", 0, ACTJIT_ECHAR, 2, 1},
    {"\xc3\xa9", 0, ACTJIT_ECHAR, 0, 2},         /* é */
    {"x*\xc3\xa9", 0, ACTJIT_ECHAR, 2, 2},       /* x*é */
    {"\xe2\x82\xac", 0, ACTJIT_ECHAR, 0, 3},     /* € */
    {"\xf0\x9f\x98\x80", 0, ACTJIT_ECHAR, 0, 4}, /* emoji */
    {"\xef\xbb\xbfx", 0, ACTJIT_ECHAR, 0, 3},    /* a BOM */
    {"\x80", 0, ACTJIT_ECHAR, 0, 1},             /* lone continuation */
    {"\xc3", 0, ACTJIT_ECHAR, 0, 1},     /* judgement: truncated sequence: 1 */
    {"\xc3x", 0, ACTJIT_ECHAR, 0, 1},    /* judgement: bad sequence: 1 */
    {"\xc0\xaf", 0, ACTJIT_ECHAR, 0, 1}, /* judgement: overlong: 1 */
    {"\x01", 0, ACTJIT_ECHAR, 0, 1},
    {"x\x0b", 0, ACTJIT_ECHAR, 1, 1}, /* vertical tab */
    {"\x0c", 0, ACTJIT_ECHAR, 0, 1},  /* form feed */
    {"\x1b", 0, ACTJIT_ECHAR, 0, 1},  /* escape */
    {"\x7f", 0, ACTJIT_ECHAR, 0, 1},  /* judgement: DEL is a control char */
    {"&", 0, ACTJIT_ECHAR, 0, 1},     /* judgement: lone & is no token */
    {"x | y", 0, ACTJIT_ECHAR, 2, 1}, /* judgement: lone | is no token */
    {"[", 0, ACTJIT_ECHAR, 0, 1},     /* judgement */
    {"{", 0, ACTJIT_ECHAR, 0, 1},     /* judgement */
    {"~", 0, ACTJIT_ECHAR, 0, 1},
    {"`", 0, ACTJIT_ECHAR, 0, 1},
    {"\"", 0, ACTJIT_ECHAR, 0, 1},
    {"'", 0, ACTJIT_ECHAR, 0, 1},
    {"\\", 0, ACTJIT_ECHAR, 0, 1},
    /* inside comments: invalid UTF-8 (and NUL) is still ECHAR */
    {"x # \xff\n", 0, ACTJIT_ECHAR, 4, 1},
    {"x # \xc3\n", 0, ACTJIT_ECHAR, 4, 1}, /* truncated before newline */
    {"# \xc3", 0, ACTJIT_ECHAR, 2, 1},     /* truncated at the end */
    {"# \x80", 0, ACTJIT_ECHAR, 2, 1},
    {"# \xed\xa0\x80", 0, ACTJIT_ECHAR, 2, 1},     /* judgement: surrogate */
    {"# \xf4\x90\x80\x80", 0, ACTJIT_ECHAR, 2, 1}, /* judgement: >U+10FFFF */
    {"# \xc0\x80", 0, ACTJIT_ECHAR, 2, 1},         /* judgement: overlong */
    {"# a\0b", 5, ACTJIT_ECHAR, 3, 1}, /* judgement: NUL is never allowed */
};

static void t_err(void **state) {
  const err_case *c = *state;
  size_t len = c->len ? c->len : strlen(c->src);
  aj_token t[MAXTOK];
  actjit_error err;
  size_t n = lex_all(c->src, len, LIT, t, MAXTOK, &err);
  char *name = fe_escape(c->src, len, 60);
  if (t[n - 1].type != AJ_TK_ERROR)
    fail_msg("\"%s\": no error (last token %s), want %s", name,
             tkname(t[n - 1].type), actjit_status_name(c->code));
  fe_check_shape(name, err.code, &err, len);
  if (err.code != c->code || err.offset != c->off || err.length != c->elen)
    fail_msg("\"%s\": %s at %zu+%zu (%s), want %s at %zu+%zu", name,
             actjit_status_name(err.code), err.offset, err.length, err.message,
             actjit_status_name(c->code), c->off, c->elen);
  free(name);
}

/* ---- Literal length ---------------------------------------------------- */

static void t_literal_limit(void **state) {
  (void)state;
  aj_token t[MAXTOK];
  actjit_error err;
  /* "0." then zeros: 512 characters is fine, 513 is ELIMIT_LITERAL */
  char *ok = fe_repeat("0.", "0", 510, "");
  char *bad = fe_repeat("0.", "0", 511, "");
  char *bad2 = fe_repeat("x+0.", "0", 511, "+1");
  assert_int_equal(strlen(ok), 512);
  size_t n = lex_all(ok, 512, 512, t, MAXTOK, &err);
  assert_int_equal(n, 2);
  assert_int_equal(t[0].type, TK_NUMBER);
  assert_int_equal(t[0].len, 512);
  n = lex_all(bad, 513, 512, t, MAXTOK, &err);
  assert_int_equal(t[n - 1].type, AJ_TK_ERROR);
  assert_int_equal(err.code, ACTJIT_ELIMIT_LITERAL);
  assert_int_equal(err.offset, 0);
  assert_int_equal(err.length, 513);
  n = lex_all(bad2, strlen(bad2), 512, t, MAXTOK, &err);
  assert_int_equal(t[n - 1].type, AJ_TK_ERROR);
  assert_int_equal(err.code, ACTJIT_ELIMIT_LITERAL);
  assert_int_equal(err.offset, 2);
  assert_int_equal(err.length, 513);
  /* a small limit: 4 */
  static const struct {
    const char *src;
    int ok;
    size_t off, len;
  } small[] = {
      {"1234", 1, 0, 0},   {"12345", 0, 0, 5},    {"1.234", 0, 0, 5},
      {"x+1e-3", 1, 0, 0}, {"x+1e-30", 0, 2, 5},  {"0x1p4", 0, 0, 5},
      {".125", 1, 0, 0},   {"abcdefgh", 1, 0, 0}, /* names are not literals */
  };
  for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
    n = lex_all(small[i].src, strlen(small[i].src), 4, t, MAXTOK, &err);
    if (small[i].ok) {
      if (t[n - 1].type != AJ_TK_EOF)
        fail_msg("\"%s\" with max_literal_len 4: %s", small[i].src,
                 err.message);
    } else {
      if (t[n - 1].type != AJ_TK_ERROR || err.code != ACTJIT_ELIMIT_LITERAL ||
          err.offset != small[i].off || err.length != small[i].len)
        fail_msg("\"%s\" with max_literal_len 4: %s %s at %zu+%zu, want "
                 "ELIMIT_LITERAL at %zu+%zu",
                 small[i].src, tkname(t[n - 1].type),
                 actjit_status_name(err.code), err.offset, err.length,
                 small[i].off, small[i].len);
    }
  }
  free(ok);
  free(bad);
  free(bad2);
}

/* ---- pos, EOF ---------------------------------------------------------- */

static void t_pos(void **state) {
  (void)state;
  aj_token t;
  actjit_error err;
  const char *s = "abc def";
  assert_int_equal(aj_lex(s, 7, 3, LIT, &t, &err), TK_NAME);
  assert_int_equal(t.off, 4);
  assert_int_equal(t.len, 3);
  assert_int_equal(aj_lex(s, 7, 1, LIT, &t, &err), TK_NAME);
  assert_int_equal(t.off, 1);
  assert_int_equal(t.len, 2);
  assert_int_equal(aj_lex(s, 7, 7, LIT, &t, &err), AJ_TK_EOF);
  assert_int_equal(t.off, 7); /* judgement: EOF's offset is len */
  assert_int_equal(t.len, 0);
  /* a length shorter than the string: "abc" only */
  assert_int_equal(aj_lex(s, 2, 0, LIT, &t, &err), TK_NAME);
  assert_int_equal(t.len, 2);
  assert_int_equal(aj_lex(s, 2, 2, LIT, &t, &err), AJ_TK_EOF);
  assert_int_equal(aj_lex(s, 0, 0, LIT, &t, &err), AJ_TK_EOF);
}

/* ---- Never reads outside src[0, len) ----------------------------------- */

/* Sources whose meaning would change if the lexer peeked at the byte
** after len, each with the bytes that follow it in a longer buffer. */
typedef struct edge_case {
  const char *src;   /* the len bytes */
  const char *after; /* what follows in the big buffer */
  int type;          /* the first (or only) token's type, or error */
  actjit_status code;
  uint32_t off, len; /* of the last token, or of the error */
} edge_case;

static const edge_case edges[] = {
    {"1", "5", TK_NUMBER, 0, 0, 1},
    {"12.", "5", TK_NUMBER, 0, 0, 3},
    {"x", "y", TK_NAME, 0, 0, 1},
    {"abc_", "d", TK_NAME, 0, 0, 4},
    {"<", "=", TK_LT, 0, 0, 1},
    {">", "=", TK_GT, 0, 0, 1},
    {"=", "=", TK_ASSIGN, 0, 0, 1},
    {"!", "=", TK_NOT, 0, 0, 1},
    {"x+", "+", TK_PLUS, 0, 1, 1},
    {"# c", "\n", AJ_TK_EOF, 0, 3, 0},
    {"#", "\n", AJ_TK_EOF, 0, 1, 0},
    {"0x1.8p3", "1", TK_NUMBER, 0, 0, 7},
    {"1e", "5", AJ_TK_ERROR, ACTJIT_ENUMBER, 0, 2},
    {"1e+", "5", AJ_TK_ERROR, ACTJIT_ENUMBER, 0, 3},
    {"&", "&", AJ_TK_ERROR, ACTJIT_ECHAR, 0, 1}, /* judgement: ECHAR */
    {"|", "|", AJ_TK_ERROR, ACTJIT_ECHAR, 0, 1}, /* judgement: ECHAR */
    {"# \xc3", "\xa9", AJ_TK_ERROR, ACTJIT_ECHAR, 2, 1},
    {"\xe2\x82", "\xac", AJ_TK_ERROR, ACTJIT_ECHAR, 0, 1}, /* judgement */
    {"x ", "\n", AJ_TK_EOF, 0, 2, 0},
    {"\r", "\n", AJ_TK_EOF, 0, 1, 0},
};

/* Lexes the bytes at p[0, len) and checks the last token against c. */
static void check_edge(const edge_case *c, const char *p, size_t len,
                       const char *where) {
  aj_token t[MAXTOK];
  actjit_error err;
  size_t n = lex_all(p, len, LIT, t, MAXTOK, &err);
  char *name = fe_escape(c->src, len, 40);
  const aj_token *last = &t[n - 1];
  /* the token that matters: the last one, or the one before EOF */
  const aj_token *tk = last;
  if (c->type != AJ_TK_EOF && c->type != AJ_TK_ERROR && n >= 2 &&
      last->type == AJ_TK_EOF)
    tk = &t[n - 2];
  if (c->type == AJ_TK_ERROR) {
    if (last->type != AJ_TK_ERROR || err.code != c->code ||
        err.offset != c->off || err.length != c->len)
      fail_msg("%s \"%s\": %s %s at %zu+%zu, want %s at %u+%u", where, name,
               tkname(last->type), actjit_status_name(err.code), err.offset,
               err.length, actjit_status_name(c->code), c->off, c->len);
  } else if (tk->type != c->type || tk->off != c->off ||
             (c->type != AJ_TK_EOF && tk->len != c->len)) {
    fail_msg("%s \"%s\": %s at %u+%u, want %s at %u+%u", where, name,
             tkname(tk->type), tk->off, tk->len, tkname(c->type), c->off,
             c->len);
  }
  free(name);
}

static void t_edges(void **state) {
  (void)state;
  long page = sysconf(_SC_PAGESIZE);
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    const edge_case *c = &edges[i];
    size_t len = strlen(c->src);
    /* 1: followed by adversarial bytes in a longer buffer */
    char big[64];
    snprintf(big, sizeof big, "%s%s", c->src, c->after);
    check_edge(c, big, len, "longer buffer");
    /* 2: an exactly sized malloc block, not NUL-terminated */
    char *m = malloc(len ? len : 1);
    memcpy(m, c->src, len);
    check_edge(c, m, len, "malloc(len)");
    free(m);
    /* 3: ending at a guard page, and 4: starting right after one */
    size_t total = 3 * (size_t)page;
    char *base = mmap(NULL, total, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(base != MAP_FAILED);
    assert_int_equal(mprotect(base, (size_t)page, PROT_NONE), 0);
    assert_int_equal(mprotect(base + 2 * (size_t)page, (size_t)page, PROT_NONE),
                     0);
    char *end = base + 2 * (size_t)page - len;
    memcpy(end, c->src, len);
    check_edge(c, end, len, "before guard page");
    char *start = base + (size_t)page;
    memmove(start, c->src, len);
    memset(start + len, 'e', (size_t)page - len);
    check_edge(c, start, len, "after guard page");
    munmap(base, total);
  }
}

/* Every table source, lexed from a buffer that ends at a guard page,
** gives the same tokens as from the string. */
static void t_guard_all(void **state) {
  (void)state;
  long page = sysconf(_SC_PAGESIZE);
  size_t total = 2 * (size_t)page;
  char *base = mmap(NULL, total, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(base != MAP_FAILED);
  assert_int_equal(mprotect(base + page, (size_t)page, PROT_NONE), 0);
  const char *srcs[256];
  size_t lens[256], ns = 0;
  for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++)
    srcs[ns] = seqs[i].src, lens[ns++] = strlen(seqs[i].src);
  for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
    srcs[ns] = errs[i].src,
    lens[ns++] = errs[i].len ? errs[i].len : strlen(errs[i].src);
  for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++)
    srcs[ns] = singles[i].src, lens[ns++] = strlen(singles[i].src);
  for (size_t i = 0; i < ns; i++) {
    aj_token a[MAXTOK], b[MAXTOK];
    actjit_error ea, eb;
    char *p = base + page - lens[i];
    memcpy(p, srcs[i], lens[i]);
    size_t na = lex_all(srcs[i], lens[i], LIT, a, MAXTOK, &ea);
    size_t nb = lex_all(p, lens[i], LIT, b, MAXTOK, &eb);
    assert_int_equal(na, nb);
    for (size_t k = 0; k < na; k++) {
      assert_int_equal(a[k].type, b[k].type);
      if (a[k].type != AJ_TK_ERROR) {
        assert_int_equal(a[k].off, b[k].off);
        assert_int_equal(a[k].len, b[k].len);
      }
    }
    if (a[na - 1].type == AJ_TK_ERROR) {
      assert_int_equal(ea.code, eb.code);
      assert_int_equal(ea.offset, eb.offset);
      assert_int_equal(ea.length, eb.length);
    }
  }
  munmap(base, total);
}

/* A long token stream: offsets stay exact far into the input. */
static void t_long_stream(void **state) {
  (void)state;
  size_t reps = 20000;
  char *s = fe_repeat("", "ab+1.5*(c) # z\n", reps, "");
  size_t len = strlen(s), pos = 0, count = 0;
  aj_token t;
  actjit_error err;
  for (;;) {
    int ty = aj_lex(s, len, pos, LIT, &t, &err);
    if (ty == AJ_TK_EOF)
      break;
    assert_int_not_equal(ty, AJ_TK_ERROR);
    size_t r = count / 8, k = count % 8;
    static const uint32_t offs[8] = {0, 2, 3, 6, 7, 8, 9, 14};
    static const int types[8] = {TK_NAME, TK_PLUS, TK_NUMBER, TK_STAR,
                                 TK_LP,   TK_NAME, TK_RP,     AJ_TK_NEWLINE};
    assert_int_equal(ty, types[k]);
    assert_int_equal(t.off, r * 15 + offs[k]);
    pos = (size_t)t.off + t.len;
    count++;
  }
  assert_int_equal(count, reps * 8);
  free(s);
}

int main(void) {
  fe_group g = {0};
  for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++)
    fe_add(&g, fe_row_name(&g, "token", singles[i].src, ACTJIT_NUL_TERMINATED),
           t_single, (void *)&singles[i]);
  for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++)
    fe_add(&g, fe_row_name(&g, "sequence", seqs[i].src, ACTJIT_NUL_TERMINATED),
           t_seq, (void *)&seqs[i]);
  for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
    fe_add(&g,
           fe_row_name(&g, "error", errs[i].src,
                       errs[i].len ? errs[i].len : ACTJIT_NUL_TERMINATED),
           t_err, (void *)&errs[i]);
  fe_add(&g, "literal length limit", t_literal_limit, NULL);
  fe_add(&g, "pos and EOF", t_pos, NULL);
  fe_add(&g, "no reads past len (edge bytes, guard pages)", t_edges, NULL);
  fe_add(&g, "no reads past len (every table source)", t_guard_all, NULL);
  fe_add(&g, "long token stream", t_long_stream, NULL);
  return fe_run(&g, "lexer");
}
