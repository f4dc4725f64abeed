/* ajrt.c: the exported entry points of the vector math runtime.
 *
 * Owns: one external function per (function, type, width) listed in
 * ajrt.h, each a thin wrapper over the always_inline implementation in
 * ajrt_math.h.  The f64 entry points run the full-precision algorithms
 * (lp = 0).  Width 1 converts between the scalar and a one-element vector.
 * Nothing else lives here: no state, no libc.
 */
#include "ajrt_math.h"

/* Each ISA variant of the bitcode defines every width; the wide ones are
 * only called from code built for an ISA that has them. */
#pragma clang diagnostic ignored "-Wpsabi"

/* f32: ajrt_<fn>_f32x<W>(v) = <fn>_f32x<W>(v) */
#define AJ_F32V_1(fn, W)                                                     \
  ajrt_f32x##W ajrt_##fn##_f32x##W(ajrt_f32x##W x) {                         \
    return fn##_f32x##W(x);                                                  \
  }
#define AJ_F32V_2(fn, W)                                                     \
  ajrt_f32x##W ajrt_##fn##_f32x##W(ajrt_f32x##W x, ajrt_f32x##W y) {         \
    return fn##_f32x##W(x, y);                                               \
  }
#define AJ_F32S_1(fn)                                                        \
  float ajrt_##fn##_f32x1(float x) {                                         \
    return fn##_f32x1((aj_f32x1){x})[0];                                     \
  }
#define AJ_F32S_2(fn)                                                        \
  float ajrt_##fn##_f32x1(float x, float y) {                                \
    return fn##_f32x1((aj_f32x1){x}, (aj_f32x1){y})[0];                      \
  }
#define AJ_F64V_1(fn, W)                                                     \
  ajrt_f64x##W ajrt_##fn##_f64x##W(ajrt_f64x##W x) {                         \
    return fn##_f64x##W(x, 0);                                               \
  }
#define AJ_F64V_2(fn, W)                                                     \
  ajrt_f64x##W ajrt_##fn##_f64x##W(ajrt_f64x##W x, ajrt_f64x##W y) {         \
    return fn##_f64x##W(x, y, 0);                                            \
  }
#define AJ_F64S_1(fn)                                                        \
  double ajrt_##fn##_f64x1(double x) {                                       \
    return fn##_f64x1((aj_f64x1){x}, 0)[0];                                  \
  }
#define AJ_F64S_2(fn)                                                        \
  double ajrt_##fn##_f64x1(double x, double y) {                             \
    return fn##_f64x1((aj_f64x1){x}, (aj_f64x1){y}, 0)[0];                   \
  }

#define AJ_DEFINE(fn, ar)                                                    \
  AJ_F32S_##ar(fn) AJ_F32V_##ar(fn, 4) AJ_F32V_##ar(fn, 8)                   \
  AJ_F32V_##ar(fn, 16) AJ_F64S_##ar(fn) AJ_F64V_##ar(fn, 2)                  \
  AJ_F64V_##ar(fn, 4) AJ_F64V_##ar(fn, 8)

AJRT_FUNCS(AJ_DEFINE)
