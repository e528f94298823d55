/* control.h -- the control-channel protocol shared by conpty-proxy and
 * vterm-module: id rules, message encoding and parsing, answers and
 * limits (DESIGN.md, "Control channel").  Plain C, no I/O.  With
 * channel.h (where a channel is) nothing else crosses the module/proxy
 * boundary. */
#ifndef CONTROL_H
#define CONTROL_H

#include <stdbool.h>
#include <stddef.h>

enum {
    CTL_ID_MAX = 64,  /* id: 1..64 chars of [A-Za-z0-9._-] */
    CTL_MSG_MAX = 64, /* one message, newline included */
    CTL_DIM_MIN = 1,  /* cols and rows: ConPTY's COORD range */
    CTL_DIM_MAX = 32767,
    CTL_IDLE_TIMEOUT_MS = 5000, /* silent client is dropped after this */
    CTL_NAME_MAX = 512,         /* room for any derived channel name/path */
    CTL_ANSWER_MAX = 256        /* one answer, newline included ("info") */
};

/* Results of every function here; ctl_strerror() names them. */
enum ctl_status {
    CTL_OK = 0,
    CTL_E_ID_EMPTY,
    CTL_E_ID_TOO_LONG,
    CTL_E_ID_CHAR,
    CTL_E_TOO_LONG,   /* message or answer exceeds CTL_MSG_MAX */
    CTL_E_NO_NEWLINE, /* message does not end in '\n' */
    CTL_E_BAD_BYTE,   /* NUL, control byte, non-ASCII, inner newline */
    CTL_E_UNKNOWN_VERB,
    CTL_E_BAD_NUMBER, /* not a plain decimal number */
    CTL_E_RANGE,      /* cols or rows outside CTL_DIM_MIN..CTL_DIM_MAX */
    CTL_E_ARGS,       /* wrong number of arguments for the verb */
    CTL_E_BAD_ANSWER, /* not one of ok / pong / error <reason> */
    CTL_E_NO_ROOM,    /* output buffer too small */
    CTL_E_DIR,        /* socket directory unusable (see errno) */
    CTL_E_DIR_OWNER,  /* socket directory owned by someone else */
    CTL_E_DIR_MODE,   /* socket directory open to group or others */
    CTL_E_DIR_TYPE,   /* socket directory is not a directory */
    CTL_E_APPLY,      /* the proxy could not apply a valid resize */
    CTL_E_UNSUPPORTED /* verb valid, but not for this kind of session */
};

/* kill and info are for session servers ("conpty-proxy serve"). */
enum ctl_verb { CTL_VERB_RESIZE, CTL_VERB_PING, CTL_VERB_KILL, CTL_VERB_INFO };

struct ctl_msg {
    enum ctl_verb verb;
    int cols, rows; /* CTL_VERB_RESIZE only */
};

enum ctl_answer_kind {
    CTL_ANSWER_OK,
    CTL_ANSWER_PONG,
    CTL_ANSWER_ERROR,
    CTL_ANSWER_INFO
};

/* What a session server says of itself in its "info" answer:
 * "info <cols> <rows> <pid> <start> <attached> <program> <title>\n",
 * START in seconds since the epoch, ATTACHED 0 or 1, PROGRAM one word,
 * TITLE the rest of the line (possibly empty). */
enum { CTL_PROGRAM_MAX = 64, CTL_TITLE_MAX = 128 };

struct ctl_info {
    int cols, rows;
    long pid;
    long long start;
    bool attached;
    char program[CTL_PROGRAM_MAX + 1];
    char title[CTL_TITLE_MAX + 1];
};

/* A short, stable, lower-case phrase for STATUS (never NULL).  Used as
 * the <reason> of "error <reason>\n" answers and in diagnostics. */
const char *ctl_strerror(enum ctl_status status);

/* CTL_OK when ID is a valid channel id. */
enum ctl_status ctl_id_check(const char *id);

/* Parse a terminal dimension from LEN bytes at S: a plain decimal
 * number (no sign, no leading zero) in CTL_DIM_MIN..CTL_DIM_MAX. */
enum ctl_status ctl_parse_dim(const char *s, size_t len, int *out);

/* Encode a message into BUF; returns its length (> 0), or -1 when the
 * arguments are out of range or BUF is too small. */
int ctl_encode_resize(char *buf, size_t size, int cols, int rows);

/* "kill\n" or "info\n" into BUF; its length, or -1 when BUF is too small. */
int ctl_encode_verb(char *buf, size_t size, enum ctl_verb verb);

/* Parse exactly one message of LEN bytes (one read of a message-mode
 * channel, or one newline-terminated frame of a stream). */
enum ctl_status ctl_parse(const char *buf, size_t len, struct ctl_msg *msg);

/* The answer to a parse result: "ok\n" or "pong\n" for a valid MSG,
 * "error <reason>\n" otherwise.  Returns its length, or -1 when BUF is
 * too small. */
int ctl_format_answer(char *buf, size_t size, enum ctl_status status,
                      const struct ctl_msg *msg);

/* The "info" answer for INFO into BUF (at most CTL_ANSWER_MAX bytes):
 * bytes of PROGRAM and TITLE outside printable ASCII become '?', spaces
 * in PROGRAM '_', and an empty PROGRAM "-".  Its length, or -1. */
int ctl_format_info(char *buf, size_t size, const struct ctl_info *info);

/* Parse the payload of an "info" answer: the LEN bytes after "info "
 * (what ctl_parse_answer gives as the reason of CTL_ANSWER_INFO). */
enum ctl_status ctl_parse_info(const char *buf, size_t len,
                               struct ctl_info *info);

/* Parse an answer read by a client (at most CTL_ANSWER_MAX bytes).  For
 * CTL_ANSWER_ERROR and CTL_ANSWER_INFO, *REASON points into BUF at the
 * reason or the info payload and *REASON_LEN is its length. */
enum ctl_status ctl_parse_answer(const char *buf, size_t len,
                                 enum ctl_answer_kind *kind,
                                 const char **reason, size_t *reason_len);

#endif /* CONTROL_H */
