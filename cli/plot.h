/*
** cli/plot.h: charts of an activation function and its derivative for the
** `actjit` command: a braille chart in the terminal (plot_text), an SVG
** file (plot_svg, hand-written XML) and a PNG file (plot_png, cairo).
**
** The caller samples f and f' (with the library or otherwise); this module
** only draws what it is given.  It never prints to stdout or stderr (only
** plot_text's output to its stream), never calls setlocale, and keeps no
** state between calls.
*/
#ifndef AJ_CLI_PLOT_H
#define AJ_CLI_PLOT_H

#include <stddef.h>
#include <stdio.h>

/* plot_text's limits on its grid of character cells (inclusive). */
#define PLOT_TEXT_MIN_WIDTH 20
#define PLOT_TEXT_MAX_WIDTH 300
#define PLOT_TEXT_MIN_HEIGHT 5
#define PLOT_TEXT_MAX_HEIGHT 100

/* Size of plot_svg's and plot_png's charts in pixels. */
#define PLOT_IMAGE_WIDTH 800
#define PLOT_IMAGE_HEIGHT 500

/* Colours (0xRRGGBB) of f and f' in every chart: in the SVG and PNG
** exactly these; in the terminal ANSI blue, red, and magenta where both
** pass through one cell. */
#define PLOT_COLOR_F 0x1f77b4
#define PLOT_COLOR_DF 0xd62728

/* The samples to draw.  The caller owns every pointer; the plot functions
** only read them during the call. */
typedef struct plot_data {
  const char *title; /* shown above the chart (e.g. "mish"); may be NULL */
  double lo, hi;     /* the x range, finite, lo < hi */
  size_t n;          /* samples, >= 2 */
  const double *x;   /* n increasing x values in [lo, hi] */
  const double *f;   /* f(x[i]); NaN/inf allowed: they leave a gap */
  const double *df;  /* f'(x[i]); same */
} plot_data;

/* Draws f and f' on out with Unicode braille characters (2x4 dots per
** cell) in a width x height cell grid, PLOT_TEXT_MIN_WIDTH <= width <=
** PLOT_TEXT_MAX_WIDTH and PLOT_TEXT_MIN_HEIGHT <= height <=
** PLOT_TEXT_MAX_HEIGHT.  The output, every line ending in '\n':
**   - the title, when d->title is not NULL (control characters and invalid
**     UTF-8 shown as '?');
**   - height chart rows: a y label column (the top row's value, the bottom
**     row's, and 0 on the row of y = 0 when in range), a border, and the
**     cells; the x axis (y = 0) and the y axis (x = 0) are box-drawing
**     lines in the cells no curve passes through;
**   - a frame row with a tick under each labelled x;
**   - the x labels: lo, 0 when in range and there is room, hi;
**   - a legend naming "f" and "f'" with a sample of each.
** So height + 3 lines, plus 1 with a title.  The y range spans the finite
** values of both curves, padded by 5% (a flat curve gets a range around
** its value).  color != 0: f in blue, f' in red, cells where both pass in
** magenta (ANSI SGR escapes).  color == 0: no escape sequence at all; f'
** is drawn dotted (every other dot along its path) and the legend says so.
** Returns 0, or -1 when the arguments are invalid (bad d, width or height:
** then nothing is written) or writing to out failed (ferror or fflush). */
int plot_text(FILE *out, const plot_data *d, int width, int height, int color);

/* Write a PLOT_IMAGE_WIDTH x PLOT_IMAGE_HEIGHT chart of f and f' to path
** (created or truncated): a white background, a frame, light grid lines at
** "nice" ticks (1, 2 or 5 x 10^k) labelled on both axes, the x and y axes
** at 0 when in range, axis titles "x" and "y", the title, f as a solid
** line and f' as a dashed one (2 px wide, gaps at non-finite values) and a
** legend box naming "f(x)" and "f'(x)" in the corner the curves least
** cover.  The y range is plot_text's.
**
** plot_svg writes SVG: each curve is one <path> per run of consecutive
** finite samples, with class="curve-f" or class="curve-df"; numbers never
** depend on the locale and are never NaN or infinite; the title is escaped
** for XML.  plot_png draws with cairo and writes PNG.
**
** Both return 0, or -1 with a one-line reason in why[0..whylen) (NUL-
** terminated, truncated to fit; why may be NULL when whylen is 0): invalid
** d, cannot open or write path, a cairo error.  A file that failed while
** being written is removed. */
int plot_svg(const char *path, const plot_data *d, char *why, size_t whylen);
int plot_png(const char *path, const plot_data *d, char *why, size_t whylen);

#endif
