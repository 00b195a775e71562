/* test_lexer.c — the tokenizer: layout tokens (INDENT/DEDENT/NEWLINE), literals,
 * operators, Python 2 print, and lexical errors, through tfg_ast_tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ast.h"

/* Tokenizes text; returns the token string or "ERROR <message>" (malloc'd). */
static char *lex(const char *text)
{
    tfg_source *src = tfg_source_from_string("t.tfg", text, strlen(text));
    assert_non_null(src);
    char err[512];
    char *toks = tfg_ast_tokens(src, err, sizeof err);
    tfg_source_free(src);
    if (toks)
        return toks;
    char *r = malloc(strlen(err) + 8);
    assert_non_null(r);
    sprintf(r, "ERROR %s", err);
    return r;
}

/* Asserts that text tokenizes to want. */
static void check_tokens(const char *text, const char *want)
{
    char *got = lex(text);
    if (strcmp(got, want) != 0)
        print_error("input:\n%s\nwant: %s\ngot:  %s\n", text, want, got);
    assert_string_equal(got, want);
    free(got);
}

/* Asserts that text fails with an error whose first line is want. */
static void check_error(const char *text, const char *want)
{
    char *got = lex(text);
    char *nl = strchr(got, '\n');
    if (nl)
        *nl = '\0';
    if (strncmp(got, "ERROR ", 6) != 0 || strcmp(got + 6, want) != 0)
        print_error("input:\n%s\nwant: ERROR %s\ngot:  %s\n", text, want, got);
    assert_true(strncmp(got, "ERROR ", 6) == 0);
    assert_string_equal(got + 6, want);
    free(got);
}

static void test_simple_statement(void **state)
{
    (void)state;
    check_tokens("x = 1\n", "NAME:x = INT:1 NEWLINE EOF");
    check_tokens("", "EOF");
    check_tokens("\n\n  \n# only a comment\n", "EOF");
}

static void test_eof_without_newline(void **state)
{
    (void)state;
    check_tokens("x = 1", "NAME:x = INT:1 NEWLINE EOF");
    check_tokens("if a:\n    b", "if NAME:a : NEWLINE INDENT NAME:b NEWLINE DEDENT EOF");
    check_tokens("x  # trailing comment", "NAME:x NEWLINE EOF");
}

static void test_nested_blocks(void **state)
{
    (void)state;
    check_tokens("if a:\n"
                 "    if b:\n"
                 "        c\n"
                 "    d\n"
                 "e\n",
                 "if NAME:a : NEWLINE INDENT if NAME:b : NEWLINE INDENT NAME:c NEWLINE "
                 "DEDENT NAME:d NEWLINE DEDENT NAME:e NEWLINE EOF");
    /* two levels closed at once */
    check_tokens("if a:\n"
                 "  if b:\n"
                 "    c\n"
                 "d\n",
                 "if NAME:a : NEWLINE INDENT if NAME:b : NEWLINE INDENT NAME:c NEWLINE "
                 "DEDENT DEDENT NAME:d NEWLINE EOF");
    /* all open levels close at end of file */
    check_tokens("with a:\n"
                 " with b:\n"
                 "  c\n",
                 "with NAME:a : NEWLINE INDENT with NAME:b : NEWLINE INDENT NAME:c NEWLINE "
                 "DEDENT DEDENT EOF");
}

static void test_blank_and_comment_lines(void **state)
{
    (void)state;
    check_tokens("if a:\n"
                 "\n"
                 "    b\n"
                 "        # deeper comment\n"
                 "\n"
                 "  # shallower comment\n"
                 "    c\n"
                 "\n"
                 "d\n",
                 "if NAME:a : NEWLINE INDENT NAME:b NEWLINE NAME:c NEWLINE DEDENT NAME:d NEWLINE EOF");
    check_tokens("x = 1   # comment\n# c\ny = 2\n",
                 "NAME:x = INT:1 NEWLINE NAME:y = INT:2 NEWLINE EOF");
}

static void test_brackets_span_lines(void **state)
{
    (void)state;
    check_tokens("x = f(1,\n"
                 "  2,\n"
                 "\n"
                 "        # comment\n"
                 "3)\n"
                 "y = [\n"
                 "]\n",
                 "NAME:x = NAME:f ( INT:1 , INT:2 , INT:3 ) NEWLINE NAME:y = [ ] NEWLINE EOF");
    check_tokens("if a:\n"
                 "    d = {1:\n"
                 "2}\n"
                 "    e\n",
                 "if NAME:a : NEWLINE INDENT NAME:d = { INT:1 : INT:2 } NEWLINE NAME:e NEWLINE DEDENT EOF");
}

static void test_backslash_continuation(void **state)
{
    (void)state;
    check_tokens("x = 1 + \\\n    2\ny\n", "NAME:x = INT:1 + INT:2 NEWLINE NAME:y NEWLINE EOF");
    check_tokens("x = 1 + \\\r\n2\r\n", "NAME:x = INT:1 + INT:2 NEWLINE EOF");
}

static void test_tabs(void **state)
{
    (void)state;
    check_tokens("if a:\n\tif b:\n\t\tc\n\td\n",
                 "if NAME:a : NEWLINE INDENT if NAME:b : NEWLINE INDENT NAME:c NEWLINE DEDENT "
                 "NAME:d NEWLINE DEDENT EOF");
    /* a tab and 8 spaces are the same column but not the same text: Python's TabError */
    check_error("if a:\n\tb\n        c\n", "t.tfg:3:9: error: inconsistent use of tabs and spaces in indentation");
    /* "  \t" is column 8, like a tab alone after two spaces */
    check_tokens("if a:\n  \tb\n  \tc\n", "if NAME:a : NEWLINE INDENT NAME:b NEWLINE NAME:c NEWLINE DEDENT EOF");
}

static void test_crlf(void **state)
{
    (void)state;
    check_tokens("if a:\r\n    b\r\n\r\nc\r\n",
                 "if NAME:a : NEWLINE INDENT NAME:b NEWLINE DEDENT NAME:c NEWLINE EOF");
}

static void test_numbers(void **state)
{
    (void)state;
    check_tokens("0 7 1_000 0x1F 0XfF 0o17 0b101 0x_10",
                 "INT:0 INT:7 INT:1000 INT:31 INT:255 INT:15 INT:5 INT:16 NEWLINE EOF");
    check_tokens("1. .5 1e-3 2.5E+4 1_0.2_5 3e2",
                 "FLOAT:1 FLOAT:0.5 FLOAT:0.001 FLOAT:25000 FLOAT:10.25 FLOAT:300 NEWLINE EOF");
    check_tokens("9223372036854775807", "INT:9223372036854775807 NEWLINE EOF");
    check_tokens("x.y", "NAME:x . NAME:y NEWLINE EOF");
}

static void test_strings(void **state)
{
    (void)state;
    check_tokens("'a' \"b\" '' \"\"", "STR:a STR:b STR: STR: NEWLINE EOF");
    check_tokens("'it\\'s' \"say \\\"hi\\\"\"", "STR:it's STR:say \"hi\" NEWLINE EOF");
    check_tokens("'\\x41\\102\\u00e9\\\\'", "STR:AB\xC3\xA9\\ NEWLINE EOF");
    check_tokens("r'\\n' R\"\\d\"", "STR:\\n STR:\\d NEWLINE EOF");
    check_tokens("'''a\n'b'\n''c'''", "STR:a\n'b'\n''c NEWLINE EOF");
    check_tokens("\"\"\"x\"\"\" 'y'", "STR:x STR:y NEWLINE EOF");
    check_tokens("'line\\\ncontinued'", "STR:linecontinued NEWLINE EOF");
    check_tokens("'tab\\there'", "STR:tab\there NEWLINE EOF");
    check_tokens("u'x' '\\q'", "STR:x STR:\\q NEWLINE EOF");
}

static void test_operators(void **state)
{
    (void)state;
    check_tokens("+ - * / // % ** @ & | ^ ~ < > <= >= == != = ( ) [ ] { } , : . ;",
                 "+ - * / // % ** @ & | ^ ~ < > <= >= == != = ( ) [ ] { } , : . ; NEWLINE EOF");
    check_tokens("a += 1; a -= 1; a *= 1; a /= 1; a //= 1; a %= 1; a **= 1; a @= 1",
                 "NAME:a += INT:1 ; NAME:a -= INT:1 ; NAME:a *= INT:1 ; NAME:a /= INT:1 ; "
                 "NAME:a //= INT:1 ; NAME:a %= INT:1 ; NAME:a **= INT:1 ; NAME:a @= INT:1 NEWLINE EOF");
    check_tokens("a&=b|=c^=d", "NAME:a &= NAME:b |= NAME:c ^= NAME:d NEWLINE EOF");
    check_tokens("a**-b", "NAME:a ** - NAME:b NEWLINE EOF");
}

static void test_keywords(void **state)
{
    (void)state;
    check_tokens("and or not in is if elif else for while def return pass break continue "
                 "with as import from lambda None True False global",
                 "and or not in is if elif else for while def return pass break continue "
                 "with as import from lambda None True False global NEWLINE EOF");
    check_tokens("iffy _if None_ truE", "NAME:iffy NAME:_if NAME:None_ NAME:truE NEWLINE EOF");
}

static void test_print(void **state)
{
    (void)state;
    check_tokens("print x, y", "print NAME:x , NAME:y NEWLINE EOF");
    check_tokens("print(x)", "NAME:print ( NAME:x ) NEWLINE EOF");
    check_tokens("print (x)", "NAME:print ( NAME:x ) NEWLINE EOF");
    check_tokens("print", "NAME:print NEWLINE EOF");
    check_tokens("print = 3", "NAME:print = INT:3 NEWLINE EOF");
    check_tokens("print.x", "NAME:print . NAME:x NEWLINE EOF");
    check_tokens("print \"hi\"", "print STR:hi NEWLINE EOF");
    check_tokens("print -1", "print - INT:1 NEWLINE EOF");
    check_tokens("print [1]", "print [ INT:1 ] NEWLINE EOF");
    check_tokens("tf.print x", "NAME:tf . NAME:print NAME:x NEWLINE EOF");
    check_tokens("printer x", "NAME:printer NAME:x NEWLINE EOF");
    check_tokens("print1 x", "NAME:print1 NAME:x NEWLINE EOF");
}

static void test_locations_in_errors(void **state)
{
    (void)state;
    check_error("x = 'abc\n", "t.tfg:1:5: error: unterminated string literal");
    check_error("x = 1\ny = \"\"\"abc\n\n", "t.tfg:2:5: error: unterminated triple-quoted string literal");
    check_error("a = 1\n  b = $\n", "t.tfg:2:7: error: invalid character '$' (U+0024)");
}

static void test_lexical_errors(void **state)
{
    (void)state;
    check_error("x = $", "t.tfg:1:5: error: invalid character '$' (U+0024)");
    check_error("x = 1 ? 2", "t.tfg:1:7: error: invalid character '?' (U+003F)");
    check_error("x = \xE2\x82\xAC", "t.tfg:1:5: error: invalid character '\xE2\x82\xAC' (U+20AC)");
    check_error("x = \xFF", "t.tfg:1:5: error: invalid byte 0xFF (not UTF-8)");
    check_error("x = \x01", "t.tfg:1:5: error: invalid non-printable character U+0001");
    check_error("if a:\n    b\n  c\n", "t.tfg:3:3: error: unindent does not match any outer indentation level");
    check_error("x = (1]\n", "t.tfg:1:7: error: closing parenthesis ']' does not match opening parenthesis '('");
    check_error("x = (1,\n2]\n",
                "t.tfg:2:2: error: closing parenthesis ']' does not match opening parenthesis '(' on line 1");
    check_error("x = 1)\n", "t.tfg:1:6: error: unmatched ')'");
    check_error("x = 1 \\ 2\n", "t.tfg:1:7: error: unexpected character after line continuation character");
    check_error("x = 00 + 01\n",
                "t.tfg:1:10: error: leading zeros in decimal integer literals are not permitted; "
                "use an 0o prefix for octal integers");
    check_error("x = 9223372036854775808\n", "t.tfg:1:5: error: integer literal too large");
    check_error("x = '\\x4'\n", "t.tfg:1:5: error: truncated \\x escape in string literal");
    check_error("x = '\\U00110000'\n", "t.tfg:1:5: error: illegal Unicode character in string literal");
    check_error("try:\n    pass\n", "t.tfg:1:1: error: 'try' is not supported in tfg scripts");
}

static void test_nesting_limits(void **state)
{
    (void)state;
    char buf[1024];
    int n = 0;
    n += sprintf(buf + n, "x = ");
    for (int i = 0; i < 200; i++)
        buf[n++] = '(';
    buf[n] = '\0';
    char *got = lex(buf);
    assert_non_null(strstr(got, "( ( ("));
    free(got);
    strcat(buf, "(");
    check_error(buf, "t.tfg:1:205: error: too many nested parentheses");

    /* 100 indentation levels are fine, the 101st is not */
    size_t cap = 64 * 1024;
    char *src = malloc(cap);
    assert_non_null(src);
    size_t at = 0;
    for (int i = 0; i <= 101; i++) {
        for (int j = 0; j < i; j++)
            src[at++] = ' ';
        at += (size_t)sprintf(src + at, "if x:\n");
    }
    src[at] = '\0';
    check_error(src, "t.tfg:102:102: error: too many levels of indentation");
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_statement),
        cmocka_unit_test(test_eof_without_newline),
        cmocka_unit_test(test_nested_blocks),
        cmocka_unit_test(test_blank_and_comment_lines),
        cmocka_unit_test(test_brackets_span_lines),
        cmocka_unit_test(test_backslash_continuation),
        cmocka_unit_test(test_tabs),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_locations_in_errors),
        cmocka_unit_test(test_lexical_errors),
        cmocka_unit_test(test_nesting_limits),
    };
    return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
