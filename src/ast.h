/* ast.h — the syntax tree of a .tfg script and the front end's entry points
 * (module prefix tfg_ast_; the grammar lives in grammar/lexer.l and grammar/parser.y).
 *
 * Every node, string and array is allocated in the arena passed to the parser,
 * which owns them all. The tree is plain data: the evaluator (src/eval.c)
 * walks it; the grammar only builds it.
 *
 * Field use by kind (children not listed are NULL / 0):
 *   MODULE, BLOCK     items[nitems]: statements
 *   NAME              str (identifier)
 *   INT               ival          FLOAT  fval        STR  str, slen (escapes decoded)
 *   BOOL              ival 0/1      NONE
 *   LIST, TUPLE       items[nitems]
 *   DICT              items[2*i] key, items[2*i+1] value; nitems = 2*pairs
 *   ATTR              a object, str attribute name
 *   CALL              a callee, items[nitems] arguments: expressions, or KEYWORD nodes
 *   KEYWORD           str name, a value (only inside CALL items)
 *   SUBSCRIPT         a object, b index (an expression, a SLICE, or a TUPLE of them)
 *   SLICE             a start, b stop, c step (each may be NULL)
 *   BINOP             op (TFG_OP_ADD..), a, b
 *   UNARY             op (TFG_OP_NEG, TFG_OP_POS, TFG_OP_NOT, TFG_OP_INVERT), a
 *   COMPARE           op (TFG_OP_EQ..TFG_OP_GE, TFG_OP_IN, TFG_OP_NOT_IN, TFG_OP_IS, TFG_OP_IS_NOT), a, b
 *                     (a chain a < b < c is parsed as AND of (a<b) and (b<c))
 *   BOOLOP            op TFG_OP_AND / TFG_OP_OR, a, b
 *   IFEXP             a condition, b value if true, c value if false   (x if c else y)
 *   LAMBDA            items[nitems] parameter NAMEs, a body expression
 *   EXPR_STMT         a
 *   ASSIGN            a target (NAME, ATTR, SUBSCRIPT, or TUPLE/LIST of targets), b value
 *   AUGASSIGN         op (the BINOP operator), a target, b value
 *   PRINT             items[nitems] (Python 2 `print x, y`); ival 1 when a trailing comma
 *   WITH              a context expression, b target NAME or NULL, c body BLOCK
 *   FOR               a target (NAME or TUPLE of NAMEs), b iterable, c body BLOCK
 *   WHILE             a condition, b body BLOCK
 *   IF                a condition, b body BLOCK, c else part (BLOCK, or an IF for elif) or NULL
 *   DEF               str name, items[nitems] parameters (NAME, or KEYWORD for a default), a body BLOCK
 *   RETURN            a value or NULL
 *   PASS, BREAK, CONTINUE
 *   IMPORT            str module ("tensorflow", "numpy", "time", ...), b alias NAME or NULL;
 *                     for `from M import x, y`: str module, items NAMEs, ival 1
 *   GLOBAL            items NAMEs
 *   LISTCOMP          a element expression, items clauses in order: FOR nodes (a target,
 *                     b iterable, c NULL) and IF nodes (a condition)   [x for x in y if c]
 * loc is the position of the node's first token, except BINOP, COMPARE and
 * BOOLOP, whose loc is their operator token, and CALL, whose loc is the callee's start.
 */
#ifndef TFG_AST_H
#define TFG_AST_H

#include <stdint.h>
#include "arena.h"
#include "diag.h"

typedef enum {
    TFG_AST_MODULE, TFG_AST_BLOCK,
    TFG_AST_NAME, TFG_AST_INT, TFG_AST_FLOAT, TFG_AST_STR, TFG_AST_BOOL, TFG_AST_NONE,
    TFG_AST_LIST, TFG_AST_TUPLE, TFG_AST_DICT,
    TFG_AST_ATTR, TFG_AST_CALL, TFG_AST_KEYWORD, TFG_AST_SUBSCRIPT, TFG_AST_SLICE,
    TFG_AST_BINOP, TFG_AST_UNARY, TFG_AST_COMPARE, TFG_AST_BOOLOP, TFG_AST_IFEXP, TFG_AST_LAMBDA,
    TFG_AST_EXPR_STMT, TFG_AST_ASSIGN, TFG_AST_AUGASSIGN, TFG_AST_PRINT,
    TFG_AST_WITH, TFG_AST_FOR, TFG_AST_WHILE, TFG_AST_IF, TFG_AST_DEF, TFG_AST_RETURN,
    TFG_AST_PASS, TFG_AST_BREAK, TFG_AST_CONTINUE, TFG_AST_IMPORT, TFG_AST_GLOBAL,
    TFG_AST_LISTCOMP,
    TFG_AST_KIND_COUNT
} tfg_ast_kind;

typedef enum {
    TFG_OP_ADD, TFG_OP_SUB, TFG_OP_MUL, TFG_OP_DIV, TFG_OP_FLOORDIV, TFG_OP_MOD,
    TFG_OP_POW, TFG_OP_MATMUL,
    TFG_OP_BITAND, TFG_OP_BITOR, TFG_OP_BITXOR,          /* & | ^ (logical on bool tensors) */
    TFG_OP_NEG, TFG_OP_POS, TFG_OP_NOT, TFG_OP_INVERT,    /* unary - + not ~ */
    TFG_OP_EQ, TFG_OP_NE, TFG_OP_LT, TFG_OP_LE, TFG_OP_GT, TFG_OP_GE,
    TFG_OP_IN, TFG_OP_NOT_IN, TFG_OP_IS, TFG_OP_IS_NOT,
    TFG_OP_AND, TFG_OP_OR
} tfg_ast_op;

typedef struct tfg_ast tfg_ast;
struct tfg_ast {
    tfg_ast_kind kind;
    tfg_loc loc;
    int op;
    int64_t ival;
    double fval;
    char *str;
    size_t slen;
    tfg_ast *a, *b, *c;
    tfg_ast **items;
    int nitems;
};

/* Parses a whole script. On a syntax error prints it through tfg_diag_error
 * (e.g. "FILE:3:33: error: ')' expected (to close '(' at line 3)" plus line
 * and caret) to stderr and returns NULL. The result is a MODULE. */
tfg_ast *tfg_ast_parse(const tfg_source *src, tfg_arena *arena);
/* Parses a single expression (a --feed value, a REPL line that is an
 * expression); NULL after printing the error. */
tfg_ast *tfg_ast_parse_expr(const tfg_source *src, tfg_arena *arena);

/* Same, with error text written to errbuf instead of stderr (used by the fuzzer
 * and tests); returns NULL on error. */
tfg_ast *tfg_ast_parse_quiet(const tfg_source *src, tfg_arena *arena, char *errbuf, size_t errlen);

/* Name of a kind / operator for debugging dumps and tests: "BINOP", "+". */
const char *tfg_ast_kind_name(tfg_ast_kind k);
const char *tfg_ast_op_name(int op);
/* S-expression dump, e.g. (MODULE (ASSIGN (NAME x) (INT 1))), used by unit tests. */
char *tfg_ast_dump(const tfg_ast *n);   /* malloc'd */

/* ---- Added by the front end (grammar/, src/ast.c) ---- */

/* No parsed tree is deeper than this (statement nesting included): deeper input
 * is a syntax error "too deeply nested", so recursive walkers are safe. */
#define TFG_AST_MAX_DEPTH 1000

/* tfg_ast_parse_expr with the error written to errbuf (the fuzzer, tests). */
tfg_ast *tfg_ast_parse_expr_quiet(const tfg_source *src, tfg_arena *arena, char *errbuf, size_t errlen);
/* The token stream as text, e.g. "NAME:x = INT:1 NEWLINE EOF" (layout tokens
 * INDENT/DEDENT/NEWLINE included), for lexer tests. malloc'd; NULL after a
 * lexical error, whose message goes to errbuf. */
char *tfg_ast_tokens(const tfg_source *src, char *errbuf, size_t errlen);
/* 1 when src fails to parse only because it ends too early (a block header
 * without its block, an open bracket, an unterminated triple-quoted string, a
 * trailing backslash): a REPL then reads another line. 0 when it parses or
 * has a real error. */
int tfg_ast_incomplete(const tfg_source *src);

/* A zeroed node of the given kind in the arena; NULL when out of memory. */
tfg_ast *tfg_ast_new(tfg_arena *arena, tfg_ast_kind kind, tfg_loc loc);
/* Appends item to n->items (growing it in the arena); 0 when out of memory. */
int tfg_ast_push(tfg_arena *arena, tfg_ast *n, tfg_ast *item);
/* The first node found deeper than limit levels below root, or NULL. */
const tfg_ast *tfg_ast_too_deep(const tfg_ast *root, int limit);

#endif
