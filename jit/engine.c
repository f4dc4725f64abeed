/*
** engine.c: ORC lifetimes.  One LLJIT per context, made on first use; per
** compile: a fresh LLVMContext and TargetMachine (sharing a TargetMachine
** across threads crashed, and LLVM 19's default compile layer is not safe
** for concurrent materialization), the module compiled to an object here,
** and the object added with its own ResourceTracker so freeing an
** activation unloads exactly its code.  Every LLVMErrorRef becomes an
** actjit_error at the call site.
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
#include <stdio.h>
#include <string.h>

#include "jit.h"

/* One loaded object: the kernels of one key, shared by every activation
** with that key. */
typedef struct entry {
  struct entry *next;
  unsigned char *key;
  uint32_t keylen;
  uint32_t refs;
  LLVMOrcResourceTrackerRef rt;
  aj_fwd_fn fwd;
  aj_bwd_fn bwd;
} entry;

struct aj_jit {
  LLVMOrcLLJITRef lljit;
  LLVMOrcJITDylibRef dylib;
  pthread_mutex_t mu;   /* guards entries and object loading */
  entry *entries;
  unsigned releases;    /* to clear dead symbol-pool entries now and then */
  char session_error[200]; /* the last session error (under mu) */
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
      LLVMErrorRef e = LLVMOrcCreateLLJIT(&jit->lljit, NULL);
      if (e) {
        pthread_mutex_destroy(&jit->mu);
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
  LLVMErrorRef e = LLVMOrcDisposeLLJIT(jit->lljit);
  if (e) LLVMConsumeError(e);
  for (entry *x = jit->entries, *next; x; x = next) {
    next = x->next;
    LLVMOrcReleaseResourceTracker(x->rt);
    aj_free(ctx, x->key, x->keylen);
    aj_free(ctx, x, sizeof *x);
  }
  pthread_mutex_destroy(&jit->mu);
  aj_free(ctx, jit, sizeof *jit);
}

/* A TargetMachine for the host, owned by the caller. */
static LLVMTargetMachineRef host_machine(const aj_target *t, actjit_error *err,
                                         actjit_status *s) {
  LLVMTargetRef target;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(t->triple, &target, &msg)) {
    *s = aj_error(err, ACTJIT_EJIT, 0, 0, "no LLVM target for %s: %.120s",
                  t->triple, msg ? msg : "");
    LLVMDisposeMessage(msg);
    return NULL;
  }
  return LLVMCreateTargetMachine(target, t->triple, t->cpu,
                                 t->features ? t->features : "",
                                 LLVMCodeGenLevelDefault, LLVMRelocPIC,
                                 LLVMCodeModelJITDefault);
}

static const aj_blob *find_blob(const char *name) {
  for (const aj_blob *b = aj_runtime_blobs; b->name; b++)
    if (strcmp(b->name, name) == 0) return b;
  return NULL;
}

/* Links the runtime functions m declares (one small bitcode module each)
** and inlines them: after this, m calls nothing outside itself. */
static actjit_status link_runtime(LLVMContextRef lctx, LLVMModuleRef m,
                                  LLVMTargetMachineRef tm, actjit_error *err) {
  int linked = 0;
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;) {
    LLVMValueRef next = LLVMGetNextFunction(fn);
    size_t len;
    const char *name = LLVMGetValueName2(fn, &len);
    if (LLVMIsDeclaration(fn) && strncmp(name, "ajrt_", 5) == 0) {
      const aj_blob *b = find_blob(name);
      if (!b)
        return aj_error(err, ACTJIT_EJIT, 0, 0,
                        "the runtime has no function %.64s", name);
      LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRange(
          (const char *)b->data, b->len, b->name, 0);
      LLVMModuleRef rm = NULL;
      LLVMBool bad = LLVMParseBitcodeInContext2(lctx, buf, &rm);
      LLVMDisposeMemoryBuffer(buf);
      /* Its constant tables are its own: private, so two blobs' copies
      ** do not clash (globaldce drops the unused ones). */
      for (LLVMValueRef gv = bad ? NULL : LLVMGetFirstGlobal(rm); gv;
           gv = LLVMGetNextGlobal(gv))
        LLVMSetLinkage(gv, LLVMPrivateLinkage);
      if (bad || LLVMLinkModules2(m, rm))
        return aj_error(err, ACTJIT_EINTERNAL, 0, 0,
                        "cannot link runtime function %.64s", b->name);
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
    LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                     "target-cpu", 10);
    LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                     "target-features", 15);
    LLVMRemoveStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                     "tune-cpu", 8);
  }
  LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
  LLVMErrorRef e = LLVMRunPasses(m, "always-inline,globaldce", tm, opts);
  LLVMDisposePassBuilderOptions(opts);
  if (e) return llvm_error(e, err, "cannot inline the runtime");
  return ACTJIT_OK;
}

/* Builds the module for spec in lctx, ready for the host. */
static LLVMModuleRef build_module(LLVMContextRef lctx, LLVMTargetMachineRef tm,
                                  const aj_kernel_spec *spec,
                                  const char *prefix, actjit_error *err,
                                  actjit_status *s) {
  const aj_target *t = aj_target_host();
  const char *why = NULL;
  LLVMModuleRef m = aj_codegen(lctx, t, spec, prefix, &why);
  if (!m) {
    *s = aj_error(err, ACTJIT_EJIT, 0, 0, "code generation failed: %s", why);
    return NULL;
  }
  LLVMSetTarget(m, t->triple);
  LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(tm);
  LLVMSetModuleDataLayout(m, layout);
  LLVMDisposeTargetData(layout);
  *s = link_runtime(lctx, m, tm, err);
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

/* Compiles spec to an object file in memory (ctx allocator).  Outside any
** lock: each call has its own LLVMContext and TargetMachine. */
static actjit_status compile_object(actjit_ctx *ctx, const aj_kernel_spec *spec,
                                    const char *prefix, void **obj,
                                    size_t *objlen, actjit_error *err) {
  actjit_status s = ACTJIT_OK;
  *obj = NULL;
  LLVMContextRef lctx = LLVMContextCreate();
  LLVMTargetMachineRef tm = host_machine(aj_target_host(), err, &s);
  LLVMModuleRef m = tm ? build_module(lctx, tm, spec, prefix, err, &s) : NULL;
  LLVMMemoryBufferRef buf = NULL;
  if (m) {
    char *msg = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &msg, &buf)) {
      s = aj_error(err, ACTJIT_EJIT, 0, 0, "code generation failed: %.160s",
                   msg ? msg : "");
      buf = NULL;
    }
    LLVMDisposeMessage(msg);
    LLVMDisposeModule(m);
  }
  if (buf) {
    *objlen = LLVMGetBufferSize(buf);
    *obj = aj_alloc(ctx, *objlen ? *objlen : 1);
    if (*obj) memcpy(*obj, LLVMGetBufferStart(buf), *objlen);
    else s = aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
    LLVMDisposeMemoryBuffer(buf);
  }
  if (tm) LLVMDisposeTargetMachine(tm);
  LLVMContextDispose(lctx);
  return s;
}

static entry *find(aj_jit *jit, const unsigned char *key, uint32_t len) {
  for (entry *x = jit->entries; x; x = x->next)
    if (x->keylen == len && memcmp(x->key, key, len) == 0) return x;
  return NULL;
}

static void take(entry *x, aj_kernels *out, int how) {
  x->refs++;
  out->fwd = x->fwd;
  out->bwd = x->bwd;
  out->entry = x;
  out->from_cache = how;
}

/* Loads an object and looks its kernels up (under jit->mu).  On success
** the entry owns key. */
static actjit_status load(aj_jit *jit, actjit_ctx *ctx, const char *prefix,
                          unsigned char *key, uint32_t keylen,
                          const void *obj, size_t objlen, entry **out,
                          actjit_error *err) {
  entry *x = aj_alloc(ctx, sizeof *x);
  if (!x) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  memset(x, 0, sizeof *x);
  LLVMMemoryBufferRef buf =
      LLVMCreateMemoryBufferWithMemoryRangeCopy(obj, objlen, prefix);
  x->rt = LLVMOrcJITDylibCreateResourceTracker(jit->dylib);
  LLVMErrorRef e = LLVMOrcLLJITAddObjectFileWithRT(jit->lljit, x->rt, buf);
  actjit_status s = e ? llvm_error(e, err, "cannot load the kernels")
                      : ACTJIT_OK;
  static const char *const kinds[2] = {"fwd", "bwd"};
  LLVMOrcExecutorAddress addr[2] = {0, 0};
  jit->session_error[0] = 0;
  for (int k = 0; k < 2 && s == ACTJIT_OK; k++) {
    char name[96];
    snprintf(name, sizeof name, "%s_%s", prefix, kinds[k]);
    e = LLVMOrcLLJITLookup(jit->lljit, &addr[k], name);
    if (e) {
      LLVMConsumeError(e); /* "failed to materialize": the cause is below */
      s = aj_error(err, ACTJIT_EJIT, 0, 0, "cannot link the kernels: %.200s",
                   jit->session_error[0] ? jit->session_error
                                         : "unknown session error");
    }
  }
  if (s != ACTJIT_OK) {
    e = LLVMOrcResourceTrackerRemove(x->rt);
    if (e) LLVMConsumeError(e);
    LLVMOrcReleaseResourceTracker(x->rt);
    aj_free(ctx, x, sizeof *x);
    return s;
  }
  x->fwd = (aj_fwd_fn)(uintptr_t)addr[0];
  x->bwd = (aj_bwd_fn)(uintptr_t)addr[1];
  x->key = key;
  x->keylen = keylen;
  x->next = jit->entries;
  jit->entries = x;
  *out = x;
  return ACTJIT_OK;
}

actjit_status aj_jit_compile(aj_jit *jit, actjit_ctx *ctx,
                             const aj_kernel_spec *spec, aj_kernels *out,
                             actjit_error *err) {
  memset(out, 0, sizeof *out);
  unsigned char *key;
  uint32_t keylen;
  if (aj_kernel_key(ctx, spec, aj_target_host(), &key, &keylen))
    return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  char prefix[40];
  aj_kernel_name(key, keylen, prefix);

  /* 1. Already loaded in this JIT: share it. */
  pthread_mutex_lock(&jit->mu);
  entry *x = find(jit, key, keylen);
  if (x) take(x, out, 2);
  pthread_mutex_unlock(&jit->mu);
  if (x) {
    aj_free(ctx, key, keylen);
    return ACTJIT_OK;
  }
  /* 2. The disk cache, else LLVM (outside the lock). */
  void *obj = NULL;
  size_t objlen = 0;
  int cached = aj_cache_load(ctx, prefix, key, keylen, &obj, &objlen);
  actjit_status s = ACTJIT_OK;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (!cached) {
      s = compile_object(ctx, spec, prefix, &obj, &objlen, err);
      if (s == ACTJIT_OK) aj_cache_store(ctx, prefix, key, keylen, obj, objlen);
    }
    if (s != ACTJIT_OK) break;
    /* 3. Load, unless another thread loaded the same kernels meanwhile. */
    pthread_mutex_lock(&jit->mu);
    x = find(jit, key, keylen);
    if (x) {
      take(x, out, 2);
    } else {
      s = load(jit, ctx, prefix, key, keylen, obj, objlen, &x, err);
      if (s == ACTJIT_OK) {
        key = NULL; /* the entry owns it */
        take(x, out, cached);
      }
    }
    pthread_mutex_unlock(&jit->mu);
    aj_free(ctx, obj, objlen ? objlen : 1);
    obj = NULL;
    /* A cached object that does not load is not trusted: compile afresh. */
    if (s == ACTJIT_OK || !cached) break;
    cached = 0;
  }
  aj_free(ctx, obj, objlen ? objlen : 1);
  if (key) aj_free(ctx, key, keylen);
  return s;
}

void aj_jit_release(aj_jit *jit, actjit_ctx *ctx, aj_kernels *k) {
  entry *x = k->entry;
  if (!x) return;
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
  LLVMTargetMachineRef tm = host_machine(aj_target_host(), err, &s);
  LLVMModuleRef m = tm ? build_module(lctx, tm, spec, "actjit", err, &s) : NULL;
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
