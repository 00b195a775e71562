/* test_parser.c — the grammar: S-expression dumps of every statement and
 * expression form, precedence, node locations, syntax errors with their exact
 * text and caret, single-expression parsing, and limits on size and nesting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ast.h"

/* Parses text (a script, or one expression when expr is set); returns the dump or "ERROR <text>". */
static char *parse_dump(const char *text, int expr)
{
    tfg_source *src = tfg_source_from_string("t.tfg", text, strlen(text));
    assert_non_null(src);
    tfg_arena arena;
    tfg_arena_init(&arena);
    char err[1024];
    tfg_ast *n = expr ? tfg_ast_parse_expr_quiet(src, &arena, err, sizeof err)
                      : tfg_ast_parse_quiet(src, &arena, err, sizeof err);
    char *r;
    if (n) {
        r = tfg_ast_dump(n);
        assert_non_null(r);
    } else {
        r = malloc(strlen(err) + 8);
        assert_non_null(r);
        sprintf(r, "ERROR %s", err);
    }
    tfg_arena_free(&arena);
    tfg_source_free(src);
    return r;
}

/* Asserts the dump of a script: "(MODULE " + want + ")". */
static void check(const char *text, const char *want_stmts)
{
    char want[4096];
    snprintf(want, sizeof want, "(MODULE %s)", want_stmts);
    char *got = parse_dump(text, 0);
    if (strcmp(got, want) != 0)
        print_error("input:\n%s\nwant: %s\ngot:  %s\n", text, want, got);
    assert_string_equal(got, want);
    free(got);
}

/* Asserts the dump of the expression statement `text` (one line). */
static void check_expr(const char *text, const char *want_expr)
{
    char want[4096];
    snprintf(want, sizeof want, "(EXPR_STMT %s)", want_expr);
    check(text, want);
}

/* Asserts the dump of tfg_ast_parse_expr. */
static void check_value(const char *text, const char *want)
{
    char *got = parse_dump(text, 1);
    if (strcmp(got, want) != 0)
        print_error("input:\n%s\nwant: %s\ngot:  %s\n", text, want, got);
    assert_string_equal(got, want);
    free(got);
}

/* Asserts the full error text (message, source line, caret) of a script. */
static void check_error(const char *text, const char *want)
{
    char *got = parse_dump(text, 0);
    if (strncmp(got, "ERROR ", 6) != 0 || strcmp(got + 6, want) != 0)
        print_error("input:\n%s\nwant: ERROR %s\ngot:  %s\n", text, want, got);
    assert_true(strncmp(got, "ERROR ", 6) == 0);
    assert_string_equal(got + 6, want);
    free(got);
}

/* Asserts only the first line of the error of a script. */
static void check_error_line(const char *text, const char *want, int expr)
{
    char *got = parse_dump(text, expr);
    char *nl = strchr(got, '\n');
    if (nl)
        *nl = '\0';
    if (strncmp(got, "ERROR ", 6) != 0 || strcmp(got + 6, want) != 0)
        print_error("input:\n%s\nwant: ERROR %s\ngot:  %s\n", text, want, got);
    assert_true(strncmp(got, "ERROR ", 6) == 0);
    assert_string_equal(got + 6, want);
    free(got);
}

static void test_assignments(void **state)
{
    (void)state;
    check("x = 1\n", "(ASSIGN (NAME x) (INT 1))");
    check("a.b = c[0] = 2", "(ASSIGN (ATTR (NAME a) b) (INT 2)) (ASSIGN (SUBSCRIPT (NAME c) (INT 0)) (ATTR (NAME a) b))");
    check("a, b = sess.run([x, y])",
          "(ASSIGN (TUPLE (NAME a) (NAME b)) (CALL (ATTR (NAME sess) run) (LIST (NAME x) (NAME y))))");
    check("(a, b) = [c, d] = 1, 2",
          "(ASSIGN (TUPLE (NAME a) (NAME b)) (TUPLE (INT 1) (INT 2))) "
          "(ASSIGN (LIST (NAME c) (NAME d)) (TUPLE (NAME a) (NAME b)))");
    check("a, = x", "(ASSIGN (TUPLE (NAME a)) (NAME x))");
    check("a, (b, c) = x", "(ASSIGN (TUPLE (NAME a) (TUPLE (NAME b) (NAME c))) (NAME x))");
    check("x += 1\ny -= 2\nz *= 3\nw /= 4\nv //= 5\nu %= 6\nt **= 7\ns @= m\nq[0] &= 1",
          "(AUGASSIGN + (NAME x) (INT 1)) (AUGASSIGN - (NAME y) (INT 2)) (AUGASSIGN * (NAME z) (INT 3)) "
          "(AUGASSIGN / (NAME w) (INT 4)) (AUGASSIGN // (NAME v) (INT 5)) (AUGASSIGN % (NAME u) (INT 6)) "
          "(AUGASSIGN ** (NAME t) (INT 7)) (AUGASSIGN @ (NAME s) (NAME m)) "
          "(AUGASSIGN & (SUBSCRIPT (NAME q) (INT 0)) (INT 1))");
}

static void test_simple_statements(void **state)
{
    (void)state;
    check("pass; break; continue;", "(PASS) (BREAK) (CONTINUE)");
    check("def f():\n    return\n", "(DEF f (BLOCK (RETURN)))");
    check("def f(): return 1, 2", "(DEF f (BLOCK (RETURN (TUPLE (INT 1) (INT 2)))))");
    check("global a, b", "(GLOBAL (NAME a) (NAME b))");
    check("f(x)\nx", "(EXPR_STMT (CALL (NAME f) (NAME x))) (EXPR_STMT (NAME x))");
    check("1, 2", "(EXPR_STMT (TUPLE (INT 1) (INT 2)))");
}

static void test_print_statement(void **state)
{
    (void)state;
    check("print sess.run(product)", "(PRINT (CALL (ATTR (NAME sess) run) (NAME product)))");
    check("print x, y", "(PRINT (NAME x) (NAME y))");
    check("print x,", "(PRINT (NAME x) ,)");
    check("print", "(PRINT)");
    check("print  # nothing\nprint; x = 1", "(PRINT) (PRINT) (ASSIGN (NAME x) (INT 1))");
    check("print(x)", "(EXPR_STMT (CALL (NAME print) (NAME x)))");
    check("print(a, b, sep='')", "(EXPR_STMT (CALL (NAME print) (NAME a) (NAME b) (KEYWORD sep (STR \"\"))))");
    check("print -2**2", "(PRINT (UNARY - (BINOP ** (INT 2) (INT 2))))");
    check("print 'a' if x else 'b'", "(PRINT (IFEXP (NAME x) (STR \"a\") (STR \"b\")))");
    check("print = 1", "(ASSIGN (NAME print) (INT 1))");
}

static void test_imports(void **state)
{
    (void)state;
    check("import tensorflow as tf", "(IMPORT tensorflow (NAME tf))");
    check("import numpy", "(IMPORT numpy)");
    check("import tensorflow.compat.v1 as tf", "(IMPORT tensorflow.compat.v1 (NAME tf))");
    check("import tensorflow as tf, numpy as np", "(IMPORT tensorflow (NAME tf)) (IMPORT numpy (NAME np))");
    check("from __future__ import print_function", "(IMPORT from __future__ (NAME print_function))");
    check("from tensorflow import (constant, Session,)",
          "(IMPORT from tensorflow (NAME constant) (NAME Session))");
}

static void test_compound_statements(void **state)
{
    (void)state;
    check("if a:\n    b\nelif c:\n    d\nelif e: f\nelse:\n    g\n",
          "(IF (NAME a) (BLOCK (EXPR_STMT (NAME b))) (IF (NAME c) (BLOCK (EXPR_STMT (NAME d))) "
          "(IF (NAME e) (BLOCK (EXPR_STMT (NAME f))) (BLOCK (EXPR_STMT (NAME g))))))");
    check("if a: b; c", "(IF (NAME a) (BLOCK (EXPR_STMT (NAME b)) (EXPR_STMT (NAME c))) _)");
    check("while x < 3:\n    x += 1\n",
          "(WHILE (COMPARE < (NAME x) (INT 3)) (BLOCK (AUGASSIGN + (NAME x) (INT 1))))");
    check("for _ in range(3):\n    sess.run(update)\n",
          "(FOR (NAME _) (CALL (NAME range) (INT 3)) (BLOCK (EXPR_STMT (CALL (ATTR (NAME sess) run) (NAME update)))))");
    check("for i, v in x: pass", "(FOR (TUPLE (NAME i) (NAME v)) (NAME x) (BLOCK (PASS)))");
    check("for (i, v) in x: pass", "(FOR (TUPLE (NAME i) (NAME v)) (NAME x) (BLOCK (PASS)))");
    check("for [i, v] in a, b: pass", "(FOR (TUPLE (NAME i) (NAME v)) (TUPLE (NAME a) (NAME b)) (BLOCK (PASS)))");
    check("with tf.Session() as sess:\n    pass\n",
          "(WITH (CALL (ATTR (NAME tf) Session)) (NAME sess) (BLOCK (PASS)))");
    check("with tf.device(\"/gpu:1\"): pass",
          "(WITH (CALL (ATTR (NAME tf) device) (STR \"/gpu:1\")) _ (BLOCK (PASS)))");
    check("with a as x, b, c as y:\n    pass\n",
          "(WITH (NAME a) (NAME x) (BLOCK (WITH (NAME b) _ (BLOCK (WITH (NAME c) (NAME y) (BLOCK (PASS)))))))");
    check("def f(a, b=1, c=[2],):\n    x = a\n    return x\n",
          "(DEF f (NAME a) (KEYWORD b (INT 1)) (KEYWORD c (LIST (INT 2))) "
          "(BLOCK (ASSIGN (NAME x) (NAME a)) (RETURN (NAME x))))");
    check("def f(a, b,): pass", "(DEF f (NAME a) (NAME b) (BLOCK (PASS)))");
}

static void test_nested_blocks(void **state)
{
    (void)state;
    check("with tf.Session() as sess:\n"
          "    with tf.device(\"/gpu:1\"):\n"
          "        product = tf.matmul(m1, m2)\n"
          "    print sess.run(product)\n"
          "    for _ in range(3):\n"
          "        print(sess.run([a, b], feed_dict={x: [7.], y: [[1, 2], [3, 4]]}))\n",
          "(WITH (CALL (ATTR (NAME tf) Session)) (NAME sess) (BLOCK "
          "(WITH (CALL (ATTR (NAME tf) device) (STR \"/gpu:1\")) _ (BLOCK "
          "(ASSIGN (NAME product) (CALL (ATTR (NAME tf) matmul) (NAME m1) (NAME m2))))) "
          "(PRINT (CALL (ATTR (NAME sess) run) (NAME product))) "
          "(FOR (NAME _) (CALL (NAME range) (INT 3)) (BLOCK (EXPR_STMT (CALL (NAME print) "
          "(CALL (ATTR (NAME sess) run) (LIST (NAME a) (NAME b)) (KEYWORD feed_dict "
          "(DICT (NAME x) (LIST (FLOAT 7.0)) (NAME y) (LIST (LIST (INT 1) (INT 2)) (LIST (INT 3) (INT 4))))))))))))");
}

static void test_atoms(void **state)
{
    (void)state;
    check_expr("x", "(NAME x)");
    check_expr("42", "(INT 42)");
    check_expr("2.5", "(FLOAT 2.5)");
    check_expr("'a' \"b\" '''c'''", "(STR \"abc\")");
    check_expr("'a\\n\\t\"'", "(STR \"a\\n\\t\\\"\")");
    check_expr("None", "(NONE)");
    check_expr("True", "(BOOL True)");
    check_expr("False", "(BOOL False)");
    check_expr("()", "(TUPLE)");
    check_expr("(1)", "(INT 1)");
    check_expr("(1,)", "(TUPLE (INT 1))");
    check_expr("(1, 2,)", "(TUPLE (INT 1) (INT 2))");
    check_expr("[]", "(LIST)");
    check_expr("[1, [2],]", "(LIST (INT 1) (LIST (INT 2)))");
    check_expr("{}", "(DICT)");
    check_expr("{'a': 1, b: [2],}", "(DICT (STR \"a\") (INT 1) (NAME b) (LIST (INT 2)))");
    check_expr("[1,\n 2\n]", "(LIST (INT 1) (INT 2))");
}

static void test_trailers(void **state)
{
    (void)state;
    check_expr("tf.nn.relu", "(ATTR (ATTR (NAME tf) nn) relu)");
    check_expr("f()", "(CALL (NAME f))");
    check_expr("f(1, x=2, y=3,)", "(CALL (NAME f) (INT 1) (KEYWORD x (INT 2)) (KEYWORD y (INT 3)))");
    check_expr("f(a)(b)", "(CALL (CALL (NAME f) (NAME a)) (NAME b))");
    check_expr("x[0]", "(SUBSCRIPT (NAME x) (INT 0))");
    check_expr("x[1:2]", "(SUBSCRIPT (NAME x) (SLICE (INT 1) (INT 2) _))");
    check_expr("x[:]", "(SUBSCRIPT (NAME x) (SLICE _ _ _))");
    check_expr("x[::2]", "(SUBSCRIPT (NAME x) (SLICE _ _ (INT 2)))");
    check_expr("x[1::]", "(SUBSCRIPT (NAME x) (SLICE (INT 1) _ _))");
    check_expr("x[:, 0]", "(SUBSCRIPT (NAME x) (TUPLE (SLICE _ _ _) (INT 0)))");
    check_expr("x[0,]", "(SUBSCRIPT (NAME x) (TUPLE (INT 0)))");
    check_expr("x[a:b:c, -1]", "(SUBSCRIPT (NAME x) (TUPLE (SLICE (NAME a) (NAME b) (NAME c)) (UNARY - (INT 1))))");
    check_expr("a.b(c)[d].e", "(ATTR (SUBSCRIPT (CALL (ATTR (NAME a) b) (NAME c)) (NAME d)) e)");
}

static void test_operators(void **state)
{
    (void)state;
    check_expr("a + b - c", "(BINOP - (BINOP + (NAME a) (NAME b)) (NAME c))");
    check_expr("a * b / c // d % e @ f",
               "(BINOP @ (BINOP % (BINOP // (BINOP / (BINOP * (NAME a) (NAME b)) (NAME c)) (NAME d)) (NAME e)) (NAME f))");
    check_expr("a | b ^ c & d", "(BINOP | (NAME a) (BINOP ^ (NAME b) (BINOP & (NAME c) (NAME d))))");
    check_expr("-a + +b - ~c", "(BINOP - (BINOP + (UNARY - (NAME a)) (UNARY + (NAME b))) (UNARY ~ (NAME c)))");
    check_expr("a == b", "(COMPARE == (NAME a) (NAME b))");
    check_expr("a != b", "(COMPARE != (NAME a) (NAME b))");
    check_expr("a <= b", "(COMPARE <= (NAME a) (NAME b))");
    check_expr("a >= b", "(COMPARE >= (NAME a) (NAME b))");
    check_expr("a > b", "(COMPARE > (NAME a) (NAME b))");
    check_expr("a in b", "(COMPARE in (NAME a) (NAME b))");
    check_expr("a not in b", "(COMPARE not in (NAME a) (NAME b))");
    check_expr("a is b", "(COMPARE is (NAME a) (NAME b))");
    check_expr("a is not None", "(COMPARE is not (NAME a) (NONE))");
    check_expr("a < b < c", "(BOOLOP and (COMPARE < (NAME a) (NAME b)) (COMPARE < (NAME b) (NAME c)))");
    check_expr("a < b <= c == d",
               "(BOOLOP and (BOOLOP and (COMPARE < (NAME a) (NAME b)) (COMPARE <= (NAME b) (NAME c))) "
               "(COMPARE == (NAME c) (NAME d)))");
    check_expr("(a < b) < c", "(COMPARE < (COMPARE < (NAME a) (NAME b)) (NAME c))");
    check_expr("not a", "(UNARY not (NAME a))");
    check_expr("a and b or c and d",
               "(BOOLOP or (BOOLOP and (NAME a) (NAME b)) (BOOLOP and (NAME c) (NAME d)))");
    check_expr("a if b else c", "(IFEXP (NAME b) (NAME a) (NAME c))");
    check_expr("lambda: 0", "(LAMBDA (INT 0))");
    check_expr("lambda x, y: x * y", "(LAMBDA (NAME x) (NAME y) (BINOP * (NAME x) (NAME y)))");
}

static void test_precedence(void **state)
{
    (void)state;
    check_expr("-2**2", "(UNARY - (BINOP ** (INT 2) (INT 2)))");
    check_expr("2**-1", "(BINOP ** (INT 2) (UNARY - (INT 1)))");
    check_expr("a**b**c", "(BINOP ** (NAME a) (BINOP ** (NAME b) (NAME c)))");
    check_expr("a + b * c", "(BINOP + (NAME a) (BINOP * (NAME b) (NAME c)))");
    check_expr("(a + b) * c", "(BINOP * (BINOP + (NAME a) (NAME b)) (NAME c))");
    check_expr("a + b & c", "(BINOP & (BINOP + (NAME a) (NAME b)) (NAME c))");
    check_expr("a & b == c", "(COMPARE == (BINOP & (NAME a) (NAME b)) (NAME c))");
    check_expr("not a == b", "(UNARY not (COMPARE == (NAME a) (NAME b)))");
    check_expr("not a and b", "(BOOLOP and (UNARY not (NAME a)) (NAME b))");
    check_expr("a or b if c else d", "(IFEXP (NAME c) (BOOLOP or (NAME a) (NAME b)) (NAME d))");
    check_expr("a if b else c if d else e", "(IFEXP (NAME b) (NAME a) (IFEXP (NAME d) (NAME c) (NAME e)))");
    check_expr("lambda: a if b else c", "(LAMBDA (IFEXP (NAME b) (NAME a) (NAME c)))");
    check_expr("-x.y[0]", "(UNARY - (SUBSCRIPT (ATTR (NAME x) y) (INT 0)))");
    check_expr("a @ b + c", "(BINOP + (BINOP @ (NAME a) (NAME b)) (NAME c))");
    check_expr("- - a", "(UNARY - (UNARY - (NAME a)))");
}

/* Parses text and returns the first statement's node (arena kept in *arena). */
static tfg_ast *first_stmt(const char *text, tfg_arena *arena, tfg_source **src)
{
    *src = tfg_source_from_string("t.tfg", text, strlen(text));
    tfg_arena_init(arena);
    char err[256];
    tfg_ast *m = tfg_ast_parse_quiet(*src, arena, err, sizeof err);
    assert_non_null(m);
    assert_true(m->nitems >= 1);
    return m->items[0];
}

/* Asserts a node's line and column. */
static void check_loc(const tfg_ast *n, int line, int col)
{
    assert_non_null(n);
    assert_int_equal(n->loc.line, line);
    assert_int_equal(n->loc.col, col);
}

static void test_locations(void **state)
{
    (void)state;
    tfg_arena arena;
    tfg_source *src;
    /* "x = 1\n" then "product = tf.matmul(a, b) + c" at line 2 */
    tfg_ast *s = first_stmt("\n  \nproduct = tf.matmul(a, b) + c\n", &arena, &src);
    check_loc(s, 3, 1);                                  /* ASSIGN: first token */
    assert_int_equal(s->loc.off, 4);
    check_loc(s->a, 3, 1);                               /* NAME product */
    check_loc(s->b, 3, 27);                              /* BINOP: its operator */
    check_loc(s->b->a, 3, 11);                           /* CALL: the callee's start */
    check_loc(s->b->a->a, 3, 11);                        /* ATTR */
    check_loc(s->b->a->items[0], 3, 21);                 /* NAME a */
    check_loc(s->b->a->items[1], 3, 24);
    check_loc(s->b->b, 3, 29);
    tfg_arena_free(&arena);
    tfg_source_free(src);

    s = first_stmt("if a:\n    x = (1, 2)\n    y = [-z]\n", &arena, &src);
    check_loc(s, 1, 1);
    check_loc(s->b, 2, 5);                               /* BLOCK: its first statement */
    check_loc(s->b->items[0]->b, 2, 9);                  /* parenthesised TUPLE: '(' */
    check_loc(s->b->items[1]->b, 3, 9);                  /* LIST: '[' */
    check_loc(s->b->items[1]->b->items[0], 3, 10);       /* UNARY: '-' */
    tfg_arena_free(&arena);
    tfg_source_free(src);

    s = first_stmt("f(a)(b=1)\nx < y\n", &arena, &src);
    check_loc(s->a, 1, 1);                               /* outer CALL: callee start */
    check_loc(s->a->items[0], 1, 6);                     /* KEYWORD */
    tfg_arena_free(&arena);
    tfg_source_free(src);

    s = first_stmt("(a +\n   b)\n", &arena, &src);
    check_loc(s, 1, 1);
    check_loc(s->a, 1, 4);
    check_loc(s->a->b, 2, 4);
    tfg_arena_free(&arena);
    tfg_source_free(src);

    s = first_stmt("x = a and b < c\n", &arena, &src);
    check_loc(s->b, 1, 7);                               /* BOOLOP: 'and' */
    check_loc(s->b->b, 1, 13);                           /* COMPARE: '<' */
    tfg_arena_free(&arena);
    tfg_source_free(src);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    check_error("import tensorflow as tf\n"
                "\n"
                "matrix1 = tf.constant([[3., 3.]]\n"
                "product = tf.matmul(matrix1, matrix1)\n",
                "t.tfg:3:22: error: '(' was never closed: ')' expected (to close '(' at line 3)\n"
                "matrix1 = tf.constant([[3., 3.]]\n"
                "                     ^\n");
    check_error("x = [1, 2\n",
                "t.tfg:1:5: error: '[' was never closed: ']' expected (to close '[' at line 1)\n"
                "x = [1, 2\n"
                "    ^\n");
    check_error("if x\n    pass\n",
                "t.tfg:1:5: error: ':' expected\n"
                "if x\n"
                "    ^\n");
    check_error("x = 1\n    y = 2\n",
                "t.tfg:2:5: error: unexpected indent\n"
                "    y = 2\n"
                "    ^\n");
    check_error("for x in y:\npass\n",
                "t.tfg:2:1: error: expected an indented block after 'for' statement on line 1\n"
                "pass\n"
                "^\n");
    check_error("\tx = 'abc\n",
                "t.tfg:1:2: error: unexpected indent\n"
                "\tx = 'abc\n"
                "\t^\n");
    check_error("if a:\n\tx = 'abc\n",
                "t.tfg:2:6: error: unterminated string literal\n"
                "\tx = 'abc\n"
                "\t    ^\n");
    check_error("x = = 1\n",
                "t.tfg:1:5: error: invalid syntax\n"
                "x = = 1\n"
                "    ^\n");
    check_error("def f:\n    pass\n",
                "t.tfg:1:6: error: '(' expected\n"
                "def f:\n"
                "     ^\n");
    check_error("f() = 3\n",
                "t.tfg:1:1: error: cannot assign to function call\n"
                "f() = 3\n"
                "^\n");
    check_error("x = 1 +\n",
                "t.tfg:1:8: error: invalid syntax\n"
                "x = 1 +\n"
                "       ^\n");
    check_error("x = f(a\n",
                "t.tfg:1:6: error: '(' was never closed: ')' expected (to close '(' at line 1)\n"
                "x = f(a\n"
                "     ^\n");
}

static void test_more_errors(void **state)
{
    (void)state;
    check_error_line("1 = x", "t.tfg:1:1: error: cannot assign to literal", 0);
    check_error_line("a + b = x", "t.tfg:1:3: error: cannot assign to expression", 0);
    check_error_line("x, f() = y", "t.tfg:1:4: error: cannot assign to function call", 0);
    check_error_line("None = 1", "t.tfg:1:1: error: cannot assign to None", 0);
    check_error_line("a, b += 1", "t.tfg:1:1: error: 'tuple' is an illegal expression for augmented assignment", 0);
    check_error_line("for a.b in c: pass", "t.tfg:1:5: error: a for-loop target must be a name or a tuple of names", 0);
    check_error_line("f(a=1, b)", "t.tfg:1:8: error: positional argument follows keyword argument", 0);
    check_error_line("def f(a=1, b): pass",
                     "t.tfg:1:12: error: parameter without a default follows parameter with a default", 0);
    check_error_line("if x:\n", "t.tfg:1:6: error: expected an indented block after 'if' statement on line 1", 0);
    check_error_line("while x", "t.tfg:1:8: error: ':' expected", 0);
    check_error_line("else: pass", "t.tfg:1:1: error: invalid syntax", 0);
    check_error_line("x = (1,\n  2,\n", "t.tfg:1:5: error: '(' was never closed: ')' expected (to close '(' at line 1)", 0);
    check_error_line("f(x\n(y)\n", "t.tfg:1:2: error: '(' was never closed: ')' expected (to close '(' at line 1)", 0);
    check_error_line("x = {1: 2,\n", "t.tfg:1:5: error: '{' was never closed: '}' expected (to close '{' at line 1)", 0);
    check_error_line("x = 1 2", "t.tfg:1:7: error: invalid syntax", 0);
    check_error_line("f(*a)", "t.tfg:1:3: error: invalid syntax", 0);
    check_error_line("x = yield", "t.tfg:1:5: error: 'yield' is not supported in tfg scripts", 0);
}

static void test_expr_parse(void **state)
{
    (void)state;
    check_value("7", "(INT 7)");
    check_value("[7.]", "(LIST (FLOAT 7.0))");
    check_value("[[1,2],[3,4]]", "(LIST (LIST (INT 1) (INT 2)) (LIST (INT 3) (INT 4)))");
    check_value("  -1.5\n", "(UNARY - (FLOAT 1.5))");
    check_value("1, 2", "(TUPLE (INT 1) (INT 2))");
    check_value("[1,\n 2]\n\n", "(LIST (INT 1) (INT 2))");
    check_value("{'a': True}", "(DICT (STR \"a\") (BOOL True))");
    check_error_line("", "t.tfg:1:1: error: unexpected end of file", 1);
    check_error_line("x = 1", "t.tfg:1:3: error: invalid syntax", 1);
    check_error_line("[1, 2", "t.tfg:1:1: error: '[' was never closed: ']' expected (to close '[' at line 1)", 1);
    check_error_line("1\n2", "t.tfg:2:1: error: invalid syntax", 1);
}

/* tfg_ast_incomplete on text. */
static int incomplete(const char *text)
{
    tfg_source *src = tfg_source_from_string("t.tfg", text, strlen(text));
    assert_non_null(src);
    int r = tfg_ast_incomplete(src);
    tfg_source_free(src);
    return r;
}

static void test_incomplete(void **state)
{
    (void)state;
    assert_true(incomplete("if x:\n"));
    assert_true(incomplete("with tf.Session() as sess:"));
    assert_true(incomplete("x = f(1,\n"));
    assert_true(incomplete("x = [[1, 2],\n [3"));
    assert_true(incomplete("s = '''abc\n"));
    assert_true(incomplete("x = 1 + \\"));
    assert_false(incomplete("x = 1\n"));
    assert_false(incomplete("if x:\n    y\n"));
    assert_false(incomplete("x = 1 +\n"));
    assert_false(incomplete("x = (1]\n"));
    assert_false(incomplete("x = 'abc\n"));
}

static void test_long_inputs(void **state)
{
    (void)state;
    enum { N = 50000 };
    char *text = malloc((size_t)N * 16 + 64);
    assert_non_null(text);
    size_t at = 0;
    for (int i = 0; i < N; i++)
        at += (size_t)sprintf(text + at, "x%d = %d\n", i, i);
    tfg_source *src = tfg_source_from_string("long.tfg", text, at);
    tfg_arena arena;
    tfg_arena_init(&arena);
    char err[256];
    tfg_ast *m = tfg_ast_parse_quiet(src, &arena, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(m->nitems, N);
    assert_int_equal(m->items[N - 1]->loc.line, N);
    tfg_arena_free(&arena);
    tfg_source_free(src);

    /* one long list literal */
    at = (size_t)sprintf(text, "x = [");
    for (int i = 0; i < N; i++)
        at += (size_t)sprintf(text + at, "%d,", i);
    at += (size_t)sprintf(text + at, "]\n");
    src = tfg_source_from_string("long.tfg", text, at);
    tfg_arena_init(&arena);
    m = tfg_ast_parse_quiet(src, &arena, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(m->items[0]->b->nitems, N);
    tfg_arena_free(&arena);
    tfg_source_free(src);
    free(text);
}

/* Builds prefix + rep * n + mid + rep2 * n. */
static char *repeat(const char *prefix, const char *rep, int n, const char *mid, const char *rep2)
{
    size_t lr = strlen(rep), lr2 = strlen(rep2);
    size_t len = strlen(prefix) + (lr + lr2) * (size_t)n + strlen(mid) + 1;
    char *s = malloc(len);
    assert_non_null(s);
    char *p = stpcpy(s, prefix);
    for (int i = 0; i < n; i++)
        p = stpcpy(p, rep);
    p = stpcpy(p, mid);
    for (int i = 0; i < n; i++)
        p = stpcpy(p, rep2);
    return s;
}

/* Asserts that text parses (ok) or fails with a first line containing want. */
static void check_deep(char *text, int ok, const char *want)
{
    char *got = parse_dump(text, 0);
    if (ok) {
        assert_true(strncmp(got, "(MODULE", 7) == 0);
    } else {
        assert_true(strncmp(got, "ERROR ", 6) == 0);
        assert_non_null(strstr(got, want));
    }
    free(got);
    free(text);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    check_deep(repeat("x = ", "(", 200, "1", ")"), 1, NULL);
    check_deep(repeat("x = ", "(", 201, "1", ")"), 0, "too many nested parentheses");
    check_deep(repeat("x = ", "[", 200, "", "]"), 1, NULL);
    check_deep(repeat("x = ", "f(", 150, "1", ")"), 1, NULL);
    check_deep(repeat("x = ", "-", 100000, "1", ""), 0, "too deeply nested");
    check_deep(repeat("x = ", "not ", 100000, "1", ""), 0, "too deeply nested");
    check_deep(repeat("x = 1", "+1", 5000, "", ""), 0, "too deeply nested");
    check_deep(repeat("x = 1", "**1", 5000, "", ""), 0, "too deeply nested");
    check_deep(repeat("x = 1", " if 1 else 1", 5000, "", ""), 0, "too deeply nested");
    check_deep(repeat("x = ", "lambda: ", 5000, "1", ""), 0, "too deeply nested");
    check_deep(repeat("x = 1", "<1", 5000, "", ""), 0, "too deeply nested");
    check_deep(repeat("x = 1", "+1", 500, "", ""), 1, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assignments),
        cmocka_unit_test(test_simple_statements),
        cmocka_unit_test(test_print_statement),
        cmocka_unit_test(test_imports),
        cmocka_unit_test(test_compound_statements),
        cmocka_unit_test(test_nested_blocks),
        cmocka_unit_test(test_atoms),
        cmocka_unit_test(test_trailers),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_more_errors),
        cmocka_unit_test(test_expr_parse),
        cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_long_inputs),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}
