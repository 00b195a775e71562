/* print.c — numpy 2.x compatible text formatting of tensors (str/repr), Python
 * float repr and JSON output.
 *
 * Float digits come from a Dragon4-style shortest-digit generator working on
 * exact big integers, so float32 values print with float32 digits and float64
 * values with float64 digits, both rounded exactly as numpy's own Dragon4.
 * The array layout (padding, scientific/positional choice, line wrapping,
 * summarisation) follows numpy's arrayprint with default print options.
 */
#include "runtime/print.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* growable string                                                          */

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

/* Makes room for n more bytes (plus NUL); sets oom on failure. */
static int sb_reserve(sbuf *b, size_t n)
{
    if (b->oom) return 0;
    if (b->len + n + 1 <= b->cap) return 1;
    size_t nc = b->cap ? b->cap : 64;
    while (nc < b->len + n + 1) nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np) { b->oom = 1; return 0; }
    b->p = np;
    b->cap = nc;
    return 1;
}

/* Appends n bytes. */
static void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Appends a NUL-terminated string. */
static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

/* Appends one character. */
static void sb_putc(sbuf *b, char c) { sb_putn(b, &c, 1); }

/* Appends n copies of character c. */
static void sb_fill(sbuf *b, char c, size_t n)
{
    if (!sb_reserve(b, n)) return;
    memset(b->p + b->len, c, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Appends printf-formatted text. */
static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends printf-formatted text (definition). */
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { sb_putn(b, tmp, (size_t)n); return; }
    if (!sb_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Returns the buffer's string (an empty string if nothing was added), or
 * NULL after an allocation failure. */
static char *sb_take(sbuf *b)
{
    if (b->oom) { free(b->p); return NULL; }
    if (!b->p) return strdup("");
    return b->p;
}

/* ------------------------------------------------------------------------ */
/* big unsigned integers, just enough for Dragon4                           */

#define BN_BLOCKS 72   /* 2304 bits: float64 needs about 1200 */

typedef struct {
    uint32_t b[BN_BLOCKS];
    int n;            /* used blocks, no leading zero block */
} bn;

/* x = v */
static void bn_set(bn *x, uint64_t v)
{
    x->n = 0;
    if (v) { x->b[0] = (uint32_t)v; x->n = 1; }
    if (v >> 32) { x->b[1] = (uint32_t)(v >> 32); x->n = 2; }
}

/* x = 2^e */
static void bn_pow2(bn *x, int e)
{
    int blk = e / 32;
    for (int i = 0; i <= blk; i++) x->b[i] = 0;
    x->b[blk] = (uint32_t)1 << (e % 32);
    x->n = blk + 1;
}

/* x <<= s */
static void bn_shl(bn *x, int s)
{
    if (x->n == 0 || s == 0) return;
    int blk = s / 32, bits = s % 32;
    int n = x->n;
    x->b[n + blk] = 0;
    if (bits == 0) {
        for (int i = n - 1; i >= 0; i--) x->b[i + blk] = x->b[i];
    } else {
        for (int i = n - 1; i >= 0; i--) {
            x->b[i + blk + 1] |= x->b[i] >> (32 - bits);
            x->b[i + blk] = x->b[i] << bits;
        }
    }
    for (int i = 0; i < blk; i++) x->b[i] = 0;
    x->n = n + blk + 1;
    while (x->n > 0 && x->b[x->n - 1] == 0) x->n--;
}

/* x *= m (small factor) */
static void bn_mul_small(bn *x, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < x->n; i++) {
        uint64_t p = (uint64_t)x->b[i] * m + carry;
        x->b[i] = (uint32_t)p;
        carry = p >> 32;
    }
    if (carry && x->n < BN_BLOCKS) x->b[x->n++] = (uint32_t)carry;
}

/* x *= 10^e */
static void bn_mul_pow10(bn *x, int e)
{
    while (e >= 9) { bn_mul_small(x, 1000000000u); e -= 9; }
    static const uint32_t p10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000,
                                    10000000, 100000000};
    if (e > 0) bn_mul_small(x, p10[e]);
}

/* Three-way comparison of a and b. */
static int bn_cmp(const bn *a, const bn *b)
{
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->b[i] != b->b[i]) return a->b[i] < b->b[i] ? -1 : 1;
    return 0;
}

/* r = a + b */
static void bn_add(bn *r, const bn *a, const bn *b)
{
    const bn *l = a->n >= b->n ? a : b, *s = a->n >= b->n ? b : a;
    uint64_t carry = 0;
    int i;
    for (i = 0; i < l->n; i++) {
        uint64_t v = (uint64_t)l->b[i] + (i < s->n ? s->b[i] : 0) + carry;
        r->b[i] = (uint32_t)v;
        carry = v >> 32;
    }
    r->n = l->n;
    if (carry && r->n < BN_BLOCKS) r->b[r->n++] = (uint32_t)carry;
}

/* a -= b, requires a >= b */
static void bn_sub(bn *a, const bn *b)
{
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t v = (int64_t)a->b[i] - (i < b->n ? b->b[i] : 0) - borrow;
        borrow = v < 0;
        a->b[i] = (uint32_t)(v + (borrow ? ((int64_t)1 << 32) : 0));
    }
    while (a->n > 0 && a->b[a->n - 1] == 0) a->n--;
}

/* ------------------------------------------------------------------------ */
/* Dragon4 digit generation and numpy's positional/scientific layout        */

enum { TRIM_NONE, TRIM_ZEROS, TRIM_ONEZERO, TRIM_DPT };  /* 'k' '.' '0' '-' */

typedef struct {
    int scientific;
    int precision;    /* -1: no cutoff */
    int min_digits;   /* -1: none */
    int trim;
    int pad_left;     /* -1: none */
    int pad_right;    /* -1: none */
    int exp_digits;   /* -1: at least 2 */
} d4opt;

typedef struct {
    uint64_t mant;
    int exp2;
    int unequal;     /* high margin twice the low one (power of two) */
    int neg, isnan, isinf;
} fparts;

/* Splits a float64 (or, with is32, the float32 it holds) into mantissa and
 * binary exponent the way Dragon4 wants them. */
static fparts split_float(double v, int is32)
{
    fparts p = {0, 0, 0, 0, 0, 0};
    if (is32) {
        float f = (float)v;
        uint32_t u;
        memcpy(&u, &f, 4);
        uint32_t m = u & 0x7fffffu, e = (u >> 23) & 0xffu;
        p.neg = (int)(u >> 31);
        if (e == 0xff) { p.isnan = m != 0; p.isinf = m == 0; return p; }
        if (e) { p.mant = m | 0x800000u; p.exp2 = (int)e - 150; p.unequal = e != 1 && m == 0; }
        else { p.mant = m; p.exp2 = -149; }
    } else {
        uint64_t u;
        memcpy(&u, &v, 8);
        uint64_t m = u & 0xfffffffffffffull;
        unsigned e = (unsigned)((u >> 52) & 0x7ff);
        p.neg = (int)(u >> 63);
        if (e == 0x7ff) { p.isnan = m != 0; p.isinf = m == 0; return p; }
        if (e) { p.mant = m | (1ull << 52); p.exp2 = (int)e - 1075; p.unequal = e != 1 && m == 0; }
        else { p.mant = m; p.exp2 = -1074; }
    }
    return p;
}

/* Dragon4 in shortest-unique mode with optional cutoffs. Writes the digits
 * (no NUL) into digits and the decimal exponent of the first one into *pexp;
 * returns the digit count. frac_cutoff selects cutoffs counted from the
 * decimal point rather than from the first digit. */
static int dragon4(const fparts *fp, int frac_cutoff, int cutoff_max, int cutoff_min,
                   char *digits, int cap, int *pexp)
{
    if (fp->mant == 0) { digits[0] = '0'; *pexp = 0; return 1; }
    bn r, s, mlo, mhi, tmp;
    int e = fp->exp2;
    int is_even = (fp->mant & 1) == 0;
    int extra = fp->unequal ? 2 : 1;   /* scale by 4 with unequal margins, else 2 */
    bn_set(&r, fp->mant);
    if (e > 0) {
        bn_shl(&r, e + extra);
        bn_set(&s, (uint64_t)1 << extra);
        bn_pow2(&mlo, e);
    } else {
        bn_shl(&r, extra);
        bn_pow2(&s, -e + extra);
        bn_set(&mlo, 1);
    }
    mhi = mlo;
    if (fp->unequal) bn_shl(&mhi, 1);

    /* k = exponent with 10^(k-1) <= v < 10^k, from an estimate then exact */
    int nbits = 0;
    for (uint64_t m = fp->mant; m; m >>= 1) nbits++;
    int k = (int)ceil((double)(nbits - 1 + e) * 0.30102999566398119521 - 0.69);
    if (frac_cutoff && cutoff_max >= 0 && k <= -cutoff_max) k = -cutoff_max + 1;
    /* scale so that r/s = v / 10^k */
    if (k > 0) bn_mul_pow10(&s, k);
    else if (k < 0) { bn_mul_pow10(&r, -k); bn_mul_pow10(&mlo, -k); bn_mul_pow10(&mhi, -k); }
    if (bn_cmp(&r, &s) >= 0) {
        k++;          /* estimate one too low: r/s is now v/10^(k-1) */
    } else {
        bn_mul_small(&r, 10); bn_mul_small(&mlo, 10); bn_mul_small(&mhi, 10);
    }

    int cut_max_e = k - cap;
    if (cutoff_max >= 0) {
        int d = frac_cutoff ? -cutoff_max : k - cutoff_max;
        if (d > cut_max_e) cut_max_e = d;
    }
    int cut_min_e = k;
    if (cutoff_min >= 0) {
        int d = frac_cutoff ? -cutoff_min : k - cutoff_min;
        if (d < cut_min_e) cut_min_e = d;
    }
    *pexp = k - 1;

    int n = 0, de = k, low = 0, high = 0;
    unsigned digit;
    for (;;) {
        de--;
        digit = 0;
        while (bn_cmp(&r, &s) >= 0 && digit < 10) { bn_sub(&r, &s); digit++; }
        bn_add(&tmp, &r, &mhi);
        int c = bn_cmp(&r, &mlo);
        low = is_even ? c <= 0 : c < 0;
        c = bn_cmp(&tmp, &s);
        high = is_even ? c >= 0 : c > 0;
        if (((low || high) && de <= cut_min_e) || de == cut_max_e || n >= cap - 1) break;
        digits[n++] = (char)('0' + digit);
        bn_mul_small(&r, 10); bn_mul_small(&mlo, 10); bn_mul_small(&mhi, 10);
    }
    int round_down = low;
    if (low == high) {
        bn_add(&tmp, &r, &r);
        int c = bn_cmp(&tmp, &s);
        round_down = c < 0;
        if (c == 0) round_down = (digit & 1) == 0;
    }
    if (round_down) {
        digits[n++] = (char)('0' + digit);
    } else if (digit == 9) {
        for (;;) {
            if (n == 0) { digits[n++] = '1'; *pexp += 1; break; }
            n--;
            if (digits[n] != '9') { digits[n]++; n++; break; }
        }
    } else {
        digits[n++] = (char)('0' + digit + 1);
    }
    return n;
}

#define D4_CAP 1600

/* numpy's FormatPositional: lays out digits as ddd.ddd with trimming and
 * padding; returns the length written to out (NUL-terminated). */
static int format_positional(const fparts *fp, const d4opt *o, char *out)
{
    char dig[D4_CAP];
    int pexp;
    int nd = dragon4(fp, 1, o->precision, o->min_digits, dig, 400, &pexp);
    int pos = 0, has_sign = 0, nwhole, nfrac = 0;
    if (fp->neg) { out[pos++] = '-'; has_sign = 1; }
    if (pexp >= 0) {
        nwhole = pexp + 1;
        if (nd <= nwhole) {
            memcpy(out + pos, dig, (size_t)nd);
            pos += nd;
            for (int i = nd; i < nwhole; i++) out[pos++] = '0';
        } else {
            memcpy(out + pos, dig, (size_t)nwhole);
            pos += nwhole;
            out[pos++] = '.';
            memcpy(out + pos, dig + nwhole, (size_t)(nd - nwhole));
            pos += nd - nwhole;
            nfrac = nd - nwhole;
        }
    } else {
        int zeros = -(pexp + 1);
        out[pos++] = '0';
        out[pos++] = '.';
        for (int i = 0; i < zeros; i++) out[pos++] = '0';
        memcpy(out + pos, dig, (size_t)nd);
        pos += nd;
        nfrac = zeros + nd;
        nwhole = 1;
    }
    if (o->trim != TRIM_DPT && nfrac == 0) out[pos++] = '.';
    int want = o->min_digits < 0 ? 0 : o->min_digits;
    if (o->trim == TRIM_ONEZERO) {
        if (nfrac == 0) { out[pos++] = '0'; nfrac++; }
    } else if (o->trim == TRIM_NONE && want > nfrac) {
        while (nfrac < want) { out[pos++] = '0'; nfrac++; }
    }
    if (o->trim != TRIM_NONE && nfrac > 0) {
        while (out[pos - 1] == '0') { pos--; nfrac--; }
        if (out[pos - 1] == '.') {
            if (o->trim == TRIM_ONEZERO) { out[pos++] = '0'; nfrac++; }
            else if (o->trim == TRIM_DPT) pos--;
        }
    }
    if (o->pad_right >= nfrac && o->pad_right >= 0) {
        if (o->trim == TRIM_DPT && nfrac == 0) out[pos++] = ' ';
        for (int i = nfrac; i < o->pad_right; i++) out[pos++] = ' ';
    }
    if (o->pad_left > nwhole + has_sign) {
        int sh = o->pad_left - (nwhole + has_sign);
        memmove(out + sh, out, (size_t)pos);
        memset(out, ' ', (size_t)sh);
        pos += sh;
    }
    out[pos] = '\0';
    return pos;
}

/* numpy's FormatScientific: d.dddde+XX with trimming and padding; returns the
 * length written to out (NUL-terminated). */
static int format_scientific(const fparts *fp, const d4opt *o, char *out)
{
    char dig[D4_CAP];
    int pexp, pos = 0;
    int leftchars = 1 + fp->neg;
    for (int i = leftchars; i < o->pad_left; i++) out[pos++] = ' ';
    if (fp->neg) out[pos++] = '-';
    int nd = dragon4(fp, 0, o->precision < 0 ? -1 : o->precision + 1,
                     o->min_digits < 0 ? -1 : o->min_digits + 1, dig, 400, &pexp);
    out[pos++] = dig[0];
    int nfrac = nd - 1;
    if (nfrac > 0) {
        out[pos++] = '.';
        memcpy(out + pos, dig + 1, (size_t)nfrac);
        pos += nfrac;
    }
    if (o->trim != TRIM_DPT && nfrac == 0) out[pos++] = '.';
    int want = o->min_digits < 0 ? 0 : o->min_digits;
    if (o->trim == TRIM_ONEZERO) {
        if (nfrac == 0) { out[pos++] = '0'; nfrac++; }
    } else if (o->trim == TRIM_NONE) {
        while (nfrac < want) { out[pos++] = '0'; nfrac++; }
    }
    if (o->trim != TRIM_NONE && nfrac > 0) {
        while (out[pos - 1] == '0') { pos--; nfrac--; }
        if (o->trim == TRIM_ONEZERO && out[pos - 1] == '.') { out[pos++] = '0'; nfrac++; }
    }
    int ed = o->exp_digits < 0 ? 2 : (o->exp_digits > 5 ? 5 : o->exp_digits);
    out[pos++] = 'e';
    out[pos++] = pexp < 0 ? '-' : '+';
    int ae = pexp < 0 ? -pexp : pexp;
    char eb[8];
    int en = snprintf(eb, sizeof eb, "%d", ae);
    for (int i = en; i < ed; i++) out[pos++] = '0';
    memcpy(out + pos, eb, (size_t)en);
    pos += en;
    out[pos] = '\0';
    return pos;
}

/* Formats v (float32 digits when is32) per options; non-finite values give
 * "nan", "inf" or "-inf". Returns the length written to out. */
static int format_float(double v, int is32, const d4opt *o, char *out)
{
    fparts fp = split_float(v, is32);
    if (fp.isnan) { strcpy(out, "nan"); return 3; }
    if (fp.isinf) { strcpy(out, fp.neg ? "-inf" : "inf"); return 3 + fp.neg; }
    return o->scientific ? format_scientific(&fp, o, out) : format_positional(&fp, o, out);
}

/* Shortest round-trip text of v in Python's repr style: positional when the
 * decimal exponent is in [-4, 16), else d.ddde+XX; is32 uses float32 digits. */
static void pyfloat_style(double v, int is32, char *buf, size_t n)
{
    fparts fp = split_float(v, is32);
    char tmp[D4_CAP];
    if (fp.isnan) { snprintf(buf, n, "nan"); return; }
    if (fp.isinf) { snprintf(buf, n, "%s", fp.neg ? "-inf" : "inf"); return; }
    char dig[64];
    int pexp;
    dragon4(&fp, 0, -1, -1, dig, 60, &pexp);
    d4opt o = {0, -1, -1, TRIM_ONEZERO, -1, -1, -1};
    if (pexp < -4 || pexp >= 16) { o.scientific = 1; o.trim = TRIM_DPT; }
    if (o.scientific) format_scientific(&fp, &o, tmp);
    else format_positional(&fp, &o, tmp);
    snprintf(buf, n, "%s", tmp);
}

/* Python repr of a float64 (see print.h). */
void tfg_print_pyfloat(double v, char *buf, size_t n)
{
    pyfloat_style(v, 0, buf, n);
}

/* str() of a numpy float32/float64 scalar: positional for 1e-4 <= |v| < 1e16
 * (1e6 for float32) and zero, else scientific. */
static void np_float_scalar_str(double v, int is32, char *out)
{
    fparts fp = split_float(v, is32);
    long double a = fabsl((long double)(is32 ? (double)(float)v : v));
    long double maxpos = is32 ? 1.e6L : 1.e16L;
    int positional = fp.isnan || a == 0 || (a < maxpos && a >= 1.e-4L);
    d4opt o = {0, -1, -1, TRIM_ONEZERO, -1, -1, -1};
    if (!positional) { o.scientific = 1; o.trim = TRIM_DPT; }
    format_float(v, is32, &o, out);
}

/* ------------------------------------------------------------------------ */
/* element formatters (numpy FloatingFormat / IntegerFormat / BoolFormat)   */

typedef struct {
    const tfg_tensor *t;
    int is32;
    int exp_format;
    d4opt o;            /* options used for finite values */
    int pad_left, pad_right;
    int int_width;
} elemfmt;

/* Element i of t as double (float types only). */
static double elem_f(const tfg_tensor *t, int64_t i)
{
    if (t->dtype == TFG_FLOAT32) return ((const float *)t->data)[i];
    return ((const double *)t->data)[i];
}

/* Element i of an integer or bool tensor as int64. */
static int64_t elem_i(const tfg_tensor *t, int64_t i)
{
    switch (t->dtype) {
    case TFG_INT32: return ((const int32_t *)t->data)[i];
    case TFG_INT64: return ((const int64_t *)t->data)[i];
    case TFG_UINT8: return ((const uint8_t *)t->data)[i];
    case TFG_BOOL: return ((const uint8_t *)t->data)[i] != 0;
    default: return 0;
    }
}

/* Prepares a formatter from the elements that will be shown (flat indices
 * idx[0..n-1]), as numpy's FloatingFormat.fillFormat / IntegerFormat do. */
static int elemfmt_init(elemfmt *f, const tfg_tensor *t, const int64_t *idx, int64_t n)
{
    memset(f, 0, sizeof *f);
    f->t = t;
    if (t->dtype == TFG_BOOL) return 0;
    if (t->dtype != TFG_FLOAT32 && t->dtype != TFG_FLOAT64) {
        int w = 0;
        if (n > 0) {
            int64_t mx = elem_i(t, idx[0]), mn = mx;
            for (int64_t i = 1; i < n; i++) {
                int64_t v = elem_i(t, idx[i]);
                if (v > mx) mx = v;
                if (v < mn) mn = v;
            }
            char b1[32], b2[32];
            int l1 = snprintf(b1, sizeof b1, "%lld", (long long)mx);
            int l2 = snprintf(b2, sizeof b2, "%lld", (long long)mn);
            w = l1 > l2 ? l1 : l2;
        }
        f->int_width = w;
        return 0;
    }
    int is32 = t->dtype == TFG_FLOAT32;
    f->is32 = is32;
    int nfinite = 0, any_nonfinite = 0, neginf = 0, have_nz = 0;
    double mx = 0, mn = 0;
    float mxf = 0, mnf = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = elem_f(t, idx[i]);
        if (!isfinite(v)) { any_nonfinite = 1; if (isinf(v) && v < 0) neginf = 1; continue; }
        nfinite++;
        if (v == 0) continue;
        double a = fabs(v);
        if (!have_nz) { mx = mn = a; have_nz = 1; }
        else { if (a > mx) mx = a; if (a < mn) mn = a; }
    }
    if (have_nz) {
        if (is32) {
            mxf = (float)mx; mnf = (float)mn;
            float q = mxf / mnf;   /* float32 arithmetic, as numpy does */
            f->exp_format = mxf >= 1e6f || mnf < 1e-4f || q > 1000.f;
        } else {
            f->exp_format = mx >= 1e8 || mn < 1e-4 || mx / mn > 1000.;
        }
    }
    d4opt o = {0, 8, -1, TRIM_ZEROS, -1, -1, -1};
    char buf[D4_CAP];
    if (nfinite == 0) {
        f->pad_left = 0; f->pad_right = 0;
        o.trim = TRIM_ZEROS; o.min_digits = -1;
    } else if (f->exp_format) {
        o.scientific = 1;
        int maxint = 0, maxfrac = 0, maxexp = 0;
        for (int64_t i = 0; i < n; i++) {
            double v = elem_f(t, idx[i]);
            if (!isfinite(v)) continue;
            format_float(v, is32, &o, buf);
            char *e = strchr(buf, 'e');
            char *dot = strchr(buf, '.');
            int li = (int)(dot - buf), lf = (int)(e - dot - 1), le = (int)strlen(e + 1);
            if (li > maxint) maxint = li;
            if (lf > maxfrac) maxfrac = lf;
            if (le > maxexp) maxexp = le;
        }
        o.exp_digits = maxexp - 1;
        o.trim = TRIM_NONE;
        o.precision = maxfrac;
        o.min_digits = maxfrac;
        f->pad_left = maxint;
        f->pad_right = o.exp_digits + 2 + o.precision;
        o.pad_left = f->pad_left;
    } else {
        int maxint = 0, maxfrac = 0;
        for (int64_t i = 0; i < n; i++) {
            double v = elem_f(t, idx[i]);
            if (!isfinite(v)) continue;
            format_float(v, is32, &o, buf);
            char *dot = strchr(buf, '.');
            int li = (int)(dot - buf), lf = (int)strlen(dot + 1);
            if (li > maxint) maxint = li;
            if (lf > maxfrac) maxfrac = lf;
        }
        f->pad_left = maxint;
        f->pad_right = maxfrac;
        o.min_digits = 0;
        o.trim = TRIM_ZEROS;
    }
    if (any_nonfinite) {
        int off = f->pad_right + 1;
        if (3 - off > f->pad_left) f->pad_left = 3 - off;
        if (3 + neginf - off > f->pad_left) f->pad_left = 3 + neginf - off;
    }
    if (!f->exp_format) { o.pad_left = f->pad_left; o.pad_right = f->pad_right; }
    else o.pad_left = f->pad_left;
    f->o = o;
    return 0;
}

/* Formats element i into sb. */
static void elemfmt_put(const elemfmt *f, int64_t i, sbuf *sb)
{
    const tfg_tensor *t = f->t;
    char buf[D4_CAP];
    if (t->dtype == TFG_BOOL) { sb_puts(sb, elem_i(t, i) ? " True" : "False"); return; }
    if (t->dtype != TFG_FLOAT32 && t->dtype != TFG_FLOAT64) {
        sb_printf(sb, "%*lld", f->int_width, (long long)elem_i(t, i));
        return;
    }
    double v = elem_f(t, i);
    if (!isfinite(v)) {
        const char *s = isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
        int w = f->pad_left + f->pad_right + 1 - (int)strlen(s);
        if (w > 0) sb_fill(sb, ' ', (size_t)w);
        sb_puts(sb, s);
        return;
    }
    format_float(v, f->is32, &f->o, buf);
    sb_puts(sb, buf);
}

/* ------------------------------------------------------------------------ */
/* numpy's _formatArray                                                     */

typedef struct {
    const tfg_tensor *t;
    const elemfmt *fmt;
    int64_t strides[TFG_MAX_RANK];
    int summarize;
    const char *sep;       /* " " or ", " */
} layout;

/* numpy _extendLine: appends word to the current line, first moving the
 * line into s when it would grow past width. */
static void extend_line(sbuf *s, sbuf *line, const char *word, size_t wlen, int width, int indent)
{
    int needs_wrap = (int)(line->len + wlen) > width;
    if ((int)line->len <= indent) needs_wrap = 0;
    if (needs_wrap) {
        size_t l = line->len;
        while (l > 0 && line->p[l - 1] == ' ') l--;
        sb_putn(s, line->p, l);
        sb_putc(s, '\n');
        line->len = 0;
        sb_fill(line, ' ', (size_t)indent);
    }
    sb_putn(line, word, wlen);
}

static char *recurse(const layout *L, int axis, int64_t base, int indent, int width);

/* Formats the element or sub-array at position `i` of `axis` (from offset base). */
static char *recurse_child(const layout *L, int axis, int64_t base, int64_t i, int indent, int width)
{
    int64_t off = base + i * L->strides[axis];
    if (axis + 1 == L->t->rank) {
        sbuf b = {0};
        elemfmt_put(L->fmt, off, &b);
        return sb_take(&b);
    }
    return recurse(L, axis + 1, off, indent, width);
}

/* numpy's recurser: formats the sub-array starting at `base` along `axis`
 * with the given hanging indent and remaining width. */
static char *recurse(const layout *L, int axis, int64_t base, int indent, int width)
{
    int axes_left = L->t->rank - axis;
    int next_indent = indent + 1, next_width = width - 1;
    int64_t alen = L->t->shape[axis];
    int show = L->summarize && alen > 6;
    int64_t lead = show ? 3 : 0, trail = show ? 3 : alen;
    sbuf s = {0};
    size_t seplen = strlen(L->sep);
    size_t seprlen = seplen;
    while (seprlen > 0 && L->sep[seprlen - 1] == ' ') seprlen--;
    if (axes_left == 1) {
        int elem_width = width - (int)(seprlen > 1 ? seprlen : 1);
        sbuf line = {0};
        sb_fill(&line, ' ', (size_t)indent);
        for (int64_t i = 0; i < lead; i++) {
            char *w = recurse_child(L, axis, base, i, next_indent, next_width);
            if (!w) { s.oom = 1; break; }
            extend_line(&s, &line, w, strlen(w), elem_width, indent);
            free(w);
            sb_putn(&line, L->sep, seplen);
        }
        if (show) {
            extend_line(&s, &line, "...", 3, elem_width, indent);
            sb_putn(&line, L->sep, seplen);
        }
        for (int64_t i = trail; i >= 1; i--) {
            char *w = recurse_child(L, axis, base, alen - i, next_indent, next_width);
            if (!w) { s.oom = 1; break; }
            extend_line(&s, &line, w, strlen(w), elem_width, indent);
            free(w);
            if (i > 1) sb_putn(&line, L->sep, seplen);
        }
        if (line.oom) s.oom = 1;
        else sb_putn(&s, line.p, line.len);
        free(line.p);
    } else {
        sbuf lsep = {0};
        sb_putn(&lsep, L->sep, seprlen);
        sb_fill(&lsep, '\n', (size_t)(axes_left - 1));
        for (int64_t i = 0; i < lead; i++) {
            char *w = recurse_child(L, axis, base, i, next_indent, next_width);
            if (!w) { s.oom = 1; break; }
            sb_fill(&s, ' ', (size_t)indent);
            sb_puts(&s, w);
            free(w);
            sb_putn(&s, lsep.p, lsep.len);
        }
        if (show) {
            sb_fill(&s, ' ', (size_t)indent);
            sb_puts(&s, "...");
            sb_putn(&s, lsep.p, lsep.len);
        }
        for (int64_t i = trail; i >= 1; i--) {
            char *w = recurse_child(L, axis, base, alen - i, next_indent, next_width);
            if (!w) { s.oom = 1; break; }
            sb_fill(&s, ' ', (size_t)indent);
            sb_puts(&s, w);
            free(w);
            if (i > 1) sb_putn(&s, lsep.p, lsep.len);
        }
        if (lsep.oom) s.oom = 1;
        free(lsep.p);
    }
    if (s.oom) { free(s.p); return NULL; }
    /* '[' + s[indent:] + ']' */
    sbuf r = {0};
    sb_putc(&r, '[');
    if (s.len > (size_t)indent) sb_putn(&r, s.p + indent, s.len - (size_t)indent);
    sb_putc(&r, ']');
    free(s.p);
    return sb_take(&r);
}

/* Collects the flat indices of the elements shown (all of them, or numpy's
 * leading/trailing edges per axis when summarising). */
static int64_t *shown_indices(const tfg_tensor *t, int summarize, int64_t *count)
{
    int64_t per[TFG_MAX_RANK], strides[TFG_MAX_RANK];
    int64_t total = 1;
    int64_t st = 1;
    for (int a = t->rank - 1; a >= 0; a--) { strides[a] = st; st *= t->shape[a]; }
    for (int a = 0; a < t->rank; a++) {
        per[a] = (summarize && t->shape[a] > 6) ? 6 : t->shape[a];
        total *= per[a];
    }
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)(total ? total : 1));
    if (!idx) return NULL;
    int64_t ctr[TFG_MAX_RANK] = {0};
    for (int64_t n = 0; n < total; n++) {
        int64_t off = 0;
        for (int a = 0; a < t->rank; a++) {
            int64_t i = ctr[a];
            if (per[a] != t->shape[a] && i >= 3) i = t->shape[a] - 6 + i;
            off += i * strides[a];
        }
        idx[n] = off;
        for (int a = t->rank - 1; a >= 0; a--) {
            if (++ctr[a] < per[a]) break;
            ctr[a] = 0;
        }
    }
    *count = total;
    return idx;
}

/* numpy array2string for a non-empty array of rank >= 1. */
static char *array2string(const tfg_tensor *t, const char *sep, int prefix_len, int linewidth)
{
    int summarize = t->size > 1000;
    int64_t n;
    int64_t *idx = shown_indices(t, summarize, &n);
    if (!idx) return NULL;
    elemfmt f;
    elemfmt_init(&f, t, idx, n);
    free(idx);
    layout L;
    L.t = t;
    L.fmt = &f;
    L.summarize = summarize;
    L.sep = sep;
    int64_t st = 1;
    for (int a = t->rank - 1; a >= 0; a--) { L.strides[a] = st; st *= t->shape[a]; }
    return recurse(&L, 0, 0, 1 + prefix_len, linewidth);
}

/* Scalar str() of element 0 of t (numpy scalar formatting). */
static void scalar_str(const tfg_tensor *t, char *out)
{
    switch (t->dtype) {
    case TFG_FLOAT32: np_float_scalar_str(elem_f(t, 0), 1, out); break;
    case TFG_FLOAT64: np_float_scalar_str(elem_f(t, 0), 0, out); break;
    case TFG_BOOL: strcpy(out, elem_i(t, 0) ? "True" : "False"); break;
    default: sprintf(out, "%lld", (long long)elem_i(t, 0)); break;
    }
}

/* numpy str() of a tensor (see print.h). */
char *tfg_print_str(const tfg_tensor *t)
{
    if (t->rank == 0) {
        char buf[D4_CAP];
        scalar_str(t, buf);
        return strdup(buf);
    }
    if (t->size == 0) return strdup("[]");
    return array2string(t, " ", 0, 75);
}

/* Python repr of a shape tuple: "()", "(3,)", "(2, 3)". */
static void put_shape_tuple(sbuf *b, const tfg_tensor *t)
{
    sb_putc(b, '(');
    for (int a = 0; a < t->rank; a++) {
        if (a) sb_puts(b, ", ");
        sb_printf(b, "%lld", (long long)t->shape[a]);
    }
    if (t->rank == 1) sb_putc(b, ',');
    sb_putc(b, ')');
}

/* numpy's short dtype name used in repr. */
static const char *dtname(tfg_dtype dt)
{
    switch (dt) {
    case TFG_FLOAT32: return "float32";
    case TFG_FLOAT64: return "float64";
    case TFG_INT32: return "int32";
    case TFG_INT64: return "int64";
    case TFG_BOOL: return "bool";
    case TFG_UINT8: return "uint8";
    default: return "?";
    }
}

/* numpy repr() of a tensor (see print.h). */
char *tfg_print_repr(const tfg_tensor *t)
{
    sbuf b = {0};
    if (t->rank == 0) {
        char buf[D4_CAP];
        if (t->dtype == TFG_BOOL) return strdup(elem_i(t, 0) ? "np.True_" : "np.False_");
        scalar_str(t, buf);
        sb_printf(&b, "np.%s(%s)", dtname(t->dtype), buf);
        return sb_take(&b);
    }
    char *lst;
    if (t->size == 0) lst = strdup("[]");
    else lst = array2string(t, ", ", 6, 74);
    if (!lst) return NULL;
    int implied = t->dtype == TFG_FLOAT64 || t->dtype == TFG_INT64 || t->dtype == TFG_BOOL;
    sbuf extra = {0};
    if ((t->size == 0 && !(t->rank == 1 && t->shape[0] == 0)) || t->size > 1000) {
        sb_puts(&extra, "shape=");
        put_shape_tuple(&extra, t);
    }
    if (!implied || t->size == 0) {
        if (extra.len) sb_puts(&extra, ", ");
        sb_printf(&extra, "dtype=%s", dtname(t->dtype));
    }
    sb_puts(&b, "array(");
    sb_puts(&b, lst);
    free(lst);
    if (extra.len == 0 && !extra.oom) {
        sb_putc(&b, ')');
        return sb_take(&b);
    }
    sb_putc(&b, ',');
    sb_putc(&extra, ')');
    if (extra.oom) { free(extra.p); b.oom = 1; return sb_take(&b); }
    size_t last_nl = 0;
    if (b.p) {
        char *nl = strrchr(b.p, '\n');
        last_nl = nl ? (size_t)(nl - b.p) + 1 : 0;
    }
    size_t last_line_len = b.len - last_nl;
    if (last_line_len + extra.len + 1 > 75) {
        sb_putc(&b, '\n');
        sb_fill(&b, ' ', 6);
    } else {
        sb_putc(&b, ' ');
    }
    sb_putn(&b, extra.p, extra.len);
    free(extra.p);
    return sb_take(&b);
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */

/* Appends element i as a JSON value. */
static void json_elem(sbuf *b, const tfg_tensor *t, int64_t i)
{
    char buf[64];
    switch (t->dtype) {
    case TFG_FLOAT32:
    case TFG_FLOAT64: {
        double v = elem_f(t, i);
        if (isnan(v)) { sb_puts(b, "\"nan\""); return; }
        if (isinf(v)) { sb_puts(b, v < 0 ? "\"-inf\"" : "\"inf\""); return; }
        pyfloat_style(v, t->dtype == TFG_FLOAT32, buf, sizeof buf);
        sb_puts(b, buf);
        return;
    }
    case TFG_BOOL: sb_puts(b, elem_i(t, i) ? "true" : "false"); return;
    default: sb_printf(b, "%lld", (long long)elem_i(t, i)); return;
    }
}

/* Appends the nested JSON list of the sub-array at `axis` starting at *pos. */
static void json_nested(sbuf *b, const tfg_tensor *t, int axis, int64_t *pos)
{
    if (axis == t->rank) { json_elem(b, t, (*pos)++); return; }
    sb_putc(b, '[');
    for (int64_t i = 0; i < t->shape[axis] && !b->oom; i++) {
        if (i) sb_putc(b, ',');
        json_nested(b, t, axis + 1, pos);
    }
    sb_putc(b, ']');
}

/* JSON object with dtype, shape and nested data (see print.h). */
char *tfg_print_json(const tfg_tensor *t)
{
    sbuf b = {0};
    sb_printf(&b, "{\"dtype\":\"%s\",\"shape\":[", dtname(t->dtype));
    for (int a = 0; a < t->rank; a++) {
        if (a) sb_putc(&b, ',');
        sb_printf(&b, "%lld", (long long)t->shape[a]);
    }
    sb_puts(&b, "],\"data\":");
    int64_t pos = 0;
    json_nested(&b, t, 0, &pos);
    sb_putc(&b, '}');
    return sb_take(&b);
}
