/*
** examples/embed.c: the smallest useful embedding of actjit.  Compiles an
** activation from text, runs its forward and backward kernels on float32
** arrays, and shows its derivative.  Build: cc embed.c -lactjit
*/
#include <stdio.h>

#include "actjit.h"

int main(void) {
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(NULL, &err);
  if (!ctx) return fprintf(stderr, "%s\n", err.message), 1;

  /* A catalog name, a call with keywords, or any expression of x. */
  actjit_activation *act = NULL;
  if (actjit_compile(ctx, "x*tanh(softplus(x))", NULL, &act, &err)) {
    fprintf(stderr, "error: %s at %zu+%zu: %s\n", actjit_status_name(err.code),
            err.offset, err.length, err.message);
    return 1;
  }
  float x[5] = {-3, -1, 0, 1, 3}, y[5], dy[5] = {1, 1, 1, 1, 1}, dx[5];
  actjit_forward_f32(act, x, y, 5);       /* y = f(x) */
  actjit_backward_f32(act, x, dy, dx, 5); /* dx = dy * f'(x) */
  for (int i = 0; i < 5; i++)
    printf("f(%g) = %.7g   f'(%g) = %.7g\n", x[i], y[i], x[i], dx[i]);

  char *df = NULL;
  actjit_describe(act, ACTJIT_PART_DF, &df, &err);
  printf("f'(x) = %s\n", df);
  actjit_free(df);
  actjit_activation_free(act);
  actjit_ctx_free(ctx);
  return 0;
}
