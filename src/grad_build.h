/* grad_build.h — the small node-building vocabulary of gradient functions
 * (private to the op family files; no prefix: file-local helpers, defined
 * once here). A gb carries the graph, the forward node's script location
 * (given to every node built) and the error record; every builder returns an
 * endpoint whose node is NULL after a failure and passes failures through,
 * so a gradient function can compose them and check once at the end. */
#ifndef TFG_GRAD_BUILD_H
#define TFG_GRAD_BUILD_H

#include <stdarg.h>
#include "gradients.h"

typedef struct {
    tfg_graph *g;
    tfg_loc loc;
    tfg_error *err;
} gb;

/* Output 0 of a node (a NULL node stays NULL: a failure). */
static inline tfg_endpoint ep(tfg_node *n)
{
    return (tfg_endpoint){ n, 0 };
}

/* type(in...) named name (NULL: the type) with attributes at (NULL: none),
 * the n operands from ap; a failed operand (node NULL) gives a failure
 * without adding anything. */
static inline tfg_endpoint op_va(gb *b, const char *type, const char *name, const tfg_attrs *at, int n,
                                 va_list ap)
{
    tfg_endpoint in[4];
    for (int i = 0; i < n; i++) in[i] = va_arg(ap, tfg_endpoint);
    for (int i = 0; i < n; i++)
        if (!in[i].node) return in[i];
    return ep(tfg_grad_add(b->g, type, name, in, n, at, b->loc, b->err));
}

/* type(in...) with attributes at (NULL: none), named after the type. */
static inline tfg_endpoint op(gb *b, const char *type, const tfg_attrs *at, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    tfg_endpoint r = op_va(b, type, NULL, at, n, ap);
    va_end(ap);
    return r;
}

/* The same named name (NULL: the type). */
static inline tfg_endpoint op_named(gb *b, const char *type, const char *name, const tfg_attrs *at, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    tfg_endpoint r = op_va(b, type, name, at, n, ap);
    va_end(ap);
    return r;
}

/* type(a). */
static inline tfg_endpoint un(gb *b, const char *type, tfg_endpoint a)
{
    return op(b, type, NULL, 1, a);
}

/* type(a, c). */
static inline tfg_endpoint bin(gb *b, const char *type, tfg_endpoint a, tfg_endpoint c)
{
    return op(b, type, NULL, 2, a, c);
}

/* A scalar Const of dtype dt. */
static inline tfg_endpoint scalar(gb *b, tfg_dtype dt, double v)
{
    return ep(tfg_grad_scalar(b->g, dt, v, NULL, b->loc, b->err));
}

/* An int32 vector Const. */
static inline tfg_endpoint ivec(gb *b, const int64_t *v, int n)
{
    return ep(tfg_grad_ivec(b->g, v, n, "Const", b->loc, b->err));
}

#endif
