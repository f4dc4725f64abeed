/* exhaustive_catalog.c: every float through every catalog entry, forward and
 * backward.
 *
 * Owns: the exhaustive accuracy check of numerics.md for the catalog: all
 * 2^32 float32 inputs, the float32 forward kernel (target <= 2 ULP) and the
 * float32 backward kernel with dy = 1 (f', target <= 4 ULP), for every
 * prelude entry, plus the properties P1 (finite reference -> finite result),
 * P2 (NaN in -> NaN out) and P3 (+-inf in -> the limit).
 *
 * Reference: the same activation's float64 kernels, compiled from the same
 * stable DAG (a few double ULP: far below one float ULP), at every input.
 * The worst 8 points of each entry and direction are evaluated again by the
 * float64 interpreter (actjit_parse + actjit_eval, actjit_diff for f', the
 * same text and bindings); where the two references differ by more than
 * 0.1 of the measured ULP the report says so.
 *
 * Error measure (numerics.md): at x, with exact value r and result g, the
 * smaller of |g - r| / ulp(r) (relative) and |g - r| / ulp(L), L the largest
 * |exact value| within +-0.25 of x (absolute in ULP of the local
 * magnitude); ulp of a value below FLT_MIN is 2^-149, and two results both
 * below FLT_MIN agree.  Since L >= |r| the second is never larger; it is
 * computed (the f64 kernel at 33 points of [x-0.25, x+0.25]) only where the
 * relative error exceeds the target, so a reported maximum that is within
 * the target is the relative error (an upper bound of the measure), and one
 * over it is the measure itself.  A NaN/inf result where the reference is
 * finite (and does not round to inf) is P1, error inf.  P3's limit is the
 * f64 kernel's value at +-inf, or where that is NaN its value at +-2^600 and
 * +-2^1000 when the two agree in float.
 *
 * Usage: exhaustive_catalog [--only NAME[,NAME...]] [--stride K]
 *                           [--threads T] [--chunk N] [--csv FILE]
 *                           [--peer COLUMN [--peer-lib PATH]]
 *                           [--profile NAME]
 * Markdown report on stdout, progress on stderr.  Exit status 0 when every
 * checked entry meets both targets with no P1/P2/P3 failure, 1 otherwise,
 * 2 on a usage or set-up error.
 *
 * Work is split into chunks of --chunk inputs (default 65536: the buffers of
 * one chunk stay in L2) taken by --threads worker threads (default 2, the
 * machine's cores); each calls the raw single-thread kernels (not
 * actjit_options.threads: the comparison needs both cores too).  Per chunk a
 * vectorized pass computes every relative error and the maximum of each 64;
 * only groups whose maximum can change the statistics are looked at again.
 * An entry whose f and f' print the same as an earlier entry's (swish and
 * silu, celu and elu with default parameters) has the same kernels: it gets
 * that entry's results, marked "(= name)", instead of a second pass.
 *
 * --peer COLUMN (libm, libm_fm, sleef, onednn) measures one of bench/run's
 * peer columns instead of actjit's float32 kernels, with everything else
 * unchanged (reference, error measure, P1-P3, worst points, report): the
 * float32 forward/backward under test are that column's loops from
 * libajbench.so (bench/peers.h: the ajb_*_loops tables, or oneDNN eltwise
 * primitives through ajb_onednn_make/exec), opened with dlopen (--peer-lib
 * PATH; default bench/libajbench.so next to this program, where bench/run
 * --build-only puts it), so this program depends on neither oneDNN nor
 * SLEEF.  Only the benchmark's 12 activations are entries then; one the
 * column lacks (oneDNN: selu) is "-".  The dedupe above is off (a peer's
 * loops differ per activation where actjit's kernels are equal).  oneDNN
 * primitives are bound to buffers and a length: each thread keeps a few
 * (keyed by pointers, n, direction; the workers reuse their chunk buffers)
 * and runs them on one OpenMP thread (omp_set_num_threads(1) through
 * ajb_set_omp_threads: otherwise every worker would start a team of the
 * machine's size); they are freed after each entry.  --profile NAME
 * (torch, onednn, minnorm) compiles the reference under that kink
 * convention; the default is torch, and onednn for --peer onednn (so
 * hardswish' at +-3 is oneDNN's own 0 and 1, not a miss).  The
 * interpreter re-check differentiates with torch's rules (NAME_onednn
 * where the prelude has that variant).  bench/peer_ulp.sh runs the four
 * columns and tabulates them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actjit.h"
#include "peers.h" /* types and numbering only: the code comes by dlopen */

#define NTOP 8        /* worst points kept per entry and direction */
#define NLOC 33       /* points of [x-0.25, x+0.25] for the local magnitude */
#define LOCBATCH 2048 /* inputs per local-magnitude kernel call */
#define GROUP 64      /* inputs per group maximum of the fast pass */

static const double TARGET[2] = {2.0, 4.0}; /* forward, backward */
static const char *const DIRNAME[2] = {"fwd", "bwd"};

/* Parameters an entry needs that have no default. */
static const struct {
  const char *entry;
  actjit_binding bind[2];
  size_t nbind;
} BINDS[] = {
  {"threshold", {{"threshold", 1.0}, {"value", 0.5}}, 2},
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float f32_of_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* 1 / ulp of a float32 of magnitude a (a double): 2^(23-e) for a in
 * [2^e, 2^(e+1)), 2^149 below FLT_MIN.  Built from the exponent bits. */
static inline double inv_ulp32(double a) {
  uint64_t b;
  memcpy(&b, &a, 8);
  int64_t e = (int64_t)((b >> 52) & 0x7ff);
  if (e < 897) e = 897;   /* 2^-126: FLT_MIN */
  if (e > 2068) e = 2068; /* keeps the result a normal double */
  uint64_t r = (uint64_t)(2069 - e) << 52;
  double d;
  memcpy(&d, &r, 8);
  return d;
}

/* ---- Statistics of one entry and direction ------------------------------ */

typedef struct {
  double err;  /* measured ULP */
  uint32_t bits;
  float got;   /* the f32 kernel's result */
  double ref;  /* the f64 kernel's result */
  double local; /* local magnitude, where computed (else 0) */
} point;

typedef struct {
  uint64_t n;        /* finite inputs measured */
  double maxrel;     /* largest relative error (finite ones) */
  uint32_t maxrel_bits;
  uint64_t over;     /* measured error > target (P1 included) */
  uint64_t over1;    /* measured error > 1 ULP */
  uint64_t p1;
  uint32_t p1_bits;
  uint64_t p2;       /* NaN input, non-NaN result */
  uint32_t p2_bits;
  uint64_t refbad;   /* finite x, f64 reference NaN or inf (and f32 differs) */
  uint32_t refbad_bits;
  float over_lo[2], over_hi[2]; /* x range of the over-target inputs: [0]
                                   negative x, [1] positive x */
  /* over-target inputs by sign of x and binade of |x| (float exponent
   * field): count, worst error and its x */
  uint64_t bin_n[2][256];
  double bin_max[2][256];
  uint32_t bin_x[2][256];
  point top[NTOP]; /* worst first; err = -1 unused */
} dstat;

static void dstat_init(dstat *s) {
  memset(s, 0, sizeof *s);
  for (int k = 0; k < 2; k++) s->over_lo[k] = INFINITY, s->over_hi[k] = -INFINITY;
  for (int k = 0; k < NTOP; k++) s->top[k].err = -1;
}

static inline void top_insert(dstat *s, const point *p) {
  if (!(p->err > s->top[NTOP - 1].err)) return;
  int k = NTOP - 1;
  while (k > 0 && p->err > s->top[k - 1].err) {
    s->top[k] = s->top[k - 1];
    k--;
  }
  s->top[k] = *p;
}

static void dstat_merge(dstat *a, const dstat *b) {
  a->n += b->n;
  if (b->maxrel > a->maxrel) a->maxrel = b->maxrel, a->maxrel_bits = b->maxrel_bits;
  a->over += b->over;
  a->over1 += b->over1;
  if (b->p1 && !a->p1) a->p1_bits = b->p1_bits;
  a->p1 += b->p1;
  if (b->p2 && !a->p2) a->p2_bits = b->p2_bits;
  a->p2 += b->p2;
  if (b->refbad && !a->refbad) a->refbad_bits = b->refbad_bits;
  a->refbad += b->refbad;
  for (int k = 0; k < 2; k++) {
    if (b->over_lo[k] < a->over_lo[k]) a->over_lo[k] = b->over_lo[k];
    if (b->over_hi[k] > a->over_hi[k]) a->over_hi[k] = b->over_hi[k];
  }
  for (int k = 0; k < NTOP && b->top[k].err >= 0; k++) top_insert(a, &b->top[k]);
  for (int sg = 0; sg < 2; sg++)
    for (int e = 0; e < 256; e++) {
      a->bin_n[sg][e] += b->bin_n[sg][e];
      if (b->bin_max[sg][e] > a->bin_max[sg][e])
        a->bin_max[sg][e] = b->bin_max[sg][e], a->bin_x[sg][e] = b->bin_x[sg][e];
    }
}

static inline void record(dstat *s, int dir, const point *p, float x) {
  if (p->err > TARGET[dir]) {
    s->over++;
    int side = x > 0;
    if (x < s->over_lo[side]) s->over_lo[side] = x;
    if (x > s->over_hi[side]) s->over_hi[side] = x;
    int sg = p->bits >> 31, e = (p->bits >> 23) & 0xff;
    s->bin_n[sg][e]++;
    if (p->err > s->bin_max[sg][e]) s->bin_max[sg][e] = p->err, s->bin_x[sg][e] = p->bits;
  }
  if (p->err > 1) s->over1++;
  top_insert(s, p);
}

/* ---- The kernels of one entry ------------------------------------------- */

typedef struct {
  actjit_fwd_f32_fn f32;
  actjit_bwd_f32_fn b32;
  actjit_fwd_f64_fn f64;
  actjit_bwd_f64_fn b64;
} kernels;

/* y = the f64 reference of direction dir at x[0..n) (ones: n ones). */
static void ref64(const kernels *k, int dir, const double *x, double *y,
                  size_t n, const double *ones) {
  if (dir == 0) k->f64(x, y, n, NULL);
  else k->b64(x, ones, y, n, NULL, NULL);
}

/* Largest |reference| over NLOC points of [x-0.25, x+0.25], and |ref(x)|. */
static void local_mags(const kernels *k, int dir, const float *xs,
                       const double *refs, size_t m, double *L, double *buf,
                       double *out, const double *ones) {
  for (size_t p = 0; p < m; p++)
    for (int j = 0; j < NLOC; j++)
      buf[p * NLOC + j] = (double)xs[p] - 0.25 + j * (0.5 / (NLOC - 1));
  ref64(k, dir, buf, out, m * NLOC, ones);
  for (size_t p = 0; p < m; p++) {
    double l = fabs(refs[p]);
    for (int j = 0; j < NLOC; j++) {
      double v = fabs(out[p * NLOC + j]);
      if (v > l) l = v; /* NaN never wins */
    }
    L[p] = l;
  }
}

/* ---- Peers (--peer) -------------------------------------------------------- */

/* --peer's columns: the loop table's symbol, or NULL for oneDNN. */
static const struct {
  const char *column, *table, *what;
} PEER_COLUMNS[] = {
  {"libm", "ajb_libm_loops",
   "glibc libm, plain C loops (bench/peers_libm.c, gcc -O3 -march=native)"},
  {"libm_fm", "ajb_libmfm_loops",
   "glibc libm, the same loops with -ffast-math (libmvec; bench/peers_libm.c)"},
  {"sleef", "ajb_sleef_loops",
   "SLEEF u10 AVX-512 loops (bench/peers_sleef.c)"},
  {"onednn", NULL,
   "oneDNN eltwise primitives, forward_inference and backward_data from src, "
   "one OpenMP thread per worker (bench/peers_onednn.c)"},
};

#define NCELL 8 /* oneDNN cells per thread */

/* One thread's oneDNN cells, keyed by (x, dy, out, n, dir). */
typedef struct cell_cache {
  struct cell_cache *next; /* peer.caches */
  struct {
    const float *x, *dy;
    float *out;
    size_t n;
    int dir, used;
    ajb_onednn_cell c;
  } e[NCELL];
  unsigned clock; /* next slot to replace when all are used */
} cell_cache;

static struct {
  const char *column; /* NULL: no --peer (actjit's kernels) */
  const char *what;
  char version[64];   /* of the library behind the column, or "" */
  void *lib;
  const ajb_loops *loops; /* NULL: oneDNN */
  int (*has)(int act, int use_dst);
  int (*make)(ajb_onednn_cell *, int, int, int, size_t, const float *,
              const float *, const float *, float *);
  int (*exec)(const ajb_onednn_cell *);
  void (*free)(ajb_onednn_cell *);
  void (*set_omp)(int);
  const char *(*act_name)(int act); /* peers.h's numbering (ajb_act_name) */
  /* the activation measured now; set before the workers start */
  int act;
  ajb_loop fwd, bwd;
  atomic_uint failures; /* oneDNN make/exec failures (outputs set to NaN) */
  pthread_mutex_t mu;   /* guards caches */
  cell_cache *caches;   /* every thread's */
} peer = {.mu = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local cell_cache *tl_cells;

/* out[0..n) = the oneDNN cell of (peer.act, dir) over these buffers, made
 * on first use by this thread; NaN (and a failure counted) where oneDNN
 * fails. */
static void onednn_run(int dir, const float *x, const float *dy, float *out,
                       size_t n) {
  cell_cache *c = tl_cells;
  if (!c) {
    c = calloc(1, sizeof *c);
    if (!c) {
      fprintf(stderr, "exhaustive_catalog: out of memory\n");
      exit(2);
    }
    pthread_mutex_lock(&peer.mu);
    c->next = peer.caches;
    peer.caches = c;
    pthread_mutex_unlock(&peer.mu);
    tl_cells = c;
    peer.set_omp(1); /* this thread's OpenMP team: itself */
  }
  int k, slot = -1;
  for (k = 0; k < NCELL; k++) {
    if (!c->e[k].used) {
      if (slot < 0) slot = k;
      continue;
    }
    if (c->e[k].x == x && c->e[k].dy == dy && c->e[k].out == out &&
        c->e[k].n == n && c->e[k].dir == dir)
      break;
  }
  if (k == NCELL) { /* a new cell, in a free slot or the oldest one's */
    if (slot < 0) {
      slot = (int)(c->clock++ % NCELL);
      peer.free(&c->e[slot].c);
    }
    k = slot;
    c->e[k].used = 0;
    if (peer.make(&c->e[k].c, peer.act, dir, 0, n, x, NULL, dy, out)) {
      atomic_fetch_add(&peer.failures, 1);
      for (size_t i = 0; i < n; i++) out[i] = NAN;
      return;
    }
    c->e[k].x = x, c->e[k].dy = dy, c->e[k].out = out;
    c->e[k].n = n, c->e[k].dir = dir, c->e[k].used = 1;
  }
  if (peer.exec(&c->e[k].c)) {
    atomic_fetch_add(&peer.failures, 1);
    for (size_t i = 0; i < n; i++) out[i] = NAN;
  }
}

/* The peer's forward and backward under actjit's float32 signatures. */
static void peer_f32(const float *x, float *y, size_t n, const float *params) {
  (void)params;
  if (peer.loops) peer.fwd(x, NULL, y, n);
  else onednn_run(0, x, NULL, y, n);
}

static void peer_b32(const float *x, const float *dy, float *dx, size_t n,
                     const float *params, float *dparams) {
  (void)params, (void)dparams;
  if (peer.loops) peer.bwd(x, dy, dx, n);
  else onednn_run(1, x, dy, dx, n);
}

/* Frees every thread's oneDNN cells (no worker may be running); the caches
 * stay, empty, for the threads that still point at them. */
static void peer_release_cells(void) {
  for (cell_cache *c = peer.caches; c; c = c->next)
    for (int k = 0; k < NCELL; k++)
      if (c->e[k].used) peer.free(&c->e[k].c), c->e[k].used = 0;
}

/* The number (peers.h: AJB_*) of the catalog entry called name in the
 * benchmark, or -1 where the benchmark does not have it (--peer only: the
 * names are the library's). */
static int bench_act(const char *name) {
  for (int a = 0; a < AJB_NACTS; a++)
    if (!strcmp(peer.act_name(a), name)) return a;
  return -1;
}

static void *peer_sym(const char *name) {
  void *p = dlsym(peer.lib, name);
  if (!p) fprintf(stderr, "exhaustive_catalog: %s: %s\n", name, dlerror());
  return p;
}

/* Opens column `column` of the benchmark library at path (NULL: bench/
 * libajbench.so next to this program).  Returns 0, or -1 with a message
 * on stderr. */
static int peer_open(const char *column, const char *path) {
  size_t c, nc = sizeof PEER_COLUMNS / sizeof *PEER_COLUMNS;
  for (c = 0; c < nc && strcmp(PEER_COLUMNS[c].column, column); c++) {}
  if (c == nc) {
    fprintf(stderr, "exhaustive_catalog: no peer column '%s' (libm, libm_fm, "
                    "sleef, onednn)\n", column);
    return -1;
  }
  char def[4096];
  if (!path) {
    ssize_t l = readlink("/proc/self/exe", def, sizeof def - 32);
    if (l <= 0) {
      fprintf(stderr, "exhaustive_catalog: --peer-lib needed\n");
      return -1;
    }
    def[l] = 0;
    char *slash = strrchr(def, '/');
    strcpy(slash ? slash + 1 : def, "bench/libajbench.so");
    path = def;
  }
  peer.lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!peer.lib) {
    fprintf(stderr, "exhaustive_catalog: %s (build it with BUILD_DIR=... "
                    "bench/run --build-only)\n", dlerror());
    return -1;
  }
  peer.column = PEER_COLUMNS[c].column;
  peer.what = PEER_COLUMNS[c].what;
  const char *(*version)(const char *) = peer_sym("ajb_version");
  peer.act_name = peer_sym("ajb_act_name");
  if (!version || !peer.act_name) return -1;
  if (PEER_COLUMNS[c].table) {
    peer.loops = peer_sym(PEER_COLUMNS[c].table);
    if (!peer.loops) return -1;
    if (!strcmp(column, "sleef"))
      snprintf(peer.version, sizeof peer.version, "SLEEF %s", version("sleef"));
    return 0;
  }
  peer.has = peer_sym("ajb_onednn_has");
  peer.make = peer_sym("ajb_onednn_make");
  peer.exec = peer_sym("ajb_onednn_exec");
  peer.free = peer_sym("ajb_onednn_free");
  peer.set_omp = peer_sym("ajb_set_omp_threads");
  if (!peer.has || !peer.make || !peer.exec || !peer.free || !peer.set_omp)
    return -1;
  snprintf(peer.version, sizeof peer.version, "oneDNN %s", version("onednn"));
  /* A first cell here makes oneDNN's engine and stream (peers_onednn.c
   * makes them on first use, unguarded) before two workers could race. */
  static float b[16];
  ajb_onednn_cell cell;
  if (peer.make(&cell, AJB_RELU, 0, 0, 16, b, NULL, NULL, b)) {
    fprintf(stderr, "exhaustive_catalog: oneDNN: no relu primitive\n");
    return -1;
  }
  peer.free(&cell);
  return 0;
}

/* Frees the caches and closes the library (the cells are freed already). */
static void peer_close(void) {
  while (peer.caches) {
    cell_cache *c = peer.caches;
    peer.caches = c->next;
    free(c);
  }
  tl_cells = NULL;
  if (peer.lib) dlclose(peer.lib);
}

/* ---- Workers ------------------------------------------------------------- */

typedef struct {
  const kernels *k;
  uint64_t stride, ninputs, chunk, nchunks;
  atomic_uint_fast64_t next; /* next chunk to take */
  atomic_uint_fast64_t done; /* inputs finished */
} shared;

typedef struct {
  shared *sh;
  dstat st[2];
  /* buffers, chunk elements each unless noted */
  float *x32, *y32, *ones32;
  double *x64, *y64, *ones64;
  uint64_t *err;            /* relative errors (bit patterns) */
  uint64_t *gmax;           /* their maximum per GROUP */
  uint32_t *pend;           /* indices of inputs over target (relative) */
  double *perr;
  float *lx;                /* LOCBATCH */
  double *lref, *lL;        /* LOCBATCH */
  double *lbuf, *lout;      /* LOCBATCH * NLOC */
} worker;

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "exhaustive_catalog: out of memory\n");
    exit(2);
  }
  memset(p, 0, n); /* first touch now, not in the timed loop */
  return p;
}

static void worker_alloc(worker *w, size_t chunk) {
  w->x32 = xmalloc(chunk * 4);
  w->y32 = xmalloc(chunk * 4);
  w->ones32 = xmalloc(chunk * 4);
  w->x64 = xmalloc(chunk * 8);
  w->y64 = xmalloc(chunk * 8);
  size_t nones = chunk > (size_t)LOCBATCH * NLOC ? chunk : (size_t)LOCBATCH * NLOC;
  w->ones64 = xmalloc(nones * 8);
  for (size_t i = 0; i < chunk; i++) w->ones32[i] = 1.0f;
  for (size_t i = 0; i < nones; i++) w->ones64[i] = 1.0;
  w->err = xmalloc(chunk * 8);
  w->gmax = xmalloc((chunk / GROUP + 1) * 8);
  w->pend = xmalloc(chunk * 4);
  w->perr = xmalloc(chunk * 8);
  w->lx = xmalloc(LOCBATCH * 4);
  w->lref = xmalloc(LOCBATCH * 8);
  w->lL = xmalloc(LOCBATCH * 8);
  w->lbuf = xmalloc((size_t)LOCBATCH * NLOC * 8);
  w->lout = xmalloc((size_t)LOCBATCH * NLOC * 8);
}

static void worker_free(worker *w) {
  free(w->x32), free(w->y32), free(w->ones32), free(w->x64), free(w->y64);
  free(w->ones64), free(w->err), free(w->gmax), free(w->pend), free(w->perr), free(w->lx), free(w->lref);
  free(w->lL), free(w->lbuf), free(w->lout);
}

/* Pass 1 (vectorized): the relative error of each input, or +inf where x,
 * the result or the reference is not finite (those take the slow path), and
 * the largest of each GROUP.  Errors are >= 0, so their bit patterns order
 * as the values do. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void rel_errors(const float *restrict x, const float *restrict g,
                       const double *restrict r, uint64_t *restrict err,
                       uint64_t *restrict gmax, size_t n) {
  for (size_t j = 0; j * GROUP < n; j++) {
    size_t i0 = j * GROUP, i1 = n - i0 < GROUP ? n : i0 + GROUP;
    uint64_t m = 0;
    for (size_t i = i0; i < i1; i++) {
      double gd = g[i], ri = r[i], ar = fabs(ri), ag = fabs(gd);
      uint64_t b;
      memcpy(&b, &ar, 8);
      int64_t e = (int64_t)(b >> 52);
      e = e < 897 ? 897 : e;
      e = e > 2068 ? 2068 : e;
      uint64_t ub = (uint64_t)(2069 - e) << 52;
      double iu;
      memcpy(&iu, &ub, 8);
      double v = fabs(gd - ri) * iu;
      v = ar < FLT_MIN && ag < FLT_MIN ? 0.0 : v;
      int fin = ar < INFINITY && ag < INFINITY && fabsf(x[i]) < INFINITY;
      v = fin ? v : INFINITY;
      uint64_t vb;
      memcpy(&vb, &v, 8);
      err[i] = vb;
      m = vb > m ? vb : m;
    }
    gmax[j] = m;
  }
}

/* The inputs of a chunk: bit patterns base, base + stride, ... */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void make_inputs(float *restrict x32, double *restrict x64,
                        uint32_t base, uint32_t stride, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t u = base + (uint32_t)i * stride;
    float f;
    memcpy(&f, &u, 4);
    x32[i] = f;
    x64[i] = (double)f;
  }
}

static double f64_of_bits(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

/* Pass 2, one input whose relative error (or non-finite value) needs a look:
 * P1/P2, the worst list, or the local magnitude (queued in pend). */
static void slow(worker *w, dstat *s, int dir, size_t i, double err,
                 size_t *np) {
  float xi = w->x32[i], gi = w->y32[i];
  double ri = w->y64[i];
  if (!(fabsf(xi) < INFINITY)) {
    s->n--;
    if (xi != xi && gi == gi) {
      if (!s->p2) memcpy(&s->p2_bits, &xi, 4);
      s->p2++;
    }
    return; /* +-inf: P3, checked apart */
  }
  double ar = fabs(ri);
  if (ar < INFINITY && fabsf(gi) < INFINITY) {
    if (err > s->maxrel) {
      s->maxrel = err;
      memcpy(&s->maxrel_bits, &xi, 4);
    }
    if (err > TARGET[dir]) { /* local magnitude later */
      w->pend[*np] = (uint32_t)i;
      w->perr[(*np)++] = err;
      return;
    }
  } else if (ri != ri || !(ar < INFINITY)) { /* reference NaN or inf */
    if ((gi != gi && ri != ri) || (double)gi == ri) err = 0;
    else {
      if (!s->refbad) memcpy(&s->refbad_bits, &xi, 4);
      s->refbad++;
      return;
    }
  } else { /* finite reference, NaN/inf result */
    if ((float)ri == gi) err = 0; /* the reference rounds to inf too */
    else {
      if (!s->p1) memcpy(&s->p1_bits, &xi, 4);
      s->p1++;
      err = INFINITY;
    }
  }
  point p = {err, 0, gi, ri, 0};
  memcpy(&p.bits, &xi, 4);
  record(s, dir, &p, xi);
}

/* Compares y32 against y64 for the n inputs of the chunk. */
static void check(worker *w, int dir, size_t n) {
  dstat *s = &w->st[dir];
  const kernels *k = w->sh->k;
  const float *x = w->x32, *g = w->y32;
  const double *r = w->y64;
  size_t np = 0;
  rel_errors(x, g, r, w->err, w->gmax, n);
  s->n += n;
  /* below thr an input changes nothing: not over 1 ULP or the target, not
   * among the worst, not the largest relative error (that is >= top[0]) */
  double thr = fmin(fmin(s->top[NTOP - 1].err, 1.0), TARGET[dir]);
  for (size_t j = 0; j * GROUP < n; j++) {
    if (!(f64_of_bits(w->gmax[j]) > thr)) continue;
    size_t i1 = n - j * GROUP < GROUP ? n : j * GROUP + GROUP;
    for (size_t i = j * GROUP; i < i1; i++) {
      double e = f64_of_bits(w->err[i]);
      if (e > thr) {
        slow(w, s, dir, i, e, &np);
        thr = fmin(fmin(s->top[NTOP - 1].err, 1.0), TARGET[dir]);
      }
    }
  }
  /* Over target relative to the exact value: measure against the local
   * magnitude. */
  for (size_t b = 0; b < np; b += LOCBATCH) {
    size_t m = np - b < LOCBATCH ? np - b : LOCBATCH;
    for (size_t p = 0; p < m; p++) {
      w->lx[p] = x[w->pend[b + p]];
      w->lref[p] = r[w->pend[b + p]];
    }
    local_mags(k, dir, w->lx, w->lref, m, w->lL, w->lbuf, w->lout, w->ones64);
    for (size_t p = 0; p < m; p++) {
      size_t i = w->pend[b + p];
      double d = fabs((double)g[i] - r[i]);
      double abs_err = d * inv_ulp32(w->lL[p]);
      point q = {w->perr[b + p], 0, g[i], r[i], w->lL[p]};
      if (abs_err < q.err) q.err = abs_err;
      memcpy(&q.bits, &x[i], 4);
      record(s, dir, &q, x[i]);
    }
  }
}

static void *work(void *arg) {
  worker *w = arg;
  shared *sh = w->sh;
  const kernels *k = sh->k;
  for (;;) {
    uint64_t c = atomic_fetch_add(&sh->next, 1);
    if (c >= sh->nchunks) break;
    uint64_t i0 = c * sh->chunk;
    size_t n = (size_t)(sh->ninputs - i0 < sh->chunk ? sh->ninputs - i0 : sh->chunk);
    make_inputs(w->x32, w->x64, (uint32_t)(i0 * sh->stride),
                (uint32_t)sh->stride, n);
    if (k->f32) { /* NULL: a peer without this direction */
      k->f32(w->x32, w->y32, n, NULL);
      k->f64(w->x64, w->y64, n, NULL);
      check(w, 0, n);
    }
    if (k->b32) {
      k->b32(w->x32, w->ones32, w->y32, n, NULL, NULL);
      k->b64(w->x64, w->ones64, w->y64, n, NULL, NULL);
      check(w, 1, n);
    }
    atomic_fetch_add(&sh->done, n);
  }
  return NULL;
}

/* ---- One entry ------------------------------------------------------------ */

typedef struct {
  double ref_interp; /* the interpreter's value */
  double disagree;   /* |interp - kernel| in the point's measured ULP unit */
  double err_interp; /* the f32 result's error against the interpreter */
} recheck;

typedef struct {
  const char *name;
  actjit_status status;
  char msg[256];
  dstat st[2];
  recheck rc[2][NTOP];
  int ndisagree[2];
  int interp_ok;
  /* P3: [sign: 0 -inf, 1 +inf][dir] */
  float p3_got[2][2];
  double p3_ref[2][2];
  float p3_lim[2][2]; /* the limit (NaN: unknown) */
  int p3_bad;
  double seconds;
  char *key;           /* f and f' as text: equal keys, equal kernels */
  const char *same_as; /* an earlier entry with the same kernels, or NULL */
  int has[2];          /* direction measured (0: the peer lacks it) */
  int lacks;           /* the peer has neither direction: "-" */
} result;

/* The kink convention the reference is compiled under (--profile). */
static actjit_profile g_profile = ACTJIT_PROFILE_TORCH;

static const actjit_binding *binds_of(const char *name, size_t *n) {
  for (size_t i = 0; i < sizeof BINDS / sizeof *BINDS; i++)
    if (!strcmp(BINDS[i].entry, name)) {
      *n = BINDS[i].nbind;
      return BINDS[i].bind;
    }
  *n = 0;
  return NULL;
}

/* The worst points again, by the float64 interpreter. */
static void reverify(actjit_ctx *ctx, result *res) {
  actjit_error err;
  actjit_expr *e = NULL, *d = NULL;
  res->interp_ok = 0;
  /* under another profile, the prelude's variant NAME_profile if any (as a
   * call: a bare unknown name parses as a variable) */
  char var[96];
  snprintf(var, sizeof var, "%s_%s(x)", res->name, actjit_profile_name(g_profile));
  if ((g_profile == ACTJIT_PROFILE_TORCH ||
       actjit_parse(ctx, var, ACTJIT_NUL_TERMINATED, &e, &err)) &&
      actjit_parse(ctx, res->name, ACTJIT_NUL_TERMINATED, &e, &err))
    return;
  size_t nb;
  const actjit_binding *b = binds_of(res->name, &nb);
  for (size_t i = 0; i < nb; i++) {
    actjit_expr *e2 = NULL;
    if (actjit_bind(e, b[i].name, b[i].value, &e2, &err)) {
      actjit_expr_free(e);
      return;
    }
    actjit_expr_free(e);
    e = e2;
  }
  if (actjit_diff(e, "x", &d, &err)) {
    actjit_expr_free(e);
    return;
  }
  res->interp_ok = 1;
  for (int dir = 0; dir < 2; dir++) {
    res->ndisagree[dir] = 0;
    for (int k = 0; k < NTOP; k++) {
      const point *p = &res->st[dir].top[k];
      recheck *rc = &res->rc[dir][k];
      if (p->err < 0) break;
      double x = (double)f32_of_bits(p->bits), v = NAN;
      if (actjit_eval(dir ? d : e, NULL, &x, &v, 1, &err)) v = NAN;
      rc->ref_interp = v;
      /* the unit the point was measured in */
      double unit = p->local > 0 ? p->local : fabs(p->ref);
      if (v == p->ref || (v != v && p->ref != p->ref)) rc->disagree = 0;
      else if (fabs(v) < FLT_MIN && fabs(p->ref) < FLT_MIN) rc->disagree = 0;
      else rc->disagree = fabs(v - p->ref) * inv_ulp32(unit);
      if (!(rc->disagree <= 0.1)) res->ndisagree[dir]++;
      /* the f32 result against the interpreter, same unit choice */
      double g = p->got;
      if (v != v) rc->err_interp = g != g ? 0 : INFINITY;
      else if (!(fabs(g) < INFINITY)) rc->err_interp = (float)v == g ? 0 : INFINITY;
      else if (fabs(g) < FLT_MIN && fabs(v) < FLT_MIN) rc->err_interp = 0;
      else {
        double rel = fabs(g - v) * inv_ulp32(fabs(v));
        double loc = p->local > fabs(v) ? p->local : fabs(v);
        double ab = fabs(g - v) * inv_ulp32(loc);
        rc->err_interp = ab < rel ? ab : rel;
      }
    }
  }
  actjit_expr_free(d);
  actjit_expr_free(e);
}

/* f and f' as source text (malloc'd), or NULL. */
static char *kernel_key(const actjit_activation *a) {
  char *f = NULL, *df = NULL, *key = NULL;
  actjit_error err;
  if (!actjit_describe(a, ACTJIT_PART_F, &f, &err) &&
      !actjit_describe(a, ACTJIT_PART_DF, &df, &err)) {
    size_t n = strlen(f) + strlen(df) + 2;
    key = malloc(n);
    if (key) snprintf(key, n, "%s\n%s", f, df);
  }
  actjit_free(f);
  actjit_free(df);
  return key;
}

/* Checks entry res; prev[0..nprev) are the entries already checked (an
 * entry whose f and f' are an earlier one's gets that one's results; not
 * with --peer).  With --peer the float32 kernels are the peer's loops of
 * the entry (a benchmark activation) and the reference stays actjit's. */
static void run_entry(actjit_ctx *ctx, result *res, const result *prev,
                      size_t nprev, worker *ws, int nt, uint64_t stride,
                      uint64_t chunk) {
  double t0 = now();
  size_t nb;
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.bind = binds_of(res->name, &nb);
  opt.nbind = nb;
  opt.threads = 1; /* our own threads call the raw kernels */
  opt.profile = g_profile;
  actjit_activation *a = NULL;
  actjit_error err;
  res->status = actjit_compile(ctx, res->name, &opt, &a, &err);
  if (res->status) {
    snprintf(res->msg, sizeof res->msg, "%s", err.message);
    return;
  }
  kernels k = {actjit_kernel_fwd_f32(a), actjit_kernel_bwd_f32(a),
               actjit_kernel_fwd_f64(a), actjit_kernel_bwd_f64(a)};
  if (!k.f32 || !k.b32 || !k.f64 || !k.b64) {
    res->status = ACTJIT_EJIT;
    snprintf(res->msg, sizeof res->msg, "no float64 kernels");
    actjit_activation_free(a);
    return;
  }
  res->has[0] = res->has[1] = 1;
  if (peer.column) { /* the peer's loops under test, actjit's reference */
    int act = bench_act(res->name);
    peer.act = act;
    if (peer.loops) {
      peer.fwd = peer.loops->fwd[act];
      peer.bwd = peer.loops->bwd[act];
      res->has[0] = peer.fwd != NULL;
      res->has[1] = peer.bwd != NULL;
    } else {
      res->has[0] = res->has[1] = peer.has(act, 0);
    }
    k.f32 = res->has[0] ? peer_f32 : NULL;
    k.b32 = res->has[1] ? peer_b32 : NULL;
    if (!res->has[0] && !res->has[1]) {
      res->lacks = 1;
      for (int dir = 0; dir < 2; dir++) dstat_init(&res->st[dir]);
      actjit_activation_free(a);
      fprintf(stderr, "%-12s not in %s\n", res->name, peer.column);
      res->seconds = now() - t0;
      return;
    }
  }

  /* P3: +-inf.  The limit: the f64 kernel's value at +-inf, or where that
   * is NaN its value at +-2^600 and +-2^1000 rounded to float when the two
   * agree (NaN: unknown). */
  {
    float x32[2] = {-INFINITY, INFINITY}, y32[2], one32[2] = {1, 1};
    double x64[6] = {-INFINITY, INFINITY, -0x1p600, 0x1p600, -0x1p1000, 0x1p1000};
    double y64[6], one64[6] = {1, 1, 1, 1, 1, 1};
    res->p3_bad = 0;
    for (int dir = 0; dir < 2; dir++) {
      if (!res->has[dir]) continue;
      if (dir == 0) k.f32(x32, y32, 2, NULL), k.f64(x64, y64, 6, NULL);
      else k.b32(x32, one32, y32, 2, NULL, NULL), k.b64(x64, one64, y64, 6, NULL, NULL);
      for (int sg = 0; sg < 2; sg++) {
        float lim = (float)y64[sg];
        if (lim != lim && (float)y64[2 + sg] == (float)y64[4 + sg])
          lim = (float)y64[2 + sg];
        res->p3_got[sg][dir] = y32[sg];
        res->p3_ref[sg][dir] = y64[sg];
        res->p3_lim[sg][dir] = lim;
        if (lim == lim ? !(y32[sg] == lim) : y32[sg] != y32[sg]) res->p3_bad++;
      }
    }
  }

  res->key = peer.column ? NULL : kernel_key(a); /* peers: no dedupe */
  for (size_t e = 0; res->key && e < nprev; e++)
    if (!prev[e].status && !prev[e].same_as && prev[e].key &&
        !strcmp(prev[e].key, res->key)) {
      res->same_as = prev[e].name;
      for (int dir = 0; dir < 2; dir++) res->st[dir] = prev[e].st[dir];
      actjit_activation_free(a);
      fprintf(stderr, "%-12s same kernels as %s\n", res->name, res->same_as);
      reverify(ctx, res);
      res->seconds = now() - t0;
      return;
    }

  shared sh;
  sh.k = &k;
  sh.stride = stride;
  sh.ninputs = ((1ULL << 32) + stride - 1) / stride;
  sh.chunk = chunk;
  sh.nchunks = (sh.ninputs + chunk - 1) / chunk;
  atomic_init(&sh.next, 0);
  atomic_init(&sh.done, 0);
  pthread_t th[64];
  for (int t = 0; t < nt; t++) {
    ws[t].sh = &sh;
    dstat_init(&ws[t].st[0]);
    dstat_init(&ws[t].st[1]);
    if (pthread_create(&th[t], NULL, work, &ws[t])) {
      fprintf(stderr, "exhaustive_catalog: pthread_create failed\n");
      exit(2);
    }
  }
  for (int tick = 1;; tick++) {
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
    uint64_t d = atomic_load(&sh.done);
    if (d == sh.ninputs || tick % 50 == 0)
      fprintf(stderr, "\r%-12s %5.1f%%  %6.1f s", res->name,
              100.0 * (double)d / (double)sh.ninputs, now() - t0);
    if (d == sh.ninputs) break;
  }
  fprintf(stderr, "\n");
  for (int dir = 0; dir < 2; dir++) dstat_init(&res->st[dir]);
  for (int t = 0; t < nt; t++) {
    pthread_join(th[t], NULL);
    for (int dir = 0; dir < 2; dir++) dstat_merge(&res->st[dir], &ws[t].st[dir]);
  }
  if (peer.column && !peer.loops) peer_release_cells();
  actjit_activation_free(a);
  reverify(ctx, res);
  res->seconds = now() - t0;
}

/* ---- Report -------------------------------------------------------------- */

static int dir_ok(const result *r, int dir) {
  return r->st[dir].over == 0 && r->st[dir].p1 == 0 && r->st[dir].p2 == 0 &&
         r->st[dir].refbad == 0;
}

static void fmt_max(char *buf, size_t n, const dstat *s) {
  if (s->top[0].err < 0) snprintf(buf, n, "-");
  else if (s->top[0].err == 0) snprintf(buf, n, "0");
  else
    snprintf(buf, n, "%.3g (%.9g)", s->top[0].err,
             (double)f32_of_bits(s->top[0].bits));
}

static int p3_fail(const result *r, int sg, int dir) {
  float g = r->p3_got[sg][dir], lim = r->p3_lim[sg][dir];
  return lim == lim ? !(g == lim) : g != g;
}

static void csv_row(FILE *f, const result *r, int dir) {
  const dstat *s = &r->st[dir];
  if (r->lacks || !r->has[dir]) { /* the peer lacks it: "-", no numbers */
    fprintf(f, "%s,%s,0,-,,,,,,,,,,,,,,,,,,,,,,%.2f,,%s\n", r->name,
            DIRNAME[dir], r->seconds, peer.column);
    return;
  }
  float mx = f32_of_bits(s->top[0].bits);
  fprintf(f, "%s,%s,%llu,%.6g,%.9g,0x%08x,%.6g,%.9g,%llu,%llu,%llu,%llu,%llu,"
             "%d,%.9g,%.17g,%.9g,%.9g,%.17g,%.9g,%d,%.9g,%.9g,%.9g,%.9g,%.2f,%s",
          r->name, DIRNAME[dir], (unsigned long long)s->n, s->top[0].err,
          (double)mx, (unsigned)s->top[0].bits, s->maxrel,
          (double)f32_of_bits(s->maxrel_bits), (unsigned long long)s->over,
          (unsigned long long)s->over1, (unsigned long long)s->p1,
          (unsigned long long)s->p2, (unsigned long long)s->refbad,
          p3_fail(r, 0, dir) + p3_fail(r, 1, dir),
          (double)r->p3_got[0][dir], r->p3_ref[0][dir], (double)r->p3_lim[0][dir],
          (double)r->p3_got[1][dir], r->p3_ref[1][dir], (double)r->p3_lim[1][dir],
          r->ndisagree[dir],
          (double)s->over_lo[0], (double)s->over_hi[0], (double)s->over_lo[1],
          (double)s->over_hi[1], r->seconds, r->same_as ? r->same_as : "");
  if (peer.column) fprintf(f, ",%s", peer.column);
  fputc('\n', f);
}

static void usage(void) {
  fprintf(stderr,
          "usage: exhaustive_catalog [--only NAME[,NAME...]] [--stride K] "
          "[--threads T] [--chunk N] [--csv FILE]\n"
          "                          [--peer libm|libm_fm|sleef|onednn "
          "[--peer-lib PATH]] [--profile torch|onednn|minnorm]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *only = NULL, *csvpath = NULL, *peercol = NULL, *peerlib = NULL;
  int profile = -1;
  uint64_t stride = 1, chunk = 1 << 16;
  int nt = 2;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else if (!strcmp(argv[i], "--stride") && i + 1 < argc)
      stride = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) nt = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
      chunk = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--csv") && i + 1 < argc) csvpath = argv[++i];
    else if (!strcmp(argv[i], "--peer") && i + 1 < argc) peercol = argv[++i];
    else if (!strcmp(argv[i], "--peer-lib") && i + 1 < argc) peerlib = argv[++i];
    else if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
      if ((profile = actjit_profile_by_name(argv[++i])) < 0) usage();
    } else usage();
  }
  if (peerlib && !peercol) usage();
  if (peercol && peer_open(peercol, peerlib)) return 2;
  if (profile >= 0) g_profile = (actjit_profile)profile;
  else if (peer.column && !peer.loops) g_profile = ACTJIT_PROFILE_ONEDNN;
  if (stride < 1 || stride > (1ULL << 32) || nt < 1 || nt > 64 || chunk < 1 ||
      chunk > (1ULL << 26))
    usage();

  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = ""; /* always the kernels of this build */
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
  if (!ctx) {
    fprintf(stderr, "exhaustive_catalog: %s\n", err.message);
    return 2;
  }

  /* The entries: the prelude, in its order, filtered by --only. */
  size_t nent = 0, cap = 64;
  result *res = calloc(cap, sizeof *res);
  const char *name;
  int is_act;
  for (size_t i = 0; (name = actjit_catalog_name(ctx, i, &is_act)); i++) {
    if (!is_act) continue;
    if (peer.column && bench_act(name) < 0) continue; /* not benchmarked */
    if (only) {
      int want = 0;
      const char *p = only;
      size_t len = strlen(name);
      while (*p) {
        const char *q = strchr(p, ',');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        if (l == len && !strncmp(p, name, l)) want = 1;
        p += l + (q != NULL);
      }
      if (!want) continue;
    }
    if (nent == cap) res = realloc(res, (cap *= 2) * sizeof *res);
    memset(&res[nent], 0, sizeof *res);
    res[nent++].name = name;
  }
  if (only) { /* every name asked for must exist */
    const char *p = only;
    while (*p) {
      const char *q = strchr(p, ',');
      size_t l = q ? (size_t)(q - p) : strlen(p);
      int found = 0;
      for (size_t e = 0; e < nent; e++)
        found |= strlen(res[e].name) == l && !strncmp(res[e].name, p, l);
      if (!found && l) {
        if (peer.column)
          fprintf(stderr, "exhaustive_catalog: '%.*s' is not one of the "
                          "benchmark's activations (--peer)\n", (int)l, p);
        else
          fprintf(stderr, "exhaustive_catalog: no catalog entry '%.*s'\n",
                  (int)l, p);
        return 2;
      }
      p += l + (q != NULL);
    }
  }

  worker *ws = calloc((size_t)nt, sizeof *ws);
  for (int t = 0; t < nt; t++) worker_alloc(&ws[t], chunk);

  uint64_t ninputs = ((1ULL << 32) + stride - 1) / stride;
  double t0 = now();
  for (size_t e = 0; e < nent; e++)
    run_entry(ctx, &res[e], res, e, ws, nt, stride, chunk);
  double total = now() - t0;

  /* ---- markdown ---- */
  if (peer.column) {
    printf("# Peer column %s against actjit %s: %s catalog accuracy "
           "(float32)\n\n",
           peer.column, actjit_version_string(),
           stride == 1 ? "exhaustive" : "sampled");
    printf("Measured: bench/run's **%s** column: %s%s%s%s.  Only the float32 "
           "functions under test are the peer's; the reference (actjit's "
           "float64 kernels), the error measure, P1-P3 and the report are "
           "those of actjit's own run.\n\n",
           peer.column, peer.what, peer.version[0] ? " (" : "", peer.version,
           peer.version[0] ? ")" : "");
  } else {
    printf("# actjit %s: exhaustive catalog accuracy (float32)\n\n",
           actjit_version_string());
  }
  if (stride == 1)
    printf("Inputs: all 2^32 float32 bit patterns per entry");
  else
    printf("Inputs: every %llu-th float32 bit pattern (%llu per entry)",
           (unsigned long long)stride, (unsigned long long)ninputs);
  printf("; forward f(x) and backward f'(x) (dy = 1), %s kink profile, "
         "default parameters (threshold: threshold=1, value=0.5).  "
         "Reference: %s at every input; the worst %d "
         "points per entry and direction re-checked with the float64 "
         "interpreter.  ULP as numerics.md measures it (relative, or "
         "absolute in ULP of the largest |f| within +-0.25 of x); a maximum "
         "within the target is the relative error.  Targets: fwd <= 2, "
         "bwd <= 4.  P1: NaN/inf result with a finite reference (fwd/bwd); "
         "P2: NaN input without NaN output (fwd/bwd); P3: +-inf inputs whose "
         "f32 result is not the limit (of 4: +-inf x fwd/bwd).  Ref: worst points "
         "where the interpreter differs from the f64 kernel by > 0.1 ULP "
         "(fwd/bwd).  %d threads.\n\n",
         actjit_profile_name(g_profile),
         peer.column ? "actjit's float64 kernels of the entry"
                     : "the entry's float64 kernels",
         NTOP, nt);
  printf("| entry | fwd max ULP (x) | bwd max ULP (x) | fwd > 2 | bwd > 4 | "
         "P1 | P2 | P3 | ref | s |\n"
         "|---|---|---|---|---|---|---|---|---|---|\n");
  int nok_f = 0, nok_b = 0, nrun = 0, bad = 0;
  uint64_t tp1 = 0, tp2 = 0, tp3 = 0;
  for (size_t e = 0; e < nent; e++) {
    result *r = &res[e];
    if (r->status) {
      printf("| %s | %s: %s | | | | | | | | |\n", r->name,
             actjit_status_name(r->status), r->msg);
      bad = 1;
      continue;
    }
    if (r->lacks) {
      printf("| %s | - | - | | | | | | | |\n", r->name);
      continue;
    }
    nrun++;
    char fm[64], bm[64];
    fmt_max(fm, sizeof fm, &r->st[0]);
    fmt_max(bm, sizeof bm, &r->st[1]);
    nok_f += dir_ok(r, 0);
    nok_b += dir_ok(r, 1);
    tp1 += r->st[0].p1 + r->st[1].p1;
    tp2 += r->st[0].p2 + r->st[1].p2;
    tp3 += r->p3_bad;
    if (!dir_ok(r, 0) || !dir_ok(r, 1) || r->p3_bad) bad = 1;
    char refs[32];
    if (r->interp_ok) snprintf(refs, sizeof refs, "%d/%d", r->ndisagree[0], r->ndisagree[1]);
    else snprintf(refs, sizeof refs, "n/a");
    const char *bf = dir_ok(r, 0) ? "" : "**", *bb = dir_ok(r, 1) ? "" : "**";
    char nm[96];
    if (r->same_as) snprintf(nm, sizeof nm, "%s (= %s)", r->name, r->same_as);
    else snprintf(nm, sizeof nm, "%s", r->name);
    printf("| %s | %s%s%s | %s%s%s | %llu | %llu | %llu/%llu | %llu/%llu | %d "
           "| %s | %.1f |\n",
           nm, bf, fm, bf, bb, bm, bb,
           (unsigned long long)r->st[0].over, (unsigned long long)r->st[1].over,
           (unsigned long long)r->st[0].p1, (unsigned long long)r->st[1].p1,
           (unsigned long long)r->st[0].p2, (unsigned long long)r->st[1].p2,
           r->p3_bad, refs, r->seconds);
  }
  int ndup = 0, nlack = 0;
  for (size_t e = 0; e < nent; e++) ndup += res[e].same_as != NULL;
  for (size_t e = 0; e < nent; e++) nlack += res[e].lacks;
  char dup[96] = "";
  if (ndup) snprintf(dup, sizeof dup, " (%d with an earlier entry's kernels)", ndup);
  if (nlack)
    snprintf(dup, sizeof dup, " (%d more that %s lacks: -)", nlack, peer.column);
  printf("\n**Summary:** %d entries%s x %s inputs, fwd and bwd: forward <= 2 "
         "ULP in %d/%d, backward <= 4 ULP in %d/%d; P1 %llu, P2 %llu, P3 %llu; "
         "%.0f s on %d threads.\n",
         nrun, dup, stride == 1 ? "2^32" : "strided", nok_f, nrun, nok_b, nrun,
         (unsigned long long)tp1, (unsigned long long)tp2,
         (unsigned long long)tp3, total, nt);

  /* Details: every direction that misses, its worst points and the
   * interpreter's view of them; P3 mismatches. */
  int any = 0;
  for (size_t e = 0; e < nent; e++) {
    result *r = &res[e];
    if (r->status || r->lacks) continue;
    if (r->same_as) {
      if (!dir_ok(r, 0) || !dir_ok(r, 1))
        printf("\n### %s: the kernels of %s (above)\n", r->name, r->same_as);
      continue;
    }
    for (int dir = 0; dir < 2; dir++) {
      const dstat *s = &r->st[dir];
      if (!r->has[dir] || (dir_ok(r, dir) && r->ndisagree[dir] == 0)) continue;
      if (!any++) printf("\n## Misses and reference disagreements\n");
      printf("\n### %s %s: max %.4g ULP, %llu inputs > %g ULP, %llu > 1 ULP, "
             "max relative %.4g at %.9g\n\n",
             r->name, DIRNAME[dir], s->top[0].err, (unsigned long long)s->over,
             TARGET[dir], (unsigned long long)s->over1, s->maxrel,
             (double)f32_of_bits(s->maxrel_bits));
      if (s->over) {
        printf("Over target for x in");
        if (s->over_lo[0] <= s->over_hi[0])
          printf(" [%.9g, %.9g]", (double)s->over_lo[0], (double)s->over_hi[0]);
        if (s->over_lo[1] <= s->over_hi[1])
          printf(" [%.9g, %.9g]", (double)s->over_lo[1], (double)s->over_hi[1]);
        printf(".\n");
      }
      if (s->over) {
        printf("\n| x in | inputs > %g ULP | worst ULP | at x |\n|---|---|---|---|\n",
               TARGET[dir]);
        for (int sg = 1; sg >= 0; sg--)
          for (int e = sg ? 255 : 0; sg ? e >= 0 : e < 256; e += sg ? -1 : 1) {
            if (!s->bin_n[sg][e]) continue;
            double lo = e ? ldexp(1.0, e - 127) : 0, hi = ldexp(1.0, e ? e - 126 : -126);
            if (sg) printf("| (-%.4g, -%.4g] ", hi, lo);
            else printf("| [%.4g, %.4g) ", lo, hi);
            printf("| %llu | %.4g | %.9g |\n", (unsigned long long)s->bin_n[sg][e],
                   s->bin_max[sg][e], (double)f32_of_bits(s->bin_x[sg][e]));
          }
      }
      if (s->p1)
        printf("P1: %llu inputs, first x = %.9g.\n", (unsigned long long)s->p1,
               (double)f32_of_bits(s->p1_bits));
      if (s->p2)
        printf("P2: %llu NaN inputs, first 0x%08x.\n", (unsigned long long)s->p2,
               (unsigned)s->p2_bits);
      if (s->refbad)
        printf("Reference NaN/inf at %llu finite inputs, first x = %.9g.\n",
               (unsigned long long)s->refbad, (double)f32_of_bits(s->refbad_bits));
      printf("\n| x | f32 result | f64 kernel | interpreter | local mag | ULP | "
             "ULP vs interp | ref diff |\n|---|---|---|---|---|---|---|---|\n");
      for (int k = 0; k < NTOP && s->top[k].err >= 0; k++) {
        const point *p = &s->top[k];
        const recheck *rc = &r->rc[dir][k];
        char loc[32] = "-";
        if (p->local > 0) snprintf(loc, sizeof loc, "%.3g", p->local);
        printf("| %.9g | %.9g | %.17g | %.17g | %s | %.4g | %.4g | %.3g |\n",
               (double)f32_of_bits(p->bits), (double)p->got, p->ref,
               r->interp_ok ? rc->ref_interp : NAN, loc, p->err,
               r->interp_ok ? rc->err_interp : NAN,
               r->interp_ok ? rc->disagree : NAN);
      }
    }
  }
  int p3any = 0;
  for (size_t e = 0; e < nent; e++) {
    result *r = &res[e];
    if (r->status || r->lacks || !r->p3_bad) continue;
    if (!p3any++)
      printf("\n## P3: +-inf inputs whose f32 result is not the limit\n\n"
             "Limit: the f64 kernel at +-inf, or (where that is NaN) at "
             "+-2^600 and +-2^1000 when the two agree in float.\n\n"
             "| entry | dir | x | f32 kernel | f64 kernel | limit |\n"
             "|---|---|---|---|---|---|\n");
    for (int dir = 0; dir < 2; dir++)
      for (int sg = 0; sg < 2; sg++) {
        float g = r->p3_got[sg][dir], lim = r->p3_lim[sg][dir];
        if (lim == lim ? !(g == lim) : g != g)
          printf("| %s | %s | %sinf | %.9g | %.17g | %.9g |\n", r->name,
                 DIRNAME[dir], sg ? "+" : "-", (double)g, r->p3_ref[sg][dir],
                 (double)lim);
      }
  }

  unsigned nfail = peer.column ? atomic_load(&peer.failures) : 0;
  if (nfail) {
    printf("\n**oneDNN failed %u times** (primitive creation or execution; "
           "those outputs are NaN, so they count as P1).\n", nfail);
    bad = 1;
  }

  if (csvpath) {
    FILE *f = fopen(csvpath, "w");
    if (!f) {
      perror(csvpath);
      return 2;
    }
    fprintf(f, "entry,dir,inputs,max_ulp,max_x,max_x_bits,max_rel_ulp,max_rel_x,"
               "over_target,over_1ulp,p1,p2,ref_nonfinite,p3_mismatch,"
               "f32_at_neginf,f64_at_neginf,limit_neginf,f32_at_posinf,f64_at_posinf,"
               "limit_posinf,"
               "ref_disagree,over_neg_lo,over_neg_hi,over_pos_lo,over_pos_hi,"
               "seconds,same_kernels_as%s\n", peer.column ? ",peer" : "");
    for (size_t e = 0; e < nent; e++)
      if (!res[e].status) csv_row(f, &res[e], 0), csv_row(f, &res[e], 1);
    fclose(f);
  }

  for (int t = 0; t < nt; t++) worker_free(&ws[t]);
  free(ws);
  for (size_t e = 0; e < nent; e++) free(res[e].key);
  free(res);
  actjit_ctx_free(ctx);
  peer_close();
  return bad ? 1 : 0;
}
