/*
** cli/plot.c: charts of f and f' for the `actjit` command (see plot.h).
**
** Owns three renderers sharing one set of scales: plot_text (braille cells
** and box-drawing axes on a stream), plot_svg (hand-written SVG) and
** plot_png (cairo).  Every coordinate goes through frac(), which cannot
** overflow or return NaN whatever the magnitudes, so nothing non-finite
** ever reaches a renderer.  Numbers are formatted with snprintf and any
** locale decimal comma is turned back into '.'; this module never calls
** setlocale and never writes to stdout or stderr itself.
*/
#include "plot.h"

#include <cairo.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TITLE_MAX 200 /* bytes of title shown (then "...") */
#define MAX_TICKS 24  /* per axis */
#define LABEL_MAX 32  /* bytes of a formatted number */

/* ---- Shared: checks, scales, numbers, text ------------------------------ */

/* Writes a formatted one-line reason into why[0..whylen). */
static void set_why(char *why, size_t whylen, const char *fmt, ...) {
  if (why == NULL || whylen == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, whylen, fmt, ap);
  va_end(ap);
}

/* Is d something we can draw? */
static int valid_data(const plot_data *d) {
  return d != NULL && d->x != NULL && d->f != NULL && d->df != NULL &&
         d->n >= 2 && isfinite(d->lo) && isfinite(d->hi) && d->lo < d->hi;
}

/* Where v lies in [a, b], as a fraction clamped to [0, 1].  Works on
** halves so that no difference overflows; never NaN. */
static double frac(double v, double a, double b) {
  double span = b * 0.5 - a * 0.5;
  if (!(span > 0))
    return 0.5;
  double r = (v * 0.5 - a * 0.5) / span;
  if (!(r >= 0)) /* also NaN */
    return 0;
  return r > 1 ? 1 : r;
}

static double clamp_finite(double v) {
  return v > DBL_MAX ? DBL_MAX : v < -DBL_MAX ? -DBL_MAX : v;
}

/* The y range of a chart: the finite values of f and f', padded by 5% of
** their span on each side; a flat (or all non-finite) curve gets a range
** around its value. */
static void y_range(const plot_data *d, double *lo, double *hi) {
  double mn = INFINITY, mx = -INFINITY;
  for (size_t i = 0; i < d->n; i++) {
    double v[2] = {d->f[i], d->df[i]};
    for (int k = 0; k < 2; k++)
      if (isfinite(v[k])) {
        mn = v[k] < mn ? v[k] : mn;
        mx = v[k] > mx ? v[k] : mx;
      }
  }
  if (mn > mx) {
    *lo = -1;
    *hi = 1;
    return;
  }
  double mag = fmax(fabs(mn), fabs(mx));
  double half = mx * 0.5 - mn * 0.5; /* half the span, cannot overflow */
  if (half <= mag * 1e-12) {
    double c = mn * 0.5 + mx * 0.5;
    double h = c == 0 ? 1 : fabs(c) * 0.1;
    *lo = clamp_finite(c - h);
    *hi = clamp_finite(c + h);
    return;
  }
  double pad = half * 0.1;
  *lo = clamp_finite(mn - pad);
  *hi = clamp_finite(mx + pad);
}

/* floor(log10(v)) for v > 0; 0 for anything else. */
static int decade(double v) {
  return v > 0 && isfinite(v) ? (int)floor(log10(v)) : 0;
}

/* Formats v with digits significant digits ("%g" style, '.' as decimal
** point whatever the locale, no "-0"). */
static void fmt_num(char *buf, size_t size, double v, int digits) {
  v += 0.0; /* -0 -> +0 */
  snprintf(buf, size, "%.*g", digits, v);
  for (char *p = buf; *p; p++)
    if (*p == ',')
      *p = '.';
}

/* How many significant digits to show numbers up to max_abs in size that
** must differ by res; at least lo_digits; enough to avoid exponent form
** below 10^6. */
static int label_digits(double max_abs, double res, int lo_digits) {
  int e = decade(max_abs);
  int digits = e - decade(res) + 1;
  if (digits < lo_digits)
    digits = lo_digits;
  if (max_abs > 0 && e >= 0 && e < 6 && digits < e + 1)
    digits = e + 1;
  return digits > 17 ? 17 : digits;
}

/* Formats an arbitrary value of a range [a, b] (not a tick): enough digits
** to tell a from b. */
static void fmt_range_end(char *buf, size_t size, double v, double a,
                          double b) {
  double max_abs = fmax(fabs(a), fabs(b));
  fmt_num(buf, size, v, label_digits(max_abs, b * 0.5 - a * 0.5, 3));
}

/* "Nice" ticks in [lo, hi]: multiples of 1, 2 or 5 x 10^k, about target of
** them.  Fills t[0..max) and labels; returns how many (0 if the range is
** too narrow for its magnitude to hold distinct multiples). */
static int nice_ticks(double lo, double hi, int target, double *t,
                      char (*labels)[LABEL_MAX], int max) {
  double half = hi * 0.5 - lo * 0.5;
  double rough = half / (target * 0.5);
  if (!(rough > 0) || !isfinite(rough))
    return 0;
  double mag = pow(10, floor(log10(rough)));
  if (!(mag > 0) || !isfinite(mag))
    return 0;
  double norm = rough / mag;
  double step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  double k0 = ceil(lo / step), k1 = floor(hi / step);
  if (!isfinite(k0) || !isfinite(k1) || k1 - k0 > max - 1 || fabs(k0) > 1e15 ||
      fabs(k1) > 1e15)
    return 0;
  int count = 0;
  double max_abs = 0;
  for (double k = k0; k <= k1 && count < max; k++) {
    double v = k * step;
    if (fabs(v) < step * 1e-9)
      v = 0;
    t[count++] = v;
    max_abs = fmax(max_abs, fabs(v));
  }
  int digits = label_digits(max_abs, step, 1);
  for (int i = 0; i < count; i++)
    fmt_num(labels[i], LABEL_MAX, t[i], digits);
  return count;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid.  Also
** 0 for U+FFFE and U+FFFF, which XML does not allow. */
static int utf8_len(const unsigned char *s) {
  unsigned c = s[0];
  int n;
  unsigned lo = 0x80, hi = 0xBF;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;
    if (c == 0xED)
      hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    if (c == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (int i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xBF)
      return 0;
  if (n == 3 && c == 0xEF && s[1] == 0xBF && s[2] >= 0xBE)
    return 0;
  return n;
}

/* Copies title into out[TITLE_MAX + 4] as valid UTF-8 without control
** characters (each bad byte becomes '?'), cut at TITLE_MAX bytes with
** "...".  NULL gives "". */
static void clean_title(const char *title, char *out) {
  size_t o = 0;
  const unsigned char *s = (const unsigned char *)(title ? title : "");
  while (*s) {
    int n = utf8_len(s);
    if (o + (n ? n : 1) > TITLE_MAX) {
      memcpy(out + o, "...", 3);
      o += 3;
      break;
    }
    if (n == 0 || (n == 1 && (*s < 0x20 || *s == 0x7F))) {
      out[o++] = '?';
      s++;
    } else {
      memcpy(out + o, s, (size_t)n);
      o += (size_t)n;
      s += n;
    }
  }
  out[o] = 0;
}

/* ---- plot_text ----------------------------------------------------------- */

/* Braille dot bits by (row, column) of the 2x4 cell (U+2800 + bits). */
static const unsigned char dot_bit[4][2] = {
    {0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};

/* A curve's dots: width x height cells of dot bits; pixels are 2 x 4 per
** cell.  Visits pixels along a path and sets every period-th one. */
typedef struct raster {
  int width, height; /* cells */
  int pw, ph;        /* pixels */
  unsigned char *cells;
  int period;
  long count;       /* distinct pixels visited along the path */
  int lastx, lasty; /* the last one */
} raster;

static void visit(raster *r, int px, int py) {
  if (px == r->lastx && py == r->lasty)
    return;
  r->lastx = px;
  r->lasty = py;
  if (r->count++ % r->period == 0)
    r->cells[(py / 4) * r->width + px / 2] |= dot_bit[py % 4][px % 2];
}

/* Visits the 8-connected pixels from (ax, ay) to (bx, by), both inside the
** pixel grid. */
static void raster_line(raster *r, double ax, double ay, double bx, double by) {
  double dx = bx - ax, dy = by - ay;
  int steps = (int)ceil(fmax(fabs(dx), fabs(dy)));
  if (steps < 1)
    steps = 1;
  for (int s = 0; s <= steps; s++) {
    double t = (double)s / steps;
    visit(r, (int)lround(ax + t * dx), (int)lround(ay + t * dy));
  }
}

/* Draws the curve (d->x, y) into r: lines between consecutive finite
** samples, a dot for an isolated one. */
static void raster_curve(raster *r, const plot_data *d, const double *y,
                         double ylo, double yhi) {
  int have = 0;
  double ppx = 0, ppy = 0;
  r->count = 0;
  r->lastx = r->lasty = -1;
  for (size_t i = 0; i < d->n; i++) {
    if (!isfinite(d->x[i]) || !isfinite(y[i])) {
      have = 0;
      continue;
    }
    double px = frac(d->x[i], d->lo, d->hi) * (r->pw - 1);
    double py = (1 - frac(y[i], ylo, yhi)) * (r->ph - 1);
    if (have)
      raster_line(r, ppx, ppy, px, py);
    else
      visit(r, (int)lround(px), (int)lround(py));
    have = 1;
    ppx = px;
    ppy = py;
  }
}

/* Writes the braille character for dot bits (nonzero). */
static void put_braille(FILE *out, unsigned bits) {
  char u[4] = {(char)0xE2, (char)(0xA0 | (bits >> 6)),
               (char)(0x80 | (bits & 0x3F)), 0};
  fputs(u, out);
}

/* Places s (len bytes, ASCII) into line[0..cap) at column col, clipped. */
static void place(char *line, int cap, int col, const char *s) {
  for (int i = 0; s[i] && col + i < cap; i++)
    if (col + i >= 0)
      line[col + i] = s[i];
}

enum { ANSI_NONE = 0, ANSI_F = 34, ANSI_DF = 31, ANSI_BOTH = 35 };

int plot_text(FILE *out, const plot_data *d, int width, int height, int color) {
  if (out == NULL || !valid_data(d) || width < PLOT_TEXT_MIN_WIDTH ||
      width > PLOT_TEXT_MAX_WIDTH || height < PLOT_TEXT_MIN_HEIGHT ||
      height > PLOT_TEXT_MAX_HEIGHT)
    return -1;
  size_t ncells = (size_t)width * (size_t)height;
  unsigned char *cells = calloc(2 * ncells, 1);
  if (cells == NULL)
    return -1;
  double ylo, yhi;
  y_range(d, &ylo, &yhi);

  raster r = {width, height, 2 * width, 4 * height, cells, 1, 0, -1, -1};
  raster_curve(&r, d, d->f, ylo, yhi);
  r.cells = cells + ncells;
  r.period = color ? 1 : 2;
  raster_curve(&r, d, d->df, ylo, yhi);

  /* Axes: the cell row of y = 0 and the cell column of x = 0. */
  int xrow = -1, ycol = -1;
  if (ylo <= 0 && 0 <= yhi)
    xrow = (int)lround((1 - frac(0, ylo, yhi)) * (r.ph - 1)) / 4;
  if (d->lo <= 0 && 0 <= d->hi)
    ycol = (int)lround(frac(0, d->lo, d->hi) * (r.pw - 1)) / 2;

  /* y labels: top row, bottom row, and the row of 0 if it is another. */
  char ytop[LABEL_MAX], ybot[LABEL_MAX];
  fmt_range_end(ytop, sizeof ytop, yhi, ylo, yhi);
  fmt_range_end(ybot, sizeof ybot, ylo, ylo, yhi);
  int zrow = xrow > 0 && xrow < height - 1 ? xrow : -1;
  int lw = (int)strlen(ytop);
  if ((int)strlen(ybot) > lw)
    lw = (int)strlen(ybot);

  if (d->title != NULL) {
    char title[TITLE_MAX + 4];
    clean_title(d->title, title);
    fprintf(out, "%*s%s\n", lw + 2, "", title);
  }

  for (int row = 0; row < height; row++) {
    const char *label = row == 0            ? ytop
                        : row == height - 1 ? ybot
                        : row == zrow       ? "0"
                                            : "";
    fprintf(out, "%*s %s", lw, label, *label ? "\u2524" : "\u2502");
    int cur = ANSI_NONE;
    for (int col = 0; col < width; col++) {
      size_t i = (size_t)row * width + col;
      unsigned bf = cells[i], bd = cells[ncells + i];
      int want = !color || !(bf | bd) ? ANSI_NONE
                 : bf && bd           ? ANSI_BOTH
                 : bf                 ? ANSI_F
                                      : ANSI_DF;
      if (want != cur) {
        if (want == ANSI_NONE)
          fputs("\x1b[0m", out);
        else
          fprintf(out, "\x1b[%dm", want);
        cur = want;
      }
      if (bf | bd)
        put_braille(out, bf | bd);
      else if (row == xrow && col == ycol)
        fputs("\u253c", out);
      else if (row == xrow)
        fputs("\u2500", out);
      else if (col == ycol)
        fputs("\u2502", out);
      else
        fputc(' ', out);
    }
    if (cur != ANSI_NONE)
      fputs("\x1b[0m", out);
    fputc('\n', out);
  }

  /* x labels: lo at the left, hi ending at the right, 0 centred on its
  ** column when it fits between them. */
  char xlo[LABEL_MAX], xhi[LABEL_MAX];
  fmt_range_end(xlo, sizeof xlo, d->lo, d->lo, d->hi);
  fmt_range_end(xhi, sizeof xhi, d->hi, d->lo, d->hi);
  int llo = (int)strlen(xlo), lhi = (int)strlen(xhi);
  int hi_at = width - lhi;
  if (hi_at < llo + 1)
    hi_at = llo + 1;
  int cap = width + 2 * LABEL_MAX;
  char line[PLOT_TEXT_MAX_WIDTH + 2 * LABEL_MAX + 1];
  memset(line, ' ', (size_t)cap);
  line[cap] = 0;
  place(line, cap, 0, xlo);
  place(line, cap, hi_at, xhi);
  int tick0 = -1;
  if (ycol >= 0 && d->lo < 0 && d->hi > 0) {
    int zat = ycol; /* "0" is one character */
    if (zat > llo && zat + 1 < hi_at) {
      line[zat] = '0';
      tick0 = ycol;
    }
  }
  for (int end = cap; end > 0 && line[end - 1] == ' '; end--)
    line[end - 1] = 0;

  fprintf(out, "%*s \u2514", lw, "");
  for (int col = 0; col < width; col++)
    fputs(col == 0 || col == width - 1 || col == tick0 ? "\u252c" : "\u2500",
          out);
  fputc('\n', out);
  fprintf(out, "%*s  %s\n", lw, "", line);

  /* Legend. */
  if (color)
    fprintf(out,
            "%*s  \x1b[%dm\u2812\u2812\u2812\x1b[0m f   "
            "\x1b[%dm\u2812\u2812\u2812\x1b[0m f'   "
            "\x1b[%dm\u2812\u2812\u2812\x1b[0m both\n",
            lw, "", ANSI_F, ANSI_DF, ANSI_BOTH);
  else
    fprintf(out,
            "%*s  \u2812\u2812\u2812 f (solid)   \u2802\u2802\u2802 f' "
            "(dotted)\n",
            lw, "");
  free(cells);
  if (fflush(out) != 0 || ferror(out))
    return -1;
  return 0;
}

/* ---- Charts: the layout shared by SVG and PNG ---------------------------- */

#define CW PLOT_IMAGE_WIDTH
#define CH PLOT_IMAGE_HEIGHT
#define LEGEND_W 96
#define LEGEND_H 50
#define LEGEND_INSET 10
#define DASH_ON 7
#define DASH_OFF 5

typedef struct chart {
  const plot_data *d;
  double ylo, yhi;
  double left, top, right, bottom; /* the plot area in pixels */
  int nxt, nyt;
  double xt[MAX_TICKS], yt[MAX_TICKS];
  char xl[MAX_TICKS][LABEL_MAX], yl[MAX_TICKS][LABEL_MAX];
  int has_x_axis, has_y_axis; /* y = 0, x = 0 in range */
  double legx, legy;          /* the legend box's top left corner */
  char title[TITLE_MAX + 4];
} chart;

static double map_x(const chart *c, double x) {
  return c->left + frac(x, c->d->lo, c->d->hi) * (c->right - c->left);
}

static double map_y(const chart *c, double y) {
  return c->bottom - frac(y, c->ylo, c->yhi) * (c->bottom - c->top);
}

/* A curve as decimated runs: fn(ud, kind, px, py) with kind MOVE (a run
** starts), LINE (it goes on) or END (it ended; px, py is its last point).
** A point within half a pixel of the last one kept is dropped, except
** the last of a run. */
enum { MOVE, LINE, END };
typedef void point_fn(void *ud, int kind, double px, double py);

static void trace(const chart *c, const double *y, point_fn *fn, void *ud) {
  const plot_data *d = c->d;
  int in_run = 0, pending = 0;
  double kx = 0, ky = 0, lx = 0, ly = 0; /* last kept, last seen */
  for (size_t i = 0; i <= d->n; i++) {
    int ok = i < d->n && isfinite(d->x[i]) && isfinite(y[i]);
    if (!ok) {
      if (in_run) {
        if (pending)
          fn(ud, LINE, lx, ly);
        fn(ud, END, lx, ly);
      }
      in_run = pending = 0;
      continue;
    }
    double px = map_x(c, d->x[i]), py = map_y(c, y[i]);
    if (!in_run) {
      fn(ud, MOVE, px, py);
      kx = px;
      ky = py;
      in_run = 1;
      pending = 0;
    } else if (fabs(px - kx) >= 0.5 || fabs(py - ky) >= 0.5) {
      fn(ud, LINE, px, py);
      kx = px;
      ky = py;
      pending = 0;
    } else
      pending = 1;
    lx = px;
    ly = py;
  }
}

/* Legend placement: how much of each curve lies in a candidate box. */
typedef struct cover {
  double x0, y0, x1, y1;
  long hits;
  int have;
  double px, py;
} cover;

static void count_point(cover *cv, double px, double py) {
  if (px >= cv->x0 && px <= cv->x1 && py >= cv->y0 && py <= cv->y1)
    cv->hits++;
}

static void cover_fn(void *ud, int kind, double px, double py) {
  cover *cv = ud;
  if (kind == END)
    return;
  if (kind == LINE && cv->have) {
    /* Points every 4 px along the segment, so a long one still counts. */
    double len = fmax(fabs(px - cv->px), fabs(py - cv->py));
    int steps = (int)ceil(len / 4);
    for (int s = 1; s < steps; s++) {
      double t = (double)s / steps;
      count_point(cv, cv->px + t * (px - cv->px), cv->py + t * (py - cv->py));
    }
  }
  count_point(cv, px, py);
  cv->have = 1;
  cv->px = px;
  cv->py = py;
}

/* Computes everything both renderers draw. */
static void layout(chart *c, const plot_data *d) {
  c->d = d;
  y_range(d, &c->ylo, &c->yhi);
  c->left = 80;
  c->right = CW - 24;
  c->top = 44;
  c->bottom = CH - 56;
  c->nxt = nice_ticks(d->lo, d->hi, 8, c->xt, c->xl, MAX_TICKS);
  c->nyt = nice_ticks(c->ylo, c->yhi, 6, c->yt, c->yl, MAX_TICKS);
  c->has_x_axis = c->ylo <= 0 && 0 <= c->yhi;
  c->has_y_axis = d->lo <= 0 && 0 <= d->hi;
  clean_title(d->title, c->title);

  /* The legend goes in the corner the curves least cover (ties: top left,
  ** top right, bottom right, bottom left). */
  double xs[2] = {c->left + LEGEND_INSET, c->right - LEGEND_INSET - LEGEND_W};
  double ys[2] = {c->top + LEGEND_INSET, c->bottom - LEGEND_INSET - LEGEND_H};
  static const int corner[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
  long best = -1;
  for (int k = 0; k < 4; k++) {
    double x0 = xs[corner[k][0]], y0 = ys[corner[k][1]];
    cover cv = {x0 - 4, y0 - 4, x0 + LEGEND_W + 4, y0 + LEGEND_H + 4, 0, 0,
                0,      0};
    trace(c, d->f, cover_fn, &cv);
    cv.have = 0;
    trace(c, d->df, cover_fn, &cv);
    if (best < 0 || cv.hits < best) {
      best = cv.hits;
      c->legx = x0;
      c->legy = y0;
    }
  }
}

/* Is fp a regular file (one that may be removed when writing it failed,
** unlike /dev/full or a pipe)? */
static int is_regular(FILE *fp) {
  struct stat st;
  return fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- plot_svg -------------------------------------------------------------
 */

/* Formats a pixel coordinate (finite, small) to 2 decimals without the
** locale: trailing zeros dropped. */
static void fmt_coord(char *buf, double v) {
  long h = lround(v * 100);
  const char *sign = h < 0 ? "-" : "";
  long a = h < 0 ? -h : h;
  if (a % 100 == 0)
    sprintf(buf, "%s%ld", sign, a / 100);
  else if (a % 10 == 0)
    sprintf(buf, "%s%ld.%ld", sign, a / 100, a % 100 / 10);
  else
    sprintf(buf, "%s%ld.%02ld", sign, a / 100, a % 100);
}

/* Writes v as an SVG coordinate. */
static void put_coord(FILE *fp, double v) {
  char buf[32];
  fmt_coord(buf, v);
  fputs(buf, fp);
}

/* Writes a <line> from (x1, y1) to (x2, y2) with extra attributes. */
static void put_line(FILE *fp, double x1, double y1, double x2, double y2,
                     const char *extra) {
  fputs("<line x1=\"", fp);
  put_coord(fp, x1);
  fputs("\" y1=\"", fp);
  put_coord(fp, y1);
  fputs("\" x2=\"", fp);
  put_coord(fp, x2);
  fputs("\" y2=\"", fp);
  put_coord(fp, y2);
  fprintf(fp, "\"%s/>\n", extra);
}

/* Writes s (valid UTF-8, no control characters) escaped for XML. */
static void put_escaped(FILE *fp, const char *s) {
  for (; *s; s++)
    switch (*s) {
    case '&':
      fputs("&amp;", fp);
      break;
    case '<':
      fputs("&lt;", fp);
      break;
    case '>':
      fputs("&gt;", fp);
      break;
    case '"':
      fputs("&quot;", fp);
      break;
    case '\'':
      fputs("&apos;", fp);
      break;
    default:
      fputc(*s, fp);
    }
}

/* Writes <text x y ...>s</text>. */
static void put_text(FILE *fp, double x, double y, const char *attrs,
                     const char *s) {
  fputs("<text x=\"", fp);
  put_coord(fp, x);
  fputs("\" y=\"", fp);
  put_coord(fp, y);
  fprintf(fp, "\"%s>", attrs);
  put_escaped(fp, s);
  fputs("</text>\n", fp);
}

/* trace() into <path> elements: one per run. */
typedef struct svg_path {
  FILE *fp;
  const char *cls, *attrs;
  int points;
} svg_path;

static void svg_point(void *ud, int kind, double px, double py) {
  svg_path *p = ud;
  if (kind == END) {
    if (p->points == 1) { /* a lone sample: a dot (round caps) */
      fputs(" L", p->fp);
      put_coord(p->fp, px);
      fputc(' ', p->fp);
      put_coord(p->fp, py);
    }
    fputs("\"/>\n", p->fp);
    return;
  }
  if (kind == MOVE) {
    fprintf(p->fp, "<path class=\"%s\"%s d=\"M", p->cls, p->attrs);
    p->points = 0;
  } else
    fputs(" L", p->fp);
  put_coord(p->fp, px);
  fputc(' ', p->fp);
  put_coord(p->fp, py);
  p->points++;
}

/* <rect .../> over the plotting area, with extra attributes. */
static void put_plot_rect(FILE *fp, const chart *c, const char *extra) {
  fputs("<rect x=\"", fp);
  put_coord(fp, c->left);
  fputs("\" y=\"", fp);
  put_coord(fp, c->top);
  fputs("\" width=\"", fp);
  put_coord(fp, c->right - c->left);
  fputs("\" height=\"", fp);
  put_coord(fp, c->bottom - c->top);
  fprintf(fp, "\"%s/>", extra);
}

static void svg_body(FILE *fp, const chart *c) {
  fprintf(fp,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
          "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
          "font-size=\"12\">\n",
          CW, CH, CW, CH);
  if (c->title[0]) {
    fputs("<title>", fp);
    put_escaped(fp, c->title);
    fputs("</title>\n", fp);
  }
  fputs("<defs><clipPath id=\"plot-area\">", fp);
  put_plot_rect(fp, c, "");
  fputs("</clipPath></defs>\n", fp);
  fprintf(fp, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", CW, CH);

  /* Grid lines at the ticks. */
  fputs("<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\" "
        "shape-rendering=\"crispEdges\">\n",
        fp);
  for (int i = 0; i < c->nxt; i++) {
    double x = map_x(c, c->xt[i]);
    put_line(fp, x, c->top, x, c->bottom, "");
  }
  for (int i = 0; i < c->nyt; i++) {
    double y = map_y(c, c->yt[i]);
    put_line(fp, c->left, y, c->right, y, "");
  }
  fputs("</g>\n", fp);

  /* Axes at 0. */
  fputs("<g class=\"axes\" stroke=\"#555555\" stroke-width=\"1\" "
        "shape-rendering=\"crispEdges\">\n",
        fp);
  if (c->has_x_axis)
    put_line(fp, c->left, map_y(c, 0), c->right, map_y(c, 0), "");
  if (c->has_y_axis)
    put_line(fp, map_x(c, 0), c->top, map_x(c, 0), c->bottom, "");
  fputs("</g>\n", fp);

  /* Curves: f' under f. */
  fputs("<g class=\"curves\" clip-path=\"url(#plot-area)\" fill=\"none\" "
        "stroke-width=\"2\" stroke-linejoin=\"round\" "
        "stroke-linecap=\"round\">\n",
        fp);
  char attrs[96];
  snprintf(attrs, sizeof attrs, " stroke=\"#%06x\" stroke-dasharray=\"%d %d\"",
           PLOT_COLOR_DF, DASH_ON, DASH_OFF);
  svg_path p = {fp, "curve-df", attrs, 0};
  trace(c, c->d->df, svg_point, &p);
  snprintf(attrs, sizeof attrs, " stroke=\"#%06x\"", PLOT_COLOR_F);
  p.cls = "curve-f";
  trace(c, c->d->f, svg_point, &p);
  fputs("</g>\n", fp);

  /* Frame, tick marks, tick labels. */
  put_plot_rect(fp, c, " class=\"frame\" fill=\"none\" stroke=\"#000000\" "
                       "stroke-width=\"1\" shape-rendering=\"crispEdges\"");
  fputc('\n', fp);
  fputs("<g class=\"ticks\" stroke=\"#000000\" stroke-width=\"1\" "
        "shape-rendering=\"crispEdges\">\n",
        fp);
  for (int i = 0; i < c->nxt; i++) {
    double x = map_x(c, c->xt[i]);
    put_line(fp, x, c->bottom, x, c->bottom + 5, "");
  }
  for (int i = 0; i < c->nyt; i++) {
    double y = map_y(c, c->yt[i]);
    put_line(fp, c->left - 5, y, c->left, y, "");
  }
  fputs("</g>\n<g class=\"tick-labels\" fill=\"#000000\">\n", fp);
  for (int i = 0; i < c->nxt; i++)
    put_text(fp, map_x(c, c->xt[i]), c->bottom + 19, " text-anchor=\"middle\"",
             c->xl[i]);
  for (int i = 0; i < c->nyt; i++)
    put_text(fp, c->left - 8, map_y(c, c->yt[i]) + 4, " text-anchor=\"end\"",
             c->yl[i]);
  fputs("</g>\n", fp);

  /* Titles. */
  put_text(fp, (c->left + c->right) / 2, CH - 14,
           " text-anchor=\"middle\" font-size=\"14\"", "x");
  fputs("<text x=\"0\" y=\"0\" transform=\"translate(20 ", fp);
  put_coord(fp, (c->top + c->bottom) / 2);
  fputs(") rotate(-90)\" text-anchor=\"middle\" font-size=\"14\">y</text>\n",
        fp);
  if (c->title[0])
    put_text(fp, (c->left + c->right) / 2, 28,
             " text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"",
             c->title);

  /* Legend. */
  double lx = c->legx, ly = c->legy;
  fputs("<g class=\"legend\">\n<rect x=\"", fp);
  put_coord(fp, lx);
  fputs("\" y=\"", fp);
  put_coord(fp, ly);
  fprintf(fp,
          "\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
          "fill-opacity=\"0.9\" stroke=\"#999999\" stroke-width=\"1\"/>\n",
          LEGEND_W, LEGEND_H);
  snprintf(attrs, sizeof attrs, " stroke=\"#%06x\" stroke-width=\"2\"",
           PLOT_COLOR_F);
  put_line(fp, lx + 10, ly + 16, lx + 40, ly + 16, attrs);
  put_text(fp, lx + 48, ly + 20, "", "f(x)");
  snprintf(attrs, sizeof attrs,
           " stroke=\"#%06x\" stroke-width=\"2\" stroke-dasharray=\"%d %d\"",
           PLOT_COLOR_DF, DASH_ON, DASH_OFF);
  put_line(fp, lx + 10, ly + 36, lx + 40, ly + 36, attrs);
  put_text(fp, lx + 48, ly + 40, "", "f'(x)");
  fputs("</g>\n</svg>\n", fp);
}

/* A chart to lay out for path and d, or NULL with why set (bad data, no
** memory).  The caller frees it. */
static chart *new_chart(const char *path, const plot_data *d, char *why,
                        size_t whylen) {
  set_why(why, whylen, "");
  if (path == NULL || !valid_data(d)) {
    set_why(why, whylen, "invalid plot data");
    return NULL;
  }
  chart *c = malloc(sizeof *c);
  if (c == NULL)
    set_why(why, whylen, "out of memory");
  return c;
}

int plot_svg(const char *path, const plot_data *d, char *why, size_t whylen) {
  chart *c = new_chart(path, d, why, whylen);
  if (c == NULL)
    return -1;
  FILE *fp = fopen(path, "w");
  if (fp == NULL) {
    set_why(why, whylen, "cannot open %s: %s", path, strerror(errno));
    free(c);
    return -1;
  }
  int regular = is_regular(fp);
  layout(c, d);
  svg_body(fp, c);
  free(c);
  errno = 0;
  int err = fflush(fp) != 0 || ferror(fp) ? (errno ? errno : EIO) : 0;
  if (fclose(fp) != 0 && err == 0)
    err = errno ? errno : EIO;
  if (err != 0) {
    if (regular)
      remove(path);
    set_why(why, whylen, "cannot write %s: %s", path, strerror(err));
    return -1;
  }
  return 0;
}

/* ---- plot_png -------------------------------------------------------------
 */

static void set_rgb(cairo_t *cr, unsigned rgb) {
  cairo_set_source_rgb(cr, (rgb >> 16 & 255) / 255.0, (rgb >> 8 & 255) / 255.0,
                       (rgb & 255) / 255.0);
}

/* A 1 px line on pixel centres. */
static void crisp_line(cairo_t *cr, double x1, double y1, double x2,
                       double y2) {
  cairo_move_to(cr, floor(x1) + 0.5, floor(y1) + 0.5);
  cairo_line_to(cr, floor(x2) + 0.5, floor(y2) + 0.5);
}

/* Shows s with its reference point at x (align 0 left, 1 centre, 2 right)
** and its baseline at y. */
static void show_at(cairo_t *cr, double x, double y, int align, const char *s) {
  cairo_text_extents_t te;
  cairo_text_extents(cr, s, &te);
  cairo_move_to(cr, x - te.x_advance * align / 2, y);
  cairo_show_text(cr, s);
}

/* trace() into a cairo path. */
typedef struct png_path {
  cairo_t *cr;
  int points;
} png_path;

static void png_point(void *ud, int kind, double px, double py) {
  png_path *p = ud;
  if (kind == MOVE) {
    cairo_move_to(p->cr, px, py);
    p->points = 1;
  } else if (kind == LINE) {
    cairo_line_to(p->cr, px, py);
    p->points++;
  } else if (p->points == 1) /* a lone sample: a dot (round caps) */
    cairo_line_to(p->cr, px, py);
}

static void png_body(cairo_t *cr, const chart *c) {
  double pw = c->right - c->left, ph = c->bottom - c->top;
  set_rgb(cr, 0xffffff);
  cairo_paint(cr);
  cairo_set_line_width(cr, 1);

  set_rgb(cr, 0xe6e6e6);
  for (int i = 0; i < c->nxt; i++) {
    double x = map_x(c, c->xt[i]);
    crisp_line(cr, x, c->top, x, c->bottom);
  }
  for (int i = 0; i < c->nyt; i++) {
    double y = map_y(c, c->yt[i]);
    crisp_line(cr, c->left, y, c->right, y);
  }
  cairo_stroke(cr);

  set_rgb(cr, 0x555555);
  if (c->has_x_axis)
    crisp_line(cr, c->left, map_y(c, 0), c->right, map_y(c, 0));
  if (c->has_y_axis)
    crisp_line(cr, map_x(c, 0), c->top, map_x(c, 0), c->bottom);
  cairo_stroke(cr);

  /* Curves, clipped to the plot area: f' under f. */
  cairo_save(cr);
  cairo_rectangle(cr, c->left, c->top, pw, ph);
  cairo_clip(cr);
  cairo_set_line_width(cr, 2);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  static const double dash[2] = {DASH_ON, DASH_OFF};
  cairo_set_dash(cr, dash, 2, 0);
  set_rgb(cr, PLOT_COLOR_DF);
  png_path p = {cr, 0};
  trace(c, c->d->df, png_point, &p);
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
  set_rgb(cr, PLOT_COLOR_F);
  trace(c, c->d->f, png_point, &p);
  cairo_stroke(cr);
  cairo_restore(cr);

  /* Frame and tick marks. */
  cairo_set_line_width(cr, 1);
  set_rgb(cr, 0x000000);
  cairo_rectangle(cr, floor(c->left) + 0.5, floor(c->top) + 0.5, pw, ph);
  for (int i = 0; i < c->nxt; i++) {
    double x = map_x(c, c->xt[i]);
    crisp_line(cr, x, c->bottom, x, c->bottom + 5);
  }
  for (int i = 0; i < c->nyt; i++) {
    double y = map_y(c, c->yt[i]);
    crisp_line(cr, c->left - 5, y, c->left, y);
  }
  cairo_stroke(cr);

  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 12);
  for (int i = 0; i < c->nxt; i++)
    show_at(cr, map_x(c, c->xt[i]), c->bottom + 19, 1, c->xl[i]);
  for (int i = 0; i < c->nyt; i++)
    show_at(cr, c->left - 8, map_y(c, c->yt[i]) + 4, 2, c->yl[i]);

  cairo_set_font_size(cr, 14);
  show_at(cr, (c->left + c->right) / 2, CH - 14, 1, "x");
  cairo_save(cr);
  cairo_translate(cr, 20, (c->top + c->bottom) / 2);
  cairo_rotate(cr, -M_PI / 2);
  show_at(cr, 0, 0, 1, "y");
  cairo_restore(cr);
  if (c->title[0]) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 16);
    show_at(cr, (c->left + c->right) / 2, 28, 1, c->title);
  }

  /* Legend. */
  double lx = floor(c->legx), ly = floor(c->legy);
  cairo_rectangle(cr, lx + 0.5, ly + 0.5, LEGEND_W, LEGEND_H);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
  cairo_fill_preserve(cr);
  set_rgb(cr, 0x999999);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 2);
  set_rgb(cr, PLOT_COLOR_F);
  cairo_move_to(cr, lx + 10, ly + 16);
  cairo_line_to(cr, lx + 40, ly + 16);
  cairo_stroke(cr);
  set_rgb(cr, PLOT_COLOR_DF);
  cairo_set_dash(cr, dash, 2, 0);
  cairo_move_to(cr, lx + 10, ly + 36);
  cairo_line_to(cr, lx + 40, ly + 36);
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 12);
  set_rgb(cr, 0x000000);
  show_at(cr, lx + 48, ly + 20, 0, "f(x)");
  show_at(cr, lx + 48, ly + 40, 0, "f'(x)");
}

/* cairo's PNG writer into a FILE; keeps the first errno. */
typedef struct png_sink {
  FILE *fp;
  int err;
} png_sink;

static cairo_status_t png_write(void *closure, const unsigned char *data,
                                unsigned int len) {
  png_sink *sink = closure;
  if (fwrite(data, 1, len, sink->fp) != len) {
    if (sink->err == 0)
      sink->err = errno ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

/* Writes s to path as PNG; 0, or -1 with why. */
static int write_png(cairo_surface_t *s, const char *path, char *why,
                     size_t whylen) {
  png_sink sink = {fopen(path, "wb"), 0};
  if (sink.fp == NULL) {
    set_why(why, whylen, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  int regular = is_regular(sink.fp);
  cairo_status_t st = cairo_surface_write_to_png_stream(s, png_write, &sink);
  errno = 0;
  if (fflush(sink.fp) != 0 && sink.err == 0)
    sink.err = errno ? errno : EIO;
  errno = 0;
  if (fclose(sink.fp) != 0 && sink.err == 0)
    sink.err = errno ? errno : EIO;
  if (sink.err == 0 && st == CAIRO_STATUS_SUCCESS)
    return 0;
  if (regular)
    remove(path);
  if (sink.err != 0)
    set_why(why, whylen, "cannot write %s: %s", path, strerror(sink.err));
  else
    set_why(why, whylen, "cairo: %s", cairo_status_to_string(st));
  return -1;
}

int plot_png(const char *path, const plot_data *d, char *why, size_t whylen) {
  chart *c = new_chart(path, d, why, whylen);
  if (c == NULL)
    return -1;
  layout(c, d);
  int rc = -1;
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, CW, CH);
  cairo_t *cr = cairo_create(s); /* a nil object in error, never NULL */
  cairo_status_t st = cairo_surface_status(s);
  if (st == CAIRO_STATUS_SUCCESS) {
    png_body(cr, c);
    st = cairo_status(cr);
  }
  if (st != CAIRO_STATUS_SUCCESS)
    set_why(why, whylen, "cairo: %s", cairo_status_to_string(st));
  else {
    cairo_surface_flush(s);
    rc = write_png(s, path, why, whylen);
  }
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  free(c);
  return rc;
}
