/* session_info.c -- see session_info.h. */
#include "session_info.h"

#include <stdio.h>
#include <string.h>

void session_describe(struct ctl_info *info, int cols, int rows, long pid,
                      long long start, bool attached, const char *program,
                      const char *title)
{
    const char *base = program;

    for (const char *p = program; *p != '\0'; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    info->cols = cols;
    info->rows = rows;
    info->pid = pid;
    info->start = start;
    info->attached = attached;
    snprintf(info->program, sizeof info->program, "%s", base);
    snprintf(info->title, sizeof info->title, "%s", title);
}

void session_list_line(const char *id, const char *answer, size_t n)
{
    enum ctl_answer_kind kind;
    const char *payload;
    size_t payload_len;
    struct ctl_info info;

    if (ctl_parse_answer(answer, n, &kind, &payload, &payload_len) != CTL_OK ||
        kind != CTL_ANSWER_INFO ||
        ctl_parse_info(payload, payload_len, &info) != CTL_OK) {
        fprintf(stderr, "conpty-proxy: list: %s: malformed info\n", id);
        return;
    }
    printf("%s\t%d\t%d\t%ld\t%lld\t%d\t%s\t%s\n", id, info.cols, info.rows,
           info.pid, info.start, info.attached ? 1 : 0, info.program,
           info.title);
}
