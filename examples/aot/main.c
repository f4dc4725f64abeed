/*
** examples/aot/main.c: activation kernels compiled ahead of time, in a
** program that links neither LLVM nor libactjit.
**
**   actjit aot -o kernels.o -H kernels.h mish gelu
**   cc -O2 main.c kernels.o -o demo
**   echo '-1 0 2.5' | ./demo mish f32
**
** Prints "x<TAB>f(x)<TAB>f'(x)" per x read from stdin, for mish or gelu in
** float32 (%.9g) or float64 (%.17g): the lines `actjit run NAME [--dtype
** f64]` prints for the JIT's kernels, which the test suite compares bit for
** bit (tests/aot_test.sh).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#define MAX_X 4096

typedef void (*fwd32)(const float *, float *, size_t, const float *);
typedef void (*bwd32)(const float *, const float *, float *, size_t,
                      const float *, float *);
typedef void (*fwd64)(const double *, double *, size_t, const double *);
typedef void (*bwd64)(const double *, const double *, double *, size_t,
                      const double *, double *);

static const struct {
  const char *name;
  fwd32 f32;
  bwd32 b32;
  fwd64 f64;
  bwd64 b64;
} sets[] = {
    {"mish", mish_f32_fwd, mish_f32_bwd, mish_f64_fwd, mish_f64_bwd},
    {"gelu", gelu_f32_fwd, gelu_f32_bwd, gelu_f64_fwd, gelu_f64_bwd},
};

int main(int argc, char **argv) {
  static double x[MAX_X], y[MAX_X], dx[MAX_X], ones[MAX_X];
  static float x32[MAX_X], y32[MAX_X], dx32[MAX_X], ones32[MAX_X];
  int k = -1;
  for (size_t i = 0; argc == 3 && i < sizeof sets / sizeof *sets; i++)
    if (strcmp(argv[1], sets[i].name) == 0) k = (int)i;
  int f64 = argc == 3 && strcmp(argv[2], "f64") == 0;
  if (k < 0 || (!f64 && strcmp(argv[2], "f32") != 0)) {
    fprintf(stderr, "usage: %s mish|gelu f32|f64 < X-VALUES\n", argv[0]);
    return 2;
  }
  size_t n = 0;
  char tok[64];
  while (n < MAX_X && scanf("%63s", tok) == 1) {
    x[n] = strtod(tok, NULL);
    x32[n] = strtof(tok, NULL);
    ones[n] = 1, ones32[n] = 1;
    n++;
  }
  if (f64) {
    sets[k].f64(x, y, n, NULL);
    sets[k].b64(x, ones, dx, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
      printf("%.17g\t%.17g\t%.17g\n", x[i], y[i], dx[i]);
  } else {
    sets[k].f32(x32, y32, n, NULL);
    sets[k].b32(x32, ones32, dx32, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
      printf("%.9g\t%.9g\t%.9g\n", x32[i], y32[i], dx32[i]);
  }
  return 0;
}
