/*
** peers_sleef.c: the "sleef" column of the peer benchmark: AVX-512 loops
** (16 floats a step, a masked step for the tail) that compose each formula
** naively from SLEEF 3.5's u10 vector functions (Sleef_expf16_u10avx512f,
** expm1, log1p, tanh, erf), as a C programmer would; relu, leaky_relu and
** hardswish are plain intrinsics.  Built by bench/run with
** gcc -O3 -march=native, linked with -lsleef.  Exports ajb_sleef_loops.
*/
#include <immintrin.h>
#include <sleef.h>

#include "peers.h"

typedef __m512 vf;

static inline vf vset(float c) { return _mm512_set1_ps(c); }
static inline vf vexp(vf v) { return Sleef_expf16_u10avx512f(v); }
static inline vf vexpm1(vf v) { return Sleef_expm1f16_u10avx512f(v); }
static inline vf vlog1p(vf v) { return Sleef_log1pf16_u10avx512f(v); }
static inline vf vtanh(vf v) { return Sleef_tanhf16_u10avx512f(v); }
static inline vf verf(vf v) { return Sleef_erff16_u10avx512f(v); }
static inline __mmask16 vpos(vf v) {
  return _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ);
}
/* 1 / (1 + e^-v) */
static inline vf vsigm(vf v) {
  vf e = vexp(_mm512_sub_ps(_mm512_setzero_ps(), v));
  return _mm512_div_ps(vset(1), _mm512_add_ps(vset(1), e));
}

/* ---- f and f' on one vector ------------------------------------------- */

static inline vf relu_f(vf v) { return _mm512_max_ps(v, _mm512_setzero_ps()); }
static inline vf relu_d(vf v) {
  return _mm512_mask_blend_ps(vpos(v), _mm512_setzero_ps(), vset(1));
}
static inline vf leaky_f(vf v) {
  return _mm512_mask_blend_ps(vpos(v), _mm512_mul_ps(v, vset(AJB_LEAKY_SLOPE)),
                              v);
}
static inline vf leaky_d(vf v) {
  return _mm512_mask_blend_ps(vpos(v), vset(AJB_LEAKY_SLOPE), vset(1));
}
static inline vf elu_f(vf v) {
  return _mm512_mask_blend_ps(vpos(v), vexpm1(v), v);
}
static inline vf elu_d(vf v) {
  return _mm512_mask_blend_ps(vpos(v), vexp(v), vset(1));
}
static inline vf selu_f(vf v) {
  vf neg = _mm512_mul_ps(vset(AJB_SELU_ALPHA), vexpm1(v));
  return _mm512_mul_ps(vset(AJB_SELU_SCALE),
                       _mm512_mask_blend_ps(vpos(v), neg, v));
}
static inline vf selu_d(vf v) {
  vf neg = _mm512_mul_ps(vset(AJB_SELU_ALPHA), vexp(v));
  return _mm512_mul_ps(vset(AJB_SELU_SCALE),
                       _mm512_mask_blend_ps(vpos(v), neg, vset(1)));
}
static inline vf sigmoid_f(vf v) { return vsigm(v); }
static inline vf sigmoid_d(vf v) {
  vf s = vsigm(v);
  return _mm512_mul_ps(s, _mm512_sub_ps(vset(1), s));
}
static inline vf tanh_f(vf v) { return vtanh(v); }
static inline vf tanh_d(vf v) {
  vf t = vtanh(v);
  return _mm512_sub_ps(vset(1), _mm512_mul_ps(t, t));
}
static inline vf softplus_f(vf v) { return vlog1p(vexp(v)); }
static inline vf softplus_d(vf v) { return vsigm(v); }
static inline vf silu_f(vf v) { return _mm512_mul_ps(v, vsigm(v)); }
static inline vf silu_d(vf v) {
  vf s = vsigm(v);
  vf u = _mm512_mul_ps(v, _mm512_sub_ps(vset(1), s));
  return _mm512_mul_ps(s, _mm512_add_ps(vset(1), u));
}
static inline vf mish_f(vf v) { return _mm512_mul_ps(v, vtanh(vlog1p(vexp(v)))); }
static inline vf mish_d(vf v) {
  vf t = vtanh(vlog1p(vexp(v))), s = vsigm(v);
  vf sech2 = _mm512_sub_ps(vset(1), _mm512_mul_ps(t, t));
  return _mm512_add_ps(t, _mm512_mul_ps(_mm512_mul_ps(v, s), sech2));
}
static inline vf gelu_f(vf v) {
  vf e = verf(_mm512_mul_ps(v, vset(0.70710678118654752f)));
  return _mm512_mul_ps(_mm512_mul_ps(vset(0.5f), v), _mm512_add_ps(vset(1), e));
}
static inline vf gelu_d(vf v) {
  vf e = verf(_mm512_mul_ps(v, vset(0.70710678118654752f)));
  vf g = vexp(_mm512_mul_ps(vset(-0.5f), _mm512_mul_ps(v, v)));
  vf a = _mm512_mul_ps(vset(0.5f), _mm512_add_ps(vset(1), e));
  return _mm512_add_ps(
      a, _mm512_mul_ps(_mm512_mul_ps(v, vset(0.39894228040143268f)), g));
}
/* tanh(sqrt(2/pi) * (v + 0.044715 v^3)) */
static inline vf gelu_tanh_t(vf v) {
  vf v3 = _mm512_mul_ps(_mm512_mul_ps(v, v), v);
  vf u = _mm512_add_ps(v, _mm512_mul_ps(vset(0.044715f), v3));
  return vtanh(_mm512_mul_ps(vset(0.79788456080286536f), u));
}
static inline vf gelu_tanh_f(vf v) {
  vf t = gelu_tanh_t(v);
  return _mm512_mul_ps(_mm512_mul_ps(vset(0.5f), v), _mm512_add_ps(vset(1), t));
}
static inline vf gelu_tanh_d(vf v) {
  vf t = gelu_tanh_t(v);
  vf a = _mm512_mul_ps(vset(0.5f), _mm512_add_ps(vset(1), t));
  vf sech2 = _mm512_sub_ps(vset(1), _mm512_mul_ps(t, t));
  vf du = _mm512_add_ps(vset(1), _mm512_mul_ps(vset(3 * 0.044715f),
                                               _mm512_mul_ps(v, v)));
  vf b = _mm512_mul_ps(_mm512_mul_ps(vset(0.5f), v), sech2);
  return _mm512_add_ps(
      a, _mm512_mul_ps(b, _mm512_mul_ps(vset(0.79788456080286536f), du)));
}
static inline vf hardswish_f(vf v) {
  vf r6 = _mm512_min_ps(
      _mm512_max_ps(_mm512_add_ps(v, vset(3)), _mm512_setzero_ps()), vset(6));
  return _mm512_mul_ps(_mm512_mul_ps(v, r6), vset(1.0f / 6.0f));
}
static inline vf hardswish_d(vf v) {
  vf mid = _mm512_mul_ps(_mm512_add_ps(_mm512_add_ps(v, v), vset(3)),
                         vset(1.0f / 6.0f));
  __mmask16 lo = _mm512_cmp_ps_mask(v, vset(-3), _CMP_LT_OQ);
  __mmask16 hi = _mm512_cmp_ps_mask(v, vset(3), _CMP_GT_OQ);
  vf r = _mm512_mask_blend_ps(lo, mid, _mm512_setzero_ps());
  return _mm512_mask_blend_ps(hi, r, vset(1));
}

/* ---- the loops --------------------------------------------------------- */

#define LOOPS(name)                                                            \
  static void name##_fl(const float *x, const float *dy, float *out,          \
                        size_t n) {                                            \
    (void)dy;                                                                  \
    size_t i = 0;                                                              \
    for (; i + 16 <= n; i += 16)                                               \
      _mm512_storeu_ps(out + i, name##_f(_mm512_loadu_ps(x + i)));             \
    if (i < n) {                                                               \
      __mmask16 m = (__mmask16)((1u << (n - i)) - 1);                          \
      _mm512_mask_storeu_ps(out + i, m,                                        \
                            name##_f(_mm512_maskz_loadu_ps(m, x + i)));        \
    }                                                                          \
  }                                                                            \
  static void name##_bl(const float *x, const float *dy, float *out,          \
                        size_t n) {                                            \
    size_t i = 0;                                                              \
    for (; i + 16 <= n; i += 16)                                               \
      _mm512_storeu_ps(out + i,                                                \
                       _mm512_mul_ps(_mm512_loadu_ps(dy + i),                  \
                                     name##_d(_mm512_loadu_ps(x + i))));       \
    if (i < n) {                                                               \
      __mmask16 m = (__mmask16)((1u << (n - i)) - 1);                          \
      vf d = name##_d(_mm512_maskz_loadu_ps(m, x + i));                        \
      _mm512_mask_storeu_ps(out + i, m,                                        \
                            _mm512_mul_ps(_mm512_maskz_loadu_ps(m, dy + i), d)); \
    }                                                                          \
  }

LOOPS(relu)
LOOPS(leaky)
LOOPS(elu)
LOOPS(selu)
LOOPS(sigmoid)
LOOPS(tanh)
LOOPS(softplus)
LOOPS(silu)
LOOPS(mish)
LOOPS(gelu)
LOOPS(gelu_tanh)
LOOPS(hardswish)

const ajb_loops ajb_sleef_loops = {
    .fwd = {relu_fl, leaky_fl, elu_fl, selu_fl, sigmoid_fl, tanh_fl,
            softplus_fl, silu_fl, mish_fl, gelu_fl, gelu_tanh_fl,
            hardswish_fl},
    .bwd = {relu_bl, leaky_bl, elu_bl, selu_bl, sigmoid_bl, tanh_bl,
            softplus_bl, silu_bl, mish_bl, gelu_bl, gelu_tanh_bl,
            hardswish_bl},
};
