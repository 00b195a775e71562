/* diag.h — source text and the one diagnostic routine (module prefix tfg_diag_, tfg_source_).
 *
 * A tfg_source owns a copy of a file's text; locations are 1-based line and
 * column (column counted in bytes, plus the byte offset). Every error that
 * comes from a place in a file is printed by tfg_diag_error as
 *     FILE:LINE:COL: error: MESSAGE
 *     <the source line>
 *     <spaces>^
 * and errors with no place by tfg_diag_plain as "tfg: error: MESSAGE".
 */
#ifndef TFG_DIAG_H
#define TFG_DIAG_H

#include <stdio.h>
#include <stddef.h>

typedef struct tfg_loc {
    int line;      /* 1-based; 0 = no location */
    int col;       /* 1-based byte column */
    int off;       /* byte offset of the start */
} tfg_loc;

typedef struct tfg_source {
    char *name;        /* as given on the command line */
    char *text;        /* NUL-terminated copy */
    size_t len;
} tfg_source;

/* Reads a file; NULL (and a message on stderr) when it cannot be read. */
tfg_source *tfg_source_read(const char *path);
/* Wraps text already in memory (copied). */
tfg_source *tfg_source_from_string(const char *name, const char *text, size_t len);
void tfg_source_free(tfg_source *s);

/* Prints the located error to out (stderr in practice). src may be NULL or loc.line 0:
 * then it prints "tfg: error: MESSAGE". */
void tfg_diag_error(FILE *out, const tfg_source *src, tfg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void tfg_diag_plain(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
