/*
** cli/json.c: a streaming JSON writer for the subcommands' --json output.
** Strings are escaped per RFC 8259 (control characters as \u00XX; bytes
** >= 0x80 pass through, so UTF-8 stays UTF-8); numbers never depend on
** the locale's decimal point.
*/
#include <math.h>
#include <string.h>

#include "cli.h"

void json_init(json *j, FILE *out) {
  memset(j, 0, sizeof *j);
  j->out = out;
  j->first[0] = 1;
}

/* A comma before every value but the first of its container. */
static void before_value(json *j) {
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (!j->first[j->depth])
    fputc(',', j->out);
  j->first[j->depth] = 0;
}

static void open_(json *j, char c) {
  before_value(j);
  fputc(c, j->out);
  if (j->depth + 1 < (int)sizeof j->first)
    j->depth++;
  j->first[j->depth] = 1;
}

static void close_(json *j, char c) {
  if (j->depth > 0)
    j->depth--;
  fputc(c, j->out);
}

void json_begin_object(json *j) { open_(j, '{'); }
void json_end_object(json *j) { close_(j, '}'); }
void json_begin_array(json *j) { open_(j, '['); }
void json_end_array(json *j) { close_(j, ']'); }

static void put_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(out, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", out);
    else if (*p == '\t')
      fputs("\\t", out);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(out, "\\u%04x", *p);
    else
      fputc(*p, out);
  }
  fputc('"', out);
}

void json_key(json *j, const char *key) {
  before_value(j);
  put_string(j->out, key);
  fputc(':', j->out);
  j->after_key = 1;
}

void json_string(json *j, const char *s) {
  before_value(j);
  put_string(j->out, s ? s : "");
}

void json_number(json *j, double v) {
  before_value(j);
  if (isnan(v)) {
    fputs("\"nan\"", j->out);
  } else if (isinf(v)) {
    fputs(v > 0 ? "\"inf\"" : "\"-inf\"", j->out);
  } else {
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    for (char *p = buf; *p; p++) /* a locale's decimal comma */
      if (*p == ',')
        *p = '.';
    fputs(buf, j->out);
  }
}

void json_int(json *j, long long v) {
  before_value(j);
  fprintf(j->out, "%lld", v);
}

void json_uint(json *j, unsigned long long v) {
  before_value(j);
  fprintf(j->out, "%llu", v);
}

void json_bool(json *j, int v) {
  before_value(j);
  fputs(v ? "true" : "false", j->out);
}

void json_null(json *j) {
  before_value(j);
  fputs("null", j->out);
}

int json_finish(json *j) {
  fputc('\n', j->out);
  return ferror(j->out) ? -1 : 0;
}
