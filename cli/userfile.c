/*
** cli/userfile.c: the user's activations file (actjit_activations_path:
** $XDG_CONFIG_HOME/actjit/activations.act), which every new context loads.
** The REPL saves each accepted definition here, in place of an earlier
** line that defined the same name (else at the end); comments and other
** lines stay as they were.  Writers take a lock file in turn; the new file
** is written beside the real one (through a symlink), keeps its mode, is
** checked to load whole, and replaces it by rename(), so a crash never
** leaves half a file and a save never leaves one that does not load.
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_make_parents(const char *path) {
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

int cli_check_activations(const char *path, actjit_error *err) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = "";
  cfg.activations_file = path;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, err);
  if (!ctx)
    return -1;
  actjit_ctx_free(ctx);
  return 0;
}

/* cli_check_activations with the reason in why. */
static int check_loads(const char *path, char *why, size_t whylen) {
  actjit_error err = {0};
  if (cli_check_activations(path, &err) == 0)
    return 0;
  snprintf(why, whylen, "the file would not load: %s", err.message);
  return -1;
}

int cli_save_definition(const char *def, char *path, size_t size, char *why,
                        size_t whylen) {
  why[0] = 0;
  size_t name_off = 0, n = actjit_definition_name(def, strlen(def), &name_off);
  size_t dlen = strlen(def);
  while (dlen > 0 && (def[dlen - 1] == '\n' || def[dlen - 1] == ' ' ||
                      def[dlen - 1] == '\r' || def[dlen - 1] == '\t'))
    dlen--;
  if (n == 0 || memchr(def, '\n', dlen)) {
    snprintf(why, whylen, "not a one-line definition");
    return -1;
  }
  char file[4096];
  if (!actjit_activations_path(file, sizeof file)) {
    snprintf(why, whylen, "neither XDG_CONFIG_HOME nor HOME is set");
    return -1;
  }
  snprintf(path, size, "%s", file);
  if (cli_make_parents(file) != 0) {
    snprintf(why, whylen, "cannot create the directory of %s: %s", file,
             strerror(errno));
    return -1;
  }
  /* one writer at a time (two REPLs saving at once lose nothing) */
  char lock[4200];
  snprintf(lock, sizeof lock, "%s.lock", file);
  int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0 || flock(lfd, LOCK_EX) != 0) {
    snprintf(why, whylen, "cannot lock %s: %s", lock, strerror(errno));
    if (lfd >= 0)
      close(lfd);
    return -1;
  }
  /* a symlinked file is updated where it points */
  char real[PATH_MAX];
  const char *target = realpath(file, real) ? real : file;
  char tmp[PATH_MAX + 32];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", target, (long)getpid());
  int rc = -1;
  FILE *in = fopen(target, "r"), *out = NULL;
  struct stat st;
  mode_t mode = in && fstat(fileno(in), &st) == 0 ? st.st_mode & 07777 : 0600;
  if (!in && errno != ENOENT)
    snprintf(why, whylen, "cannot read %s: %s", target, strerror(errno));
  else if (!(out = fopen(tmp, "w")))
    snprintf(why, whylen, "cannot write %s: %s", tmp, strerror(errno));
  if (out) {
    if (!in)
      fputs("# actjit: your activations, one definition per line (the REPL "
            "keeps this file)\n",
            out);
    /* an earlier definition of the name is replaced where it stood, so the
    ** ones after it that use it still come after it */
    int replaced = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while (in && (got = getline(&line, &cap, in)) > 0) {
      if (defines(line, (size_t)got, def + name_off, n)) {
        if (!replaced)
          fprintf(out, "%.*s\n", (int)dlen, def);
        replaced = 1;
        continue;
      }
      fwrite(line, 1, (size_t)got, out);
      if (line[got - 1] != '\n')
        fputc('\n', out);
    }
    free(line);
    if (!replaced)
      fprintf(out, "%.*s\n", (int)dlen, def);
    int bad = (in && ferror(in)) || ferror(out) || fflush(out) != 0 ||
              fchmod(fileno(out), mode) != 0 || fsync(fileno(out)) != 0;
    bad |= fclose(out) != 0;
    if (bad)
      snprintf(why, whylen, "cannot write %s: %s", tmp, strerror(errno));
    else if (check_loads(tmp, why, whylen) == 0 && rename(tmp, target) == 0)
      rc = 0;
    else if (!why[0])
      snprintf(why, whylen, "cannot update %s: %s", target, strerror(errno));
    if (rc != 0)
      unlink(tmp);
  }
  if (in)
    fclose(in);
  flock(lfd, LOCK_UN);
  close(lfd);
  return rc;
}
