/*
** peers_libm.c: the "libm" and "libm_fm" columns of the peer benchmark:
** each activation's forward and backward as a plain C loop over glibc libm
** (expf, expm1f, log1pf, tanhf, erff), the formula as a C programmer types
** it.  bench/run compiles this file twice:
**   gcc -O3 -march=native               -DAJB_PFX=libm    -> ajb_libm_loops
**   gcc -O3 -march=native -ffast-math   -DAJB_PFX=libmfm  -> ajb_libmfm_loops
** (with -ffast-math, gcc vectorizes the calls through glibc's libmvec).
*/
#include <math.h>

#include "peers.h"

#ifndef AJB_PFX
#error "compile with -DAJB_PFX=libm or -DAJB_PFX=libmfm"
#endif
#define AJB_CAT2(a, b, c) a##b##c
#define AJB_CAT(a, b, c) AJB_CAT2(a, b, c)
#define AJB_TABLE AJB_CAT(ajb_, AJB_PFX, _loops)

#define K_SQRT1_2 0.70710678118654752f  /* 1/sqrt(2) */
#define K_INV_SQRT2PI 0.39894228040143268f /* 1/sqrt(2 pi) */
#define K_GT 0.79788456080286536f       /* sqrt(2/pi) */
#define K_GC 0.044715f

static inline float sigm(float v) { return 1.0f / (1.0f + expf(-v)); }

#define FWD(name, expr)                                                        \
  static void name(const float *x, const float *dy, float *out, size_t n) {   \
    (void)dy;                                                                  \
    for (size_t i = 0; i < n; i++) {                                           \
      float v = x[i];                                                          \
      out[i] = (expr);                                                         \
    }                                                                          \
  }
#define BWD(name, expr)                                                        \
  static void name(const float *x, const float *dy, float *out, size_t n) {   \
    for (size_t i = 0; i < n; i++) {                                           \
      float v = x[i];                                                          \
      out[i] = dy[i] * (expr);                                                 \
    }                                                                          \
  }

/* The derivatives with shared subexpressions in locals, as one writes them. */
static inline float sigmoid_d(float v) {
  float s = sigm(v);
  return s * (1.0f - s);
}
static inline float tanh_d(float v) {
  float t = tanhf(v);
  return 1.0f - t * t;
}
static inline float silu_d(float v) {
  float s = sigm(v);
  return s * (1.0f + v * (1.0f - s));
}
static inline float mish_d(float v) {
  float t = tanhf(log1pf(expf(v))), s = sigm(v);
  return t + v * s * (1.0f - t * t);
}
static inline float gelu_d(float v) {
  return 0.5f * (1.0f + erff(v * K_SQRT1_2)) +
         v * K_INV_SQRT2PI * expf(-0.5f * v * v);
}
static inline float gelu_tanh_f1(float v) {
  return 0.5f * v * (1.0f + tanhf(K_GT * (v + K_GC * v * v * v)));
}
static inline float gelu_tanh_d(float v) {
  float t = tanhf(K_GT * (v + K_GC * v * v * v));
  return 0.5f * (1.0f + t) +
         0.5f * v * (1.0f - t * t) * K_GT * (1.0f + 3.0f * K_GC * v * v);
}

FWD(relu_f, v > 0 ? v : 0.0f)
BWD(relu_b, v > 0 ? 1.0f : 0.0f)
FWD(leaky_f, v > 0 ? v : AJB_LEAKY_SLOPE * v)
BWD(leaky_b, v > 0 ? 1.0f : AJB_LEAKY_SLOPE)
FWD(elu_f, v > 0 ? v : expm1f(v))
BWD(elu_b, v > 0 ? 1.0f : expf(v))
FWD(selu_f, AJB_SELU_SCALE * (v > 0 ? v : AJB_SELU_ALPHA * expm1f(v)))
BWD(selu_b, AJB_SELU_SCALE * (v > 0 ? 1.0f : AJB_SELU_ALPHA * expf(v)))
FWD(sigmoid_f, sigm(v))
BWD(sigmoid_b, sigmoid_d(v))
FWD(tanh_f, tanhf(v))
BWD(tanh_b, tanh_d(v))
FWD(softplus_f, log1pf(expf(v)))
BWD(softplus_b, sigm(v))
FWD(silu_f, v * sigm(v))
BWD(silu_b, silu_d(v))
FWD(mish_f, v * tanhf(log1pf(expf(v))))
BWD(mish_b, mish_d(v))
FWD(gelu_f, 0.5f * v * (1.0f + erff(v * K_SQRT1_2)))
BWD(gelu_b, gelu_d(v))
FWD(gelu_tanh_f, gelu_tanh_f1(v))
BWD(gelu_tanh_b, gelu_tanh_d(v))
FWD(hardswish_f, v * fminf(fmaxf(v + 3.0f, 0.0f), 6.0f) / 6.0f)
BWD(hardswish_b, v < -3.0f ? 0.0f : v > 3.0f ? 1.0f : (2.0f * v + 3.0f) / 6.0f)

const ajb_loops AJB_TABLE = {
    .fwd = {relu_f, leaky_f, elu_f, selu_f, sigmoid_f, tanh_f, softplus_f,
            silu_f, mish_f, gelu_f, gelu_tanh_f, hardswish_f},
    .bwd = {relu_b, leaky_b, elu_b, selu_b, sigmoid_b, tanh_b, softplus_b,
            silu_b, mish_b, gelu_b, gelu_tanh_b, hardswish_b},
};
