/* posix_pty.c -- the pseudo terminal and the child running in it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "posix.h"

int pty_resize(int master, int cols, int rows)
{
    struct winsize ws = {.ws_row = (unsigned short)rows,
                         .ws_col = (unsigned short)cols};

    /* The kernel sends SIGWINCH to the foreground process group. */
    return ioctl(master, TIOCSWINSZ, &ws) == 0 ? 0 : errno;
}

static int open_master(int cols, int rows, char *slave_name, size_t size)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    const char *name;

    if (fd < 0) {
        fprintf(stderr, "conpty-proxy: posix_openpt: %s\n", strerror(errno));
        return -1;
    }
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || (name = ptsname(fd)) == NULL ||
        strlen(name) >= size) {
        fprintf(stderr, "conpty-proxy: cannot set up the pty: %s\n",
                strerror(errno));
        close(fd);
        return -1;
    }
    strcpy(slave_name, name);
    if (pty_resize(fd, cols, rows) != 0) {
        fprintf(stderr, "conpty-proxy: TIOCSWINSZ: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* In the child after fork: become a session leader with the slave as
 * controlling terminal and stdio, then exec.  Reports an exec failure's
 * errno through ERR_FD (close-on-exec, so success closes it silently). */
static void exec_child(const char *slave_name, char **argv, int err_fd)
{
    struct termios tio;
    sigset_t none;
    int slave, e;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);

    if (setsid() < 0)
        goto fail;
    slave = open(slave_name, O_RDWR);
    if (slave < 0)
        goto fail;
#ifdef TIOCSCTTY
    ioctl(slave, TIOCSCTTY, 0);
#endif
#ifdef IUTF8
    /* UTF-8 aware line editing: erasing a character erases all its bytes. */
    if (tcgetattr(slave, &tio) == 0) {
        tio.c_iflag |= IUTF8;
        tcsetattr(slave, TCSANOW, &tio);
    }
#else
    (void)tio;
#endif
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
        goto fail;
    if (slave > 2)
        close(slave);
    execvp(argv[0], argv);
fail:
    e = errno;
    if (write(err_fd, &e, sizeof e) < 0) {
        /* Nothing left to report through. */
    }
    _exit(127);
}

int pty_spawn(char **argv, int cols, int rows, struct pty_child *child,
              int *exit_code)
{
    char slave_name[256];
    int err_pipe[2], child_errno = 0;
    ssize_t n;
    pid_t pid;

    *exit_code = 1;
    child->master = open_master(cols, rows, slave_name, sizeof slave_name);
    if (child->master < 0)
        return -1;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        fprintf(stderr, "conpty-proxy: pipe2: %s\n", strerror(errno));
        close(child->master);
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "conpty-proxy: fork: %s\n", strerror(errno));
        close(err_pipe[0]);
        close(err_pipe[1]);
        close(child->master);
        return -1;
    }
    if (pid == 0) {
        close(err_pipe[0]);
        exec_child(slave_name, argv, err_pipe[1]);
    }
    close(err_pipe[1]);
    do {
        n = read(err_pipe[0], &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    close(err_pipe[0]);
    if (n == (ssize_t)sizeof child_errno) {
        fprintf(stderr, "conpty-proxy: cannot start '%s': %s\n", argv[0],
                strerror(child_errno));
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        close(child->master);
        *exit_code = 127;
        return -1;
    }
    if (posix_set_nonblock(child->master) != 0) {
        fprintf(stderr, "conpty-proxy: fcntl: %s\n", strerror(errno));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(child->master);
        return -1;
    }
    child->pid = pid;
    return 0;
}
