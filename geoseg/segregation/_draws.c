/*
 * geoseg.segregation._draws: compiled multinomial columns of the systematic null model.
 *
 * multinomial(bitgen, poisson_tables..., categorical_tables..., trials, counts) fills the
 * C-contiguous (n, k) int64 matrix `counts` with k columns of Multinomial(trials, p), exactly
 * as geoseg.segregation._sampling.Multinomial.draw does in NumPy, from the same uniform
 * variates in the same order, so both give identical tables from the same generator state:
 *
 * 1. Poisson counts by inversion of the per-row tables (row by row, column by column, one
 *    uniform each, as Generator.random((n, k)) would fill them);
 * 2. columns whose sum exceeds `trials` are redrawn the same way (rows outer, redrawn columns
 *    inner), until none does;
 * 3. the remaining persons of each column (columns in order) are placed one by one by a
 *    categorical draw from the area shares (a guide table, one uniform each).
 *
 * Uniforms come from the generator's C interface (the `bitgen_t` structure NumPy exposes
 * through `BitGenerator.capsule`, numpy/random/bitgen.h), whose next_double is what
 * Generator.random uses. The caller holds the generator's lock; the loops run with the GIL
 * released.
 */
#include "_cbuffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Layout of numpy/random/bitgen.h (public and stable). */
typedef struct {
    void *state;
    uint64_t (*next_uint64)(void *st);
    uint32_t (*next_uint32)(void *st);
    double (*next_double)(void *st);
    uint64_t (*next_raw)(void *st);
} bitgen_t;

typedef struct {
    const double *cdf;    /* per-row tables laid end to end, each ending at exactly 1 */
    const int64_t *guide; /* guide positions, count[i] + 1 slots per row */
    const int64_t *slot;  /* first guide slot of each row */
    const double *buckets;
    const int64_t *value; /* the count at each table position */
} Tables;

static inline int64_t poisson(const Tables *t, Py_ssize_t i, double u)
{
    int64_t idx = t->guide[(int64_t)(u * t->buckets[i]) + t->slot[i]];
    while (t->cdf[idx] <= u) {
        idx++;
    }
    return t->value[idx];
}

/* Side of the square blocks in which the placements are added to the counts. */
#define BLOCK 64

enum { P_CDF, P_GUIDE, P_SLOT, P_BUCKETS, P_VALUE, C_CDF, C_GUIDE, OUT, NBUF };

static PyObject *multinomial(PyObject *self, PyObject *args)
{
    PyObject *capsule, *o[NBUF];
    long long trials_;
    Buf b[NBUF];
    (void)self;
    memset(b, 0, sizeof(b));
    if (!PyArg_ParseTuple(args, "OOOOOOOOLO", &capsule, &o[P_CDF], &o[P_GUIDE], &o[P_SLOT],
                          &o[P_BUCKETS], &o[P_VALUE], &o[C_CDF], &o[C_GUIDE], &trials_,
                          &o[OUT])) {
        return NULL;
    }
    bitgen_t *rng = (bitgen_t *)PyCapsule_GetPointer(capsule, "BitGenerator");
    if (rng == NULL) {
        return NULL;
    }
    static const char kinds[NBUF] = {'d', 'q', 'q', 'd', 'q', 'd', 'q', 'q'};
    for (int i = 0; i < NBUF; i++) {
        int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (i == OUT ? PyBUF_WRITABLE : 0);
        if (PyObject_GetBuffer(o[i], &b[i].view, flags) != 0) {
            release(b, NBUF);
            return NULL;
        }
        b[i].held = 1;
        char k = buffer_kind(&b[i]);
        int ok = b[i].view.itemsize == 8 &&
                 (kinds[i] == 'd' ? k == 'd' : (k == 'q' || k == 'l' || k == 'n'));
        if (!ok) {
            release(b, NBUF);
            PyErr_SetString(PyExc_TypeError, "_draws: unexpected array type");
            return NULL;
        }
    }
    Py_ssize_t n = b[P_SLOT].view.len / 8;
    Py_ssize_t cells = b[OUT].view.len / 8;
    Py_ssize_t k = n > 0 ? cells / n : 0;
    Py_ssize_t n_table = b[P_CDF].view.len / 8;
    Py_ssize_t n_guide = b[P_GUIDE].view.len / 8;
    Py_ssize_t m = b[C_GUIDE].view.len / 8;
    int bad = n < 1 || k * n != cells || b[P_BUCKETS].view.len / 8 != n ||
              b[P_VALUE].view.len / 8 != n_table || b[C_CDF].view.len / 8 != n || m < 1 ||
              n_guide != n_table + n || trials_ < 0 || trials_ > INT32_MAX;
    Tables t;
    t.cdf = (const double *)b[P_CDF].view.buf;
    t.guide = (const int64_t *)b[P_GUIDE].view.buf;
    t.slot = (const int64_t *)b[P_SLOT].view.buf;
    t.buckets = (const double *)b[P_BUCKETS].view.buf;
    t.value = (const int64_t *)b[P_VALUE].view.buf;
    const double *ccdf = (const double *)b[C_CDF].view.buf;
    const int64_t *cguide = (const int64_t *)b[C_GUIDE].view.buf;
    /* the tables' invariants that keep every lookup inside them */
    for (Py_ssize_t i = 0; !bad && i < n; i++) {
        double c = t.buckets[i];
        bad = !(c >= 1.0 && c <= (double)n_guide); /* also refuses NaN, before any cast */
        if (!bad) {
            int64_t count = (int64_t)c;
            bad = t.slot[i] < 0 || t.slot[i] + count >= n_guide || (double)count != c;
        }
    }
    for (Py_ssize_t g = 0; !bad && g < n_guide; g++) {
        bad = t.guide[g] < 0 || t.guide[g] >= n_table;
    }
    for (Py_ssize_t g = 0; !bad && g < m; g++) {
        bad = cguide[g] < 0 || cguide[g] >= n;
    }
    /* every walk ends at the latest where a table ends at exactly 1 */
    bad = bad || n_table < 1 || t.cdf[n_table - 1] != 1.0 || ccdf[n - 1] != 1.0;
    if (bad) {
        release(b, NBUF);
        PyErr_SetString(PyExc_ValueError, "_draws: inconsistent tables");
        return NULL;
    }
    int64_t trials = (int64_t)trials_;
    int64_t *counts = (int64_t *)b[OUT].view.buf;
    size_t kk = k > 0 ? (size_t)k : 1; /* never ask for zero bytes */
    int64_t *total = (int64_t *)calloc(kk, sizeof(int64_t));
    Py_ssize_t *over = (Py_ssize_t *)malloc(kk * sizeof(Py_ssize_t));
    int32_t *extra = (int32_t *)calloc(kk * (size_t)n, sizeof(int32_t));
    if (total == NULL || over == NULL || extra == NULL) {
        free(total);
        free(over);
        free(extra);
        release(b, NBUF);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t *row = counts + i * k;
        for (Py_ssize_t j = 0; j < k; j++) {
            row[j] = poisson(&t, i, rng->next_double(rng->state));
            total[j] += row[j];
        }
    }
    Py_ssize_t n_over = 0;
    for (Py_ssize_t j = 0; j < k; j++) {
        if (total[j] > trials) {
            over[n_over++] = j;
        }
    }
    while (n_over > 0) {
        for (Py_ssize_t c = 0; c < n_over; c++) {
            total[over[c]] = 0;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            int64_t *row = counts + i * k;
            for (Py_ssize_t c = 0; c < n_over; c++) {
                Py_ssize_t j = over[c];
                row[j] = poisson(&t, i, rng->next_double(rng->state));
                total[j] += row[j];
            }
        }
        Py_ssize_t kept = 0;
        for (Py_ssize_t c = 0; c < n_over; c++) {
            if (total[over[c]] > trials) {
                over[kept++] = over[c];
            }
        }
        n_over = kept;
    }
    /* placements are counted column by column in a (k, n) buffer (each column's counts stay in
       cache), then added to the (n, k) matrix block by block */
    for (Py_ssize_t j = 0; j < k; j++) {
        int32_t *col = extra + j * n;
        for (int64_t r = total[j]; r < trials; r++) {
            double u = rng->next_double(rng->state);
            int64_t g = (int64_t)(u * (double)m);
            int64_t idx = cguide[g < m ? g : m - 1];
            while (ccdf[idx] <= u) {
                idx++;
            }
            col[idx] += 1;
        }
    }
    for (Py_ssize_t i0 = 0; i0 < n; i0 += BLOCK) {
        Py_ssize_t i1 = i0 + BLOCK < n ? i0 + BLOCK : n;
        for (Py_ssize_t j0 = 0; j0 < k; j0 += BLOCK) {
            Py_ssize_t j1 = j0 + BLOCK < k ? j0 + BLOCK : k;
            for (Py_ssize_t i = i0; i < i1; i++) {
                for (Py_ssize_t j = j0; j < j1; j++) {
                    counts[i * k + j] += extra[j * n + i];
                }
            }
        }
    }
    Py_END_ALLOW_THREADS
    free(total);
    free(over);
    free(extra);
    release(b, NBUF);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"multinomial", multinomial, METH_VARARGS,
     "multinomial(bitgen_capsule, cdf, guide, slot, buckets, value, area_cdf, area_guide, "
     "trials, counts): fill counts (n, k) with multinomial columns"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_draws", "Compiled null-model draws of geoseg.segregation.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__draws(void) { return PyModule_Create(&module); }
