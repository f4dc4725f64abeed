/*
** peers.h: what the peer benchmark's C parts share (bench/run builds them
** into $BUILD_DIR/bench/libajbench.so; bench/bench.py loads it with
** ctypes).  Owns: the activation numbering, the element-loop signature,
** the loop tables of the plain-C columns (libm, libm_fm, sleef, roof), and
** the oneDNN cell.  Not part of libactjit.
*/
#ifndef AJB_PEERS_H
#define AJB_PEERS_H

#include <stddef.h>

/* The 12 activations of performance.md, in table order. */
enum {
  AJB_RELU,
  AJB_LEAKY_RELU,
  AJB_ELU,
  AJB_SELU,
  AJB_SIGMOID,
  AJB_TANH,
  AJB_SOFTPLUS,
  AJB_SILU,
  AJB_MISH,
  AJB_GELU,
  AJB_GELU_TANH,
  AJB_HARDSWISH,
  AJB_NACTS
};

/* Constants every column uses (the catalog's defaults). */
#define AJB_LEAKY_SLOPE 0.01f
#define AJB_SELU_ALPHA 1.6732632423543772f
#define AJB_SELU_SCALE 1.0507009873554805f

/* One element loop: forward out[i] = f(x[i]) (dy unused, may be NULL);
** backward out[i] = dy[i] * f'(x[i]). */
typedef void (*ajb_loop)(const float *x, const float *dy, float *out,
                         size_t n);

/* A column made of plain loops: fwd[act], bwd[act] (NULL: not provided). */
typedef struct ajb_loops {
  ajb_loop fwd[AJB_NACTS];
  ajb_loop bwd[AJB_NACTS];
} ajb_loops;

/* peers_libm.c, compiled twice: gcc -O3 -march=native (libm) and the same
** with -ffast-math (libm_fm, glibc libmvec). */
extern const ajb_loops ajb_libm_loops;
extern const ajb_loops ajb_libmfm_loops;
/* peers_sleef.c: AVX-512 loops over SLEEF u10 functions. */
extern const ajb_loops ajb_sleef_loops;

/* ---- oneDNN (peers_onednn.c) ------------------------------------------ */

/* One eltwise primitive bound to the benchmark's buffers. */
typedef struct ajb_onednn_cell {
  void *prim;       /* dnnl_primitive_t */
  void *mem[4];     /* dnnl_memory_t: the arguments */
  int arg_kind[4];  /* their DNNL_ARG_* */
  int nargs;
} ajb_onednn_cell;

/* 1 if oneDNN has activation act (with use_dst: a *_use_dst_for_bwd
** algorithm), else 0. */
int ajb_onednn_has(int act, int use_dst);

/* Creates the primitive of (act, backward, use_dst) for n elements reading
** x (forward, backward from src), y (backward from dst) and dy, writing out.
** Returns 0, or -1 (unsupported or a oneDNN error; *cell is then empty). */
int ajb_onednn_make(ajb_onednn_cell *cell, int act, int backward, int use_dst,
                    size_t n, const float *x, const float *y, const float *dy,
                    float *out);

/* Runs the primitive once on the calling thread's OpenMP thread count and
** waits for it.  Returns 0 or -1. */
int ajb_onednn_exec(const ajb_onednn_cell *cell);

/* Frees what ajb_onednn_make made; the cell becomes empty.  Empty is fine. */
void ajb_onednn_free(ajb_onednn_cell *cell);

/* oneDNN's version as "2.6.3". Static string. */
const char *ajb_onednn_version(void);

/* Turns oneDNN's primitive cache off (capacity 0) so creation is measured,
** not looked up.  Returns 0 or -1. */
int ajb_onednn_cache_off(void);

#endif
