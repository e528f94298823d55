/* win_op.c -- see win_op.h. */
#include "win_op.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "win_error.h"

void win_op_init(struct win_op *op, enum win_op_kind kind, void *owner)
{
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->state = WIN_OP_IDLE;
    op->owner = owner;
}

OVERLAPPED *win_op_arm(struct win_op *op)
{
    /* Rule 2: never re-armed while pending. */
    assert(op->state == WIN_OP_IDLE);
    memset(&op->ov, 0, sizeof op->ov);
    op->state = WIN_OP_PENDING;
    return &op->ov;
}

void win_op_done(struct win_op *op)
{
    assert(op->state == WIN_OP_PENDING);
    op->state = WIN_OP_IDLE;
}

struct win_op *win_op_from_ov(OVERLAPPED *ov)
{
    /* Rule 2: the OVERLAPPED pointer identifies the operation. */
    return (struct win_op *)((char *)ov - offsetof(struct win_op, ov));
}

bool win_post(HANDLE iocp, enum win_key key, DWORD count)
{
    if (!PostQueuedCompletionStatus(iocp, count, (ULONG_PTR)key, NULL)) {
        win_fail("PostQueuedCompletionStatus");
        return false;
    }
    return true;
}
