/*
 * geoseg.segregation._dissim: the exact mean dissimilarity of resampled tables, per area.
 *
 * near_sum(a, b, nX, nY, width) returns sum_i E|A_i / nX - B_i / nY| for independent
 * A_i ~ Binomial(nX, a_i) and B_i ~ Binomial(nY, b_i) (a and b: C-contiguous float64 arrays of
 * the same length). It is the compiled form of geoseg.segregation._expectations._near_sum and
 * follows it step by step:
 *
 * - each support is truncated `width` standard deviations either side of its mean (clipped to
 *   0..n); inside it the probabilities start from a log-gamma value at the lower end and follow
 *   the ratio recurrence P(k + 1) / P(k) = (n - k) p / ((k + 1) (1 - p));
 * - for every value v of A_i, with c = v nY / nX and j = floor(c), De Moivre's partial sum
 *   gives E|B - c| = (mu - c) + 2 ((c - mu) F(j) + (j + 1) (1 - b) P(B = j + 1)), where F is
 *   the distribution function of B accumulated over its truncated support (Diaconis & Zabell
 *   1991, Statistical Science 6(3)).
 *
 * The loops run with the GIL released.
 */
#include "_cbuffer.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Truncated support lo..hi of Binomial(n, p), as in _expectations._ranges. */
static void support(double n, double p, double width, int64_t *lo, int64_t *hi)
{
    double mean = n * p;
    double sd = sqrt(mean * (1.0 - p));
    double l = floor(mean - width * sd);
    double h = ceil(mean + width * sd);
    if (l < 0.0) {
        l = 0.0;
    }
    if (l > n) {
        l = n;
    }
    if (h > n) {
        h = n;
    }
    if (h < l) {
        h = l;
    }
    *lo = (int64_t)l;
    *hi = (int64_t)h;
}

/* log-gamma without the global sign variable where the C library offers it (the searches of
   two threads may run at once). */
static double log_gamma(double x)
{
#if defined(__GLIBC__) || defined(__APPLE__)
    int sign;
    return lgamma_r(x, &sign);
#else
    return lgamma(x);
#endif
}

/* log P(K = k) for K ~ Binomial(n, p); p in [0, 1]. */
static double log_pmf(double n, double p, double k)
{
    double out = log_gamma(n + 1.0) - log_gamma(k + 1.0) - log_gamma(n - k + 1.0);
    if (k > 0.0) {
        out += k * log(p);
    }
    if (n - k > 0.0) {
        out += (n - k) * log1p(-p);
    }
    return out;
}

/* Probabilities of Binomial(n, p) over lo..hi into out[0 .. hi - lo]. */
static void fill_pmf(double n, double p, int64_t lo, int64_t hi, double *out)
{
    double first = exp(log_pmf(n, p, (double)lo));
    out[0] = first;
    if (hi == lo) {
        return;
    }
    /* inside the support 0 < p < 1 (a degenerate p gives a single point) */
    double odds = p / (1.0 - p);
    double v = first;
    for (int64_t k = lo; k < hi; k++) {
        v *= (n - (double)k) / ((double)k + 1.0) * odds;
        out[k - lo + 1] = v;
    }
}

static PyObject *near_sum(PyObject *self, PyObject *args)
{
    PyObject *oa, *ob;
    long long nX_, nY_;
    double width;
    Buf buf[2] = {{0}};
    (void)self;
    if (!PyArg_ParseTuple(args, "OOLLd", &oa, &ob, &nX_, &nY_, &width)) {
        return NULL;
    }
    PyObject *objs[2] = {oa, ob};
    for (int i = 0; i < 2; i++) {
        if (PyObject_GetBuffer(objs[i], &buf[i].view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) != 0) {
            release(buf, 2);
            return NULL;
        }
        buf[i].held = 1;
        if (buf[i].view.itemsize != 8 || buffer_kind(&buf[i]) != 'd') {
            release(buf, 2);
            PyErr_SetString(PyExc_TypeError, "_dissim: a and b must be float64 arrays");
            return NULL;
        }
    }
    Py_ssize_t m = buf[0].view.len / 8;
    /* counts up to 2**53 are exact doubles; a finite width keeps the supports finite */
    const long long exact = 9007199254740992LL;
    if (buf[1].view.len / 8 != m || nX_ <= 0 || nY_ <= 0 || nX_ > exact || nY_ > exact ||
        !(width > 0.0) || !isfinite(width)) {
        release(buf, 2);
        PyErr_SetString(PyExc_ValueError, "_dissim: inconsistent arguments");
        return NULL;
    }
    const double *a = (const double *)buf[0].view.buf;
    const double *b = (const double *)buf[1].view.buf;
    for (Py_ssize_t i = 0; i < m; i++) {
        if (!(a[i] >= 0.0 && a[i] <= 1.0 && b[i] >= 0.0 && b[i] <= 1.0)) {
            release(buf, 2);
            PyErr_SetString(PyExc_ValueError, "_dissim: shares must lie in [0, 1]");
            return NULL;
        }
    }
    double nX = (double)nX_, nY = (double)nY_;
    /* the largest supports, for the work buffers */
    int64_t cap_a = 1, cap_b = 1;
    for (Py_ssize_t i = 0; i < m; i++) {
        int64_t lo, hi;
        support(nX, a[i], width, &lo, &hi);
        if (hi - lo + 1 > cap_a) {
            cap_a = hi - lo + 1;
        }
        support(nY, b[i], width, &lo, &hi);
        if (hi - lo + 1 > cap_b) {
            cap_b = hi - lo + 1;
        }
    }
    double *pa = (double *)malloc((size_t)cap_a * sizeof(double));
    double *pb = (double *)malloc((size_t)cap_b * sizeof(double));
    double *cb = (double *)malloc((size_t)cap_b * sizeof(double));
    if (pa == NULL || pb == NULL || cb == NULL) {
        free(pa);
        free(pb);
        free(cb);
        release(buf, 2);
        return PyErr_NoMemory();
    }
    double total = 0.0;
    double ratio = nY / nX;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < m; i++) {
        int64_t lo_a, hi_a, lo_b, hi_b;
        support(nX, a[i], width, &lo_a, &hi_a);
        support(nY, b[i], width, &lo_b, &hi_b);
        fill_pmf(nX, a[i], lo_a, hi_a, pa);
        fill_pmf(nY, b[i], lo_b, hi_b, pb);
        int64_t size_b = hi_b - lo_b + 1;
        double acc = 0.0;
        for (int64_t r = 0; r < size_b; r++) {
            acc += pb[r];
            cb[r] = acc;
        }
        double mu = nY * b[i];
        double q = 1.0 - b[i];
        double sum = 0.0;
        for (int64_t v = lo_a; v <= hi_a; v++) {
            double c = (double)v * ratio;
            int64_t j = (int64_t)floor(c);
            int64_t rel = j - lo_b;
            double F = rel < 0 ? 0.0 : (rel >= size_b ? 1.0 : cb[rel]);
            double b1 = (rel + 1 >= 0 && rel + 1 < size_b) ? pb[rel + 1] : 0.0;
            double inner = (mu - c) + 2.0 * ((c - mu) * F + (double)(j + 1) * q * b1);
            sum += pa[v - lo_a] * inner;
        }
        total += sum;
    }
    Py_END_ALLOW_THREADS
    free(pa);
    free(pb);
    free(cb);
    release(buf, 2);
    return PyFloat_FromDouble(total / nY);
}

static PyMethodDef methods[] = {
    {"near_sum", near_sum, METH_VARARGS,
     "near_sum(a, b, nX, nY, width) -> sum_i E|A_i / nX - B_i / nY| (binomial A_i, B_i)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_dissim",
    "Compiled exact expectation of the resampled dissimilarity of geoseg.segregation.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__dissim(void) { return PyModule_Create(&module); }
