/*
** examples/learnable.c: a runtime (learnable) parameter.  PReLU's slope `a`
** is passed on each call, and the backward kernel accumulates its gradient
** dL/da = sum(dy * df/da) in the same pass.  Build: cc learnable.c -lactjit
*/
#include <stdio.h>

#include "actjit.h"

int main(void) {
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(NULL, &err);
  const char *runtime[] = {"a"};
  actjit_options opt = {0};
  opt.runtime = runtime;
  opt.nruntime = 1;
  actjit_activation *act = NULL;
  if (!ctx || actjit_compile(ctx, "prelu", &opt, &act, &err)) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  float a = 0.25f, da = 0;
  float x[4] = {-2, -1, 1, 2}, y[4], dy[4] = {1, 1, 1, 1}, dx[4];
  for (int step = 0; step < 3; step++) { /* three steps of gradient descent */
    da = 0;
    actjit_forward_f32_p(act, &a, x, y, 4);
    actjit_backward_f32_p(act, &a, x, dy, dx, 4, &da);
    printf("step %d: a = %.4f  f(-2) = %.4f  dL/da = %.4f\n", step, a, y[0], da);
    a -= 0.1f * da;
  }
  actjit_activation_free(act);
  actjit_ctx_free(ctx);
  return 0;
}
