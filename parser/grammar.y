/*
** grammar.y: the canonical grammar of the actjit expression language
** (design: language.md).  lemon turns it into grammar.c/grammar.h in the
** build tree.  Actions only call the constructors in parse.c; names are
** resolved and helpers inlined there, as each rule reduces.
*/
%name aj_lemon
%token_prefix TK_
%token_type {aj_token}
%extra_context {aj_parser *ps}
%stack_size 5200
%start_symbol source

%include {
#include <assert.h>
#include "parse.h"
}

%code {
/* The parser object's size, so parse.c can allocate it with the context's
** allocator and initialize it with aj_lemonInit. */
size_t aj_lemon_size(void) { return sizeof(yyParser); }
}

%syntax_error { aj_p_syntax_error(ps, yyminor); }
%stack_overflow { aj_p_stack_overflow(ps); }

/* Loosest first.  Unary minus binds looser than ^: -x^2 = -(x^2). */
%right QUESTION COLON.
%left OROR.
%left ANDAND.
%nonassoc LT LE GT GE EQ NE.
%left PLUS MINUS.
%left STAR SLASH.
%right NOT UNARY.
%right CARET.

/* Tokens only the lexer or driver produce, declared for grammar.h. */
%token SEMI SEP DEFNAME.

%type expr {aj_sexpr}
%type args {uint32_t}

/* source -> { stmt SEP } expr [SEP]   (the driver folds ; and newlines
** into single SEP tokens) */
source ::= stmts expr(E).        { aj_p_source(ps, E); }
source ::= stmts expr(E) SEP.    { aj_p_source(ps, E); }
stmts ::= .
stmts ::= stmts stmt SEP.

/* stmt -> NAME '=' expr | DEFNAME '(' formals ')' '=' expr */
stmt ::= NAME(N) ASSIGN expr(E). { aj_p_local(ps, N, E); }
stmt ::= fnhead expr(E).         { aj_p_helper_end(ps, E); }
fnhead ::= DEFNAME(N) LP formals RP ASSIGN. { aj_p_helper_begin(ps, N); }
formals ::= formal.
formals ::= formals COMMA formal.
formal ::= NAME(N).                  { aj_p_formal(ps, N, NULL); }
formal ::= NAME(N) ASSIGN expr(E).   { aj_p_formal(ps, N, &E); }

expr(A) ::= expr(C) QUESTION(T) expr(X) COLON expr(Y).
                                 { A = aj_p_select(ps, T, C, X, Y); }
expr(A) ::= expr(X) OROR(T) expr(Y).  { A = aj_p_binary(ps, AJ_OR, T, X, Y); }
expr(A) ::= expr(X) ANDAND(T) expr(Y). { A = aj_p_binary(ps, AJ_AND, T, X, Y); }
expr(A) ::= expr(X) LT(T) expr(Y).    { A = aj_p_binary(ps, AJ_LT, T, X, Y); }
expr(A) ::= expr(X) LE(T) expr(Y).    { A = aj_p_binary(ps, AJ_LE, T, X, Y); }
expr(A) ::= expr(X) GT(T) expr(Y).    { A = aj_p_binary(ps, AJ_GT, T, X, Y); }
expr(A) ::= expr(X) GE(T) expr(Y).    { A = aj_p_binary(ps, AJ_GE, T, X, Y); }
expr(A) ::= expr(X) EQ(T) expr(Y).    { A = aj_p_binary(ps, AJ_EQ, T, X, Y); }
expr(A) ::= expr(X) NE(T) expr(Y).    { A = aj_p_binary(ps, AJ_NE, T, X, Y); }
expr(A) ::= expr(X) PLUS(T) expr(Y).  { A = aj_p_binary(ps, AJ_ADD, T, X, Y); }
expr(A) ::= expr(X) MINUS(T) expr(Y). { A = aj_p_binary(ps, AJ_SUB, T, X, Y); }
expr(A) ::= expr(X) STAR(T) expr(Y).  { A = aj_p_binary(ps, AJ_MUL, T, X, Y); }
expr(A) ::= expr(X) SLASH(T) expr(Y). { A = aj_p_binary(ps, AJ_DIV, T, X, Y); }
expr(A) ::= expr(X) CARET(T) expr(Y). { A = aj_p_binary(ps, AJ_POW, T, X, Y); }
expr(A) ::= MINUS(T) expr(X). [UNARY] { A = aj_p_unary(ps, AJ_NEG, T, X); }
expr(A) ::= PLUS(T) expr(X). [UNARY]  { A = aj_p_plus(ps, T, X); }
expr(A) ::= NOT(T) expr(X).           { A = aj_p_unary(ps, AJ_NOT, T, X); }
expr(A) ::= LP(L) expr(X) RP(R).      { A = aj_p_paren(ps, L, X, R); }
expr(A) ::= NUMBER(T).                { A = aj_p_number(ps, T); }
expr(A) ::= NAME(T).                  { A = aj_p_name(ps, T); }

/* call -> NAME '(' [ arg { ',' arg } ] ')';  arg -> expr | NAME '=' expr */
expr(A) ::= NAME(F) LP args(M) RP(R). { A = aj_p_call(ps, F, M, R); }
expr(A) ::= NAME(F) LP(L) RP(R).      { (void)L; A = aj_p_call(ps, F, ps->nargs, R); }
args(A) ::= arg.                      { A = ps->nargs - 1; }
args(A) ::= args(M) COMMA arg.        { A = M; }
arg ::= expr(E).                      { aj_p_arg(ps, E, NULL); }
arg ::= NAME(K) ASSIGN expr(E).       { aj_p_arg(ps, E, &K); }
