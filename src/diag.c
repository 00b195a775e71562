/* diag.c — source files and the one routine that prints located errors (see diag.h).
 *
 * Locations carry line, column and byte offset; the line is what finds the
 * text to echo, so a location built by hand with only line and column works
 * too. The caret line copies the tabs of the source line, so that the caret
 * sits under the column on any tab setting, and skips UTF-8 continuation
 * bytes, so that it lines up after non-ASCII characters. */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Builds a source that owns a NUL-terminated copy of len bytes of text. */
tfg_source *tfg_source_from_string(const char *name, const char *text, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    tfg_source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->name = strdup(name ? name : "<string>");
    s->text = malloc(len + 1);
    if (!s->name || !s->text) {
        tfg_source_free(s);
        return NULL;
    }
    if (len)
        memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->len = len;
    return s;
}

/* Reads all of a stream into a malloc'd buffer; NULL with errno set on failure. */
static char *read_stream(FILE *f, size_t *lenp)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (cap - len < 2) {
            if (cap > SIZE_MAX / 2) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                errno = e;
                return NULL;
            }
            break;
        }
    }
    *lenp = len;
    return buf;
}

/* Reads a file ("-" is standard input); prints "tfg: error: ..." and returns NULL on failure. */
tfg_source *tfg_source_read(const char *path)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        tfg_diag_plain(stderr, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    errno = 0;
    size_t len = 0;
    char *text = read_stream(f, &len);
    int err = errno;
    if (!is_stdin)
        fclose(f);
    if (!text) {
        tfg_diag_plain(stderr, "cannot read '%s': %s", path, strerror(err ? err : EIO));
        return NULL;
    }
    tfg_source *s = tfg_source_from_string(is_stdin ? "<stdin>" : path, text, len);
    free(text);
    if (!s)
        tfg_diag_plain(stderr, "cannot read '%s': out of memory", path);
    return s;
}

/* Frees a source and its text (NULL is fine). */
void tfg_source_free(tfg_source *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->text);
    free(s);
}

/* Finds the start and length of 1-based line `line` of src; 0 when the file has no such line. */
static int find_line(const tfg_source *src, int line, size_t *start, size_t *len)
{
    const char *t = src->text;
    size_t n = src->len, pos = 0;
    if (!t)
        return 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(t + pos, '\n', n - pos);
        if (!nl)
            return 0;
        pos = (size_t)(nl - t) + 1;
    }
    if (pos > n || (pos == n && line > 1 && (n == 0 || t[n - 1] != '\n')))
        return 0;
    const char *nl = memchr(t + pos, '\n', n - pos);
    size_t end = nl ? (size_t)(nl - t) : n;
    if (end > pos && t[end - 1] == '\r')
        end--;
    *start = pos;
    *len = end - pos;
    return 1;
}

/* Prints the source line and a caret under byte column col (1-based). */
static void print_caret(FILE *out, const char *line, size_t len, int col)
{
    fwrite(line, 1, len, out);
    fputc('\n', out);
    size_t upto = col > 1 ? (size_t)(col - 1) : 0;
    if (upto > len)
        upto = len;
    for (size_t i = 0; i < upto; i++) {
        unsigned char c = (unsigned char)line[i];
        if (i + 2 < len && memcmp(line + i, "\xEF\xBB\xBF", 3) == 0) {
            i += 2;                                 /* a byte-order mark takes no room */
            continue;
        }
        if (c == '\t')
            fputc('\t', out);
        else if ((c & 0xC0) != 0x80)      /* one space per character, not per byte */
            fputc(' ', out);
    }
    fputs("^\n", out);
}

/* The one routine for errors from a place in a file: header, source line, caret. */
static void verror(FILE *out, const tfg_source *src, tfg_loc loc, const char *fmt, va_list ap)
{
    if (!src || loc.line <= 0) {
        fputs("tfg: error: ", out);
        vfprintf(out, fmt, ap);
        fputc('\n', out);
        return;
    }
    fprintf(out, "%s:%d:%d: error: ", src->name ? src->name : "<input>", loc.line,
            loc.col > 0 ? loc.col : 1);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    size_t start, len;
    if (find_line(src, loc.line, &start, &len))
        print_caret(out, src->text + start, len, loc.col);
}

/* Prints "FILE:LINE:COL: error: MESSAGE", the line and a caret (or "tfg: error: MESSAGE"
 * when there is no place). */
void tfg_diag_error(FILE *out, const tfg_source *src, tfg_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(out, src, loc, fmt, ap);
    va_end(ap);
    fflush(out);
}

/* Prints "tfg: error: MESSAGE" for errors that come from no place in a file. */
void tfg_diag_plain(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tfg: error: ", out);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    va_end(ap);
    fflush(out);
}
