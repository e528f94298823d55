/* control.c -- see control.h. */
#include "control.h"
#include "control_inspect.h"

#include <stdio.h>
#include <string.h>

const char *ctl_strerror(enum ctl_status status)
{
    switch (status) {
    case CTL_OK: return "ok";
    case CTL_E_ID_EMPTY: return "empty id";
    case CTL_E_ID_TOO_LONG: return "id longer than 64 characters";
    case CTL_E_ID_CHAR: return "id has a character outside [A-Za-z0-9._-]";
    case CTL_E_TOO_LONG: return "message too long";
    case CTL_E_NO_NEWLINE: return "missing newline";
    case CTL_E_BAD_BYTE: return "invalid byte";
    case CTL_E_UNKNOWN_VERB: return "unknown verb";
    case CTL_E_BAD_NUMBER: return "bad number";
    case CTL_E_RANGE: return "size out of range";
    case CTL_E_ARGS: return "wrong number of arguments";
    case CTL_E_BAD_ANSWER: return "malformed answer";
    case CTL_E_NO_ROOM: return "buffer too small";
    case CTL_E_DIR: return "socket directory unusable";
    case CTL_E_DIR_OWNER: return "socket directory not owned by this user";
    case CTL_E_DIR_MODE: return "socket directory open to other users";
    case CTL_E_DIR_TYPE: return "socket directory is not a directory";
    case CTL_E_APPLY: return "resize failed";
    case CTL_E_UNSUPPORTED: return "not a session server";
    }
    return "unknown error";
}

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

enum ctl_status ctl_id_check(const char *id)
{
    size_t n = 0;

    if (id == NULL || id[0] == '\0')
        return CTL_E_ID_EMPTY;
    for (; id[n] != '\0'; n++) {
        if (n == CTL_ID_MAX)
            return CTL_E_ID_TOO_LONG;
        if (!id_char(id[n]))
            return CTL_E_ID_CHAR;
    }
    return CTL_OK;
}

/* snprintf into BUF, mapping truncation to CTL_E_NO_ROOM. */
static enum ctl_status put(char *buf, size_t size, int len)
{
    (void)buf;
    if (len < 0 || (size_t)len >= size)
        return CTL_E_NO_ROOM;
    return CTL_OK;
}

static bool dim_ok(int n)
{
    return n >= CTL_DIM_MIN && n <= CTL_DIM_MAX;
}

static int encoded(char *buf, size_t size, int len)
{
    return put(buf, size, len) == CTL_OK ? len : -1;
}

int ctl_encode_resize(char *buf, size_t size, int cols, int rows)
{
    if (!dim_ok(cols) || !dim_ok(rows))
        return -1;
    return encoded(buf, size,
                   snprintf(buf, size, "resize %d %d\n", cols, rows));
}

int ctl_encode_verb(char *buf, size_t size, enum ctl_verb verb)
{
    if (verb != CTL_VERB_KILL && verb != CTL_VERB_INFO)
        return -1;
    return encoded(
        buf, size,
        snprintf(buf, size, "%s\n", verb == CTL_VERB_KILL ? "kill" : "info"));
}

int ctl_encode_ping(char *buf, size_t size)
{
    return encoded(buf, size, snprintf(buf, size, "ping\n"));
}

enum ctl_status ctl_parse_dim(const char *s, size_t len, int *out)
{
    int n = 0;

    if (len == 0 || len > 5 || s[0] == '0')
        return CTL_E_BAD_NUMBER;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return CTL_E_BAD_NUMBER;
        n = n * 10 + (s[i] - '0');
    }
    if (!dim_ok(n))
        return CTL_E_RANGE;
    *out = n;
    return CTL_OK;
}

/* Split BUF (LEN bytes, no newline) at single spaces into at most MAX
 * words; returns the count, or MAX + 1 when there are more. An empty
 * word (double, leading or trailing space) counts as a word, so such
 * input never parses. */
static size_t split_words(const char *buf, size_t len, const char **word,
                          size_t *word_len, size_t max)
{
    size_t count = 0, start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i == len || buf[i] == ' ') {
            if (count == max)
                return max + 1;
            word[count] = buf + start;
            word_len[count] = i - start;
            count++;
            start = i + 1;
        }
    }
    return count;
}

static bool word_is(const char *w, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(w, lit, len) == 0;
}

/* The verbs without arguments. */
static const struct {
    const char *name;
    enum ctl_verb verb;
} bare_verbs[] = {
    {"ping", CTL_VERB_PING}, {"kill", CTL_VERB_KILL}, {"info", CTL_VERB_INFO}};

enum ctl_status ctl_parse(const char *buf, size_t len, struct ctl_msg *msg)
{
    const char *word[3];
    size_t word_len[3], count;
    enum ctl_status st;

    if (len > CTL_MSG_MAX)
        return CTL_E_TOO_LONG;
    if (len == 0 || buf[len - 1] != '\n')
        return CTL_E_NO_NEWLINE;
    len--;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
            return CTL_E_BAD_BYTE;

    count = split_words(buf, len, word, word_len, 3);
    for (size_t i = 0; i < sizeof bare_verbs / sizeof bare_verbs[0]; i++) {
        if (word_is(word[0], word_len[0], bare_verbs[i].name)) {
            if (count != 1)
                return CTL_E_ARGS;
            msg->verb = bare_verbs[i].verb;
            return CTL_OK;
        }
    }
    if (word_is(word[0], word_len[0], "resize")) {
        int cols, rows;

        if (count != 3)
            return CTL_E_ARGS;
        if ((st = ctl_parse_dim(word[1], word_len[1], &cols)) != CTL_OK ||
            (st = ctl_parse_dim(word[2], word_len[2], &rows)) != CTL_OK)
            return st;
        msg->verb = CTL_VERB_RESIZE;
        msg->cols = cols;
        msg->rows = rows;
        return CTL_OK;
    }
    return CTL_E_UNKNOWN_VERB;
}

int ctl_format_answer(char *buf, size_t size, enum ctl_status status,
                      const struct ctl_msg *msg)
{
    if (status != CTL_OK)
        return encoded(buf, size,
                       snprintf(buf, size, "error %s\n", ctl_strerror(status)));
    return encoded(buf, size,
                   snprintf(buf, size, "%s\n",
                            msg->verb == CTL_VERB_PING ? "pong" : "ok"));
}

/* Copy at most MAX bytes of S into OUT (MAX + 1 bytes), printable ASCII
 * only, SPACE standing for ' '. */
static void clean_copy(char *out, size_t max, const char *s, char space)
{
    size_t n = 0;

    for (; s[n] != '\0' && n < max; n++) {
        unsigned char c = (unsigned char)s[n];
        out[n] = c == ' ' ? space : c < 0x20 || c > 0x7e ? '?' : (char)c;
    }
    out[n] = '\0';
}

int ctl_format_info(char *buf, size_t size, const struct ctl_info *info)
{
    char program[CTL_PROGRAM_MAX + 1], title[CTL_TITLE_MAX + 1];

    clean_copy(program, CTL_PROGRAM_MAX, info->program, '_');
    clean_copy(title, CTL_TITLE_MAX, info->title, ' ');
    if (!dim_ok(info->cols) || !dim_ok(info->rows) || info->pid < 0 ||
        info->start < 0)
        return -1;
    return encoded(buf, size,
                   snprintf(buf, size, "info %d %d %ld %lld %d %s %s\n",
                            info->cols, info->rows, info->pid, info->start,
                            info->attached ? 1 : 0,
                            program[0] != '\0' ? program : "-", title));
}

/* A plain decimal number of LEN bytes at S (at most 18 digits). */
static bool parse_count(const char *s, size_t len, long long *out)
{
    long long n = 0;

    if (len == 0 || len > 18)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        n = n * 10 + (s[i] - '0');
    }
    *out = n;
    return true;
}

enum ctl_status ctl_parse_info(const char *buf, size_t len,
                               struct ctl_info *info)
{
    const char *word[7];
    size_t word_len[7], title_at;
    long long pid, attached;
    enum ctl_status st;

    /* Six words, then the title: everything after the sixth space. */
    title_at = 0;
    for (int spaces = 0; title_at < len && spaces < 6; title_at++)
        if (buf[title_at] == ' ')
            spaces++;
    if (split_words(buf, title_at > 0 ? title_at - 1 : 0, word, word_len, 6) !=
            6 ||
        title_at == 0 || buf[title_at - 1] != ' ')
        return CTL_E_BAD_ANSWER;
    if ((st = ctl_parse_dim(word[0], word_len[0], &info->cols)) != CTL_OK ||
        (st = ctl_parse_dim(word[1], word_len[1], &info->rows)) != CTL_OK)
        return st;
    if (!parse_count(word[2], word_len[2], &pid) ||
        !parse_count(word[3], word_len[3], &info->start) ||
        !parse_count(word[4], word_len[4], &attached) || attached > 1 ||
        word_len[5] == 0 || word_len[5] > CTL_PROGRAM_MAX ||
        len - title_at > CTL_TITLE_MAX)
        return CTL_E_BAD_ANSWER;
    info->pid = (long)pid;
    info->attached = attached == 1;
    memcpy(info->program, word[5], word_len[5]);
    info->program[word_len[5]] = '\0';
    memcpy(info->title, buf + title_at, len - title_at);
    info->title[len - title_at] = '\0';
    return CTL_OK;
}

enum ctl_status ctl_parse_answer(const char *buf, size_t len,
                                 enum ctl_answer_kind *kind,
                                 const char **reason, size_t *reason_len)
{
    static const char error_prefix[] = "error ", info_prefix[] = "info ";
    const size_t prefix_len = sizeof error_prefix - 1;
    const size_t info_len = sizeof info_prefix - 1;

    if (len > CTL_ANSWER_MAX)
        return CTL_E_TOO_LONG;
    if (len == 0 || buf[len - 1] != '\n')
        return CTL_E_NO_NEWLINE;
    len--;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
            return CTL_E_BAD_BYTE;
    if (word_is(buf, len, "ok")) {
        *kind = CTL_ANSWER_OK;
    } else if (word_is(buf, len, "pong")) {
        *kind = CTL_ANSWER_PONG;
    } else if (len > info_len && memcmp(buf, info_prefix, info_len) == 0) {
        *kind = CTL_ANSWER_INFO;
        if (reason != NULL)
            *reason = buf + info_len;
        if (reason_len != NULL)
            *reason_len = len - info_len;
        return CTL_OK;
    } else if (len > prefix_len && memcmp(buf, error_prefix, prefix_len) == 0) {
        *kind = CTL_ANSWER_ERROR;
        if (reason != NULL)
            *reason = buf + prefix_len;
        if (reason_len != NULL)
            *reason_len = len - prefix_len;
        return CTL_OK;
    } else {
        return CTL_E_BAD_ANSWER;
    }
    if (reason != NULL)
        *reason = NULL;
    if (reason_len != NULL)
        *reason_len = 0;
    return CTL_OK;
}
