/* jit/accuracy.c: placeholder (being written) */
