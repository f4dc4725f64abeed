/* ajrt_math.h: the actjit vector math runtime, implementation.
 *
 * Owns: every approximation behind ajrt.h, as static always_inline
 * functions generic over the vector width.  This header instantiates
 * itself: the first inclusion defines the common constants and helpers,
 * then re-includes this file once per (type, width) with AJRT_MATH_BODY
 * set, defining e.g. exp_f32x16(), log_f64x8(), pow_f64x1().  Width 1 uses
 * one-element ext vectors; f64 is also instantiated at width 16 (internal)
 * for the f32x16 functions that compute in double.
 *
 * Must not: call libm or libc, read memory tables per element (the
 * polynomial coefficients below are compile-time constants folded into
 * the code; the 16-entry tables of erf, erfc and normcdf are vector
 * constants permuted in registers at W = 16 on AVX-512, and read lane by
 * lane only by the narrower or non-AVX-512 builds), branch on data, or
 * depend on the rounding of fast-math.
 * Compile with -O2 -ffp-contract=off (fma only where written).
 *
 * Design.  Two strategies:
 *  - f32 exp, expm1, sigmoid, tanh, softplus, log, log1p, erf, erfc and
 *    normcdf compute natively in float at the vector width (they are the
 *    activations' hot path; the JIT inlines them): Cody-Waite reduction
 *    and short minimax polynomials, vscalefps / vgetmantps / vgetexpps /
 *    vfixupimmps / vpermps on AVX-512 (with exact scalar-bit equivalents
 *    elsewhere), and where a division or a cancellation needs it, the
 *    exponential or the quotient carried as hi + lo by exact fma
 *    residuals, so that the final error stays below 1 ULP with one
 *    rounding at the end.  erf, erfc and normcdf use 16-entry piecewise
 *    tables selected per lane (a register permute on AVX-512).
 *  - every other f32 function widens to double, runs the f64 algorithm
 *    with shorter polynomials (lp = 1: about 2^-30 relative is enough,
 *    since rounding a double that good to float is within 0.5 + 2^-6
 *    ULP), and rounds once.  Accuracy is then the rounding alone.
 * The f64 functions use minimax polynomials accurate to 2^-52 or better
 * (lp = 0) and double-double steps where cancellation would lose bits.
 *
 * Coefficients: minimax (Remez exchange, relative error unless noted)
 * fitted by a throwaway program in long double, with the target functions
 * evaluated by MPFR at 256 bits (the float tables: in mpmath at 40
 * digits, see their comments); each table says the interval, the degree
 * and the error before and after rounding the coefficients.  The log
 * series uses exact Taylor coefficients 2/(2k+3), and 2/pi comes from
 * Machin's formula in integer arithmetic.
 */
#ifndef AJRT_MATH_BODY
#ifndef AJRT_MATH_H
#define AJRT_MATH_H

#include "ajrt.h"

/* Every width is defined whatever the ISA; the wide ones are only called
 * from code built for an ISA that has them (clang would warn that their
 * calling convention depends on the ISA). */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpsabi"

#define AJRT_INL static inline __attribute__((always_inline, unused))
#define AJ_CAT_(a, b) a##b
#define AJ_CAT(a, b) AJ_CAT_(a, b)
#define AJ_CAT3(a, b, c) AJ_CAT(AJ_CAT(a, b), c)

/* Element-wise builtins (clang 19).  All arguments must be vectors of the
 * same type: constants are splatted with the body's K() macro. */
#define FMA(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#define ABS(a) __builtin_elementwise_abs(a)
#define CPS(a, b) __builtin_elementwise_copysign((a), (b))
#define SQRT(a) __builtin_elementwise_sqrt(a)

/* Internal vector types.  Comparisons of f32 vectors give i32 masks (-1 or
 * 0), of f64 vectors i64 masks; `m ? a : b` selects lane-wise. */
#define AJ_VT(T, n, W) typedef T n __attribute__((ext_vector_type(W)));
AJ_VT(float, aj_f32x1, 1) AJ_VT(float, aj_f32x4, 4)
AJ_VT(float, aj_f32x8, 8) AJ_VT(float, aj_f32x16, 16)
AJ_VT(int, aj_i32x1, 1) AJ_VT(int, aj_i32x4, 4)
AJ_VT(int, aj_i32x8, 8) AJ_VT(int, aj_i32x16, 16)
AJ_VT(double, aj_f64x1, 1) AJ_VT(double, aj_f64x2, 2)
AJ_VT(double, aj_f64x4, 4) AJ_VT(double, aj_f64x8, 8)
AJ_VT(double, aj_f64x16, 16)
/* int64 vectors: the type a comparison of f64 vectors yields (long on
 * LP64, long long elsewhere), so masks and integers mix freely. */
#define AJ_MT(n, FT) typedef __typeof__((FT){0} < (FT){0}) n;
AJ_MT(aj_i64x1, aj_f64x1) AJ_MT(aj_i64x2, aj_f64x2) AJ_MT(aj_i64x4, aj_f64x4)
AJ_MT(aj_i64x8, aj_f64x8) AJ_MT(aj_i64x16, aj_f64x16)
#undef AJ_MT
#undef AJ_VT
/* GCC-style vectors: the operand types of the x86 builtins. */
typedef float aj_v4sf __attribute__((vector_size(16)));
typedef float aj_v8sf __attribute__((vector_size(32)));
typedef float aj_v16sf __attribute__((vector_size(64)));
typedef int aj_v16si __attribute__((vector_size(64)));

/* ---- constants ---------------------------------------------------------- */
#define AJ_INF __builtin_inf()
#define AJ_NAN __builtin_nan("")
#define AJ_INFF __builtin_inff()
#define AJ_NANF __builtin_nanf("")
#define AJ_SHIFT52 0x1.8p52   /* x + 1.5*2^52 puts round(x) in the low bits */
#define AJ_SHIFT23 0x1.8p23f
#define AJ_LOG2E 0x1.71547652b82fep0
#define AJ_LN2HI 0x1.62e42fefa39efp-1           /* ln 2 = HI + LO */
#define AJ_LN2LO 0x1.abc9e3b39803fp-56
#define AJ_LN2HI42 0x1.62e42fefa3800p-1         /* 42 bits: k * HI42 exact */
#define AJ_LN2LO42 0x1.ef35793c7673p-45
#define AJ_LOG2E_HI 0x1.71547652b82fep0         /* 1/ln 2 = HI + LO */
#define AJ_LOG2E_LO 0x1.777d0ffda0d24p-56
#define AJ_LOG10E_HI 0x1.bcb7b1526e50ep-2       /* 1/ln 10 */
#define AJ_LOG10E_LO 0x1.95355baaafad3p-57
#define AJ_LG2HI 0x1.34413509f79ffp-2           /* log10(2) = HI + LO */
#define AJ_LG2LO -0x1.9dc1da994fd21p-59
#define AJ_PIO2_HI 0x1.921fb54442d18p0          /* pi/2 = HI + LO */
#define AJ_PIO2_LO 0x1.1a62633145c07p-54
#define AJ_PIO4_HI 0x1.921fb54442d18p-1
#define AJ_PIO4_LO 0x1.1a62633145c07p-55
#define AJ_PI_HI 0x1.921fb54442d18p1
#define AJ_PI_LO 0x1.1a62633145c07p-53
#define AJ_2OSQRTPI_HI 0x1.20dd750429b6dp0      /* 2/sqrt(pi) */
#define AJ_2OSQRTPI_LO 0x1.1ae3a914fed8p-56
#define AJ_RSQRT2PI 0x1.9884533d43651p-2        /* 1/sqrt(2 pi) */
#define AJ_LNSQRT2PI_HI 0x1.d67f1c864beb5p-1   /* log sqrt(2 pi) = HI + LO */
#define AJ_LNSQRT2PI_LO -0x1.65b5a1b7ff5dfp-55
#define AJ_SQRT1_2_HI 0x1.6a09e667f3bcdp-1       /* 1/sqrt(2) = HI + LO */
#define AJ_SQRT1_2_LO -0x1.bdd3413b26456p-55
#define AJ_TANPI8 0x1.a827999fcef32p-2          /* tan(pi/8) = sqrt2 - 1 */
#define AJ_TAN3PI8 0x1.3504f333f9de6p1          /* tan(3pi/8) = sqrt2 + 1 */
/* float: ln 2 = LN2HI_F + LN2LO_F with 16 significant bits in LN2HI_F, so
 * that n * LN2HI_F (|n| <= 255) and x - n * LN2HI_F (x near n ln2) are
 * exact. */
#define AJ_LOG2E_F 0x1.715476p0f
#define AJ_LN2HI_F 0x1.62e4p-1f
#define AJ_LN2LO_F 0x1.7f7d1cp-20f

/* ---- polynomial coefficients (c[0] + c[1] u + ...) --------------------
 * Fitted functions g(u), by name:
 *   expq   (e^r - 1 - r) / r^2, u = r
 *   tanhq  (tanh x - x) / x^3, u = x^2        sinq, atanq, asinq, sinhq:
 *                                              the same for sin, atan, asin,
 *                                              sinh
 *   cosq   (cos x - 1 + x^2/2) / x^4, u = x^2
 *   logq   (2 atanh s - 2s) / s^3, u = s^2
 *   erfq   erf(x) / x, u = x^2
 *   erfq2  (erf(x)/x - 2/sqrt(pi)) / x^2, u = x^2
 *   erfcg  log(erfc(x) e^(x^2) / t), t = 1/(1 + x/2), u = t - centre
 *   cbrt   cbrt(u) (start value only)
 * The error quoted is relative to g unless "abs". */
/* AJ_EXP6_F: e^r = 1 + r + c2 r^2 + ... + c6 r^6 on [-0.3467, 0.3467]
   (r = x - n ln2), c0 = c1 = 1 fixed: minimax relative error 3.07e-09
   (2^-28.3), after rounding 6.25e-09 (2^-27.3).  Coefficients c2..c6.
   AJ_EXP7_F: the same of degree 7: 1.01e-10 (2^-33.2), after rounding
   4.27e-10 (2^-31.1); c2..c7.  Both are also used as q(r) = c2 + c3 r +
   ... in e^r = 1 + r + r^2 q(r).
   (float tables here and below: Remez exchange in mpmath at 40 digits on
   the stated weight, then the coefficients rounded to float one at a
   time, lowest order first, the rest refitted after each rounding; the
   error "after rounding" is the exact polynomial with the float
   coefficients, before any evaluation error) */
static const float AJ_EXP6_F[5] = {
  0x1.fffffcp-2f, 0x1.555494p-3f, 0x1.555898p-5f, 0x1.1232e2p-7f,
  0x1.6a3a7cp-10f,
};
static const float AJ_EXP7_F[6] = {
  0x1.000000p-1f, 0x1.55553cp-3f, 0x1.5554f4p-5f, 0x1.11371ep-7f,
  0x1.6d3e78p-10f, 0x1.6b79f6p-13f,
};
/* AJ_TANH5_F: tanh(a)/a = 1 + z P(z), z = a^2 in [0, 0.3025] (a < 0.55),
   P of degree 4 (c1..c5 of the fit with c0 = 1 fixed): minimax relative
   error 1.87e-09 (2^-29.0), after rounding 1.11e-09 (2^-29.8). */
static const float AJ_TANH5_F[5] = {
  -0x1.55554cp-2f, 0x1.110d66p-3f, -0x1.b9310cp-5f, 0x1.5979aep-6f,
  -0x1.9c6058p-8f,
};

/* AJ_LOGQ2_F: Q(u) = (2 atanh(t/2) - t) / t^3, u = t^2 in [0, 0.1633]
   (t = 2f/(2+f), f in [-0.25, 0.5]), degree 2, relative error of Q:
   minimax 7.49e-07 (2^-20.3), after rounding 7.5e-07 (2^-20.3); t^3 Q is
   at most 1.4% of log1p(f), so that is 2^-26.5 of the result (degree 3
   would give 2^-25 of Q and measured no better).
   AJ_SPQ4_F: the same Q on u in [0, 0.4445] (t = 2e/(2+e), e in [0, 1]),
   degree 4: minimax 9.97e-09 (2^-26.6), after rounding 2.98e-08
   (2^-25.0); t^3 Q is at most 3.7% of log1p(e). */
static const float AJ_LOGQ2_F[3] = {
  0x1.555566p-4f, 0x1.996032p-7f, 0x1.330e36p-9f,
};
static const float AJ_SPQ4_F[5] = {
  0x1.555556p-4f, 0x1.9997b2p-7f, 0x1.2500b8p-9f, 0x1.b5e69ap-12f,
  0x1.fafc5ep-14f,
};

/* erf near 0.  2/sqrt(pi) = ERF_CH + ERF_CL (float + float, to 2^-48).
   AJ_ERFP_F: erf(x)/x = 2/sqrt(pi) + z P(z), z = x^2 in [0, 0.25], P of
   degree 3 (the fit's c1..c4, c0 = 2/sqrt(pi) fixed exactly): minimax
   relative error 2.54e-09 (2^-28.6), after rounding 1.66e-09 (2^-29.2). */
#define AJ_ERF_CH 0x1.20dd76p+0f
#define AJ_ERF_CL -0x1.f7ac92p-25f
static const float AJ_ERFP_F[4] = {
  -0x1.81273ap-2f, 0x1.ce26e2p-4f, -0x1.b68e7ep-6f, 0x1.366a8cp-8f,
};

/* Piecewise tables for erf, erfc and normcdf (16 entries per row, one
   per interval, selected per lane by tab16).  Centres: the float near the
   interval's midpoint where the function is within 2^-12 ULP of a float,
   so that c0 is exact (the polynomial then carries no constant rounding).
   Fits: Remez in mpmath, relative error, c0 fixed, on the weight
   sign(u)/f (which keeps the exchange well posed with the constant
   fixed), then the other coefficients rounded to float one at a time,
   highest or lowest order first (whichever ends better), the rest
   refitted after each rounding; each interval is widened by 1e-6 for the
   index's rounding of a + 0.5 (a + 1). */
/* AJ_ERFT_F: erf(a) = c0 + u (c1 + ... + u c7), u = a - centre, on the 9
   intervals [0.5, 0.75), [0.75, 1), [1, 1.25), [1.25, 1.5), [1.5, 2), [2,
   2.5), [2.5, 3), [3, 3.5), [3.5, 4.5] (entry: the top bits of a + 0.5 above
   1.0; 9-15 repeat the last); worst relative error after rounding 2.43e-09
   (2^-28.6). */
static const float AJ_ERFT_F[9][16] = {
  { /* centre */
    0x1.3ff518p-1f, 0x1.c00696p-1f, 0x1.1ffab2p+0f, 0x1.600420p+0f,
    0x1.c005b8p+0f, 0x1.200246p+1f, 0x1.5ffd30p+1f, 0x1.a00ca4p+1f,
    0x1.ea8f96p+1f, 0x1.ea8f96p+1f, 0x1.ea8f96p+1f, 0x1.ea8f96p+1f,
    0x1.ea8f96p+1f, 0x1.ea8f96p+1f, 0x1.ea8f96p+1f, 0x1.ea8f96p+1f,
  },
  { /* c0 */
    0x1.3f111ap-1f, 0x1.9175bep-1f, 0x1.c6d772p-1f, 0x1.e577f4p-1f,
    0x1.f92da2p-1f, 0x1.ff4058p-1f, 0x1.fff2cep-1f, 0x1.ffff70p-1f,
    0x1.fffffep-1f, 0x1.fffffep-1f, 0x1.fffffep-1f, 0x1.fffffep-1f,
    0x1.fffffep-1f, 0x1.fffffep-1f, 0x1.fffffep-1f, 0x1.fffffep-1f,
  },
  { /* c1 */
    0x1.86f3d2p-1f, 0x1.0ca556p-1f, 0x1.45f8cep-2f, 0x1.5cd620p-3f,
    0x1.b03364p-5f, 0x1.d3eed4p-8f, 0x1.3385f8p-11f, 0x1.e87bdap-16f,
    0x1.fb58b8p-22f, 0x1.fb58b8p-22f, 0x1.fb58b8p-22f, 0x1.fb58b8p-22f,
    0x1.fb58b8p-22f, 0x1.fb58b8p-22f, 0x1.fb58b8p-22f, 0x1.fb58b8p-22f,
  },
  { /* c2 */
    -0x1.e8a01ep-2f, -0x1.d62840p-2f, -0x1.6eb128p-2f, -0x1.dfac0cp-3f,
    -0x1.7a31c4p-4f, -0x1.073838p-6f, -0x1.a6d528p-10f, -0x1.8cf48ep-14f,
    -0x1.e2b38cp-20f, -0x1.e2b38cp-20f, -0x1.e2b38cp-20f, -0x1.e2b38cp-20f,
    -0x1.e2b38cp-20f, -0x1.e2b38cp-20f, -0x1.e2b38cp-20f, -0x1.e2b38cp-20f,
  },
  { /* c3 */
    -0x1.c88b86p-5f, 0x1.7cb560p-4f, 0x1.4caf18p-3f, 0x1.4370d8p-3f,
    0x1.71374ap-4f, 0x1.63d8f0p-6f, 0x1.69f466p-9f, 0x1.99b9aap-13f,
    0x1.27114ep-18f, 0x1.27114ep-18f, 0x1.27114ep-18f, 0x1.27114ep-18f,
    0x1.27114ep-18f, 0x1.27114ep-18f, 0x1.27114ep-18f, 0x1.27114ep-18f,
  },
  { /* c4 */
    0x1.69693ap-3f, 0x1.cc4ec8p-4f, 0x1.cac390p-6f, -0x1.f3dd3ap-6f,
    -0x1.8a0db4p-5f, -0x1.38ac7ep-6f, -0x1.ab25d2p-9f, -0x1.2b7cb0p-12f,
    -0x1.10900ep-17f, -0x1.10900ep-17f, -0x1.10900ep-17f, -0x1.10900ep-17f,
    -0x1.10900ep-17f, -0x1.10900ep-17f, -0x1.10900ep-17f, -0x1.10900ep-17f,
  },
  { /* c5 */
    -0x1.c0b698p-6f, -0x1.13548ap-4f, -0x1.f66b30p-5f, -0x1.f55410p-6f,
    0x1.b20076p-8f, 0x1.5d4968p-7f, 0x1.69669cp-9f, 0x1.482b80p-12f,
    0x1.8fe234p-17f, 0x1.8fe234p-17f, 0x1.8fe234p-17f, 0x1.8fe234p-17f,
    0x1.8fe234p-17f, 0x1.8fe234p-17f, 0x1.8fe234p-17f, 0x1.8fe234p-17f,
  },
  { /* c6 */
    -0x1.515924p-5f, -0x1.54f0eap-7f, 0x1.f5e6ecp-7f, 0x1.69179ep-6f,
    0x1.284accp-7f, -0x1.6ceeb6p-9f, -0x1.b55f26p-10f, -0x1.1e18d0p-12f,
    -0x1.87847ap-17f, -0x1.87847ap-17f, -0x1.87847ap-17f, -0x1.87847ap-17f,
    -0x1.87847ap-17f, -0x1.87847ap-17f, -0x1.87847ap-17f, -0x1.87847ap-17f,
  },
  { /* c7 */
    0x1.bf2fc2p-7f, 0x1.2fa912p-6f, 0x1.39bebep-7f, -0x1.627cc8p-10f,
    -0x1.8442aap-8f, -0x1.7cc0eap-11f, 0x1.4ccab2p-11f, 0x1.6cac98p-13f,
    0x1.5888cap-18f, 0x1.5888cap-18f, 0x1.5888cap-18f, 0x1.5888cap-18f,
    0x1.5888cap-18f, 0x1.5888cap-18f, 0x1.5888cap-18f, 0x1.5888cap-18f,
  },
};

/* AJ_ERFCT_F: R(a) = erfc(a) e^(a^2) = c0 + u (c1 + ... + u c6), u = a -
   centre, on the 14 intervals [0, 0.25), [0.25, 0.5), [0.5, 0.75), [0.75,
   1), [1, 1.5), [1.5, 2), [2, 2.5), [2.5, 3), [3, 4), [4, 5), [5, 6), [6,
   7), [7, 9), [9, 10.5] (entry: the top bits of a + 1 above 1.0; 14-15
   repeat the last); worst relative error after rounding 9.68e-09 (2^-26.6). */
static const float AJ_ERFCT_F[8][16] = {
  { /* centre */
    0x1.fffaf4p-4f, 0x1.80032ep-2f, 0x1.3ffd6ep-1f, 0x1.c009f0p-1f,
    0x1.4002d8p+0f, 0x1.bff976p+0f, 0x1.200730p+1f, 0x1.5ff8f2p+1f,
    0x1.c004fcp+1f, 0x1.2003dep+2f, 0x1.60046cp+2f, 0x1.a00204p+2f,
    0x1.fffef0p+2f, 0x1.380316p+3f, 0x1.380316p+3f, 0x1.380316p+3f,
  },
  { /* c0 */
    0x1.bf1782p-1f, 0x1.5f27b4p-1f, 0x1.1d17d2p-1f, 0x1.db6e38p-2f,
    0x1.78a432p-2f, 0x1.23d330p-2f, 0x1.d93a1ap-3f, 0x1.8ca5dap-3f,
    0x1.3e074ep-3f, 0x1.f5ac30p-4f, 0x1.9d8586p-4f, 0x1.5f741ap-4f,
    0x1.1ea95ap-4f, 0x1.d78fe0p-5f, 0x1.d78fe0p-5f, 0x1.d78fe0p-5f,
  },
  { /* c1 */
    -0x1.d1f624p-1f, -0x1.3a5af6p-1f, -0x1.bac000p-2f, -0x1.43627ep-2f,
    -0x1.aba5f6p-3f, -0x1.0c432ap-3f, -0x1.6a621cp-4f, -0x1.030e64p-4f,
    -0x1.527f0ep-5f, -0x1.aa3402p-6f, -0x1.2385a8p-6f, -0x1.a6dedap-7f,
    -0x1.1a59aep-7f, -0x1.7ef0eap-8f, -0x1.7ef0eap-8f, -0x1.7ef0eap-8f,
  },
  { /* c2 */
    0x1.84d950p-1f, 0x1.d2893cp-2f, 0x1.2579dcp-2f, 0x1.80e388p-3f,
    0x1.b56870p-4f, 0x1.c8decap-5f, 0x1.06063ap-5f, 0x1.43c9a0p-6f,
    0x1.5d4de2p-7f, 0x1.62b412p-8f, 0x1.9516ccp-9f, 0x1.f757f8p-10f,
    0x1.141244p-10f, 0x1.356984p-11f, 0x1.356984p-11f, 0x1.356984p-11f,
  },
  { /* c3 */
    -0x1.163b6ep-1f, -0x1.2e7f74p-2f, -0x1.59c614p-3f, -0x1.9d4790p-4f,
    -0x1.9b5178p-5f, -0x1.6cbe30p-6f, -0x1.68664cp-7f, -0x1.85007cp-8f,
    -0x1.5e4068p-9f, -0x1.217ac0p-10f, -0x1.15876ep-11f, -0x1.287140p-12f,
    -0x1.0bf36ep-13f, -0x1.f1838ap-15f, -0x1.f1838ap-15f, -0x1.f1838ap-15f,
  },
  { /* c4 */
    0x1.621084p-2f, 0x1.61184ep-3f, 0x1.72d898p-4f, 0x1.981b2ap-5f,
    0x1.689124p-6f, 0x1.136d50p-7f, 0x1.da291ap-9f, 0x1.c2e79ap-10f,
    0x1.560edep-11f, 0x1.cfded8p-13f, 0x1.7732ecp-14f, 0x1.59a7f4p-15f,
    0x1.0247dep-16f, 0x1.8e0d14p-18f, 0x1.8e0d14p-18f, 0x1.8e0d14p-18f,
  },
  { /* c5 */
    -0x1.9cd002p-3f, -0x1.7c7da6p-4f, -0x1.71db5cp-5f, -0x1.7974b4p-6f,
    -0x1.2e6afep-7f, -0x1.910fa4p-9f, -0x1.2eb3dep-10f, -0x1.fdd38cp-12f,
    -0x1.4dbcbap-13f, -0x1.733ddep-15f, -0x1.fac050p-17f, -0x1.92aca4p-18f,
    -0x1.fb1abep-20f, -0x1.400830p-21f, -0x1.400830p-21f, -0x1.400830p-21f,
  },
  { /* c6 */
    0x1.b917cep-4f, 0x1.797774p-5f, 0x1.569164p-6f, 0x1.495be2p-7f,
    0x1.d993a0p-9f, 0x1.1406c4p-10f, 0x1.71d5f2p-12f, 0x1.15756ap-13f,
    0x1.378548p-15f, 0x1.201aacp-17f, 0x1.4f0416p-19f, 0x1.cd055ap-21f,
    0x1.e398d0p-23f, 0x1.f9c606p-25f, 0x1.f9c606p-25f, 0x1.f9c606p-25f,
  },
};

/* AJ_PHIT_F: R(b) = Phi(-b) e^(b^2/2) = c0 + u (c1 + ... + u c6), u = b -
   centre, on the 16 intervals [0, 0.25), [0.25, 0.5), [0.5, 0.75), [0.75,
   1), [1, 1.5), [1.5, 2), [2, 2.5), [2.5, 3), [3, 4), [4, 5), [5, 6), [6,
   7), [7, 9), [9, 11), [11, 13), [13, 14.5] (entry: the top bits of b + 1
   above 1.0); worst relative error after rounding 6.37e-09 (2^-27.2). */
static const float AJ_PHIT_F[8][16] = {
  { /* centre */
    0x1.000122p-3f, 0x1.80088ep-2f, 0x1.400008p-1f, 0x1.bffe78p-1f,
    0x1.3ffaaep+0f, 0x1.bffd44p+0f, 0x1.2004d8p+1f, 0x1.600268p+1f,
    0x1.bffd08p+1f, 0x1.1ff760p+2f, 0x1.5ff960p+2f, 0x1.a001dap+2f,
    0x1.00051cp+3f, 0x1.3ff586p+3f, 0x1.7fff9ap+3f, 0x1.b7feb8p+3f,
  },
  { /* c0 */
    0x1.d0aefap-2f, 0x1.84b4d4p-2f, 0x1.4b1ddep-2f, 0x1.1e7ca6p-2f,
    0x1.d89d92p-3f, 0x1.7b5c60p-3f, 0x1.3aa9bep-3f, 0x1.0bb7e4p-3f,
    0x1.b39984p-4f, 0x1.5b645ep-4f, 0x1.2024c6p-4f, 0x1.eba3e6p-5f,
    0x1.9261a6p-5f, 0x1.43adf0p-5f, 0x1.0e7e14p-5f, 0x1.d8e51ep-6f,
  },
  { /* c1 */
    -0x1.5e6e32p-2f, -0x1.06bd44p-2f, -0x1.932346p-3f, -0x1.3bb03ap-3f,
    -0x1.c49b06p-4f, -0x1.325618p-4f, -0x1.b3fb4cp-5f, -0x1.4327acp-5f,
    -0x1.b6086ap-6f, -0x1.1bf1dep-6f, -0x1.8b26fep-7f, -0x1.21ac28p-7f,
    -0x1.86a95cp-8f, -0x1.fc1328p-9f, -0x1.63d082p-9f, -0x1.104e34p-9f,
  },
  { /* c2 */
    0x1.a4e102p-3f, 0x1.222ba8p-3f, 0x1.9a45aap-4f, 0x1.28c00ap-4f,
    0x1.7b82c6p-5f, 0x1.bd4abap-6f, 0x1.15a112p-6f, 0x1.6c58c6p-7f,
    0x1.a2a5b2p-8f, 0x1.bfdd7ap-9f, 0x1.07f144p-9f, 0x1.4ea0eap-10f,
    0x1.7610b8p-11f, 0x1.8b17a0p-12f, 0x1.d0fccep-13f, 0x1.380462p-13f,
  },
  { /* c3 */
    -0x1.b02a18p-4f, -0x1.15c4dap-4f, -0x1.6e91b2p-5f, -0x1.efa18ap-6f,
    -0x1.1f39bcp-6f, -0x1.296518p-7f, -0x1.49ab90p-8f, -0x1.8383eep-9f,
    -0x1.7e7f76p-10f, -0x1.55d94cp-11f, -0x1.581380p-12f, -0x1.7b57cep-13f,
    -0x1.6160a0p-14f, -0x1.307610p-15f, -0x1.2dde08p-16f, -0x1.63bcd0p-17f,
  },
  { /* c4 */
    0x1.89dcfcp-5f, 0x1.dc296ap-6f, 0x1.27b67cp-6f, 0x1.78a824p-7f,
    0x1.8ffd0ap-8f, 0x1.7220aap-9f, 0x1.70ad50p-10f, 0x1.87ae7ep-11f,
    0x1.4fb2b2p-12f, 0x1.fa74aap-14f, 0x1.b6643ap-15f, 0x1.a66934p-16f,
    0x1.499b7ep-17f, 0x1.d12ec8p-19f, 0x1.857b26p-20f, 0x1.93938cp-21f,
  },
  { /* c5 */
    -0x1.474024p-6f, -0x1.76403cp-7f, -0x1.b7f1e4p-8f, -0x1.094830p-8f,
    -0x1.062300p-9f, -0x1.b51128p-11f, -0x1.89f2aep-12f, -0x1.7c78dap-13f,
    -0x1.213d38p-14f, -0x1.71b24ap-16f, -0x1.140ef4p-17f, -0x1.d20d3ep-19f,
    -0x1.36b660p-20f, -0x1.65cfa8p-22f, -0x1.f90814p-24f, -0x1.ca07b6p-25f,
  },
  { /* c6 */
    0x1.f4c64ap-8f, 0x1.1053eep-8f, 0x1.313472p-9f, 0x1.5e7c18p-10f,
    0x1.4017f8p-11f, 0x1.e6c3d2p-13f, 0x1.91d9acp-14f, 0x1.5f5754p-15f,
    0x1.d9daa2p-17f, 0x1.02eb7cp-18f, 0x1.50fbaap-20f, 0x1.f6431cp-22f,
    0x1.1bdc76p-23f, 0x1.0c6b12p-25f, 0x1.4244a6p-27f, 0x1.04e16ap-28f,
  },
};

/* AJ_EXPQ_D: expq on [-0.3467, 0.3467], degree 9: minimax rel error 2.04e-16
   (2^-52.1), after rounding 2.28e-16 (2^-52.0) */
static const double AJ_EXPQ_D[10] = {
  0x1.0000000000001p-1, 0x1.555555555554dp-3, 0x1.5555555553d7p-5,
  0x1.111111111449fp-7, 0x1.6c16c1788867bp-10, 0x1.a01a018c2beadp-13,
  0x1.a019b915da9dfp-16, 0x1.71de5a3eafd87p-19, 0x1.28917f3de9a21p-22,
  0x1.aeab107604891p-26,
};

/* AJ_EXPQ_DL: expq on [-0.3467, 0.3467], degree 5: minimax rel error
   2.69e-09 (2^-28.5), after rounding 2.69e-09 (2^-28.5) */
static const double AJ_EXPQ_DL[6] = {
  0x1.0000000b84a14p-1, 0x1.55555527166e5p-3, 0x1.5554e930a6674p-5,
  0x1.11114bf3d5e43p-7, 0x1.6d4302730d2bep-10, 0x1.a072d0a98024p-13,
};

/* AJ_LOGQ_DL: logq on [0, 0.0295], degree 3: minimax rel error 1.7e-09
   (2^-29.1), after rounding 1.7e-09 (2^-29.1) */
static const double AJ_LOGQ_DL[4] = {
  0x1.5555554b9413ep-1, 0x1.9999ec123771ep-2, 0x1.245bf773b9f4fp-2,
  0x1.ddde6f3313c23p-3,
};

/* AJ_ERFQ2_D: erfq2 on [0, 1], degree 11: minimax rel error 1.59e-18
   (2^-59.1), after rounding 3.87e-17 (2^-54.5) */
static const double AJ_ERFQ2_D[12] = {
  -0x1.812746b0379e7p-2, 0x1.ce2f21a042bd6p-4, -0x1.b82ce31288261p-6,
  0x1.565bcd0e40fd1p-8, -0x1.c02db3f3e01dcp-11, 0x1.f9a324c88b26ep-14,
  -0x1.f4d21d0db8f2ap-17, 0x1.b9e216622b066p-20, -0x1.5f38238513117p-23,
  0x1.f8c7ada072d1p-27, -0x1.3bf3a8880bae9p-30, 0x1.0f0dbae94cfb3p-34,
};


/* AJ_ERFQ_DL: erfq on [0, 1], degree 7: minimax rel error 3.32e-11
   (2^-34.8), after rounding 3.32e-11 (2^-34.8) */
static const double AJ_ERFQ_DL[8] = {
  0x1.20dd7504007e6p+0, -0x1.8127465fb983ep-2, 0x1.ce2f0798ae847p-4,
  -0x1.b829a7a5e032ap-6, 0x1.5628edef9afap-8, -0x1.bcbe9a8863449p-11,
  0x1.d82692091a3d1p-14, -0x1.43840578b172fp-17,
};

/* AJ_ERFCG_DL: centered at 0.48 */
/* AJ_ERFCG_DL: erfcg on [0.16, 0.8], degree 12: minimax abs error 2.85e-11
   (2^-35.0), after rounding 2.85e-11 (2^-35.0) */
static const double AJ_ERFCG_DL[13] = {
  -0x1.65b1a9cf854b7p-1, 0x1.56571a91c9038p+0, 0x1.b11d5318030aap-3,
  -0x1.721775c3b1e1bp-2, -0x1.7bca73ac6f8e7p-3, 0x1.10c244f9f031cp-2,
  0x1.3b64ec675d90ap-3, -0x1.274dfead1bdd4p-2, -0x1.a1b829c54bbd1p-4,
  0x1.5dbfe3405551dp-2, 0x1.be25fddba2145p-8, -0x1.342ce2bd42381p-2,
  0x1.407df106c7f3ep-4,
};

/* AJ_ERFCG_D0: centered at 0.184 */
/* AJ_ERFCG_D0: erfcg on [0.068, 0.3], degree 14: minimax abs error 2.34e-19
   (2^-61.9), after rounding 3.68e-17 (2^-54.6) */
static const double AJ_ERFCG_D0[15] = {
  -0x1.11848f9d18a3fp+0, 0x1.24b5d3fa42bb6p+0, 0x1.92c04b0ea0477p-2,
  -0x1.2ea690a2878ddp-5, -0x1.f64a0e36354e8p-3, -0x1.53f7a8f5a5f7ap-3,
  0x1.af22c509827ebp-4, 0x1.0a44ab92fa319p-2, 0x1.8ecf3ea4507fp-5,
  -0x1.44e710aae89efp-2, -0x1.003ce205dec39p-2, 0x1.6ac0aa629d182p-2,
  0x1.1958a23551f07p-1, -0x1.76024d7de7fcp-2, -0x1.e7406ea720b97p-1,
};

/* AJ_ERFCG_D1: centered at 0.4 */
/* AJ_ERFCG_D1: erfcg on [0.3, 0.5], degree 14: minimax abs error 5.75e-20
   (2^-63.9), after rounding 4.82e-17 (2^-54.2) */
static const double AJ_ERFCG_D1[15] = {
  -0x1.9baf5da70e9e7p-1, 0x1.4c0305a3da63bp+0, 0x1.28ce93dcb8f99p-2,
  -0x1.25e12c37953f6p-2, -0x1.17029ba3852a7p-2, 0x1.4432f0c06eb3fp-3,
  0x1.21f0b2778c7fbp-2, -0x1.2f53d1d47ea98p-3, -0x1.4a2e2ee5c9f53p-2,
  0x1.aa0da4ae127cdp-3, 0x1.7b9f7f47cf3c2p-2, -0x1.681d95e06e80dp-2,
  -0x1.868251ba7733p-2, 0x1.2115064d2ee94p-1, 0x1.0df4598efcf9p-2,
};

/* AJ_ERFCG_D2: centered at 0.65 */
/* AJ_ERFCG_D2: erfcg on [0.5, 0.8], degree 14: minimax abs error 4.52e-18
   (2^-57.6), after rounding 2.89e-17 (2^-54.9) */
static const double AJ_ERFCG_D2[15] = {
  -0x1.de4610b625dedp-2, 0x1.601935e6fe6fep+0, 0x1.2b7358d7ea895p-7,
  -0x1.9dae856fc34c6p-2, 0x1.daad3e125210dp-5, 0x1.0393d6c22b078p-2,
  -0x1.2e98c5427f243p-3, -0x1.2799907b03f2bp-3, 0x1.b95f493d43fe4p-3,
  0x1.f19b6712774a8p-9, -0x1.b385d3c4615f7p-3, 0x1.297f76edafa8dp-3,
  0x1.b44145a3e93a6p-4, -0x1.b355bd859f814p-3, 0x1.ad37927d6095p-5,
};

/* AJ_ERFCG_DX: what the rounding of the first two coefficients of
   AJ_ERFCG_D0, D1, D2 took away, {d0, d1} per piece: a least-squares fit
   of G(t) - P(u) (P with the rounded coefficients, evaluated exactly, G
   by MPFR at 200 bits, 401 Chebyshev points).  G = P(u) + d0 + d1 u is
   then within 2^-61.5, 2^-61.7 and 2^-57.5 (D2's own minimax error) abs,
   for normcdf's double-double evaluation. */
static const double AJ_ERFCG_DX[6] = {
  0x1.c673a2779e16ep-56, -0x1.565a687be38fbp-54,
  -0x1.59b2809e01057p-56, 0x1.5d822739cbbaap-56,
  0x1.44c1be676224bp-56, -0x1.6e0d1ec6a1a37p-54,
};

/* AJ_SINQ_D: sinq on [0, 0.617], degree 5: minimax rel error 1.25e-16
   (2^-52.8), after rounding 1.95e-16 (2^-52.2) */
static const double AJ_SINQ_D[6] = {
  -0x1.5555555555555p-3, 0x1.1111111110ba3p-7, -0x1.a01a019e807fp-13,
  0x1.71de3792e1269p-19, -0x1.ae6007908c64fp-26, 0x1.5e09f75809318p-33,
};

/* AJ_COSQ_D: cosq on [0, 0.617], degree 5: minimax rel error 3.1e-17
   (2^-54.8), after rounding 5.64e-17 (2^-54.0) */
static const double AJ_COSQ_D[6] = {
  0x1.5555555555555p-5, -0x1.6c16c16c16962p-10, 0x1.a01a019f4da2ep-16,
  -0x1.27e4fa169ea64p-22, 0x1.1eeb67bd2c5d3p-29, -0x1.907cdc0a9d31dp-37,
};

/* AJ_SINQ_DL: sinq on [0, 0.617], degree 3: minimax rel error 1.71e-10
   (2^-32.4), after rounding 1.71e-10 (2^-32.4) */
static const double AJ_SINQ_DL[4] = {
  -0x1.555555545a74p-3, 0x1.11110de884209p-7, -0x1.a013a03ba7301p-13,
  0x1.6dbc020ecba74p-19,
};

/* AJ_COSQ_DL: cosq on [0, 0.617], degree 3: minimax rel error 5.68e-11
   (2^-34.0), after rounding 5.68e-11 (2^-34.0) */
static const double AJ_COSQ_DL[4] = {
  0x1.555555550204bp-5, -0x1.6c16bf51ed8a1p-10, 0x1.a015c12cd812p-16,
  -0x1.252361c9929fcp-22,
};

/* AJ_ATANQ_D: atanq on [0, 0.1716], degree 10: minimax rel error 9.3e-17
   (2^-53.3), after rounding 1.31e-16 (2^-52.8) */
static const double AJ_ATANQ_D[11] = {
  -0x1.5555555555555p-2, 0x1.999999999936ap-3, -0x1.249249243781fp-3,
  0x1.c71c71860905fp-4, -0x1.745d0b46677f4p-4, 0x1.3b1265862435ap-4,
  -0x1.10fa986fe5bd4p-4, 0x1.dfe85cae9eee8p-5, -0x1.a0a3c8efe7a65p-5,
  0x1.417e60324e028p-5, -0x1.3a7176cea27bfp-6,
};

/* AJ_ATANQ_DL: atanq on [0, 0.1716], degree 5: minimax rel error 1.59e-09
   (2^-29.2), after rounding 1.59e-09 (2^-29.2) */
static const double AJ_ATANQ_DL[6] = {
  -0x1.5555554c3b7f9p-2, 0x1.99997b7f795fcp-3, -0x1.248a2a6cdbf55p-3,
  0x1.c57e1633c2071p-4, -0x1.6154191a4fe2p-4, 0x1.9dd3dbb198309p-5,
};

/* AJ_ASINQ_D: asinq on [0, 0.25], degree 12: minimax rel error 7.46e-17
   (2^-53.6), after rounding 1.11e-16 (2^-53.0) */
static const double AJ_ASINQ_D[13] = {
  0x1.5555555555556p-3, 0x1.3333333332e84p-4, 0x1.6db6db6e387fp-5,
  0x1.f1c71c19d641cp-6, 0x1.6e8bb25db29fap-6, 0x1.1c4d286fdaa4ep-6,
  0x1.c9d08b43d6b8ap-7, 0x1.7817ddb732aa7p-7, 0x1.529df977cbcfap-7,
  0x1.62a5ace4240aap-8, 0x1.1f1a6999794ebp-6, -0x1.eccdb2fe96a5bp-7,
  0x1.d93867d09a1ecp-6,
};

/* AJ_ASINQ_DL: asinq on [0, 0.25], degree 6: minimax rel error 1.24e-09
   (2^-29.6), after rounding 1.24e-09 (2^-29.6) */
static const double AJ_ASINQ_DL[7] = {
  0x1.5555555c6b5c2p-3, 0x1.33331ddc845efp-4, 0x1.6dc149e95157p-5,
  0x1.efe1dab4c64a7p-6, 0x1.833966ec2e431p-6, 0x1.57ddad0d5034dp-7,
  0x1.fd4129566c399p-6,
};

/* AJ_SINHQ_D: sinhq on [0, 1], degree 6: minimax rel error 2.03e-18
   (2^-58.8), after rounding 5.94e-17 (2^-53.9) */
static const double AJ_SINHQ_D[7] = {
  0x1.5555555555555p-3, 0x1.11111111110fep-7, 0x1.a01a01a01ed7cp-13,
  0x1.71de3a4e25f6bp-19, 0x1.ae6460ea42642p-26, 0x1.611cba931b9bcp-33,
  0x1.b40fc1bc94de1p-41,
};

/* AJ_SINHQ_DL: sinhq on [0, 1], degree 3: minimax rel error 1.16e-09
   (2^-29.7), after rounding 1.16e-09 (2^-29.7) */
static const double AJ_SINHQ_DL[4] = {
  0x1.5555554eab2dp-3, 0x1.11111e8553288p-7, 0x1.a0091c3d48ecbp-13,
  0x1.78a24b8900f0ep-19,
};

/* AJ_CBRT0_D: cbrt on [1, 8], degree 3: minimax rel error 0.00522 (2^-7.6),
   after rounding 0.00522 (2^-7.6) */
static const double AJ_CBRT0_D[4] = {
  0x1.5d05a8b419157p-1, 0x1.7546e731431b3p-2, -0x1.62cbff579288ep-5,
  0x1.2f32eb3508d4p-9,
};

/* AJ_LOGQ_D: Q(z) = sum_k 2 z^k / (2k+3), Taylor, 13 terms: truncation
   error < 2^-64 relative for z <= 0.0295 */
static const double AJ_LOGQ_D[13] = {
  0x1.5555555555555p-1, 0x1.999999999999ap-2, 0x1.2492492492492p-2,
  0x1.c71c71c71c71cp-3, 0x1.745d1745d1746p-3, 0x1.3b13b13b13b14p-3,
  0x1.1111111111111p-3, 0x1.e1e1e1e1e1e1ep-4, 0x1.af286bca1af28p-4,
  0x1.8618618618618p-4, 0x1.642c8590b2164p-4, 0x1.47ae147ae147bp-4,
  0x1.2f684bda12f68p-4,
};
/* AJ_2OPI24: 2/pi = sum_i C[i] 2^(-24(i+1)), 24-bit chunks (exact
   integers in double) */
static const double AJ_2OPI24[10] = {
  0xa2f983.0p0, 0x6e4e44.0p0, 0x1529fc.0p0, 0x2757d1.0p0, 0xf534dd.0p0,
  0xc0db62.0p0, 0x95993c.0p0, 0x439041.0p0, 0xfe5163.0p0, 0xabdebb.0p0,
};

/* AJ_2OPI24P_V: 2/pi in 24-bit chunks, 1200 bits, after four zero chunks
   (P[i + 4] = C[i]), padded to 64; read per lane by the f64 Payne-Hanek
   reduction as a vector constant (an initializer, not an array) */
typedef double aj_f64x64 __attribute__((ext_vector_type(64)));
#define AJ_2OPI24P_V                                                         \
  (aj_f64x64) {                                                              \
  0x000000.0p0, 0x000000.0p0, 0x000000.0p0, 0x000000.0p0, 0xa2f983.0p0, \
  0x6e4e44.0p0, 0x1529fc.0p0, 0x2757d1.0p0, 0xf534dd.0p0, 0xc0db62.0p0, \
  0x95993c.0p0, 0x439041.0p0, 0xfe5163.0p0, 0xabdebb.0p0, 0xc561b7.0p0, \
  0x246e3a.0p0, 0x424dd2.0p0, 0xe00649.0p0, 0x2eea09.0p0, 0xd1921c.0p0, \
  0xfe1deb.0p0, 0x1cb129.0p0, 0xa73ee8.0p0, 0x8235f5.0p0, 0x2ebb44.0p0, \
  0x84e99c.0p0, 0x7026b4.0p0, 0x5f7e41.0p0, 0x3991d6.0p0, 0x398353.0p0, \
  0x39f49c.0p0, 0x845f8b.0p0, 0xbdf928.0p0, 0x3b1ff8.0p0, 0x97ffde.0p0, \
  0x05980f.0p0, 0xef2f11.0p0, 0x8b5a0a.0p0, 0x6d1f6d.0p0, 0x367ecf.0p0, \
  0x27cb09.0p0, 0xb74f46.0p0, 0x3f669e.0p0, 0x5fea2d.0p0, 0x7527ba.0p0, \
  0xc7ebe5.0p0, 0xf17b3d.0p0, 0x0739f7.0p0, 0x8a5292.0p0, 0xea6bfb.0p0, \
  0x5fb11f.0p0, 0x8d5d08.0p0, 0x560330.0p0, 0x46fc7b.0p0, 0x0.0p0, 0x0.0p0, \
  0x0.0p0, 0x0.0p0, 0x0.0p0, 0x0.0p0, 0x0.0p0, 0x0.0p0, 0x0.0p0, 0x0.0p0 \
  }

/* ---- instantiation ------------------------------------------------------ */
#define AJRT_MATH_BODY 64
#define VD aj_f64x1
#define VL aj_i64x1
#define SFX f64x1
#include "ajrt_math.h"
#undef VD
#undef VL
#undef SFX
#define VD aj_f64x2
#define VL aj_i64x2
#define SFX f64x2
#include "ajrt_math.h"
#undef VD
#undef VL
#undef SFX
#define VD aj_f64x4
#define VL aj_i64x4
#define SFX f64x4
#include "ajrt_math.h"
#undef VD
#undef VL
#undef SFX
#define VD aj_f64x8
#define VL aj_i64x8
#define SFX f64x8
#include "ajrt_math.h"
#undef VD
#undef VL
#undef SFX
#define VD aj_f64x16
#define VL aj_i64x16
#define SFX f64x16
#include "ajrt_math.h"
#undef VD
#undef VL
#undef SFX
#undef AJRT_MATH_BODY

#define AJRT_MATH_BODY 32
#define VF aj_f32x1
#define VI aj_i32x1
#define VD aj_f64x1
#define VL aj_i64x1
#define SFX f32x1
#define AJ_W 1
#define DSFX f64x1
#include "ajrt_math.h"
#undef VF
#undef VI
#undef VD
#undef VL
#undef SFX
#undef DSFX
#undef AJ_W
#define VF aj_f32x4
#define VI aj_i32x4
#define VD aj_f64x4
#define VL aj_i64x4
#define SFX f32x4
#define AJ_W 4
#define DSFX f64x4
#include "ajrt_math.h"
#undef VF
#undef VI
#undef VD
#undef VL
#undef SFX
#undef DSFX
#undef AJ_W
#define VF aj_f32x8
#define VI aj_i32x8
#define VD aj_f64x8
#define VL aj_i64x8
#define SFX f32x8
#define AJ_W 8
#define DSFX f64x8
#include "ajrt_math.h"
#undef VF
#undef VI
#undef VD
#undef VL
#undef SFX
#undef DSFX
#undef AJ_W
#define VF aj_f32x16
#define VI aj_i32x16
#define VD aj_f64x16
#define VL aj_i64x16
#define SFX f32x16
#define AJ_W 16
#define DSFX f64x16
#include "ajrt_math.h"
#undef VF
#undef VI
#undef VD
#undef VL
#undef SFX
#undef DSFX
#undef AJ_W
#undef AJRT_MATH_BODY

#pragma clang diagnostic pop
#endif /* AJRT_MATH_H */
#else /* AJRT_MATH_BODY: the template, included once per type and width */

#define FN(name) AJ_CAT3(name, _, SFX)

#if AJRT_MATH_BODY == 64
/* ======================================================================== *
 * f64 (VD: double vector, VL: matching int64 vector / mask)               *
 * ======================================================================== */
#define K(c) ((VD)(double)(c))
#define KL(c) ((VL)(long long)(c))
#define ASL(x) ((VL)(x))   /* bit casts between same-size vectors */
#define ASD(x) ((VD)(x))

/* c[0] + c[1] x + ... + c[n-1] x^(n-1), Horner with fma. */
AJRT_INL VD FN(poly)(VD x, const double *c, int n) {
  VD p = K(c[n - 1]);
  for (int i = n - 2; i >= 0; i--) p = FMA(p, x, K(c[i]));
  return p;
}
#define POLY(x, tab) FN(poly)((x), (tab), (int)(sizeof(tab) / sizeof(tab[0])))

/* Round to nearest even and floor without SSE4.1 (no libcalls on an SSE2
 * baseline): adding and subtracting 2^52 rounds |v| < 2^52; larger
 * doubles are integers already. */
AJRT_INL VD FN(rint)(VD v) {
  VD a = ABS(v);
  VD r = (a + 0x1p52) - 0x1p52;
  return a < 0x1p52 ? CPS(r, v) : v;
}
AJRT_INL VD FN(floor)(VD v) {
  VD r = FN(rint)(v);
  return r > v ? r - 1.0 : r;
}

/* Integral double (|v| < 2^51) to int64 and back, without cvt. */
AJRT_INL VL FN(toint)(VD v) { return ASL(v + AJ_SHIFT52) - ASL(K(AJ_SHIFT52)); }
AJRT_INL VD FN(todbl)(VL n) { return ASD(n + ASL(K(AJ_SHIFT52))) - AJ_SHIFT52; }

/* p * 2^n, |n| <= 2200, as two exact power-of-two factors so that a result
 * in the subnormal range is rounded only once. */
AJRT_INL VD FN(scale)(VD p, VL n) {
  VL n1 = n >> 1, n2 = n - n1;
  return p * ASD((n1 + 1023) << 52) * ASD((n2 + 1023) << 52);
}

/* e^(a + b) * 2^k, b a small correction (|b| < 2^-20 |a| + 2^-40).
 * Range reduction: n = round(a / ln2), r = (a - n ln2) + b, with ln2 in
 * two parts and fma, so r is accurate to 2^-54 |r|; |r| <= 0.3467.
 * e^r = 1 + r + r^2 q(r), q minimax (AJ_EXPQ_D: 2^-52, lp: 2^-28.5).
 * a is clamped to [-746, 746] (beyond, the result is 0 or inf for
 * |k| <= 30), NaN kept. */
AJRT_INL VD FN(expk)(VD a, VD b, VL k, int lp) {
  a = a > 746.0 ? K(746.0) : a;
  a = a < -746.0 ? K(-746.0) : a;
  VD kd = FMA(a, K(AJ_LOG2E), K(AJ_SHIFT52));
  VD nf = kd - AJ_SHIFT52;
  VD r = FMA(-nf, K(AJ_LN2HI), a);
  r = FMA(-nf, K(AJ_LN2LO), r + b);
  VD q = lp ? POLY(r, AJ_EXPQ_DL) : POLY(r, AJ_EXPQ_D);
  VD p = 1.0 + FMA(r * r, q, r);
  return FN(scale)(p, ASL(kd) - ASL(K(AJ_SHIFT52)) + k);
}

/* exp(x).  Contract: <= 1 ULP (f64), overflow to inf above 709.78,
 * subnormal results down to -745.13, 0 below; exp(-inf) = 0,
 * exp(inf) = inf, NaN -> NaN. */
AJRT_INL VD FN(exp)(VD x, int lp) { return FN(expk)(x, K(0), KL(0), lp); }

/* exp_hl(h, l) = e^(h + l) for a value carried as a pair h + l with
 * |l| <= 2^-20 |h| (the codegen's pairs: products by fma, sums ending in
 * Fast2Sum), l as expk's correction.  Contract: <= 1 ULP of e^(h + l)
 * (f64) for such pairs; l is ignored where it is not finite or h is
 * beyond +-746 (expk clamps h there). */
AJRT_INL VD FN(exp_hl)(VD h, VD l, int lp) {
  l = ABS(l) < 1.0 && ABS(h) < 746.0 ? l : K(0);
  return FN(expk)(h, l, KL(0), lp);
}

/* expm1(x) = e^x - 1.  With x = n ln2 + r: expm1 = 2^n expm1(r) + (2^n - 1),
 * summed by one fma (2^n expm1(r) is exact).  For n > 0 the sum is taken
 * at half scale, 2 (2^(n-1) p + 2^(n-1) - 1/2), so that n = 1024 does not
 * overflow the power of two.  Contract: <= 2 ULP (f64); expm1(-0) = -0,
 * -1 below -37.4, inf above 709.78, NaN -> NaN. */
AJRT_INL VD FN(expm1)(VD x, int lp) {
  VD xc = x > 710.0 ? K(710.0) : x;
  xc = xc < -40.0 ? K(-40.0) : xc;
  VD kd = FMA(xc, K(AJ_LOG2E), K(AJ_SHIFT52));
  VD nf = kd - AJ_SHIFT52;
  VD r = FMA(-nf, K(AJ_LN2HI), xc);
  r = FMA(-nf, K(AJ_LN2LO), r);
  VD q = lp ? POLY(r, AJ_EXPQ_DL) : POLY(r, AJ_EXPQ_D);
  VD p = FMA(r * r, q, r);
  VL n = ASL(kd) - ASL(K(AJ_SHIFT52));
  VL pos = n > 0;
  VD e = ASD((n + pos + 1023) << 52);   /* pos is -1 where n > 0 */
  VD c = pos ? K(0.5) : K(1.0);
  VD y = FMA(e, p, e - c) * (pos ? K(2.0) : K(1.0));
  return CPS(y, x);
}

/* log kernel for finite x > 0 (subnormals included): x = 2^k m with
 * m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact), s = f / (2 + f), and
 * log(m) = 2 atanh(s) = 2s + s^3 Q(s^2), s^2 <= 0.0295.  Returns k and
 * log(m) as *lh + *ll: s is carried as s + sl (sl the division's error,
 * from an exact fma residual) so that log(m) is good to about 2^-62
 * relative (lp: 2^-45), which pow needs. */
AJRT_INL VD FN(logk)(VD x, VD *lh, VD *ll, int lp) {
  VL sub = x < 0x1p-1022;
  VD xs = sub ? x * 0x1p54 : x;
  VL ix = ASL(xs);
  VL k = (ix - 0x3fe6a09e667f3bcdLL) >> 52;
  VD m = ASD(ix - k * 0x10000000000000LL);
  k = k + (sub & -54);
  VD f = m - 1.0;
  VD den = 2.0 + f;
  VD s = f / den;
  VD z = s * s;
  if (lp) {
    *lh = 2.0 * s;
    *ll = s * z * POLY(z, AJ_LOGQ_DL);
  } else {
    VD dlo = (2.0 - den) + f;                 /* den + dlo = 2 + f exactly */
    VD sl = (FMA(-s, den, f) - s * dlo) / den;
    /* 2s + (2/3) s^3 as a double-double (s^3 exact via fma), the rest
     * s^5 Q2(s^2) and the first-order effect of sl in double. */
    VD zl = FMA(s, s, -z);
    VD c3 = s * z, c3l = FMA(s, z, -c3) + s * zl;
    VD th = c3 * 0x1.5555555555555p-1;
    VD tl = FMA(c3, K(0x1.5555555555555p-1), -th) +
            FMA(c3, K(0x1.5555555555555p-55), c3l * 0x1.5555555555555p-1);
    VD q = POLY(z, AJ_LOGQ_D);
    VD rest = c3 * z * FN(poly)(z, AJ_LOGQ_D + 1, 12);
    VD h = 2.0 * s + th;
    VD e = (2.0 * s - h) + th;
    *lh = h;
    *ll = e + (tl + rest + FMA(3.0 * z, q, K(2.0)) * sl);
  }
  return FN(todbl)(k);
}

/* Special values shared by the log family: +inf -> +inf, 0 -> -inf,
 * x < 0 -> NaN, NaN -> NaN. */
AJRT_INL VD FN(logspecial)(VD x, VD y) {
  y = x == AJ_INF ? x : y;
  y = x == 0.0 ? K(-AJ_INF) : y;
  y = x < 0.0 ? K(AJ_NAN) : y;
  return x != x ? x : y;
}

/* log(x) = k ln2 + log(m).  Contract: <= 1 ULP (f64). */
AJRT_INL VD FN(log)(VD x, int lp) {
  VD lh, ll;
  VD k = FN(logk)(x, &lh, &ll, lp);
  VD y = FMA(k, K(AJ_LN2HI), lh + FMA(k, K(AJ_LN2LO), ll));
  return FN(logspecial)(x, y);
}

/* log2(x) = k + log(m) / ln2 (k exact).  Contract: <= 1 ULP (f64);
 * log2(2^k) = k exactly. */
AJRT_INL VD FN(log2)(VD x, int lp) {
  VD lh, ll;
  VD k = FN(logk)(x, &lh, &ll, lp);
  VD t = FMA(lh, K(AJ_LOG2E_HI),
             FMA(lh, K(AJ_LOG2E_LO), ll * AJ_LOG2E_HI));
  return FN(logspecial)(x, k + t);
}

/* log10(x) = k log10(2) + log(m) log10(e), constants in two parts.
 * Contract: <= 2 ULP (f64). */
AJRT_INL VD FN(log10)(VD x, int lp) {
  VD lh, ll;
  VD k = FN(logk)(x, &lh, &ll, lp);
  VD lo = FMA(k, K(AJ_LG2LO), FMA(lh, K(AJ_LOG10E_LO), ll * AJ_LOG10E_HI));
  VD y = FMA(k, K(AJ_LG2HI), FMA(lh, K(AJ_LOG10E_HI), lo));
  return FN(logspecial)(x, y);
}

/* log1p(x): u = 1 + x rounded, c = (1 + x) - u exactly (Fast2Sum, ordered
 * by magnitude), log1p(x) = log(u) + c / u.  Contract: <= 2 ULP (f64);
 * log1p(-0) = -0, log1p(-1) = -inf, x < -1 -> NaN, inf -> inf. */
AJRT_INL VD FN(log1p)(VD x, int lp) {
  VD u = 1.0 + x;
  VD c = ABS(x) < 1.0 ? (1.0 - u) + x : (x - u) + 1.0;
  VD lh, ll;
  VD k = FN(logk)(u, &lh, &ll, lp);
  VD y = FMA(k, K(AJ_LN2HI), lh + (FMA(k, K(AJ_LN2LO), ll) + c / u));
  y = x == AJ_INF ? x : y;
  y = x == -1.0 ? K(-AJ_INF) : y;
  y = x < -1.0 ? K(AJ_NAN) : y;
  y = x != x ? x : y;
  return CPS(y, x);
}

/* tanh(x) = -em / (2 + em), em = expm1(-2|x|), sign of x.  Contract:
 * <= 3 ULP (f64); tanh(+-0) = +-0, +-1 beyond 19.1, NaN -> NaN. */
AJRT_INL VD FN(tanh)(VD x, int lp) {
  VD em = FN(expm1)(-2.0 * ABS(x), lp);
  return CPS(-em / (2.0 + em), x);
}

/* sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) for x < 0, with
 * e = exp(-|x|) (never overflows).  Contract: <= 2 ULP (f64);
 * sigmoid(-inf) = 0, sigmoid(inf) = 1, subnormal results below -708. */
AJRT_INL VD FN(sigmoid)(VD x, int lp) {
  VD e = FN(exp)(-ABS(x), lp);
  return (x >= 0.0 ? K(1.0) : e) / (1.0 + e);
}

/* sigmoid_fast, tanh_fast, expm1_fast (and softplus_fast below), f64:
 * the functions above.  The float versions trade a little accuracy for
 * speed; float64 kernels have no such budget to spend, so their fast
 * names are the accurate functions. */
AJRT_INL VD FN(sigmoid_fast)(VD x, int lp) { return FN(sigmoid)(x, lp); }
AJRT_INL VD FN(tanh_fast)(VD x, int lp) { return FN(tanh)(x, lp); }
AJRT_INL VD FN(expm1_fast)(VD x, int lp) { return FN(expm1)(x, lp); }

/* softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|).  Contract:
 * <= 2 ULP (f64); softplus(-inf) = 0, softplus(inf) = inf, e^x (to
 * rounding) below -37, x above 37. */
AJRT_INL VD FN(softplus)(VD x, int lp) {
  VD e = FN(exp)(-ABS(x), lp);
  return (x > 0.0 ? x : K(0.0)) + FN(log1p)(e, lp);
}
AJRT_INL VD FN(softplus_fast)(VD x, int lp) { return FN(softplus)(x, lp); }

/* e^(a + b) = (*ph + *pl) 2^n, n returned: expk without its final
 * rounding, for a caller that multiplies first and scales once.  ln 2 in
 * the 42-bit split makes a - n HI42 exact; r = rh + rl to 2^-100 (2Sum),
 * and 1 + r + r^2 q(r) + re is carried as ph + pl (Fast2Sum twice:
 * |r^2 q| < |r| < 1), so the pair is good to about 2^-56 relative (q's
 * error on the r^2/2 term).  a clamped to [-746, 746], |b| < 2^-20. */
AJRT_INL VL FN(expkhl)(VD a, VD b, VD *ph, VD *pl, int lp) {
  a = a > 746.0 ? K(746.0) : a;
  a = a < -746.0 ? K(-746.0) : a;
  VD kd = FMA(a, K(AJ_LOG2E), K(AJ_SHIFT52));
  VD nf = kd - AJ_SHIFT52;
  VD rh = FMA(-nf, K(AJ_LN2HI42), a);             /* exact */
  VD rl = FMA(-nf, K(AJ_LN2LO42), b);
  VD r = rh + rl, bb = r - rh;
  VD re = (rh - (r - bb)) + (rl - bb);
  VD q = lp ? POLY(r, AJ_EXPQ_DL) : POLY(r, AJ_EXPQ_D);
  VD w = r * r * q;
  VD s = r + w, sl = ((r - s) + w) + FMA(r, re, re);
  VD h = 1.0 + s;
  *ph = h;
  *pl = ((1.0 - h) + s) + sl;
  return ASL(kd) - ASL(K(AJ_SHIFT52));
}

/* G(t + tl) (erfcpos's, the three pieces of degree 14) as g + *gl, to
 * about 2^-59 abs: the tail c2 + c3 u + ... in double, then
 * c0 + c1 u + u^2 (...) by an exact product and two Fast2Sums
 * (|c1 u| < |c0|, |u^2 (...)| < |c0 + c1 u|), plus the coefficients'
 * rounding (AJ_ERFCG_DX) and tl's effect to first order. */
AJRT_INL VD FN(erfcgdd)(VD t, VD tl, VD *gl) {
  VL m0 = t < 0.3, m1 = t < 0.5;
  VD u = t - (m0 ? K(0.184) : m1 ? K(0.4) : K(0.65));
  VD p = K(0);
#pragma clang loop unroll(full)
  for (int i = 14; i >= 2; i--)
    p = FMA(p, u, m0 ? K(AJ_ERFCG_D0[i]) : m1 ? K(AJ_ERFCG_D1[i])
                                              : K(AJ_ERFCG_D2[i]));
  VD c0 = m0 ? K(AJ_ERFCG_D0[0]) : m1 ? K(AJ_ERFCG_D1[0]) : K(AJ_ERFCG_D2[0]);
  VD c1 = m0 ? K(AJ_ERFCG_D0[1]) : m1 ? K(AJ_ERFCG_D1[1]) : K(AJ_ERFCG_D2[1]);
  VD c2 = m0 ? K(AJ_ERFCG_D0[2]) : m1 ? K(AJ_ERFCG_D1[2]) : K(AJ_ERFCG_D2[2]);
  VD d0 = m0 ? K(AJ_ERFCG_DX[0]) : m1 ? K(AJ_ERFCG_DX[2]) : K(AJ_ERFCG_DX[4]);
  VD d1 = m0 ? K(AJ_ERFCG_DX[1]) : m1 ? K(AJ_ERFCG_DX[3]) : K(AJ_ERFCG_DX[5]);
  VD m = c1 * u, ml = FMA(c1, u, -m);
  VD b = u * u * p;
  VD h = c0 + m, e1 = (c0 - h) + m;
  VD g = h + b, e2 = (h - g) + b;
  *gl = (e1 + e2) + (ml + FMA(d1, u, d0) + FMA(2.0 * c2, u, c1) * tl);
  return g;
}

/* erfc(a + al) 2^k for a >= 0.5 (also valid, less accurate, below), al a
 * correction to the argument (|al| <= 2^-52 a; -0 when there is none):
 * with t = 1 / (1 + a/2), erfc(a) = t exp(-a^2 + G(t)), G smooth on (0, 1];
 * G minimax in absolute error: lp one piece on t in [0.16, 0.8]
 * (a <= 10.5, 2^-35), else three pieces of degree 14 on [0.068, 0.3],
 * [0.3, 0.5], [0.5, 0.8] (a <= 27.4, 2^-54), coefficients selected per
 * lane.  (a + al)^2 is split exactly (fma) to first order in al and fed to
 * expk as hi + lo; al also enters t's correction tl, and only G(t) ignores
 * it (|G'| t^2/2 |al| < 2^-54).  hl (with lp = 0): G in double-double
 * (erfcgdd) and t e^(-a^2 + G) 2^k formed from expkhl's unrounded pair,
 * scaled once: one rounding in all (normcdf). */
AJRT_INL VD FN(erfcposx)(VD a, VD al, VL k, int lp, int hl) {
  VL big = a > 30.0;
  a = big ? K(30.0) : a;
  al = big ? K(0) : al;
  VD den = 2.0 + a;
  VD t = 2.0 / den;
  /* t + tl = 2 / (2 + a + al) to 2^-100: den + dl = 2 + a exactly
   * (Fast2Sum, ordered), plus al, then the exact residual of the division */
  VD dl = (a < 2.0 ? (2.0 - den) + a : (a - den) + 2.0) + al;
  VD tl = (FMA(-t, den, K(2.0)) - t * dl) * (0.5 * t);
  VD g, gl = K(0);
  if (lp) {
    g = POLY(t - 0.48, AJ_ERFCG_DL);
  } else if (hl) {
    g = FN(erfcgdd)(t, tl, &gl);
  } else {
    VL m0 = t < 0.3, m1 = t < 0.5;
    VD u = t - (m0 ? K(0.184) : m1 ? K(0.4) : K(0.65));
    g = K(0);
#pragma clang loop unroll(full)
    for (int i = 14; i >= 0; i--)
      g = FMA(g, u, m0 ? K(AJ_ERFCG_D0[i]) : m1 ? K(AJ_ERFCG_D1[i])
                                                : K(AJ_ERFCG_D2[i]));
  }
  /* -a^2 + g = ah + bl exactly (2Sum); (a + al)^2 = a2 + a2l, a2l the
   * fma residual plus 2 a al */
  VD a2 = a * a, a2l = FMA(2.0 * a, al, FMA(a, a, -a2));
  VD ah = g - a2, bb = ah - g;
  VD bl = (g - (ah - bb)) + (-a2 - bb);
  if (hl && !lp) {
    VD ph, pl;
    VL n = FN(expkhl)(ah, (bl + gl) - a2l, &ph, &pl, lp);
    return FN(scale)(FMA(t, ph, FMA(t, pl, tl * ph)), n + k);
  }
  VD e = FN(expk)(ah, bl - a2l, k, lp);
  return lp ? t * e : FMA(t, e, tl * e);
}

/* erfc(a) for a >= 0.5: erfcposx without an argument correction. */
AJRT_INL VD FN(erfcpos)(VD a, int lp) {
  return FN(erfcposx)(a, K(-0.0), KL(0), lp, 0);
}

/* erf(x) for |x| < 1: x (2/sqrt(pi) + x^2 P(x^2)), 2/sqrt(pi) in two
 * parts and P minimax (AJ_ERFQ2_D, 2^-54.5 relative; it carries at most a
 * third of the value), one final fma.  lp: x P(x^2), AJ_ERFQ_DL. */
AJRT_INL VD FN(erfsmall)(VD x, int lp) {
  VD z = x * x;
  if (lp) return x * POLY(z, AJ_ERFQ_DL);
  VD t = FMA(z, POLY(z, AJ_ERFQ2_D), K(AJ_2OSQRTPI_LO));
  return FMA(x, K(AJ_2OSQRTPI_HI), x * t);
}

/* erf(x): |x| < 1: erfsmall; else sign(x) (1 - erfc(|x|)).  Contract:
 * <= 2 ULP (f64); erf(+-0) = +-0, erf(+-inf) = +-1, NaN -> NaN. */
AJRT_INL VD FN(erf)(VD x, int lp) {
  VD a = ABS(x);
  VD p = FN(erfsmall)(a, lp);
  VD y = a < 1.0 ? p : 1.0 - FN(erfcpos)(a, lp);
  return CPS(y, x);
}

/* erfc(x): |x| < 0.5: 1 - x P(x^2); x >= 0.5: erfcpos; x <= -0.5:
 * 2 - erfcpos(-x).  Contract: <= 3 ULP (f64) relative, including the
 * subnormal tail up to 27.2; erfc(-inf) = 2, erfc(inf) = 0. */
AJRT_INL VD FN(erfc)(VD x, int lp) {
  VD a = ABS(x);
  VD p = FN(erfsmall)(x, lp);
  VD e = FN(erfcpos)(a, lp);
  return a < 0.5 ? 1.0 - p : x < 0.0 ? 2.0 - e : e;
}

/* normcdf(x) = Phi(x) = erfc(-x/sqrt2)/2, the standard normal CDF.  The
 * argument a = -x/sqrt2 is carried as a + al (1/sqrt2 in two parts, the
 * product's rounding recovered by fma): erfc's condition number 2a^2 + 1
 * would turn the rounding of a alone into 6 ULP at x = -6 and over 1000
 * near x = -37.  |a| < 0.5: 1/2 - erf(a)/2 - al e^(-a^2)/sqrt(pi) (the
 * correction to 2^-8, more than enough), the sum in double-double;
 * a >= 0.5: erfcposx at a + al in its double-double variant (G and the
 * exponential carried unrounded, t e^(...) halved and rounded once, also
 * into the subnormals); a <= -0.5: 1 - erfcposx(-a - al)/2.  lp (for
 * float): the same with the short polynomials and plain sums.  Contract:
 * <= 2 ULP (f64; sampled max 0.77 on 1.2e6 points of [-40, 8]),
 * subnormal results down to x = -38.47, 0 below; normcdf(+-0) = 0.5,
 * normcdf(-inf) = 0, normcdf(inf) = 1, NaN -> NaN. */
AJRT_INL VD FN(normcdf)(VD x, int lp) {
  VD a = x * -AJ_SQRT1_2_HI;
  VD al = FMA(x, K(-AJ_SQRT1_2_HI), -a) - x * AJ_SQRT1_2_LO;
  al = ABS(a) < 64.0 ? al : K(0); /* inf - inf; beyond, Phi is 0 or 1 */
  VD aa = ABS(a), aal = a < 0.0 ? -al : al;
  VD z = a * a, s;
  VD ez = FMA(z, FMA(z, K(0.5), K(-1.0)), K(1.0)); /* e^-z to 2^-8 */
  VD c = al * (0.5 * AJ_2OSQRTPI_HI) * ez;
  if (lp) {
    s = (0.5 - 0.5 * FN(erfsmall)(a, lp)) - c;
  } else {
    /* 1/2 - (a/2) (H + Hlo + z P(z)) (erfsmall's), as 1/2 + m + b with
     * m = -(a/2) H exact (fma) and two Fast2Sums (|m| < 0.29,
     * |b| < 0.024): rounded once */
    VD ha = -0.5 * a;
    VD b = ha * FMA(z, POLY(z, AJ_ERFQ2_D), K(AJ_2OSQRTPI_LO));
    VD m = ha * AJ_2OSQRTPI_HI, ml = FMA(ha, K(AJ_2OSQRTPI_HI), -m);
    VD h = 0.5 + m, e1 = (0.5 - h) + m;
    VD g = h + b, e2 = (h - g) + b;
    s = g + ((e1 + e2) + (ml - c));
  }
  VD e = FN(erfcposx)(aa, aal, KL(-1), lp, 1);
  return aa < 0.5 ? s : a < 0.0 ? 1.0 - e : e;
}

/* normcdf_vpdf(x, v) = Phi(x) + v phi(x) (see the f32 version), f64:
 * normcdf plus v e^(-x^2/2)/sqrt(2 pi) with the square exact (fma) and
 * its low part as expk's correction, the product and the sum rounded by
 * one fma.
 * Contract: <= 4 ULP where the sum does not cancel (as f32's). */
AJRT_INL VD FN(normcdf_vpdf)(VD x, VD v, int lp) {
  VD xc = ABS(x) < 40.0 ? x : K(0);       /* beyond, e^(-x^2/2) < 2^-1154 */
  VD h = xc * xc, l = FMA(xc, xc, -h);
  /* where e^(-h/2) is near the subnormals, scaled by 2^100 and back in
  ** the final fma: one rounding into them, not three */
  /* phi = e^(-h/2 - log sqrt(2 pi)): the constant in the exponent, the
  ** sum -h/2 - LNS_HI as a + its rounding (TwoSum), so that phi rounds
  ** once (1/sqrt(2 pi) as a factor rounded twice: gelu' 6 ULP near its
  ** root in f64, now within normcdf's own error) */
  VD a = -0.5 * h - AJ_LNSQRT2PI_HI, ab = a + AJ_LNSQRT2PI_HI;
  VD ae = (-0.5 * h - ab) + (-AJ_LNSQRT2PI_HI - (a - ab));
  VL big = h > 1200.0;
  VD e = FN(expk)(a, ae - 0.5 * l - AJ_LNSQRT2PI_LO,
                  big ? KL(100) : KL(0), lp);
  VD w = ABS(x) < 40.0 ? v * e : K(0);
  return FMA(w, big ? K(0x1p-100) : K(1.0), FN(normcdf)(x, lp));
}

/* exp2(x) = 2^n e^(r ln2), n = round(x), r = x - n exact, r ln2 in two
 * parts.  Contract: <= 2 ULP (f64); exact for integer x; inf at 1024,
 * subnormal down to -1074, 0 below -1075. */
AJRT_INL VD FN(exp2)(VD x, int lp) {
  VD xc = x > 1025.0 ? K(1025.0) : x;
  xc = xc < -1080.0 ? K(-1080.0) : xc;
  VD kd = xc + AJ_SHIFT52;
  VD nf = kd - AJ_SHIFT52;
  VD r = xc - nf;
  VD rh = r * AJ_LN2HI;
  VD rl = FMA(r, K(AJ_LN2HI), -rh) + r * AJ_LN2LO;
  return FN(expk)(rh, rl, ASL(kd) - ASL(K(AJ_SHIFT52)), lp);
}

/* sinh(x): |x| < 1: x + x^3 S(x^2) (AJ_SINHQ_D, 2^-54); else
 * h - 1/(4h), h = e^|x| / 2 computed as one exp with a -1 exponent (no
 * overflow before sinh itself overflows).  Contract: <= 2 ULP (f64);
 * sinh(+-0) = +-0, +-inf beyond 710.48, NaN -> NaN. */
AJRT_INL VD FN(sinh)(VD x, int lp) {
  VD a = ABS(x), z = a * a;
  VD s = FMA(a * z, lp ? POLY(z, AJ_SINHQ_DL) : POLY(z, AJ_SINHQ_D), a);
  VD h = FN(expk)(a, K(0), KL(-1), lp);
  VD y = a < 1.0 ? s : h - 0.25 / h;
  return CPS(y, x);
}

/* cosh(x) = h + 1/(4h), h = e^|x| / 2.  Contract: <= 2 ULP (f64);
 * cosh(+-inf) = inf. */
AJRT_INL VD FN(cosh)(VD x, int lp) {
  VD h = FN(expk)(ABS(x), K(0), KL(-1), lp);
  return h + 0.25 / h;
}

/* asinh(x) = sign(x) log1p(a + a^2 / (1 + sqrt(1 + a^2))), a = |x|
 * (no cancellation for small a); for a > 2^60: log1p(a) + ln2 (the
 * neglected 1/a is below 2^-60).  Contract: <= 3 ULP (f64). */
AJRT_INL VD FN(asinh)(VD x, int lp) {
  VD a = ABS(x);
  VL big = a > 0x1p60;
  VD b = big ? K(1.0) : a;
  VD u = b + b * b / (1.0 + SQRT(FMA(b, b, K(1.0))));
  VD y = FN(log1p)(big ? a : u, lp) + (big ? K(AJ_LN2HI) : K(0));
  return CPS(y, x);
}

/* acosh(x) = log1p(t + sqrt(t (x + 1))), t = x - 1 (exact near 1); for
 * x > 2^60: log1p(x) + ln2.  Contract: <= 3 ULP (f64); acosh(1) = 0,
 * x < 1 -> NaN, inf -> inf. */
AJRT_INL VD FN(acosh)(VD x, int lp) {
  VL big = x > 0x1p60;
  VD b = big ? K(2.0) : x;
  VD t = b - 1.0;
  VD u = t + SQRT(t * (b + 1.0));
  VD y = FN(log1p)(big ? x : u, lp) + (big ? K(AJ_LN2HI) : K(0));
  return x < 1.0 ? K(AJ_NAN) : y;
}

/* atanh(x) = sign(x) log1p(2a / (1 - a)) / 2, a = |x|.  Contract:
 * <= 3 ULP (f64); atanh(+-1) = +-inf, |x| > 1 -> NaN. */
AJRT_INL VD FN(atanh)(VD x, int lp) {
  VD a = ABS(x);
  VD y = 0.5 * FN(log1p)(2.0 * a / (1.0 - a), lp);
  return CPS(y, x);
}

/* atan of num/den for 0 <= num <= den (or both 0): with u = num/den
 * (<= tan(pi/8)) or u = (num - den)/(num + den) and pi/4 added,
 * atan(u) = u + u^3 A(u^2), A minimax (AJ_ATANQ_D, 2^-52.8) on
 * u^2 <= 0.1716.  Returns the angle in [0, pi/4] as hi, with lo. */
AJRT_INL VD FN(atanq)(VD num, VD den, VD *lo, int lp) {
  VD sc = den > 0x1p1020 ? K(0.25) : K(1.0);   /* num + den must not overflow */
  num = num * sc, den = den * sc;
  VL m = num > AJ_TANPI8 * den;
  VD u = (m ? num - den : num) / (m ? num + den : den);
  u = den == 0.0 ? K(0) : u;
  VD z = u * u;
  VD t = u * z * (lp ? POLY(z, AJ_ATANQ_DL) : POLY(z, AJ_ATANQ_D));
  VD bh = m ? K(AJ_PIO4_HI) : K(0), bl = m ? K(AJ_PIO4_LO) : K(0);
  VD s = u + (t + bl);
  VD y = bh + s;
  *lo = (bh - y) + s;
  return y;
}

/* atan(x): a = |x|; a <= 1: atanq(a, 1); a > 1: pi/2 - atanq(1, a).
 * Contract: <= 2 ULP (f64); atan(+-inf) = +-pi/2, atan(-0) = -0. */
AJRT_INL VD FN(atan)(VD x, int lp) {
  VD a = ABS(x);
  VL inv = a > 1.0;
  VD lo;
  VD y = FN(atanq)(inv ? K(1.0) : a, inv ? a : K(1.0), &lo, lp);
  VD yi = AJ_PIO2_HI - (y - (AJ_PIO2_LO - lo));
  return CPS(inv ? yi : y + lo, x);
}

/* atan2(y, x): the angle of (|x|, |y|) folded to [0, pi/4] by swapping,
 * then unfolded: pi/2 - t if |y| > |x|, pi - t if x has its sign bit set;
 * sign of y.  Annex F cases: atan2(+-0, +-0) = +-0 / +-pi,
 * atan2(+-inf, +-inf) = +-pi/4 / +-3pi/4, NaN -> NaN.  Contract:
 * <= 2 ULP (f64). */
AJRT_INL VD FN(atan2)(VD y, VD x, int lp) {
  VD ax = ABS(x), ay = ABS(y);
  VL sw = ay > ax;
  VD lo;
  VD t = FN(atanq)(sw ? ax : ay, sw ? ay : ax, &lo, lp);
  VL binf = (ax == AJ_INF) & (ay == AJ_INF);
  t = binf ? K(AJ_PIO4_HI) : t;
  lo = binf ? K(AJ_PIO4_LO) : lo;
  VD th = sw ? AJ_PIO2_HI - t : t;        /* exact (Sterbenz) */
  VD tl = sw ? AJ_PIO2_LO - lo : lo;
  VL neg = ASL(x) < 0;
  VD rh = neg ? AJ_PI_HI - th : th;       /* exact */
  VD rl = neg ? AJ_PI_LO - tl : tl;
  VD r = CPS(rh + rl, y);
  return ((x != x) | (y != y)) ? x + y : r;
}

/* asin / acos kernel: a = |x|; a <= 1/2: z = a^2, s = a; else
 * z = (1 - a)/2 (exact), s = sqrt(z); asin(s) = s + s z B(z), B minimax
 * (AJ_ASINQ_D, 2^-53) on z <= 1/4. */
AJRT_INL VD FN(asinq)(VD a, VD *z, int lp) {
  VL big = a > 0.5;
  VD zz = big ? (1.0 - a) * 0.5 : a * a;
  *z = zz;
  VD s = big ? SQRT(zz) : a;
  return s * zz * (lp ? POLY(zz, AJ_ASINQ_DL) : POLY(zz, AJ_ASINQ_D));
}

/* asin(x) = asin(a) (a <= 1/2) or pi/2 - 2 asin(sqrt((1-a)/2)).
 * Contract: <= 2 ULP (f64); asin(-0) = -0, |x| > 1 -> NaN. */
AJRT_INL VD FN(asin)(VD x, int lp) {
  VD a = ABS(x), z;
  VD t = FN(asinq)(a, &z, lp);
  VD s = SQRT(z);
  VD yb = AJ_PIO2_HI - (2.0 * s + (2.0 * t - AJ_PIO2_LO));
  VD y = a > 0.5 ? yb : a + t;
  return a > 1.0 ? K(AJ_NAN) : CPS(y, x);
}

/* acos(x) = pi/2 - asin(x) (|x| <= 1/2), 2 asin(s) (x > 1/2),
 * pi - 2 asin(s) (x < -1/2).  Contract: <= 2 ULP (f64); acos(1) = +0. */
AJRT_INL VD FN(acos)(VD x, int lp) {
  VD a = ABS(x), z;
  VD t = FN(asinq)(a, &z, lp);
  VD s = SQRT(z);
  VD ys = AJ_PIO2_HI - (x + (CPS(t, x) - AJ_PIO2_LO));
  VD yp = 2.0 * (s + t);
  VD yn = AJ_PI_HI - (2.0 * (s + t) - AJ_PI_LO);
  VD y = a <= 0.5 ? ys : x > 0.0 ? yp : yn;
  return a > 1.0 ? K(AJ_NAN) : y;
}

/* cbrt(x): |x| = 2^e m, e = 3q + rem; cbrt = 2^q cbrt(2^rem m) with
 * 2^rem m in [1, 8): a cubic minimax start (2^-7.6), two Halley steps
 * y (y^3 + 2v) / (2y^3 + v) (2^-22, 2^-66 in exact arithmetic), then one
 * Newton step on the exact residual y^3 - v (fma).  Contract: <= 1 ULP
 * (f64); cbrt(+-0) = +-0, cbrt(+-inf) = +-inf, NaN -> NaN. */
AJRT_INL VD FN(cbrt)(VD x, int lp) {
  (void)lp;
  VD ax = ABS(x);
  VL sub = ax < 0x1p-1022;
  VD xs = sub ? ax * 0x1p54 : ax;
  VL ix = ASL(xs);
  VD ed = FN(todbl)((ix >> 52) - 1023);
  VD q = FN(floor)((ed + 0.5) * (1.0 / 3.0));
  VD rem = ed - 3.0 * q;
  VD m = ASD((ix & 0xfffffffffffffLL) | 0x3ff0000000000000LL);
  VD v = m * (rem == 0.0 ? K(1.0) : rem == 1.0 ? K(2.0) : K(4.0));
  VD y = POLY(v, AJ_CBRT0_D);
  for (int i = 0; i < 2; i++) {
    VD y3 = y * y * y;
    y = y * (y3 + 2.0 * v) / (2.0 * y3 + v);
  }
  VD y2 = y * y, y2l = FMA(y, y, -y2);
  VD res = FMA(y2, y, -v) + y2l * y;
  y = y - res / (3.0 * y2);
  y = y * ASD((FN(toint)(q) + (sub & -18) + 1023) << 52);
  y = ((ax == 0.0) | (ax == AJ_INF) | (x != x)) ? ax : y;
  return CPS(y, x);
}

/* hypot(x, y) = 2^e sqrt(a'^2 + b'^2) with a', b' scaled by 2^-e (exact)
 * so that nothing overflows or underflows.  Contract: <= 1 ULP (f64);
 * hypot(+-inf, anything) = inf (even NaN), else NaN -> NaN. */
AJRT_INL VD FN(hypot)(VD x, VD y, int lp) {
  (void)lp;
  VD ax = ABS(x), ay = ABS(y);
  VL sw = ay > ax;
  VD mx = sw ? ay : ax, mn = sw ? ax : ay;
  VL e = (ASL(mx) >> 52) - 1023;
  e = e < -1022 ? KL(-1022) : e;
  e = e > 1022 ? KL(1022) : e;
  VD sc = ASD((1023 - e) << 52);
  VD a = mx * sc, b = mn * sc;
  VD h = SQRT(FMA(a, a, b * b)) * ASD((e + 1023) << 52);
  h = ((x != x) | (y != y)) ? x + y : h;
  return ((ax == AJ_INF) | (ay == AJ_INF)) ? K(AJ_INF) : h;
}

/* pow(x, y) = exp(y log|x|), log|x| as a double-double (logk, 2^-62) and
 * y log|x| as ph + pl (fma), so the exp argument is good to 2^-60
 * absolute even near the overflow threshold; sign and NaN from the
 * parity of y.  Annex F special cases are applied last: pow(x, +-0) = 1,
 * pow(1, y) = 1, pow(-1, +-inf) = 1, pow(+-0, y) and pow(+-inf, y) by the
 * sign and parity of y, pow(x < 0, non-integer) = NaN.  Contract:
 * <= 2 ULP (f64). */
AJRT_INL VD FN(pow)(VD x, VD y, int lp) {
  VD ax = ABS(x);
  VD lh, ll;
  VD k = FN(logk)(ax, &lh, &ll, 0);
  /* L = k ln2 + lh + ll as a double-double (k * LN2HI42 exact) */
  VD a = k * AJ_LN2HI42;
  VD sh = a + lh, bb = sh - a;
  VD err = (a - (sh - bb)) + (lh - bb);
  VD lo = err + (ll + k * AJ_LN2LO42);
  VD Lh = sh + lo, Ll = lo - (Lh - sh);
  VD ph = y * Lh;
  VD pl = FMA(y, Lh, -ph) + y * Ll;
  pl = ABS(ph) < 2048.0 ? pl : K(0);   /* beyond: 0 or inf anyway */
  VD r = FN(expk)(ph, pl, KL(0), lp);
  /* parity of y */
  VL yint = FN(floor)(y) == y;
  VD hy = 0.5 * y;
  VL yodd = yint & (FN(floor)(hy) != hy);
  VL xneg = ASL(x) < 0;
  VD ayinf = ABS(y);
  r = (ax == 0.0) ? (y < 0.0 ? K(AJ_INF) : K(0)) : r;
  r = (ax == AJ_INF) ? (y < 0.0 ? K(0) : K(AJ_INF)) : r;
  r = (xneg & yodd) ? -r : r;
  r = ((x < 0.0) & (ax != AJ_INF) & ~yint) ? K(AJ_NAN) : r;
  r = ((x != x) | (y != y)) ? x + y : r;
  r = ((ax == 1.0) & (ayinf == AJ_INF)) ? K(1.0) : r;
  return ((x == 1.0) | (y == 0.0)) ? K(1.0) : r;
}

/* sin/cos kernels on r = rh + rl, |r| <= pi/4 (1 + 2^-20):
 * sin r = r + r^3 S(r^2), cos r = 1 - r^2/2 + r^4 C(r^2) (minimax, 2^-52),
 * with the rounding of 1 - r^2/2 recovered (w = 1 - hz is exact up to the
 * term added back). */
AJRT_INL VD FN(sink)(VD rh, VD rl, int lp) {
  VD z = rh * rh;
  VD s = lp ? POLY(z, AJ_SINQ_DL) : POLY(z, AJ_SINQ_D);
  return rh + FMA(rh * z, s, rl);
}
AJRT_INL VD FN(cosk)(VD rh, VD rl, int lp) {
  VD z = rh * rh;
  VD c = lp ? POLY(z, AJ_COSQ_DL) : POLY(z, AJ_COSQ_D);
  VD hz = 0.5 * z;
  VD w = 1.0 - hz;
  return w + (((1.0 - w) - hz) + FMA(z * z, c, -rh * rl));
}

/* x * 2/pi reduced mod 4 for a = |x| with a 24-bit mantissa (every float,
 * exactly in double): a = M 2^E, M < 2^24 an integer.  Payne-Hanek with
 * 2/pi in 24-bit chunks C[i]: only chunks j.. j+4, j = floor((E - 2)/24)
 * (0 for E < 26), matter, since earlier chunks give multiples of 4 and
 * later ones less than 2^-71.  Each product M C[i] 2^(E - 24(i+1)) is an
 * exact double; the first two are reduced mod 4 exactly, n = round(sum),
 * and f = sum - n in [-1/2, 1/2] is formed as a double-double.  The chunk
 * window is chosen with four selects (j <= 4 for floats).  The terms are
 * summed by a chain of 2Sums (exact under cancellation).  Returns n mod 4
 * and r = f pi/2 as *rh + *rl (|r| <= pi/4, error < 2^-70); a < pi/4 is
 * returned unreduced. */
AJRT_INL VL FN(rempio2f)(VD a, VD *rh, VD *rl) {
  VL ia = ASL(a);
  VL E = (ia >> 52) - 1023 - 23;
  VD M = ASD((ia & 0xfffffffffffffLL) | 0x3ff0000000000000LL) * 0x1p23;
  VL m1 = E >= 26, m2 = E >= 50, m3 = E >= 74, m4 = E >= 98;
  VD c[5];
  for (int i = 0; i < 5; i++) {
    VD ci = K(AJ_2OPI24[i]);
    ci = m1 ? K(AJ_2OPI24[i + 1]) : ci;
    ci = m2 ? K(AJ_2OPI24[i + 2]) : ci;
    ci = m3 ? K(AJ_2OPI24[i + 3]) : ci;
    ci = m4 ? K(AJ_2OPI24[i + 4]) : ci;
    c[i] = ci;
  }
  VL j24 = (m1 & 24) + (m2 & 24) + (m3 & 24) + (m4 & 24);
  VD sc = ASD((E - 24 - j24 + 1023) << 52);   /* 2^(E - 24(j+1)) */
  VD p0 = M * c[0] * sc;
  VD p1 = M * c[1] * (sc * 0x1p-24);
  VD p2 = M * c[2] * (sc * 0x1p-48);
  VD p3 = M * c[3] * (sc * 0x1p-72);
  VD p4 = M * c[4] * (sc * 0x1p-96);
  p0 = p0 - 4.0 * FN(floor)(p0 * 0.25);
  p1 = p1 - 4.0 * FN(floor)(p1 * 0.25);
  VD n = FN(rint)(p0 + p1 + p2);
  VD fh = p0 - n;                       /* exact (a >= pi/4: E >= -24) */
  VD fl = K(0);
  VD pt[3] = {p1, p2, p3};
  for (int i = 0; i < 3; i++) {         /* fh + fl += pt[i], 2Sum */
    VD t = fh + pt[i], bb = t - fh;
    fl = fl + ((fh - (t - bb)) + (pt[i] - bb));
    fh = t;
  }
  fl = fl + p4;
  VD h = fh + fl;
  fl = fl - (h - fh);
  VD r = h * AJ_PIO2_HI;
  VD rlo = FMA(h, K(AJ_PIO2_HI), -r) + FMA(h, K(AJ_PIO2_LO), fl * AJ_PIO2_HI);
  VL small = a < AJ_PIO4_HI;               /* also zero: no reduction */
  *rh = small ? a : r;
  *rl = small ? K(0) : rlo;
  return small ? KL(0) : FN(toint)(n) & 3;
}

/* Payne-Hanek for any double a = |x| >= pi/4: the 53-bit mantissa is cut
 * into three 24-bit integers M0, M1, M2 (weights 2^E, 2^(E-24), 2^(E-48),
 * E = e - 23), so that piece p meets chunk j - p + i at the same scale as
 * piece 0 meets chunk j + i: T_i = M0 C[j+i] + M1 C[j+i-1] + M2 C[j+i-2]
 * is an exact integer below 2^50.  Seven chunks from j = floor((E - 2)/24)
 * (clamped to -2; the table has four zero chunks in front) are read per
 * lane; the neglected tail is below 2^-119, below the 2^-62 (relative)
 * of the closest double to a multiple of pi/2.  f is summed from the
 * exact terms by a chain of 2Sums, so cancellation is harmless.  For
 * a < pi/4: r = a, q = 0.  Lanes are independent; these table reads
 * are the only memory reads in the runtime. */
AJRT_INL VL FN(rempio2d)(VD a, VD *rh, VD *rl) {
  enum { W = (int)(sizeof(VD) / sizeof(double)) };
  VL ia = ASL(a);
  VL e = (ia >> 52) - 1023;
  VL E = e - 23;
  VL mant = (ia & 0xfffffffffffffLL) | 0x10000000000000LL;
  VD M0 = FN(todbl)(mant >> 29);
  VD M1 = FN(todbl)((mant >> 5) & 0xffffff);
  VD M2 = FN(todbl)((mant & 31) << 19);
  VD jd = FN(floor)(FN(todbl)(E - 2) * (1.0 / 24.0));
  jd = jd < -2.0 ? K(-2.0) : jd;
  jd = jd > 43.0 ? K(43.0) : jd;
  jd = a < 0x1p-20 ? K(0.0) : jd;          /* small or NaN lanes: unused */
  VL j = FN(toint)(jd);
  /* the table as a vector value, not an array: no global in the IR (the
   * runtime's functions are extracted one by one into bitcode blobs) */
  const aj_f64x64 tab = AJ_2OPI24P_V;
  VD c[9];
  for (int i = 0; i < 9; i++)
    for (int l = 0; l < W; l++) c[i][l] = tab[j[l] + 2 + i];
  VD T[7];
  for (int i = 0; i < 7; i++)
    T[i] = FMA(M0, c[i + 2], FMA(M1, c[i + 1], M2 * c[i]));
  VL ex = E - 24 * j - 24 + 1023;            /* in [1001, 1024] */
  VD sc = ASD((ex < 1 ? KL(1) : ex) << 52);
  VD p0 = T[0] * sc, p1 = T[1] * (sc * 0x1p-24), p2 = T[2] * (sc * 0x1p-48);
  VD p3 = T[3] * (sc * 0x1p-72), p4 = T[4] * (sc * 0x1p-96);
  VD p5 = T[5] * (sc * 0x1p-120), p6 = T[6] * (sc * 0x1p-144);
  p0 = p0 - 4.0 * FN(floor)(p0 * 0.25);
  p1 = p1 - 4.0 * FN(floor)(p1 * 0.25);
  VD s = p0 + p1;                            /* exact */
  VD n = FN(rint)(s + p2);
  VD fh = s - n;                             /* exact */
  VD fl = K(0);
  VD pt[4] = {p2, p3, p4, p5};
  for (int i = 0; i < 4; i++) {              /* fh + fl += pt[i], 2Sum */
    VD t = fh + pt[i], bb = t - fh;
    fl = fl + ((fh - (t - bb)) + (pt[i] - bb));
    fh = t;
  }
  fl = fl + p6;
  VD h = fh + fl;
  fl = fl - (h - fh);
  VD r = h * AJ_PIO2_HI;
  VD rlo = FMA(h, K(AJ_PIO2_HI), -r) + FMA(h, K(AJ_PIO2_LO), fl * AJ_PIO2_HI);
  VL small = a < AJ_PIO4_HI;
  *rh = small ? a : r;
  *rl = small ? K(0) : rlo;
  return small ? KL(0) : FN(toint)(n) & 3;
}

/* Reduction for sin/cos/tan: lp (float inputs) rempio2f, else rempio2d. */
AJRT_INL VL FN(rempio2)(VD a, VD *rh, VD *rl, int lp) {
  return lp ? FN(rempio2f)(a, rh, rl) : FN(rempio2d)(a, rh, rl);
}

/* sin(x): quadrant q of |x|: sin, cos, -sin, -cos; sign of x.
 * Contract: <= 1 ULP (f64, every double: rempio2d); sin(-0) = -0,
 * sin(+-inf) = NaN. */
AJRT_INL VD FN(sin)(VD x, int lp) {
  VD a = ABS(x), rh, rl;
  VL q = FN(rempio2)(a, &rh, &rl, lp);
  VD s = FN(sink)(rh, rl, lp), c = FN(cosk)(rh, rl, lp);
  VD y = (q & 1) != 0 ? c : s;
  y = (q & 2) != 0 ? -y : y;
  y = a < AJ_INF ? y : K(AJ_NAN);
  return ASD(ASL(y) ^ (ASL(x) & (long long)0x8000000000000000ULL));
}

/* cos(x): quadrant q: cos, -sin, -cos, sin.  Contract: <= 1 ULP (f64);
 * cos(+-inf) = NaN. */
AJRT_INL VD FN(cos)(VD x, int lp) {
  VD a = ABS(x), rh, rl;
  VL q = FN(rempio2)(a, &rh, &rl, lp);
  VD s = FN(sink)(rh, rl, lp), c = FN(cosk)(rh, rl, lp);
  VD y = (q & 1) != 0 ? s : c;
  y = ((q + 1) & 2) != 0 ? -y : y;
  return a < AJ_INF ? y : K(AJ_NAN);
}

/* tan(x) = sin r / cos r (q even) or -cos r / sin r (q odd); sign of x.
 * Contract: <= 3 ULP (f64); tan(-0) = -0, tan(+-inf) = NaN. */
AJRT_INL VD FN(tan)(VD x, int lp) {
  VD a = ABS(x), rh, rl;
  VL q = FN(rempio2)(a, &rh, &rl, lp);
  VD s = FN(sink)(rh, rl, lp), c = FN(cosk)(rh, rl, lp);
  VL odd = (q & 1) != 0;
  VD y = (odd ? -c : s) / (odd ? s : c);
  y = a < AJ_INF ? y : K(AJ_NAN);
  return ASD(ASL(y) ^ (ASL(x) & (long long)0x8000000000000000ULL));
}

#undef K
#undef KL
#undef ASL
#undef ASD

#elif AJRT_MATH_BODY == 32
/* ======================================================================== *
 * f32 (VF: float vector, VI: int32 vector / mask; VD, VL: the f64 vector  *
 * of the same width, used by the functions that compute in double)        *
 * ======================================================================== */
#define KF(c) ((VF)(float)(c))
#define ASI(x) ((VI)(x))
#define ASF(x) ((VF)(x))
#define FD(name) AJ_CAT3(name, _, DSFX)
#define TOD(x) __builtin_convertvector((x), VD)
#define TOF(x) __builtin_convertvector((x), VF)

AJRT_INL VF FN(polyf)(VF x, const float *c, int n) {
  VF p = KF(c[n - 1]);
  for (int i = n - 2; i >= 0; i--) p = FMA(p, x, KF(c[i]));
  return p;
}
#define POLYF(x, tab) FN(polyf)((x), (tab), (int)(sizeof(tab) / sizeof(tab[0])))

/* ---- width-specific helpers ---------------------------------------------
 * p * 2^nf for an integral float nf (|nf| <= 300), rounded once (into the
 * subnormals, to inf on overflow), for p of magnitude 2^-40 to 2.
 * AVX-512: vscalefps (one instruction); elsewhere two exact power-of-two
 * factors 2^(n>>1) and 2^(n-(n>>1)) with n clamped to [-200, 200] (beyond,
 * the result is 0 or inf either way), so that p 2^(n>>1) is exact and the
 * second product rounds once.  Both are the correctly rounded p 2^n, so
 * every width and ISA gives the same bits. */
AJRT_INL VF FN(scalef)(VF p, VF nf) {
#if defined(__AVX512F__) && AJ_W == 16
  return (VF)__builtin_ia32_scalefps512_mask((aj_v16sf)p, (aj_v16sf)nf,
                                             (aj_v16sf)p, (unsigned short)-1,
                                             4);
#elif defined(__AVX512VL__) && AJ_W == 8
  return (VF)__builtin_ia32_scalefps256_mask((aj_v8sf)p, (aj_v8sf)nf,
                                             (aj_v8sf)p, (unsigned char)-1);
#elif defined(__AVX512VL__) && AJ_W == 4
  return (VF)__builtin_ia32_scalefps128_mask((aj_v4sf)p, (aj_v4sf)nf,
                                             (aj_v4sf)p, (unsigned char)-1);
#elif defined(__AVX512F__) && AJ_W == 1
  aj_v4sf pv = {p[0], 0, 0, 0}, nv = {nf[0], 0, 0, 0};
  return (VF){__builtin_ia32_scalefss_round_mask(pv, nv, pv,
                                                 (unsigned char)-1, 4)[0]};
#else
  VF c = nf > 200.0f ? KF(200.0f) : nf;
  c = c < -200.0f ? KF(-200.0f) : c;
  VI n = __builtin_convertvector(c, VI);
  VI n1 = n >> 1, n2 = n - n1;
  return p * ASF((n1 + 127) << 23) * ASF((n2 + 127) << 23);
#endif
}

/* x = n ln2 + *r, nf = n returned as a float: exp's Cody-Waite
 * reduction (n = round(x log2e) by the 1.5 2^23 shifter; x - n LN2HI_F
 * exact for |n| <= 150, *r rounded once) for an x already clamped. */
AJRT_INL VF FN(exp_reduce)(VF xc, VF *r) {
  VF kd = FMA(xc, KF(AJ_LOG2E_F), KF(AJ_SHIFT23));
  VF nf = kd - AJ_SHIFT23;
  *r = FMA(-nf, KF(AJ_LN2LO_F), FMA(-nf, KF(AJ_LN2HI_F), xc));
  return nf;
}

/* exp(x), f32.  n = round(x log2e) by the 1.5 2^23 shifter (nf = n as a
 * float), r = x - n ln2 by Cody-Waite with ln 2 = LN2HI_F + LN2LO_F
 * (16 bits in HI: n HI and x - n HI are exact for |n| <= 150), so r is
 * rounded once (|err| <= 2^-26); e^r by AJ_EXP6_F in Horner form, then
 * 2^n e^r by one scalef (rounded once, also into the subnormals).
 * x is clamped to [-104, 89] (beyond, e^x rounds to 0 or inf), NaN kept.
 * 13 vector instructions at W = 16.  Contract: <= 1 ULP (exhaustive
 * max 0.932 at -0x1.4cd02p+2); inf from 88.7228 (0x1.62e430p6) up,
 * subnormal results below -87.34, 0 below -103.97; exp(-inf) = 0,
 * exp(inf) = inf, NaN -> NaN. */
AJRT_INL VF FN(exp)(VF x) {
  VF xc = x > 89.0f ? KF(89.0f) : x;
  xc = xc < -104.0f ? KF(-104.0f) : xc;
  VF r, nf = FN(exp_reduce)(xc, &r);
  VF p = POLYF(r, AJ_EXP6_F);
  p = FMA(p, r, KF(1.0f));
  p = FMA(p, r, KF(1.0f));
  return FN(scalef)(p, nf);
}

/* e^a = (*ph + *pl) 2^nf for a in [-104, 0] (NaN kept), nf returned:
 * the reduction of exp, e^r = 1 + r + r^2 q(r) with q = AJ_EXP6_F (the
 * same polynomial), carried as ph + pl: ph = 1 + (r + r^2 q) rounded,
 * and pl = ((1 - ph) + r) + r^2 q, where 1 - ph and (1 - ph) + r are
 * exact (Sterbenz: ph in [0.7, 1.5], and 1 - ph is within a factor 2 of
 * -r, ph being 1 + r rounded to nearest up to r^2 q).  r's
 * rounding (2^-26 absolute) is not recovered: e^a is good to about
 * 2^-25.5 relative, and the divisions by 1 + e^a built on it measure well
 * within 1 ULP (recovering it, with a degree-7 polynomial, would cost 3
 * instructions and gain 0.1 ULP).  exprhl: e^r = ph + pl from the
 * reduced argument r (|r| <= 0.35). */
AJRT_INL VF FN(exprhl)(VF r, VF *pl) {
  VF r2 = r * r, q = POLYF(r, AJ_EXP6_F);
  VF h = 1.0f + FMA(r2, q, r);
  *pl = ((1.0f - h) + r) + r2 * q;   /* 1 - h and (1 - h) + r are exact */
  return h;
}
AJRT_INL VF FN(exphl)(VF a, VF *ph, VF *pl) {
  a = a < -104.0f ? KF(-104.0f) : a;
  VF kd = FMA(a, KF(AJ_LOG2E_F), KF(AJ_SHIFT23));
  VF nf = kd - AJ_SHIFT23;
  VF r = FMA(-nf, KF(AJ_LN2HI_F), a);
  r = FMA(-nf, KF(AJ_LN2LO_F), r);
  *ph = FN(exprhl)(r, pl);
  return nf;
}

/* exp_hl(h, l) = e^(h + l), f32, for a value carried as a pair h + l
 * with |l| <= 2^-20 |h| (the codegen's float pairs, good to 2^-44: e^h
 * alone would be off by |l| relative, up to 50 ULP at h = -50).
 * n = round(h log2e), rh = h - n LN2HI_F exactly, t = l - n LN2LO_F
 * (|t| < 2^-12), r + dr = rh + t (Fast2Sum; dr recovers r's rounding,
 * which exp leaves, because |h| reaches 104 here where the argument's own
 * error matters), e^(r + dr) = ph + pl by exprhl with ph dr added to pl,
 * then (ph + pl) 2^n rounded once by scalef.  h is clamped to [-104, 89]
 * (l then dropped, as where it is not finite).  15 vector instructions at
 * W = 16.  Contract: <= 1 ULP of e^(h + l) for such pairs; inf from
 * h + l >= 88.7228, 0 below -103.97, NaN -> NaN. */
AJRT_INL VF FN(exp_hl)(VF h, VF l) {
  VF hc = h > 89.0f ? KF(89.0f) : h;
  hc = hc < -104.0f ? KF(-104.0f) : hc;
  l = ABS(l) < 1.0f && hc == h ? l : KF(0.0f);   /* 0 for NaN, clamped */
  VF kd = FMA(hc, KF(AJ_LOG2E_F), KF(AJ_SHIFT23));
  VF nf = kd - AJ_SHIFT23;
  VF rh = FMA(-nf, KF(AJ_LN2HI_F), hc);              /* exact */
  VF t = FMA(-nf, KF(AJ_LN2LO_F), l);
  VF r = rh + t, dr = (rh - r) + t;
  VF pl, ph = FN(exprhl)(r, &pl);
  pl = FMA(ph, dr, pl);
  return FN(scalef)(ph + pl, nf);
}

/* sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) below, e = e^-|x| as
 * eh + el (exphl, scaled by two scalefs; |el| <= 2^-23 eh).  One
 * division inv = 1/(1 + eh) rounded, q0 = num inv, and one correction
 * from the residual num - q0 (1 + eh + el), computed as
 * (num_hi - q0) - q0 eh + (num_lo - q0 el): num_hi - q0 is exact
 * (Sterbenz: q0 is within a factor 2 of num_hi), the fma rounds a value
 * of order 2^-24 num.  q = q0 + res inv, rounded once.  For x >= 17 the
 * result is 1 - e correctly rounded, for x <= -17 e (1 - e), subnormal
 * below -87.3 (e is rounded once into the subnormals by scalef and the
 * correction is below their spacing).  31 vector instructions at W = 16
 * (one division).  Contract: <= 1 ULP (exhaustive max 0.810 at
 * -0x1.dfa638p+5); sigmoid(-inf) = 0, sigmoid(inf) = 1, NaN -> NaN. */
AJRT_INL VF FN(sigmoid)(VF x) {
  VF ph, pl;
  VF nf = FN(exphl)(-ABS(x), &ph, &pl);
  VF eh = FN(scalef)(ph, nf), el = FN(scalef)(pl, nf);
  VF inv = 1.0f / (1.0f + eh);
  VI pos = x >= 0.0f;
  VF nh = pos ? KF(1.0f) : eh, nl = pos ? KF(0.0f) : el;
  VF q0 = nh * inv;
  VF res = FMA(-q0, eh, nh - q0) + FMA(-q0, el, nl);
  return FMA(res, inv, q0);
}

/* expm1(x), f32: x = n ln2 + r as in exp, r + dr exact to 2^-44,
 * expm1(r + dr) = th + tl (r + (r^2 q(r) + dr), Fast2Sum; AJ_EXP7_F),
 * and with h = 2^(n-1): expm1(x) = 2 ((h - 1/2) + h th + h tl), where
 * h - 1/2 = a + al exactly (al = 0 unless n > 24) and h th is exact, and
 * for n != 0 |a| >= |h th|, so that one Fast2Sum gives a + h th as y + e
 * exactly; then 2 (y + (h tl + e + al)) rounds once.  (n = 0:
 * h - 1/2 = 0 and the sum is th + tl.)  Working at half scale keeps 2^n
 * finite for n = 128.  x is clamped to [-17.5, 89]; |x| < 2^-24 gives x
 * (keeps -0 and the subnormals that halving would round).  r's rounding
 * is recovered here (and the degree-7 polynomial used): without, the
 * cancellation at n = +-1 doubles it past 1 ULP.  35 vector instructions
 * at W = 16.  Contract: <= 1 ULP (exhaustive max 0.907 at
 * 0x1.638a24p-2); expm1(-0) = -0, -1 below -17.33, inf from 88.7228,
 * NaN -> NaN. */
AJRT_INL VF FN(expm1)(VF x) {
  VF xc = x > 89.0f ? KF(89.0f) : x;
  xc = xc < -17.5f ? KF(-17.5f) : xc;
  VF kd = FMA(xc, KF(AJ_LOG2E_F), KF(AJ_SHIFT23));
  VF nf = kd - AJ_SHIFT23;
  VF rh = FMA(-nf, KF(AJ_LN2HI_F), xc);           /* exact */
  VF r = FMA(-nf, KF(AJ_LN2LO_F), rh);
  VF dr = FMA(-nf, KF(AJ_LN2LO_F), rh - r);
  VF w = FMA(r * r, POLYF(r, AJ_EXP7_F), dr);
  VF th = r + w, tl = (r - th) + w;
  VF h = FN(scalef)(KF(0.5f), nf);
  VF a = h - 0.5f, al = (h - a) - 0.5f;         /* a + al = h - 1/2 */
  VF b = h * th;
  VF y = a + b, e = (a - y) + b;
  VF z = 2.0f * (y + (FMA(h, tl, e) + al));
  return ABS(x) < 0x1p-24f ? x : z;
}

/* tanh's and tanh_fast's result from a = |x| and their exponential arm
 * yl: below a = 0.55 the odd polynomial a + a z P(z), z = a^2
 * (AJ_TANH5_F, 2^-29.8 relative), above it yl; the sign of x. */
AJRT_INL VF FN(tanh_arms)(VF x, VF a, VF yl) {
  VF z = a * a;
  VF ys = FMA(a * z, POLYF(z, AJ_TANH5_F), a);
  return CPS(a < 0.55f ? ys : yl, x);
}

/* tanh(x), a = |x|.  a < 0.55: a + a z P(z), z = a^2 (AJ_TANH5_F,
 * 2^-29.8 relative).  Otherwise (1 - e) / (1 + e), e = e^(-2a) as
 * eh + el (exphl): numerator nh + nl (1 - eh and its exact rounding
 * error), inv = 1/(1 + eh), q0 = nh inv and one correction from the
 * residual (nh - q0) - q0 eh + (nl - q0 el) as in sigmoid (nh - q0 is
 * exact: tanh >= 0.5 there).  Sign of x.  42 vector instructions at
 * W = 16 (one division).  Contract: <= 1 ULP (exhaustive max 0.730 at
 * 0x1.14172cp-1); tanh(+-0) = +-0, +-1 beyond 9.01, NaN -> NaN. */
AJRT_INL VF FN(tanh)(VF x) {
  VF a = ABS(x);
  VF ph, pl;
  VF nf = FN(exphl)(-2.0f * a, &ph, &pl);
  VF eh = FN(scalef)(ph, nf), el = FN(scalef)(pl, nf);
  VF nh = 1.0f - eh, nl = ((1.0f - nh) - eh) - el;
  VF inv = 1.0f / (1.0f + eh);
  VF q0 = nh * inv;
  VF res = FMA(-q0, eh, nh - q0) + FMA(-q0, el, nl);
  return FN(tanh_arms)(x, a, FMA(res, inv, q0));
}

/* sigmoid_fast and tanh_fast: the kernel's last operation.  A kernel's
 * result may be 2 ULP off (numerics.md: catalog forward <= 2 ULP), and
 * where sigmoid or tanh is the last operation nothing rounds after it, so
 * the codegen calls these (<= 1.5 ULP) there instead of the <= 1 ULP
 * functions above, whose hi + lo exponential costs about a third of
 * their time.  Anywhere else the 1 ULP versions stay: a later product or
 * sum would add its own half ULP on top.
 *
 * sigmoid_fast: e = e^-|x| (exp, <= 0.932 ULP), d = 1 + e with its exact
 * rounding error dl = (1 - d) + e (Fast2Sum, d >= 1 >= e), inv = 1/d,
 * q0 = num inv (num = 1, or e below 0) and one correction from the
 * residual num - q0 (d + dl) (the first fma is exact, the second rounds a
 * term of order 2^-24 num): q = q0 + res inv.  What is left is e's own
 * error (up to 0.932 ULP of e, which can be 1.86 ULP of the result when
 * their mantissas sit at opposite ends of the binade) and one rounding.
 * 20 vector instructions at W = 16 (sigmoid: 31).  Contract: <= 1.5 ULP
 * (exhaustive max 1.480 at -0x1.362c52p+2); sigmoid(-inf) = 0,
 * sigmoid(inf) = 1, NaN -> NaN. */
AJRT_INL VF FN(sigmoid_fast)(VF x) {
  VF e = FN(exp)(-ABS(x));
  VF d = 1.0f + e, dl = (1.0f - d) + e;
  VF num = x >= 0.0f ? KF(1.0f) : e;
  VF inv = 1.0f / d, q0 = num * inv;
  VF res = FMA(-q0, dl, FMA(-q0, d, num));
  return FMA(res, inv, q0);
}

/* tanh_fast: a < 0.55 as tanh; above, tanh = 1 - t, t = 2e / (1 + e),
 * e = e^(-2a) (exp, <= 0.932 ULP; 2e exact).  t <= 1/2 <= 1 - t, so t's
 * error (e's, the sum's and the quotient's roundings: under 2 ULP of t)
 * is under 1 ULP of the result, and 1 - t rounds once more.  Sign of x.
 * 26 vector instructions at W = 16 (tanh: 42).  Contract: <= 1.5 ULP
 * (exhaustive max 1.497 at 0x1.1b7ecp-1); tanh(+-0) = +-0, +-1 beyond
 * 9.01, NaN -> NaN. */
AJRT_INL VF FN(tanh_fast)(VF x) {
  VF a = ABS(x);
  VF e = FN(exp)(-2.0f * a);
  return FN(tanh_arms)(x, a, 1.0f - (2.0f * e) / (1.0f + e));
}

/* expm1_fast: expm1 without the recovery of r's rounding and with the
 * degree-6 polynomial of exp (AJ_EXP6_F), the whole sum in one fma:
 * th = e^r - 1 = r + r^2 q(r), h = 2^(n-1) (halved so that n = 128 stays
 * finite) and expm1(x) = 2 fma(h, th, h - 1/2) (h - 1/2 exact for
 * n <= 24), rounded once but for th's error (r's rounding, 2^-26
 * absolute, times 2h); the sign of x (expm1 has it: -0 stays -0).  18
 * vector instructions at W = 16 (expm1: 35).  Contract: <= 1.5 ULP
 * (exhaustive max 1.496 at 0x1.0fbc32p+4, where n = 1 doubles th's
 * error; below 0, elu's arm, the elu kernel measures 1.0);
 * expm1_fast(-0) = -0, -1 below -17.33, inf from 88.7228, NaN -> NaN;
 * |x| < 2^-125 may lose its last bit (h th = x/2 rounds there). */
AJRT_INL VF FN(expm1_fast)(VF x) {
  VF xc = x > 89.0f ? KF(89.0f) : x;
  xc = xc < -17.5f ? KF(-17.5f) : xc;
  VF r, nf = FN(exp_reduce)(xc, &r);
  VF th = FMA(r * r, POLYF(r, AJ_EXP6_F), r);
  VF h = FN(scalef)(KF(0.5f), nf);
  return CPS(2.0f * FMA(h, th, h - 0.5f), x);
}

/* softplus_fast: softplus as the kernel's last operation.  e = e^-|x|
 * (exp, <= 0.932 ULP), log1p(e) = t + t^3 Q(t^2) with t = 2e/(2 + e)
 * (AJ_SPQ4_F, as softplus): t = 2e inv, inv = 1/(2 + e) rounded (2e, not
 * e/2, so that t stays normal down to e's own subnormals), and the
 * quotient's correction res inv (res = 2e - t (d + dl), d = 2 + e with its
 * exact rounding error dl) added to the small term, so that t + c rounds
 * once; then max(x, 0) + that, once more where x > 0.  What is left is
 * e's error, two roundings and Q's 2^-25.  32 vector instructions at
 * W = 16 (softplus: 52).  Contract: <= 1.5 ULP (exhaustive max 1.493 at
 * -0x1.8f3a4cp+2); softplus_fast(-inf) = 0, (inf) = inf, NaN -> NaN. */
AJRT_INL VF FN(softplus_fast)(VF x) {
  VF e = FN(exp)(-ABS(x));
  VF d = 2.0f + e, dl = (2.0f - d) + e;
  VF e2 = 2.0f * e, inv = 1.0f / d, t = e2 * inv;
  VF res = FMA(-t, dl, FMA(-t, d, e2));
  VF u = t * t;
  VF c = FMA(t * u, POLYF(u, AJ_SPQ4_F), res * inv);
  VF xp = x > 0.0f ? x : KF(0.0f);
  return xp + (t + c);
}

/* x = 2^k m with m in [0.75, 1.5), for finite x > 0 (subnormals
 * included); returns m, *kf = k as a float.  AVX-512: vgetmantps
 * (interval [0.75, 1.5)) and vgetexpps, k one more where the mantissa was
 * halved (m < 1); elsewhere from the bits (subnormals scaled by 2^23
 * first).  Both exact, so every width gives the same m and k. */
AJRT_INL VF FN(frexpf)(VF x, VF *kf) {
#if defined(__AVX512F__) && AJ_W == 16
  VF m = (VF)__builtin_ia32_getmantps512_mask((aj_v16sf)x, 3, (aj_v16sf)x,
                                              (unsigned short)-1, 4);
  VF e = (VF)__builtin_ia32_getexpps512_mask((aj_v16sf)x, (aj_v16sf)x,
                                             (unsigned short)-1, 4);
  *kf = m < 1.0f ? e + 1.0f : e;
  return m;
#else
  VI sub = x < 0x1p-126f;
  VF xs = sub ? x * 0x1p23f : x;
  VI ix = ASI(xs);
  VI k = (ix - 0x3f400000) >> 23;
  *kf = __builtin_convertvector(k, VF) - (sub ? KF(23.0f) : KF(0.0f));
  return ASF(ix - (k << 23));
#endif
}

/* log1p(f + fl) = t + *lo (|lo| about 2^-24 |t|, unrounded), for f in
 * [-0.25, 1] (exact) and fl a small correction (|fl| <= 2^-23 (1 + f);
 * 0 when there is none).  log1p(f) = 2 atanh(s), s = f/(2 + f): with
 * t = 2s, log1p = t + t^3 Q(t^2), Q from tab (n coefficients).  One
 * division inv = 1/den, den = 2 + f rounded (den + dl = 2 + f + fl, the
 * rounding error of den exact by Fast2Sum), t = 2f inv and its correction
 * tl = (2f - t den + 2fl - t dl) inv from the exact fma residual, so that
 * t + tl = 2(f + fl)/(2 + f + fl) to about 2^-46, and
 * lo = tl + t^3 Q. */
AJRT_INL VF FN(log1pk)(VF f, VF fl, VF *lo, const float *tab, int n) {
  VF den = 2.0f + f;
  VF dl = ((2.0f - den) + f) + fl;               /* 2 - den exact */
  VF inv = 1.0f / den;
  VF f2 = f + f;
  VF t = f2 * inv;
  VF tl = (FMA(-t, den, f2) + FMA(-t, dl, fl + fl)) * inv;
  VF u = t * t;
  *lo = FMA(t * u, FN(polyf)(u, tab, n), tl);
  return t;
}

/* k ln2 + t + lo rounded once: k LN2HI_F (exact, |k| <= 150) + t by
 * Fast2Sum (|t| <= 0.41 < ln 2 unless k = 0), its error, k LN2LO_F and
 * lo added to the low part.  Then the special values of the log family
 * by x, the argument of the log (1 + x for log1p): +inf -> +inf,
 * +-0 -> -inf, x < 0 -> NaN, NaN -> NaN; AVX-512: one vfixupimmps, whose
 * table 0x03530421 maps (by nibble, from the low one) QNaN -> x,
 * SNaN -> QNaN(x), 0 -> -inf, 1 -> keep, -inf -> NaN, +inf -> +inf,
 * x < 0 -> NaN, x > 0 -> keep; elsewhere selects. */
AJRT_INL VF FN(logsumf)(VF x, VF kf, VF t, VF lo) {
  VF kh = kf * AJ_LN2HI_F;
  VF h = kh + t;
  VF y = h + (((kh - h) + t) + FMA(kf, KF(AJ_LN2LO_F), lo));
#if defined(__AVX512F__) && AJ_W == 16
  return (VF)__builtin_ia32_fixupimmps512_mask(
      (aj_v16sf)y, (aj_v16sf)x, (aj_v16si)(aj_i32x16)0x03530421, 0,
      (unsigned short)-1, 4);
#else
  y = x == AJ_INFF ? x : y;
  y = x == 0.0f ? KF(-AJ_INFF) : y;
  return x < 0.0f || x != x ? KF(AJ_NANF) : y;
#endif
}

/* log(x), f32: x = 2^k m (frexpf), f = m - 1 (exact, in [-0.25, 0.5)),
 * log x = k ln2 + log1p(f) by log1pk (AJ_LOGQ2_F) and logsumf, rounded
 * once.  30 vector instructions at W = 16 (one division).  Contract:
 * <= 1 ULP (exhaustive max 0.660); log(1) = +0,
 * log(+-0) = -inf, log(inf) = inf, x < 0 -> NaN, NaN -> NaN. */
AJRT_INL VF FN(log)(VF x) {
  VF kf, lo;
  VF f = FN(frexpf)(x, &kf) - 1.0f;
  VF t = FN(log1pk)(f, KF(0.0f), &lo, AJ_LOGQ2_F, 3);
  return FN(logsumf)(x, kf, t, lo);
}

/* log1p(x), f32: u = 1 + x rounded and c = (1 - u) + x its exact rounding
 * error (exact for x >= -1: 1 - u is exact, and so is the sum, which is
 * representable; for x >= 2^24, where this is not so, c is below the
 * result's precision anyway); u = 2^k m, and log1p(x) = k ln2 +
 * log1p(f + c 2^-k) with f = m - 1, by log1pk (the correction c 2^-k
 * enters its division residual exactly).  Where k = 0 (x in [-0.25,
 * 0.5)) f + c is x itself, and f = x, c = 0 are used instead: near 0,
 * f and c can cancel (x = -2^-25 (1 + d): f = -2^-24, c = x - f), which
 * would leave the result to the rounding of the correction.  Tiny x:
 * t = (2x) (1/2) = x exactly.  Sign of x (for -0).  38 vector
 * instructions at W = 16 (one division).  Contract: <= 1 ULP
 * (exhaustive max 0.683); log1p(-0) = -0, log1p(-1) = -inf,
 * x < -1 -> NaN, log1p(inf) = inf, NaN -> NaN. */
AJRT_INL VF FN(log1p)(VF x) {
  VF u = 1.0f + x;
  VF c = (1.0f - u) + x;
  VF kf, lo;
  VF f = FN(frexpf)(u, &kf) - 1.0f;
  VF fl = FN(scalef)(c, -kf);
  VI k0 = kf == 0.0f;
  f = k0 ? x : f;
  fl = k0 ? KF(0.0f) : fl;
  VF t = FN(log1pk)(f, fl, &lo, AJ_LOGQ2_F, 3);
  return CPS(FN(logsumf)(u, kf, t, lo), x);
}

/* softplus(x) = max(x, 0) + log1p(e), e = e^-|x| in (0, 1] as eh + el
 * (exphl, scaled).  log1p(e) = t + t^3 Q(t^2), t = 2e/(2 + e) in
 * (0, 2/3] with its division correction as in log1pk (k = 0; Q on
 * t^2 <= 0.4445: AJ_SPQ4_F), and max(x, 0) + t + lo summed by one
 * Fast2Sum of the larger and the smaller of max(x, 0) and t, and the
 * low parts, so that the result is rounded once.  Subnormal results
 * below -87.3 (e rounded once into the subnormals); x itself above
 * 2^24.  52 vector instructions at W = 16 (one division).  Contract:
 * <= 1 ULP (exhaustive max 0.810); softplus(-inf) = 0, softplus(inf) = inf,
 * e^x (to rounding) below -17, x above 17, NaN -> NaN. */
AJRT_INL VF FN(softplus)(VF x) {
  VF ph, pl;
  VF nf = FN(exphl)(-ABS(x), &ph, &pl);
  VF eh = FN(scalef)(ph, nf), el = FN(scalef)(pl, nf);
  VF lo;
  VF t = FN(log1pk)(eh, el, &lo, AJ_SPQ4_F, 5);
  VF xp = x > 0.0f ? x : KF(0.0f);
  VF a = xp > t ? xp : t, b = xp > t ? t : xp;
  VF s = a + b;
  VF y = s + (((a - s) + b) + lo);
  return x > 0x1p24f ? x : y;          /* x = inf: inf - inf in y */
}

/* One entry per lane of a 16-entry constant table, by idx & 15.  AVX-512
 * (W = 16): vpermps from the table held in a register (one load of the
 * 64-byte constant, hoisted out of a kernel's loop); elsewhere lane by
 * lane.  The same entries, so every width gives the same bits. */
AJRT_INL VF FN(tab16)(VI idx, const float *t) {
#if defined(__AVX512F__) && AJ_W == 16
  aj_v16sf tv;
  __builtin_memcpy(&tv, t, sizeof tv);
  return (VF)__builtin_ia32_permvarsf512(tv, (aj_v16si)idx);
#else
  VF r;
  for (int i = 0; i < AJ_W; i++) r[i] = t[idx[i] & 15];
  return r;
#endif
}

/* Piecewise polynomial by table: c0 + u (c1 + u (... + u cn)) for the
 * lane's interval idx, u = a - centre (exact where a is within a factor 2
 * of the centre: all but a < 1/16 in the first interval of AJ_ERFCT_F and
 * AJ_PHIT_F, where u errs by 2^-28 at most, 2^-28 of their R ~ 1).  tab
 * rows: centre, c0, c1, ..., cn (16 entries each).  Returns c0,
 * *up = u (c1 + ...) rounded and *upl its rounding error (fma). */
AJRT_INL VF FN(tabpoly)(VF a, VI idx, const float (*tab)[16], int n,
                        VF *up, VF *upl) {
  VF u = a - FN(tab16)(idx, tab[0]);
  VF p = FN(tab16)(idx, tab[n + 1]);
  for (int k = n; k >= 2; k--) p = FMA(p, u, FN(tab16)(idx, tab[k]));
  *up = u * p;
  *upl = FMA(u, p, -*up);
  return FN(tab16)(idx, tab[1]);
}

/* e^-(s (ah + al)) R(a) = erfc(a) (s = 1, R = AJ_ERFCT_F) or Phi(-a)
 * (s = 1/2, R = AJ_PHIT_F), for a in [lo, hi] (the table's range), rounded
 * once: with u, c0 and u P from tabpoly, and e^-(...) = (ph + pl) 2^n from
 * the exact square a^2 = ah + al (fma), its exponent reduced as in exp
 * (n from s ah; rh = -s ah - n LN2HI_F exactly, t = -n LN2LO_F - s al
 * (|t| < 2^-12), r = rh + t rounded and its error dr exact (Fast2Sum))
 * and e^(r + dr) = ph + pl as in exphl with ph dr added to pl, the
 * product (ph + pl)(c0 + u P) = ph c0 + (ph up + ph upl + pl (c0 + up))
 * is taken by three fmas (ph c0 exact in the outer one) and scaled once
 * by 2^n: u P can be 14% of R, so its own rounding (upl) counts.
 * c0 is exact: each interval's centre is the float near its midpoint
 * where R is within 2^-12 ULP of a float. */
/* e^-(s a^2) = (*ph + *pl) 2^nf, nf returned: erfctail's exponential. */
AJRT_INL VF FN(erfcexp)(VF a, float s, VF *ph, VF *pl) {
  VF ah = a * a, al = FMA(a, a, -ah);
  VF sa = s * ah;                                   /* exact */
  VF kd = FMA(sa, KF(-AJ_LOG2E_F), KF(AJ_SHIFT23));
  VF nf = kd - AJ_SHIFT23;
  VF rh = FMA(-nf, KF(AJ_LN2HI_F), -sa);            /* exact */
  VF t = FMA(-nf, KF(AJ_LN2LO_F), -s * al);          /* |t| < 2^-12 */
  VF r = rh + t, dr = (rh - r) + t;                  /* r + dr exact */
  *ph = FN(exprhl)(r, pl);
  *pl = FMA(*ph, dr, *pl);
  return nf;
}
AJRT_INL VF FN(erfctail)(VF a, VI idx, const float (*tab)[16], float s) {
  VF up, upl, c0 = FN(tabpoly)(a, idx, tab, 6, &up, &upl);
  VF pl, ph, nf = FN(erfcexp)(a, s, &ph, &pl);
  VF w = FMA(ph, c0, FMA(ph, up, FMA(ph, upl, pl * (c0 + up))));
  return FN(scalef)(w, nf);
}

/* erf(x), f32, a = |x|.  a < 0.5: x (2/sqrt(pi) + z P(z)), z = x^2,
 * P = AJ_ERFP_F (2^-29.2 relative), 2/sqrt(pi) = ERF_CH + ERF_CL (float +
 * float), as x CH + x (CL + z P) rounded once (x CH exact in the fma;
 * |x (CL + z P)| <= 4% of erf), at x 2^32 and scaled back (one more
 * rounding only where the result is subnormal: x CL would round to the
 * subnormal spacing).
 * a >= 0.5: erf(a) directly by a piecewise polynomial of degree 7
 * (AJ_ERFT_F: 9 intervals on [0.5, 4.5] indexed by the top bits of
 * a + 0.5; |u P| is at most 8% of erf, so its rounding costs little), a
 * clamped to 4.5 (erf rounds to 1 from 3.92 on); sign of x.  No
 * exponential, no division: 34 vector instructions at W = 16.
 * Contract: <= 1 ULP (exhaustive max 0.750, at a subnormal result);
 * erf(+-0) = +-0, erf(+-inf) = +-1, NaN -> NaN. */
AJRT_INL VF FN(erf)(VF x) {
  VF a = ABS(x), z = x * x;
  VF xs = x * 0x1p32f;                     /* tiny x: x CL is not subnormal */
  VF rest = xs * FMA(z, POLYF(z, AJ_ERFP_F), KF(AJ_ERF_CL));
  VF ys = FMA(xs, KF(AJ_ERF_CH), rest) * 0x1p-32f;
  VF ac = a > 4.5f ? KF(4.5f) : a;
  VI idx = (ASI(ac + 0.5f) >> 21) - (0x3f800000 >> 21);
  VF up, upl, c0 = FN(tabpoly)(ac, idx, AJ_ERFT_F, 7, &up, &upl);
  return CPS(a < 0.5f ? ys : c0 + up, x);   /* CPS: erf(-0) = -0 */
}

/* erfc(x), f32, a = |x|: E = e^(-a^2) R(a) by erfctail (AJ_ERFCT_F: 14
 * intervals on [0, 10.5] indexed by the top bits of a + 1), a clamped to
 * 10.5 (erfc is 0 from 10.0554 on); x < 0: 2 - E.  No division, no
 * separate branch near 0: 52 vector instructions at W = 16.  Contract:
 * <= 1 ULP (exhaustive max 0.891 at -0x1.31937ep-11), relative,
 * including the subnormal tail (rounded once by scalef); erfc(+-0) = 1,
 * erfc(-inf) = 2, erfc(inf) = 0, NaN -> NaN. */
AJRT_INL VF FN(erfc)(VF x) {
  VF a = ABS(x);
  VF ac = a > 10.5f ? KF(10.5f) : a;
  VI idx = (ASI(ac + 1.0f) >> 21) - (0x3f800000 >> 21);
  VF e = FN(erfctail)(ac, idx, AJ_ERFCT_F, 1.0f);
  return x < 0.0f ? 2.0f - e : e;
}

/* normcdf(x) = Phi(x) = erfc(-x/sqrt2)/2, f32, b = |x|, computed in x
 * itself (no rounding of x/sqrt2, whose error erfc would multiply by
 * 2a^2 + 1): E = Phi(-b) = e^(-b^2/2) R(b) by erfctail (AJ_PHIT_F: 16
 * intervals on [0, 14.5] indexed by the top bits of b + 1), b clamped
 * to 14.5 (Phi rounds to 0 below -14.1); x > 0: 1 - E (E <= 1/2: no
 * cancellation).  54 vector instructions at W = 16 (no division).
 * Contract: <= 1 ULP (exhaustive max 0.841 at 0x1.39e3bp-8), subnormal
 * results down to x = -14.1;
 * normcdf(+-0) = 0.5, normcdf(-inf) = 0, normcdf(inf) = 1, NaN -> NaN. */
AJRT_INL VF FN(normcdf)(VF x) {
  VF b = ABS(x);
  VF bc = b > 14.5f ? KF(14.5f) : b;
  VI idx = (ASI(bc + 1.0f) >> 21) - (0x3f800000 >> 21);
  VF e = FN(erfctail)(bc, idx, AJ_PHIT_F, 0.5f);
  return x > 0.0f ? 1.0f - e : e;
}

/* normcdf_vpdf(x, v) = Phi(x) + v phi(x), phi(x) = e^(-x^2/2)/sqrt(2 pi)
 * (gelu' = normcdf_vpdf(x, x)), f32, b = |x|: with E = e^(-b^2/2) and
 * R(b) = Phi(-b)/E as in normcdf (AJ_PHIT_F, erfcexp), the sum is
 * E (R + v c) for x <= 0 and 1 - E (R - v c) above, c = 1/sqrt(2 pi):
 * one exponential for both terms (gelu' from normcdf and an exp of its
 * own: 112 instructions; this way about 66).  +-v c, as a float pair,
 * joins R's table centre c0 (exactly, where the two cancel) before the
 * products with E, so the sum is rounded about as normcdf is.  Beyond
 * b = 14.5 (b clamped, as in normcdf) the pdf term is dropped: below
 * float's range for |v| <= 2^20 (1 + |x|), the contract's domain.
 * Contract: <= 3 ULP where the sum does not cancel (v >= 0, or x > 0 with
 * v > -1/x); near a root of the sum (gelu' at x = -0.75) the error is
 * that of the terms, a few ULP of phi; normcdf_vpdf(-inf, v) = 0,
 * (+inf, v) = 1, NaN -> NaN. */
AJRT_INL VF FN(normcdf_vpdf)(VF x, VF v) {
  VF b = ABS(x);
  VF bc = b > 14.5f ? KF(14.5f) : b;
  VI idx = (ASI(bc + 1.0f) >> 21) - (0x3f800000 >> 21);
  VF up, upl, c0 = FN(tabpoly)(bc, idx, AJ_PHIT_F, 6, &up, &upl);
  /* +-v c = vh + vl (c = CH + CL, vh's rounding recovered by fma) */
  const float CH = (float)AJ_RSQRT2PI, CL = (float)(AJ_RSQRT2PI - CH);
  VF sv = x > 0.0f ? -v : v;
  sv = b > 14.5f ? sv * 0.0f : sv;                /* NaN v stays NaN */
  VF vh = sv * CH, vl = FMA(sv, KF(CH), -vh) + sv * CL;
  /* R + vh + vl = S + T: S = c0 + vh is exact where they cancel (Sterbenz:
  ** gelu' near its root, c0 ~ -vh) and has a small relative error where
  ** they do not; T = up + upl + vl holds the small parts */
  VF S = c0 + vh, T = up + (upl + vl);
  VF pl, ph, nf = FN(erfcexp)(bc, 0.5f, &ph, &pl);
  VF w = FMA(ph, S, FMA(ph, T, pl * (S + T)));
  VF e = FN(scalef)(w, nf);
  return x > 0.0f ? 1.0f - e : e;
}

/* The rest compute in double (lp = 1 variants of the f64 algorithms,
 * about 2^-30 relative or better) and round once: <= 0.5 + 2^-6 ULP in
 * exact arithmetic, so <= 1 ULP (sampled: all <= 0.502); special values
 * as in the f64 contracts, with overflow and underflow decided by the
 * final rounding to float. */
#define AJ_VIA_D1(name)                                                     \
  AJRT_INL VF FN(name)(VF x) { return TOF(FD(name)(TOD(x), 1)); }
#define AJ_VIA_D2(name)                                                     \
  AJRT_INL VF FN(name)(VF x, VF y) {                                       \
    return TOF(FD(name)(TOD(x), TOD(y), 1));                               \
  }
AJ_VIA_D1(exp2) AJ_VIA_D1(log2)
AJ_VIA_D1(log10)
AJ_VIA_D1(sin) AJ_VIA_D1(cos) AJ_VIA_D1(tan) AJ_VIA_D1(atan)
AJ_VIA_D1(asin) AJ_VIA_D1(acos) AJ_VIA_D1(sinh) AJ_VIA_D1(cosh)
AJ_VIA_D1(asinh) AJ_VIA_D1(acosh) AJ_VIA_D1(atanh) AJ_VIA_D1(cbrt)
AJ_VIA_D2(atan2) AJ_VIA_D2(pow) AJ_VIA_D2(hypot)
#undef AJ_VIA_D1
#undef AJ_VIA_D2

#undef KF
#undef ASI
#undef ASF
#undef FD
#undef TOD
#undef TOF
#endif /* AJRT_MATH_BODY == 32 */

#undef FN
#undef POLY
#undef POLYF
#endif /* AJRT_MATH_BODY */
