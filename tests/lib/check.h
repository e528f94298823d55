/* check.h -- minimal C test harness.  Each test file defines tests with
 * TEST(name) { ... CHECK(cond); ... } and a main() that calls
 * RUN(name) for each and returns check_end("suite-name"): it prints
 * "<suite>: N passed, N failed" and records the counts in
 * build/results/<suite> (or $CHECK_RESULTS_DIR).  $CHECK_SUITE, when
 * set, names the suite instead (a sanitizer build of the same tests). */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failed_now;
static int check_pass_count;
static int check_fail_count;

#define TEST(name) static void test_##name(void)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
                    #cond);                                                    \
            check_failed_now = 1;                                              \
        }                                                                      \
    } while (0)

#define RUN(name)                                                              \
    do {                                                                       \
        check_failed_now = 0;                                                  \
        test_##name();                                                         \
        if (check_failed_now) {                                                \
            check_fail_count++;                                                \
            printf("FAIL %s\n", #name);                                        \
        } else {                                                               \
            check_pass_count++;                                                \
            printf("PASS %s\n", #name);                                        \
        }                                                                      \
        fflush(stdout);                                                        \
    } while (0)

static inline int check_end(const char *suite)
{
    const char *dir = getenv("CHECK_RESULTS_DIR");
    const char *name = getenv("CHECK_SUITE");
    char path[512];
    FILE *f;

    if (name != NULL && *name != '\0')
        suite = name;

    snprintf(path, sizeof path, "%s/%s", dir ? dir : "build/results", suite);
    f = fopen(path, "w");
    if (f != NULL) {
        fprintf(f, "%d %d\n", check_pass_count, check_fail_count);
        fclose(f);
    } else {
        fprintf(stderr, "check: cannot record results in %s\n", path);
        check_fail_count++;
    }
    printf("%s: %d passed, %d failed\n", suite, check_pass_count,
           check_fail_count);
    return check_fail_count == 0 ? 0 : 1;
}

#endif
