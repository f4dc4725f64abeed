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
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "jit.h"

struct aj_jit {
  LLVMOrcLLJITRef lljit;
  LLVMOrcJITDylibRef dylib;
  atomic_uint next_id;  /* unique symbol prefixes */
  atomic_uint releases; /* to clear dead symbol-pool entries now and then */
};

/* Turns an LLVMErrorRef into an actjit_error (consumes it). */
static actjit_status llvm_error(LLVMErrorRef e, actjit_error *err,
                                const char *what) {
  char *msg = LLVMGetErrorMessage(e);
  actjit_status s = aj_error(err, ACTJIT_EJIT, 0, 0, "%s: %.160s", what, msg);
  LLVMDisposeErrorMessage(msg);
  return s;
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
      LLVMErrorRef e = LLVMOrcCreateLLJIT(&jit->lljit, NULL);
      if (e) {
        s = llvm_error(e, err, "cannot create the JIT");
        aj_free(ctx, jit, sizeof *jit);
        jit = NULL;
      } else {
        jit->dylib = LLVMOrcLLJITGetMainJITDylib(jit->lljit);
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

actjit_status aj_jit_compile(aj_jit *jit, actjit_ctx *ctx,
                             const aj_kernel_spec *spec, aj_kernels *out,
                             actjit_error *err) {
  memset(out, 0, sizeof *out);
  actjit_status s = ACTJIT_OK;
  char prefix[32];
  snprintf(prefix, sizeof prefix, "actjit_k%u", atomic_fetch_add(&jit->next_id, 1));
  LLVMContextRef lctx = LLVMContextCreate();
  LLVMTargetMachineRef tm = host_machine(aj_target_host(), err, &s);
  LLVMModuleRef m = tm ? build_module(lctx, tm, spec, prefix, err, &s) : NULL;
  LLVMMemoryBufferRef obj = NULL;
  if (m) {
    char *msg = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, LLVMObjectFile, &msg, &obj)) {
      s = aj_error(err, ACTJIT_EJIT, 0, 0, "code generation failed: %.160s",
                   msg ? msg : "");
      obj = NULL;
    }
    LLVMDisposeMessage(msg);
    LLVMDisposeModule(m);
  }
  if (tm) LLVMDisposeTargetMachine(tm);
  LLVMContextDispose(lctx);
  if (!obj) return s;

  LLVMOrcResourceTrackerRef rt = LLVMOrcJITDylibCreateResourceTracker(jit->dylib);
  LLVMErrorRef e = LLVMOrcLLJITAddObjectFileWithRT(jit->lljit, rt, obj);
  if (e) {
    LLVMOrcReleaseResourceTracker(rt);
    return llvm_error(e, err, "cannot load the kernels");
  }
  static const char *const kinds[4] = {"fwd_f32", "bwd_f32", "fwd_f64",
                                       "bwd_f64"};
  LLVMOrcExecutorAddress addr[4] = {0, 0, 0, 0};
  for (int k = 0; k < 4 && s == ACTJIT_OK; k++) {
    char name[64];
    snprintf(name, sizeof name, "%s_%s", prefix, kinds[k]);
    e = LLVMOrcLLJITLookup(jit->lljit, &addr[k], name);
    if (e) s = llvm_error(e, err, "cannot link the kernels");
  }
  if (s != ACTJIT_OK) {
    e = LLVMOrcResourceTrackerRemove(rt);
    if (e) LLVMConsumeError(e);
    LLVMOrcReleaseResourceTracker(rt);
    return s;
  }
  out->fwd[AJ_F32] = (aj_fwd_fn)(uintptr_t)addr[0];
  out->bwd[AJ_F32] = (aj_bwd_fn)(uintptr_t)addr[1];
  out->fwd[AJ_F64] = (aj_fwd_fn)(uintptr_t)addr[2];
  out->bwd[AJ_F64] = (aj_bwd_fn)(uintptr_t)addr[3];
  out->tracker = rt;
  return ACTJIT_OK;
}

void aj_jit_release(aj_jit *jit, aj_kernels *k) {
  if (!k->tracker) return;
  LLVMOrcResourceTrackerRef rt = k->tracker;
  LLVMErrorRef e = LLVMOrcResourceTrackerRemove(rt);
  if (e) LLVMConsumeError(e);
  LLVMOrcReleaseResourceTracker(rt);
  memset(k, 0, sizeof *k);
  if (atomic_fetch_add(&jit->releases, 1) % 64 == 63) {
    LLVMOrcExecutionSessionRef es = LLVMOrcLLJITGetExecutionSession(jit->lljit);
    LLVMOrcSymbolStringPoolClearDeadEntries(
        LLVMOrcExecutionSessionGetSymbolStringPool(es));
  }
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
