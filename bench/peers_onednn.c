/*
** peers_onednn.c: the "onednn" and "onednn_dst" columns of the peer
** benchmark: oneDNN 2.6 eltwise primitives (C API) over the benchmark's
** buffers, forward_inference and backward_data (from src, or from dst with
** the *_use_dst_for_bwd algorithms).  Owns the engine and the stream.
** oneDNN's Debian build threads with OpenMP: the caller sets the thread
** count with omp_set_num_threads before making and running a cell.
** Used by peers.c (timing) and latency.c (creation time).
*/
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <string.h>

#include "peers.h"

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static int ensure_engine(void) {
  if (stream) return 0;
  if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) return -1;
  if (dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) !=
      dnnl_success)
    return -1;
  return 0;
}

/* The algorithm and alpha/beta of act (2.6: soft_relu, mish, gelu_*,
** logistic and hardswish ignore alpha and beta; soft_relu is log(1+e^x),
** hardswish is x*relu6(x+3)/6).  Returns 0, or -1 if oneDNN lacks it. */
static int alg_of(int act, int use_dst, dnnl_alg_kind_t *alg, float *alpha,
                  float *beta) {
  *alpha = 0;
  *beta = 0;
  switch (act) {
  case AJB_RELU:
    *alg = use_dst ? dnnl_eltwise_relu_use_dst_for_bwd : dnnl_eltwise_relu;
    return 0;
  case AJB_LEAKY_RELU:
    *alg = use_dst ? dnnl_eltwise_relu_use_dst_for_bwd : dnnl_eltwise_relu;
    *alpha = AJB_LEAKY_SLOPE;
    return 0;
  case AJB_ELU:
    *alg = use_dst ? dnnl_eltwise_elu_use_dst_for_bwd : dnnl_eltwise_elu;
    *alpha = 1;
    return 0;
  case AJB_SIGMOID:
    *alg = use_dst ? dnnl_eltwise_logistic_use_dst_for_bwd
                   : dnnl_eltwise_logistic;
    return 0;
  case AJB_TANH:
    *alg = use_dst ? dnnl_eltwise_tanh_use_dst_for_bwd : dnnl_eltwise_tanh;
    return 0;
  default: break;
  }
  if (use_dst) return -1;
  switch (act) {
  case AJB_SOFTPLUS: *alg = dnnl_eltwise_soft_relu; return 0;
  case AJB_SILU: *alg = dnnl_eltwise_swish; *alpha = 1; return 0;
  case AJB_MISH: *alg = dnnl_eltwise_mish; return 0;
  case AJB_GELU: *alg = dnnl_eltwise_gelu_erf; return 0;
  case AJB_GELU_TANH: *alg = dnnl_eltwise_gelu_tanh; return 0;
  case AJB_HARDSWISH: *alg = dnnl_eltwise_hardswish; return 0;
  default: return -1; /* selu: none in oneDNN */
  }
}

int ajb_onednn_has(int act, int use_dst) {
  dnnl_alg_kind_t alg;
  float a, b;
  return alg_of(act, use_dst, &alg, &a, &b) == 0;
}

static int add_mem(ajb_onednn_cell *cell, const dnnl_memory_desc_t *md,
                   int kind, const float *ptr) {
  dnnl_memory_t m;
  if (dnnl_memory_create(&m, md, engine, (void *)ptr) != dnnl_success)
    return -1;
  cell->mem[cell->nargs] = m;
  cell->arg_kind[cell->nargs] = kind;
  cell->nargs++;
  return 0;
}

/* Makes the primitive of *d (with hint for backward) into cell->prim. */
static int make_prim(ajb_onednn_cell *cell, const dnnl_eltwise_desc_t *d,
                     const_dnnl_primitive_desc_t hint) {
  dnnl_primitive_desc_t pd;
  if (dnnl_primitive_desc_create(&pd, d, NULL, engine, hint) != dnnl_success)
    return -1;
  dnnl_primitive_t p;
  dnnl_status_t s = dnnl_primitive_create(&p, pd);
  dnnl_primitive_desc_destroy(pd);
  if (s != dnnl_success) return -1;
  cell->prim = p;
  return 0;
}

static int make_backward(ajb_onednn_cell *cell, dnnl_alg_kind_t alg,
                         float alpha, float beta,
                         const dnnl_memory_desc_t *md) {
  dnnl_eltwise_desc_t fd, bd;
  if (dnnl_eltwise_forward_desc_init(&fd, dnnl_forward_training, alg, md,
                                     alpha, beta) != dnnl_success ||
      dnnl_eltwise_backward_desc_init(&bd, alg, md, md, alpha, beta) !=
          dnnl_success)
    return -1;
  dnnl_primitive_desc_t hint;
  if (dnnl_primitive_desc_create(&hint, &fd, NULL, engine, NULL) !=
      dnnl_success)
    return -1;
  int r = make_prim(cell, &bd, hint);
  dnnl_primitive_desc_destroy(hint);
  return r;
}

int ajb_onednn_make(ajb_onednn_cell *cell, int act, int backward, int use_dst,
                    size_t n, const float *x, const float *y, const float *dy,
                    float *out) {
  memset(cell, 0, sizeof *cell);
  dnnl_alg_kind_t alg;
  float alpha, beta;
  if ((use_dst && !backward) || alg_of(act, use_dst, &alg, &alpha, &beta) ||
      ensure_engine())
    return -1;
  dnnl_memory_desc_t md;
  dnnl_dims_t dims = {(dnnl_dim_t)n};
  if (dnnl_memory_desc_init_by_tag(&md, 1, dims, dnnl_f32, dnnl_a) !=
      dnnl_success)
    return -1;
  int r;
  if (!backward) {
    dnnl_eltwise_desc_t fd;
    r = dnnl_eltwise_forward_desc_init(&fd, dnnl_forward_inference, alg, &md,
                                       alpha, beta) != dnnl_success
            ? -1
            : make_prim(cell, &fd, NULL);
    if (!r) r = add_mem(cell, &md, DNNL_ARG_SRC, x);
    if (!r) r = add_mem(cell, &md, DNNL_ARG_DST, out);
  } else {
    r = make_backward(cell, alg, alpha, beta, &md);
    if (!r) r = add_mem(cell, &md, use_dst ? DNNL_ARG_DST : DNNL_ARG_SRC,
                        use_dst ? y : x);
    if (!r) r = add_mem(cell, &md, DNNL_ARG_DIFF_DST, dy);
    if (!r) r = add_mem(cell, &md, DNNL_ARG_DIFF_SRC, out);
  }
  if (r) ajb_onednn_free(cell);
  return r;
}

int ajb_onednn_exec(const ajb_onednn_cell *cell) {
  dnnl_exec_arg_t args[4];
  for (int i = 0; i < cell->nargs; i++) {
    args[i].arg = cell->arg_kind[i];
    args[i].memory = cell->mem[i];
  }
  if (dnnl_primitive_execute(cell->prim, stream, cell->nargs, args) !=
      dnnl_success)
    return -1;
  return dnnl_stream_wait(stream) == dnnl_success ? 0 : -1;
}

void ajb_onednn_free(ajb_onednn_cell *cell) {
  for (int i = 0; i < cell->nargs; i++) dnnl_memory_destroy(cell->mem[i]);
  if (cell->prim) dnnl_primitive_destroy(cell->prim);
  memset(cell, 0, sizeof *cell);
}

const char *ajb_onednn_version(void) {
  static char text[32];
  const dnnl_version_t *v = dnnl_version();
  snprintf(text, sizeof text, "%d.%d.%d", v->major, v->minor, v->patch);
  return text;
}

int ajb_onednn_cache_off(void) {
  return dnnl_set_primitive_cache_capacity(0) == dnnl_success ? 0 : -1;
}
