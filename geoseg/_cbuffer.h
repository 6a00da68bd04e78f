/*
 * Buffer handling shared by geoseg's compiled kernels (plain Python C API, no NumPy headers).
 */
#ifndef GEOSEG_CBUFFER_H
#define GEOSEG_CBUFFER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    Py_buffer view;
    int held;
} Buf;

/* Release the buffers of b[0..count) that are held. */
static void release(Buf *b, int count)
{
    for (int i = 0; i < count; i++) {
        if (b[i].held) {
            PyBuffer_Release(&b[i].view);
            b[i].held = 0;
        }
    }
}

/* The struct-module type character of a buffer's items, without byte-order prefixes. */
static char buffer_kind(const Buf *b)
{
    const char *f = b->view.format ? b->view.format : "B";
    while (*f == '<' || *f == '=' || *f == '@' || *f == '|') {
        f++;
    }
    return *f;
}

#endif
