/* ast.c — syntax tree nodes: construction, names, depth check and the S-expression dump.
 * (The parser itself is grammar/parser.y; its entry points tfg_ast_parse* live there.) */
#include "ast.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A zeroed node of the given kind; NULL when out of memory. */
tfg_ast *tfg_ast_new(tfg_arena *arena, tfg_ast_kind kind, tfg_loc loc)
{
    tfg_ast *n = tfg_arena_alloc(arena, sizeof *n);
    if (n) {
        n->kind = kind;
        n->loc = loc;
    }
    return n;
}

/* Appends item to n->items. The capacity is implied by the count (4, 8, 16, ...),
 * so the array doubles when the count reaches a power of two. */
int tfg_ast_push(tfg_arena *arena, tfg_ast *n, tfg_ast *item)
{
    int cnt = n->nitems;
    if (cnt == 0 || (cnt >= 4 && (cnt & (cnt - 1)) == 0)) {
        if (cnt > INT_MAX / 2)
            return 0;
        int cap = cnt == 0 ? 4 : cnt * 2;
        tfg_ast **items = tfg_arena_alloc(arena, (size_t)cap * sizeof *items);
        if (!items)
            return 0;
        if (cnt)
            memcpy(items, n->items, (size_t)cnt * sizeof *items);
        n->items = items;
    }
    n->items[n->nitems++] = item;
    return 1;
}

/* Walks at most limit levels down; returns the first node below that. */
static const tfg_ast *too_deep(const tfg_ast *n, int depth, int limit)
{
    if (!n)
        return NULL;
    if (depth > limit)
        return n;
    const tfg_ast *kids[3] = { n->a, n->b, n->c };
    for (int i = 0; i < 3; i++) {
        const tfg_ast *r = too_deep(kids[i], depth + 1, limit);
        if (r)
            return r;
    }
    for (int i = 0; i < n->nitems; i++) {
        const tfg_ast *r = too_deep(n->items[i], depth + 1, limit);
        if (r)
            return r;
    }
    return NULL;
}

/* The first node more than limit levels below root (recursion is bounded by limit). */
const tfg_ast *tfg_ast_too_deep(const tfg_ast *root, int limit)
{
    return too_deep(root, 0, limit);
}

static const char *const kind_names[TFG_AST_KIND_COUNT] = {
    "MODULE", "BLOCK", "NAME", "INT", "FLOAT", "STR", "BOOL", "NONE",
    "LIST", "TUPLE", "DICT", "ATTR", "CALL", "KEYWORD", "SUBSCRIPT", "SLICE",
    "BINOP", "UNARY", "COMPARE", "BOOLOP", "IFEXP", "LAMBDA",
    "EXPR_STMT", "ASSIGN", "AUGASSIGN", "PRINT",
    "WITH", "FOR", "WHILE", "IF", "DEF", "RETURN",
    "PASS", "BREAK", "CONTINUE", "IMPORT", "GLOBAL", "LISTCOMP",
};

/* "BINOP" for TFG_AST_BINOP, "?" for an unknown kind. */
const char *tfg_ast_kind_name(tfg_ast_kind k)
{
    return (unsigned)k < TFG_AST_KIND_COUNT ? kind_names[k] : "?";
}

static const char *const op_names[] = {
    "+", "-", "*", "/", "//", "%", "**", "@",
    "&", "|", "^",
    "-", "+", "not", "~",
    "==", "!=", "<", "<=", ">", ">=",
    "in", "not in", "is", "is not",
    "and", "or",
};

/* The Python spelling of an operator: "+", "not in", "and"; "?" when unknown. */
const char *tfg_ast_op_name(int op)
{
    return op >= 0 && (size_t)op < sizeof op_names / sizeof op_names[0] ? op_names[op] : "?";
}

/* ---- dump ---- */

typedef struct strbuf {
    char *s;
    size_t len, cap;
    int failed;
} strbuf;

/* Appends printf-style text; remembers an allocation failure. */
static void sb_add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(strbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Appends a double as Python's repr does: shortest round-trip digits, fixed
 * notation for exponents -4..15 ("25000.0", "0.001"), else "1e+16". */
static void sb_float(strbuf *b, double v)
{
    char tmp[64];
    int p = 1;
    for (; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    const char *e = strchr(tmp, 'e');
    int exp = e ? atoi(e + 1) : 0;
    if (e && exp >= -4 && exp < 16) {
        int decimals = p - 1 - exp;
        snprintf(tmp, sizeof tmp, "%.*f", decimals > 0 ? decimals : 0, v);
    } else if (e) {
        snprintf(tmp, sizeof tmp, "%.*g", p, v);
    }
    if (!strpbrk(tmp, ".eni"))
        strcat(tmp, ".0");
    sb_add(b, "%s", tmp);
}

/* Appends a string literal in double quotes with C escapes. */
static void sb_quoted(strbuf *b, const char *s, size_t n)
{
    sb_add(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            sb_add(b, "\\%c", c);
        else if (c == '\n')
            sb_add(b, "\\n");
        else if (c == '\t')
            sb_add(b, "\\t");
        else if (c < 0x20 || c == 0x7F)
            sb_add(b, "\\x%02x", c);
        else
            sb_add(b, "%c", c);
    }
    sb_add(b, "\"");
}

static void dump(strbuf *b, const tfg_ast *n);

/* Appends " child" (or " _" for NULL). */
static void dump_kid(strbuf *b, const tfg_ast *n)
{
    sb_add(b, " ");
    dump(b, n);
}

/* Appends " item" for every item. */
static void dump_items(strbuf *b, const tfg_ast *n)
{
    for (int i = 0; i < n->nitems; i++)
        dump_kid(b, n->items[i]);
}

/* Appends the S-expression of one node and its children. */
static void dump(strbuf *b, const tfg_ast *n)
{
    if (!n) {
        sb_add(b, "_");
        return;
    }
    sb_add(b, "(%s", tfg_ast_kind_name(n->kind));
    switch (n->kind) {
    case TFG_AST_NAME:
        sb_add(b, " %s", n->str ? n->str : "?");
        break;
    case TFG_AST_INT:
        sb_add(b, " %lld", (long long)n->ival);
        break;
    case TFG_AST_FLOAT:
        sb_add(b, " ");
        sb_float(b, n->fval);
        break;
    case TFG_AST_STR:
        sb_add(b, " ");
        sb_quoted(b, n->str ? n->str : "", n->str ? n->slen : 0);
        break;
    case TFG_AST_BOOL:
        sb_add(b, " %s", n->ival ? "True" : "False");
        break;
    case TFG_AST_ATTR:
        dump_kid(b, n->a);
        sb_add(b, " %s", n->str ? n->str : "?");
        break;
    case TFG_AST_CALL:
        dump_kid(b, n->a);
        dump_items(b, n);
        break;
    case TFG_AST_KEYWORD:
        sb_add(b, " %s", n->str ? n->str : "?");
        dump_kid(b, n->a);
        break;
    case TFG_AST_SUBSCRIPT: case TFG_AST_WHILE: case TFG_AST_ASSIGN:
        dump_kid(b, n->a);
        dump_kid(b, n->b);
        break;
    case TFG_AST_SLICE: case TFG_AST_IFEXP: case TFG_AST_WITH: case TFG_AST_FOR: case TFG_AST_IF:
        dump_kid(b, n->a);
        dump_kid(b, n->b);
        dump_kid(b, n->c);
        break;
    case TFG_AST_BINOP: case TFG_AST_COMPARE: case TFG_AST_BOOLOP: case TFG_AST_AUGASSIGN:
        sb_add(b, " %s", tfg_ast_op_name(n->op));
        dump_kid(b, n->a);
        dump_kid(b, n->b);
        break;
    case TFG_AST_UNARY:
        sb_add(b, " %s", tfg_ast_op_name(n->op));
        dump_kid(b, n->a);
        break;
    case TFG_AST_LAMBDA:
        dump_items(b, n);
        dump_kid(b, n->a);
        break;
    case TFG_AST_EXPR_STMT:
        dump_kid(b, n->a);
        break;
    case TFG_AST_RETURN:
        if (n->a)
            dump_kid(b, n->a);
        break;
    case TFG_AST_PRINT:
        dump_items(b, n);
        if (n->ival)
            sb_add(b, " ,");
        break;
    case TFG_AST_DEF:
        sb_add(b, " %s", n->str ? n->str : "?");
        dump_items(b, n);
        dump_kid(b, n->a);
        break;
    case TFG_AST_IMPORT:
        if (n->ival) {
            sb_add(b, " from %s", n->str ? n->str : "?");
            dump_items(b, n);
        } else {
            sb_add(b, " %s", n->str ? n->str : "?");
            if (n->b)
                dump_kid(b, n->b);
        }
        break;
    default:                    /* MODULE BLOCK LIST TUPLE DICT GLOBAL NONE PASS BREAK CONTINUE */
        dump_items(b, n);
        break;
    }
    sb_add(b, ")");
}

/* The S-expression of a tree, e.g. "(MODULE (ASSIGN (NAME x) (INT 1)))"; malloc'd, NULL when out of memory. */
char *tfg_ast_dump(const tfg_ast *n)
{
    strbuf b = { 0 };
    dump(&b, n);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
