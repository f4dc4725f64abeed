/* expr/stabilize.c: placeholder (being written) */
