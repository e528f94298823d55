/* protocol_test.c -- every accepted and rejected form of the control
 * protocol (protocol/control.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/check.h"
#include "channel.h"
#include "control.h"
#include "control_inspect.h"

static enum ctl_status parse(const char *s, struct ctl_msg *m)
{
    return ctl_parse(s, strlen(s), m);
}

TEST(id_accepts_allowed_characters)
{
    char id64[65];

    memset(id64, 'a', 64);
    id64[64] = '\0';
    CHECK(ctl_id_check("a") == CTL_OK);
    CHECK(ctl_id_check("Az09._-") == CTL_OK);
    CHECK(ctl_id_check("12345-abc.DEF_ghi") == CTL_OK);
    CHECK(ctl_id_check(id64) == CTL_OK);
}

TEST(id_rejects_empty_long_and_foreign_characters)
{
    char id65[66];

    memset(id65, 'a', 65);
    id65[65] = '\0';
    CHECK(ctl_id_check(NULL) == CTL_E_ID_EMPTY);
    CHECK(ctl_id_check("") == CTL_E_ID_EMPTY);
    CHECK(ctl_id_check(id65) == CTL_E_ID_TOO_LONG);
    CHECK(ctl_id_check("a/b") == CTL_E_ID_CHAR);
    CHECK(ctl_id_check("a\\b") == CTL_E_ID_CHAR);
    CHECK(ctl_id_check("..\\x y") == CTL_E_ID_CHAR);
    CHECK(ctl_id_check("a b") == CTL_E_ID_CHAR);
    CHECK(ctl_id_check("\xc3\xa9") == CTL_E_ID_CHAR);
    CHECK(ctl_id_check("a\n") == CTL_E_ID_CHAR);
    CHECK(ctl_id_check("a:b") == CTL_E_ID_CHAR);
}

TEST(pipe_name_is_derived_from_id)
{
    char buf[CTL_NAME_MAX];

    CHECK(ctl_pipe_name("abc-1", buf, sizeof buf) == CTL_OK);
    CHECK(strcmp(buf, "\\\\.\\pipe\\conpty-proxy-abc-1") == 0);
    CHECK(ctl_pipe_name("a/b", buf, sizeof buf) == CTL_E_ID_CHAR);
    CHECK(ctl_pipe_name("abc", buf, 10) == CTL_E_NO_ROOM);
}

TEST(data_pipe_name_is_the_control_pipe_s_with_the_suffix)
{
    char buf[CTL_NAME_MAX];

    CHECK(ctl_data_pipe_name("abc-1", buf, sizeof buf) == CTL_OK);
    CHECK(strcmp(buf, "\\\\.\\pipe\\conpty-proxy-abc-1.data") == 0);
    CHECK(ctl_data_pipe_name("a/b", buf, sizeof buf) == CTL_E_ID_CHAR);
    CHECK(ctl_data_pipe_name("abc", buf, 27) == CTL_E_NO_ROOM);
}

TEST(data_socket_path_sits_beside_the_control_channel)
{
    char buf[CTL_NAME_MAX];

    CHECK(ctl_data_socket_path("/run/u", "abc", buf, sizeof buf) == CTL_OK);
    CHECK(strcmp(buf, "/run/u/abc.data") == 0);
    CHECK(ctl_data_socket_path("/run/u", "a/b", buf, sizeof buf) ==
          CTL_E_ID_CHAR);
}

TEST(socket_dir_prefers_absolute_xdg_runtime_dir)
{
    char buf[CTL_NAME_MAX];

    CHECK(ctl_socket_dir("/run/user/1000", "/var/tmp", 1000, buf, sizeof buf) ==
          CTL_OK);
    CHECK(strcmp(buf, "/run/user/1000/conpty-proxy") == 0);
    CHECK(ctl_socket_dir("relative", "/var/tmp", 42, buf, sizeof buf) ==
          CTL_OK);
    CHECK(strcmp(buf, "/var/tmp/conpty-proxy-42") == 0);
    CHECK(ctl_socket_dir("", NULL, 7, buf, sizeof buf) == CTL_OK);
    CHECK(strcmp(buf, "/tmp/conpty-proxy-7") == 0);
    CHECK(ctl_socket_dir(NULL, "", 7, buf, sizeof buf) == CTL_OK);
    CHECK(strcmp(buf, "/tmp/conpty-proxy-7") == 0);
    CHECK(ctl_socket_dir(NULL, NULL, 7, buf, 8) == CTL_E_NO_ROOM);
}

TEST(socket_path_checks_id_and_sun_path_length)
{
    char buf[CTL_NAME_MAX], dir[120];

    CHECK(ctl_socket_path("/tmp/d", "x1", buf, sizeof buf) == CTL_OK);
    CHECK(strcmp(buf, "/tmp/d/x1.sock") == 0);
    CHECK(ctl_socket_path("/tmp/d", "", buf, sizeof buf) == CTL_E_ID_EMPTY);
    CHECK(ctl_socket_path("/tmp/d", "../x", buf, sizeof buf) == CTL_E_ID_CHAR);
    memset(dir, 'd', sizeof dir - 1);
    dir[0] = '/';
    dir[sizeof dir - 1] = '\0';
    CHECK(ctl_socket_path(dir, "x", buf, sizeof buf) == CTL_E_TOO_LONG);
}

TEST(parse_accepts_resize_and_ping)
{
    struct ctl_msg m;

    CHECK(parse("resize 80 24\n", &m) == CTL_OK);
    CHECK(m.verb == CTL_VERB_RESIZE && m.cols == 80 && m.rows == 24);
    CHECK(parse("resize 1 1\n", &m) == CTL_OK);
    CHECK(m.cols == 1 && m.rows == 1);
    CHECK(parse("resize 32767 32767\n", &m) == CTL_OK);
    CHECK(m.cols == 32767 && m.rows == 32767);
    CHECK(parse("ping\n", &m) == CTL_OK);
    CHECK(m.verb == CTL_VERB_PING);
}

TEST(parse_rejects_bad_numbers)
{
    struct ctl_msg m;

    CHECK(parse("resize 0 24\n", &m) == CTL_E_BAD_NUMBER);
    CHECK(parse("resize 80 024\n", &m) == CTL_E_BAD_NUMBER);
    CHECK(parse("resize -1 24\n", &m) == CTL_E_BAD_NUMBER);
    CHECK(parse("resize +80 24\n", &m) == CTL_E_BAD_NUMBER);
    CHECK(parse("resize 8a 24\n", &m) == CTL_E_BAD_NUMBER);
    CHECK(parse("resize 80 2.4\n", &m) == CTL_E_BAD_NUMBER);
    CHECK(parse("resize 123456 24\n", &m) == CTL_E_BAD_NUMBER);
    CHECK(parse("resize 32768 24\n", &m) == CTL_E_RANGE);
    CHECK(parse("resize 80 99999\n", &m) == CTL_E_RANGE);
}

TEST(parse_rejects_wrong_shapes)
{
    struct ctl_msg m;
    char big[CTL_MSG_MAX + 2];

    CHECK(parse("resize 80 24", &m) == CTL_E_NO_NEWLINE);
    CHECK(parse("", &m) == CTL_E_NO_NEWLINE);
    CHECK(parse("\n", &m) == CTL_E_UNKNOWN_VERB);
    CHECK(parse("RESIZE 80 24\n", &m) == CTL_E_UNKNOWN_VERB);
    CHECK(parse("resize\n", &m) == CTL_E_ARGS);
    CHECK(parse("resize 80\n", &m) == CTL_E_ARGS);
    CHECK(parse("resize 80 24 1\n", &m) == CTL_E_ARGS);
    CHECK(parse("resize  80 24\n", &m) == CTL_E_ARGS);
    CHECK(parse("resize 80 24 \n", &m) == CTL_E_ARGS);
    CHECK(parse(" ping\n", &m) == CTL_E_UNKNOWN_VERB);
    CHECK(parse("ping \n", &m) == CTL_E_ARGS);
    CHECK(parse("ping x\n", &m) == CTL_E_ARGS);
    CHECK(parse("resize 80 24\r\n", &m) == CTL_E_BAD_BYTE);
    CHECK(parse("ping\nping\n", &m) == CTL_E_BAD_BYTE);
    CHECK(parse("resize\t80 24\n", &m) == CTL_E_BAD_BYTE);
    CHECK(parse("p\xffng\n", &m) == CTL_E_BAD_BYTE);
    CHECK(ctl_parse("pi\0g\n", 5, &m) == CTL_E_BAD_BYTE);
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\n';
    CHECK(ctl_parse(big, sizeof big, &m) == CTL_E_TOO_LONG);
}

TEST(encode_round_trips_through_parse)
{
    char buf[CTL_MSG_MAX + 1];
    struct ctl_msg m;
    int n = ctl_encode_resize(buf, sizeof buf, 120, 40);

    CHECK(n == 14 && memcmp(buf, "resize 120 40\n", 14) == 0);
    CHECK(ctl_parse(buf, (size_t)n, &m) == CTL_OK && m.cols == 120 &&
          m.rows == 40);
    n = ctl_encode_ping(buf, sizeof buf);
    CHECK(n == 5 && ctl_parse(buf, (size_t)n, &m) == CTL_OK &&
          m.verb == CTL_VERB_PING);
    CHECK(ctl_encode_resize(buf, sizeof buf, 0, 40) == -1);
    CHECK(ctl_encode_resize(buf, sizeof buf, 80, 32768) == -1);
    CHECK(ctl_encode_resize(buf, 8, 80, 24) == -1);
}

TEST(answers_are_formatted_and_parsed)
{
    char buf[CTL_MSG_MAX + 1];
    struct ctl_msg ping = {.verb = CTL_VERB_PING};
    struct ctl_msg resize = {.verb = CTL_VERB_RESIZE, .cols = 1, .rows = 1};
    enum ctl_answer_kind kind;
    const char *reason;
    size_t reason_len;
    int n;

    n = ctl_format_answer(buf, sizeof buf, CTL_OK, &resize);
    CHECK(n == 3 && memcmp(buf, "ok\n", 3) == 0);
    CHECK(ctl_parse_answer(buf, (size_t)n, &kind, &reason, &reason_len) ==
              CTL_OK &&
          kind == CTL_ANSWER_OK);
    n = ctl_format_answer(buf, sizeof buf, CTL_OK, &ping);
    CHECK(n == 5 && memcmp(buf, "pong\n", 5) == 0);
    CHECK(ctl_parse_answer(buf, (size_t)n, &kind, NULL, NULL) == CTL_OK &&
          kind == CTL_ANSWER_PONG);
    n = ctl_format_answer(buf, sizeof buf, CTL_E_RANGE, NULL);
    CHECK(n > 0 && strncmp(buf, "error size out of range\n", (size_t)n) == 0);
    CHECK(ctl_parse_answer(buf, (size_t)n, &kind, &reason, &reason_len) ==
              CTL_OK &&
          kind == CTL_ANSWER_ERROR &&
          reason_len == strlen("size out of range") &&
          memcmp(reason, "size out of range", reason_len) == 0);
    CHECK(ctl_parse_answer("ok", 2, &kind, NULL, NULL) == CTL_E_NO_NEWLINE);
    CHECK(ctl_parse_answer("okay\n", 5, &kind, NULL, NULL) == CTL_E_BAD_ANSWER);
    CHECK(ctl_parse_answer("error \n", 7, &kind, NULL, NULL) ==
          CTL_E_BAD_ANSWER);
    CHECK(ctl_parse_answer("ok\r\n", 4, &kind, NULL, NULL) == CTL_E_BAD_BYTE);
}

TEST(every_error_answer_fits_in_a_message)
{
    char buf[CTL_MSG_MAX + 1];

    for (int st = CTL_E_ID_EMPTY; st <= CTL_E_APPLY; st++) {
        int n = ctl_format_answer(buf, sizeof buf, (enum ctl_status)st, NULL);
        CHECK(n > 0 && n <= CTL_MSG_MAX);
        CHECK(strcmp(ctl_strerror((enum ctl_status)st), "unknown error") != 0);
    }
}

TEST(parse_dim_accepts_only_plain_decimals_in_range)
{
    int v = 0;

    CHECK(ctl_parse_dim("1", 1, &v) == CTL_OK && v == 1);
    CHECK(ctl_parse_dim("32767", 5, &v) == CTL_OK && v == 32767);
    CHECK(ctl_parse_dim("", 0, &v) == CTL_E_BAD_NUMBER);
    CHECK(ctl_parse_dim("0", 1, &v) == CTL_E_BAD_NUMBER);
    CHECK(ctl_parse_dim("32768", 5, &v) == CTL_E_RANGE);
    CHECK(ctl_parse_dim("1e3", 3, &v) == CTL_E_BAD_NUMBER);
}

TEST(socket_dir_check_creates_private_dir_and_refuses_open_ones)
{
    char base[] = "/tmp/ctl-test-XXXXXX", dir[256], file[256];

    CHECK(mkdtemp(base) != NULL);
    snprintf(dir, sizeof dir, "%s/d", base);
    CHECK(ctl_socket_dir_check(dir, false) == CTL_E_DIR && errno == ENOENT);
    CHECK(ctl_socket_dir_check(dir, true) == CTL_OK);
    CHECK(ctl_socket_dir_check(dir, true) == CTL_OK);
    CHECK(chmod(dir, 0750) == 0);
    CHECK(ctl_socket_dir_check(dir, false) == CTL_E_DIR_MODE);
    CHECK(chmod(dir, 0701) == 0);
    CHECK(ctl_socket_dir_check(dir, true) == CTL_E_DIR_MODE);
    snprintf(file, sizeof file, "%s/f", base);
    CHECK(close(creat(file, 0600)) == 0);
    CHECK(ctl_socket_dir_check(file, true) == CTL_E_DIR_TYPE);
    snprintf(file, sizeof file, "%s/link", base);
    CHECK(symlink(dir, file) == 0);
    CHECK(chmod(dir, 0700) == 0);
    CHECK(ctl_socket_dir_check(file, false) == CTL_E_DIR_TYPE);
    if (geteuid() == 0) {
        /* Root can give the directory away to test the owner rule. */
        CHECK(chown(dir, 65534, 65534) == 0);
        CHECK(ctl_socket_dir_check(dir, false) == CTL_E_DIR_OWNER);
    } else {
        /* Anyone else finds one: "/" is root's (its mode would pass). */
        CHECK(ctl_socket_dir_check("/", false) == CTL_E_DIR_OWNER);
    }
    unlink(file);
    snprintf(file, sizeof file, "%s/f", base);
    unlink(file);
    rmdir(dir);
    rmdir(base);
}

TEST(kill_and_info_parse_and_encode)
{
    struct ctl_msg m;
    char buf[CTL_MSG_MAX + 1];

    CHECK(parse("kill\n", &m) == CTL_OK && m.verb == CTL_VERB_KILL);
    CHECK(parse("info\n", &m) == CTL_OK && m.verb == CTL_VERB_INFO);
    CHECK(parse("kill now\n", &m) == CTL_E_ARGS);
    CHECK(parse("info 1\n", &m) == CTL_E_ARGS);
    CHECK(parse("kil\n", &m) == CTL_E_UNKNOWN_VERB);
    CHECK(ctl_encode_verb(buf, sizeof buf, CTL_VERB_KILL) == 5 &&
          strcmp(buf, "kill\n") == 0);
    CHECK(ctl_encode_verb(buf, sizeof buf, CTL_VERB_INFO) == 5 &&
          strcmp(buf, "info\n") == 0);
    CHECK(ctl_encode_verb(buf, sizeof buf, CTL_VERB_RESIZE) == -1);
    CHECK(ctl_encode_verb(buf, 5, CTL_VERB_KILL) == -1);
}

TEST(info_answer_round_trips_and_is_cleaned)
{
    struct ctl_info in = {.cols = 80,
                          .rows = 24,
                          .pid = 4242,
                          .start = 1765000000,
                          .attached = true};
    struct ctl_info out;
    char buf[CTL_ANSWER_MAX + 1];
    enum ctl_answer_kind kind;
    const char *payload;
    size_t len;
    int n;

    strcpy(in.program, "my shell");
    strcpy(in.title, "t\x01itle with  spaces \xc3\xa9");
    n = ctl_format_info(buf, sizeof buf, &in);
    CHECK(n > 0 && n <= CTL_ANSWER_MAX);
    CHECK(strcmp(buf, "info 80 24 4242 1765000000 1 my_shell "
                      "t?itle with  spaces ??\n") == 0);
    CHECK(ctl_parse_answer(buf, (size_t)n, &kind, &payload, &len) == CTL_OK);
    CHECK(kind == CTL_ANSWER_INFO);
    CHECK(ctl_parse_info(payload, len, &out) == CTL_OK);
    CHECK(out.cols == 80 && out.rows == 24 && out.pid == 4242);
    CHECK(out.start == 1765000000 && out.attached);
    CHECK(strcmp(out.program, "my_shell") == 0);
    CHECK(strcmp(out.title, "t?itle with  spaces ??") == 0);
    /* An empty title and program. */
    in.program[0] = in.title[0] = '\0';
    n = ctl_format_info(buf, sizeof buf, &in);
    CHECK(strcmp(buf, "info 80 24 4242 1765000000 1 - \n") == 0);
    CHECK(ctl_parse_answer(buf, (size_t)n, &kind, &payload, &len) == CTL_OK);
    CHECK(ctl_parse_info(payload, len, &out) == CTL_OK && out.title[0] == 0);
}

TEST(info_payload_rejects_malformed_fields)
{
    struct ctl_info out;
    static const char *const bad[] = {"80 24 1 2 1 sh",    "80 24 1 2 2 sh x",
                                      "0 24 1 2 1 sh x",   "80 24 -1 2 1 sh x",
                                      "80  24 1 2 1 sh x", "80 24 1 2 1  x",
                                      "80 24 1 2 1 sh",    ""};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(ctl_parse_info(bad[i], strlen(bad[i]), &out) != CTL_OK);
}

int main(void)
{
    RUN(id_accepts_allowed_characters);
    RUN(id_rejects_empty_long_and_foreign_characters);
    RUN(pipe_name_is_derived_from_id);
    RUN(data_pipe_name_is_the_control_pipe_s_with_the_suffix);
    RUN(socket_dir_prefers_absolute_xdg_runtime_dir);
    RUN(socket_path_checks_id_and_sun_path_length);
    RUN(parse_accepts_resize_and_ping);
    RUN(parse_rejects_bad_numbers);
    RUN(parse_rejects_wrong_shapes);
    RUN(encode_round_trips_through_parse);
    RUN(answers_are_formatted_and_parsed);
    RUN(every_error_answer_fits_in_a_message);
    RUN(parse_dim_accepts_only_plain_decimals_in_range);
    RUN(socket_dir_check_creates_private_dir_and_refuses_open_ones);
    RUN(kill_and_info_parse_and_encode);
    RUN(data_socket_path_sits_beside_the_control_channel);
    RUN(info_answer_round_trips_and_is_cleaned);
    RUN(info_payload_rejects_malformed_fields);
    return check_end("protocol");
}
