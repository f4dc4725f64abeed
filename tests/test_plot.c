/*
** test_plot.c: cli/plot.c, the charts of f and f'.  plot_text into memory
** streams: braille present, the legend, the x labels, the line count, ESC
** only with colour, gaps where f and f' are NaN or infinite, a flat curve
** on the row labelled 0, n = 2, extreme magnitudes, the width and height
** limits at L and L+1, a write error.  plot_svg: the curve paths (one per
** finite run), no "nan"/"inf", coordinates inside the image, the title
** escaped, well-formed XML (checked by Python's minidom).  plot_png: the
** PNG signature, 800x500, pixels of both curve colours.  Error paths: a
** missing directory, /dev/full, invalid data.  Files go to a mkdtemp
** directory removed at the end.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include <cairo.h>
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

/* LeakSanitizer: fontconfig, which cairo's toy font API loads, keeps its
** caches for the life of the process.  remove_tmpdir frees them (cairo's
** then fontconfig's, found with dlsym as nothing here links fontconfig
** directly); should that not be possible, they are not our leak. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
  return "leak:libfontconfig.so\n";
}

static char tmpdir[64];

/* ---- Data ------------------------------------------------------------------
 */

/* Samples with storage; d points into it. */
typedef struct series {
  double *x, *f, *df;
  plot_data d;
} series;

/* n evenly spaced x in [lo, hi]; f and df zero. */
static series make_series(const char *title, double lo, double hi, size_t n) {
  series s;
  s.x = malloc(n * sizeof *s.x);
  s.f = calloc(n, sizeof *s.f);
  s.df = calloc(n, sizeof *s.df);
  assert_non_null(s.x);
  assert_non_null(s.f);
  assert_non_null(s.df);
  for (size_t i = 0; i < n; i++)
    s.x[i] = lo + (hi - lo) * (double)i / (double)(n - 1);
  s.x[n - 1] = hi;
  s.d = (plot_data){title, lo, hi, n, s.x, s.f, s.df};
  return s;
}

static void free_series(series *s) {
  free(s->x);
  free(s->f);
  free(s->df);
}

/* mish(x) = x tanh(softplus(x)) and its derivative. */
static series mish_series(double lo, double hi, size_t n) {
  series s = make_series("mish", lo, hi, n);
  for (size_t i = 0; i < n; i++) {
    double x = s.x[i], t = tanh(log1p(exp(x))), sig = 1 / (1 + exp(-x));
    s.f[i] = x * t;
    s.df[i] = t + x * (1 - t * t) * sig;
  }
  return s;
}

/* sin and cos. */
static series sin_series(double lo, double hi, size_t n) {
  series s = make_series("sin", lo, hi, n);
  for (size_t i = 0; i < n; i++) {
    s.f[i] = sin(s.x[i]);
    s.df[i] = cos(s.x[i]);
  }
  return s;
}

/* ---- Text helpers
 * ------------------------------------------------------------ */

#define MAX_LINES 128

/* plot_text's output, split into lines. */
typedef struct text {
  char *buf;
  size_t len;
  int rc;
  int nlines;
  char *line[MAX_LINES];
} text;

static text render(const plot_data *d, int width, int height, int color) {
  text t;
  memset(&t, 0, sizeof t);
  FILE *fp = open_memstream(&t.buf, &t.len);
  assert_non_null(fp);
  t.rc = plot_text(fp, d, width, height, color);
  assert_int_equal(fclose(fp), 0);
  /* Split a copy-free way: the newlines become NULs. */
  char *p = t.buf;
  while (p < t.buf + t.len) {
    char *nl = memchr(p, '\n', (size_t)(t.buf + t.len - p));
    assert_non_null(nl); /* every line ends in '\n' */
    *nl = 0;
    assert_true(t.nlines < MAX_LINES);
    t.line[t.nlines++] = p;
    p = nl + 1;
  }
  return t;
}

static void free_text(text *t) { free(t->buf); }

/* Does s (len bytes) contain a braille character (E2 A0..A3 xx)? */
static int has_braille(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i + 2 < len; i++)
    if (u[i] == 0xE2 && u[i + 1] >= 0xA0 && u[i + 1] <= 0xA3)
      return 1;
  return 0;
}

static int row_cells(const char *line, unsigned *cp, int max);
static int is_braille_cp(unsigned c);

/* Does the chart (height rows from line[first]) contain braille?  Both as
** bytes (E2 A0..A3 xx) and as cells; the legend does not count. */
static int chart_braille(const text *t, int first, int height) {
  const char *from = t->line[first], *last = t->line[first + height - 1];
  int bytes = has_braille(from, (size_t)(last + strlen(last) - from));
  int cells = 0;
  for (int row = first; row < first + height; row++) {
    unsigned cp[400];
    int n = row_cells(t->line[row], cp, 400);
    for (int col = 0; col < n; col++)
      cells += is_braille_cp(cp[col]);
  }
  assert_int_equal(bytes, cells > 0);
  return cells > 0;
}

/* Does the whole output contain s? */
static int text_has(const text *t, const char *s) {
  return memmem(t->buf, t->len, s, strlen(s)) != NULL;
}

/* Case-insensitive: does s contain word? */
static int has_word_ci(const char *s, size_t len, const char *word) {
  size_t w = strlen(word);
  for (size_t i = 0; i + w <= len; i++) {
    size_t k = 0;
    while (k < w && tolower((unsigned char)s[i + k]) == word[k])
      k++;
    if (k == w)
      return 1;
  }
  return 0;
}

/* The code points of a chart row's cells: those after the border (the
** first U+2524 or U+2502), escape sequences skipped.  Returns how many. */
static int row_cells(const char *line, unsigned *cp, int max) {
  const unsigned char *s = (const unsigned char *)line;
  const char *a = strstr(line, "\u2524"), *b = strstr(line, "\u2502");
  const char *border = a && (!b || a < b) ? a : b;
  assert_non_null(border);
  s = (const unsigned char *)border + 3;
  int n = 0;
  while (*s) {
    if (*s == 0x1b) {
      while (*s && *s != 'm')
        s++;
      assert_int_equal(*s, 'm');
      s++;
      continue;
    }
    unsigned c;
    if (*s < 0x80)
      c = *s++;
    else if ((*s & 0xE0) == 0xC0) {
      c = (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu);
      s += 2;
    } else {
      assert_int_equal(*s & 0xF0, 0xE0);
      c = (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
      s += 3;
    }
    assert_true(n < max);
    cp[n++] = c;
  }
  return n;
}

static int is_braille_cp(unsigned c) { return c > 0x2800 && c <= 0x28FF; }

/* ---- Files
 * ------------------------------------------------------------------- */

static void tmp_path(char *buf, size_t size, const char *name) {
  snprintf(buf, size, "%s/%s", tmpdir, name);
}

/* Reads a whole file (NUL-terminated); *len its size. */
static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  assert_int_equal(fseek(fp, 0, SEEK_END), 0);
  long size = ftell(fp);
  assert_true(size >= 0);
  rewind(fp);
  char *buf = malloc((size_t)size + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
  buf[size] = 0;
  fclose(fp);
  *len = (size_t)size;
  return buf;
}

static size_t count_str(const char *s, const char *what) {
  size_t n = 0, w = strlen(what);
  for (const char *p = strstr(s, what); p; p = strstr(p + w, what))
    n++;
  return n;
}

/* Python's minidom parses path (exit status 0). */
static void assert_xml_parses(const char *path) {
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 -c 'import xml.dom.minidom,sys; "
           "xml.dom.minidom.parse(sys.argv[1])' '%s'",
           path);
  int st = system(cmd);
  assert_true(st != -1 && WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

/* Checks an SVG written by plot_svg; returns its text (caller frees). */
static char *check_svg(const char *path, size_t *len) {
  char *svg = slurp(path, len);
  assert_true(strncmp(svg, "<?xml", 5) == 0 || strncmp(svg, "<svg", 4) == 0);
  assert_true(count_str(svg, "class=\"curve-f\"") >= 1);
  assert_true(count_str(svg, "class=\"curve-df\"") >= 1);
  assert_false(has_word_ci(svg, *len, "nan"));
  assert_false(has_word_ci(svg, *len, "inf"));
  assert_xml_parses(path);
  return svg;
}

/* Every number in every curve path's d attribute is a coordinate inside
** the image. */
static void assert_paths_inside(const char *svg) {
  size_t paths = 0;
  for (const char *p = strstr(svg, "<path"); p; p = strstr(p + 1, "<path")) {
    const char *dd = strstr(p, " d=\"");
    assert_non_null(dd);
    dd += 4;
    const char *end = strchr(dd, '"');
    assert_non_null(end);
    int axis = 0;
    for (const char *q = dd; q < end;) {
      if (*q == 'M' || *q == 'L' || *q == ' ') {
        q++;
        continue;
      }
      char *after;
      double v = strtod(q, &after);
      assert_true(after > q);
      assert_true(v >= 0 && v <= (axis ? PLOT_IMAGE_HEIGHT : PLOT_IMAGE_WIDTH));
      axis ^= 1;
      q = after;
    }
    assert_int_equal(axis, 0);
    paths++;
  }
  assert_true(paths >= 2);
}

/* Runs of consecutive finite samples of y. */
static size_t finite_runs(const double *y, size_t n) {
  size_t runs = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(y[i]) && (i == 0 || !isfinite(y[i - 1])))
      runs++;
  return runs;
}

/* ---- plot_text ----------------------------------------------------------- */

static void text_mish(void **state) {
  (void)state;
  series s = mish_series(-6, 4, 1001);
  text t = render(&s.d, 80, 20, 0);
  assert_int_equal(t.rc, 0);
  assert_true(chart_braille(&t, 1, 20));
  assert_null(memchr(t.buf, 0x1b, t.len));
  /* Title, 20 rows, frame, x labels, legend. */
  assert_int_equal(t.nlines, 1 + 20 + 3);
  assert_non_null(strstr(t.line[0], "mish"));
  const char *xl = t.line[t.nlines - 2], *legend = t.line[t.nlines - 1];
  char first[16];
  assert_int_equal(sscanf(xl, " %15s", first), 1);
  assert_string_equal(first, "-6");
  size_t xlen = strlen(xl);
  assert_true(xlen > 0 && xl[xlen - 1] == '4');
  assert_non_null(strstr(xl, " 0 "));
  assert_non_null(strstr(legend, " f "));
  assert_non_null(strstr(legend, " f' "));
  assert_non_null(strstr(legend, "dotted"));
  /* Every chart row has 80 cells; mish rises to the top right. */
  unsigned cp[400];
  for (int row = 0; row < 20; row++)
    assert_int_equal(row_cells(t.line[1 + row], cp, 400), 80);
  row_cells(t.line[2], cp, 400);
  int top_right = 0;
  for (int col = 74; col < 80; col++)
    top_right |= is_braille_cp(cp[col]);
  assert_true(top_right);
  row_cells(t.line[1 + 10], cp, 400);
  for (int col = 0; col < 20; col++) /* the middle row's left: empty */
    assert_false(is_braille_cp(cp[col]));
  free_text(&t);
  free_series(&s);
}

static void text_color(void **state) {
  (void)state;
  series s = mish_series(-6, 4, 1001);
  text t = render(&s.d, 80, 20, 1);
  assert_int_equal(t.rc, 0);
  assert_true(chart_braille(&t, 1, 20));
  assert_non_null(memchr(t.buf, 0x1b, t.len));
  assert_int_equal(t.nlines, 1 + 20 + 3);
  /* Both colours appear in the chart; each line ends reset. */
  size_t chart_len = (size_t)(t.line[21] - t.buf);
  assert_non_null(memmem(t.buf, chart_len, "\x1b[34m", 5));
  assert_non_null(memmem(t.buf, chart_len, "\x1b[31m", 5));
  assert_non_null(memmem(t.buf, chart_len, "\x1b[35m", 5)); /* both */
  for (int i = 0; i < t.nlines; i++) {
    const char *last = NULL;
    for (const char *p = strchr(t.line[i], 0x1b); p; p = strchr(p + 1, 0x1b))
      last = p;
    if (last)
      assert_true(strncmp(last, "\x1b[0m", 4) == 0);
  }
  assert_non_null(strstr(t.line[t.nlines - 1], " f' "));
  free_text(&t);
  free_series(&s);
}

/* Dots set in the chart's cells. */
static int chart_dots(const text *t, int first, int height) {
  int dots = 0;
  for (int row = first; row < first + height; row++) {
    unsigned cp[400];
    int n = row_cells(t->line[row], cp, 400);
    for (int col = 0; col < n; col++)
      if (is_braille_cp(cp[col]))
        dots += __builtin_popcount(cp[col] - 0x2800);
  }
  return dots;
}

/* Without colour f' is dotted: about half the dots of the same curve
** drawn as f, or of f' in colour. */
static void text_dotted(void **state) {
  (void)state;
  series s = sin_series(-3, 3, 2000);
  for (size_t i = 0; i < s.d.n; i++) {
    s.df[i] = s.f[i];
    s.f[i] = NAN;
  }
  text t = render(&s.d, 80, 20, 0);
  assert_int_equal(t.rc, 0);
  int dotted = chart_dots(&t, 1, 20);
  free_text(&t);
  t = render(&s.d, 80, 20, 1);
  int solid_df = chart_dots(&t, 1, 20);
  free_text(&t);
  for (size_t i = 0; i < s.d.n; i++) {
    s.f[i] = s.df[i];
    s.df[i] = NAN;
  }
  t = render(&s.d, 80, 20, 0);
  int solid_f = chart_dots(&t, 1, 20);
  free_text(&t);
  assert_int_equal(solid_f, solid_df);
  assert_true(dotted > 0);
  assert_true(dotted * 10 >= solid_f * 4 && dotted * 10 <= solid_f * 6);
  free_series(&s);
}

static void text_sizes(void **state) {
  (void)state;
  series s = sin_series(-3, 3, 500);
  s.d.title = NULL;
  static const int size[][2] = {
      {20, 5}, {21, 6}, {33, 7}, {299, 99}, {300, 100}};
  for (size_t k = 0; k < sizeof size / sizeof *size; k++) {
    text t = render(&s.d, size[k][0], size[k][1], k % 2);
    assert_int_equal(t.rc, 0);
    assert_int_equal(t.nlines, size[k][1] + 3);
    assert_true(chart_braille(&t, 0, size[k][1]));
    unsigned cp[400];
    for (int row = 0; row < size[k][1]; row++)
      assert_int_equal(row_cells(t.line[row], cp, 400), size[k][0]);
    free_text(&t);
  }
  free_series(&s);
}

static void text_limits(void **state) {
  (void)state;
  series s = sin_series(-3, 3, 100);
  static const int bad[][2] = {{19, 20},  {301, 20}, {80, 4},
                               {80, 101}, {0, 0},    {-80, 20}};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    text t = render(&s.d, bad[k][0], bad[k][1], 0);
    assert_int_equal(t.rc, -1);
    assert_int_equal(t.len, 0); /* nothing written */
    free_text(&t);
  }
  /* Invalid data. */
  plot_data d = s.d;
  d.n = 1;
  text t = render(&d, 80, 20, 0);
  assert_int_equal(t.rc, -1);
  free_text(&t);
  d = s.d;
  d.hi = d.lo;
  t = render(&d, 80, 20, 0);
  assert_int_equal(t.rc, -1);
  free_text(&t);
  d = s.d;
  d.lo = NAN;
  t = render(&d, 80, 20, 0);
  assert_int_equal(t.rc, -1);
  free_text(&t);
  d = s.d;
  d.df = NULL;
  t = render(&d, 80, 20, 0);
  assert_int_equal(t.rc, -1);
  free_text(&t);
  t = render(NULL, 80, 20, 0);
  assert_int_equal(t.rc, -1);
  free_text(&t);
  assert_int_equal(plot_text(NULL, &s.d, 80, 20, 0), -1);
  free_series(&s);
}

/* f and f' non-finite over |x| < 1: no dots in those columns, and the y
** range comes from the finite values only. */
static void text_gaps(void **state) {
  (void)state;
  series s = sin_series(-4, 4, 801);
  for (size_t i = 0; i < s.d.n; i++)
    if (fabs(s.x[i]) < 1) {
      s.f[i] = i % 2 ? NAN : -INFINITY;
      s.df[i] = i % 3 ? INFINITY : NAN;
    }
  s.f[0] = NAN; /* a gap at the very start too */
  text t = render(&s.d, 80, 20, 0);
  assert_int_equal(t.rc, 0);
  assert_true(chart_braille(&t, 1, 20));
  assert_false(has_word_ci(t.buf, t.len, "nan"));
  assert_false(has_word_ci(t.buf, t.len, "inf"));
  /* y in [-1, 1] padded 5%: the labels are 1.1 and -1.1. */
  assert_non_null(strstr(t.line[1], "1.1 "));
  assert_non_null(strstr(t.line[20], "-1.1 "));
  /* Columns of x in [-0.8, 0.8] (pixels 64..95 of 160) are empty. */
  int dots_left = 0;
  for (int row = 0; row < 20; row++) {
    unsigned cp[400];
    assert_int_equal(row_cells(t.line[1 + row], cp, 400), 80);
    for (int col = 33; col <= 46; col++)
      assert_false(is_braille_cp(cp[col]));
    for (int col = 0; col < 30; col++)
      dots_left += is_braille_cp(cp[col]);
  }
  assert_true(dots_left > 0);
  free_text(&t);

  /* Nothing finite at all: still a chart (empty), range [-1, 1]. */
  for (size_t i = 0; i < s.d.n; i++)
    s.f[i] = s.df[i] = NAN;
  t = render(&s.d, 40, 10, 1);
  assert_int_equal(t.rc, 0);
  assert_false(chart_braille(&t, 1, 10));
  assert_non_null(strstr(t.line[1], "1 "));
  free_text(&t);
  free_series(&s);
}

/* f = f' = 0: a range around 0, every dot on the row labelled 0. */
static void text_flat(void **state) {
  (void)state;
  series s = make_series(NULL, -2, 3, 50);
  text t = render(&s.d, 60, 20, 0);
  assert_int_equal(t.rc, 0);
  assert_int_equal(t.nlines, 20 + 3);
  assert_non_null(strstr(t.line[0], "1 \u2524"));
  assert_non_null(strstr(t.line[19], "-1 \u2524"));
  int zero_row = -1, rows_with_dots = 0;
  for (int row = 0; row < 20; row++) {
    unsigned cp[400];
    assert_int_equal(row_cells(t.line[row], cp, 400), 60);
    int dots = 0;
    for (int col = 0; col < 60; col++)
      dots += is_braille_cp(cp[col]);
    if (dots) {
      rows_with_dots++;
      assert_int_equal(dots, 60); /* the whole width */
    }
    if (strstr(t.line[row], " 0 \u2524") != NULL) {
      zero_row = row;
      assert_true(dots > 0);
    }
  }
  assert_int_equal(rows_with_dots, 1);
  assert_true(zero_row > 0 && zero_row < 19);
  free_text(&t);

  /* Flat at 5: a range around 5, no x axis. */
  for (size_t i = 0; i < s.d.n; i++)
    s.f[i] = s.df[i] = 5;
  t = render(&s.d, 60, 20, 0);
  assert_int_equal(t.rc, 0);
  assert_non_null(strstr(t.line[0], "5.5 "));
  assert_non_null(strstr(t.line[19], "4.5 "));
  assert_true(chart_braille(&t, 0, 20));
  for (int row = 0; row < 20; row++)
    assert_null(strstr(t.line[row], "\u2500")); /* no y = 0 line */
  free_text(&t);
  free_series(&s);
}

/* Two samples: f a diagonal from bottom left to top right. */
static void text_n2(void **state) {
  (void)state;
  series s = make_series("line", -1, 1, 2);
  s.f[0] = -1;
  s.f[1] = 1;
  s.df[0] = s.df[1] = 1;
  text t = render(&s.d, 40, 10, 0);
  assert_int_equal(t.rc, 0);
  assert_int_equal(t.nlines, 1 + 10 + 3);
  unsigned cp[400];
  assert_int_equal(row_cells(t.line[1], cp, 400), 40);
  assert_true(is_braille_cp(cp[39]));
  assert_int_equal(row_cells(t.line[10], cp, 400), 40);
  assert_true(is_braille_cp(cp[0]));
  free_text(&t);
  free_series(&s);
}

static void text_extreme(void **state) {
  (void)state;
  series s = make_series("big", -1, 1, 201);
  for (size_t i = 0; i < s.d.n; i++) {
    s.f[i] = 1e300 * s.x[i];
    s.df[i] = 1e300;
  }
  text t = render(&s.d, 80, 20, 0);
  assert_int_equal(t.rc, 0);
  assert_true(chart_braille(&t, 1, 20));
  assert_non_null(text_has(&t, "e+300"));
  assert_false(has_word_ci(t.buf, t.len, "nan"));
  assert_false(has_word_ci(t.buf, t.len, "inf"));
  free_text(&t);

  /* The whole double range, and a tiny x range far from 0. */
  s.f[0] = -DBL_MAX;
  s.f[s.d.n - 1] = DBL_MAX;
  s.df[7] = 1e-300;
  t = render(&s.d, 80, 20, 1);
  assert_int_equal(t.rc, 0);
  assert_true(chart_braille(&t, 1, 20));
  assert_non_null(text_has(&t, "e+308"));
  assert_false(has_word_ci(t.buf, t.len, "nan"));
  assert_false(has_word_ci(t.buf, t.len, "inf"));
  free_text(&t);
  free_series(&s);

  s = sin_series(1e300, 1.0000001e300, 11);
  t = render(&s.d, 20, 5, 0);
  assert_int_equal(t.rc, 0);
  assert_true(chart_braille(&t, 1, 5));
  assert_false(has_word_ci(t.buf, t.len, "nan"));
  free_text(&t);
  free_series(&s);
}

static void text_large_n(void **state) {
  (void)state;
  series s = sin_series(-10, 10, 100000);
  text t = render(&s.d, 300, 100, 1);
  assert_int_equal(t.rc, 0);
  assert_int_equal(t.nlines, 1 + 100 + 3);
  assert_true(chart_braille(&t, 1, 100));
  free_text(&t);
  free_series(&s);
}

static void text_write_error(void **state) {
  (void)state;
  FILE *fp = fopen("/dev/full", "w");
  if (fp == NULL)
    skip();
  series s = mish_series(-6, 4, 100);
  assert_int_equal(plot_text(fp, &s.d, 80, 20, 0), -1);
  fclose(fp);
  free_series(&s);
}

/* ---- plot_svg ------------------------------------------------------------ */

static void svg_mish(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "mish.svg");
  series s = mish_series(-6, 4, 1001);
  char why[256] = "x";
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  assert_string_equal(why, "");
  size_t len;
  char *svg = check_svg(path, &len);
  assert_int_equal(count_str(svg, "class=\"curve-f\""), 1);
  assert_int_equal(count_str(svg, "class=\"curve-df\""), 1);
  assert_non_null(strstr(svg, ">mish</text>"));
  assert_non_null(strstr(svg, ">-6</text>"));
  assert_non_null(strstr(svg, ">4</text>"));
  assert_non_null(strstr(svg, ">x</text>"));
  assert_non_null(strstr(svg, ">y</text>"));
  assert_non_null(strstr(svg, ">f(x)</text>"));
  assert_non_null(strstr(svg, ">f&apos;(x)</text>"));
  assert_non_null(strstr(svg, "width=\"800\" height=\"500\""));
  assert_non_null(strstr(svg, "clip-path="));
  assert_paths_inside(svg);
  free(svg);
  assert_int_equal(unlink(path), 0);
  free_series(&s);
}

/* One path per finite run; a lone finite sample still gets its own. */
static void svg_gaps(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "gaps.svg");
  series s = sin_series(-4, 4, 401);
  s.f[0] = NAN;
  s.f[100] = NAN;
  s.f[102] = INFINITY; /* s.f[101] is alone */
  s.f[300] = -INFINITY;
  s.df[200] = NAN;
  s.df[201] = -INFINITY;
  s.df[400] = INFINITY;
  char why[256];
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  size_t len;
  char *svg = check_svg(path, &len);
  assert_int_equal(count_str(svg, "class=\"curve-f\""),
                   finite_runs(s.f, s.d.n));
  assert_int_equal(finite_runs(s.f, s.d.n), 4);
  assert_int_equal(count_str(svg, "class=\"curve-df\""),
                   finite_runs(s.df, s.d.n));
  assert_int_equal(finite_runs(s.df, s.d.n), 2);
  assert_paths_inside(svg);
  free(svg);
  assert_int_equal(unlink(path), 0);
  free_series(&s);
}

static void svg_extreme(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "exp.svg");
  /* exp over [-5, 50] reaches 5e21. */
  series s = make_series("exp", -5, 50, 2000);
  for (size_t i = 0; i < s.d.n; i++)
    s.f[i] = s.df[i] = exp(s.x[i]);
  char why[256];
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  size_t len;
  char *svg = check_svg(path, &len);
  assert_non_null(strstr(svg, "e+21</text>"));
  assert_paths_inside(svg);
  free(svg);

  /* Samples outside [lo, hi] (against the contract) are still clamped. */
  s.d.lo = -4;
  s.d.hi = -3;
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  svg = check_svg(path, &len);
  assert_paths_inside(svg);
  free(svg);
  s.d.lo = -5;
  s.d.hi = 50;

  /* The whole double range, 1e300 and 1e-300. */
  for (size_t i = 0; i < s.d.n; i++) {
    s.f[i] = 1e300 * (double)(i % 7) - 3e300;
    s.df[i] = i % 2 ? 1e-300 : -1e300;
  }
  s.f[5] = DBL_MAX;
  s.f[6] = -DBL_MAX;
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  svg = check_svg(path, &len);
  assert_paths_inside(svg);
  free(svg);
  free_series(&s);

  /* Flat, and n = 2. */
  s = make_series(NULL, 0, 1, 2);
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  svg = check_svg(path, &len);
  assert_paths_inside(svg);
  assert_null(strstr(svg, "<title>"));
  free(svg);
  free_series(&s);
  assert_int_equal(unlink(path), 0);
}

static void svg_escape(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "esc.svg");
  series s = sin_series(-1, 1, 50);
  s.d.title = "<a & \"b\" 'c'>";
  char why[256];
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  size_t len;
  char *svg = check_svg(path, &len);
  assert_non_null(
      strstr(svg, ">&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;</text>"));
  assert_null(strstr(svg, "<a "));
  free(svg);

  /* Control characters and invalid UTF-8 still give well-formed XML. */
  s.d.title = "bad\x01\x1b[31m\xff\xc3(\xed\xa0\x80 caf\xc3\xa9";
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  svg = check_svg(path, &len);
  assert_non_null(strstr(svg, "caf\xc3\xa9"));
  assert_null(memchr(svg, 0x1b, len));
  free(svg);
  assert_int_equal(unlink(path), 0);
  free_series(&s);
}

static void svg_large_n(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "large.svg");
  series s = make_series("wiggle", -3, 3, 100000);
  for (size_t i = 0; i < s.d.n; i++) {
    s.f[i] = sin(50 * s.x[i]);
    s.df[i] = 50 * cos(50 * s.x[i]);
  }
  char why[256];
  assert_int_equal(plot_svg(path, &s.d, why, sizeof why), 0);
  size_t len;
  char *svg = check_svg(path, &len);
  assert_true(len < 4u << 20);
  free(svg);
  assert_int_equal(unlink(path), 0);
  free_series(&s);
}

/* ---- plot_png ------------------------------------------------------------ */

/* Pixels of path within a small distance of rgb. */
static long count_near(cairo_surface_t *img, unsigned rgb) {
  int w = cairo_image_surface_get_width(img);
  int h = cairo_image_surface_get_height(img);
  int stride = cairo_image_surface_get_stride(img);
  const unsigned char *data = cairo_image_surface_get_data(img);
  int r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;
  long n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint32_t p;
      memcpy(&p, data + (size_t)y * stride + 4 * (size_t)x, 4);
      int dr = abs((int)(p >> 16 & 255) - r);
      int dg = abs((int)(p >> 8 & 255) - g);
      int db = abs((int)(p & 255) - b);
      n += dr + dg + db <= 24;
    }
  return n;
}

/* Writes d to path, checks the signature and the size; returns the image
** (caller destroys). */
static cairo_surface_t *png_roundtrip(const char *path, const plot_data *d) {
  char why[256] = "x";
  assert_int_equal(plot_png(path, d, why, sizeof why), 0);
  assert_string_equal(why, "");
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  unsigned char sig[8];
  assert_int_equal(fread(sig, 1, 8, fp), 8);
  fclose(fp);
  assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
  cairo_surface_t *img = cairo_image_surface_create_from_png(path);
  assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
  assert_int_equal(cairo_image_surface_get_width(img), 800);
  assert_int_equal(cairo_image_surface_get_height(img), 500);
  cairo_format_t fmt = cairo_image_surface_get_format(img);
  assert_true(fmt == CAIRO_FORMAT_ARGB32 || fmt == CAIRO_FORMAT_RGB24);
  cairo_surface_flush(img);
  return img;
}

static void png_mish(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "mish.png");
  /* Baseline: no finite samples, only the legend's samples of colour. */
  series s = mish_series(-6, 4, 1001);
  series none = make_series("none", -6, 4, 1001);
  for (size_t i = 0; i < none.d.n; i++)
    none.f[i] = none.df[i] = NAN;
  cairo_surface_t *img = png_roundtrip(path, &none.d);
  long base_f = count_near(img, PLOT_COLOR_F);
  long base_df = count_near(img, PLOT_COLOR_DF);
  cairo_surface_destroy(img);
  assert_true(base_f > 0); /* the legend */
  assert_true(base_df > 0);

  img = png_roundtrip(path, &s.d);
  long nf = count_near(img, PLOT_COLOR_F);
  long ndf = count_near(img, PLOT_COLOR_DF);
  cairo_surface_destroy(img);
  assert_true(nf > base_f + 300);
  assert_true(ndf > base_df + 150);
  assert_int_equal(unlink(path), 0);
  free_series(&none);
  free_series(&s);
}

static void png_extreme(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "extreme.png");
  series s = make_series("exp & <big>", -5, 50, 3000);
  for (size_t i = 0; i < s.d.n; i++)
    s.f[i] = s.df[i] = exp(s.x[i]);
  s.f[10] = NAN;
  s.df[20] = INFINITY;
  cairo_surface_t *img = png_roundtrip(path, &s.d);
  assert_true(count_near(img, PLOT_COLOR_F) > 100);
  cairo_surface_destroy(img);
  for (size_t i = 0; i < s.d.n; i++) {
    s.f[i] = i % 2 ? DBL_MAX : -1e300;
    s.df[i] = 1e-300;
  }
  s.d.title = "bad \xff\x01 title";
  img = png_roundtrip(path, &s.d);
  cairo_surface_destroy(img);
  assert_int_equal(unlink(path), 0);
  free_series(&s);

  s = make_series(NULL, -1, 1, 2);
  img = png_roundtrip(path, &s.d);
  cairo_surface_destroy(img);
  assert_int_equal(unlink(path), 0);
  free_series(&s);
}

/* ---- Errors -----------------------------------------------------------------
 */

static void file_errors(void **state) {
  (void)state;
  char path[128];
  series s = mish_series(-6, 4, 100);
  char why[256];
  int (*fn[2])(const char *, const plot_data *, char *, size_t) = {plot_svg,
                                                                   plot_png};
  for (int k = 0; k < 2; k++) {
    tmp_path(path, sizeof path, "no/such/dir/out");
    why[0] = 0;
    assert_int_equal(fn[k](path, &s.d, why, sizeof why), -1);
    assert_true(strlen(why) > 0);
    assert_non_null(strstr(why, "cannot open"));
    assert_null(strchr(why, '\n'));
    assert_int_equal(access(path, F_OK), -1);

    /* A short why is truncated, NUL-terminated; no why at all is fine. */
    char small[8];
    memset(small, 'z', sizeof small);
    assert_int_equal(fn[k](path, &s.d, small, sizeof small), -1);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(fn[k](path, &s.d, NULL, 0), -1);

    /* Invalid data. */
    plot_data d = s.d;
    d.n = 0;
    tmp_path(path, sizeof path, "invalid");
    assert_int_equal(fn[k](path, &d, why, sizeof why), -1);
    assert_true(strlen(why) > 0);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(fn[k](NULL, &s.d, why, sizeof why), -1);

    /* Writing fails (and /dev/full is not removed). */
    if (access("/dev/full", W_OK) == 0) {
      assert_int_equal(fn[k]("/dev/full", &s.d, why, sizeof why), -1);
      assert_non_null(strstr(why, "cannot write"));
      assert_int_equal(access("/dev/full", F_OK), 0);
    }
  }
  free_series(&s);
}

/* ---- Setup
 * ------------------------------------------------------------------- */

static int make_tmpdir(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/test_plot_XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

/* Removes the temp directory and anything a failed test left in it. */
static int remove_tmpdir(void **state) {
  (void)state;
  DIR *dir = opendir(tmpdir);
  if (dir != NULL) {
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      char path[512];
      snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
      unlink(path);
    }
    closedir(dir);
  }
  int rc = rmdir(tmpdir);
  cairo_debug_reset_static_data();
  void *fc_fini = dlsym(RTLD_DEFAULT, "FcFini");
  if (fc_fini != NULL)
    ((void (*)(void))fc_fini)();
  return rc;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(text_mish),        cmocka_unit_test(text_color),
      cmocka_unit_test(text_dotted),      cmocka_unit_test(text_sizes),
      cmocka_unit_test(text_limits),      cmocka_unit_test(text_gaps),
      cmocka_unit_test(text_flat),        cmocka_unit_test(text_n2),
      cmocka_unit_test(text_extreme),     cmocka_unit_test(text_large_n),
      cmocka_unit_test(text_write_error), cmocka_unit_test(svg_mish),
      cmocka_unit_test(svg_gaps),         cmocka_unit_test(svg_extreme),
      cmocka_unit_test(svg_escape),       cmocka_unit_test(svg_large_n),
      cmocka_unit_test(png_mish),         cmocka_unit_test(png_extreme),
      cmocka_unit_test(file_errors),
  };
  return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
