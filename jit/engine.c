/*
** engine.c: ORC lifetimes.  One LLJIT per context, made on first use; per
** compile: a fresh LLVMContext and TargetMachine (sharing a TargetMachine
** across threads crashed, and LLVM 19's default compile layer is not safe
** for concurrent materialization), the module compiled to an object here,
** and the object added with its own ResourceTracker so freeing an
** activation unloads exactly its code.  Every LLVMErrorRef becomes an
** actjit_error at the call site.
**
** Tiers: a compile that is not found loaded or in the disk cache first
** builds quick kernels (LLVM's codegen level None, calling the runtime's
** functions out of line: a third of the compile time, 1.3-6x slower code)
** and returns with them; a background thread then
** compiles the optimized ones (level Less), stores them in the disk cache
** and swaps them into the entry.  Both tiers come from the same IR, whose
** float operations are explicit (fma intrinsics, no fast-math flags), so
** they give the same bits (test_tiers checks every catalog entry).
*/
#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Linker.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jit.h"

/* One loaded object: the kernels of one key, shared by every activation
** with that key. */
typedef struct entry {
  struct entry *next;
  unsigned char *key;
  uint32_t keylen;
  uint32_t refs;
  LLVMOrcResourceTrackerRef rt;   /* both tiers' objects */
  /* The kernels to call: acquire loads, as a tiered compile's background
  ** thread stores the optimized ones (release) while others call. */
  aj_fwd_fn fwd;
  aj_bwd_fn bwd;
  int final;          /* 1: fwd and bwd will not change (atomic; set under
                         mu, with a broadcast of jit->upgraded) */
} entry;

/* Room for this many runtime functions out of line (there are 272); a
** function past it is inlined into the quick kernels instead. */
#define RT_WORDS 8

struct aj_jit {
  LLVMOrcLLJITRef lljit;
  LLVMOrcJITDylibRef dylib;
  pthread_mutex_t mu;   /* guards entries and object loading */
  pthread_cond_t upgraded; /* broadcast (under mu) as an entry turns final */
  unsigned upgrading;   /* background compiles running (under mu) */
  entry *entries;
  unsigned releases;    /* to clear dead symbol-pool entries now and then */
  char session_error[200]; /* the last session error (under mu) */
  /* TargetMachines not in use (under mu): making one costs ~0.3 ms, and
  ** one may serve any number of compiles, one at a time. */
  LLVMTargetMachineRef idle_tm[2][4]; /* [tier: quick, optimized] */
  unsigned nidle_tm[2];
  /* The runtime functions the quick kernels call (see "The quick tier's
  ** runtime"): bit i = aj_runtime_blobs[i] is loaded (under rt_mu). */
  pthread_mutex_t rt_mu;  /* taken before mu, never after */
  uint64_t rt_loaded[RT_WORDS];
};

/* Turns an LLVMErrorRef into an actjit_error (consumes it). */
static actjit_status llvm_error(LLVMErrorRef e, actjit_error *err,
                                const char *what) {
  char *msg = LLVMGetErrorMessage(e);
  actjit_status s = aj_error(err, ACTJIT_EJIT, 0, 0, "%s: %.160s", what, msg);
  LLVMDisposeErrorMessage(msg);
  return s;
}

/* ORC's default reporter prints session errors to stderr; the library
** never prints.  The error is kept for the failing lookup's message (the
** reporter runs during that lookup, with jit->mu held by its caller). */
static void keep_error(void *arg, LLVMErrorRef e) {
  aj_jit *jit = arg;
  char *msg = LLVMGetErrorMessage(e);
  snprintf(jit->session_error, sizeof jit->session_error, "%s", msg);
  LLVMDisposeErrorMessage(msg);
}

actjit_status aj_jit_get(actjit_ctx *ctx, aj_jit **out, actjit_error *err) {
  pthread_mutex_lock(&ctx->lock);
  aj_jit *jit = ctx->jit;
  actjit_status s = ACTJIT_OK;
  if (!jit) {
    aj_target_host(); /* initializes the native target */
    jit = aj_alloc(ctx, sizeof *jit);
    if (!jit) {
      s = aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
    } else {
      memset(jit, 0, sizeof *jit);
      pthread_mutex_init(&jit->mu, NULL);
      pthread_mutex_init(&jit->rt_mu, NULL);
      pthread_cond_init(&jit->upgraded, NULL);
      LLVMErrorRef e = LLVMOrcCreateLLJIT(&jit->lljit, NULL);
      if (e) {
        pthread_mutex_destroy(&jit->mu);
        pthread_mutex_destroy(&jit->rt_mu);
        pthread_cond_destroy(&jit->upgraded);
        s = llvm_error(e, err, "cannot create the JIT");
        aj_free(ctx, jit, sizeof *jit);
        jit = NULL;
      } else {
        jit->dylib = LLVMOrcLLJITGetMainJITDylib(jit->lljit);
        LLVMOrcExecutionSessionSetErrorReporter(
            LLVMOrcLLJITGetExecutionSession(jit->lljit), keep_error, jit);
        ctx->jit = jit;
      }
    }
  }
  pthread_mutex_unlock(&ctx->lock);
  *out = jit;
  return s;
}

void aj_jit_free(aj_jit *jit, actjit_ctx *ctx) {
  if (!jit) return;
  /* Background compiles still running use the JIT (a host that frees the
  ** context before its activations) */
  pthread_mutex_lock(&jit->mu);
  while (jit->upgrading) pthread_cond_wait(&jit->upgraded, &jit->mu);
  pthread_mutex_unlock(&jit->mu);
  /* Trackers before their session: releasing one takes the session's lock
  ** (only reached when a host frees the context before its activations). */
  for (entry *x = jit->entries, *next; x; x = next) {
    next = x->next;
    LLVMOrcReleaseResourceTracker(x->rt);
    aj_free(ctx, x->key, x->keylen);
    aj_free(ctx, x, sizeof *x);
  }
  LLVMErrorRef e = LLVMOrcDisposeLLJIT(jit->lljit);
  if (e) LLVMConsumeError(e);
  for (int t = 0; t < 2; t++)
    for (unsigned i = 0; i < jit->nidle_tm[t]; i++)
      LLVMDisposeTargetMachine(jit->idle_tm[t][i]);
  pthread_mutex_destroy(&jit->mu);
  pthread_mutex_destroy(&jit->rt_mu);
  pthread_cond_destroy(&jit->upgraded);
  aj_free(ctx, jit, sizeof *jit);
}

/* A TargetMachine for the host, owned by the caller; `optimized` 0 gives
** the quick tier's (codegen level None). */
static LLVMTargetMachineRef host_machine(const aj_target *t, int optimized,
                                         actjit_error *err, actjit_status *s) {
  LLVMTargetRef target;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(t->triple, &target, &msg)) {
    *s = aj_error(err, ACTJIT_EJIT, 0, 0, "no LLVM target for %s: %.120s",
                  t->triple, msg ? msg : "");
    LLVMDisposeMessage(msg);
    return NULL;
  }
  /* CodeGenLevelLess: ~5% less compile time than Default and no slower
  ** kernels (gelu_tanh' ~10% faster, measured alternately, 2026-11-23):
  ** the kernels come as explicit SIMD already */
  return LLVMCreateTargetMachine(target, t->triple, t->cpu,
                                 t->features ? t->features : "",
                                 optimized ? LLVMCodeGenLevelLess
                                           : LLVMCodeGenLevelNone,
                                 LLVMRelocPIC,
                                 LLVMCodeModelJITDefault);
}

/* An idle TargetMachine of jit's for the tier, or a new one (NULL, with
** *s set, on failure).  Return it with give_machine. */
static LLVMTargetMachineRef take_machine(aj_jit *jit, int optimized,
                                         actjit_error *err, actjit_status *s) {
  LLVMTargetMachineRef tm = NULL;
  pthread_mutex_lock(&jit->mu);
  if (jit->nidle_tm[optimized])
    tm = jit->idle_tm[optimized][--jit->nidle_tm[optimized]];
  pthread_mutex_unlock(&jit->mu);
  return tm ? tm : host_machine(aj_target_host(), optimized, err, s);
}

static void give_machine(aj_jit *jit, int optimized, LLVMTargetMachineRef tm) {
  if (!tm) return;
  pthread_mutex_lock(&jit->mu);
  if (jit->nidle_tm[optimized] < sizeof jit->idle_tm[0] / sizeof *jit->idle_tm[0]) {
    jit->idle_tm[optimized][jit->nidle_tm[optimized]++] = tm;
    tm = NULL;
  }
  pthread_mutex_unlock(&jit->mu);
  if (tm) LLVMDisposeTargetMachine(tm);
}

static const aj_blob *find_blob(const char *name) {
  for (const aj_blob *b = aj_runtime_blobs; b->name; b++)
    if (strcmp(b->name, name) == 0) return b;
  return NULL;
}

/* Parses runtime function b and links it into m.  Its constant tables
** become private, so two blobs' copies do not clash (globaldce drops the
** unused ones). */
static actjit_status link_blob(LLVMContextRef lctx, LLVMModuleRef m,
                               const aj_blob *b, actjit_error *err) {
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRange(
      (const char *)b->data, b->len, b->name, 0);
  LLVMModuleRef rm = NULL;
  LLVMBool bad = LLVMParseBitcodeInContext2(lctx, buf, &rm);
  LLVMDisposeMemoryBuffer(buf);
  for (LLVMValueRef gv = bad ? NULL : LLVMGetFirstGlobal(rm); gv;
       gv = LLVMGetNextGlobal(gv))
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
  if (bad || LLVMLinkModules2(m, rm))
    return aj_error(err, ACTJIT_EINTERNAL, 0, 0,
                    "cannot link runtime function %.64s", b->name);
  return ACTJIT_OK;
}

/* The runtime function fn declares (a declaration named ajrt_*), or NULL;
** *missing is set when the runtime has no function of that name. */
static const aj_blob *declared_blob(LLVMValueRef fn, const char **missing) {
  size_t len;
  const char *name = LLVMGetValueName2(fn, &len);
  if (!LLVMIsDeclaration(fn) || strncmp(name, "ajrt_", 5) != 0) return NULL;
  const aj_blob *b = find_blob(name);
  if (!b) *missing = name;
  return b;
}

static actjit_status no_such_function(const char *name, actjit_error *err) {
  return aj_error(err, ACTJIT_EJIT, 0, 0, "the runtime has no function %.64s",
                  name);
}

/* Drops a runtime function's own target attributes (the runtime's build
** flags), for the host's: the inlining kernel's, or set anew. */
static void drop_target_attrs(LLVMValueRef fn) {
  LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                   "target-cpu", 10);
  LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                   "target-features", 15);
  LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                   "tune-cpu", 8);
}

/* Links the runtime functions m declares (one small bitcode module each)
** and inlines them: after this, m calls nothing outside itself. */
static actjit_status link_runtime(LLVMContextRef lctx, LLVMModuleRef m,
                                  LLVMTargetMachineRef tm, actjit_error *err) {
  int linked = 0;
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;) {
    LLVMValueRef next = LLVMGetNextFunction(fn);
    const char *missing = NULL;
    const aj_blob *b = declared_blob(fn, &missing);
    if (missing) return no_such_function(missing, err);
    if (b) {
      actjit_status s = link_blob(lctx, m, b, err);
      if (s != ACTJIT_OK) return s;
      linked = 1;
    }
    fn = next;
  }
  if (!linked) return ACTJIT_OK;
  /* Inline them everywhere, then drop them: internal + alwaysinline, and
  ** the kernel's own target attributes govern the code. */
  unsigned always = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
  unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
  unsigned optnone = LLVMGetEnumAttributeKindForName("optnone", 7);
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;
       fn = LLVMGetNextFunction(fn)) {
    size_t len;
    const char *name = LLVMGetValueName2(fn, &len);
    if (strncmp(name, "ajrt_", 5) != 0 || LLVMIsDeclaration(fn)) continue;
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    LLVMRemoveEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex, noinline);
    LLVMRemoveEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex, optnone);
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(lctx, always, 0));
    drop_target_attrs(fn);
  }
  LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
  LLVMErrorRef e = LLVMRunPasses(m, "always-inline,globaldce", tm, opts);
  LLVMDisposePassBuilderOptions(opts);
  if (e) return llvm_error(e, err, "cannot inline the runtime");
  return ACTJIT_OK;
}

static actjit_status call_runtime(aj_jit *jit, actjit_ctx *ctx,
                                  LLVMModuleRef m, actjit_error *err);

/* Sets m's triple and data layout for target t (tm's). */
static void set_module_target(LLVMModuleRef m, LLVMTargetMachineRef tm,
                              const aj_target *t) {
  LLVMSetTarget(m, t->triple);
  LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(tm);
  LLVMSetModuleDataLayout(m, layout);
  LLVMDisposeTargetData(layout);
}

/* Builds the module for spec in lctx, ready for target t (tm's).  The
** runtime functions it calls are inlined, or with `outline` (quick
** kernels, host target) called in outline's out-of-line copies. */
static LLVMModuleRef build_module(LLVMContextRef lctx, LLVMTargetMachineRef tm,
                                  const aj_target *t,
                                  const aj_kernel_spec *spec,
                                  const char *prefix, unsigned kinds,
                                  aj_jit *outline, actjit_ctx *ctx,
                                  actjit_error *err, actjit_status *s) {
  const char *why = NULL;
  LLVMModuleRef m = aj_codegen(lctx, t, spec, prefix, kinds, &why);
  if (!m) {
    *s = aj_error(err, ACTJIT_EJIT, 0, 0, "code generation failed: %s", why);
    return NULL;
  }
  set_module_target(m, tm, t);
  *s = outline ? call_runtime(outline, ctx, m, err) : ACTJIT_OK;
  if (*s == ACTJIT_OK) *s = link_runtime(lctx, m, tm, err);
  if (*s != ACTJIT_OK) {
    LLVMDisposeModule(m);
    return NULL;
  }
  char *msg = NULL;
  if (LLVMVerifyModule(m, LLVMReturnStatusAction, &msg)) {
    *s = aj_error(err, ACTJIT_EINTERNAL, 0, 0, "invalid IR: %.200s", msg);
    LLVMDisposeMessage(msg);
    LLVMDisposeModule(m);
    return NULL;
  }
  LLVMDisposeMessage(msg);
  return m;
}

/* Emits m as an object file into *obj (ctx allocator, *objlen bytes). */
static actjit_status emit_object(actjit_ctx *ctx, LLVMTargetMachineRef tm,
                                 LLVMModuleRef m, void **obj, size_t *objlen,
                                 actjit_error *err) {
  LLVMMemoryBufferRef buf = NULL;
  char *msg = NULL;
  actjit_status s = ACTJIT_OK;
  if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &msg, &buf)) {
    s = aj_error(err, ACTJIT_EJIT, 0, 0, "code generation failed: %.160s",
                 msg ? msg : "");
    buf = NULL;
  }
  LLVMDisposeMessage(msg);
  if (buf) {
    *objlen = LLVMGetBufferSize(buf);
    *obj = aj_alloc(ctx, *objlen ? *objlen : 1);
    if (*obj) memcpy(*obj, LLVMGetBufferStart(buf), *objlen);
    else s = aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
    LLVMDisposeMemoryBuffer(buf);
  }
  return s;
}

/* ---- The quick tier's runtime --------------------------------------------
** Quick kernels call the runtime's functions out of line instead of
** inlining them, which cuts their modules to a fraction (a quick gelu_tanh
** pair: 5.8 to 3.4 ms of LLVM on one core).  A function is compiled once
** per JIT, at the optimized level, when a quick kernel first calls it, and
** stays until the JIT goes, named ajrtq_* so that no process symbol named
** like the runtime's own can stand in for it.  Same IR, explicit float
** operations: the same bits as the optimized kernels' inlined copies. */

#define RT_MAX (RT_WORDS * 64)

static int rt_has(const aj_jit *jit, unsigned i) {
  return (jit->rt_loaded[i / 64] >> (i % 64)) & 1;
}

/* Renames a runtime function ajrt_<rest> to its JIT name ajrtq_<rest>. */
static void rt_rename(LLVMValueRef fn) {
  size_t len;
  const char *name = LLVMGetValueName2(fn, &len);
  char jname[96];
  int n = snprintf(jname, sizeof jname, "ajrtq_%s", name + 5);
  LLVMSetValueName2(fn, jname, (size_t)n);
}

/* Compiles the runtime functions aj_runtime_blobs[idx[0..n)] into one
** object for the host, adds it to jit's dylib and marks them loaded
** (under jit->rt_mu). */
static actjit_status compile_runtime(aj_jit *jit, actjit_ctx *ctx,
                                     const unsigned *idx, unsigned n,
                                     actjit_error *err) {
  const aj_target *t = aj_target_host();
  actjit_status s = ACTJIT_OK;
  LLVMContextRef lctx = LLVMContextCreate();
  LLVMTargetMachineRef tm = take_machine(jit, 1, err, &s);
  LLVMModuleRef m = tm ? LLVMModuleCreateWithNameInContext("ajrtq", lctx) : NULL;
  if (m) set_module_target(m, tm, t);
  for (unsigned i = 0; i < n && m && s == ACTJIT_OK; i++)
    s = link_blob(lctx, m, &aj_runtime_blobs[idx[i]], err);
  /* The host's target attributes, as the kernels that inline them get */
  for (LLVMValueRef fn = m ? LLVMGetFirstFunction(m) : NULL;
       fn && s == ACTJIT_OK; fn = LLVMGetNextFunction(fn)) {
    size_t len;
    if (strncmp(LLVMGetValueName2(fn, &len), "ajrt_", 5) != 0) continue;
    if (LLVMIsDeclaration(fn)) { /* the blobs call no other function */
      s = aj_error(err, ACTJIT_EINTERNAL, 0, 0,
                   "runtime function %.64s is not self-contained",
                   LLVMGetValueName2(fn, &len));
      break;
    }
    rt_rename(fn);
    drop_target_attrs(fn);
    aj_codegen_target_attrs(fn, t);
  }
  void *obj = NULL;
  size_t objlen = 0;
  if (m && s == ACTJIT_OK) s = emit_object(ctx, tm, m, &obj, &objlen, err);
  if (m) LLVMDisposeModule(m);
  give_machine(jit, 1, tm);
  LLVMContextDispose(lctx);
  if (s == ACTJIT_OK) {
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(
        (const char *)obj, objlen, "ajrtq");
    pthread_mutex_lock(&jit->mu);
    LLVMErrorRef e = LLVMOrcLLJITAddObjectFile(jit->lljit, jit->dylib, buf);
    pthread_mutex_unlock(&jit->mu);
    if (e) s = llvm_error(e, err, "cannot load the runtime");
  }
  if (obj) aj_free(ctx, obj, objlen ? objlen : 1);
  for (unsigned i = 0; i < n && s == ACTJIT_OK; i++)
    jit->rt_loaded[idx[i] / 64] |= (uint64_t)1 << (idx[i] % 64);
  return s;
}

/* Points m's runtime calls at jit's out-of-line copies, compiling the
** missing ones first.  A function past RT_MAX stays a declaration, for
** link_runtime to inline. */
static actjit_status call_runtime(aj_jit *jit, actjit_ctx *ctx,
                                  LLVMModuleRef m, actjit_error *err) {
  unsigned want[64], nwant = 0;
  actjit_status s = ACTJIT_OK;
  pthread_mutex_lock(&jit->rt_mu);
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn && s == ACTJIT_OK;
       fn = LLVMGetNextFunction(fn)) {
    const char *missing = NULL;
    const aj_blob *b = declared_blob(fn, &missing);
    if (missing) s = no_such_function(missing, err);
    unsigned i = b ? (unsigned)(b - aj_runtime_blobs) : RT_MAX;
    if (i >= RT_MAX || rt_has(jit, i)) continue;
    if (nwant == 64) { /* a module calls a few dozen at most */
      s = compile_runtime(jit, ctx, want, nwant, err);
      nwant = 0;
    }
    want[nwant++] = i;
  }
  if (nwant && s == ACTJIT_OK) s = compile_runtime(jit, ctx, want, nwant, err);
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn && s == ACTJIT_OK;
       fn = LLVMGetNextFunction(fn)) {
    const char *missing = NULL;
    const aj_blob *b = declared_blob(fn, &missing);
    unsigned i = b ? (unsigned)(b - aj_runtime_blobs) : RT_MAX;
    if (i < RT_MAX && rt_has(jit, i)) rt_rename(fn);
  }
  pthread_mutex_unlock(&jit->rt_mu);
  return s;
}

/* Compiles spec's kernels `kinds` to an object file in memory (ctx
** allocator), optimized or quick.  Outside any lock: each call has its own
** LLVMContext and TargetMachine. */
static actjit_status compile_object(aj_jit *jit, actjit_ctx *ctx,
                                    const aj_kernel_spec *spec,
                                    const char *prefix, unsigned kinds,
                                    int optimized, void **obj, size_t *objlen,
                                    actjit_error *err) {
  actjit_status s = ACTJIT_OK;
  *obj = NULL;
  *objlen = 0;
  LLVMContextRef lctx = LLVMContextCreate();
  LLVMTargetMachineRef tm = take_machine(jit, optimized, err, &s);
  LLVMModuleRef m = tm ? build_module(lctx, tm, aj_target_host(), spec, prefix,
                                       kinds, optimized ? NULL : jit, ctx, err,
                                       &s)
                       : NULL;
  if (m) {
    s = emit_object(ctx, tm, m, obj, objlen, err);
    LLVMDisposeModule(m);
  }
  give_machine(jit, optimized, tm);
  LLVMContextDispose(lctx);
  return s;
}

/* ---- Object bundles ------------------------------------------------------
** What the disk cache stores and load() adds: "AJO2", a u32 count, then
** per object a u64 length and its bytes (native byte order: the key
** already pins the host). */
#define BUNDLE_MAGIC "AJO2"
#define BUNDLE_MAX 2

/* Packs objs[0..n) into one bundle (ctx allocator).  ENOMEM or OK. */
static actjit_status bundle(actjit_ctx *ctx, void *const *objs,
                            const size_t *lens, unsigned n, void **out,
                            size_t *outlen, actjit_error *err) {
  size_t total = 8;
  for (unsigned i = 0; i < n; i++) total += 8 + lens[i];
  unsigned char *p = aj_alloc(ctx, total);
  if (!p) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  memcpy(p, BUNDLE_MAGIC, 4);
  uint32_t count = n;
  memcpy(p + 4, &count, 4);
  size_t at = 8;
  for (unsigned i = 0; i < n; i++) {
    uint64_t len = lens[i];
    memcpy(p + at, &len, 8);
    memcpy(p + at + 8, objs[i], lens[i]);
    at += 8 + lens[i];
  }
  *out = p;
  *outlen = total;
  return ACTJIT_OK;
}

/* The objects of a bundle (pointers into it); their count, or -1 when it
** is malformed. */
static int unbundle(const unsigned char *p, size_t len,
                    const unsigned char **objs, size_t *lens) {
  uint32_t count;
  if (len < 8 || memcmp(p, BUNDLE_MAGIC, 4) != 0) return -1;
  memcpy(&count, p + 4, 4);
  if (count < 1 || count > BUNDLE_MAX) return -1;
  size_t at = 8;
  for (uint32_t i = 0; i < count; i++) {
    uint64_t n;
    if (len - at < 8) return -1;
    memcpy(&n, p + at, 8);
    if (n == 0 || len - at - 8 < n) return -1;
    objs[i] = p + at + 8;
    lens[i] = (size_t)n;
    at += 8 + (size_t)n;
  }
  return at == len ? (int)count : -1;
}

/* One module's compile, run on a helper thread. */
typedef struct compile_job {
  aj_jit *jit;
  actjit_ctx *ctx;
  const aj_kernel_spec *spec;
  const char *prefix;
  unsigned kinds;
  int optimized;
  void *obj;
  size_t objlen;
  actjit_status status;
  actjit_error err;
} compile_job;

static void *compile_thread(void *arg) {
  compile_job *j = arg;
  j->status = compile_object(j->jit, j->ctx, j->spec, j->prefix, j->kinds,
                             j->optimized, &j->obj, &j->objlen, &j->err);
  return NULL;
}

/* The cores this thread may run on (its affinity mask, else the online
** ones): a process pinned to one core gains nothing from a helper thread
** and loses the per-module overhead twice (x*x+0.5: 2.3 vs 1.7 ms). */
static int cores(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  long c = sysconf(_SC_NPROCESSORS_ONLN);
  return c > 1 ? (int)c : 1;
}

/* Compiles spec's two kernels into a bundle: as two modules at once (the
** forward one on a helper thread) when the host has more than one core,
** else as one module. */
static actjit_status compile_bundle(aj_jit *jit, actjit_ctx *ctx,
                                    const aj_kernel_spec *spec,
                                    const char *prefix, int optimized,
                                    void **out, size_t *outlen,
                                    actjit_error *err) {
  compile_job job;
  memset(&job, 0, sizeof job);
  job.jit = jit, job.ctx = ctx, job.spec = spec, job.prefix = prefix;
  job.kinds = AJ_KERNEL_FWD;
  job.optimized = optimized;
  pthread_t helper;
  int threaded = cores() > 1 && pthread_create(&helper, NULL, compile_thread, &job) == 0;
  void *objs[2] = {NULL, NULL};
  size_t lens[2] = {0, 0};
  unsigned n = 0;
  actjit_status s = compile_object(jit, ctx, spec, prefix,
                                   threaded ? AJ_KERNEL_BWD : AJ_KERNEL_BOTH,
                                   optimized, &objs[0], &lens[0], err);
  n = 1;
  if (threaded) {
    pthread_join(helper, NULL);
    objs[1] = job.obj, lens[1] = job.objlen, n = 2;
    if (s == ACTJIT_OK && job.status != ACTJIT_OK) {
      s = job.status;
      if (err) *err = job.err;
    }
  }
  if (s == ACTJIT_OK) s = bundle(ctx, objs, lens, n, out, outlen, err);
  for (unsigned i = 0; i < n; i++)
    if (objs[i]) aj_free(ctx, objs[i], lens[i] ? lens[i] : 1);
  return s;
}

static entry *find(aj_jit *jit, const unsigned char *key, uint32_t len) {
  for (entry *x = jit->entries; x; x = x->next)
    if (x->keylen == len && memcmp(x->key, key, len) == 0) return x;
  return NULL;
}

static void take(entry *x, aj_kernels *out, int how) {
  x->refs++;
  out->entry = x;
  out->from_cache = how;
}

/* Adds a bundle's objects to rt and looks up prefix_fwd and prefix_bwd
** into addr (under jit->mu). */
static actjit_status add_bundle(aj_jit *jit, LLVMOrcResourceTrackerRef rt,
                                const char *prefix, const void *obj,
                                size_t objlen, LLVMOrcExecutorAddress addr[2],
                                actjit_error *err) {
  const unsigned char *objs[BUNDLE_MAX];
  size_t lens[BUNDLE_MAX];
  int nobj = unbundle(obj, objlen, objs, lens);
  actjit_status s = nobj < 0 ? aj_error(err, ACTJIT_EJIT, 0, 0,
                                        "cannot load the kernels: bad bundle")
                             : ACTJIT_OK;
  for (int i = 0; i < nobj && s == ACTJIT_OK; i++) {
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(
        (const char *)objs[i], lens[i], prefix);
    LLVMErrorRef e = LLVMOrcLLJITAddObjectFileWithRT(jit->lljit, rt, buf);
    if (e) s = llvm_error(e, err, "cannot load the kernels");
  }
  static const char *const kinds[2] = {"fwd", "bwd"};
  jit->session_error[0] = 0;
  for (int k = 0; k < 2 && s == ACTJIT_OK; k++) {
    char name[96];
    snprintf(name, sizeof name, "%s_%s", prefix, kinds[k]);
    LLVMErrorRef e = LLVMOrcLLJITLookup(jit->lljit, &addr[k], name);
    if (e) {
      LLVMConsumeError(e); /* "failed to materialize": the cause is below */
      s = aj_error(err, ACTJIT_EJIT, 0, 0, "cannot link the kernels: %.200s",
                   jit->session_error[0] ? jit->session_error
                                         : "unknown session error");
    }
  }
  return s;
}

/* Loads a bundle as a new entry for key (under jit->mu).  On success the
** entry owns key; `final`: no other kernels will replace these. */
static actjit_status load(aj_jit *jit, actjit_ctx *ctx, const char *prefix,
                          unsigned char *key, uint32_t keylen,
                          const void *obj, size_t objlen, int final,
                          entry **out, actjit_error *err) {
  entry *x = aj_alloc(ctx, sizeof *x);
  if (!x) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  memset(x, 0, sizeof *x);
  x->rt = LLVMOrcJITDylibCreateResourceTracker(jit->dylib);
  LLVMOrcExecutorAddress addr[2] = {0, 0};
  actjit_status s = add_bundle(jit, x->rt, prefix, obj, objlen, addr, err);
  if (s != ACTJIT_OK) {
    LLVMErrorRef e = LLVMOrcResourceTrackerRemove(x->rt);
    if (e) LLVMConsumeError(e);
    LLVMOrcReleaseResourceTracker(x->rt);
    aj_free(ctx, x, sizeof *x);
    return s;
  }
  x->fwd = (aj_fwd_fn)(uintptr_t)addr[0];
  x->bwd = (aj_bwd_fn)(uintptr_t)addr[1];
  x->final = final;
  x->key = key;
  x->keylen = keylen;
  x->next = jit->entries;
  jit->entries = x;
  *out = x;
  return ACTJIT_OK;
}

/* ---- The optimized tier, compiled in the background -------------------
** Detached threads.  One reads the spec of the activation that started it
** until the entry turns final, which that activation's release waits for;
** it touches neither the entry nor the context after that (its memory is
** freed before).  fork() waits for running ones (atfork_prepare): a child
** gets no copy of a thread, so an upgrade cut in half there would never
** finish and a wait for it would hang. */

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t fork_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fork_cv = PTHREAD_COND_INITIALIZER;
static unsigned fork_running; /* background compiles in the process */

static void atfork_prepare(void) {
  pthread_mutex_lock(&fork_mu);
  while (fork_running) pthread_cond_wait(&fork_cv, &fork_mu);
}
static void atfork_release(void) { pthread_mutex_unlock(&fork_mu); }
static void atfork_register(void) {
  pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

typedef struct upgrade {
  aj_jit *jit;
  actjit_ctx *ctx;
  aj_kernel_spec spec; /* its tapes are the starting activation's */
  entry *x;            /* kept alive by the starting activation's share */
} upgrade;

/* Marks x final (under jit->mu), counting one background compile less
** when `ran`. */
static void finish(aj_jit *jit, entry *x, int ran) {
  pthread_mutex_lock(&jit->mu);
  __atomic_store_n(&x->final, 1, __ATOMIC_RELEASE);
  if (ran) jit->upgrading--;
  pthread_cond_broadcast(&jit->upgraded);
  pthread_mutex_unlock(&jit->mu);
}

/* Compiles the optimized kernels, stores them in the disk cache and swaps
** them into the entry.  On any failure the quick ones stay (same bits). */
static void *upgrade_thread(void *arg) {
  upgrade *u = arg;
  aj_jit *jit = u->jit;
  actjit_ctx *ctx = u->ctx;
  entry *x = u->x;
  char prefix[40]; /* the optimized tier's symbols and cache file */
  aj_kernel_name(x->key, x->keylen, prefix);
  void *obj = NULL;
  size_t objlen = 0;
  actjit_status s = compile_bundle(jit, ctx, &u->spec, prefix, 1, &obj,
                                   &objlen, NULL);
  if (s == ACTJIT_OK)
    aj_cache_store(ctx, prefix, x->key, x->keylen, obj, objlen);
  LLVMOrcExecutorAddress addr[2] = {0, 0};
  pthread_mutex_lock(&jit->mu);
  if (s == ACTJIT_OK)
    s = add_bundle(jit, x->rt, prefix, obj, objlen, addr, NULL);
  pthread_mutex_unlock(&jit->mu);
  if (obj) aj_free(ctx, obj, objlen ? objlen : 1);
  aj_free(ctx, u, sizeof *u);
  if (s == ACTJIT_OK) {
    __atomic_store_n(&x->fwd, (aj_fwd_fn)(uintptr_t)addr[0], __ATOMIC_RELEASE);
    __atomic_store_n(&x->bwd, (aj_bwd_fn)(uintptr_t)addr[1], __ATOMIC_RELEASE);
  }
  finish(jit, x, 1); /* the last touch of the entry and the JIT */
  pthread_mutex_lock(&fork_mu);
  fork_running--;
  pthread_cond_broadcast(&fork_cv);
  pthread_mutex_unlock(&fork_mu);
  return NULL;
}

/* Starts x's optimized compile; out (x's first user) waits for it on
** release.  Without a thread it runs here, to completion. */
static void start_upgrade(aj_jit *jit, actjit_ctx *ctx,
                          const aj_kernel_spec *spec, entry *x,
                          aj_kernels *out) {
  upgrade *u = aj_alloc(ctx, sizeof *u);
  if (!u) { /* no memory for the job: the quick kernels are final */
    finish(jit, x, 0);
    return;
  }
  u->jit = jit, u->ctx = ctx, u->spec = *spec, u->x = x;
  pthread_once(&fork_once, atfork_register);
  pthread_mutex_lock(&jit->mu);
  jit->upgrading++;
  pthread_mutex_unlock(&jit->mu);
  pthread_mutex_lock(&fork_mu);
  fork_running++;
  pthread_mutex_unlock(&fork_mu);
  out->started = 1;
  pthread_attr_t attr;
  pthread_t t;
  int made = pthread_attr_init(&attr) == 0;
  if (made) {
    made = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
           pthread_create(&t, &attr, upgrade_thread, u) == 0;
    pthread_attr_destroy(&attr);
  }
  if (!made) upgrade_thread(u);
}

actjit_status aj_jit_compile(aj_jit *jit, actjit_ctx *ctx,
                             const aj_kernel_spec *spec, aj_tier tier,
                             aj_kernels *out, actjit_error *err) {
  memset(out, 0, sizeof *out);
  unsigned char *key;
  uint32_t keylen;
  if (aj_kernel_key(ctx, spec, aj_target_host(), &key, &keylen))
    return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  if (tier == AJ_TIER_QUICK) {
    /* never upgraded: an entry of its own, never in the disk cache */
    unsigned char *k2 = aj_alloc(ctx, keylen + 1);
    if (!k2) {
      aj_free(ctx, key, keylen);
      return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
    }
    memcpy(k2, key, keylen);
    k2[keylen] = 'q';
    aj_free(ctx, key, keylen);
    key = k2, keylen++;
  }
  /* symbols: prefix_fwd (optimized), prefix + "q" (quick) */
  char prefix[40], quick_prefix[48];
  aj_kernel_name(key, keylen, prefix);
  snprintf(quick_prefix, sizeof quick_prefix, "%sq", prefix);

  /* 1. Already loaded in this JIT: share it. */
  pthread_mutex_lock(&jit->mu);
  entry *x = find(jit, key, keylen);
  if (x) take(x, out, 2);
  pthread_mutex_unlock(&jit->mu);
  if (x) {
    aj_free(ctx, key, keylen);
    return ACTJIT_OK;
  }
  /* 2. The disk cache, else LLVM (outside the lock): the optimized tier,
  ** or the quick one first. */
  void *obj = NULL;
  size_t objlen = 0;
  int cached = tier != AJ_TIER_QUICK &&
               aj_cache_load(ctx, prefix, key, keylen, &obj, &objlen);
  int optimized = 1;
  actjit_status s = ACTJIT_OK;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (!cached) {
      optimized = tier == AJ_TIER_FULL;
      s = compile_bundle(jit, ctx, spec, optimized ? prefix : quick_prefix,
                         optimized, &obj, &objlen, err);
      if (s == ACTJIT_OK && optimized)
        aj_cache_store(ctx, prefix, key, keylen, obj, objlen);
    }
    if (s != ACTJIT_OK) break;
    /* 3. Load, unless another thread loaded the same kernels meanwhile. */
    int upgrade_it = 0;
    pthread_mutex_lock(&jit->mu);
    x = find(jit, key, keylen);
    if (x) {
      take(x, out, 2);
    } else {
      s = load(jit, ctx, optimized ? prefix : quick_prefix, key, keylen, obj,
               objlen, optimized || tier == AJ_TIER_QUICK, &x, err);
      if (s == ACTJIT_OK) {
        key = NULL; /* the entry owns it */
        take(x, out, cached);
        upgrade_it = !x->final;
      }
    }
    pthread_mutex_unlock(&jit->mu);
    aj_free(ctx, obj, objlen ? objlen : 1);
    obj = NULL;
    if (upgrade_it) start_upgrade(jit, ctx, spec, x, out);
    /* A cached object that does not load is not trusted: compile afresh. */
    if (s == ACTJIT_OK || !cached) break;
    cached = 0;
  }
  aj_free(ctx, obj, objlen ? objlen : 1);
  if (key) aj_free(ctx, key, keylen);
  return s;
}

aj_fwd_fn aj_jit_fwd(const aj_kernels *k) {
  const entry *x = k->entry;
  return __atomic_load_n(&x->fwd, __ATOMIC_ACQUIRE);
}

aj_bwd_fn aj_jit_bwd(const aj_kernels *k) {
  const entry *x = k->entry;
  return __atomic_load_n(&x->bwd, __ATOMIC_ACQUIRE);
}

int aj_jit_final(const aj_kernels *k) {
  const entry *x = k->entry;
  return __atomic_load_n(&x->final, __ATOMIC_ACQUIRE);
}

void aj_jit_wait(aj_jit *jit, const aj_kernels *k) {
  if (aj_jit_final(k)) return;
  pthread_mutex_lock(&jit->mu);
  while (!aj_jit_final(k)) pthread_cond_wait(&jit->upgraded, &jit->mu);
  pthread_mutex_unlock(&jit->mu);
}

void aj_jit_release(aj_jit *jit, actjit_ctx *ctx, aj_kernels *k) {
  entry *x = k->entry;
  if (!x) return;
  /* the background compile reads the spec of k's activation until the
  ** entry turns final */
  if (k->started) aj_jit_wait(jit, k);
  memset(k, 0, sizeof *k);
  pthread_mutex_lock(&jit->mu);
  if (--x->refs == 0) {
    for (entry **pp = &jit->entries; *pp; pp = &(*pp)->next)
      if (*pp == x) {
        *pp = x->next;
        break;
      }
    LLVMErrorRef e = LLVMOrcResourceTrackerRemove(x->rt);
    if (e) LLVMConsumeError(e);
    LLVMOrcReleaseResourceTracker(x->rt);
    aj_free(ctx, x->key, x->keylen);
    aj_free(ctx, x, sizeof *x);
    if (++jit->releases % 64 == 0) {
      LLVMOrcExecutionSessionRef es = LLVMOrcLLJITGetExecutionSession(jit->lljit);
      LLVMOrcSymbolStringPoolClearDeadEntries(
          LLVMOrcExecutionSessionGetSymbolStringPool(es));
    }
  }
  pthread_mutex_unlock(&jit->mu);
}

actjit_status aj_jit_text(actjit_ctx *ctx, const aj_kernel_spec *spec,
                          int want_asm, char **text, actjit_error *err) {
  *text = NULL;
  actjit_status s = ACTJIT_OK;
  LLVMContextRef lctx = LLVMContextCreate();
  LLVMTargetMachineRef tm = host_machine(aj_target_host(), 1, err, &s);
  LLVMModuleRef m = tm ? build_module(lctx, tm, aj_target_host(), spec, "actjit",
                                       AJ_KERNEL_BOTH, NULL, ctx, err, &s)
                       : NULL;
  const char *src = NULL;
  size_t len = 0;
  char *ir = NULL;
  LLVMMemoryBufferRef buf = NULL;
  if (m && !want_asm) {
    ir = LLVMPrintModuleToString(m);
    src = ir;
    len = strlen(ir);
  } else if (m) {
    char *msg = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMAssemblyFile, &msg, &buf)) {
      s = aj_error(err, ACTJIT_EJIT, 0, 0, "assembly failed: %.160s",
                   msg ? msg : "");
      buf = NULL;
    } else {
      src = LLVMGetBufferStart(buf);
      len = LLVMGetBufferSize(buf);
    }
    LLVMDisposeMessage(msg);
  }
  if (src) {
    *text = aj_text_alloc(ctx, len);
    if (*text) {
      memcpy(*text, src, len);
      (*text)[len] = 0;
    } else {
      s = aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
    }
  }
  if (ir) LLVMDisposeMessage(ir);
  if (buf) LLVMDisposeMemoryBuffer(buf);
  if (m) LLVMDisposeModule(m);
  if (tm) LLVMDisposeTargetMachine(tm);
  LLVMContextDispose(lctx);
  return s;
}

actjit_status aj_jit_emit_object(actjit_ctx *ctx, const aj_target *t,
                                 const aj_kernel_spec *specs,
                                 const char *const *prefixes, unsigned n,
                                 void **obj, size_t *objlen,
                                 actjit_error *err) {
  *obj = NULL;
  *objlen = 0;
  actjit_status s = ACTJIT_OK;
  LLVMContextRef lctx = LLVMContextCreate();
  LLVMTargetMachineRef tm = host_machine(t, 1, err, &s);
  LLVMModuleRef all = NULL;
  for (unsigned i = 0; tm && i < n && s == ACTJIT_OK; i++) {
    LLVMModuleRef m = build_module(lctx, tm, t, &specs[i], prefixes[i],
                                   AJ_KERNEL_BOTH, NULL, ctx, err, &s);
    if (m && !all) all = m;
    else if (m && LLVMLinkModules2(all, m)) /* m is destroyed either way */
      s = aj_error(err, ACTJIT_EINTERNAL, 0, 0, "cannot link kernels %.64s",
                   prefixes[i]);
  }
  if (s == ACTJIT_OK && all) s = emit_object(ctx, tm, all, obj, objlen, err);
  if (all) LLVMDisposeModule(all);
  if (tm) LLVMDisposeTargetMachine(tm);
  LLVMContextDispose(lctx);
  return s;
}
