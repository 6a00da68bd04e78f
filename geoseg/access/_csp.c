/*
 * geoseg.access._csp: compiled shortest-path kernels for the walking-access engine.
 *
 * The graph is a CSR adjacency (indptr int64, indices int32, weights float64, all C-contiguous
 * buffers). Searches run with the GIL released; they touch no Python objects in their loops.
 *
 * nearest(): one multi-source Dijkstra. Each seed is (node, initial distance, label); a node
 * ends with the smallest distance over all seeds and, among seeds at exactly that distance along
 * the computed paths, the smallest label. The heap orders by distance only; a node whose label
 * improves at an unchanged distance is pushed again and re-expanded, so the labels settle to the
 * lexicographic minimum of (distance, label) within each plateau of equal distances.
 *
 * reach(): one bounded Dijkstra per source (each source has its own seeds), emitting
 * (source, point, metres) for every point within the limit. Points hang off nodes through an
 * incidence table (node -> points with an along-edge offset); each (source, point) pair is
 * emitted once with its smallest distance. Extra direct candidates per source (two points on the
 * same street edge) are merged in. Working arrays are reset through touched lists, so the cost of
 * a source grows with its neighbourhood, not with the network.
 *
 * Both use a 4-ary heap with lazy deletion: an entry is stale when its key no longer equals its
 * node's current key.
 */
#include "_cbuffer.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double d;
    int32_t lab;
    int32_t node;
} Entry;

typedef struct {
    double d;
    int32_t lab;
    int32_t pad;
} Key;

typedef struct {
    Entry *a;
    Py_ssize_t n;
    Py_ssize_t cap;
} Heap;

static inline int key_less(double d1, int32_t l1, double d2, int32_t l2)
{
    return d1 < d2 || (d1 == d2 && l1 < l2);
}

/* 4-ary min-heap on distance only. */
static inline int heap_push(Heap *h, double d, int32_t lab, int32_t node)
{
    if (h->n == h->cap) {
        Py_ssize_t cap = h->cap ? 2 * h->cap : 1024;
        Entry *a = (Entry *)realloc(h->a, (size_t)cap * sizeof(Entry));
        if (a == NULL) {
            return -1;
        }
        h->a = a;
        h->cap = cap;
    }
    Entry e = {d, lab, node};
    Py_ssize_t i = h->n++;
    while (i > 0) {
        Py_ssize_t p = (i - 1) >> 2;
        if (!(d < h->a[p].d)) {
            break;
        }
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = e;
    return 0;
}

static inline Entry heap_pop(Heap *h)
{
    Entry top = h->a[0];
    Entry last = h->a[--h->n];
    Py_ssize_t n = h->n, i = 0;
    for (;;) {
        Py_ssize_t c = 4 * i + 1;
        if (c >= n) {
            break;
        }
        Py_ssize_t best = c, end = c + 4 < n ? c + 4 : n;
        double bd = h->a[c].d;
        for (Py_ssize_t k = c + 1; k < end; k++) {
            double kd = h->a[k].d;
            if (kd < bd) {
                bd = kd;
                best = k;
            }
        }
        if (!(bd < last.d)) {
            break;
        }
        h->a[i] = h->a[best];
        i = best;
    }
    if (n > 0) {
        h->a[i] = last;
    }
    return top;
}

/* ---------------------------------------------------------------- buffers */

/* Get a C-contiguous 1-d buffer with the given item size and kind ('i' integer, 'f' float). */
static int get_buf(PyObject *obj, Buf *b, Py_ssize_t itemsize, char kind, int writable,
                   const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &b->view, flags) != 0) {
        return -1;
    }
    b->held = 1;
    char f = buffer_kind(b);
    int ok = b->view.itemsize == itemsize && b->view.ndim <= 1;
    if (kind == 'f') {
        ok = ok && f == 'd';
    } else {
        ok = ok && f != '\0' && strchr("ilqn", f) != NULL;
    }
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "_csp: %s must be a contiguous 1-d %s%d array", name,
                     kind == 'f' ? "float" : "int", (int)(8 * itemsize));
        return -1;
    }
    return 0;
}

static Py_ssize_t nitems(Buf *b) { return b->view.len / b->view.itemsize; }

typedef struct {
    const int64_t *indptr;
    const int32_t *indices;
    const double *w;
    Py_ssize_t n;
} Graph;

/* Check the CSR layout and the weights once (GIL held). */
static int check_graph(Buf *bp, Buf *bi, Buf *bw, Graph *g)
{
    Py_ssize_t n = nitems(bp) - 1, m = nitems(bi);
    if (n < 0 || nitems(bw) != m) {
        PyErr_SetString(PyExc_ValueError, "_csp: indptr, indices and weights do not match");
        return -1;
    }
    if (n >= INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "_csp: too many nodes for 32-bit indices");
        return -1;
    }
    g->indptr = (const int64_t *)bp->view.buf;
    g->indices = (const int32_t *)bi->view.buf;
    g->w = (const double *)bw->view.buf;
    g->n = n;
    if (g->indptr[0] != 0 || g->indptr[n] != m) {
        PyErr_SetString(PyExc_ValueError, "_csp: indptr does not span the indices");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (g->indptr[i + 1] < g->indptr[i]) {
            PyErr_SetString(PyExc_ValueError, "_csp: indptr is not non-decreasing");
            return -1;
        }
    }
    for (Py_ssize_t j = 0; j < m; j++) {
        if (g->indices[j] < 0 || g->indices[j] >= n) {
            PyErr_SetString(PyExc_ValueError, "_csp: an edge points outside the graph");
            return -1;
        }
        if (!(g->w[j] >= 0.0)) {
            PyErr_SetString(PyExc_ValueError, "_csp: edge weights must be non-negative numbers");
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- nearest() */

static PyObject *csp_nearest(PyObject *self, PyObject *args)
{
    PyObject *o[8];
    double limit;
    if (!PyArg_ParseTuple(args, "OOOOOOdOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &limit,
                          &o[6], &o[7])) {
        return NULL;
    }
    Buf b[8];
    memset(b, 0, sizeof(b));
    (void)self;
    Graph g;
    int err = 0;
    if (get_buf(o[0], &b[0], 8, 'i', 0, "indptr") || get_buf(o[1], &b[1], 4, 'i', 0, "indices") ||
        get_buf(o[2], &b[2], 8, 'f', 0, "weights") ||
        get_buf(o[3], &b[3], 8, 'i', 0, "seed_node") ||
        get_buf(o[4], &b[4], 8, 'f', 0, "seed_dist") ||
        get_buf(o[5], &b[5], 4, 'i', 0, "seed_label") ||
        get_buf(o[6], &b[6], 8, 'f', 1, "out_dist") ||
        get_buf(o[7], &b[7], 4, 'i', 1, "out_label") || check_graph(&b[0], &b[1], &b[2], &g)) {
        release(b, 8);
        return NULL;
    }
    Py_ssize_t ns = nitems(&b[3]);
    if (nitems(&b[4]) != ns || nitems(&b[5]) != ns || nitems(&b[6]) != g.n ||
        nitems(&b[7]) != g.n) {
        release(b, 8);
        PyErr_SetString(PyExc_ValueError, "_csp.nearest: array sizes do not match");
        return NULL;
    }
    const int64_t *sn = (const int64_t *)b[3].view.buf;
    for (Py_ssize_t k = 0; k < ns; k++) {
        if (sn[k] < 0 || sn[k] >= g.n) {
            release(b, 8);
            PyErr_SetString(PyExc_ValueError, "_csp.nearest: a seed node is outside the graph");
            return NULL;
        }
    }
    const double *sd = (const double *)b[4].view.buf;
    const int32_t *sl = (const int32_t *)b[5].view.buf;
    double *dist = (double *)b[6].view.buf;
    int32_t *lab = (int32_t *)b[7].view.buf;

    const int64_t *const indptr = g.indptr;
    const int32_t *const indices = g.indices;
    const double *const w = g.w;
    Py_BEGIN_ALLOW_THREADS
    Heap h = {NULL, 0, 0};
    /* distance and label side by side: one cache line per node visit */
    Key *key = (Key *)malloc((size_t)(g.n ? g.n : 1) * sizeof(Key));
    if (key == NULL) {
        err = 1;
    } else {
        for (Py_ssize_t i = 0; i < g.n; i++) {
            key[i].d = INFINITY;
            key[i].lab = -1;
        }
    }
    for (Py_ssize_t k = 0; k < ns && !err; k++) {
        Key *kv = &key[sn[k]];
        if (sd[k] <= limit && (kv->lab < 0 || key_less(sd[k], sl[k], kv->d, kv->lab))) {
            kv->d = sd[k];
            kv->lab = sl[k];
            err = heap_push(&h, sd[k], sl[k], (int32_t)sn[k]);
        }
    }
    while (h.n > 0 && !err) {
        Entry e = heap_pop(&h);
        int32_t u = e.node;
        if (e.d != key[u].d || e.lab != key[u].lab) {
            continue;
        }
        const int64_t j1 = indptr[u + 1];
        for (int64_t j = indptr[u]; j < j1; j++) {
            int32_t v = indices[j];
            double nd = e.d + w[j];
            Key *kv = &key[v];
            if (nd <= limit && (nd < kv->d || (nd == kv->d && e.lab < kv->lab))) {
                kv->d = nd;
                kv->lab = e.lab;
                if (heap_push(&h, nd, e.lab, v)) {
                    err = 1;
                    break;
                }
            }
        }
    }
    if (key != NULL) {
        for (Py_ssize_t i = 0; i < g.n; i++) {
            dist[i] = key[i].d;
            lab[i] = key[i].lab;
        }
    }
    free(key);
    free(h.a);
    Py_END_ALLOW_THREADS

    release(b, 8);
    if (err) {
        return PyErr_NoMemory();
    }
    Py_RETURN_NONE;
}

/* --------------------------------------------------------------- reach() */

typedef struct {
    int32_t *src;
    int32_t *pt;
    double *d;
    Py_ssize_t n;
    Py_ssize_t cap;
} Pairs;

static int pairs_grow(Pairs *p)
{
    Py_ssize_t cap = p->cap ? 2 * p->cap : 4096;
    int32_t *s = (int32_t *)realloc(p->src, (size_t)cap * sizeof(int32_t));
    if (s == NULL) {
        return -1;
    }
    p->src = s;
    int32_t *q = (int32_t *)realloc(p->pt, (size_t)cap * sizeof(int32_t));
    if (q == NULL) {
        return -1;
    }
    p->pt = q;
    double *d = (double *)realloc(p->d, (size_t)cap * sizeof(double));
    if (d == NULL) {
        return -1;
    }
    p->d = d;
    p->cap = cap;
    return 0;
}

/* Record candidate (s, q, m): a new pair, or a shorter distance for a pair of this source. */
static inline int offer(Pairs *out, int64_t *slot, int32_t *tp, Py_ssize_t *ntp, int32_t s,
                        int32_t q, double m)
{
    int64_t at = slot[q];
    if (at >= 0) {
        if (m < out->d[at]) {
            out->d[at] = m;
        }
        return 0;
    }
    if (out->n == out->cap && pairs_grow(out)) {
        return -1;
    }
    slot[q] = out->n;
    tp[(*ntp)++] = q;
    out->src[out->n] = s;
    out->pt[out->n] = q;
    out->d[out->n] = m;
    out->n++;
    return 0;
}

static PyObject *take_bytes(void *p, Py_ssize_t len)
{
    return PyByteArray_FromStringAndSize((const char *)p, len);
}

static PyObject *csp_reach(PyObject *self, PyObject *args)
{
    PyObject *o[13];
    double limit;
    Py_ssize_t lo, hi;
    if (!PyArg_ParseTuple(args, "OOOOOOdOOOOOOOnn", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5],
                          &limit, &o[6], &o[7], &o[8], &o[9], &o[10], &o[11], &o[12], &lo, &hi)) {
        return NULL;
    }
    static const char *names[13] = {"indptr",  "indices", "weights",  "seed_ptr", "seed_node",
                                    "seed_dist", "inc_ptr", "inc_point", "inc_off",  "point_snap",
                                    "direct_ptr", "direct_point", "direct_dist"};
    static const Py_ssize_t sizes[13] = {8, 4, 8, 8, 8, 8, 8, 4, 8, 8, 8, 4, 8};
    static const char kinds[13] = {'i', 'i', 'f', 'i', 'i', 'f', 'i', 'i', 'f', 'f', 'i', 'i', 'f'};
    Buf b[13];
    memset(b, 0, sizeof(b));
    (void)self;
    Graph g;
    for (int i = 0; i < 13; i++) {
        if (get_buf(o[i], &b[i], sizes[i], kinds[i], 0, names[i])) {
            release(b, 13);
            return NULL;
        }
    }
    if (check_graph(&b[0], &b[1], &b[2], &g)) {
        release(b, 13);
        return NULL;
    }
    const int64_t *seed_ptr = (const int64_t *)b[3].view.buf;
    const int64_t *seed_node = (const int64_t *)b[4].view.buf;
    const double *seed_dist = (const double *)b[5].view.buf;
    const int64_t *inc_ptr = (const int64_t *)b[6].view.buf;
    const int32_t *inc_pt = (const int32_t *)b[7].view.buf;
    const double *inc_off = (const double *)b[8].view.buf;
    const double *pt_snap = (const double *)b[9].view.buf;
    const int64_t *dir_ptr = (const int64_t *)b[10].view.buf;
    const int32_t *dir_pt = (const int32_t *)b[11].view.buf;
    const double *dir_d = (const double *)b[12].view.buf;
    Py_ssize_t ns = nitems(&b[3]) - 1, np_ = nitems(&b[9]);
    int bad = ns < 0 || nitems(&b[10]) != ns + 1 || nitems(&b[5]) != nitems(&b[4]) ||
              nitems(&b[6]) != g.n + 1 || nitems(&b[8]) != nitems(&b[7]) ||
              nitems(&b[12]) != nitems(&b[11]) || lo < 0 || hi > ns || lo > hi ||
              ns >= INT32_MAX || np_ >= INT32_MAX;
    if (!bad) {
        bad = seed_ptr[0] != 0 || seed_ptr[ns] != nitems(&b[4]) || inc_ptr[0] != 0 ||
              inc_ptr[g.n] != nitems(&b[7]) || dir_ptr[0] != 0 || dir_ptr[ns] != nitems(&b[11]);
    }
    for (Py_ssize_t k = 0; !bad && k < nitems(&b[4]); k++) {
        bad = seed_node[k] < 0 || seed_node[k] >= g.n;
    }
    for (Py_ssize_t k = 0; !bad && k < nitems(&b[7]); k++) {
        bad = inc_pt[k] < 0 || inc_pt[k] >= np_;
    }
    for (Py_ssize_t k = 0; !bad && k < nitems(&b[11]); k++) {
        bad = dir_pt[k] < 0 || dir_pt[k] >= np_;
    }
    for (Py_ssize_t k = 0; !bad && k < ns; k++) {
        bad = seed_ptr[k + 1] < seed_ptr[k] || dir_ptr[k + 1] < dir_ptr[k];
    }
    for (Py_ssize_t k = 0; !bad && k < g.n; k++) {
        bad = inc_ptr[k + 1] < inc_ptr[k];
    }
    if (bad) {
        release(b, 13);
        PyErr_SetString(PyExc_ValueError, "_csp.reach: inconsistent input arrays");
        return NULL;
    }

    int err = 0;
    Pairs out = {NULL, NULL, NULL, 0, 0};
    Py_BEGIN_ALLOW_THREADS
    Heap h = {NULL, 0, 0};
    double *dist = (double *)malloc((size_t)(g.n ? g.n : 1) * sizeof(double));
    int32_t *tn = (int32_t *)malloc((size_t)(g.n ? g.n : 1) * sizeof(int32_t));
    int64_t *slot = (int64_t *)malloc((size_t)(np_ ? np_ : 1) * sizeof(int64_t));
    int32_t *tp = (int32_t *)malloc((size_t)(np_ ? np_ : 1) * sizeof(int32_t));
    if (!dist || !tn || !slot || !tp) {
        err = 1;
    } else {
        for (Py_ssize_t i = 0; i < g.n; i++) {
            dist[i] = INFINITY;
        }
        for (Py_ssize_t i = 0; i < np_; i++) {
            slot[i] = -1;
        }
    }
    for (Py_ssize_t s = lo; s < hi && !err; s++) {
        Py_ssize_t ntn = 0, ntp = 0;
        int32_t s32 = (int32_t)s;
        for (int64_t k = seed_ptr[s]; k < seed_ptr[s + 1] && !err; k++) {
            int32_t v = (int32_t)seed_node[k];
            double d0 = seed_dist[k];
            if (d0 <= limit && d0 < dist[v]) {
                if (dist[v] == INFINITY) {
                    tn[ntn++] = v;
                }
                dist[v] = d0;
                err = heap_push(&h, d0, 0, v);
            }
        }
        while (h.n > 0 && !err) {
            Entry e = heap_pop(&h);
            int32_t u = e.node;
            if (e.d != dist[u]) {
                continue;
            }
            const int64_t k1 = inc_ptr[u + 1];
            for (int64_t k = inc_ptr[u]; k < k1; k++) {
                int32_t q = inc_pt[k];
                double m = (e.d + inc_off[k]) + pt_snap[q];
                if (m <= limit && offer(&out, slot, tp, &ntp, s32, q, m)) {
                    err = 1;
                    break;
                }
            }
            const int64_t j1 = g.indptr[u + 1];
            for (int64_t j = g.indptr[u]; j < j1 && !err; j++) {
                int32_t v = g.indices[j];
                double nd = e.d + g.w[j];
                if (nd <= limit && nd < dist[v]) {
                    if (dist[v] == INFINITY) {
                        tn[ntn++] = v;
                    }
                    dist[v] = nd;
                    err = heap_push(&h, nd, 0, v);
                }
            }
        }
        for (int64_t k = dir_ptr[s]; k < dir_ptr[s + 1] && !err; k++) {
            if (dir_d[k] <= limit) {
                err = offer(&out, slot, tp, &ntp, s32, dir_pt[k], dir_d[k]);
            }
        }
        h.n = 0;
        for (Py_ssize_t i = 0; i < ntn; i++) {
            dist[tn[i]] = INFINITY;
        }
        for (Py_ssize_t i = 0; i < ntp; i++) {
            slot[tp[i]] = -1;
        }
    }
    free(h.a);
    free(dist);
    free(tn);
    free(slot);
    free(tp);
    Py_END_ALLOW_THREADS

    release(b, 13);
    if (err) {
        free(out.src);
        free(out.pt);
        free(out.d);
        return PyErr_NoMemory();
    }
    PyObject *res = Py_BuildValue("(NNN)", take_bytes(out.src, out.n * 4),
                                  take_bytes(out.pt, out.n * 4), take_bytes(out.d, out.n * 8));
    free(out.src);
    free(out.pt);
    free(out.d);
    return res;
}

static PyMethodDef methods[] = {
    {"nearest", csp_nearest, METH_VARARGS,
     "nearest(indptr, indices, weights, seed_node, seed_dist, seed_label, limit, out_dist, "
     "out_label)\n\nMulti-source Dijkstra: fill out_dist (float64) and out_label (int32) per "
     "node; ties at equal distance go to the smallest label; inf and -1 beyond limit."},
    {"reach", csp_reach, METH_VARARGS,
     "reach(indptr, indices, weights, seed_ptr, seed_node, seed_dist, limit, inc_ptr, inc_point, "
     "inc_off, point_snap, direct_ptr, direct_point, direct_dist, lo, hi)\n\nBounded Dijkstra "
     "from each source in [lo, hi); returns bytearrays (source int32, point int32, metres "
     "float64) of every pair within limit, each pair once with its smallest distance."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_csp", "Compiled shortest-path kernels of geoseg.access.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__csp(void) { return PyModule_Create(&module); }
