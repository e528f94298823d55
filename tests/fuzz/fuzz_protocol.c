/* fuzz_protocol.c -- libFuzzer target for the control protocol: the
 * message and answer parsers, id and dimension checks, and the rule that
 * whatever parses re-encodes to exactly the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "control.h"
#include "control_inspect.h"

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

static void check_message(const uint8_t *data, size_t size)
{
    struct ctl_msg msg;
    char buf[CTL_MSG_MAX + 1];
    int n;

    if (ctl_parse((const char *)data, size, &msg) != CTL_OK) {
        n = ctl_format_answer(buf, sizeof buf, CTL_E_BAD_BYTE, NULL);
        REQUIRE(n > 6 && memcmp(buf, "error ", 6) == 0);
        return;
    }
    if (msg.verb == CTL_VERB_RESIZE) {
        REQUIRE(msg.cols >= CTL_DIM_MIN && msg.cols <= CTL_DIM_MAX);
        REQUIRE(msg.rows >= CTL_DIM_MIN && msg.rows <= CTL_DIM_MAX);
        n = ctl_encode_resize(buf, sizeof buf, msg.cols, msg.rows);
    } else if (msg.verb == CTL_VERB_PING) {
        n = ctl_encode_ping(buf, sizeof buf);
    } else {
        n = ctl_encode_verb(buf, sizeof buf, msg.verb);
    }
    /* One spelling per message: nothing else is accepted. */
    REQUIRE(n > 0 && (size_t)n == size && memcmp(buf, data, size) == 0);
}

static void check_answer(const uint8_t *data, size_t size)
{
    enum ctl_answer_kind kind;
    const char *reason;
    size_t reason_len;

    if (ctl_parse_answer((const char *)data, size, &kind, &reason,
                         &reason_len) != CTL_OK)
        return;
    REQUIRE(size <= CTL_ANSWER_MAX && data[size - 1] == '\n');
    if (kind == CTL_ANSWER_ERROR || kind == CTL_ANSWER_INFO)
        REQUIRE(reason > (const char *)data && reason_len > 0 &&
                reason + reason_len == (const char *)data + size - 1);
    if (kind == CTL_ANSWER_INFO) {
        struct ctl_info info;

        if (ctl_parse_info(reason, reason_len, &info) == CTL_OK)
            REQUIRE(info.cols >= CTL_DIM_MIN && info.rows <= CTL_DIM_MAX &&
                    info.pid >= 0 && strlen(info.program) > 0 &&
                    strlen(info.title) <= CTL_TITLE_MAX);
    }
}

static void check_names(const uint8_t *data, size_t size)
{
    char id[CTL_ID_MAX + 2], name[CTL_NAME_MAX];
    size_t n = size < sizeof id - 1 ? size : sizeof id - 1;
    int dim;

    memcpy(id, data, n);
    id[n] = '\0';
    if (ctl_id_check(id) == CTL_OK) {
        REQUIRE(strlen(id) >= 1 && strlen(id) <= CTL_ID_MAX);
        REQUIRE(strpbrk(id, "/\\: \n") == NULL);
        REQUIRE(ctl_pipe_name(id, name, sizeof name) == CTL_OK);
        REQUIRE(ctl_socket_path("/tmp/d", id, name, sizeof name) == CTL_OK);
    } else {
        REQUIRE(ctl_pipe_name(id, name, sizeof name) != CTL_OK);
    }
    if (ctl_parse_dim((const char *)data, size, &dim) == CTL_OK)
        REQUIRE(dim >= CTL_DIM_MIN && dim <= CTL_DIM_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_message(data, size);
    check_answer(data, size);
    check_names(data, size);
    return 0;
}
