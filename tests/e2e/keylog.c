/* keylog -- what a program in the terminal receives from the keyboard.
 *
 * Usage: keylog LOGFILE
 * Puts its terminal (stdin) in raw mode (no signals, no flow control,
 * no line editing) and writes each read's bytes, in hex separated by
 * spaces, as one line to LOGFILE (flushed at once) and to the screen.
 * Prints "keylog ready" first.  Ends when the bytes read end with "~~q"
 * (in one read or several); the terminal's mode is restored then.
 */
#define _DEFAULT_SOURCE /* cfmakeraw */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct termios saved, raw;
    unsigned char buf[256], last[3] = {0, 0, 0};
    FILE *log;
    ssize_t n, i;

    if (argc != 2) {
        fprintf(stderr, "usage: keylog LOGFILE\n");
        return 2;
    }
    if ((log = fopen(argv[1], "w")) == NULL) {
        fprintf(stderr, "keylog: fopen %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (tcgetattr(0, &saved) != 0) {
        fprintf(stderr, "keylog: tcgetattr: %s\n", strerror(errno));
        return 1;
    }
    raw = saved;
    cfmakeraw(&raw);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &raw) != 0) {
        fprintf(stderr, "keylog: tcsetattr: %s\n", strerror(errno));
        return 1;
    }
    printf("keylog ready\r\n");
    fflush(stdout);
    for (;;) {
        n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (i = 0; i < n; i++) {
            fprintf(log, "%s%02x", i ? " " : "", buf[i]);
            printf("%s%02x", i ? " " : "", buf[i]);
        }
        fputc('\n', log);
        fflush(log);
        printf("\r\n");
        fflush(stdout);
        for (i = 0; i < n; i++) {
            last[0] = last[1];
            last[1] = last[2];
            last[2] = buf[i];
        }
        if (memcmp(last, "~~q", 3) == 0)
            break;
    }
    tcsetattr(0, TCSANOW, &saved);
    fclose(log);
    return 0;
}
