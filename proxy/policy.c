/* policy.c -- see policy.h. */
#include "policy.h"

#include "trace.h"

void policy_trace_backpressure(bool on, size_t queued)
{
    trace("backpressure %s: %zu bytes queued", on ? "on" : "off", queued);
}

void policy_trace_drain_gave_up(void)
{
    trace("drain: no pty output for %d ms after the child exited",
          POLICY_DRAIN_MS);
}

void policy_trace_hangup_forced(const char *how)
{
    trace("hangup: child still running after %d ms: %s", POLICY_HANGUP_MS, how);
}

void policy_trace_resize(int cols, int rows, uint32_t result)
{
    trace("resize %d %d hr=0x%08lx", cols, rows, (unsigned long)result);
}
