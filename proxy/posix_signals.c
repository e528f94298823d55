/* posix_signals.c -- the signals a POSIX session loop follows (SIGCHLD,
 * and SIGHUP, SIGTERM, SIGINT as "end the session"), each a byte on a
 * self-pipe the loop polls. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "posix.h"

static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;

    if (write(signal_pipe[1], &b, 1) < 0) {
        /* Pipe full: a wake-up is already pending. */
    }
    errno = saved;
}

int posix_signals_install(void)
{
    struct sigaction sa;

    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        fprintf(stderr, "conpty-proxy: pipe2: %s\n", strerror(errno));
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGCHLD, &sa, NULL) != 0 ||
        sigaction(SIGHUP, &sa, NULL) != 0 ||
        sigaction(SIGTERM, &sa, NULL) != 0 ||
        sigaction(SIGINT, &sa, NULL) != 0) {
        fprintf(stderr, "conpty-proxy: sigaction: %s\n", strerror(errno));
        return -1;
    }
    /* A vanished reader shows up as EPIPE from write(). */
    signal(SIGPIPE, SIG_IGN);
    return signal_pipe[0];
}
