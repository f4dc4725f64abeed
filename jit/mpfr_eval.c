/* jit/mpfr_eval.c: placeholder (being written) */
