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

/* The struct-module type character of a buffer's items, without byte-order prefixes; a
   byte order other than the machine's gives '\0' (refused by every caller). */
static char buffer_kind(const Buf *b)
{
    const char *f = b->view.format ? b->view.format : "B";
#if PY_LITTLE_ENDIAN
    const char foreign = '>';
#else
    const char foreign = '<';
#endif
    while (*f == '<' || *f == '>' || *f == '!' || *f == '=' || *f == '@' || *f == '|') {
        if (*f == foreign || (*f == '!' && foreign == '>')) {
            return '\0';
        }
        f++;
    }
    return *f;
}

#endif
