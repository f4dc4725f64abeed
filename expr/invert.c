/* expr/invert.c: placeholder (being written) */
