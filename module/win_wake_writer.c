/* win_wake_writer.c -- wake_writer.h over a loopback TCP connection.
 *
 * Emacs's own channels (open_channel) are descriptors of Emacs's C
 * runtime, which this DLL may not share (msvcrt against UCRT): a
 * descriptor number means nothing to another runtime.  A socket is an
 * OS handle: Lisp listens on 127.0.0.1, the writer connects, sends the
 * secret Lisp gave it (any other local program may connect too; Lisp
 * keeps only the connection that sends it) and then a byte per
 * wake-up. */
#include "wake_writer.h"

#include <stdlib.h>
#include <string.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

/* How long the connection to Lisp's server may take.  Lisp listens
 * before it starts the worker, so the connection completes at once (the
 * OS accepts it into the backlog); this bounds a server that is gone. */
enum { CONNECT_MS = 2000 };

struct wake_writer {
    SOCKET sock;
};

/* Connect to 127.0.0.1:PORT within CONNECT_MS, send SECRET, and leave
 * the socket non-blocking.  INVALID_SOCKET on failure (Winsock started
 * by the caller).  The socket is not inherited: the shell Emacs starts
 * next must not hold Emacs's wake-up channel. */
static SOCKET connect_to_lisp(unsigned port, const char *secret, size_t len)
{
    struct sockaddr_in addr;
    u_long nonblocking = 1;
    BOOL nodelay = TRUE;
    SOCKET s;
    fd_set wr, ex;
    struct timeval tv = {CONNECT_MS / 1000, (CONNECT_MS % 1000) * 1000};
    int err = 0, errlen = sizeof err;

    if (port == 0 || port > 65535 || len == 0 || len > PARSE_WAKEUP_SECRET_MAX)
        return INVALID_SOCKET;
    s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                   WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET)
        return INVALID_SOCKET;
    /* One byte per wake-up, each one at once (no Nagle delay). */
    if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay,
                   sizeof nodelay) != 0 ||
        ioctlsocket(s, FIONBIO, &nonblocking) != 0)
        goto fail;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((u_short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (const struct sockaddr *)&addr, sizeof addr) != 0) {
        if (WSAGetLastError() != WSAEWOULDBLOCK)
            goto fail;
        FD_ZERO(&wr);
        FD_ZERO(&ex);
        FD_SET(s, &wr);
        FD_SET(s, &ex);
        if (select(0, NULL, &wr, &ex, &tv) != 1 || !FD_ISSET(s, &wr) ||
            getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&err, &errlen) != 0 ||
            err != 0)
            goto fail;
    }
    /* A fresh connection's send buffer takes the secret whole. */
    if (send(s, secret, (int)len, 0) != (int)len)
        goto fail;
    return s;
fail:
    closesocket(s);
    return INVALID_SOCKET;
}

struct wake_writer *wake_writer_open(const struct parse_wakeup *wake)
{
    struct wake_writer *w;
    WSADATA wsa;

    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return NULL;
    w = malloc(sizeof *w);
    if (w != NULL) {
        w->sock = connect_to_lisp(wake->port, wake->secret, wake->secret_len);
        if (w->sock != INVALID_SOCKET)
            return w;
        free(w);
    }
    WSACleanup();
    return NULL;
}

/* Non-blocking: a full buffer (WSAEWOULDBLOCK) has bytes for Emacs
 * already; a connection Emacs closed fails. */
void wake_writer_write(struct wake_writer *w)
{
    (void)send(w->sock, "w", 1, 0);
}

void wake_writer_close(struct wake_writer *w)
{
    closesocket(w->sock);
    WSACleanup();
    free(w);
}

/* The socket is the writer's own: nothing goes back to the caller. */
void wake_writer_abandon(struct wake_writer *w)
{
    wake_writer_close(w);
}
