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
 * the code), branch on data, or depend on the rounding of fast-math.
 * Compile with -O2 -ffp-contract=off (fma only where written).
 *
 * Design.  Two strategies:
 *  - f32 exp, expm1, sigmoid, tanh compute natively in float (they are on
 *    the hot path of the activations).  The core is one range-reduced
 *    exponential returning hi + lo (about 2^-28 relative), so that the
 *    divisions and subtractions built on it keep the final error below
 *    1 ULP.
 *  - every other f32 function widens to double, runs the f64 algorithm
 *    with shorter polynomials (lp = 1: about 2^-30 relative is enough,
 *    since rounding a double that good to float is within 0.5 + 2^-6
 *    ULP), and rounds once.  Accuracy is then the rounding alone.
 * The f64 functions use minimax polynomials accurate to 2^-52 or better
 * (lp = 0) and double-double steps where cancellation would lose bits.
 *
 * Coefficients: minimax (Remez exchange, relative error unless noted)
 * fitted by a throwaway program in long double, with the target functions
 * evaluated by MPFR at 256 bits; each table says the interval, the degree
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
#define AJ_SQRT1_2_HI 0x1.6a09e667f3bcdp-1       /* 1/sqrt(2) = HI + LO */
#define AJ_SQRT1_2_LO -0x1.bdd3413b26456p-55
#define AJ_TANPI8 0x1.a827999fcef32p-2          /* tan(pi/8) = sqrt2 - 1 */
#define AJ_TAN3PI8 0x1.3504f333f9de6p1          /* tan(3pi/8) = sqrt2 + 1 */
/* float: ln 2 = LN2HI_F + LN2LO_F with 16 significant bits in LN2HI_F, so
 * that n * LN2HI_F (|n| <= 150) and x - n * LN2HI_F are exact. */
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
/* AJ_EXPQ_F: expq on [-0.3467, 0.3467], degree 5: minimax rel error 2.69e-09
   (2^-28.5), after rounding 1.02e-08 (2^-26.5) */
static const float AJ_EXPQ_F[6] = {
  0x1p-1f, 0x1.555556p-3f, 0x1.5554eap-5f, 0x1.11114cp-7f, 0x1.6d4302p-10f,
  0x1.a072dp-13f,
};

/* AJ_TANHQ_F: tanhq on [0, 0.0977], degree 4: minimax rel error 1.7e-10
   (2^-32.5), after rounding 3.01e-08 (2^-25.0) */
static const float AJ_TANHQ_F[5] = {
  -0x1.555556p-2f, 0x1.11110ep-3f, -0x1.ba16a2p-5f, 0x1.652de4p-6f,
  -0x1.076fe4p-7f,
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
#define DSFX f64x1
#include "ajrt_math.h"
#undef VF
#undef VI
#undef VD
#undef VL
#undef SFX
#undef DSFX
#define VF aj_f32x4
#define VI aj_i32x4
#define VD aj_f64x4
#define VL aj_i64x4
#define SFX f32x4
#define DSFX f64x4
#include "ajrt_math.h"
#undef VF
#undef VI
#undef VD
#undef VL
#undef SFX
#undef DSFX
#define VF aj_f32x8
#define VI aj_i32x8
#define VD aj_f64x8
#define VL aj_i64x8
#define SFX f32x8
#define DSFX f64x8
#include "ajrt_math.h"
#undef VF
#undef VI
#undef VD
#undef VL
#undef SFX
#undef DSFX
#define VF aj_f32x16
#define VI aj_i32x16
#define VD aj_f64x16
#define VL aj_i64x16
#define SFX f32x16
#define DSFX f64x16
#include "ajrt_math.h"
#undef VF
#undef VI
#undef VD
#undef VL
#undef SFX
#undef DSFX
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

/* softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|).  Contract:
 * <= 2 ULP (f64); softplus(-inf) = 0, softplus(inf) = inf, e^x (to
 * rounding) below -37, x above 37. */
AJRT_INL VD FN(softplus)(VD x, int lp) {
  VD e = FN(exp)(-ABS(x), lp);
  return (x > 0.0 ? x : K(0.0)) + FN(log1p)(e, lp);
}

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

/* The float exponential core.  x is clamped to [-104, 89] (NaN kept):
 * beyond, e^x rounds to 0 or inf.  n = round(x log2e) (via the 1.5 2^23
 * shifter, which also leaves n in the low bits), r = x - n ln2 with
 * LN2HI_F of 16 bits so that x - n LN2HI_F is exact, and the rounding
 * error dr of subtracting n LN2LO_F recovered by one more fma:
 * r + dr = x - n ln2 to 2^-37.  e^(r + dr) = 1 + r + (r^2 q(r) + dr),
 * q minimax of degree 5 (AJ_EXPQ_F, 2^-26.5 relative with float
 * coefficients, so r^2 q errs by 2^-30 of the result at most), summed as
 * th + tl (Fast2Sum) and then 1 + th + tl as *ph + *pl (Fast2Sum):
 * e^x = (ph + pl) 2^n to about 2^-29.  Returns n; the caller scales.
 * (exp alone keeps only ph: about 25 vector instructions once the
 * constants are hoisted out of a loop.) */
AJRT_INL VI FN(expcore)(VF x, VF *ph, VF *pl) {
  VF xc = x > 89.0f ? KF(89.0f) : x;
  xc = xc < -104.0f ? KF(-104.0f) : xc;
  VF kd = FMA(xc, KF(AJ_LOG2E_F), KF(AJ_SHIFT23));
  VF nf = kd - AJ_SHIFT23;
  VF rh = FMA(-nf, KF(AJ_LN2HI_F), xc);          /* exact */
  VF r = FMA(-nf, KF(AJ_LN2LO_F), rh);
  VF dr = FMA(-nf, KF(AJ_LN2LO_F), rh - r);      /* rh - r exact */
  VF u = FMA(r * r, POLYF(r, AJ_EXPQ_F), dr);
  VF th = r + u, tl = (r - th) + u;
  VF h = 1.0f + th;
  *ph = h;
  *pl = ((1.0f - h) + th) + tl;
  return ASI(kd) - ASI(KF(AJ_SHIFT23));
}

/* 2^n as two float factors (n in [-152, 128]) so that (p s1) s2 rounds
 * once into the subnormal range and reaches inf at 2^128. */
AJRT_INL VF FN(s1)(VI n) { return ASF(((n >> 1) + 127) << 23); }
AJRT_INL VF FN(s2)(VI n) { return ASF((n - (n >> 1) + 127) << 23); }

/* e^x as hi + lo (|lo| <= ulp(hi)/2 + 2^-28 hi), for sigmoid and tanh. */
AJRT_INL VF FN(exphl)(VF x, VF *lo) {
  VF ph, pl;
  VI n = FN(expcore)(x, &ph, &pl);
  VF s1 = FN(s1)(n), s2 = FN(s2)(n);
  *lo = pl * s1 * s2;
  return ph * s1 * s2;
}

/* exp(x), f32.  Contract: <= 1 ULP on every float (exhaustive max in the
 * report of bench/ulp_exhaustive); inf from 88.7228 (0x1.62e430p6) up,
 * subnormal results below -87.34, 0 below -103.97; exp(-inf) = 0,
 * exp(inf) = inf, NaN -> NaN. */
AJRT_INL VF FN(exp)(VF x) {
  VF ph, pl;
  VI n = FN(expcore)(x, &ph, &pl);
  return ph * FN(s1)(n) * FN(s2)(n);
}

/* expm1(x), f32: x = n ln2 + r, expm1 = (2^n - 1) + 2^n (ph + pl) with
 * ph + pl = expm1(r) from the exp core (th + tl); 2^n - 1 and 2^n ph are
 * exact and summed by 2Sum, so the result is rounded once.  For n > 0 the
 * sum is taken at half scale (2^(n-1) - 1/2) and doubled, so that n = 128
 * does not overflow the power of two.  Contract: <= 1 ULP (0.869
 * exhaustive); expm1(-0) = -0,
 * tiny x -> x, -1 below -17.33, inf from 88.7228, NaN -> NaN. */
AJRT_INL VF FN(expm1)(VF x) {
  VF xc = x > 89.0f ? KF(89.0f) : x;
  xc = xc < -18.0f ? KF(-18.0f) : xc;
  VF kd = FMA(xc, KF(AJ_LOG2E_F), KF(AJ_SHIFT23));
  VF nf = kd - AJ_SHIFT23;
  VF rh = FMA(-nf, KF(AJ_LN2HI_F), xc);
  VF r = FMA(-nf, KF(AJ_LN2LO_F), rh);
  VF dr = FMA(-nf, KF(AJ_LN2LO_F), rh - r);
  VF u = FMA(r * r, POLYF(r, AJ_EXPQ_F), dr);
  VF th = r + u, tl = (r - th) + u;              /* expm1(r) = th + tl */
  VI n = ASI(kd) - ASI(KF(AJ_SHIFT23));
  VI pos = n > 0;
  VF e = ASF((n + pos + 127) << 23);             /* 2^(n - [n > 0]) */
  VF c = pos ? KF(0.5f) : KF(1.0f);
  VF w = e - c, wl = (e - w) - c;                /* w + wl = e - c exactly */
  VF v = e * th;                                 /* exact */
  VF s = w + v, bb = s - w;
  VF err = (w - (s - bb)) + (v - bb);
  VF y = (s + (FMA(e, tl, err) + wl)) * (pos ? KF(2.0f) : KF(1.0f));
  return CPS(y, x);
}

/* sigmoid(x) = 1 / (1 + e) (x >= 0) or e / (1 + e) (x < 0), e = e^-|x|
 * as eh + el.  d = 1 + e as dh + dl (Fast2Sum), numerator nh + nl, one
 * division for 1/dh, then q0 = nh/dh and one correction from the exact
 * residual: q = q0 + (nh - q0 dh + nl - q0 dl) / dh.  No cancellation
 * anywhere: for x >= 17 the result is 1 - e correctly, for x <= -17 it is
 * e (1 - e), subnormal below -87.3.  Contract: <= 1 ULP (0.770
 * exhaustive);
 * sigmoid(-inf) = 0, sigmoid(inf) = 1, NaN -> NaN. */
AJRT_INL VF FN(sigmoid)(VF x) {
  VF el, eh = FN(exphl)(-ABS(x), &el);
  VF dh = 1.0f + eh;
  VF dl = ((1.0f - dh) + eh) + el;
  VI pos = x >= 0.0f;
  VF nh = pos ? KF(1.0f) : eh, nl = pos ? KF(0.0f) : el;
  VF inv = 1.0f / dh;
  VF q0 = nh * inv;
  VF res = FMA(-q0, dh, nh) + FMA(-q0, dl, nl);
  return FMA(res, inv, q0);
}

/* tanh(x), a = |x|.  a < 0.3125: a + a^3 P(a^2), P minimax (AJ_TANHQ_F,
 * 2^-25 relative after rounding).  Otherwise (1 - e) / (1 + e) with
 * e = e^(-2a) as eh + el, numerator and denominator as double-floats and
 * one corrected division as in sigmoid: the cancellation in 1 - e costs
 * nothing because e carries 2^-28.  Sign of x.  Contract: <= 1 ULP (0.599
 * exhaustive);
 * tanh(+-0) = +-0, x for |x| < 2^-12 (to rounding), +-1 beyond 9.01,
 * NaN -> NaN. */
AJRT_INL VF FN(tanh)(VF x) {
  VF a = ABS(x), z = a * a;
  VF ys = FMA(a * z, POLYF(z, AJ_TANHQ_F), a);
  VF el, eh = FN(exphl)(-2.0f * a, &el);
  VF nh = 1.0f - eh, nl = ((1.0f - nh) - eh) - el;
  VF dh = 1.0f + eh, dl = ((1.0f - dh) + eh) + el;
  VF inv = 1.0f / dh;
  VF q0 = nh * inv;
  VF res = FMA(-q0, dh, nh) + FMA(-q0, dl, nl);
  VF yl = FMA(res, inv, q0);
  return CPS(a < 0.3125f ? ys : yl, x);
}

/* The rest compute in double (lp = 1 variants of the f64 algorithms,
 * about 2^-30 relative or better) and round once: <= 0.5 + 2^-6 ULP in
 * exact arithmetic, so <= 1 ULP (exhaustive: log 0.5002, log1p 0.5002,
 * erf 0.5006, erfc 0.5030; sampled: all others <= 0.502); special values
 * as in the f64 contracts, with overflow and underflow decided by the
 * final rounding to float. */
#define AJ_VIA_D1(name)                                                     \
  AJRT_INL VF FN(name)(VF x) { return TOF(FD(name)(TOD(x), 1)); }
#define AJ_VIA_D2(name)                                                     \
  AJRT_INL VF FN(name)(VF x, VF y) {                                       \
    return TOF(FD(name)(TOD(x), TOD(y), 1));                               \
  }
AJ_VIA_D1(log) AJ_VIA_D1(log1p) AJ_VIA_D1(softplus) AJ_VIA_D1(erf)
AJ_VIA_D1(erfc) AJ_VIA_D1(normcdf) AJ_VIA_D1(exp2) AJ_VIA_D1(log2)
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
