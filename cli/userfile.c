/*
** cli/userfile.c: the user's activations file (actjit_activations_path:
** $XDG_CONFIG_HOME/actjit/activations.act), which every new context loads.
** The REPL saves each accepted definition here, replacing an earlier line
** that defined the same name; comments and other lines stay as they were.
** The file is rewritten through a temporary file and rename(), so a crash
** never leaves half a file.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* mkdir -p of path's directory part.  0, or -1 (errno set). */
static int make_parents(const char *path) {
  char dir[4096];
  size_t n = strlen(path);
  if (n >= sizeof dir)
    return errno = ENAMETOOLONG, -1;
  memcpy(dir, path, n + 1);
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = 0;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
      return -1;
    *p = '/';
  }
  return 0;
}

/* 1 if line defines the name def[off, off+n). */
static int defines(const char *line, size_t len, const char *name, size_t n) {
  size_t off = 0, m = actjit_definition_name(line, len, &off);
  return m == n && memcmp(line + off, name, n) == 0;
}

int cli_save_definition(const char *def, char *path, size_t size, char *why,
                        size_t whylen) {
  size_t name_off = 0, n = actjit_definition_name(def, strlen(def), &name_off);
  size_t dlen = strlen(def);
  while (dlen > 0 && (def[dlen - 1] == '\n' || def[dlen - 1] == ' ' ||
                      def[dlen - 1] == '\r' || def[dlen - 1] == '\t'))
    dlen--;
  if (n == 0 || memchr(def, '\n', dlen)) {
    snprintf(why, whylen, "not a one-line definition");
    return -1;
  }
  if (!actjit_activations_path(path, size)) {
    snprintf(why, whylen, "neither XDG_CONFIG_HOME nor HOME is set");
    return -1;
  }
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
  if (make_parents(path) != 0) {
    snprintf(why, whylen, "cannot create the directory of %s: %s", path,
             strerror(errno));
    return -1;
  }
  FILE *in = fopen(path, "r");
  if (!in && errno != ENOENT) {
    snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  FILE *out = fopen(tmp, "w");
  if (!out) {
    snprintf(why, whylen, "cannot write %s: %s", tmp, strerror(errno));
    if (in)
      fclose(in);
    return -1;
  }
  if (!in)
    fputs("# actjit: your activations, one definition per line (the REPL "
          "keeps this file)\n",
          out);
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  while (in && (got = getline(&line, &cap, in)) > 0) {
    if (defines(line, (size_t)got, def + name_off, n))
      continue;
    fwrite(line, 1, (size_t)got, out);
    if (line[got - 1] != '\n')
      fputc('\n', out);
  }
  free(line);
  int bad_read = in && ferror(in);
  if (in)
    fclose(in);
  fprintf(out, "%.*s\n", (int)dlen, def);
  int bad_write = ferror(out) | (fclose(out) != 0);
  if (bad_read || bad_write || rename(tmp, path) != 0) {
    snprintf(why, whylen, "cannot update %s: %s", path,
             bad_read ? "read error" : strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}
