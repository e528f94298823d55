/* win_ctl_pipe_inspect.h -- what tests check of
 * win_ctl_pipe.c beyond what the proxy uses (win_backend.h). */
#ifndef WIN_CTL_PIPE_INSPECT_H
#define WIN_CTL_PIPE_INSPECT_H

#include "win_backend.h"

/* CreateNamedPipe's open mode and pipe mode for the control pipe: duplex,
 * overlapped, messages, local clients only (PIPE_REJECT_REMOTE_CLIENTS);
 * the FIRST instance with FILE_FLAG_FIRST_PIPE_INSTANCE. */
DWORD win_ctl_open_mode(bool first);
DWORD win_ctl_pipe_mode(void);
/* The data pipe's pipe mode: bytes, local clients only; its open mode is
 * the control pipe's. */
DWORD win_data_pipe_mode(void);

#endif /* WIN_CTL_PIPE_INSPECT_H */
