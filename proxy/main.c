/* main.c -- conpty-proxy's command line.  Everything OS-specific is in
 * the backend (backend.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "control.h"

#define PROXY_VERSION "0.1.0"

enum {
    SCROLLBACK_MAX = 100000
}; /* emacs-libvterm's vterm-max-scrollback cap */

static const char usage_text[] =
    "usage: conpty-proxy new <id> <cols> <rows> <program> [args...]\n"
    "       conpty-proxy resize <id> <cols> <rows>\n"
    "       conpty-proxy serve <id> <cols> <rows> <scrollback> <program> "
    "[args...]\n"
    "       conpty-proxy attach [--take-over] <id> <cols> <rows>\n"
    "       conpty-proxy list\n"
    "       conpty-proxy kill <id>\n"
    "       conpty-proxy --version | --help\n";

static const char help_text[] =
    "\n"
    "Run a program in a pseudo console and relay its input and output over\n"
    "stdin and stdout, for Emacs vterm.\n"
    "\n"
    "  new     run <program> in a <cols>x<rows> pseudo console in the current\n"
    "          directory and environment; serve the control channel <id>;\n"
    "          exit with the program's exit code once its output is written\n"
    "          (127 if it cannot be started)\n"
    "  resize  ask session <id> to resize its pseudo console; exit 0 on ok\n"
    "  serve   start a persistent session <id>: a server, detached from this\n"
    "          process, that runs <program> as new does and keeps its screen\n"
    "          and <scrollback> lines while no client is attached; exit 0\n"
    "          once it serves\n"
    "  attach  resize session <id> to <cols>x<rows>, then relay stdin and\n"
    "          stdout to it as new does (its screen first, then its output;\n"
    "          the session's exit code);\n"
    "          refused while another client is attached, unless --take-over\n"
    "  list    one line per live session of this user: id, cols, rows, pid,\n"
    "          start time, attached (0/1), program, title, tab-separated\n"
    "  kill    end session <id>\n"
    "\n"
    "<id> is 1-64 characters of [A-Za-z0-9._-]; <cols> and <rows> are\n"
    "1-32767.  The trace log goes to the file named by CONPTY_PROXY_LOG.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("conpty-proxy: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    fputs(usage_text, stderr);
    return PROXY_EXIT_USAGE;
}

static int parse_id(const char *arg)
{
    enum ctl_status st = ctl_id_check(arg);

    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: invalid id '%s': %s\n", arg,
                ctl_strerror(st));
        return -1;
    }
    return 0;
}

static int parse_size(const char *what, const char *arg, int *out)
{
    enum ctl_status st = ctl_parse_dim(arg, strlen(arg), out);

    if (st != CTL_OK) {
        fprintf(stderr, "conpty-proxy: invalid %s '%s': %s (1-%d)\n", what, arg,
                ctl_strerror(st), CTL_DIM_MAX);
        return -1;
    }
    return 0;
}

/* A scrollback line count: 0..SCROLLBACK_MAX. */
static int parse_count(const char *what, const char *arg, int *out)
{
    char *end;
    long n = strtol(arg, &end, 10);

    if (end == arg || *end != '\0' || n < 0 || n > SCROLLBACK_MAX) {
        fprintf(stderr, "conpty-proxy: invalid %s '%s' (0-%d)\n", what, arg,
                SCROLLBACK_MAX);
        fputs(usage_text, stderr);
        return -1;
    }
    *out = (int)n;
    return 0;
}

/* Parse "<id> <cols> <rows>" at ARGV. */
static int parse_target(char **argv, const char **id, int *cols, int *rows)
{
    *id = argv[0];
    if (parse_id(argv[0]) != 0 || parse_size("cols", argv[1], cols) != 0 ||
        parse_size("rows", argv[2], rows) != 0) {
        fputs(usage_text, stderr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (cmd == NULL)
        return usage_error("%s", "missing command");
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_text, stdout);
        fputs(help_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        puts("conpty-proxy " PROXY_VERSION);
        return 0;
    }
    if (strcmp(cmd, "new") == 0) {
        struct session_config cfg;

        if (argc < 6)
            return usage_error("%s",
                               "new: expected <id> <cols> <rows> <program>");
        if (parse_target(argv + 2, &cfg.id, &cfg.cols, &cfg.rows) != 0)
            return PROXY_EXIT_USAGE;
        cfg.argv = argv + 5;
        return backend_run_session(&cfg);
    }
    if (strcmp(cmd, "resize") == 0) {
        const char *id;
        int cols, rows;

        if (argc != 5)
            return usage_error("%s", "resize: expected <id> <cols> <rows>");
        if (parse_target(argv + 2, &id, &cols, &rows) != 0)
            return PROXY_EXIT_USAGE;
        return backend_send_resize(id, cols, rows);
    }
    if (strcmp(cmd, "serve") == 0) {
        struct session_config cfg;
        int scrollback;

        if (argc < 7)
            return usage_error(
                "%s", "serve: expected <id> <cols> <rows> <scrollback> "
                      "<program>");
        if (parse_target(argv + 2, &cfg.id, &cfg.cols, &cfg.rows) != 0 ||
            parse_count("scrollback", argv[5], &scrollback) != 0)
            return PROXY_EXIT_USAGE;
        cfg.argv = argv + 6;
        return backend_serve(&cfg, scrollback);
    }
    if (strcmp(cmd, "attach") == 0) {
        bool take_over = argc > 2 && strcmp(argv[2], "--take-over") == 0;
        const char *id;
        int cols, rows;

        if (argc != (take_over ? 6 : 5))
            return usage_error("%s", "attach: expected [--take-over] <id> "
                                     "<cols> <rows>");
        if (parse_target(argv + (take_over ? 3 : 2), &id, &cols, &rows) != 0)
            return PROXY_EXIT_USAGE;
        return backend_attach(id, take_over, cols, rows);
    }
    if (strcmp(cmd, "list") == 0) {
        if (argc != 2)
            return usage_error("%s", "list: expected no arguments");
        return backend_list();
    }
    if (strcmp(cmd, "kill") == 0) {
        if (argc != 3)
            return usage_error("%s", "kill: expected <id>");
        if (parse_id(argv[2]) != 0)
            return PROXY_EXIT_USAGE;
        return backend_kill(argv[2]);
    }
    return usage_error("unknown command '%s'", cmd);
}
