/*
** lexer.re: the tokenizer (re2c source; the generated lexer.c lives in the
** build tree).  Splits bytes into tokens and validates them: bad bytes,
** invalid UTF-8 and malformed or overlong numbers are errors here, with
** their offset and length.  It never reads outside src[0, len): every read
** goes through a bounds-checked YYPEEK, and the end is re2c's $ rule.
*/
#include <string.h>

#include "lexer.h"
#include "node.h"

/* Length of the valid UTF-8 sequence at s[0, n), or 0 if invalid. */
static uint32_t utf8_len(const unsigned char *s, size_t n) {
  uint32_t need;
  uint32_t min;
  if (s[0] < 0x80) return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf) need = 2, min = 0x80;
  else if (s[0] >= 0xe0 && s[0] <= 0xef) need = 3, min = 0x800;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4) need = 4, min = 0x10000;
  else return 0;
  if (n < need) return 0;
  uint32_t cp = s[0] & (0x7f >> need);
  for (uint32_t i = 1; i < need; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return need;
}

static int is_word(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
}

int aj_lex(const char *src, size_t len, size_t pos, uint32_t max_literal_len,
           aj_token *tok, actjit_error *err) {
  const unsigned char *base = (const unsigned char *)src;
  const unsigned char *lim = base + len;
  const unsigned char *cur = base + (pos < len ? pos : len);
  const unsigned char *mar = cur, *start;
  int type;

#define TOKEN(t) do { type = (t); goto emit; } while (0)
  for (;;) {
    start = cur;
    /*!re2c
      re2c:api = custom;
      re2c:api:style = free-form;
      re2c:define:YYCTYPE = "unsigned char";
      re2c:define:YYPEEK = "(cur < lim ? *cur : 0)";
      re2c:define:YYSKIP = "++cur;";
      re2c:define:YYBACKUP = "mar = cur;";
      re2c:define:YYRESTORE = "cur = mar;";
      re2c:define:YYLESSTHAN = "cur >= lim";
      re2c:yyfill:enable = 0;
      re2c:eof = 0;

      dec = [0-9]+ ("." [0-9]*)? | "." [0-9]+;
      exp = [eE] [+-]? [0-9]+;
      hex = "0" [xX] ([0-9a-fA-F]+ ("." [0-9a-fA-F]*)? | "." [0-9a-fA-F]+)
            ([pP] [+-]? [0-9]+)?;

      $             { TOKEN(AJ_TK_EOF); }
      [ \t\r]+     { continue; }
      "#"           { goto comment; }
      "\n"          { TOKEN(AJ_TK_NEWLINE); }
      dec exp? | hex { goto number; }
      [A-Za-z_][A-Za-z0-9_]* { TOKEN(TK_NAME); }
      "+"  { TOKEN(TK_PLUS); }
      "-"  { TOKEN(TK_MINUS); }
      "*"  { TOKEN(TK_STAR); }
      "/"  { TOKEN(TK_SLASH); }
      "^"  { TOKEN(TK_CARET); }
      "("  { TOKEN(TK_LP); }
      ")"  { TOKEN(TK_RP); }
      ","  { TOKEN(TK_COMMA); }
      "?"  { TOKEN(TK_QUESTION); }
      ":"  { TOKEN(TK_COLON); }
      "<"  { TOKEN(TK_LT); }
      "<=" { TOKEN(TK_LE); }
      ">"  { TOKEN(TK_GT); }
      ">=" { TOKEN(TK_GE); }
      "==" { TOKEN(TK_EQ); }
      "!=" { TOKEN(TK_NE); }
      "&&" { TOKEN(TK_ANDAND); }
      "||" { TOKEN(TK_OROR); }
      "!"  { TOKEN(TK_NOT); }
      "="  { TOKEN(TK_ASSIGN); }
      ";"  { TOKEN(TK_SEMI); }
      [\x80-\xff] { goto nonascii; }
      *    { goto badchar; }
    */
  }

comment: /* '#' to end of line; the text must be valid UTF-8 */
  while (cur < lim && *cur != '\n') {
    uint32_t n = utf8_len(cur, (size_t)(lim - cur));
    if (n == 0 || (*cur < 0x20 && *cur != '\t' && *cur != '\r')) {
      start = cur;
      cur += 1;
      aj_error(err, ACTJIT_ECHAR, (size_t)(start - base), 1,
               n == 0 ? "invalid UTF-8 in a comment"
                      : "control character in a comment");
      goto fail;
    }
    cur += n;
  }
  return aj_lex(src, len, (size_t)(cur - base), max_literal_len, tok, err);

number: {
  /* A number running into letters, digits or dots is malformed: 2x, 1e,
  ** 1.2.3, 1e+ (the sign after an exponent letter is taken too). */
  const unsigned char *end = cur;
  while (end < lim && (is_word(*end) ||
                       ((*end == '+' || *end == '-') && end > start &&
                        (end[-1] == 'e' || end[-1] == 'E') &&
                        !(end - start > 1 && (start[1] == 'x' || start[1] == 'X')))))
    end++;
  if ((size_t)(end - start) > max_literal_len) {
    aj_error(err, ACTJIT_ELIMIT_LITERAL, (size_t)(start - base),
             (size_t)(end - start),
             "numeric literal longer than %u characters",
             (unsigned)max_literal_len);
    goto fail;
  }
  if (end != cur) {
    aj_error(err, ACTJIT_ENUMBER, (size_t)(start - base),
             (size_t)(end - start), "malformed number \"%.*s\"",
             (int)(end - start > 40 ? 40 : end - start), (const char *)start);
    goto fail;
  }
  TOKEN(TK_NUMBER);
}

nonascii: {
  uint32_t n = utf8_len(start, (size_t)(lim - start));
  aj_error(err, ACTJIT_ECHAR, (size_t)(start - base), n ? n : 1,
           n ? "non-ASCII character outside a comment"
             : "invalid UTF-8 byte 0x%02x", start[0]);
  goto fail;
}

badchar:
  if (*start == 0)
    aj_error(err, ACTJIT_ECHAR, (size_t)(start - base), 1, "NUL byte in source");
  else if (*start < 0x20 || *start == 0x7f)
    aj_error(err, ACTJIT_ECHAR, (size_t)(start - base), 1,
             "control character 0x%02x", *start);
  else
    aj_error(err, ACTJIT_ECHAR, (size_t)(start - base), 1,
             "unexpected character '%c'", *start);
  goto fail;

emit:
  tok->off = (uint32_t)(start - base);
  tok->len = (uint32_t)(cur - start);
  tok->type = type;
  return type;

fail:
  tok->off = (uint32_t)(start - base);
  tok->len = (uint32_t)(cur - start);
  tok->type = AJ_TK_ERROR;
  return AJ_TK_ERROR;
}
