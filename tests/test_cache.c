/*
** test_cache.c: the kernel cache.  Identical kernels are shared in a
** process; the on-disk cache gives bit-identical kernels, and a corrupt,
** truncated or concurrently written file is never trusted.
*/
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define SRC "hardswish(x) + relu6(2*x) - x^3/7"
#define NX 257

typedef struct dir {
  char path[64];
} dir;

static void make_dir(dir *d) {
  strcpy(d->path, "/tmp/actjit-test-cache-XXXXXX");
  assert_non_null(mkdtemp(d->path));
}

static void remove_dir(dir *d) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", d->path);
  assert_int_equal(system(cmd), 0);
}

/* The files in d, full paths sorted by name; returns how many (<= 4).
** One source makes two: its float32 and its float64 kernels. */
static int files(const dir *d, char out[4][512]) {
  DIR *dp = opendir(d->path);
  assert_non_null(dp);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dp)) != NULL) {
    if (e->d_name[0] == '.') continue;
    assert_true(n < 4);
    snprintf(out[n++], 512, "%s/%s", d->path, e->d_name);
  }
  closedir(dp);
  for (int i = 0; i < n; i++) /* sort */
    for (int j = i + 1; j < n; j++)
      if (strcmp(out[j], out[i]) < 0) {
        char t[512];
        memcpy(t, out[i], 512);
        memcpy(out[i], out[j], 512);
        memcpy(out[j], t, 512);
      }
  return n;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  char *z = malloc(*len ? *len : 1);
  assert_int_equal(fread(z, 1, *len, f), *len);
  fclose(f);
  return z;
}

static actjit_ctx *ctx_with(const char *cache_dir) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = cache_dir;
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
  if (!ctx) fail_msg("ctx: %s", err.message);
  return ctx;
}

static actjit_activation *compile(actjit_ctx *ctx, const char *src,
                                  actjit_origin want) {
  actjit_error err;
  actjit_activation *a = NULL;
  if (actjit_compile(ctx, src, NULL, &a, &err))
    fail_msg("compile %s: %s", src, err.message);
  actjit_info info;
  actjit_activation_info(a, &info);
  if (info.origin != want)
    fail_msg("%s: origin %d, want %d", src, (int)info.origin, (int)want);
  /* the disk cache gets the optimized kernels: in once the wait returns */
  assert_int_equal(actjit_activation_wait(a), ACTJIT_OK);
  actjit_activation_info(a, &info);
  assert_int_equal(info.optimized, 1);
  return a;
}

/* Forward and backward outputs of a, f32 and f64, on a fixed grid. */
typedef struct outputs {
  float y32[NX], dx32[NX];
  double y64[NX], dx64[NX];
} outputs;

static void run(const actjit_activation *a, outputs *o) {
  float x32[NX], dy32[NX];
  double x64[NX], dy64[NX];
  for (int i = 0; i < NX; i++) {
    x64[i] = -8 + i * (16.0 / (NX - 1));
    x32[i] = (float)x64[i];
    dy64[i] = 1 + 0.01 * i;
    dy32[i] = (float)dy64[i];
  }
  assert_int_equal(actjit_forward_f32(a, x32, o->y32, NX), ACTJIT_OK);
  assert_int_equal(actjit_backward_f32(a, x32, dy32, o->dx32, NX), ACTJIT_OK);
  assert_int_equal(actjit_forward_f64(a, x64, o->y64, NX), ACTJIT_OK);
  assert_int_equal(actjit_backward_f64(a, x64, dy64, o->dx64, NX), ACTJIT_OK);
  assert_int_equal(actjit_activation_wait(a), ACTJIT_OK); /* f64's too */
}

static void shared_then_disk(void **state) {
  (void)state;
  dir d;
  make_dir(&d);
  actjit_ctx *a_ctx = ctx_with(d.path);
  actjit_activation *a = compile(a_ctx, SRC, ACTJIT_ORIGIN_LLVM);
  actjit_activation *same = compile(a_ctx, SRC, ACTJIT_ORIGIN_SHARED);
  outputs oa, os, ob;
  run(a, &oa);
  run(same, &os);
  assert_memory_equal(&oa, &os, sizeof oa);
  actjit_ctx *b_ctx = ctx_with(d.path);
  actjit_activation *b = compile(b_ctx, SRC, ACTJIT_ORIGIN_DISK);
  run(b, &ob);
  assert_memory_equal(&oa, &ob, sizeof oa); /* bit-identical kernels */
  actjit_activation_free(same);
  actjit_activation_free(a);
  /* the shared kernels outlive neither the first nor the last user */
  actjit_activation *again = compile(a_ctx, SRC, ACTJIT_ORIGIN_DISK);
  actjit_activation_free(again);
  actjit_activation_free(b);
  actjit_ctx_free(a_ctx);
  actjit_ctx_free(b_ctx);
  remove_dir(&d);
}

/* Two empty caches filled independently hold byte-identical objects. */
static void deterministic_objects(void **state) {
  (void)state;
  dir d1, d2;
  make_dir(&d1);
  make_dir(&d2);
  actjit_ctx *c1 = ctx_with(d1.path), *c2 = ctx_with(d2.path);
  actjit_activation *a1 = compile(c1, SRC, ACTJIT_ORIGIN_LLVM);
  actjit_activation *a2 = compile(c2, SRC, ACTJIT_ORIGIN_LLVM);
  outputs o1, o2; /* makes the float64 kernels too */
  run(a1, &o1);
  run(a2, &o2);
  char f1[4][512], f2[4][512];
  assert_int_equal(files(&d1, f1), 2);
  assert_int_equal(files(&d2, f2), 2);
  for (int i = 0; i < 2; i++) {
    assert_string_equal(strrchr(f1[i], '/'), strrchr(f2[i], '/'));
    size_t n1, n2;
    char *z1 = slurp(f1[i], &n1), *z2 = slurp(f2[i], &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(z1, z2, n1);
    free(z1);
    free(z2);
  }
  actjit_activation_free(a1);
  actjit_activation_free(a2);
  actjit_ctx_free(c1);
  actjit_ctx_free(c2);
  remove_dir(&d1);
  remove_dir(&d2);
}

/* Damages the cache file with `how`, then expects a recompile that works
** and repairs the file. */
static void damaged(void (*how)(const char *path)) {
  dir d;
  make_dir(&d);
  actjit_ctx *c = ctx_with(d.path);
  actjit_activation *a = compile(c, SRC, ACTJIT_ORIGIN_LLVM);
  outputs good, again;
  run(a, &good);
  actjit_activation_free(a);
  actjit_ctx_free(c);
  char f[4][512];
  int nf = files(&d, f);
  assert_int_equal(nf, 2);
  for (int i = 0; i < nf; i++) how(f[i]);
  c = ctx_with(d.path);
  a = compile(c, SRC, ACTJIT_ORIGIN_LLVM); /* not trusted */
  run(a, &again);
  assert_memory_equal(&good, &again, sizeof good);
  actjit_activation_free(a);
  actjit_ctx_free(c);
  c = ctx_with(d.path); /* rewritten: trusted again */
  a = compile(c, SRC, ACTJIT_ORIGIN_DISK);
  actjit_activation_free(a);
  actjit_ctx_free(c);
  remove_dir(&d);
}

static void flip_byte(const char *path) {
  size_t n;
  char *z = slurp(path, &n);
  z[n / 2] ^= 0x40;
  FILE *f = fopen(path, "wb");
  fwrite(z, 1, n, f);
  fclose(f);
  free(z);
}

static void truncate_half(const char *path) {
  size_t n;
  char *z = slurp(path, &n);
  FILE *f = fopen(path, "wb");
  fwrite(z, 1, n / 2, f);
  fclose(f);
  free(z);
}

static void garbage(const char *path) {
  FILE *f = fopen(path, "wb");
  fputs("AJCACHE1 this is not an object file", f);
  fclose(f);
}

static void corrupt_file(void **state) {
  (void)state;
  damaged(flip_byte);
}
static void truncated_file(void **state) {
  (void)state;
  damaged(truncate_half);
}
static void garbage_file(void **state) {
  (void)state;
  damaged(garbage);
}

static void disabled(void **state) {
  (void)state;
  actjit_ctx *c1 = ctx_with(""), *c2 = ctx_with("");
  actjit_activation *a = compile(c1, SRC, ACTJIT_ORIGIN_LLVM);
  actjit_activation *b = compile(c2, SRC, ACTJIT_ORIGIN_LLVM);
  actjit_activation_free(a);
  actjit_activation_free(b);
  actjit_ctx_free(c1);
  actjit_ctx_free(c2);
}

/* The key covers the vector width: another width is another object. */
static void key_covers_width(void **state) {
  (void)state;
  dir d;
  make_dir(&d);
  actjit_ctx *c = ctx_with(d.path);
  actjit_activation *a = compile(c, SRC, ACTJIT_ORIGIN_LLVM);
  actjit_options opt = {0};
  opt.vector_width = 4;
  actjit_activation *b = NULL;
  actjit_error err;
  assert_int_equal(actjit_compile(c, SRC, &opt, &b, &err), ACTJIT_OK);
  actjit_info info;
  actjit_activation_info(b, &info);
  assert_int_equal(info.origin, ACTJIT_ORIGIN_LLVM);
  assert_int_equal(info.vector_width, 4);
  outputs oa, ob;
  run(a, &oa);
  run(b, &ob);
  for (int i = 0; i < NX; i++) /* same maths, maybe other contraction */
    assert_true(tu_close(oa.y64[i], ob.y64[i], 1e-15, 1e-300));
  actjit_activation_free(a);
  actjit_activation_free(b);
  actjit_ctx_free(c);
  remove_dir(&d);
}

/* An unusable cache directory costs nothing but the cache, and errno is
** left alone. */
static void unusable_dir(void **state) {
  (void)state;
  actjit_ctx *c = ctx_with("/proc/actjit-no-such-dir/x");
  errno = 4242;
  actjit_activation *a = compile(c, SRC, ACTJIT_ORIGIN_LLVM);
  assert_int_equal(errno, 4242);
  actjit_activation_free(a);
  actjit_ctx_free(c);
}

/* Eight contexts compiling the same source into one empty cache at once. */
typedef struct racer {
  const char *dir;
  outputs out;
  int ok;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = r->dir;
  actjit_error err;
  actjit_ctx *c = actjit_ctx_new(&cfg, &err);
  actjit_activation *a = NULL;
  if (c && actjit_compile(c, SRC, NULL, &a, &err) == ACTJIT_OK) {
    run(a, &r->out);
    r->ok = 1;
  }
  actjit_activation_free(a);
  actjit_ctx_free(c);
  return NULL;
}

static void concurrent_writers(void **state) {
  (void)state;
  dir d;
  make_dir(&d);
  pthread_t th[8];
  racer r[8];
  for (int i = 0; i < 8; i++) {
    memset(&r[i], 0, sizeof r[i]);
    r[i].dir = d.path;
    assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
  }
  for (int i = 0; i < 8; i++) {
    pthread_join(th[i], NULL);
    assert_true(r[i].ok);
    assert_memory_equal(&r[i].out, &r[0].out, sizeof r[0].out);
  }
  char f[4][512];
  assert_int_equal(files(&d, f), 2); /* no temporary files left behind */
  actjit_ctx *c = ctx_with(d.path);
  actjit_activation *a = compile(c, SRC, ACTJIT_ORIGIN_DISK);
  actjit_activation_free(a);
  actjit_ctx_free(c);
  remove_dir(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shared_then_disk),
      cmocka_unit_test(deterministic_objects),
      cmocka_unit_test(corrupt_file),
      cmocka_unit_test(truncated_file),
      cmocka_unit_test(garbage_file),
      cmocka_unit_test(disabled),
      cmocka_unit_test(key_covers_width),
      cmocka_unit_test(unusable_dir),
      cmocka_unit_test(concurrent_writers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
