/* csi_guard.h -- between program output and the session server's
 * libvterm: libvterm 0.3.3's parser keeps 16 CSI arguments and writes
 * past them when there are more, so arguments past the 16th are dropped
 * here (the module has its own guard, module/input_guard.c).  Stateful:
 * a sequence may span calls. */
#ifndef CSI_GUARD_H
#define CSI_GUARD_H

#include <stdbool.h>
#include <stddef.h>

enum { CSI_GUARD_ARGS = 16 };

struct csi_guard {
    int state;      /* text, after ESC, in a CSI */
    int separators; /* ';' and ':' seen in this CSI */
    bool dropping;  /* in an argument past the 16th */
};

/* Copy LEN bytes from IN to OUT (room for LEN) without the arguments
 * past the 16th of any CSI; returns the count written. */
size_t csi_guard_filter(struct csi_guard *g, const char *in, size_t len,
                        char *out);

/* Not inside an escape or control sequence (a string, which this does
 * not follow, may be). */
bool csi_guard_in_text(const struct csi_guard *g);

#endif
