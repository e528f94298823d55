/* shapes.c -- generators of the output shapes (shapes.h).  Widths are
 * counted as wcwidth would (East Asian wide and emoji 2, combining marks
 * 0), so that text lines stay within the terminal except where a shape
 * means to wrap. */
#include "shapes.h"

#include <stdint.h>
#include <string.h>

#define UNIT_MAX 65536

struct gen {
    uint64_t seed;
    char buf[UNIT_MAX];
    size_t len;
    int rows, cols;
};

/* xorshift64*: the same numbers on every machine. */
static unsigned rnd(struct gen *g, unsigned n)
{
    g->seed ^= g->seed >> 12;
    g->seed ^= g->seed << 25;
    g->seed ^= g->seed >> 27;
    return (unsigned)((g->seed * 2685821657736338717ULL) >> 33) % n;
}

static void put(struct gen *g, const char *s)
{
    size_t n = strlen(s);
    memcpy(g->buf + g->len, s, n);
    g->len += n;
}

static void put_cp(struct gen *g, uint32_t cp)
{
    char *p = g->buf + g->len;

    if (cp < 0x80) {
        p[0] = (char)cp;
        g->len += 1;
    } else if (cp < 0x800) {
        p[0] = (char)(0xC0 | cp >> 6);
        p[1] = (char)(0x80 | (cp & 0x3F));
        g->len += 2;
    } else if (cp < 0x10000) {
        p[0] = (char)(0xE0 | cp >> 12);
        p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        p[2] = (char)(0x80 | (cp & 0x3F));
        g->len += 3;
    } else {
        p[0] = (char)(0xF0 | cp >> 18);
        p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        p[3] = (char)(0x80 | (cp & 0x3F));
        g->len += 4;
    }
}

static void putf(struct gen *g, const char *fmt, int a, int b)
{
    g->len += (size_t)snprintf(g->buf + g->len, UNIT_MAX - g->len, fmt, a, b);
}

static const char *const words[] = {
    "the",    "quick", "brown",  "fox",   "jumps", "over",  "lazy",
    "dog",    "make",  "build",  "error", "warn",  "ok",    "done",
    "server", "query", "commit", "merge", "test",  "cache", "index"};
#define NWORDS (sizeof words / sizeof *words)

/* A word and a space; its width. */
static int put_word(struct gen *g)
{
    const char *w = words[rnd(g, NWORDS)];
    put(g, w);
    put(g, " ");
    return (int)strlen(w) + 1;
}

/* Words within the terminal's width. */
static void line_ascii(struct gen *g)
{
    for (int w = 0; w < g->cols - 12;)
        w += put_word(g);
}

static int put_cjk(struct gen *g, int n)
{
    for (int i = 0; i < n; i++)
        put_cp(g, 0x4E00 + rnd(g, 0x5000));
    return 2 * n;
}

/* Emoji as people type them: plain, with a skin tone, flags (regional
 * indicator pairs) and ZWJ sequences. */
static const uint32_t zwj_seqs[][8] = {
    {0x1F468, 0x200D, 0x1F469, 0x200D, 0x1F467, 0x200D, 0x1F466}, /* family */
    {0x1F469, 0x200D, 0x1F4BB},                                   /* coder */
    {0x1F3F3, 0xFE0F, 0x200D, 0x1F308},         /* rainbow flag */
    {0x1F9D1, 0x1F3FD, 0x200D, 0x1F692},        /* firefighter */
    {0x1F441, 0xFE0F, 0x200D, 0x1F5E8, 0xFE0F}, /* eye in bubble */
    {0x1F468, 0x1F3FB, 0x200D, 0x2764, 0xFE0F, 0x200D, 0x1F468, 0x1F3FF}};
#define NZWJ (sizeof zwj_seqs / sizeof *zwj_seqs)
static const char flags[] = "JPFRDEUSGBBRINKRCNITESCA";

static int put_emoji(struct gen *g)
{
    static const uint32_t hands[] = {0x1F44D, 0x1F44B, 0x1F44F, 0x1F64C,
                                     0x1F44C};
    switch (rnd(g, 4)) {
    case 0: put_cp(g, 0x1F600 + rnd(g, 0x50)); break;
    case 1:
        put_cp(g, hands[rnd(g, 5)]);
        put_cp(g, 0x1F3FB + rnd(g, 5));
        break;
    case 2: {
        unsigned f = rnd(g, (unsigned)(sizeof flags - 1) / 2);
        put_cp(g, 0x1F1E6 + (uint32_t)(flags[2 * f] - 'A'));
        put_cp(g, 0x1F1E6 + (uint32_t)(flags[2 * f + 1] - 'A'));
        break;
    }
    default: {
        const uint32_t *s = zwj_seqs[rnd(g, NZWJ)];
        for (int i = 0; i < 8 && s[i] != 0; i++)
            put_cp(g, s[i]);
    }
    }
    put(g, " ");
    return 3;
}

static void line_emoji(struct gen *g)
{
    for (int w = 0; w < g->cols - 20;) {
        unsigned k = rnd(g, 6);
        w += k < 2   ? put_word(g)
             : k < 4 ? put_cjk(g, 1 + (int)rnd(g, 4))
                     : put_emoji(g);
    }
}

static void line_cjk(struct gen *g)
{
    for (int w = 0; w < g->cols - 12;) {
        w += put_cjk(g, 2 + (int)rnd(g, 8));
        switch (rnd(g, 4)) {
        case 0:
            put_cp(g, 0x3001); /* 、 */
            w += 2;
            break;
        case 1:
            putf(g, "%d%c", (int)rnd(g, 1000), ' ');
            w += 4;
            break;
        default:
            put_cp(g, 0x3042 + rnd(g, 80)); /* hiragana */
            w += 2;
        }
    }
}

/* Latin letters carrying one to three combining marks. */
static void line_combining(struct gen *g)
{
    for (int w = 0; w < g->cols - 12;) {
        int n = 2 + (int)rnd(g, 8);
        for (int i = 0; i < n; i++) {
            put_cp(g, 'a' + rnd(g, 26));
            for (unsigned m = rnd(g, 4); m > 0; m--)
                put_cp(g, 0x0300 + rnd(g, 0x70));
        }
        put(g, " ");
        w += n + 1;
    }
}

static const char *const hosts[] = {"example.com", "git.example.org",
                                    "docs.example.net", "cdn.example.io",
                                    "mirror.example.edu"};

/* Log lines full of URLs, some longer than the terminal. */
static void line_urls(struct gen *g)
{
    put(g, words[rnd(g, NWORDS)]);
    for (unsigned u = 1 + rnd(g, 2); u > 0; u--) {
        put(g, " https://");
        put(g, hosts[rnd(g, 5)]);
        for (unsigned s = 1 + rnd(g, 5); s > 0; s--) {
            put(g, "/");
            put(g, words[rnd(g, NWORDS)]);
        }
        putf(g, "?id=%08x&page=%d", (int)rnd(g, 1u << 30), (int)rnd(g, 100));
    }
}

/* Lines two to five times the terminal's width. */
static void line_wide(struct gen *g)
{
    int want = g->cols * (2 + (int)rnd(g, 4));
    for (int w = 0; w < want;)
        w += put_word(g);
}

/* One screen: every row rewritten, coloured runs of 4 to 16 columns. */
static void frame(struct gen *g)
{
    put(g, "\033[H");
    for (int r = 1; r <= g->rows; r++) {
        putf(g, "\033[%d;%dH", r, 1);
        for (int c = 0; c < g->cols;) {
            int n = 4 + (int)rnd(g, 13);
            n = n > g->cols - c ? g->cols - c : n;
            putf(g, "\033[38;5;%d;48;5;%dm", (int)rnd(g, 256),
                 (int)rnd(g, 256));
            for (int i = 0; i < n; i++)
                put_cp(g, 'A' + rnd(g, 58) % 26);
            c += n;
        }
        put(g, "\033[0m");
    }
}

/* The bottom row rewritten, the cursor put back where it was. */
static void status(struct gen *g, unsigned long n)
{
    putf(g, "\0337\033[%d;%dH\033[0;1;37;44m", g->rows, 1);
    putf(g, " NORMAL | build %06d | %02d", (int)n, (int)(n / 60 % 60));
    putf(g, ":%02d | load %d", (int)(n % 60), (int)rnd(g, 8));
    putf(g, ".%02d | %d%% ", (int)rnd(g, 100), (int)(n % 101));
    put(g, "\033[K\033[0m\0338");
}

bool shape_write(const char *name, long long bytes, int rows, int cols,
                 FILE *out, FILE *units)
{
    static struct gen g;
    void (*line)(struct gen *) = NULL;
    bool tui = strcmp(name, "tui") == 0, st = strcmp(name, "status") == 0;
    long long total = 0;

    if (strcmp(name, "ascii") == 0)
        line = line_ascii;
    else if (strcmp(name, "emoji") == 0)
        line = line_emoji;
    else if (strcmp(name, "cjk") == 0)
        line = line_cjk;
    else if (strcmp(name, "combining") == 0)
        line = line_combining;
    else if (strcmp(name, "urls") == 0)
        line = line_urls;
    else if (strcmp(name, "wide") == 0)
        line = line_wide;
    else if (!tui && !st)
        return false;
    g.seed = 0x9E3779B97F4A7C15ULL;
    g.rows = rows;
    g.cols = cols;
    for (unsigned long n = 0; total < bytes; n++) {
        g.len = 0;
        if (line != NULL) {
            line(&g);
            put(&g, "\r\n");
        } else if (tui || n == 0)
            frame(&g);
        else
            status(&g, n);
        fwrite(g.buf, 1, g.len, out);
        total += (long long)g.len;
        if (line == NULL)
            fprintf(units, "%zu\n", g.len);
    }
    if (line != NULL)
        fprintf(units, "%lld\n", total);
    return true;
}
