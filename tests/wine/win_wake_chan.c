/* win_wake_chan.c -- wake_chan.h over a loopback TCP server, as Lisp
 * runs it for the Windows worker: listen on 127.0.0.1, accept the
 * worker's connection, check that it sends the secret first. */
#include "wake_chan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <windows.h>

struct wake_chan {
    SOCKET server, conn;
    char secret[PARSE_WAKEUP_SECRET_MAX];
    size_t secret_len;
};

struct wake_chan *chan_open(struct parse_wakeup *wake)
{
    struct wake_chan *c = calloc(1, sizeof *c);
    struct sockaddr_in addr;
    int len = sizeof addr;
    WSADATA wsa;

    if (c == NULL || WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        free(c);
        return NULL;
    }
    c->conn = INVALID_SOCKET;
    c->server = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (c->server == INVALID_SOCKET ||
        bind(c->server, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(c->server, 4) != 0 ||
        getsockname(c->server, (struct sockaddr *)&addr, &len) != 0) {
        fprintf(stderr, "  listen: error %d\n", WSAGetLastError());
        chan_close(c);
        return NULL;
    }
    c->secret_len = (size_t)snprintf(
        c->secret, sizeof c->secret, "secret-%08lx-%08lx",
        (unsigned long)GetTickCount(), (unsigned long)GetCurrentProcessId());
    *wake = (struct parse_wakeup){.fd = -1, .port = ntohs(addr.sin_port)};
    memcpy(wake->secret, c->secret, c->secret_len);
    wake->secret_len = c->secret_len;
    return c;
}

bool chan_started(struct wake_chan *c)
{
    char got[PARSE_WAKEUP_SECRET_MAX];
    size_t n = 0;

    c->conn = accept(c->server, NULL, NULL);
    if (c->conn == INVALID_SOCKET)
        return false;
    while (n < c->secret_len) {
        int k = recv(c->conn, got + n, (int)(c->secret_len - n), 0);
        if (k <= 0)
            return false;
        n += (size_t)k;
    }
    return memcmp(got, c->secret, c->secret_len) == 0;
}

bool chan_readable(struct wake_chan *c, int ms)
{
    fd_set rd;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

    FD_ZERO(&rd);
    FD_SET(c->conn, &rd);
    return select(0, &rd, NULL, NULL, &tv) == 1;
}

bool chan_read_byte(struct wake_chan *c)
{
    char byte;
    return recv(c->conn, &byte, 1, 0) == 1;
}

bool chan_at_end(struct wake_chan *c)
{
    char buf[16];
    int n;

    while ((n = recv(c->conn, buf, sizeof buf, 0)) > 0)
        ;
    return n == 0;
}

void chan_close(struct wake_chan *c)
{
    if (c == NULL)
        return;
    if (c->conn != INVALID_SOCKET)
        closesocket(c->conn);
    if (c->server != INVALID_SOCKET)
        closesocket(c->server);
    WSACleanup();
    free(c);
}

void chan_sleep_ms(int ms)
{
    Sleep((DWORD)ms);
}
