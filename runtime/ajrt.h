/* ajrt.h: the actjit vector math runtime, public interface.
 *
 * Owns: the vector typedefs and the exported entry points
 * ajrt_<fn>_<type><W>.  The implementation lives in ajrt_math.h (static
 * always_inline functions, generic over width) and ajrt.c (the exported
 * instantiations).  The runtime is self-contained: no libm, no libc, no
 * global state, no tables in memory, no data-dependent branches.  It is
 * compiled by clang-19 to LLVM bitcode and linked into each JIT module, and
 * natively for the tests.
 *
 * Types: f32 widths 1, 4, 8, 16 and f64 widths 1, 2, 4, 8.  Width 1 takes
 * and returns plain float / double.  Vectors are passed by value.
 *
 * Accuracy (round to nearest, every input, ULP of the correctly rounded
 * result; below the smallest normal the ULP is the subnormal spacing):
 *   f32 exp expm1 log log1p tanh sigmoid softplus   <= 1 ULP (every one of
 *       erf erfc normcdf                               the 2^32 inputs,
 *                                                      bench/ulp_exhaustive)
 *   f32 everything else                             <= 4 ULP (most <= 1)
 *   f64 everything                                  <= 4 ULP (normcdf <= 2)
 * (measured maxima are in each function's contract in ajrt_math.h).
 * The ten listed f32 functions compute in float at the vector width
 * (AVX-512 instructions where the build has them, with bit-identical
 * scalar-ISA equivalents elsewhere); the rest widen to double.
 * Special values follow C99 Annex F (NaN in gives NaN out; infinities give
 * the limits; -0 is kept where the C library keeps it).  NaN payloads and
 * the sign of a NaN are unspecified.  Floating-point exception flags are
 * not meaningful.  Results do not depend on the width: the x1 and x16 (or
 * x8) versions of a function agree bitwise.
 */
#ifndef AJRT_H
#define AJRT_H

/* clang: ext_vector_type (the implementation needs it).  Other compilers
 * (a gcc-built test calling the clang-built runtime) get vector_size
 * types with the same layout and calling convention, given the same ISA
 * flags on both sides. */
#if defined(__clang__)
#define AJRT_VT(T, n) __attribute__((ext_vector_type(n)))
#else
#define AJRT_VT(T, n) __attribute__((vector_size((n) * sizeof(T))))
#endif
typedef float ajrt_f32x4 AJRT_VT(float, 4);
typedef float ajrt_f32x8 AJRT_VT(float, 8);
typedef float ajrt_f32x16 AJRT_VT(float, 16);
typedef double ajrt_f64x2 AJRT_VT(double, 2);
typedef double ajrt_f64x4 AJRT_VT(double, 4);
typedef double ajrt_f64x8 AJRT_VT(double, 8);
#undef AJRT_VT

/* The function list, one X-macro: X(name, arity).  Contracts (range,
 * accuracy, special values) are written next to each implementation in
 * ajrt_math.h. */
#define AJRT_FUNCS(X)                                                        \
  X(exp, 1) X(expm1, 1) X(log, 1) X(log1p, 1) X(tanh, 1) X(sigmoid, 1)       \
  X(softplus, 1) X(erf, 1) X(erfc, 1) X(normcdf, 1) X(exp2, 1) X(log2, 1)    \
  X(log10, 1) X(sin, 1) X(cos, 1) X(tan, 1) X(atan, 1) X(asin, 1)            \
  X(acos, 1) X(atan2, 2) X(sinh, 1) X(cosh, 1) X(asinh, 1) X(acosh, 1)       \
  X(atanh, 1) X(cbrt, 1) X(pow, 2) X(hypot, 2) X(exp_hl, 2)   \
  X(normcdf_vpdf, 2) X(sigmoid_fast, 1) X(tanh_fast, 1) X(expm1_fast, 1)   \
  X(softplus_fast, 1)

#define AJRT_DECL_1(fn, s, T) T ajrt_##fn##_##s(T x);
#define AJRT_DECL_2(fn, s, T) T ajrt_##fn##_##s(T x, T y);
#define AJRT_DECL(fn, ar)                                                    \
  AJRT_DECL_##ar(fn, f32x1, float) AJRT_DECL_##ar(fn, f32x4, ajrt_f32x4)     \
  AJRT_DECL_##ar(fn, f32x8, ajrt_f32x8)                                      \
  AJRT_DECL_##ar(fn, f32x16, ajrt_f32x16)                                    \
  AJRT_DECL_##ar(fn, f64x1, double) AJRT_DECL_##ar(fn, f64x2, ajrt_f64x2)    \
  AJRT_DECL_##ar(fn, f64x4, ajrt_f64x4) AJRT_DECL_##ar(fn, f64x8, ajrt_f64x8)

/* Declares e.g. float ajrt_exp_f32x1(float), ajrt_f32x16
 * ajrt_exp_f32x16(ajrt_f32x16), double ajrt_pow_f64x1(double, double). */
AJRT_FUNCS(AJRT_DECL)

#endif /* AJRT_H */
