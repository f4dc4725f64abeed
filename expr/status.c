/*
** status.c: status names and descriptions (from ACTJIT_STATUS_MAP), the
** version queries, and the error-filling helper every module uses.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node.h"

static const char *const status_names[] = {
#define NAME_(name, text) #name,
    ACTJIT_STATUS_MAP(NAME_)
#undef NAME_
};

static const char *const status_texts[] = {
#define TEXT_(name, text) text,
    ACTJIT_STATUS_MAP(TEXT_)
#undef TEXT_
};

const char *actjit_status_name(actjit_status s) {
  if ((unsigned)s >= ACTJIT_STATUS_COUNT_) return "EUNKNOWNSTATUS";
  return status_names[s];
}

const char *actjit_status_str(actjit_status s) {
  if ((unsigned)s >= ACTJIT_STATUS_COUNT_) return "unknown status";
  return status_texts[s];
}

unsigned actjit_version_number(void) { return ACTJIT_VERSION_HEX; }

const char *actjit_version_string(void) { return ACTJIT_VERSION_STRING; }

actjit_status aj_error(actjit_error *err, actjit_status code, size_t off,
                       size_t len, const char *fmt, ...) {
  if (err) {
    va_list ap;
    err->code = code;
    err->offset = off;
    err->length = len;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (!err->message[0])
      snprintf(err->message, sizeof err->message, "%s",
               actjit_status_str(code));
  }
  return code;
}

static const char *const profile_names[] = {"torch", "onednn", "minnorm"};

int actjit_profile_by_name(const char *name) {
  for (int p = 0; name && p < 3; p++)
    if (strcmp(name, profile_names[p]) == 0) return p;
  return -1;
}

const char *actjit_profile_name(int p) {
  return p >= 0 && p < 3 ? profile_names[p] : NULL;
}
