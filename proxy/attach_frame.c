/* attach_frame.c -- see attach_frame.h. */
#include "attach_frame.h"

#include <stdio.h>
#include <string.h>

#include "control.h"

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

void frame_header(unsigned char hdr[FRAME_HEADER], int type, uint32_t len)
{
    hdr[0] = (unsigned char)type;
    put_u32(hdr + 1, len);
}

void frame_exit(unsigned char out[FRAME_HEADER + 4], int code)
{
    frame_header(out, FRAME_EXIT, 4);
    put_u32(out + FRAME_HEADER, (uint32_t)code);
}

bool frame_next(const unsigned char *buf, size_t len, int *type,
                const unsigned char **payload, size_t *payload_len,
                size_t *total, bool *bad)
{
    uint32_t n;

    *bad = false;
    if (len < FRAME_HEADER)
        return false;
    n = get_u32(buf + 1);
    *type = buf[0];
    if ((*type != FRAME_DATA && *type != FRAME_EXIT && *type != FRAME_TAKEN) ||
        n > FRAME_MAX || (*type == FRAME_EXIT && n != 4) ||
        (*type == FRAME_TAKEN && n != 0)) {
        *bad = true;
        return true;
    }
    if (len - FRAME_HEADER < n)
        return false;
    *payload = buf + FRAME_HEADER;
    *payload_len = n;
    *total = FRAME_HEADER + n;
    return true;
}

int frame_exit_code(const unsigned char *payload)
{
    return (int)get_u32(payload);
}

int attach_hello_encode(char *buf, size_t size, bool take_over, int cols,
                        int rows)
{
    int n = snprintf(buf, size, "attach %s%d %d\n",
                     take_over ? "take-over " : "", cols, rows);

    return n > 0 && (size_t)n < size ? n : -1;
}

bool attach_hello_parse(const char *buf, size_t len, bool *take_over, int *cols,
                        int *rows)
{
    static const char verb[] = "attach ", take[] = "take-over ";
    const char *p = buf, *end = buf + len, *space;

    if (len == 0 || buf[len - 1] != '\n' || len < sizeof verb - 1 ||
        memcmp(p, verb, sizeof verb - 1) != 0)
        return false;
    p += sizeof verb - 1;
    end--; /* the newline */
    *take_over = (size_t)(end - p) >= sizeof take - 1 &&
                 memcmp(p, take, sizeof take - 1) == 0;
    if (*take_over)
        p += sizeof take - 1;
    space = memchr(p, ' ', (size_t)(end - p));
    return space != NULL &&
           ctl_parse_dim(p, (size_t)(space - p), cols) == CTL_OK &&
           ctl_parse_dim(space + 1, (size_t)(end - space - 1), rows) == CTL_OK;
}
