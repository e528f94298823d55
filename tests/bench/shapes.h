/* shapes.h -- the output shapes of "make bench" beyond cat (issue 16):
 * terminal output as a program writes it, with "\r\n" line ends as a pty
 * delivers them, generated from a fixed seed so that every run and every
 * terminal gets the same bytes. */
#ifndef BENCH_SHAPES_H
#define BENCH_SHAPES_H

#include <stdbool.h>
#include <stdio.h>

/* Write about BYTES of shape NAME for a ROWS x COLS terminal to OUT, and
 * the length of each write a program would make, one per line, to UNITS:
 * one for text ("ascii", "emoji", "cjk", "combining", "urls",
 * "wide"), one per frame for the full-screen frames ("tui") and the
 * status line ("status": a full frame, then the bottom row rewritten
 * again and again).  False for an unknown NAME. */
bool shape_write(const char *name, long long bytes, int rows, int cols,
                 FILE *out, FILE *units);

#endif
