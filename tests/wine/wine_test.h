/* wine_test.h -- shared by the Wine test programs: the numbered lines the
 * fixture prints for the large-output test, which the driver checks, and
 * the PASS/FAIL lines run.sh counts. */
#ifndef WINE_TEST_H
#define WINE_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Checks that failed so far in this program (its exit status). */
static int wt_failures;

/* One check: "PASS what" or "FAIL what", flushed at once. */
static inline void wt_result(bool ok, const char *fmt, ...)
    __attribute__((format(__MINGW_PRINTF_FORMAT, 2, 3)));
static inline void wt_result(bool ok, const char *fmt, ...)
{
    va_list ap;

    printf("%s ", ok ? "PASS" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!ok)
        wt_failures++;
}

enum {
    WT_LINE_MAX = 72,
    WT_LINE_BYTES = 71 /* as the fixture prints it: 69 characters + CRLF */
};

/* Line I: "L<7 digits> " then 60 characters that depend on I. */
static inline size_t wt_line_text(long i, char *buf, size_t size)
{
    static const char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned long x = (unsigned long)i * 2654435761UL + 12345UL;
    int n = snprintf(buf, size, "L%07ld ", i);

    for (int k = 0; k < 60 && (size_t)n + 1 < size; k++) {
        x = x * 1103515245UL + 12345UL;
        buf[n++] = alphabet[(x >> 16) % 62];
    }
    buf[n] = '\0';
    return (size_t)n;
}

#endif
