/*
 * geoseg.segregation._hops: contiguity path lengths between every pair of areas.
 *
 * fill(indptr, indices, sources, steps, start, stop) runs one breadth-first search from each of
 * sources[start:stop] over a CSR adjacency (indptr int64, indices int32) and writes the number
 * of steps from source s to every area v into row s of the C-contiguous (n, n) matrix `steps`
 * (unsigned 8, 16 or 32-bit integers). Areas the search does not reach keep their value (the
 * caller passes zeros). The searches run with the GIL released and touch no Python object, so
 * disjoint ranges of sources can be filled from several threads at once.
 *
 * Returns the largest number of steps found; when it does not fit the matrix's type the rows
 * of that range are incomplete and the caller widens the matrix and fills the range again.
 */
#include "_cbuffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int get_buf(PyObject *obj, Buf *b, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &b->view, flags) != 0) {
        return -1;
    }
    b->held = 1;
    return 0;
}

static int is_int(Buf *b, Py_ssize_t itemsize)
{
    char k = buffer_kind(b);
    return b->view.itemsize == itemsize && k != '\0' && strchr("ilqn", k) != NULL;
}

static int is_uint(Buf *b)
{
    Py_ssize_t s = b->view.itemsize;
    char k = buffer_kind(b);
    return (s == 1 || s == 2 || s == 4) && k != '\0' && strchr("BHILQN", k) != NULL;
}

static PyObject *fill(PyObject *self, PyObject *args)
{
    PyObject *o[4];
    Py_ssize_t start, stop;
    Buf b[4] = {{0}};
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOnn", &o[0], &o[1], &o[2], &o[3], &start, &stop)) {
        return NULL;
    }
    for (int i = 0; i < 4; i++) {
        if (get_buf(o[i], &b[i], i == 3) != 0) {
            release(b, 4);
            return NULL;
        }
    }
    if (!is_int(&b[0], 8) || !is_int(&b[1], 4) || !is_int(&b[2], 4) || !is_uint(&b[3])) {
        release(b, 4);
        PyErr_SetString(PyExc_TypeError,
                        "_hops: indptr int64, indices int32, sources int32 and an unsigned "
                        "steps matrix are required");
        return NULL;
    }
    Py_ssize_t n = b[0].view.len / 8 - 1;
    Py_ssize_t m = b[1].view.len / 4;
    Py_ssize_t ns = b[2].view.len / 4;
    Py_ssize_t width = b[3].view.itemsize;
    const int64_t *indptr = (const int64_t *)b[0].view.buf;
    const int32_t *indices = (const int32_t *)b[1].view.buf;
    const int32_t *sources = (const int32_t *)b[2].view.buf;
    char *steps = (char *)b[3].view.buf;
    int bad = n < 0 || n >= INT32_MAX || (n > 0 && n > PY_SSIZE_T_MAX / n / width) ||
              b[3].view.len != n * n * width || start < 0 || stop > ns || start > stop;
    if (!bad && (indptr[0] != 0 || indptr[n] != m)) {
        bad = 1;
    }
    for (Py_ssize_t i = 0; !bad && i < n; i++) {
        bad = indptr[i + 1] < indptr[i];
    }
    for (Py_ssize_t j = 0; !bad && j < m; j++) {
        bad = indices[j] < 0 || indices[j] >= n;
    }
    for (Py_ssize_t j = start; !bad && j < stop; j++) {
        bad = sources[j] < 0 || sources[j] >= n;
    }
    if (bad) {
        release(b, 4);
        PyErr_SetString(PyExc_ValueError, "_hops: inconsistent graph, sources or matrix");
        return NULL;
    }
    int32_t *queue = (int32_t *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int32_t));
    int32_t *level = (int32_t *)malloc((size_t)(n > 0 ? n : 1) * sizeof(int32_t));
    if (queue == NULL || level == NULL) {
        free(queue);
        free(level);
        release(b, 4);
        return PyErr_NoMemory();
    }
    uint32_t limit = width == 1 ? 0xFFu : (width == 2 ? 0xFFFFu : 0xFFFFFFFFu);
    uint32_t longest = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        level[i] = -1;
    }
    for (Py_ssize_t j = start; j < stop; j++) {
        int32_t s = sources[j];
        char *row = steps + (Py_ssize_t)s * n * width;
        Py_ssize_t head = 0, tail = 0;
        queue[tail++] = s;
        level[s] = 0;
        while (head < tail) {
            int32_t u = queue[head++];
            int32_t next = level[u] + 1;
            for (int64_t e = indptr[u]; e < indptr[u + 1]; e++) {
                int32_t v = indices[e];
                if (level[v] < 0) {
                    level[v] = next;
                    queue[tail++] = v;
                }
            }
        }
        /* write the row, then reset the levels of the areas reached */
        for (Py_ssize_t q = 0; q < tail; q++) {
            int32_t v = queue[q];
            uint32_t d = (uint32_t)level[v];
            if (d > longest) {
                longest = d;
            }
            if (d <= limit) {
                if (width == 1) {
                    ((uint8_t *)row)[v] = (uint8_t)d;
                } else if (width == 2) {
                    ((uint16_t *)row)[v] = (uint16_t)d;
                } else {
                    ((uint32_t *)row)[v] = d;
                }
            }
            level[v] = -1;
        }
    }
    Py_END_ALLOW_THREADS
    free(queue);
    free(level);
    release(b, 4);
    return PyLong_FromUnsignedLong((unsigned long)longest);
}

static PyMethodDef methods[] = {
    {"fill", fill, METH_VARARGS,
     "fill(indptr, indices, sources, steps, start, stop) -> longest path found (steps)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_hops", "Compiled contiguity path lengths of geoseg.segregation.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__hops(void) { return PyModule_Create(&module); }
