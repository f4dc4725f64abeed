/*
** target.c: what the host CPU is and how wide its vectors are.  Detected
** once per process; the vector width comes from the features LLVM reports
** (16 floats with AVX-512, 8 with AVX2+FMA, 4 with SSE2/NEON, else 1).
*/
#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "jit.h"

static aj_target host;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static int has(const char *features, const char *f) {
  size_t n = strlen(f);
  for (const char *p = features; (p = strstr(p, f)) != NULL; p += n)
    if ((p == features || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
      return 1;
  return 0;
}

static void detect(void) {
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
  char *triple = LLVMGetDefaultTargetTriple();
  char *cpu = LLVMGetHostCPUName();
  snprintf(host.triple, sizeof host.triple, "%s", triple);
  snprintf(host.cpu, sizeof host.cpu, "%s", cpu);
  LLVMDisposeMessage(triple);
  LLVMDisposeMessage(cpu);
  host.features = LLVMGetHostCPUFeatures(); /* kept for the process */
  const char *f = host.features ? host.features : "";
  if (has(f, "+avx512f") && has(f, "+avx512dq") && has(f, "+avx512vl"))
    host.width32 = 16;
  else if (has(f, "+avx2") && has(f, "+fma"))
    host.width32 = 8;
  else if (has(f, "+sse2") || has(f, "+neon"))
    host.width32 = 4;
  else
    host.width32 = 1;
}

const aj_target *aj_target_host(void) {
  pthread_once(&host_once, detect);
  return &host;
}
