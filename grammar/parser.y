/* parser.y — the grammar of .tfg scripts (a Python 3 subset, plus Python 2 `print x`).
 *
 * A pure bison parser over the reentrant scanner of lexer.l. Its actions only
 * build tfg_ast nodes (see src/ast.h for every kind and field); all of them
 * live in the arena of the parse state. The first syntax error is recorded in
 * the parse state and printed by the driver at the bottom through
 * tfg_diag_error; there is no error recovery.
 *
 * The scanner injects a start token, START_FILE or START_EXPR, which selects a
 * whole script or a single expression (a --feed value). Statement lists are
 * left recursive, so the parser stack does not grow with the length of a file;
 * expression depth is bounded by the lexer's bracket limit and by a depth check
 * on the finished tree (TFG_AST_MAX_DEPTH).
 */

%code requires {
#include <stdint.h>
#include <stddef.h>
#include "src/ast.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

typedef struct tfg_parse_state tfg_parse_state;
typedef struct tfg_lexstate tfg_lexstate;
}

%code provides {
/* Limits the lexer enforces (Python's own: 200 brackets, 100 indentation levels). */
enum { TFG_MAX_BRACKETS = 200, TFG_MAX_INDENT = 100, TFG_LEX_QUEUE = TFG_MAX_INDENT + 8 };

/* An open bracket: its character and where it was opened. */
typedef struct tfg_bracket {
    char ch;
    tfg_loc loc;
} tfg_bracket;

/* A token waiting in the lexer's queue (INDENT/DEDENT/NEWLINE and the token behind them). */
typedef struct tfg_lexq {
    int tok;
    TFGYYSTYPE val;
    tfg_loc loc;
} tfg_lexq;

/* Everything the scanner knows beyond flex's own state (flex's "extra" data). */
struct tfg_lexstate {
    tfg_arena *arena;            /* token strings are allocated here */
    tfg_loc cur;                 /* position of the next unread byte */
    tfg_loc tok;                 /* start of the current match */
    tfg_loc last_end;            /* just after the last real token */
    int start_token;             /* START_FILE/START_EXPR, returned first; then 0 */
    int expr_mode;               /* no indentation tracking */
    int at_bol;                  /* no token yet on this logical line */
    int indent_col, indent_alt;  /* indentation of the current line (tabs to 8 / tabs as 1) */
    int indents[TFG_MAX_INDENT + 1], alts[TFG_MAX_INDENT + 1];
    int nindents;                /* levels above column 0 */
    tfg_bracket brackets[TFG_MAX_BRACKETS];
    int depth;                   /* open brackets */
    int depth_before;            /* open brackets before the last token */
    int nl_seen;                 /* a line break was skipped since the last token */
    int first_on_line;           /* the last token began a line */
    int last_tok;                /* kind of the last token returned */
    int done;                    /* end of input was seen */
    tfg_lexq queue[TFG_LEX_QUEUE];
    int qhead, qlen;
    const char *block_kw;        /* the last compound-statement keyword ("for", "if"...) */
    int block_line;              /* and its line, for "expected an indented block after" */
    int has_err;                 /* a lexical error was found: message below */
    tfg_loc err_loc;
    char err[256];
};

/* What the parser builds and the first error it met. */
struct tfg_parse_state {
    tfg_arena *arena;
    tfg_lexstate *lex;
    tfg_ast *result;
    int expr_mode;
    int oom;                     /* an allocation failed */
    int at_eof;                  /* the syntax error was met at the end of the input */
    int has_err;
    tfg_loc err_loc;
    char err[256];
};

/* The token source the parser calls (lexer.l): layout tokens around flex's raw tokens. */
int tfgyylex(TFGYYSTYPE *yylval_param, TFGYYLTYPE *yylloc_param, yyscan_t yyscanner);
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YYLLOC_DEFAULT(Cur, Rhs, N)                       \
    do {                                                  \
        if (N)                                            \
            (Cur) = YYRHSLOC(Rhs, 1);                     \
        else                                              \
            (Cur) = YYRHSLOC(Rhs, 0);                     \
    } while (0)

static void tfgyyerror(const tfg_loc *loc, yyscan_t scanner, tfg_parse_state *ps, const char *msg);
static void set_error(tfg_parse_state *ps, tfg_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tfg_ast *mk(tfg_parse_state *ps, tfg_ast_kind k, tfg_loc loc);
static tfg_ast *mk_op(tfg_parse_state *ps, tfg_ast_kind k, tfg_loc loc, int op, tfg_ast *a, tfg_ast *b);
static tfg_ast *mk_name(tfg_parse_state *ps, char *s, tfg_loc loc);
static tfg_ast *push(tfg_parse_state *ps, tfg_ast *list, tfg_ast *item);
static tfg_ast *push_all(tfg_parse_state *ps, tfg_ast *list, const tfg_ast *more);
static tfg_ast *one(tfg_parse_state *ps, tfg_ast *stmt);
static tfg_ast *as_kind(tfg_ast *n, tfg_ast_kind k, tfg_loc loc);
static tfg_ast *relocate(tfg_ast *list, tfg_loc loc);
static tfg_ast *take_items(tfg_ast *dst, const tfg_ast *src);
static tfg_ast *set3(tfg_ast *n, tfg_ast *a, tfg_ast *b, tfg_ast *c);
static tfg_ast *expr_stmt(tfg_parse_state *ps, tfg_ast *e, tfg_loc loc);
static tfg_ast *assign_chain(tfg_parse_state *ps, tfg_ast *targets, tfg_ast *value, tfg_loc loc);
static tfg_ast *augassign(tfg_parse_state *ps, int op, tfg_ast *t, tfg_ast *v, tfg_loc loc);
static tfg_ast *for_stmt(tfg_parse_state *ps, tfg_ast *t, tfg_ast *it, tfg_ast *body, tfg_loc loc);
static tfg_ast *with_nest(tfg_parse_state *ps, tfg_ast *items, tfg_ast *body);
static tfg_ast *call(tfg_parse_state *ps, tfg_ast *callee, const tfg_ast *args, tfg_loc loc);
static tfg_ast *funcdef(tfg_parse_state *ps, char *name, const tfg_ast *params, tfg_ast *body, tfg_loc loc);
static tfg_ast *import_item(tfg_parse_state *ps, const tfg_ast *names, tfg_ast *alias, tfg_loc loc);
static tfg_ast *import_from(tfg_parse_state *ps, const tfg_ast *names, const tfg_ast *items, tfg_loc loc);
static tfg_ast *str_node(tfg_parse_state *ps, char *s, size_t len, tfg_loc loc);
static tfg_ast *concat_strings(tfg_parse_state *ps, tfg_ast *pieces);
}

%define api.pure full
%define api.prefix {tfgyy}
%define api.token.prefix {TOK_}
%define api.location.type {tfg_loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%parse-param {yyscan_t scanner} {tfg_parse_state *ps}
%lex-param {yyscan_t scanner}

%union {
    tfg_ast *node;
    struct { tfg_ast *first, *last; } pair;   /* comparison chains, if/elif chains */
    int op;
    char *str;
    int64_t ival;
    double fval;
    struct { char *s; size_t len; } sv;
}

%token START_FILE START_EXPR
%token NEWLINE INDENT DEDENT
%token <str> NAME
%token <ival> INT
%token <fval> FLOAT
%token <sv> STRING
%token <op> AUGASSIGN "augmented assignment"
%token AND "and" OR "or" NOT "not" IN "in" IS "is"
%token IF "if" ELIF "elif" ELSE "else" FOR "for" WHILE "while" DEF "def"
%token RETURN "return" PASS "pass" BREAK "break" CONTINUE "continue"
%token WITH "with" AS "as" IMPORT "import" FROM "from" LAMBDA "lambda"
%token NONE "None" TRUE "True" FALSE "False" GLOBAL "global" PRINT "print"
%token POW "**" FLOORDIV "//" EQ "==" NE "!=" LE "<=" GE ">="

%type <node> file_input stmt stmts simple_line small_stmts small_stmt compound_stmt suite
%type <node> expr_stmt assign_targets print_stmt test_list import_stmt import_list import_item
%type <node> dotted_name from_names names if_stmt while_stmt for_stmt with_stmt with_items
%type <node> with_item funcdef params param testlist tuple_head exprlist expr_head test
%type <node> comp_clauses comp_clause
%type <node> lambdef lambda_params or_test and_test not_test or_expr xor_expr and_expr
%type <node> arith_expr term factor power atom_expr atom strings arglist argument
%type <node> subscriptlist sub_head subscript opt_test dict_items
%type <pair> comparison if_chain
%type <op> comp_op

%%

/* start: START_FILE file_input | START_EXPR testlist NEWLINE */
start
    : START_FILE file_input                 { ps->result = $2; }
    | START_EXPR testlist NEWLINE           { ps->result = $2; }
    ;

/* file_input: { stmt } */
file_input
    : %empty                                { $$ = mk(ps, TFG_AST_MODULE, @$); }
    | file_input stmt                       { $$ = push_all(ps, $1, $2); }
    ;

/* stmt: simple_line | compound_stmt   (a list of statements: `a; b` gives two) */
stmt
    : simple_line
    | compound_stmt                         { $$ = one(ps, $1); }
    ;

/* simple_line: small_stmt { ';' small_stmt } [';'] NEWLINE */
simple_line
    : small_stmts NEWLINE
    | small_stmts ';' NEWLINE
    ;

small_stmts
    : small_stmt
    | small_stmts ';' small_stmt            { $$ = push_all(ps, $1, $3); }
    ;

/* small_stmt: expr_stmt | print_stmt | pass | break | continue | return | import | global */
small_stmt
    : expr_stmt
    | print_stmt                            { $$ = one(ps, $1); }
    | PASS                                  { $$ = one(ps, mk(ps, TFG_AST_PASS, @1)); }
    | BREAK                                 { $$ = one(ps, mk(ps, TFG_AST_BREAK, @1)); }
    | CONTINUE                              { $$ = one(ps, mk(ps, TFG_AST_CONTINUE, @1)); }
    | RETURN                                { $$ = one(ps, mk(ps, TFG_AST_RETURN, @1)); }
    | RETURN testlist                       { $$ = one(ps, mk_op(ps, TFG_AST_RETURN, @1, 0, $2, NULL)); }
    | import_stmt
    | GLOBAL names                          { $$ = one(ps, take_items(mk(ps, TFG_AST_GLOBAL, @1), $2)); }
    ;

/* expr_stmt: testlist | (testlist '=')+ testlist | testlist AUGASSIGN testlist */
expr_stmt
    : testlist                              { $$ = one(ps, expr_stmt(ps, $1, @1)); }
    | assign_targets testlist               { $$ = assign_chain(ps, $1, $2, @1); if (!$$) YYABORT; }
    | testlist AUGASSIGN testlist           { $$ = one(ps, augassign(ps, $2, $1, $3, @1)); if (!$$) YYABORT; }
    ;

assign_targets
    : testlist '='                          { $$ = push(ps, mk(ps, TFG_AST_TUPLE, @1), $1); }
    | assign_targets testlist '='           { $$ = push(ps, $1, $2); }
    ;

/* print_stmt: 'print' [test {',' test} [',']]   (Python 2 form) */
print_stmt
    : PRINT                                 { $$ = mk(ps, TFG_AST_PRINT, @1); }
    | PRINT test_list                       { $$ = take_items(mk(ps, TFG_AST_PRINT, @1), $2); }
    | PRINT test_list ','                   { $$ = take_items(mk(ps, TFG_AST_PRINT, @1), $2);
                                              if ($$) $$->ival = 1; }
    ;

test_list
    : test                                  { $$ = push(ps, mk(ps, TFG_AST_LIST, @1), $1); }
    | test_list ',' test                    { $$ = push(ps, $1, $3); }
    ;

/* import_stmt: 'import' dotted ['as' NAME] {',' ...} | 'from' dotted 'import' names */
import_stmt
    : IMPORT import_list                    { $$ = relocate($2, @1); }
    | FROM dotted_name IMPORT from_names    { $$ = one(ps, import_from(ps, $2, $4, @1)); }
    ;

import_list
    : import_item                           { $$ = one(ps, $1); }
    | import_list ',' import_item           { $$ = push(ps, $1, $3); }
    ;

import_item
    : dotted_name                           { $$ = import_item(ps, $1, NULL, @1); }
    | dotted_name AS NAME                   { $$ = import_item(ps, $1, mk_name(ps, $3, @3), @1); }
    ;

/* dotted_name: NAME {'.' NAME}   (collected as NAMEs, joined by import_item) */
dotted_name
    : NAME                                  { $$ = push(ps, mk(ps, TFG_AST_LIST, @1), mk_name(ps, $1, @1)); }
    | dotted_name '.' NAME                  { $$ = push(ps, $1, mk_name(ps, $3, @3)); }
    ;

/* from_names: names | '(' names [','] ')' */
from_names
    : names
    | '(' names ')'                         { $$ = $2; }
    | '(' names ',' ')'                     { $$ = $2; }
    ;

/* names: NAME {',' NAME} */
names
    : NAME                                  { $$ = push(ps, mk(ps, TFG_AST_LIST, @1), mk_name(ps, $1, @1)); }
    | names ',' NAME                        { $$ = push(ps, $1, mk_name(ps, $3, @3)); }
    ;

/* compound_stmt: if | while | for | with | def */
compound_stmt
    : if_stmt
    | while_stmt
    | for_stmt
    | with_stmt
    | funcdef
    ;

/* if_stmt: 'if' test ':' suite {'elif' test ':' suite} ['else' ':' suite] */
if_stmt
    : if_chain                              { $$ = $1.first; }
    | if_chain ELSE ':' suite               { $$ = $1.first; if ($1.last) $1.last->c = $4; }
    ;

if_chain
    : IF test ':' suite                     { $$.first = $$.last = mk_op(ps, TFG_AST_IF, @1, 0, $2, $4); }
    | if_chain ELIF test ':' suite          { $$.first = $1.first;
                                              $$.last = mk_op(ps, TFG_AST_IF, @2, 0, $3, $5);
                                              if ($1.last) $1.last->c = $$.last; }
    ;

/* while_stmt: 'while' test ':' suite */
while_stmt
    : WHILE test ':' suite                  { $$ = mk_op(ps, TFG_AST_WHILE, @1, 0, $2, $4); }
    ;

/* for_stmt: 'for' exprlist 'in' testlist ':' suite */
for_stmt
    : FOR exprlist IN testlist ':' suite    { $$ = for_stmt(ps, $2, $4, $6, @1); if (!$$) YYABORT; }
    ;

/* with_stmt: 'with' with_item {',' with_item} ':' suite   (several items nest) */
with_stmt
    : WITH with_items ':' suite             { $$ = with_nest(ps, $2, $4); }
    ;

with_items
    : with_item                             { $$ = push(ps, mk(ps, TFG_AST_LIST, @1), $1); }
    | with_items ',' with_item              { $$ = push(ps, $1, $3); }
    ;

with_item
    : test                                  { $$ = mk_op(ps, TFG_AST_WITH, @1, 0, $1, NULL); }
    | test AS NAME                          { $$ = mk_op(ps, TFG_AST_WITH, @1, 0, $1, mk_name(ps, $3, @3)); }
    ;

/* funcdef: 'def' NAME '(' [param {',' param} [',']] ')' ':' suite */
funcdef
    : DEF NAME '(' ')' ':' suite            { $$ = funcdef(ps, $2, NULL, $6, @1); if (!$$) YYABORT; }
    | DEF NAME '(' params ')' ':' suite     { $$ = funcdef(ps, $2, $4, $7, @1); if (!$$) YYABORT; }
    | DEF NAME '(' params ',' ')' ':' suite { $$ = funcdef(ps, $2, $4, $8, @1); if (!$$) YYABORT; }
    ;

params
    : param                                 { $$ = push(ps, mk(ps, TFG_AST_LIST, @1), $1); }
    | params ',' param                      { $$ = push(ps, $1, $3); }
    ;

/* param: NAME ['=' test] */
param
    : NAME                                  { $$ = mk_name(ps, $1, @1); }
    | NAME '=' test                         { $$ = mk_op(ps, TFG_AST_KEYWORD, @1, 0, $3, NULL);
                                              if ($$) $$->str = $1; }
    ;

/* suite: simple_line | NEWLINE INDENT stmt+ DEDENT */
suite
    : simple_line                           { $$ = as_kind($1, TFG_AST_BLOCK, @1); }
    | NEWLINE INDENT stmts DEDENT           { $$ = as_kind($3, TFG_AST_BLOCK, @3); }
    ;

stmts
    : stmt
    | stmts stmt                            { $$ = push_all(ps, $1, $2); }
    ;

/* comp_clauses: comp_for {comp_for | comp_if};  comp_for: 'for' exprlist 'in' or_test;  comp_if: 'if' or_test */
comp_clauses
    : FOR exprlist IN or_test               { $$ = push(ps, mk(ps, TFG_AST_LIST, @1),
                                                        set3(mk(ps, TFG_AST_FOR, @1), $2, $4, NULL)); }
    | comp_clauses comp_clause              { $$ = push(ps, $1, $2); }
    ;

comp_clause
    : FOR exprlist IN or_test               { $$ = set3(mk(ps, TFG_AST_FOR, @1), $2, $4, NULL); }
    | IF or_test                            { $$ = set3(mk(ps, TFG_AST_IF, @1), $2, NULL, NULL); }
    ;

/* testlist: test {',' test} [',']   (a TUPLE when there is a comma) */
testlist
    : test
    | tuple_head                            { $$ = as_kind($1, TFG_AST_TUPLE, @1); }
    | tuple_head test                       { $$ = as_kind(push(ps, $1, $2), TFG_AST_TUPLE, @1); }
    ;

tuple_head
    : test ','                              { $$ = push(ps, mk(ps, TFG_AST_TUPLE, @1), $1); }
    | tuple_head test ','                   { $$ = push(ps, $1, $2); }
    ;

/* exprlist: or_expr {',' or_expr} [',']   (for-loop targets: no comparisons, so 'in' is free) */
exprlist
    : or_expr
    | expr_head                             { $$ = as_kind($1, TFG_AST_TUPLE, @1); }
    | expr_head or_expr                     { $$ = as_kind(push(ps, $1, $2), TFG_AST_TUPLE, @1); }
    ;

expr_head
    : or_expr ','                           { $$ = push(ps, mk(ps, TFG_AST_TUPLE, @1), $1); }
    | expr_head or_expr ','                 { $$ = push(ps, $1, $2); }
    ;

/* test: or_test ['if' or_test 'else' test] | lambdef */
test
    : or_test
    | or_test IF or_test ELSE test          { $$ = set3(mk(ps, TFG_AST_IFEXP, @1), $3, $1, $5); }
    | lambdef
    ;

/* lambdef: 'lambda' [NAME {',' NAME}] ':' test */
lambdef
    : LAMBDA ':' test                       { $$ = mk_op(ps, TFG_AST_LAMBDA, @1, 0, $3, NULL); }
    | LAMBDA lambda_params ':' test         { $$ = take_items(mk_op(ps, TFG_AST_LAMBDA, @1, 0, $4, NULL), $2); }
    ;

lambda_params
    : NAME                                  { $$ = push(ps, mk(ps, TFG_AST_LIST, @1), mk_name(ps, $1, @1)); }
    | lambda_params ',' NAME                { $$ = push(ps, $1, mk_name(ps, $3, @3)); }
    ;

/* or_test: and_test {'or' and_test} */
or_test
    : and_test
    | or_test OR and_test                   { $$ = mk_op(ps, TFG_AST_BOOLOP, @2, TFG_OP_OR, $1, $3); }
    ;

/* and_test: not_test {'and' not_test} */
and_test
    : not_test
    | and_test AND not_test                 { $$ = mk_op(ps, TFG_AST_BOOLOP, @2, TFG_OP_AND, $1, $3); }
    ;

/* not_test: 'not' not_test | comparison */
not_test
    : NOT not_test                          { $$ = mk_op(ps, TFG_AST_UNARY, @1, TFG_OP_NOT, $2, NULL); }
    | comparison                            { $$ = $1.first; }
    ;

/* comparison: or_expr {comp_op or_expr}   (a < b < c is (a < b) and (b < c)) */
comparison
    : or_expr                               { $$.first = $$.last = $1; }
    | comparison comp_op or_expr            {
          tfg_ast *cmp = mk_op(ps, TFG_AST_COMPARE, @2, $2, $1.last, $3);
          $$.first = $1.first == $1.last ? cmp
                   : mk_op(ps, TFG_AST_BOOLOP, @2, TFG_OP_AND, $1.first, cmp);
          $$.last = $3;
      }
    ;

comp_op
    : '<'                                   { $$ = TFG_OP_LT; }
    | '>'                                   { $$ = TFG_OP_GT; }
    | EQ                                    { $$ = TFG_OP_EQ; }
    | NE                                    { $$ = TFG_OP_NE; }
    | LE                                    { $$ = TFG_OP_LE; }
    | GE                                    { $$ = TFG_OP_GE; }
    | IN                                    { $$ = TFG_OP_IN; }
    | NOT IN                                { $$ = TFG_OP_NOT_IN; }
    | IS                                    { $$ = TFG_OP_IS; }
    | IS NOT                                { $$ = TFG_OP_IS_NOT; }
    ;

/* or_expr: xor_expr {'|' xor_expr} */
or_expr
    : xor_expr
    | or_expr '|' xor_expr                  { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_BITOR, $1, $3); }
    ;

/* xor_expr: and_expr {'^' and_expr} */
xor_expr
    : and_expr
    | xor_expr '^' and_expr                 { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_BITXOR, $1, $3); }
    ;

/* and_expr: arith_expr {'&' arith_expr} */
and_expr
    : arith_expr
    | and_expr '&' arith_expr               { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_BITAND, $1, $3); }
    ;

/* arith_expr: term {('+'|'-') term} */
arith_expr
    : term
    | arith_expr '+' term                   { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_ADD, $1, $3); }
    | arith_expr '-' term                   { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_SUB, $1, $3); }
    ;

/* term: factor {('*'|'/'|'//'|'%'|'@') factor} */
term
    : factor
    | term '*' factor                       { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_MUL, $1, $3); }
    | term '/' factor                       { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_DIV, $1, $3); }
    | term FLOORDIV factor                  { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_FLOORDIV, $1, $3); }
    | term '%' factor                       { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_MOD, $1, $3); }
    | term '@' factor                       { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_MATMUL, $1, $3); }
    ;

/* factor: ('+'|'-'|'~') factor | power */
factor
    : '+' factor                            { $$ = mk_op(ps, TFG_AST_UNARY, @1, TFG_OP_POS, $2, NULL); }
    | '-' factor                            { $$ = mk_op(ps, TFG_AST_UNARY, @1, TFG_OP_NEG, $2, NULL); }
    | '~' factor                            { $$ = mk_op(ps, TFG_AST_UNARY, @1, TFG_OP_INVERT, $2, NULL); }
    | power
    ;

/* power: atom_expr ['**' factor]   (right associative; -2**2 is -(2**2)) */
power
    : atom_expr
    | atom_expr POW factor                  { $$ = mk_op(ps, TFG_AST_BINOP, @2, TFG_OP_POW, $1, $3); }
    ;

/* atom_expr: atom {trailer};  trailer: '(' [arglist] ')' | '[' subscriptlist ']' | '.' NAME */
atom_expr
    : atom
    | atom_expr '(' ')'                     { $$ = call(ps, $1, NULL, @1); if (!$$) YYABORT; }
    | atom_expr '(' arglist ')'             { $$ = call(ps, $1, $3, @1); if (!$$) YYABORT; }
    | atom_expr '(' arglist ',' ')'         { $$ = call(ps, $1, $3, @1); if (!$$) YYABORT; }
    | atom_expr '[' subscriptlist ']'       { $$ = mk_op(ps, TFG_AST_SUBSCRIPT, @1, 0, $1, $3); }
    | atom_expr '.' NAME                    { $$ = mk_op(ps, TFG_AST_ATTR, @1, 0, $1, NULL);
                                              if ($$) $$->str = $3; }
    ;

/* arglist: argument {',' argument};  argument: test | NAME '=' test */
arglist
    : argument                              { $$ = push(ps, mk(ps, TFG_AST_LIST, @1), $1); }
    | arglist ',' argument                  { $$ = push(ps, $1, $3); }
    ;

argument
    : test
    | NAME '=' test                         { $$ = mk_op(ps, TFG_AST_KEYWORD, @1, 0, $3, NULL);
                                              if ($$) $$->str = $1; }
    ;

/* subscriptlist: subscript {',' subscript} [','] */
subscriptlist
    : subscript
    | sub_head                              { $$ = as_kind($1, TFG_AST_TUPLE, @1); }
    | sub_head subscript                    { $$ = as_kind(push(ps, $1, $2), TFG_AST_TUPLE, @1); }
    ;

sub_head
    : subscript ','                         { $$ = push(ps, mk(ps, TFG_AST_TUPLE, @1), $1); }
    | sub_head subscript ','                { $$ = push(ps, $1, $2); }
    ;

/* subscript: test | [test] ':' [test] [':' [test]] */
subscript
    : test
    | opt_test ':' opt_test                 { $$ = set3(mk(ps, TFG_AST_SLICE, $1 ? @1 : @2), $1, $3, NULL); }
    | opt_test ':' opt_test ':' opt_test    { $$ = set3(mk(ps, TFG_AST_SLICE, $1 ? @1 : @2), $1, $3, $5); }
    ;

opt_test
    : %empty                                { $$ = NULL; }
    | test
    ;

/* atom: NAME | number | string+ | None | True | False | '(' [testlist] ')' | '[' ... ']' | '{' ... '}' */
atom
    : NAME                                  { $$ = mk_name(ps, $1, @1); }
    | INT                                   { $$ = mk(ps, TFG_AST_INT, @1); if ($$) $$->ival = $1; }
    | FLOAT                                 { $$ = mk(ps, TFG_AST_FLOAT, @1); if ($$) $$->fval = $1; }
    | strings                               { $$ = concat_strings(ps, $1); }
    | NONE                                  { $$ = mk(ps, TFG_AST_NONE, @1); }
    | TRUE                                  { $$ = mk(ps, TFG_AST_BOOL, @1); if ($$) $$->ival = 1; }
    | FALSE                                 { $$ = mk(ps, TFG_AST_BOOL, @1); }
    | '(' ')'                               { $$ = mk(ps, TFG_AST_TUPLE, @1); }
    | '(' testlist ')'                      { $$ = $2; if ($$ && $$->kind == TFG_AST_TUPLE) $$->loc = @1; }
    | '[' ']'                               { $$ = mk(ps, TFG_AST_LIST, @1); }
    | '[' test_list ']'                     { $$ = as_kind($2, TFG_AST_LIST, @1); }
    | '[' test_list ',' ']'                 { $$ = as_kind($2, TFG_AST_LIST, @1); }
    | '[' test comp_clauses ']'             { $$ = take_items(mk_op(ps, TFG_AST_LISTCOMP, @1, 0, $2, NULL), $3); }
    | '{' '}'                               { $$ = mk(ps, TFG_AST_DICT, @1); }
    | '{' dict_items '}'                    { $$ = as_kind($2, TFG_AST_DICT, @1); }
    | '{' dict_items ',' '}'                { $$ = as_kind($2, TFG_AST_DICT, @1); }
    ;

/* strings: STRING+   (adjacent literals concatenate) */
strings
    : STRING                                { $$ = push(ps, mk(ps, TFG_AST_LIST, @1), str_node(ps, $1.s, $1.len, @1)); }
    | strings STRING                        { $$ = push(ps, $1, str_node(ps, $2.s, $2.len, @2)); }
    ;

/* dict_items: test ':' test {',' test ':' test} */
dict_items
    : test ':' test                         { $$ = push(ps, push(ps, mk(ps, TFG_AST_DICT, @1), $1), $3); }
    | dict_items ',' test ':' test          { $$ = push(ps, push(ps, $1, $3), $5); }
    ;


%%

#include "lexer.h"

/* ---- building helpers: NULL-safe, so an allocation failure only sets ps->oom ---- */

/* Records the first error (message and place); later ones are dropped. */
static void set_error(tfg_parse_state *ps, tfg_loc loc, const char *fmt, ...)
{
    if (ps->has_err)
        return;
    ps->has_err = 1;
    ps->err_loc = loc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, sizeof ps->err, fmt, ap);
    va_end(ap);
}

/* A new zeroed node of kind k. */
static tfg_ast *mk(tfg_parse_state *ps, tfg_ast_kind k, tfg_loc loc)
{
    tfg_ast *n = tfg_ast_new(ps->arena, k, loc);
    if (!n)
        ps->oom = 1;
    return n;
}

/* A new node with an operator and up to two children. */
static tfg_ast *mk_op(tfg_parse_state *ps, tfg_ast_kind k, tfg_loc loc, int op, tfg_ast *a, tfg_ast *b)
{
    tfg_ast *n = mk(ps, k, loc);
    if (n) {
        n->op = op;
        n->a = a;
        n->b = b;
    }
    return n;
}

/* A NAME node for an identifier the lexer put in the arena. */
static tfg_ast *mk_name(tfg_parse_state *ps, char *s, tfg_loc loc)
{
    tfg_ast *n = mk(ps, TFG_AST_NAME, loc);
    if (n)
        n->str = s;
    return n;
}

/* Appends item to list's items; returns list (NULL after a failure). */
static tfg_ast *push(tfg_parse_state *ps, tfg_ast *list, tfg_ast *item)
{
    if (!list)
        return NULL;
    if (!tfg_ast_push(ps->arena, list, item)) {
        ps->oom = 1;
        return NULL;
    }
    return list;
}

/* Appends all of more's items to list. */
static tfg_ast *push_all(tfg_parse_state *ps, tfg_ast *list, const tfg_ast *more)
{
    if (!more)
        return NULL;
    for (int i = 0; i < more->nitems && list; i++)
        list = push(ps, list, more->items[i]);
    return list;
}

/* A one-statement list (statements travel as lists so that `a; b` can splice). */
static tfg_ast *one(tfg_parse_state *ps, tfg_ast *stmt)
{
    if (!stmt)
        return NULL;
    return push(ps, mk(ps, TFG_AST_BLOCK, stmt->loc), stmt);
}

/* Turns a temporary list node into the final kind at loc. */
static tfg_ast *as_kind(tfg_ast *n, tfg_ast_kind k, tfg_loc loc)
{
    if (n) {
        n->kind = k;
        n->loc = loc;
    }
    return n;
}

/* Gives every statement of a list the location loc (`import a, b`: both at 'import'). */
static tfg_ast *relocate(tfg_ast *list, tfg_loc loc)
{
    for (int i = 0; list && i < list->nitems; i++)
        if (list->items[i])
            list->items[i]->loc = loc;
    return list;
}

/* Moves the items array of a temporary list node into dst. */
static tfg_ast *take_items(tfg_ast *dst, const tfg_ast *src)
{
    if (dst && src) {
        dst->items = src->items;
        dst->nitems = src->nitems;
    }
    return dst;
}

/* Sets the three children of n. */
static tfg_ast *set3(tfg_ast *n, tfg_ast *a, tfg_ast *b, tfg_ast *c)
{
    if (n) {
        n->a = a;
        n->b = b;
        n->c = c;
    }
    return n;
}

/* An expression statement; a bare `print` is the Python 2 statement printing an empty line. */
static tfg_ast *expr_stmt(tfg_parse_state *ps, tfg_ast *e, tfg_loc loc)
{
    if (e && e->kind == TFG_AST_NAME && e->str && strcmp(e->str, "print") == 0)
        return mk(ps, TFG_AST_PRINT, loc);
    return mk_op(ps, TFG_AST_EXPR_STMT, loc, 0, e, NULL);
}

/* What t is, for "cannot assign to ..." messages. */
static const char *describe(const tfg_ast *t)
{
    switch (t->kind) {
    case TFG_AST_CALL: return "function call";
    case TFG_AST_INT: case TFG_AST_FLOAT: case TFG_AST_STR: return "literal";
    case TFG_AST_BOOL: return t->ival ? "True" : "False";
    case TFG_AST_NONE: return "None";
    case TFG_AST_COMPARE: return "comparison";
    case TFG_AST_LAMBDA: return "lambda";
    case TFG_AST_IFEXP: return "conditional expression";
    case TFG_AST_DICT: return "dict literal";
    case TFG_AST_TUPLE: return "tuple";
    case TFG_AST_LIST: return "list";
    case TFG_AST_KEYWORD: return "keyword argument";
    case TFG_AST_SLICE: return "slice";
    default: return "expression";
    }
}

/* Finds the part of an assignment target that cannot be assigned to (NULL: all fine). */
static const tfg_ast *bad_target(const tfg_ast *t)
{
    if (!t)
        return NULL;
    switch (t->kind) {
    case TFG_AST_NAME: case TFG_AST_ATTR: case TFG_AST_SUBSCRIPT:
        return NULL;
    case TFG_AST_TUPLE: case TFG_AST_LIST:
        for (int i = 0; i < t->nitems; i++) {
            const tfg_ast *bad = bad_target(t->items[i]);
            if (bad)
                return bad;
        }
        return NULL;
    default:
        return t;
    }
}

/* `t1 = t2 = value`: ASSIGN(t1, value), then ASSIGN(t2, t1), ... (value evaluated once). */
static tfg_ast *assign_chain(tfg_parse_state *ps, tfg_ast *targets, tfg_ast *value, tfg_loc loc)
{
    if (!targets)
        return NULL;
    for (int i = 0; i < targets->nitems; i++) {
        const tfg_ast *bad = bad_target(targets->items[i]);
        if (bad) {
            set_error(ps, bad->loc, "cannot assign to %s", describe(bad));
            return NULL;
        }
    }
    tfg_ast *list = mk(ps, TFG_AST_BLOCK, loc);
    for (int i = 0; i < targets->nitems; i++) {
        tfg_ast *t = targets->items[i];
        tfg_ast *v = i == 0 ? value : targets->items[i - 1];
        list = push(ps, list, mk_op(ps, TFG_AST_ASSIGN, i == 0 ? loc : (t ? t->loc : loc), 0, t, v));
    }
    return list;
}

/* `t op= v`: only a name, attribute or subscript may be the target. */
static tfg_ast *augassign(tfg_parse_state *ps, int op, tfg_ast *t, tfg_ast *v, tfg_loc loc)
{
    if (t && t->kind != TFG_AST_NAME && t->kind != TFG_AST_ATTR && t->kind != TFG_AST_SUBSCRIPT) {
        set_error(ps, t->loc, "'%s' is an illegal expression for augmented assignment", describe(t));
        return NULL;
    }
    return mk_op(ps, TFG_AST_AUGASSIGN, loc, op, t, v);
}

/* `for t in it: body`: the target is a name or a tuple of names (a list becomes a tuple). */
static tfg_ast *for_stmt(tfg_parse_state *ps, tfg_ast *t, tfg_ast *it, tfg_ast *body, tfg_loc loc)
{
    if (t && (t->kind == TFG_AST_TUPLE || t->kind == TFG_AST_LIST)) {
        t->kind = TFG_AST_TUPLE;
        for (int i = 0; i < t->nitems; i++) {
            const tfg_ast *e = t->items[i];
            if (e && e->kind != TFG_AST_NAME) {
                set_error(ps, e->loc, "a for-loop target must be a name or a tuple of names");
                return NULL;
            }
        }
    } else if (t && t->kind != TFG_AST_NAME) {
        set_error(ps, t->loc, "a for-loop target must be a name or a tuple of names");
        return NULL;
    }
    tfg_ast *n = mk_op(ps, TFG_AST_FOR, loc, 0, t, it);
    return set3(n, t, it, body);
}

/* `with A as a, B as b: body` is `with A as a:` around `with B as b: body`. */
static tfg_ast *with_nest(tfg_parse_state *ps, tfg_ast *items, tfg_ast *body)
{
    if (!items || items->nitems == 0)
        return NULL;
    tfg_ast *inner = body;
    for (int i = items->nitems - 1; i >= 0; i--) {
        tfg_ast *w = items->items[i];
        if (!w)
            return NULL;
        w->c = inner;
        if (i > 0)
            inner = one(ps, w);
    }
    return items->items[0];
}

/* A CALL; positional arguments may not follow keyword arguments. */
static tfg_ast *call(tfg_parse_state *ps, tfg_ast *callee, const tfg_ast *args, tfg_loc loc)
{
    int seen_kw = 0;
    for (int i = 0; args && i < args->nitems; i++) {
        const tfg_ast *a = args->items[i];
        if (!a)
            continue;
        if (a->kind == TFG_AST_KEYWORD) {
            seen_kw = 1;
        } else if (seen_kw) {
            set_error(ps, a->loc, "positional argument follows keyword argument");
            return NULL;
        }
    }
    return take_items(mk_op(ps, TFG_AST_CALL, loc, 0, callee, NULL), args);
}

/* A DEF; a parameter without a default may not follow one with a default. */
static tfg_ast *funcdef(tfg_parse_state *ps, char *name, const tfg_ast *params, tfg_ast *body, tfg_loc loc)
{
    int seen_default = 0;
    for (int i = 0; params && i < params->nitems; i++) {
        const tfg_ast *p = params->items[i];
        if (!p)
            continue;
        if (p->kind == TFG_AST_KEYWORD) {
            seen_default = 1;
        } else if (seen_default) {
            set_error(ps, p->loc, "parameter without a default follows parameter with a default");
            return NULL;
        }
    }
    tfg_ast *n = take_items(mk_op(ps, TFG_AST_DEF, loc, 0, body, NULL), params);
    if (n)
        n->str = name;
    return n;
}

/* Joins a list of NAMEs into "a.b.c" in the arena. */
static char *dotted(tfg_parse_state *ps, const tfg_ast *names)
{
    if (!names)
        return NULL;
    size_t len = 0;
    for (int i = 0; i < names->nitems; i++) {
        if (!names->items[i] || !names->items[i]->str)
            return NULL;
        len += strlen(names->items[i]->str) + 1;
    }
    char *s = tfg_arena_alloc(ps->arena, len + 1);
    if (!s) {
        ps->oom = 1;
        return NULL;
    }
    char *p = s;
    for (int i = 0; i < names->nitems; i++) {
        size_t n = strlen(names->items[i]->str);
        if (i)
            *p++ = '.';
        memcpy(p, names->items[i]->str, n);
        p += n;
    }
    *p = '\0';
    return s;
}

/* `import a.b [as c]`: IMPORT with str "a.b" and b the alias NAME or NULL. */
static tfg_ast *import_item(tfg_parse_state *ps, const tfg_ast *names, tfg_ast *alias, tfg_loc loc)
{
    tfg_ast *n = mk_op(ps, TFG_AST_IMPORT, loc, 0, NULL, alias);
    if (n)
        n->str = dotted(ps, names);
    return n;
}

/* `from m import x, y`: IMPORT with str "m", items the NAMEs, ival 1. */
static tfg_ast *import_from(tfg_parse_state *ps, const tfg_ast *names, const tfg_ast *items, tfg_loc loc)
{
    tfg_ast *n = take_items(import_item(ps, names, NULL, loc), items);
    if (n)
        n->ival = 1;
    return n;
}

/* A STR node for a literal the lexer decoded into the arena. */
static tfg_ast *str_node(tfg_parse_state *ps, char *s, size_t len, tfg_loc loc)
{
    tfg_ast *n = mk(ps, TFG_AST_STR, loc);
    if (n) {
        n->str = s;
        n->slen = len;
    }
    return n;
}

/* Concatenates adjacent string literals ("a" "b") into one STR, copying once. */
static tfg_ast *concat_strings(tfg_parse_state *ps, tfg_ast *pieces)
{
    if (!pieces || pieces->nitems == 0)
        return NULL;
    if (pieces->nitems == 1)
        return pieces->items[0];
    size_t len = 0;
    for (int i = 0; i < pieces->nitems; i++) {
        if (!pieces->items[i])
            return NULL;
        len += pieces->items[i]->slen;
    }
    char *s = tfg_arena_alloc(ps->arena, len + 1);
    if (!s) {
        ps->oom = 1;
        return NULL;
    }
    size_t at = 0;
    for (int i = 0; i < pieces->nitems; i++) {
        memcpy(s + at, pieces->items[i]->str, pieces->items[i]->slen);
        at += pieces->items[i]->slen;
    }
    return str_node(ps, s, len, pieces->items[0]->loc);
}

/* ---- syntax errors ---- */

/* Writes a token as the user would type it ("':'", "'in'"); 0 for tokens that have no text. */
static int token_text(yysymbol_kind_t k, char *buf, size_t n)
{
    const char *s = yysymbol_name(k);
    size_t len = strlen(s);
    if (k == YYSYMBOL_NAME) {
        snprintf(buf, n, "name");
        return 1;
    }
    if (k == YYSYMBOL_AUGASSIGN || len < 3 || (s[0] != '"' && s[0] != '\''))
        return 0;
    snprintf(buf, n, "'%.*s'", (int)(len - 2), s + 1);
    return 1;
}

/* Explains a syntax error: what was expected at the lookahead token. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, tfg_parse_state *ps)
{
    (void)scanner;
    const tfg_lexstate *ls = ps->lex;
    yysymbol_kind_t la = yypcontext_token(ctx);
    tfg_loc loc = *yypcontext_location(ctx);
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    int want_indent = 0, want_colon = 0;
    char tok[64];
    for (int i = 0; i < n; i++) {
        if (exp[i] == YYSYMBOL_INDENT)
            want_indent = 1;
        if (exp[i] == YYTRANSLATE(':'))
            want_colon = 1;
    }
    if (la == YYSYMBOL_YYEOF && !ps->has_err)
        ps->at_eof = 1;
    if (la == YYSYMBOL_INDENT) {
        set_error(ps, loc, "unexpected indent");
    } else if (want_indent) {
        if (ls->block_kw)
            set_error(ps, loc, "expected an indented block after '%s' statement on line %d", ls->block_kw,
                      ls->block_line);
        else
            set_error(ps, loc, "expected an indented block");
    } else if (ls->depth_before > 0 && (la == YYSYMBOL_YYEOF || ls->first_on_line)) {
        /* point at the bracket left open, as Python does, and say what would close it */
        const tfg_bracket *b = &ls->brackets[ls->depth_before - 1];
        char close = b->ch == '(' ? ')' : b->ch == '[' ? ']' : '}';
        set_error(ps, b->loc, "'%c' was never closed: '%c' expected (to close '%c' at line %d)", b->ch, close,
                  b->ch, b->loc.line);
    } else if (la == YYSYMBOL_NEWLINE && want_colon) {
        set_error(ps, loc, "':' expected");
    } else if (n == 1 && token_text(exp[0], tok, sizeof tok)) {
        set_error(ps, loc, "%s expected", tok);
    } else if (la == YYSYMBOL_YYEOF) {
        set_error(ps, loc, "unexpected end of file");
    } else {
        set_error(ps, loc, "invalid syntax");
    }
    return 0;
}

/* Bison's own errors: only "memory exhausted", i.e. nesting past the parser stack. */
static void tfgyyerror(const tfg_loc *loc, yyscan_t scanner, tfg_parse_state *ps, const char *msg)
{
    (void)scanner;
    if (strcmp(msg, "memory exhausted") == 0)
        set_error(ps, *loc, "too deeply nested");
    else
        set_error(ps, *loc, "%s", msg);
}

/* ---- driver ---- */

/* Prints one located error through tfg_diag_error to out, or (out NULL) stores it in errbuf. */
static void report(const tfg_source *src, FILE *out, char *errbuf, size_t errlen, tfg_loc loc, const char *msg)
{
    if (out) {
        tfg_diag_error(out, src, loc, "%s", msg);
        return;
    }
    if (!errbuf || errlen == 0)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem) {
        tfg_diag_error(mem, src, loc, "%s", msg);
        fclose(mem);
    }
    if (text)
        snprintf(errbuf, errlen, "%s", text);
    else
        snprintf(errbuf, errlen, "%s", msg);
    free(text);
}

/* Runs the parser from the given start token; on error reports it and returns NULL,
 * and sets *incomplete when the error is only that the input ended too early. */
static tfg_ast *parse_source(const tfg_source *src, tfg_arena *arena, int start,
                             FILE *out, char *errbuf, size_t errlen, int *incomplete)
{
    if (errbuf && errlen)
        errbuf[0] = '\0';
    tfg_loc origin = { 1, 1, 0 };
    const char *text = src && src->text ? src->text : "";
    size_t len = src && src->text ? src->len : 0;
    if (len > (size_t)INT32_MAX - 2) {
        report(src, out, errbuf, errlen, origin, "file too large");
        return NULL;
    }
    tfg_lexstate *ls = calloc(1, sizeof *ls);
    yyscan_t scanner = NULL;
    if (!ls || tfgyylex_init_extra(ls, &scanner) != 0) {
        free(ls);
        report(src, out, errbuf, errlen, origin, "out of memory");
        return NULL;
    }
    size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;   /* UTF-8 BOM */
    ls->arena = arena;
    ls->cur = (tfg_loc){ 1, 1 + (int)skip, (int)skip };
    ls->last_end = ls->cur;
    ls->start_token = start;
    ls->expr_mode = start == TOK_START_EXPR;
    ls->at_bol = 1;
    ls->nl_seen = 1;
    tfg_parse_state ps = { .arena = arena, .lex = ls, .expr_mode = ls->expr_mode };
    int rc = 1;
    YY_BUFFER_STATE buf = tfgyy_scan_bytes(text + skip, (int)(len - skip), scanner);
    if (buf) {
        rc = tfgyyparse(scanner, &ps);
        tfgyy_delete_buffer(buf, scanner);
    } else {
        ps.oom = 1;
    }
    tfgyylex_destroy(scanner);

    const char *msg = NULL;
    tfg_loc loc = origin;
    if (ls->has_err && (!ps.has_err || ls->err_loc.off <= ps.err_loc.off)) {
        msg = ls->err;
        loc = ls->err_loc;
        if (incomplete)     /* a string or continuation line still open at the end */
            *incomplete = strcmp(msg, "unterminated triple-quoted string literal") == 0
                || (strncmp(msg, "unexpected character after line", 31) == 0
                    && (size_t)loc.off + 1 >= len);
    } else if (ps.has_err) {
        msg = ps.err;
        loc = ps.err_loc;
        if (incomplete)
            *incomplete = ps.at_eof;
    } else if (ps.oom) {
        msg = "out of memory";
        loc = ls->tok;
    } else if (rc != 0 || !ps.result) {
        msg = "invalid syntax";
        loc = ls->tok;
    } else {
        const tfg_ast *deep = tfg_ast_too_deep(ps.result, TFG_AST_MAX_DEPTH);
        if (deep) {
            msg = "too deeply nested";
            loc = deep->loc;
        }
    }
    tfg_ast *result = msg ? NULL : ps.result;
    if (msg)
        report(src, out, errbuf, errlen, loc, msg);
    free(ls);
    return result;
}

/* Parses a whole script into a MODULE; prints the first error to stderr. */
tfg_ast *tfg_ast_parse(const tfg_source *src, tfg_arena *arena)
{
    return parse_source(src, arena, TOK_START_FILE, stderr, NULL, 0, NULL);
}

/* Parses one expression (a tuple when it has commas); prints the error to stderr. */
tfg_ast *tfg_ast_parse_expr(const tfg_source *src, tfg_arena *arena)
{
    return parse_source(src, arena, TOK_START_EXPR, stderr, NULL, 0, NULL);
}

/* Parses a whole script, writing any error into errbuf instead of printing it. */
tfg_ast *tfg_ast_parse_quiet(const tfg_source *src, tfg_arena *arena, char *errbuf, size_t errlen)
{
    return parse_source(src, arena, TOK_START_FILE, NULL, errbuf, errlen, NULL);
}

/* Parses one expression, writing any error into errbuf. */
tfg_ast *tfg_ast_parse_expr_quiet(const tfg_source *src, tfg_arena *arena, char *errbuf, size_t errlen)
{
    return parse_source(src, arena, TOK_START_EXPR, NULL, errbuf, errlen, NULL);
}

/* 1 when src fails to parse only because it ends too early (a block header
 * without its block, an open bracket, an unterminated triple-quoted string, a
 * trailing backslash): an interactive reader then asks for another line. */
int tfg_ast_incomplete(const tfg_source *src)
{
    tfg_arena arena;
    tfg_arena_init(&arena);
    char err[8];
    int incomplete = 0;
    tfg_ast *m = parse_source(src, &arena, TOK_START_FILE, NULL, err, sizeof err, &incomplete);
    tfg_arena_free(&arena);
    return !m && incomplete;
}

/* Appends printf-style text to a growing malloc'd buffer; 0 when out of memory. */
static int sb_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int sb_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return 0;
    if (*len + (size_t)n + 1 > *cap) {
        size_t nc = (*cap ? *cap : 64);
        while (nc < *len + (size_t)n + 1)
            nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb)
            return 0;
        *buf = nb;
        *cap = nc;
    }
    va_start(ap, fmt);
    vsnprintf(*buf + *len, *cap - *len, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return 1;
}

/* The token stream of a script as text ("NAME:x = INT:1 NEWLINE EOF"), for lexer tests.
 * Returns a malloc'd string, or NULL after writing the lexical error into errbuf. */
char *tfg_ast_tokens(const tfg_source *src, char *errbuf, size_t errlen)
{
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!src || !src->text || src->len > (size_t)INT32_MAX - 2)
        return NULL;
    tfg_arena arena;
    tfg_arena_init(&arena);
    tfg_lexstate *ls = calloc(1, sizeof *ls);
    yyscan_t scanner = NULL;
    if (!ls || tfgyylex_init_extra(ls, &scanner) != 0) {
        free(ls);
        return NULL;
    }
    ls->arena = &arena;
    ls->cur = (tfg_loc){ 1, 1, 0 };
    ls->last_end = ls->cur;
    ls->at_bol = 1;
    ls->nl_seen = 1;
    char *out = NULL;
    size_t len = 0, cap = 0;
    int ok = sb_printf(&out, &len, &cap, "%s", "");
    YY_BUFFER_STATE buf = tfgyy_scan_bytes(src->text, (int)src->len, scanner);
    while (ok && buf) {
        YYSTYPE val;
        YYLTYPE loc;
        int t = tfgyylex(&val, &loc, scanner);
        const char *sep = len ? " " : "";
        if (t == TOK_TFGYYerror) {
            report(src, NULL, errbuf, errlen, ls->err_loc, ls->err);
            ok = 0;
            break;
        }
        if (t == TOK_YYEOF) {
            ok = sb_printf(&out, &len, &cap, "%sEOF", sep);
            break;
        }
        yysymbol_kind_t k = YYTRANSLATE(t);
        if (k == YYSYMBOL_NAME)
            ok = sb_printf(&out, &len, &cap, "%sNAME:%s", sep, val.str);
        else if (k == YYSYMBOL_INT)
            ok = sb_printf(&out, &len, &cap, "%sINT:%lld", sep, (long long)val.ival);
        else if (k == YYSYMBOL_FLOAT)
            ok = sb_printf(&out, &len, &cap, "%sFLOAT:%g", sep, val.fval);
        else if (k == YYSYMBOL_STRING)
            ok = sb_printf(&out, &len, &cap, "%sSTR:%.*s", sep, (int)val.sv.len, val.sv.s);
        else if (k == YYSYMBOL_AUGASSIGN)
            ok = sb_printf(&out, &len, &cap, "%s%s=", sep, tfg_ast_op_name(val.op));
        else {
            char tok[64];
            if (token_text(k, tok, sizeof tok))   /* strip the quotes again */
                ok = sb_printf(&out, &len, &cap, "%s%.*s", sep, (int)strlen(tok) - 2, tok + 1);
            else
                ok = sb_printf(&out, &len, &cap, "%s%s", sep, yysymbol_name(k));
        }
    }
    if (buf)
        tfgyy_delete_buffer(buf, scanner);
    tfgyylex_destroy(scanner);
    free(ls);
    tfg_arena_free(&arena);
    if (!ok || !buf) {
        free(out);
        return NULL;
    }
    return out;
}
