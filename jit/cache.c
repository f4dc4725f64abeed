/*
** cache.c: what identifies a set of kernels, and the on-disk object cache.
**
** The key is a byte string: format version, actjit and LLVM versions, the
** code fingerprint (runtime bitcode and code generator, hashed at build),
** triple, CPU, features, vector width, dtype, the runtime parameters' names,
** and
** both tapes (operators, operand indices, constant bits, parameter names).
** Equal keys mean identical kernels.  Symbols are named by a 128-bit hash
** of the key, so a cached object links unchanged in any process.
**
** A cache file is: "AJCACHE1", u32 key length, u32 object length, the key,
** the object, u64 checksum of everything before it.  A hit needs the whole
** key to match and the checksum to hold, so a torn, corrupt or colliding
** file is never trusted.  Writers write a temporary file and rename it into
** place.  errno is restored around every file operation.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm-c/Core.h>

#include "jit.h"

typedef struct kbuf {
  actjit_ctx *ctx;
  unsigned char *z;
  uint32_t n, cap;
  int oom;
} kbuf;

static void put(kbuf *b, const void *p, size_t n) {
  if (b->oom) return;
  if ((uint64_t)b->n + n > UINT32_MAX / 2 ||
      aj_grow(b->ctx, (void **)&b->z, &b->cap, b->n + (uint32_t)n, 1)) {
    b->oom = 1;
    return;
  }
  memcpy(b->z + b->n, p, n);
  b->n += (uint32_t)n;
}

static void put_u32(kbuf *b, uint32_t v) { put(b, &v, sizeof v); }

static void put_str(kbuf *b, const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  put_u32(b, n);
  put(b, s, n);
}

static void put_tape(kbuf *b, const aj_tape *t) {
  put_u32(b, t->n);
  for (uint32_t i = 0; i < t->n; i++) {
    const aj_node *n = t->ent[i].node;
    unsigned char op = n->op;
    put(b, &op, 1);
    for (int k = 0; k < n->nargs; k++) put_u32(b, t->ent[i].arg[k]);
    if (n->op == AJ_CONST) put(b, &n->u.num, sizeof n->u.num);
    if (n->op == AJ_PARAM) put_str(b, n->u.name.z);
  }
}

int aj_kernel_key(actjit_ctx *ctx, const aj_kernel_spec *spec,
                  const aj_target *t, unsigned char **key, uint32_t *len) {
  kbuf b = {ctx, NULL, 0, 0, 0};
  unsigned major, minor, patch;
  LLVMGetVersion(&major, &minor, &patch);
  char versions[96];
  snprintf(versions, sizeof versions, "actjit-key-1 actjit-%s llvm-%u.%u.%u",
           ACTJIT_VERSION_STRING, major, minor, patch);
  put_str(&b, versions);
  put_str(&b, aj_code_fingerprint);
  put_str(&b, t->triple);
  put_str(&b, t->cpu);
  put_str(&b, t->features ? t->features : "");
  put_u32(&b, spec->width32 ? spec->width32 : t->width32);
  put_u32(&b, spec->dtype);
  put_u32(&b, spec->nrparams);
  put_u32(&b, (uint32_t)(spec->fix_inf[0] | spec->fix_inf[1] << 2));
  for (uint32_t k = 0; k < spec->nrparams; k++)
    put_str(&b, spec->rparam[k]->u.name.z);
  put_tape(&b, spec->fwd);
  put_tape(&b, spec->bwd);
  for (uint32_t k = 0; k <= spec->nrparams; k++)
    put_u32(&b, spec->bwd_roots[k]);
  /* exactly len bytes: whoever frees the key passes its length */
  unsigned char *exact = b.oom ? NULL : aj_realloc(ctx, b.z, b.cap, b.n);
  if (!exact) {
    aj_free(ctx, b.z, b.cap);
    return -1;
  }
  *key = exact;
  *len = b.n;
  return 0;
}

/* Two independent 64-bit hashes (FNV-1a and a multiplicative mix). */
static void hash128(const unsigned char *z, size_t n, uint64_t h[2]) {
  uint64_t a = 0xcbf29ce484222325ull, c = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; i++) {
    a = (a ^ z[i]) * 0x100000001b3ull;
    c = (c + z[i]) * 0xff51afd7ed558ccdull;
    c ^= c >> 29;
  }
  h[0] = a;
  h[1] = c;
}

void aj_kernel_name(const unsigned char *key, uint32_t len, char out[40]) {
  uint64_t h[2];
  hash128(key, len, h);
  snprintf(out, 40, "actjit_%016llx%016llx", (unsigned long long)h[0],
           (unsigned long long)h[1]);
}

static uint64_t checksum(const unsigned char *z, size_t n) {
  uint64_t h[2];
  hash128(z, n, h);
  return h[0] ^ (h[1] * 31);
}

/* The cache directory into buf, or 0 when there is none. */
static int cache_dir(const actjit_ctx *ctx, char *buf, size_t size) {
  const char *dir = ctx->cache_dir;
  if (dir) {
    if (!*dir) return 0;
    return snprintf(buf, size, "%s", dir) < (int)size;
  }
  const char *xdg = getenv("XDG_CACHE_HOME");
  if (xdg && *xdg == '/')
    return snprintf(buf, size, "%s/actjit", xdg) < (int)size;
  const char *home = getenv("HOME");
  if (home && *home == '/')
    return snprintf(buf, size, "%s/.cache/actjit", home) < (int)size;
  return 0;
}

static void make_dirs(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    mkdir(path, 0700);
    *p = '/';
  }
  mkdir(path, 0700);
}

static int file_path(const actjit_ctx *ctx, const char *name, char *buf,
                     size_t size) {
  char dir[4096];
  if (!cache_dir(ctx, dir, sizeof dir)) return 0;
  return snprintf(buf, size, "%s/%s.o", dir, name) < (int)size;
}

/* Reads (writing == 0) or writes all n bytes, retrying short transfers
** and EINTR.  0, or -1. */
static int transfer(int fd, void *p, size_t n, int writing) {
  unsigned char *z = p;
  while (n) {
    ssize_t r = writing ? write(fd, z, n) : read(fd, z, n);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      return -1;
    }
    z += r;
    n -= (size_t)r;
  }
  return 0;
}

#define MAGIC "AJCACHE1"
#define MAX_OBJECT (64u << 20)

int aj_cache_load(actjit_ctx *ctx, const char *name, const unsigned char *key,
                  uint32_t keylen, void **obj, size_t *objlen) {
  int saved = errno, hit = 0;
  char path[4200];
  unsigned char *file = NULL;
  size_t size = 0;
  *obj = NULL;
  int fd = file_path(ctx, name, path, sizeof path)
               ? open(path, O_RDONLY | O_CLOEXEC) : -1;
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 24 &&
      (uint64_t)st.st_size <= (uint64_t)keylen + MAX_OBJECT + 24) {
    size = (size_t)st.st_size;
    file = aj_alloc(ctx, size);
    if (file && transfer(fd, file, size, 0) == 0) {
      uint32_t kl, ol;
      uint64_t sum;
      memcpy(&kl, file + 8, 4);
      memcpy(&ol, file + 12, 4);
      if (memcmp(file, MAGIC, 8) == 0 && kl == keylen &&
          (uint64_t)16 + kl + ol + 8 == size &&
          memcmp(file + 16, key, keylen) == 0) {
        memcpy(&sum, file + size - 8, 8);
        if (sum == checksum(file, size - 8)) {
          *obj = aj_alloc(ctx, ol ? ol : 1);
          if (*obj) {
            memcpy(*obj, file + 16 + kl, ol);
            *objlen = ol;
            hit = 1;
          }
        }
      }
    }
  }
  if (fd >= 0) close(fd);
  aj_free(ctx, file, size);
  errno = saved;
  return hit;
}

void aj_cache_store(actjit_ctx *ctx, const char *name,
                    const unsigned char *key, uint32_t keylen,
                    const void *obj, size_t objlen) {
  int saved = errno;
  char path[4200], tmp[4300], dir[4096];
  if (objlen > MAX_OBJECT || !cache_dir(ctx, dir, sizeof dir) ||
      !file_path(ctx, name, path, sizeof path)) {
    errno = saved;
    return;
  }
  make_dirs(dir);
  static unsigned counter;
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u.%p", path, (long)getpid(),
           __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED), (void *)&saved);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    uint32_t kl = keylen, ol = (uint32_t)objlen;
    unsigned char head[16];
    memcpy(head, MAGIC, 8);
    memcpy(head + 8, &kl, 4);
    memcpy(head + 12, &ol, 4);
    /* the checksum covers head, key and object */
    size_t total = 16 + (size_t)keylen + objlen;
    unsigned char *all = aj_alloc(ctx, total);
    int ok = all != NULL;
    if (ok) {
      memcpy(all, head, 16);
      memcpy(all + 16, key, keylen);
      memcpy(all + 16 + keylen, obj, objlen);
      uint64_t sum = checksum(all, total);
      ok = transfer(fd, all, total, 1) == 0 && transfer(fd, &sum, 8, 1) == 0;
      aj_free(ctx, all, total);
    }
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) unlink(tmp);
  }
  errno = saved;
}
