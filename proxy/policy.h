/* policy.h -- what both backends of conpty-proxy do alike (DESIGN.md,
 * "Event loop rules"): how long they wait for a child and its output,
 * and the trace lines that report it, which tests read.  The loops that
 * apply it stay one per OS; the queue's backpressure thresholds are
 * queue.h's. */
#ifndef POLICY_H
#define POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    /* The child is gone: the pty is read to its EOF, unless it stays
     * silent this long (rule 9: bounded), but never while Emacs holds
     * the output back (rule 5: output is not dropped to meet a timer). */
    POLICY_DRAIN_MS = 5000,
    /* stdin EOF (Emacs killed the process): the child is hung up, and
     * ended outright if it is still there this much later. */
    POLICY_HANGUP_MS = 1500
};

/* "backpressure on|off: <n> bytes queued". */
void policy_trace_backpressure(bool on, size_t queued);
/* The pty stayed silent POLICY_DRAIN_MS after the child exited. */
void policy_trace_drain_gave_up(void);
/* The child outlived its hang-up; HOW it was ended. */
void policy_trace_hangup_forced(const char *how);
/* A size applied: "resize <cols> <rows> hr=0x<8 hex digits>", RESULT the
 * protocol's result field (0 on success; on Windows the HRESULT of
 * ResizePseudoConsole). */
void policy_trace_resize(int cols, int rows, uint32_t result);

#endif /* POLICY_H */
