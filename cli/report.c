/*
** cli/report.c: how the `actjit` command shows a library error (the error
** line, the source line it points into, carets under the offending bytes)
** and prints or reads numbers.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* 1 for a UTF-8 continuation byte (10xxxxxx). */
static int is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/* The line of src holding byte `offset`, then carets under bytes [offset,
** offset+length) of it: at least one caret, none past the end of the
** line.  Tabs before the offset are kept so the carets line up; a
** multi-byte UTF-8 character counts as one column. */
void cli_show_source(FILE *out, const char *src, size_t offset, size_t length,
                     int indent) {
  size_t len = strlen(src), start, end, shown, from, stop, i, carets = 0;
  if (offset > len)
    offset = len;
  start = offset;
  while (start > 0 && src[start - 1] != '\n')
    start--;
  end = offset;
  while (end < len && src[end] != '\n')
    end++;
  shown = end;
  if (shown > start && src[shown - 1] == '\r') /* CRLF line */
    shown--;
  fprintf(out, "%*s%.*s\n", indent, "", (int)(shown - start), src + start);
  fprintf(out, "%*s", indent, "");
  for (i = start; i < offset && i < shown; i++) /* up to the offset */
    if (!is_continuation((unsigned char)src[i]))
      fputc(src[i] == '\t' ? '\t' : ' ', out);
  from = offset < shown ? offset : shown;
  stop = length < shown - from ? from + length : shown;
  for (i = from; i < stop; i++)
    if (!is_continuation((unsigned char)src[i]))
      carets++;
  if (carets == 0)
    carets = 1;
  while (carets-- > 0)
    fputc('^', out);
  fputc('\n', out);
}

int cli_report(actjit_status st, const actjit_error *err, const char *src) {
  fprintf(stderr, "error: %s at %zu+%zu: %s\n", actjit_status_name(st),
          err->offset, err->length,
          err->message[0] ? err->message : actjit_status_str(st));
  if (src != NULL && src[0] != '\0')
    cli_show_source(stderr, src, err->offset, err->length, 0);
  return EXIT_LIBRARY;
}

int cli_report_maybe_located(actjit_status st, const actjit_error *err,
                             const char *src) {
  int located = err->offset != 0 || err->length != 0;
  return cli_report(st, err, located ? src : NULL);
}

int cli_report_status(actjit_status st) {
  actjit_error err;
  memset(&err, 0, sizeof err);
  err.code = st;
  return cli_report(st, &err, NULL);
}

void cli_print_g(FILE *out, double v, int digits, const char *after) {
  if (isnan(v))
    fprintf(out, "nan%s", after);
  else
    fprintf(out, "%.*g%s", digits, v, after);
}

/* strtod's numbers: "-3", "1e-3", "inf", "-inf", "nan", "0x1p3". */
int cli_parse_number(const char *s, double *out) {
  char *end;
  if (*s == '\0')
    return 0;
  errno = 0;
  *out = strtod(s, &end);
  /* ERANGE is fine: overflow gives +-inf, underflow rounds. */
  return end != s && *end == '\0';
}

/* [A-Za-z_][A-Za-z0-9_]* */
int cli_is_name(const char *s) {
  const char *p;
  for (p = s; *p; p++) {
    int alpha =
        (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_';
    int digit = *p >= '0' && *p <= '9';
    if (!alpha && !(digit && p != s))
      return 0;
  }
  return p != s;
}
