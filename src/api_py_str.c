/* api_py_str.c — Python strings (part of the api_py module, see
 * api_py_impl.h): UTF-8 text indexed by code point, printf-style
 * formatting (str % args), format() specs and str.format, and the methods of
 * strings.
 */
#include "api_py_impl.h"

/* ======================================================================
 * UTF-8 strings: Python indexes strings by code point
 * ====================================================================== */

/* True when s[0..n) is plain ASCII (byte index == code point index). */
bool tfg_pyapi_is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* Number of code points of UTF-8 text (continuation bytes not counted). */
int64_t tfg_pyapi_u8_len(const char *s, size_t n)
{
    int64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offsets of each code point of s plus the end: (*offs)[0..count]. */
int tfg_pyapi_u8_offsets(const char *s, size_t n, size_t **offs, int64_t *count)
{
    int64_t c = tfg_pyapi_u8_len(s, n);
    size_t *o = malloc((size_t)(c + 1) * sizeof *o);
    if (!o)
        return -1;
    int64_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            o[k++] = i;
    o[c] = n;
    *offs = o;
    *count = c;
    return 0;
}

/* Appends code point cp as UTF-8; false when out of range. */
bool tfg_pyapi_u8_put(tfg_sb *b, int64_t cp)
{
    char buf[4];
    if (cp < 0 || cp > 0x10FFFF)
        return false;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        tfg_sb_addn(b, buf, 1);
    } else if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        tfg_sb_addn(b, buf, 2);
    } else if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        tfg_sb_addn(b, buf, 3);
    } else {
        buf[0] = (char)(0xF0 | (cp >> 18));
        buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = (char)(0x80 | (cp & 0x3F));
        tfg_sb_addn(b, buf, 4);
    }
    return true;
}

/* The first code point of UTF-8 text s[0..n) (n > 0). */
int64_t tfg_pyapi_u8_first(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80 || n < 2)
        return u[0];
    if (u[0] < 0xE0)
        return ((int64_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    if (u[0] < 0xF0 || n < 4)
        return n < 3 ? u[0]
                     : ((int64_t)(u[0] & 0x0F) << 12) | ((int64_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    return ((int64_t)(u[0] & 0x07) << 18) | ((int64_t)(u[1] & 0x3F) << 12) |
           ((int64_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
}

/* ======================================================================
 * printf-style formatting: "Step %d: loss = %.2f" % (step, loss)
 * ====================================================================== */

/* One parsed conversion spec of %-formatting or of a format() spec. */
typedef struct fmt_spec {
    bool left, plus, space, alt, zero;
    int width;          /* -1 none */
    int prec;           /* -1 none */
    char fill;          /* format(): fill character */
    char align;         /* format(): '<' '>' '^' '=' or 0 */
    char group;         /* format(): ',' '_' or 0 */
    char type;
} fmt_spec;

/* Appends s[0..n) padded to width per spec (left/right/center, fill). */
static void pad_into(tfg_sb *b, const char *s, size_t n, const fmt_spec *f, char defalign)
{
    int64_t cps = tfg_pyapi_u8_len(s, n);
    int64_t padn = f->width > cps ? f->width - cps : 0;
    char align = f->align ? f->align : (f->left ? '<' : defalign);
    char fill = f->fill ? f->fill : ' ';
    int64_t before = align == '<' ? 0 : align == '^' ? padn / 2 : padn;
    if (align == '=') {
        /* padding after the sign (and 0x prefix) */
        size_t k = 0;
        if (n && (s[0] == '-' || s[0] == '+' || s[0] == ' '))
            k = 1;
        if (n >= k + 2 && s[k] == '0' && strchr("xXoObB", s[k + 1]))
            k += 2;
        tfg_sb_addn(b, s, k);
        for (int64_t i = 0; i < padn; i++)
            tfg_sb_addn(b, &fill, 1);
        tfg_sb_addn(b, s + k, n - k);
        return;
    }
    for (int64_t i = 0; i < before; i++)
        tfg_sb_addn(b, &fill, 1);
    tfg_sb_addn(b, s, n);
    for (int64_t i = before; i < padn; i++)
        tfg_sb_addn(b, &fill, 1);
}

/* Appends a formatted number s[0..n) padded per f; `zero` (%-format's 0
 * flag) pads with zeros after the sign. */
static void pad_num(tfg_sb *b, const char *s, size_t n, const fmt_spec *f, bool zero)
{
    if (zero) {
        fmt_spec g = *f;
        g.fill = '0';
        g.align = '=';
        pad_into(b, s, n, &g, '>');
        return;
    }
    pad_into(b, s, n, f, '>');
}

/* Appends text one (str() or repr() of a value), cut to f's precision in
 * code points, padded per f (defalign when f names no alignment). */
static void pad_text(tfg_sb *b, const tfg_sb *one, const fmt_spec *f, char defalign)
{
    size_t len = one->len;
    if (f->prec >= 0 && one->s) {
        size_t *offs;
        int64_t cnt = 0;
        if (tfg_pyapi_u8_offsets(one->s, one->len, &offs, &cnt) == 0) {
            if (f->prec < cnt)
                len = offs[f->prec];
            free(offs);
        }
    }
    pad_into(b, one->s ? one->s : "", len, f, defalign);
}

/* Inserts a grouping character every 3 digits of the integer part of num. */
static void group_digits(char *num, size_t cap, char sep)
{
    char *p = num;
    if (*p == '-' || *p == '+' || *p == ' ')
        p++;
    size_t nd = 0;
    while (isdigit((unsigned char)p[nd]))
        nd++;
    if (nd <= 3)
        return;
    size_t nsep = (nd - 1) / 3, len = strlen(num);
    if (len + nsep + 1 > cap)
        return;
    char *src = num + len, *dst = num + len + nsep;
    char *intend = p + nd;
    /* copy the tail (fraction) unchanged, then digits with separators */
    while (src >= intend)
        *dst-- = *src--;
    int k = 0;
    while (src >= p) {
        *dst-- = *src--;
        if (++k % 3 == 0 && src >= p)
            *dst-- = sep;
    }
}

/* Formats an integer with %-style or format() spec: d o x X b (alt prefixes
 * 0o 0x 0b), sign flags and zero padding. */
static void fmt_int(tfg_sb *b, int64_t v, const fmt_spec *f, bool pyformat)
{
    char digits[80];
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char type = f->type ? f->type : 'd';
    int base = (type == 'x' || type == 'X') ? 16 : type == 'o' ? 8 : type == 'b' ? 2 : 10;
    const char *dig = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    int nd = 0;
    char rev[72];
    do {
        rev[nd++] = dig[u % (unsigned)base];
        u /= (unsigned)base;
    } while (u);
    int k = 0;
    char sign = v < 0 ? '-' : f->plus ? '+' : f->space ? ' ' : 0;
    if (sign)
        digits[k++] = sign;
    if (f->alt && base != 10) {
        digits[k++] = '0';
        digits[k++] = type == 'X' ? 'X' : type == 'x' ? 'x' : type == 'b' ? 'b' : 'o';
    }
    /* %-format precision: minimum number of digits */
    for (int i = nd; !pyformat && f->prec > 0 && i < f->prec && k < 70; i++)
        digits[k++] = '0';
    while (nd > 0)
        digits[k++] = rev[--nd];
    digits[k] = '\0';
    if (f->group && base == 10)
        group_digits(digits, sizeof digits, f->group);
    size_t n = strlen(digits);
    pad_num(b, digits, n, f, !pyformat && f->zero && !f->left && f->width > (int)n);
}

/* Formats a float for %e %f %g (and format()'s e f g % and none) into buf. */
static void fmt_float_text(double v, const fmt_spec *f, bool pyformat, char *buf, size_t n)
{
    char type = f->type;
    int prec = f->prec;
    bool pct = type == '%';
    if (pct) {
        v *= 100.0;
        type = 'f';
    }
    if (isnan(v))
        v = fabs(v);   /* Python never prints "-nan" */
    char sign = signbit(v) ? '-' : f->plus ? '+' : f->space ? ' ' : 0;
    double a = fabs(v);
    char body[1024];
    if (isinf(a) || isnan(a)) {
        bool upper = type == 'E' || type == 'F' || type == 'G';
        snprintf(body, sizeof body, "%s", isinf(a) ? (upper ? "INF" : "inf") : (upper ? "NAN" : "nan"));
    } else if (pyformat && type == 0) {
        if (prec < 0) {
            tfg_print_pyfloat(a, body, sizeof body);
        } else {
            /* like 'g', but always with a digit after the point when fixed */
            snprintf(body, sizeof body, f->alt ? "%#.*g" : "%.*g", prec == 0 ? 1 : prec, a);
            if (!strpbrk(body, ".e"))
                strncat(body, ".0", sizeof body - strlen(body) - 1);
        }
    } else {
        char cf[16];
        int p = prec < 0 ? 6 : prec;
        if (p > 300)
            p = 300;
        snprintf(cf, sizeof cf, "%%%s.*%c", f->alt ? "#" : "", type);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(body, sizeof body, cf, p, a);
#pragma GCC diagnostic pop
    }
    if (pct)
        strncat(body, "%", sizeof body - strlen(body) - 1);
    snprintf(buf, n, "%s%s", sign ? (char[]){sign, 0} : "", body);
    if (f->group)
        group_digits(buf, n, f->group);
}

/* Formats a float with flags, width and zero padding. */
static void fmt_float(tfg_sb *b, double v, const fmt_spec *f, bool pyformat)
{
    char buf[1100];
    fmt_float_text(v, f, pyformat, buf, sizeof buf);
    pad_num(b, buf, strlen(buf), f, !pyformat && f->zero && !f->left && isfinite(v));
}

/* A value as a Python int for %d: ints, floats (truncated), numpy scalars. */
static int fmt_as_int(tfg_eval *ev, tfg_val v, char conv, tfg_loc loc, int64_t *out)
{
    pnum n;
    if (!get_num(v, &n, false)) {
        if (conv == 'd' || conv == 'i' || conv == 'u')
            return tfg_eval_error(ev, loc, "%%%c format: a real number is required, not %s", conv,
                                  tfg_val_type_name(v));
        return tfg_eval_error(ev, loc, "%%%c format: an integer is required, not %s", conv,
                              tfg_val_type_name(v));
    }
    if (!n.isf) {
        *out = n.i;
        return 0;
    }
    if (conv != 'd' && conv != 'i' && conv != 'u')
        return tfg_eval_error(ev, loc, "%%%c format: an integer is required, not %s", conv,
                              tfg_val_type_name(v));
    return tfg_pyapi_float_to_int(ev, n.f, loc, out);
}

/* The int a '*' width or precision takes from the arguments (argv[*ai]). */
static int star_arg(tfg_eval *ev, const tfg_val *argv, int argc, int *ai, bool mapping,
                    tfg_loc loc, int64_t *v)
{
    if (*ai >= argc || mapping)
        return tfg_eval_error(ev, loc, "not enough arguments for format string");
    if (!get_index_quiet(argv[(*ai)++], v))
        return tfg_eval_error(ev, loc, "* wants int");
    return 0;
}

/* str % args: Python's printf-style formatting. */
int tfg_pyapi_percent_format(tfg_eval *ev, tfg_val fmtv, tfg_val args, tfg_loc loc, tfg_val *out)
{
    const char *s = sv(fmtv);
    size_t n = slen(fmtv);
    const tfg_val *argv = &args;
    int argc = 1;
    if (args.t == TFG_V_TUPLE) {
        argv = tfg_val_as_list(args)->items;
        argc = tfg_val_as_list(args)->n;
    }
    for (int k = 0; k < argc; k++)
        if (argv[k].t == TFG_V_UNKNOWN) {   /* a dry run's result: the text is unknown too */
            out->t = TFG_V_UNKNOWN;
            return 0;
        }
    bool mapping = args.t == TFG_V_DICT;
    int ai = 0;
    bool used_mapping = false;
    tfg_sb b = {0};
    size_t i = 0;
    while (i < n) {
        const char *pc = memchr(s + i, '%', n - i);
        if (!pc) {
            tfg_sb_addn(&b, s + i, n - i);
            break;
        }
        size_t start = (size_t)(pc - s);
        tfg_sb_addn(&b, s + i, start - i);
        i = start + 1;
        fmt_spec f = {.width = -1, .prec = -1};
        tfg_val key_val = {.t = TFG_V_MISSING};
        const tfg_val *arg = NULL;
        if (i < n && s[i] == '(') {
            if (!mapping) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "format requires a mapping");
            }
            size_t depth = 1, k = i + 1;
            while (k < n && depth) {
                if (s[k] == '(')
                    depth++;
                else if (s[k] == ')')
                    depth--;
                k++;
            }
            if (depth) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "incomplete format key");
            }
            key_val = tfg_val_str(s + i + 1, k - i - 2);
            if (key_val.t == TFG_V_MISSING) {
                free(tfg_sb_take(&b));
                return oom(ev, loc);
            }
            arg = tfg_val_dict_get(args, key_val);
            if (!arg) {
                free(tfg_sb_take(&b));
                int rc = tfg_pyapi_error_with_repr(ev, loc, "KeyError: %s", key_val);
                tfg_val_decref(key_val);
                return rc;
            }
            tfg_val_decref(key_val);
            used_mapping = true;
            i = k;
        }
        for (; i < n && strchr("-+ #0", s[i]); i++) {
            switch (s[i]) {
            case '-': f.left = true; break;
            case '+': f.plus = true; break;
            case ' ': f.space = true; break;
            case '#': f.alt = true; break;
            case '0': f.zero = true; break;
            }
        }
        if (i < n && s[i] == '*') {
            int64_t w = 0;
            if (star_arg(ev, argv, argc, &ai, mapping, loc, &w)) {
                free(tfg_sb_take(&b));
                return -1;
            }
            if (w < 0) {
                f.left = true;
                w = -w;
            }
            f.width = w > 100000 ? 100000 : (int)w;
            i++;
        } else {
            while (i < n && isdigit((unsigned char)s[i])) {
                f.width = (f.width < 0 ? 0 : f.width) * 10 + (s[i] - '0');
                if (f.width > 100000)
                    f.width = 100000;
                i++;
            }
        }
        if (i < n && s[i] == '.') {
            i++;
            f.prec = 0;
            if (i < n && s[i] == '*') {
                int64_t p = 0;
                if (star_arg(ev, argv, argc, &ai, mapping, loc, &p)) {
                    free(tfg_sb_take(&b));
                    return -1;
                }
                f.prec = p < 0 ? 0 : p > 1000 ? 1000 : (int)p;
                i++;
            } else {
                while (i < n && isdigit((unsigned char)s[i])) {
                    f.prec = f.prec * 10 + (s[i] - '0');
                    if (f.prec > 1000)
                        f.prec = 1000;
                    i++;
                }
            }
        }
        while (i < n && (s[i] == 'h' || s[i] == 'l' || s[i] == 'L'))
            i++;
        if (i >= n) {
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, "incomplete format");
        }
        char c = s[i++];
        if (c == '%') {
            tfg_sb_add(&b, "%");
            continue;
        }
        if (!arg) {
            if (mapping) {
                arg = &args;
                used_mapping = true;
            } else if (ai >= argc) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "not enough arguments for format string");
            } else {
                arg = &argv[ai++];
            }
        }
        f.type = c;
        int rc = 0;
        switch (c) {
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': {
            int64_t v = 0;
            rc = fmt_as_int(ev, *arg, c, loc, &v);
            if (!rc) {
                if (c == 'i' || c == 'u')
                    f.type = 'd';
                fmt_int(&b, v, &f, false);
            }
            break;
        }
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
            pnum num;
            if (!get_num(*arg, &num, false)) {
                rc = tfg_eval_error(ev, loc, "must be real number, not %s", tfg_val_type_name(*arg));
                break;
            }
            fmt_float(&b, num.isf ? num.f : (double)num.i, &f, false);
            break;
        }
        case 'c': {
            tfg_sb one = {0};
            int64_t cp = 0;
            if (arg->t == TFG_V_STR && tfg_pyapi_u8_len(sv(*arg), slen(*arg)) == 1) {
                tfg_sb_addn(&one, sv(*arg), slen(*arg));
            } else if (get_index_quiet(*arg, &cp)) {
                if (!tfg_pyapi_u8_put(&one, cp)) {
                    free(tfg_sb_take(&one));
                    rc = tfg_eval_error(ev, loc, "%%c arg not in range(0x110000)");
                    break;
                }
            } else {
                rc = tfg_eval_error(ev, loc, "%%c requires int or char");
                break;
            }
            pad_into(&b, one.s ? one.s : "", one.len, &f, '>');
            free(tfg_sb_take(&one));
            break;
        }
        case 's': case 'r': case 'a': {
            tfg_sb one = {0};
            if (c == 's')
                tfg_val_str_into(&one, *arg);
            else
                tfg_val_repr_into(&one, *arg);
            pad_text(&b, &one, &f, '>');
            if (one.oom)
                b.oom = true;
            free(tfg_sb_take(&one));
            break;
        }
        default:
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, "unsupported format character '%c' (0x%x) at index %zu",
                                  isprint((unsigned char)c) ? c : '?', (unsigned char)c, i - 1);
        }
        if (rc) {
            free(tfg_sb_take(&b));
            return -1;
        }
    }
    if (!mapping && ai < argc) {
        free(tfg_sb_take(&b));
        return tfg_eval_error(ev, loc, "not all arguments converted during string formatting");
    }
    (void)used_mapping;
    return give(ev, loc, sb_val(&b), out);
}

/* ======================================================================
 * str.format and format specs
 * ====================================================================== */

/* Parses a format() spec: [[fill]align][sign][#][0][width][,_][.prec][type]. */
static int parse_format_spec(tfg_eval *ev, const char *s, size_t n, tfg_loc loc, fmt_spec *f)
{
    memset(f, 0, sizeof *f);
    f->width = f->prec = -1;
    size_t i = 0;
    if (n >= 2 && strchr("<>=^", s[1]) && ((unsigned char)s[0] < 0x80)) {
        f->fill = s[0];
        f->align = s[1];
        i = 2;
    } else if (n >= 1 && strchr("<>=^", s[0])) {
        f->align = s[0];
        i = 1;
    }
    if (i < n && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) {
        f->plus = s[i] == '+';
        f->space = s[i] == ' ';
        i++;
    }
    if (i < n && s[i] == 'z')
        i++;
    if (i < n && s[i] == '#') {
        f->alt = true;
        i++;
    }
    if (i < n && s[i] == '0') {
        /* zero padding: fill '0' unless a fill was given, sign-aware unless aligned */
        if (!f->fill)
            f->fill = '0';
        if (!f->align)
            f->align = '=';
        i++;
    }
    while (i < n && isdigit((unsigned char)s[i])) {
        f->width = (f->width < 0 ? 0 : f->width) * 10 + (s[i] - '0');
        if (f->width > 100000)
            f->width = 100000;
        i++;
    }
    if (i < n && (s[i] == ',' || s[i] == '_')) {
        f->group = s[i];
        i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !isdigit((unsigned char)s[i]))
            return tfg_eval_error(ev, loc, "Format specifier missing precision");
        f->prec = 0;
        while (i < n && isdigit((unsigned char)s[i])) {
            f->prec = f->prec * 10 + (s[i] - '0');
            if (f->prec > 1000)
                f->prec = 1000;
            i++;
        }
    }
    if (i < n)
        f->type = s[i++];
    if (i < n)
        return tfg_eval_error(ev, loc, "Invalid format specifier '%.*s'", (int)n, s);
    return 0;
}

/* format(v, spec): appends v formatted by the spec mini-language. */
static int format_value(tfg_eval *ev, tfg_val v, const char *spec, size_t n, tfg_loc loc,
                        tfg_sb *b)
{
    pnum num;
    if (n == 0) {
        if (v.t == TFG_V_ARRAY && get_num(v, &num, false) && num.isf) {
            /* numpy scalars format through Python's float: 0.10000000149011612 */
            char buf[64];
            tfg_print_pyfloat(num.f, buf, sizeof buf);
            tfg_sb_add(b, buf);
        } else {
            tfg_val_str_into(b, v);
        }
        return 0;
    }
    fmt_spec f;
    if (parse_format_spec(ev, spec, n, loc, &f))
        return -1;
    bool isnum = get_num(v, &num, false);
    if (v.t == TFG_V_BOOL && (!f.type || f.type == 's')) {
        /* format(True, '>6') formats str(True) */
        isnum = false;
    }
    if (isnum) {
        if (!num.isf && (!f.type || strchr("bcdoxXn", f.type))) {
            if (f.type == 'c') {
                tfg_sb one = {0};
                if (!tfg_pyapi_u8_put(&one, num.i)) {
                    free(tfg_sb_take(&one));
                    return tfg_eval_error(ev, loc, "%%c arg not in range(0x110000)");
                }
                pad_into(b, one.s, one.len, &f, '<');
                free(tfg_sb_take(&one));
                return 0;
            }
            if (f.prec >= 0)
                return tfg_eval_error(ev, loc, "Precision not allowed in integer format specifier");
            if (f.type == 'n')
                f.type = 'd';
            fmt_int(b, num.i, &f, true);
            return 0;
        }
        if (!f.type || strchr("eEfFgG%n", f.type)) {
            if (f.type == 'n')
                f.type = 'g';
            double d = num.isf ? num.f : (double)num.i;
            if (!num.isf && !f.type) {
                fmt_int(b, num.i, &f, true);
                return 0;
            }
            fmt_float(b, d, &f, true);
            return 0;
        }
        return tfg_eval_error(ev, loc, "Unknown format code '%c' for object of type '%s'", f.type,
                              num.isf ? "float" : "int");
    }
    if (v.t == TFG_V_STR || v.t == TFG_V_BOOL || v.t == TFG_V_NONE) {
        if (f.type && f.type != 's')
            return tfg_eval_error(ev, loc, "Unknown format code '%c' for object of type '%s'",
                                  f.type, tfg_val_type_name(v));
        if (f.align == '=')
            return tfg_eval_error(ev, loc, "'=' alignment not allowed in string format specifier");
        tfg_sb one = {0};
        tfg_val_str_into(&one, v);
        pad_text(b, &one, &f, '<');
        free(tfg_sb_take(&one));
        return 0;
    }
    return tfg_eval_error(ev, loc, "unsupported format string passed to %s.__format__",
                          tfg_val_type_name(v));
}

/* str.format(*args, **kwargs). */
static int str_format(tfg_eval *ev, tfg_val fmtv, const tfg_args *a, tfg_val *out)
{
    tfg_loc loc = a->loc;
    const char *s = sv(fmtv);
    size_t n = slen(fmtv);
    tfg_sb b = {0};
    int autonum = 0;   /* 0 unknown, 1 automatic, 2 manual */
    int next = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '}') {
            if (i + 1 < n && s[i + 1] == '}') {
                tfg_sb_add(&b, "}");
                i += 2;
                continue;
            }
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, "Single '}' encountered in format string");
        }
        if (c != '{') {
            size_t j = i;
            while (j < n && s[j] != '{' && s[j] != '}')
                j++;
            tfg_sb_addn(&b, s + i, j - i);
            i = j;
            continue;
        }
        if (i + 1 < n && s[i + 1] == '{') {
            tfg_sb_add(&b, "{");
            i += 2;
            continue;
        }
        /* a replacement field: {name[idx]!conv:spec} */
        size_t j = i + 1;
        int depth = 1;
        while (j < n && depth) {
            if (s[j] == '{')
                depth++;
            else if (s[j] == '}')
                depth--;
            if (depth)
                j++;
        }
        if (j >= n) {
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, i + 1 < n ? "expected '}' before end of string"
                                                     : "Single '{' encountered in format string");
        }
        const char *field = s + i + 1;
        size_t flen = j - i - 1;
        i = j + 1;
        size_t namelen = 0;
        while (namelen < flen && field[namelen] != '!' && field[namelen] != ':' &&
               field[namelen] != '[' && field[namelen] != '.')
            namelen++;
        const tfg_val *arg = NULL;
        if (namelen == 0) {
            if (autonum == 2) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "cannot switch from manual field specification to "
                                               "automatic field numbering");
            }
            autonum = 1;
            if (next >= a->npos) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc,
                                      "Replacement index %d out of range for positional args tuple",
                                      next);
            }
            arg = &a->pos[next++];
        } else if (isdigit((unsigned char)field[0])) {
            if (autonum == 1) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "cannot switch from automatic field numbering to "
                                               "manual field specification");
            }
            autonum = 2;
            int64_t k = 0;
            for (size_t q = 0; q < namelen; q++) {
                if (!isdigit((unsigned char)field[q])) {
                    k = -1;
                    break;
                }
                k = k * 10 + (field[q] - '0');
                if (k > 1000000)
                    k = 1000000;
            }
            if (k < 0 || k >= a->npos) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc,
                                      "Replacement index %" PRId64 " out of range for positional "
                                      "args tuple",
                                      k < 0 ? 0 : k);
            }
            arg = &a->pos[k];
        } else {
            for (int q = 0; q < a->nkw; q++)
                if (strlen(a->kwnames[q]) == namelen && !memcmp(a->kwnames[q], field, namelen))
                    arg = &a->kw[q];
            if (!arg) {
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "KeyError: '%.*s'", (int)namelen, field);
            }
        }
        tfg_val cur = tfg_val_incref(*arg);
        size_t p = namelen;
        /* element access: [int] or [key] */
        while (p < flen && field[p] == '[') {
            size_t q = p + 1;
            while (q < flen && field[q] != ']')
                q++;
            if (q >= flen) {
                tfg_val_decref(cur);
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "Missing ']' in format string");
            }
            tfg_val key;
            bool digits = q > p + 1;
            for (size_t r = p + 1; r < q; r++)
                digits = digits && isdigit((unsigned char)field[r]);
            if (digits)
                key = tfg_val_int(strtoll(field + p + 1, NULL, 10));
            else
                key = tfg_val_str(field + p + 1, q - p - 1);
            tfg_val next_v;
            int rc = key.t == TFG_V_MISSING ? oom(ev, loc)
                                            : tfg_api_py_subscript(ev, cur, key, loc, &next_v);
            tfg_val_decref(key);
            tfg_val_decref(cur);
            if (rc) {
                free(tfg_sb_take(&b));
                if (rc == 1)
                    return tfg_eval_error(ev, loc, "'%s' object is not subscriptable",
                                          tfg_val_type_name(*arg));
                return -1;
            }
            cur = next_v;
            p = q + 1;
        }
        if (p < flen && field[p] == '.') {
            tfg_val_decref(cur);
            free(tfg_sb_take(&b));
            return tfg_eval_error(ev, loc, "attribute access in format fields is not supported");
        }
        char conv = 0;
        if (p < flen && field[p] == '!') {
            if (p + 1 >= flen || !strchr("rsa", field[p + 1]) ||
                (p + 2 < flen && field[p + 2] != ':')) {
                tfg_val_decref(cur);
                free(tfg_sb_take(&b));
                return tfg_eval_error(ev, loc, "Unknown conversion specifier %.1s",
                                      p + 1 < flen ? field + p + 1 : "");
            }
            conv = field[p + 1];
            p += 2;
        }
        const char *spec = "";
        size_t speclen = 0;
        if (p < flen && field[p] == ':') {
            spec = field + p + 1;
            speclen = flen - p - 1;
        }
        int rc = 0;
        if (conv) {
            tfg_val sval = str_val(cur, conv != 's');
            rc = sval.t == TFG_V_MISSING ? oom(ev, loc)
                                         : format_value(ev, sval, spec, speclen, loc, &b);
            tfg_val_decref(sval);
        } else {
            rc = format_value(ev, cur, spec, speclen, loc, &b);
        }
        tfg_val_decref(cur);
        if (rc) {
            free(tfg_sb_take(&b));
            return -1;
        }
    }
    return give(ev, loc, sb_val(&b), out);
}

/* ======================================================================
 * Methods of strings
 * ====================================================================== */

/* str.format(*args, **kwargs) */
static int sm_format(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    if (unknown_args(a, out))
        return 0;
    return str_format(ev, self, a, out);
}

/* str.join(iterable) */
static int sm_join(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    tfg_val *items;
    int n = 0;
    if (mbind(ev, a, "join", "iterable", p) || tfg_eval_iter(ev, p[0], a->loc, &items, &n))
        return -1;
    tfg_sb b = {0};
    for (int i = 0; i < n; i++) {
        if (items[i].t != TFG_V_STR) {
            int rc = tfg_eval_error(ev, a->loc, "sequence item %d: expected str instance, %s found",
                                    i, tfg_val_type_name(items[i]));
            free(tfg_sb_take(&b));
            free_items(items, n);
            return rc;
        }
        if (i)
            tfg_sb_addn(&b, sv(self), slen(self));
        tfg_sb_addn(&b, sv(items[i]), slen(items[i]));
    }
    free_items(items, n);
    return give(ev, a->loc, sb_val(&b), out);
}

/* Appends a new str value of s[0..n) to list l. */
static int push_str(tfg_eval *ev, tfg_loc loc, tfg_val l, const char *s, size_t n)
{
    return append(ev, loc, l, tfg_val_str(s, n));
}

/* str.split(sep=None, maxsplit=-1) */
static int sm_split(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[2];
    int64_t maxsplit = -1;
    if (mbind(ev, a, "split", "sep=,maxsplit=", p))
        return -1;
    if (p[1].t != TFG_V_MISSING && get_index(ev, p[1], a->loc, &maxsplit))
        return -1;
    if (p[0].t != TFG_V_MISSING && p[0].t != TFG_V_NONE && p[0].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "must be str or None, not %s", tfg_val_type_name(p[0]));
    const char *s = sv(self);
    size_t n = slen(self), i = 0;
    tfg_val r = tfg_val_list_new(TFG_V_LIST, 0);
    if (r.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    int rc = 0;
    if (p[0].t != TFG_V_STR) {
        /* runs of whitespace separate; no empty strings */
        int64_t splits = 0;
        while (!rc) {
            while (i < n && isspace((unsigned char)s[i]))
                i++;
            if (i >= n)
                break;
            size_t j = i;
            if (maxsplit >= 0 && splits >= maxsplit) {
                size_t e = n;
                while (e > i && isspace((unsigned char)s[e - 1]))
                    e--;
                rc = push_str(ev, a->loc, r, s + i, e - i);
                break;
            }
            while (j < n && !isspace((unsigned char)s[j]))
                j++;
            rc = push_str(ev, a->loc, r, s + i, j - i);
            splits++;
            i = j;
        }
    } else {
        const char *sep = sv(p[0]);
        size_t m = slen(p[0]);
        if (m == 0) {
            tfg_val_decref(r);
            return tfg_eval_error(ev, a->loc, "empty separator");
        }
        int64_t splits = 0;
        while (!rc) {
            const char *hit = (maxsplit < 0 || splits < maxsplit) ? memmem(s + i, n - i, sep, m)
                                                                  : NULL;
            if (!hit) {
                rc = push_str(ev, a->loc, r, s + i, n - i);
                break;
            }
            size_t k = (size_t)(hit - s);
            rc = push_str(ev, a->loc, r, s + i, k - i);
            i = k + m;
            splits++;
        }
    }
    return give_list(rc, r, out);
}

/* Case mapping of ASCII letters: upper or lower. */
static int str_case(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, bool upper)
{
    tfg_val p[1];
    if (mbind(ev, a, upper ? "upper" : "lower", "", p))
        return -1;
    tfg_val r = tfg_val_str(sv(self), slen(self));
    if (r.t == TFG_V_MISSING)
        return oom(ev, a->loc);
    tfg_str *s = r.u.p;
    for (size_t i = 0; i < s->len; i++)
        s->s[i] = (char)(upper ? toupper((unsigned char)s->s[i]) : tolower((unsigned char)s->s[i]));
    *out = r;
    return 0;
}

/* str.upper(), str.lower() */
BUILTIN_ROW(sm_upper, str_case, true)
BUILTIN_ROW(sm_lower, str_case, false)

/* strip / lstrip / rstrip (chars=None: whitespace); which: 1 left, 2 right, 3 both. */
static int str_strip(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, int which)
{
    tfg_val p[1];
    if (mbind(ev, a, which == 3 ? "strip" : which == 1 ? "lstrip" : "rstrip", "chars=", p))
        return -1;
    if (p[0].t != TFG_V_MISSING && p[0].t != TFG_V_NONE && p[0].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "%s arg must be None or str",
                              which == 3 ? "strip" : which == 1 ? "lstrip" : "rstrip");
    const char *s = sv(self);
    size_t i = 0, e = slen(self);
    bool ws = p[0].t != TFG_V_STR;
    const char *chars = ws ? "" : sv(p[0]);
    size_t nc = ws ? 0 : slen(p[0]);
    while ((which & 1) && i < e &&
           (ws ? isspace((unsigned char)s[i]) != 0 : memchr(chars, s[i], nc) != NULL))
        i++;
    while ((which & 2) && e > i &&
           (ws ? isspace((unsigned char)s[e - 1]) != 0 : memchr(chars, s[e - 1], nc) != NULL))
        e--;
    return give(ev, a->loc, tfg_val_str(s + i, e - i), out);
}

/* str.strip(chars=None), str.lstrip(chars=None), str.rstrip(chars=None) */
BUILTIN_ROW(sm_strip, str_strip, 3)
BUILTIN_ROW(sm_lstrip, str_strip, 1)
BUILTIN_ROW(sm_rstrip, str_strip, 2)

/* str.replace(old, new, count=-1) */
static int sm_replace(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[3];
    int64_t count = -1;
    if (mbind(ev, a, "replace", "old,new,count=", p))
        return -1;
    if (p[0].t != TFG_V_STR || p[1].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "replace() argument %d must be str, not %s",
                              p[0].t != TFG_V_STR ? 1 : 2,
                              tfg_val_type_name(p[0].t != TFG_V_STR ? p[0] : p[1]));
    if (p[2].t != TFG_V_MISSING && get_index(ev, p[2], a->loc, &count))
        return -1;
    const char *s = sv(self), *old = sv(p[0]), *nw = sv(p[1]);
    size_t n = slen(self), m = slen(p[0]), k = slen(p[1]), i = 0;
    tfg_sb b = {0};
    int64_t done = 0;
    if (m == 0) {
        /* insert between code points (ASCII view is enough for the count logic) */
        size_t *offs = NULL;
        int64_t cps = 0;
        if (tfg_pyapi_u8_offsets(s, n, &offs, &cps))
            return oom(ev, a->loc);
        for (int64_t c = 0; c <= cps; c++) {
            if (count < 0 || done < count) {
                tfg_sb_addn(&b, nw, k);
                done++;
            }
            if (c < cps)
                tfg_sb_addn(&b, s + offs[c], offs[c + 1] - offs[c]);
        }
        free(offs);
        return give(ev, a->loc, sb_val(&b), out);
    }
    while (i <= n) {
        const char *hit = (count < 0 || done < count) ? memmem(s + i, n - i, old, m) : NULL;
        if (!hit) {
            tfg_sb_addn(&b, s + i, n - i);
            break;
        }
        size_t h = (size_t)(hit - s);
        tfg_sb_addn(&b, s + i, h - i);
        tfg_sb_addn(&b, nw, k);
        i = h + m;
        done++;
    }
    return give(ev, a->loc, sb_val(&b), out);
}

/* startswith / endswith with a str or a tuple of str. */
static int str_affix(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, bool start)
{
    tfg_val p[3];
    if (mbind(ev, a, start ? "startswith" : "endswith", "prefix,start=,end=", p))
        return -1;
    const tfg_val *cands = &p[0];
    int nc = 1;
    if (p[0].t == TFG_V_TUPLE) {
        cands = tfg_val_as_list(p[0])->items;
        nc = tfg_val_as_list(p[0])->n;
    }
    const char *s = sv(self);
    size_t n = slen(self);
    bool hit = false;
    for (int i = 0; i < nc; i++) {
        if (cands[i].t != TFG_V_STR)
            return tfg_eval_error(ev, a->loc, "%s first arg must be str or a tuple of str, not %s",
                                  start ? "startswith" : "endswith", tfg_val_type_name(cands[i]));
        size_t m = slen(cands[i]);
        if (m <= n && !memcmp(start ? s : s + n - m, sv(cands[i]), m))
            hit = true;
    }
    *out = tfg_val_bool(hit);
    return 0;
}

/* str.startswith(prefix, start=None, end=None), str.endswith(suffix, ...) */
BUILTIN_ROW(sm_startswith, str_affix, true)
BUILTIN_ROW(sm_endswith, str_affix, false)

/* The argument of str.find / str.count: a str. */
static int sub_arg(tfg_eval *ev, tfg_args *a, const char *name, tfg_val *p)
{
    if (mbind(ev, a, name, "sub", p))
        return -1;
    if (p[0].t != TFG_V_STR)
        return tfg_eval_error(ev, a->loc, "must be str, not %s", tfg_val_type_name(p[0]));
    return 0;
}

/* str.find(sub): code point index or -1. */
static int sm_find(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (sub_arg(ev, a, "find", p))
        return -1;
    const char *hit = memmem(sv(self), slen(self), sv(p[0]), slen(p[0]));
    if (slen(p[0]) == 0)
        hit = sv(self);
    *out = tfg_val_int(hit ? tfg_pyapi_u8_len(sv(self), (size_t)(hit - sv(self))) : -1);
    return 0;
}

/* str.count(sub): non-overlapping occurrences. */
static int sm_count(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    if (sub_arg(ev, a, "count", p))
        return -1;
    size_t m = slen(p[0]), n = slen(self), i = 0;
    int64_t c = 0;
    if (m == 0) {
        *out = tfg_val_int(tfg_pyapi_u8_len(sv(self), n) + 1);
        return 0;
    }
    const char *hit;
    while (i <= n && (hit = memmem(sv(self) + i, n - i, sv(p[0]), m))) {
        c++;
        i = (size_t)(hit - sv(self)) + m;
    }
    *out = tfg_val_int(c);
    return 0;
}

/* ljust / rjust / center (width, fillchar=' '); align '<' '>' '^'. */
static int str_justify(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out, char align)
{
    tfg_val p[2];
    int64_t w = 0;
    const char *name = align == '<' ? "ljust" : align == '>' ? "rjust" : "center";
    if (mbind(ev, a, name, "width,fillchar=", p) || get_index(ev, p[0], a->loc, &w))
        return -1;
    fmt_spec f = {.width = w > 100000 ? 100000 : (int)w, .prec = -1, .align = align, .fill = ' '};
    if (p[1].t != TFG_V_MISSING) {
        if (p[1].t != TFG_V_STR || slen(p[1]) != 1)
            return tfg_eval_error(ev, a->loc,
                                  "The fill character must be exactly one character long");
        f.fill = sv(p[1])[0];
    }
    tfg_sb b = {0};
    if (align == '^') {
        /* Python's center puts the odd pad on the right when the width is odd... */
        int64_t cps = tfg_pyapi_u8_len(sv(self), slen(self));
        int64_t padn = f.width > cps ? f.width - cps : 0;
        int64_t left = padn / 2 + (padn & f.width & 1);
        for (int64_t i = 0; i < left; i++)
            tfg_sb_addn(&b, &f.fill, 1);
        tfg_sb_addn(&b, sv(self), slen(self));
        for (int64_t i = left; i < padn; i++)
            tfg_sb_addn(&b, &f.fill, 1);
    } else {
        pad_into(&b, sv(self), slen(self), &f, align);
    }
    return give(ev, a->loc, sb_val(&b), out);
}

/* str.ljust(width, fillchar=' '), str.rjust(...), str.center(...) */
BUILTIN_ROW(sm_ljust, str_justify, '<')
BUILTIN_ROW(sm_rjust, str_justify, '>')
BUILTIN_ROW(sm_center, str_justify, '^')

/* str.zfill(width) */
static int sm_zfill(tfg_eval *ev, tfg_val self, tfg_args *a, tfg_val *out)
{
    tfg_val p[1];
    int64_t w = 0;
    if (mbind(ev, a, "zfill", "width", p) || get_index(ev, p[0], a->loc, &w))
        return -1;
    fmt_spec f = {.width = w > 100000 ? 100000 : (int)w, .prec = -1, .align = '=', .fill = '0'};
    tfg_sb b = {0};
    pad_into(&b, sv(self), slen(self), &f, '=');
    return give(ev, a->loc, sb_val(&b), out);
}

/* The methods of strings. */
const tfg_builtin tfg_pyapi_str_methods[] = {
    {"format", sm_format, NULL, 0},      {"join", sm_join, NULL, 0},
    {"split", sm_split, NULL, 0},        {"upper", sm_upper, NULL, 0},
    {"lower", sm_lower, NULL, 0},        {"strip", sm_strip, NULL, 0},
    {"lstrip", sm_lstrip, NULL, 0},      {"rstrip", sm_rstrip, NULL, 0},
    {"replace", sm_replace, NULL, 0},    {"startswith", sm_startswith, NULL, 0},
    {"endswith", sm_endswith, NULL, 0},  {"find", sm_find, NULL, 0},
    {"count", sm_count, NULL, 0},        {"ljust", sm_ljust, NULL, 0},
    {"rjust", sm_rjust, NULL, 0},        {"center", sm_center, NULL, 0},
    {"zfill", sm_zfill, NULL, 0},
    {NULL, NULL, NULL, 0},
};

