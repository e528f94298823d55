/* benchtool.c -- native half of "make bench" (tests/bench/run.sh).
 *
 *   benchtool gen plain|sgr FILE BYTES   write BYTES of lines, the last one
 *                                        "END-OF-BENCH"
 *   benchtool gen SHAPE FILE BYTES ROWS COLS
 *                                        about BYTES of an output shape
 *                                        (shapes.h) and FILE.units, its
 *                                        writes' lengths
 *   benchtool shape FILE ROWS COLS one|stream|frames
 *                                        libvterm's ceiling and the render
 *                                        core on FILE written as one write
 *                                        then a redraw, as 4 KiB writes
 *                                        with a redraw every 16, or as
 *                                        FILE.units's writes each redrawn;
 *                                        and libvterm without scrollback
 *   benchtool ceiling FILE ROWS COLS     libvterm's own parse throughput for
 *                                        FILE's bytes as a pty delivers them
 *   benchtool render FILE ROWS COLS SB   the module's render core (render.c)
 *                                        on the same bytes, redrawing as the
 *                                        module does
 *   benchtool sbmem LINES SB             heap used by the render core with
 *                                        LINES pushed into scrollback SB
 *   benchtool resize PROXY N             N direct control-channel resizes
 *                                        (module/proxy_resize.h) vs N spawns
 *                                        of "PROXY resize"
 *   benchtool idle PROXY SECONDS         CPU time and wake-ups of an idle
 *                                        proxy session
 *   benchtool stall PROXY MB             proxy RSS while its reader stalls
 *                                        with MB pending
 *
 * Every figure is printed as "key value" on its own line. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vterm.h>

#include "proxy_resize.h"
#include "queue.h"
#include "render.h"
#include "shapes.h"

extern char **environ;

static void die(const char *what)
{
    fprintf(stderr, "benchtool: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- data ---- */

static const char *const words[] = {"alpha", "bravo",   "charlie", "delta",
                                    "echo",  "foxtrot", "golf",    "hotel",
                                    "india", "juliet",  "kilo",    "lima"};

/* One line of about 70 columns (never wraps in 79). */
static int make_line(char *buf, size_t size, bool sgr, unsigned long n)
{
    int len = snprintf(buf, size, "%08lu ", n);

    for (int w = 0; w < 8; w++) {
        const char *word = words[(n * 7 + (unsigned long)w * 5) % 12];
        if (sgr)
            len += snprintf(buf + len, size - (size_t)len,
                            "\033[%d;%dm%-7s\033[0m ", w % 2 ? 1 : 22,
                            31 + (int)((n + (unsigned long)w) % 7), word);
        else
            len += snprintf(buf + len, size - (size_t)len, "%-7s ", word);
    }
    len += snprintf(buf + len, size - (size_t)len, "\n");
    return len;
}

static int cmd_gen_shape(int argc, char **argv)
{
    if (argc != 7)
        return 2;
    char units_name[4096];
    snprintf(units_name, sizeof units_name, "%s.units", argv[3]);
    FILE *out = fopen(argv[3], "wb"), *units = fopen(units_name, "w");

    if (out == NULL || units == NULL)
        die(argv[3]);
    if (!shape_write(argv[2], atoll(argv[4]), atoi(argv[5]), atoi(argv[6]), out,
                     units))
        return 2;
    if (fclose(out) != 0 || fclose(units) != 0)
        die(argv[3]);
    return 0;
}

static int cmd_gen(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    if (strcmp(argv[2], "plain") != 0 && strcmp(argv[2], "sgr") != 0)
        return cmd_gen_shape(argc, argv);
    if (argc != 5)
        return 2;
    bool sgr = strcmp(argv[2], "sgr") == 0;
    long long want = atoll(argv[4]);
    FILE *f = strcmp(argv[3], "-") == 0 ? stdout : fopen(argv[3], "w");
    char line[512];
    long long total = 0;
    const char *end = "END-OF-BENCH\n";

    if (f == NULL)
        die(argv[3]);
    for (unsigned long n = 0;; n++) {
        int len = make_line(line, sizeof line, sgr, n);
        if (total + len + (long long)strlen(end) > want)
            break;
        if (fwrite(line, 1, (size_t)len, f) != (size_t)len)
            die("write");
        total += len;
    }
    fputs(end, f);
    if (f != stdout && fclose(f) != 0)
        die(argv[3]);
    return 0;
}

/* FILE with "\n" turned into "\r\n", as the tty (onlcr) hands it to
 * Emacs. */
static char *load_as_pty(const char *file, size_t *len, size_t *file_len)
{
    FILE *f = fopen(file, "rb");
    struct stat st;

    if (f == NULL || fstat(fileno(f), &st) != 0)
        die(file);
    char *raw = malloc((size_t)st.st_size);
    char *out = malloc((size_t)st.st_size * 2);
    if (raw == NULL || out == NULL)
        die("malloc");
    if (fread(raw, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        die(file);
    fclose(f);
    size_t o = 0;
    for (off_t i = 0; i < st.st_size; i++) {
        if (raw[i] == '\n')
            out[o++] = '\r';
        out[o++] = raw[i];
    }
    free(raw);
    *len = o;
    *file_len = (size_t)st.st_size;
    return out;
}

#define CHUNK 65536 /* what Emacs reads at a time (read-process-output-max) */

/* ---- ceiling: libvterm alone, screen attached ---- */

static int sb_noop(int cols, const VTermScreenCell *cells, void *user)
{
    (void)cols;
    (void)cells;
    ++*(unsigned long *)user;
    return 1;
}

static const VTermScreenCallbacks ceiling_cbs = {.sb_pushline = sb_noop};

static double ceiling_once(const char *data, size_t len, int rows, int cols)
{
    unsigned long pushed = 0;
    VTerm *vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    VTermScreen *screen = vterm_obtain_screen(vt);
    vterm_screen_set_callbacks(screen, &ceiling_cbs, &pushed);
    vterm_screen_enable_altscreen(screen, 1);
    vterm_screen_reset(screen, 1);
    double t0 = now();
    for (size_t off = 0; off < len; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        vterm_input_write(vt, data + off, n);
        vterm_screen_flush_damage(screen);
    }
    double t = now() - t0;
    vterm_free(vt);
    return t;
}

/* The best of several runs of at least 1 s in all. */
static int cmd_ceiling(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    size_t len, file_len;
    char *data = load_as_pty(argv[2], &len, &file_len);
    int rows = atoi(argv[3]), cols = atoi(argv[4]);
    double best = 1e9, spent = 0;
    int runs = 0;

    while (runs < 3 || spent < 1.0) {
        double t = ceiling_once(data, len, rows, cols);
        best = t < best ? t : best;
        spent += t;
        runs++;
    }
    printf("ceiling_mbps %.2f\n", (double)file_len / best / 1e6);
    printf("ceiling_runs %d\n", runs);
    free(data);
    return 0;
}

/* ---- the render core alone ---- */

static void redraw(struct render *r, int rows)
{
    const struct render_line *line;

    for (int i = 0; i < render_sb_pending(r); i++)
        (void)render_sb_pending_line(r, i);
    render_sb_taken(r);
    for (int row = 0; row < rows; row++)
        if (render_row_dirty(r, row))
            (void)render_get_row(r, row, 0, &line);
    render_clear_dirty(r);
}

static int cmd_render(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    size_t len, file_len;
    char *data = load_as_pty(argv[2], &len, &file_len);
    struct render_options opt = {.rows = atoi(argv[3]),
                                 .cols = atoi(argv[4]),
                                 .sb_limit = atoi(argv[5])};
    double best = 1e9, spent = 0;
    int runs = 0;

    while (runs < 3 || spent < 1.0) {
        struct render *r = render_new(&opt);
        if (r == NULL)
            die("render_new");
        double t0 = now();
        /* A redraw every 8 reads (512 KiB), about what the 0.1 s timer
         * sees at the rates measured in Emacs. */
        for (size_t off = 0, k = 0; off < len; off += CHUNK, k++) {
            size_t n = len - off < CHUNK ? len - off : CHUNK;
            render_write(r, data + off, n);
            if (k % 8 == 7)
                redraw(r, opt.rows);
        }
        redraw(r, opt.rows);
        double t = now() - t0;
        render_free(r);
        best = t < best ? t : best;
        spent += t;
        runs++;
    }
    printf("render_mbps %.2f\n", (double)file_len / best / 1e6);
    free(data);
    return 0;
}

/* ---- output shapes: the same writes and redraws as bench-shapes.el ---- */

#define STREAM_WRITE 4096
#define STREAM_REDRAW_EVERY 16

struct plan {
    char *data;
    size_t *writes; /* the length of each write */
    bool *redraw;   /* whether a redraw follows it */
    size_t n;
};

static void plan_load(struct plan *p, const char *file, const char *mode)
{
    char units_name[4096];
    FILE *f = fopen(file, "rb");
    struct stat st;
    size_t len;

    if (f == NULL || fstat(fileno(f), &st) != 0)
        die(file);
    len = (size_t)st.st_size;
    p->data = malloc(len);
    if (p->data == NULL || fread(p->data, 1, len, f) != len)
        die(file);
    fclose(f);
    p->writes = malloc((len / STREAM_WRITE + 2) * sizeof *p->writes);
    p->redraw = malloc((len / STREAM_WRITE + 2) * sizeof *p->redraw);
    if (p->writes == NULL || p->redraw == NULL)
        die("malloc");
    p->n = 0;
    if (strcmp(mode, "stream") == 0) {
        for (size_t off = 0; off < len; off += STREAM_WRITE) {
            p->writes[p->n] =
                len - off < STREAM_WRITE ? len - off : STREAM_WRITE;
            p->redraw[p->n] =
                p->n % STREAM_REDRAW_EVERY == STREAM_REDRAW_EVERY - 1 ||
                off + STREAM_WRITE >= len;
            p->n++;
        }
        return;
    }
    if (strcmp(mode, "one") == 0) {
        p->writes[0] = len;
        p->redraw[0] = true;
        p->n = 1;
        return;
    }
    snprintf(units_name, sizeof units_name, "%s.units", file);
    if ((f = fopen(units_name, "r")) == NULL)
        die(units_name);
    size_t cap = len / STREAM_WRITE + 2, unit;
    while (fscanf(f, "%zu", &unit) == 1) {
        if (p->n == cap) {
            cap *= 2;
            p->writes = realloc(p->writes, cap * sizeof *p->writes);
            p->redraw = realloc(p->redraw, cap * sizeof *p->redraw);
            if (p->writes == NULL || p->redraw == NULL)
                die("realloc");
        }
        p->writes[p->n] = unit;
        p->redraw[p->n++] = true;
    }
    fclose(f);
}

/* SB false: no sb_pushline callback, so libvterm builds no cells for the
 * lines scrolled off (the part of the ceiling that skipping lines a
 * redraw would never show could save). */
static double shape_ceiling_once(const struct plan *p, int rows, int cols,
                                 bool sb)
{
    static const VTermScreenCallbacks no_cbs;
    unsigned long pushed = 0;
    VTerm *vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    VTermScreen *screen = vterm_obtain_screen(vt);
    vterm_screen_set_callbacks(screen, sb ? &ceiling_cbs : &no_cbs, &pushed);
    vterm_screen_enable_altscreen(screen, 1);
    vterm_screen_reset(screen, 1);
    double t0 = now();
    const char *at = p->data;
    for (size_t i = 0; i < p->n; at += p->writes[i], i++) {
        vterm_input_write(vt, at, p->writes[i]);
        vterm_screen_flush_damage(screen);
    }
    double t = now() - t0;
    vterm_free(vt);
    return t;
}

static double shape_render_once(const struct plan *p, int rows, int cols)
{
    struct render_options opt = {.rows = rows, .cols = cols, .sb_limit = 1000};
    struct render *r = render_new(&opt);

    if (r == NULL)
        die("render_new");
    double t0 = now();
    const char *at = p->data;
    for (size_t i = 0; i < p->n; at += p->writes[i], i++) {
        render_write(r, at, p->writes[i]);
        if (p->redraw[i])
            redraw(r, rows);
    }
    double t = now() - t0;
    render_free(r);
    return t;
}

/* Best of several runs of at least 0.5 s in all, for each of the two. */
static int cmd_shape(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    struct plan p;
    int rows = atoi(argv[3]), cols = atoi(argv[4]);
    double best_c = 1e9, best_r = 1e9, best_n = 1e9, spent = 0;
    size_t redraws = 0, bytes = 0;
    int runs = 0;

    plan_load(&p, argv[2], argv[5]);
    for (size_t i = 0; i < p.n; i++) {
        redraws += p.redraw[i];
        bytes += p.writes[i];
    }
    while (runs < 3 || spent < 0.5) {
        double c = shape_ceiling_once(&p, rows, cols, true);
        double r = shape_render_once(&p, rows, cols);
        double n = shape_ceiling_once(&p, rows, cols, false);
        best_c = c < best_c ? c : best_c;
        best_r = r < best_r ? r : best_r;
        best_n = n < best_n ? n : best_n;
        spent += c + r + n;
        runs++;
    }
    printf("bytes %zu\n", bytes);
    printf("writes %zu\n", p.n);
    printf("redraws %zu\n", redraws);
    printf("ceiling_secs %.6f\n", best_c);
    printf("render_secs %.6f\n", best_r);
    printf("ceiling_nosb_secs %.6f\n", best_n);
    free(p.data);
    free(p.writes);
    free(p.redraw);
    return 0;
}

static int cmd_sbmem(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    long lines = atol(argv[2]);
    struct render_options opt = {
        .rows = 23, .cols = 79, .sb_limit = atoi(argv[3])};
    char line[512];

    struct mallinfo2 before = mallinfo2();
    struct render *r = render_new(&opt);
    if (r == NULL)
        die("render_new");
    for (long n = 0; n < lines + opt.rows; n++) {
        int len = make_line(line, sizeof line, false, (unsigned long)n);
        line[len - 1] = '\r';
        line[len++] = '\n';
        render_write(r, line, (size_t)len);
        if (n % 1000 == 999)
            redraw(r, opt.rows);
    }
    redraw(r, opt.rows);
    struct mallinfo2 after = mallinfo2();
    size_t used =
        after.uordblks + after.hblkhd - before.uordblks - before.hblkhd;
    printf("sbmem_lines %d\n", render_sb_count(r));
    printf("sbmem_bytes %zu\n", used);
    printf("sbmem_bytes_per_line %.1f\n", (double)used / render_sb_count(r));
    render_free(r);
    return 0;
}

/* ---- proxy sessions ---- */

struct session {
    pid_t pid;
    int in_fd;  /* the proxy's stdin (ours to write/close) */
    int out_fd; /* the proxy's stdout (ours to read) */
    char id[64];
    char log[256];
};

static void session_start(struct session *s, const char *proxy,
                          char *const child[], const char *tag)
{
    int in[2], out[2];
    char *argv[32];
    int n = 0;

    snprintf(s->id, sizeof s->id, "bench-%s-%d-%ld", tag, (int)getpid(),
             (long)(now() * 1000) % 100000000);
    snprintf(s->log, sizeof s->log, "%s/%s.log",
             getenv("BENCH_TMP") ? getenv("BENCH_TMP") : "/tmp", s->id);
    if (pipe(in) != 0 || pipe(out) != 0)
        die("pipe");
    argv[n++] = (char *)proxy;
    argv[n++] = "new";
    argv[n++] = s->id;
    argv[n++] = "80";
    argv[n++] = "24";
    for (int i = 0; child[i] != NULL && n < 31; i++)
        argv[n++] = child[i];
    argv[n] = NULL;
    s->pid = fork();
    if (s->pid < 0)
        die("fork");
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        setenv("CONPTY_PROXY_LOG", s->log, 1);
        execv(proxy, argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->in_fd = in[1];
    s->out_fd = out[0];
}

/* The control channel answers (a ping through a resize to 80x24). */
static void session_wait_ready(struct session *s)
{
    for (int i = 0; i < 500; i++) {
        if (proxy_resize_send(s->id, 80, 24, 100))
            return;
        usleep(10000);
    }
    fprintf(stderr, "benchtool: control channel of %s never answered\n", s->id);
    exit(1);
}

static int session_end(struct session *s)
{
    int status = 0;

    close(s->in_fd);
    for (int i = 0; i < 500; i++) {
        pid_t p = waitpid(s->pid, &status, WNOHANG);
        if (p == s->pid)
            break;
        if (i == 499) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
        }
        /* Drain whatever it still writes. */
        char buf[65536];
        int fl = fcntl(s->out_fd, F_GETFL);
        fcntl(s->out_fd, F_SETFL, fl | O_NONBLOCK);
        while (read(s->out_fd, buf, sizeof buf) > 0)
            ;
        usleep(10000);
    }
    close(s->out_fd);
    return status;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void print_pct(const char *key, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    printf("%s_p50_us %.1f\n", key, v[n / 2] * 1e6);
    printf("%s_p99_us %.1f\n", key, v[(n * 99) / 100] * 1e6);
}

static int count_lines(const char *file, const char *prefix)
{
    FILE *f = fopen(file, "r");
    char line[256];
    int n = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        n += strncmp(line, prefix, strlen(prefix)) == 0;
    fclose(f);
    return n;
}

static int cmd_resize(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    const char *proxy = argv[2];
    int n = atoi(argv[3]);
    char *child[] = {"/bin/sh", "-c", "exec sleep 600", NULL};
    struct session s;
    double *direct = calloc((size_t)n, sizeof *direct);
    double *helper = calloc((size_t)n, sizeof *helper);
    int failed = 0;

    session_start(&s, proxy, child, "resize");
    session_wait_ready(&s);
    for (int i = 0; i < n; i++) {
        double t0 = now();
        bool ok = proxy_resize_send(s.id, 60 + i % 40, 20 + i % 7, 1000);
        direct[i] = now() - t0;
        failed += !ok;
    }
    for (int i = 0; i < n; i++) {
        char cols[16], rows[16];
        char *av[] = {(char *)proxy, "resize", s.id, cols, rows, NULL};
        pid_t pid;
        int status;

        snprintf(cols, sizeof cols, "%d", 61 + i % 40);
        snprintf(rows, sizeof rows, "%d", 21 + i % 7);
        double t0 = now();
        if (posix_spawn(&pid, proxy, NULL, NULL, av, environ) != 0)
            die("posix_spawn");
        waitpid(pid, &status, 0);
        helper[i] = now() - t0;
        failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    usleep(300000);
    print_pct("resize_direct", direct, n);
    print_pct("resize_helper", helper, n);
    printf("resize_failed %d\n", failed);
    /* 2 n resizes plus the readiness probe. */
    printf("resize_applied %d\n", count_lines(s.log, "resize ") - 1);
    session_end(&s);
    unlink(s.log);
    return 0;
}

/* ---- /proc ---- */

struct pstat {
    double cpu;      /* utime + stime, seconds */
    long vol, invol; /* context switches */
    long hwm_kb, rss_kb;
};

static bool proc_stat(pid_t pid, struct pstat *ps)
{
    char path[64], buf[4096];
    FILE *f;

    memset(ps, 0, sizeof *ps);
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if ((f = fopen(path, "r")) == NULL)
        return false;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = 0;
    char *p = strrchr(buf, ')');
    unsigned long ut = 0, st = 0;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
               &ut, &st) != 2)
        return false;
    ps->cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    /* /proc counts whole clock ticks (10 ms: 0.1 % of a 10 s idle run);
     * the process's CPU clock has the same total to the nanosecond. */
    clockid_t clock;
    struct timespec ts;
    if (clock_getcpuclockid(pid, &clock) == 0 && clock_gettime(clock, &ts) == 0)
        ps->cpu = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if ((f = fopen(path, "r")) == NULL)
        return false;
    while (fgets(buf, sizeof buf, f) != NULL) {
        sscanf(buf, "voluntary_ctxt_switches: %ld", &ps->vol);
        sscanf(buf, "nonvoluntary_ctxt_switches: %ld", &ps->invol);
        sscanf(buf, "VmHWM: %ld", &ps->hwm_kb);
        sscanf(buf, "VmRSS: %ld", &ps->rss_kb);
    }
    fclose(f);
    return true;
}

static int cmd_idle(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    char *child[] = {"/bin/sh", "-c", "exec sleep 600", NULL};
    struct session s;
    struct pstat a, b;
    double secs = atof(argv[3]);

    session_start(&s, argv[2], child, "idle");
    session_wait_ready(&s);
    usleep(500000);
    proc_stat(s.pid, &a);
    double t0 = now();
    usleep((useconds_t)(secs * 1e6));
    proc_stat(s.pid, &b);
    double t = now() - t0;
    printf("idle_proxy_seconds %.1f\n", t);
    printf("idle_proxy_cpu_ms %.1f\n", (b.cpu - a.cpu) * 1e3);
    printf("idle_proxy_cpu_pct %.3f\n", (b.cpu - a.cpu) / t * 100);
    printf("idle_proxy_wakeups %ld\n", (b.vol + b.invol) - (a.vol + a.invol));
    session_end(&s);
    unlink(s.log);
    return 0;
}

static int cmd_stall(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    char self[4096], bytes[32], cmd[8192];
    long long mb = atoll(argv[3]);
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    struct session s;
    struct pstat ps;

    if (sl < 0)
        die("readlink");
    self[sl] = 0;
    snprintf(bytes, sizeof bytes, "%lld", mb * 1000 * 1000);
    snprintf(cmd, sizeof cmd, "exec '%s' gen plain - %s", self, bytes);
    char *child[] = {"/bin/sh", "-c", cmd, NULL};

    session_start(&s, argv[2], child, "stall");
    /* Nobody reads: wait until the proxy's memory stops growing. */
    long last = -1;
    for (int i = 0; i < 100; i++) {
        usleep(200000);
        proc_stat(s.pid, &ps);
        if (ps.hwm_kb == last && i >= 10)
            break;
        last = ps.hwm_kb;
    }
    proc_stat(s.pid, &ps);
    printf("stall_hwm_kb %ld\n", ps.hwm_kb);
    printf("stall_queue_bound_kb %d\n", QUEUE_HIGH_WATER >> 10);
    /* Then read everything: the session must deliver all of it. */
    char buf[65536];
    long long total = 0;
    double t0 = now();
    ssize_t n;
    while ((n = read(s.out_fd, buf, sizeof buf)) > 0)
        total += n;
    double t = now() - t0;
    printf("stall_delivered_mb %.1f\n", (double)total / 1e6);
    printf("stall_drain_mbps %.1f\n", (double)total / t / 1e6);
    printf("stall_backpressure %d\n", count_lines(s.log, "backpressure on"));
    proc_stat(s.pid, &ps);
    session_end(&s);
    unlink(s.log);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;

    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && strcmp(argv[1], "gen") != 0)
        setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2) {
        if (strcmp(argv[1], "gen") == 0)
            rc = cmd_gen(argc, argv);
        else if (strcmp(argv[1], "ceiling") == 0)
            rc = cmd_ceiling(argc, argv);
        else if (strcmp(argv[1], "render") == 0)
            rc = cmd_render(argc, argv);
        else if (strcmp(argv[1], "shape") == 0)
            rc = cmd_shape(argc, argv);
        else if (strcmp(argv[1], "sbmem") == 0)
            rc = cmd_sbmem(argc, argv);
        else if (strcmp(argv[1], "resize") == 0)
            rc = cmd_resize(argc, argv);
        else if (strcmp(argv[1], "idle") == 0)
            rc = cmd_idle(argc, argv);
        else if (strcmp(argv[1], "stall") == 0)
            rc = cmd_stall(argc, argv);
    }
    if (rc == 2)
        fprintf(stderr, "usage: see the top of tests/bench/benchtool.c\n");
    return rc;
}
