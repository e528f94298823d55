/* fuzz_ctl_server.c -- libFuzzer target for the POSIX proxy's control
 * channel server (proxy/posix_ctl_server.c + ctl_conn.c) over real
 * sockets: the input is a script of client actions (connect, send a
 * message of any length and content, close, read answers) interleaved
 * with server turns and jumps of the clock past the idle deadline.
 * Invariants: the server never crashes or leaks, every resize it applies
 * is in range, and once every client has gone all its slots are free. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "posix.h"

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: REQUIRE(%s) failed\n", __FILE__, __LINE__, \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

enum { MAX_CLIENTS = 8 };

static struct posix_ctl_server srv;
static int listening;

static uint32_t on_resize(void *ctx, int cols, int rows)
{
    (void)ctx;
    REQUIRE(cols >= CTL_DIM_MIN && cols <= CTL_DIM_MAX);
    REQUIRE(rows >= CTL_DIM_MIN && rows <= CTL_DIM_MAX);
    return 0;
}

static const struct ctl_handlers handlers = {.resize = on_resize};

static char dir[] = "/tmp/fuzz-ctl-XXXXXX";

static void teardown(void)
{
    char sock_dir[sizeof dir + 32];

    posix_ctl_server_close(&srv);
    snprintf(sock_dir, sizeof sock_dir, "%s/conpty-proxy-%lu", dir,
             (unsigned long)geteuid());
    rmdir(sock_dir);
    rmdir(dir);
}

static void setup(void)
{
    if (listening)
        return;
    REQUIRE(mkdtemp(dir) != NULL);
    atexit(teardown);
    setenv("TMPDIR", dir, 1);
    unsetenv("XDG_RUNTIME_DIR");
    REQUIRE(posix_ctl_server_open(&srv, "fuzz", &handlers) == 0);
    listening = 1;
}

static void server_turn(uint64_t now)
{
    struct pollfd fds[1 + POSIX_CTL_MAX_CLIENTS];
    int n = posix_ctl_server_pollfds(&srv, fds);

    REQUIRE(poll(fds, (nfds_t)n, 0) >= 0);
    posix_ctl_server_dispatch(&srv, fds, n, now);
}

static int client_connect(void)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    REQUIRE(fd >= 0);
    strcpy(addr.sun_path, srv.path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void drain(int fd)
{
    char buf[256];

    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
        REQUIRE(buf[0] == 'o' || buf[0] == 'p' || buf[0] == 'e');
}

static int connected_count(void)
{
    int n = 0;

    for (int i = 0; i < POSIX_CTL_MAX_CLIENTS; i++)
        n += srv.clients[i].fd >= 0;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int clients[MAX_CLIENTS];
    uint64_t now = 1000;
    size_t i = 0;
    int connects = 0;

    setup();
    for (int k = 0; k < MAX_CLIENTS; k++)
        clients[k] = -1;
    while (i < size) {
        uint8_t op = data[i++];
        int k = (op >> 3) % MAX_CLIENTS;

        switch (op & 7) {
        case 0:
        case 1:
            if (clients[k] < 0) {
                clients[k] = client_connect();
                connects += clients[k] >= 0;
            }
            break;
        case 2: {
            size_t len = i < size ? data[i++] : 0;
            if (len > size - i)
                len = size - i;
            if (clients[k] >= 0 && len > 0)
                send(clients[k], data + i, len, MSG_DONTWAIT | MSG_NOSIGNAL);
            i += len;
            break;
        }
        case 3:
            if (clients[k] >= 0)
                close(clients[k]);
            clients[k] = -1;
            break;
        case 4:
            if (clients[k] >= 0)
                drain(clients[k]);
            break;
        case 5:
            now += CTL_IDLE_TIMEOUT_MS + 1; /* every silent client expires */
            /* fall through */
        default: server_turn(now); break;
        }
    }
    for (int k = 0; k < MAX_CLIENTS; k++)
        if (clients[k] >= 0)
            close(clients[k]);
    /* Every client gone: the server must accept what is still in its
     * backlog (a slot-full at a time, one per turn), see every hang-up
     * and free every slot, without help from the idle deadline. */
    for (int turn = 0; turn < 4 + 2 * (connects / POSIX_CTL_MAX_CLIENTS);
         turn++)
        server_turn(now);
    REQUIRE(connected_count() == 0);
    server_turn(now + CTL_IDLE_TIMEOUT_MS + 1);
    REQUIRE(connected_count() == 0);
    REQUIRE(posix_ctl_server_next_deadline(&srv) == UINT64_MAX);
    return 0;
}
