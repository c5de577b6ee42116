/* jscan (see jscan.h): one strict validating pass over the text, then iterators that trust it.
 * The validator is a loop over a small state machine with an explicit stack (one bit per open
 * container: object or array), so outside input cannot drive the C stack deep. String bodies are
 * skipped 16 bytes at a time (SSE2; 8 with a portable word trick elsewhere) up to the next '"',
 * '\\', control or non-ASCII byte. The iterators find value ends with memchr and a bracket count.
 * Nothing is allocated except in the rare exact check of a real number near DBL_MAX. */
#include "jscan.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/text.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* --- validation (jscan_parse) --- */

struct scan {
    const char *s; /* start of the text, for error offsets */
    const char *end;
    struct jscan_error *err;
};

/* A byte for a message: "'x'", "byte 0xff" or "the end of the line". Always printable ASCII. */
static void describe(const char *p, const char *end, char *out, size_t cap)
{
    if (p >= end) {
        snprintf(out, cap, "the end of the line");
        return;
    }
    unsigned char c = (unsigned char)*p;
    if (c > 0x20 && c < 0x7F && c != '\'')
        snprintf(out, cap, "'%c'", c);
    else
        snprintf(out, cap, "byte 0x%02x", c);
}

static void vfail(struct scan *sc, const char *at, const char *fmt, va_list ap)
{
    if (sc->err) {
        sc->err->offset = (size_t)(at - sc->s);
        vsnprintf(sc->err->msg, sizeof sc->err->msg, fmt, ap);
    }
}

/* Record the first problem, at byte `at`. Returns NULL so scanners can `return fail(...)`. */
__attribute__((format(printf, 3, 4))) static const char *fail(struct scan *sc, const char *at,
                                                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(sc, at, fmt, ap);
    va_end(ap);
    return NULL;
}

/* The same, returning PB_EPARSE for jscan_parse. */
__attribute__((format(printf, 3, 4))) static int efail(struct scan *sc, const char *at,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(sc, at, fmt, ap);
    va_end(ap);
    return PB_EPARSE;
}

/* efail() with "<what>, found <the byte at p>". */
static int efail_found(struct scan *sc, const char *p, const char *what)
{
    char b[24];
    describe(p, sc->end, b, sizeof b);
    return efail(sc, p, "%s, found %s", what, b);
}

static inline int is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

static inline int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Hex digit value + 1, 0 for other bytes. */
static const unsigned char hexval[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* The value of the 4 hex digits at p (p + 4 <= end), or -1. */
static long hex4(const char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned d = hexval[(unsigned char)p[i]];
        if (!d)
            return -1;
        v = v * 16 + (long)(d - 1);
    }
    return v;
}

/* The first byte in [p, end) that is '"', '\\', below 0x20 or above 0x7F; end if none. */
static inline const char *find_special(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* Signed compare: bytes 0x80..0xFF are negative, so "< 0x20" also catches non-ASCII. */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmplt_epi8(x, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - p >= 8) {
        uint64_t w, q, b;
        memcpy(&w, p, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        /* The lowest flagged byte is exact (borrows only run upwards), the rest may not be. */
        uint64_t m = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & highs;
        if (m)
            return p + __builtin_ctzll(m) / 8;
        p += 8;
    }
#endif
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return p;
        p++;
    }
    return end;
}

/* p is just after an opening quote. Returns the position after the closing quote, or NULL.
 * Sets *has_escape if the string holds a backslash. */
static const char *scan_string(struct scan *sc, const char *p, int is_key, int *has_escape)
{
    const char *end = sc->end;
    for (;;) {
        p = find_special(p, end);
        if (p >= end)
            return fail(sc, end, "the line ends inside a string (no closing '\"')");
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c >= 0x80) {
            size_t k = text_utf8_seq((const unsigned char *)p, (size_t)(end - p));
            if (!k)
                return fail(sc, p, "invalid UTF-8 (byte 0x%02x) in a string", c);
            p += k;
            continue;
        }
        if (c < 0x20)
            return fail(sc, p, "control character 0x%02x in a string (must be escaped)", c);
        /* A backslash. */
        *has_escape = 1;
        if (end - p < 2)
            return fail(sc, end, "the line ends inside a string (no closing '\"')");
        switch (p[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't': p += 2; continue;
        case 'u': break;
        default: {
            char b[24];
            describe(p + 1, end, b, sizeof b);
            return fail(sc, p, "invalid escape: a backslash before %s", b);
        }
        }
        long u = end - p >= 6 ? hex4(p + 2) : -1;
        if (u < 0)
            return fail(sc, p, "invalid \\u escape (4 hex digits must follow)");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return fail(sc, p, "invalid \\u escape: \\u%04lX is a low surrogate without a high one",
                        u);
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return fail(
                    sc, p, "invalid \\u escape: \\u%04lX is a high surrogate without a low one", u);
            p += 12;
            continue;
        }
        if (u == 0 && is_key)
            return fail(sc, p, "\\u0000 in a member name");
        p += 6;
    }
}

/* Exact overflow test for a real whose leading digit is in the 10^308 place: strtod decides
 * (as it does for jansson). The program never calls setlocale, so '.' is the decimal point. */
static int real_overflows(const char *p, size_t n)
{
    char *copy = xstrndup(p, n);
    errno = 0;
    double d = strtod(copy, NULL);
    int is_over = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
    xfree(copy);
    return is_over;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? with jansson's range rules (see jscan.h). */
static const char *scan_number(struct scan *sc, const char *p)
{
    const char *end = sc->end, *start = p;
    int is_neg = *p == '-';
    if (is_neg)
        p++;
    if (p >= end || !is_digit(*p))
        return fail(sc, p, "invalid number: a digit must follow '-'");
    const char *int_start = p;
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p))
            return fail(sc, start, "invalid number: leading zero");
    } else {
        while (p < end && is_digit(*p))
            p++;
    }
    const char *int_end = p, *frac_start = p, *frac_end = p;
    int is_real = 0;
    long long exp = 0;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return fail(sc, p, "invalid number: a digit must follow '.'");
        frac_start = p;
        while (p < end && is_digit(*p))
            p++;
        frac_end = p;
        is_real = 1;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int is_exp_neg = p < end && *p == '-';
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return fail(sc, p, "invalid number: the exponent has no digits");
        while (p < end && is_digit(*p)) {
            if (exp < 1000000000)
                exp = exp * 10 + (*p - '0');
            p++;
        }
        if (is_exp_neg)
            exp = -exp;
        is_real = 1;
    }
    if (!is_real) {
        size_t len = (size_t)(int_end - int_start);
        if (len > 19 ||
            (len == 19 &&
             memcmp(int_start, is_neg ? "9223372036854775808" : "9223372036854775807", 19) > 0))
            return fail(sc, start, "integer out of range (more than 64 bits)");
        return p;
    }
    /* Decimal exponent of the leading significant digit. */
    long long lead;
    if (*int_start != '0') {
        lead = (long long)(int_end - int_start) - 1;
    } else {
        const char *q = frac_start;
        while (q < frac_end && *q == '0')
            q++;
        if (q == frac_end)
            return p; /* zero */
        lead = -(long long)(q - frac_start) - 1;
    }
    if (lead + exp > 308 || (lead + exp == 308 && real_overflows(start, (size_t)(p - start))))
        return fail(sc, start, "number out of range (too large for a double)");
    return p;
}

int jscan_parse(const char *s, size_t n, struct jval *root, struct jscan_error *err)
{
    if (!s)
        s = ""; /* then n is 0; avoids arithmetic on a null pointer */
    struct scan sc = {s, s + n, err};
    const char *end = sc.end;
    uint64_t is_object[JSCAN_MAX_DEPTH / 64]; /* bit d: the container at depth d is an object */
    size_t depth = 0;                         /* open containers */
    int root_escape = 0, esc = 0;
    const char *p = skip_ws(s, end);
    const char *start = p;

    /* The states are labels: value (a value must start at p), key (a member name must start at
     * p), after (a value ended just before p). */
value:
    if (depth == JSCAN_MAX_DEPTH)
        return efail(&sc, p, "nested deeper than %d levels", JSCAN_MAX_DEPTH);
    if (p >= end)
        return efail(&sc, p, "the line ends where a value should be");
    switch (*p) {
    case '"':
        esc = 0;
        p = scan_string(&sc, p + 1, 0, &esc);
        if (!p)
            return PB_EPARSE;
        if (!depth)
            root_escape = esc;
        goto after;
    case '{':
        is_object[depth / 64] |= (uint64_t)1 << (depth % 64);
        depth++;
        p = skip_ws(p + 1, end);
        if (p < end && *p == '}') {
            p++;
            depth--;
            goto after;
        }
        goto key;
    case '[':
        is_object[depth / 64] &= ~((uint64_t)1 << (depth % 64));
        depth++;
        p = skip_ws(p + 1, end);
        if (p < end && *p == ']') {
            p++;
            depth--;
            goto after;
        }
        goto value;
    case 't':
        if (end - p < 4 || memcmp(p, "true", 4))
            return efail(&sc, p, "invalid literal (true, false or null expected)");
        p += 4;
        goto after;
    case 'f':
        if (end - p < 5 || memcmp(p, "false", 5))
            return efail(&sc, p, "invalid literal (true, false or null expected)");
        p += 5;
        goto after;
    case 'n':
        if (end - p < 4 || memcmp(p, "null", 4))
            return efail(&sc, p, "invalid literal (true, false or null expected)");
        p += 4;
        goto after;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        p = scan_number(&sc, p);
        if (!p)
            return PB_EPARSE;
        goto after;
    default: return efail_found(&sc, p, "expected a value");
    }

key:
    if (p >= end)
        return efail(&sc, p, "the line ends inside an object (no closing '}')");
    if (*p != '"')
        return efail_found(&sc, p, "expected a member name in double quotes");
    p = scan_string(&sc, p + 1, 1, &esc);
    if (!p)
        return PB_EPARSE;
    p = skip_ws(p, end);
    if (p >= end || *p != ':')
        return efail_found(&sc, p, "expected ':' after a member name");
    p = skip_ws(p + 1, end);
    goto value;

after:
    if (depth == 0) {
        const char *value_end = p;
        p = skip_ws(p, end);
        if (p != end)
            return efail_found(&sc, p, "expected the end of the line after the JSON value");
        if (root) {
            root->has_escape = 0;
            root->p = start;
            root->n = (size_t)(value_end - start);
            switch (*start) {
            case '"':
                root->type = JSCAN_STRING;
                root->p++;
                root->n -= 2;
                root->has_escape = root_escape;
                break;
            case '{': root->type = JSCAN_OBJECT; break;
            case '[': root->type = JSCAN_ARRAY; break;
            case 't': root->type = JSCAN_TRUE; break;
            case 'f': root->type = JSCAN_FALSE; break;
            case 'n': root->type = JSCAN_NULL; break;
            default: root->type = JSCAN_NUMBER; break;
            }
        }
        return 0;
    }
    p = skip_ws(p, end);
    if (is_object[(depth - 1) / 64] & ((uint64_t)1 << ((depth - 1) % 64))) {
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == '}')
                return efail(&sc, p, "trailing comma before '}'");
            goto key;
        }
        if (p < end && *p == '}') {
            p++;
            depth--;
            goto after;
        }
        if (p >= end)
            return efail(&sc, p, "the line ends inside an object (no closing '}')");
        return efail_found(&sc, p, "expected ',' or '}' after an object member");
    }
    if (p < end && *p == ',') {
        p = skip_ws(p + 1, end);
        if (p < end && *p == ']')
            return efail(&sc, p, "trailing comma before ']'");
        goto value;
    }
    if (p < end && *p == ']') {
        p++;
        depth--;
        goto after;
    }
    if (p >= end)
        return efail(&sc, p, "the line ends inside a list (no closing ']')");
    return efail_found(&sc, p, "expected ',' or ']' after a list element");
}

/* --- walking accepted text: find where values end, never reading past `end` --- */

/* p is at an opening quote; returns the closing quote, or NULL. */
static const char *string_close(const char *p, const char *end)
{
    const char *s = p + 1, *q = s;
    for (;;) {
        q = memchr(q, '"', (size_t)(end - q));
        if (!q)
            return NULL;
        /* Escaped iff an odd run of backslashes precedes it: in accepted text every backslash
         * starts an escape, and only "\\" ends in one. */
        size_t k = 0;
        while (q - k > s && q[-1 - (ptrdiff_t)k] == '\\')
            k++;
        if (!(k & 1))
            return q;
        q++;
    }
}

static const char *span_string(const char *p, const char *end, struct jval *v)
{
    const char *q = string_close(p, end);
    if (!q)
        return NULL;
    v->type = JSCAN_STRING;
    v->p = p + 1;
    v->n = (size_t)(q - v->p);
    v->has_escape = v->n && memchr(v->p, '\\', v->n) != NULL;
    return q + 1;
}

/* p is at '[' or '{'; returns the position after the matching bracket, or NULL. */
static const char *span_container(const char *p, const char *end)
{
    size_t depth = 0;
    for (; p < end; p++) {
        char c = *p;
        if (c == '"') {
            p = string_close(p, end);
            if (!p)
                return NULL;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (--depth == 0)
                return p + 1;
        }
    }
    return NULL;
}

static const char *span_value(const char *p, const char *end, struct jval *v)
{
    if (p >= end)
        return NULL;
    v->has_escape = 0;
    v->p = p;
    size_t n = 0;
    switch (*p) {
    case '"': return span_string(p, end, v);
    case '[':
    case '{': {
        const char *q = span_container(p, end);
        if (!q)
            return NULL;
        v->type = *p == '[' ? JSCAN_ARRAY : JSCAN_OBJECT;
        v->n = (size_t)(q - p);
        return q;
    }
    case 't':
        v->type = JSCAN_TRUE;
        n = 4;
        break;
    case 'f':
        v->type = JSCAN_FALSE;
        n = 5;
        break;
    case 'n':
        v->type = JSCAN_NULL;
        n = 4;
        break;
    default:
        if (*p != '-' && !is_digit(*p))
            return NULL;
        v->type = JSCAN_NUMBER;
        while (n < (size_t)(end - p) && (is_digit(p[n]) || p[n] == '-' || p[n] == '+' ||
                                         p[n] == '.' || p[n] == 'e' || p[n] == 'E'))
            n++;
        break;
    }
    if (n > (size_t)(end - p))
        return NULL;
    v->n = n;
    return p + n;
}

void jscan_iter(const struct jval *container, struct jiter *it)
{
    it->p = it->end = NULL;
    if (container && (container->type == JSCAN_ARRAY || container->type == JSCAN_OBJECT) &&
        container->p && container->n >= 2) {
        it->p = container->p + 1;
        it->end = container->p + container->n - 1;
    }
}

/* Past white space and one separating comma. */
static const char *next_item(const char *p, const char *end)
{
    p = skip_ws(p, end);
    if (p < end && *p == ',')
        p = skip_ws(p + 1, end);
    return p;
}

int jscan_next_elem(struct jiter *it, struct jval *val)
{
    if (!it->p)
        return 0;
    const char *q = span_value(next_item(it->p, it->end), it->end, val);
    if (!q) {
        it->p = it->end;
        return 0;
    }
    it->p = q;
    return 1;
}

int jscan_next_member(struct jiter *it, struct jval *key, struct jval *val)
{
    if (!it->p)
        return 0;
    const char *end = it->end;
    const char *p = next_item(it->p, end);
    it->p = end;
    if (p >= end || *p != '"')
        return 0;
    p = span_string(p, end, key);
    if (!p)
        return 0;
    p = skip_ws(p, end);
    if (p >= end || *p != ':')
        return 0;
    p = span_value(skip_ws(p + 1, end), end, val);
    if (!p)
        return 0;
    it->p = p;
    return 1;
}

/* --- decoding --- */

static size_t utf8_put(long u, char *out)
{
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | (u >> 6));
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | (u >> 12));
        out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (u >> 18));
    out[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* *pp is at a backslash of accepted text: decode one escape (a surrogate pair counts as one) into
 * out[0..4), advance *pp past it and return the byte count. Never more bytes than it consumed.
 * Text jscan_parse did not accept may decode to nonsense but is not read past end. */
static size_t decode_escape(const char **pp, const char *end, char *out)
{
    const char *p = *pp;
    if (end - p < 2) {
        *pp = end;
        return 0;
    }
    char c = p[1];
    *pp = p + 2;
    switch (c) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = c; return 1; /* '"', '\\', '/' */
    }
    long u = end - p >= 6 ? hex4(p + 2) : -1;
    if (u < 0)
        return 0;
    p += 6;
    if (u >= 0xD800 && u <= 0xDBFF) {
        long lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        } else {
            u = 0xFFFD; /* not in accepted text */
        }
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
        u = 0xFFFD; /* not in accepted text */
    }
    *pp = p;
    return utf8_put(u, out);
}

/* Slow path of jscan_string when the raw text does not fit out's cap: one append per piece. */
static int string_by_parts(const char *p, const char *end, struct buf *out)
{
    while (p < end) {
        const char *q = memchr(p, '\\', (size_t)(end - p));
        if (!q)
            return buf_append(out, p, (size_t)(end - p));
        int rc = buf_append(out, p, (size_t)(q - p));
        if (rc)
            return rc;
        char tmp[4];
        size_t k = decode_escape(&q, end, tmp);
        rc = buf_append(out, tmp, k);
        if (rc)
            return rc;
        p = q;
    }
    return 0;
}

int jscan_string(const struct jval *v, struct buf *out)
{
    if (!v || v->type != JSCAN_STRING)
        return PB_EINVAL;
    if (!v->n)
        return buf_append(out, "", 0);
    if (!v->has_escape)
        return buf_append(out, v->p, v->n);
    /* Decoding never lengthens ("\n" -> 1 byte, "\uXXXX" -> at most 3, a surrogate pair -> 4),
     * so reserve v->n bytes by appending the raw text and decode over it in place. */
    size_t base = out->len;
    if (buf_append(out, v->p, v->n) != 0)
        return string_by_parts(v->p, v->p + v->n, out);
    const char *p = v->p, *end = v->p + v->n;
    char *o = out->data + base;
    while (p < end) {
        const char *q = memchr(p, '\\', (size_t)(end - p));
        if (!q)
            q = end;
        memmove(o, p, (size_t)(q - p));
        o += q - p;
        if (q == end)
            break;
        o += decode_escape(&q, end, o);
        p = q;
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = 0;
    return 0;
}

/* 1 if string v decodes to exactly lit[0..n). */
static int str_eq(const struct jval *v, const char *lit, size_t n)
{
    if (!v->has_escape)
        return v->n == n && memcmp(v->p, lit, n) == 0;
    const char *p = v->p, *end = v->p + v->n;
    size_t i = 0;
    while (p < end) {
        char tmp[4];
        size_t k = 1;
        if (*p == '\\')
            k = decode_escape(&p, end, tmp);
        else
            tmp[0] = *p++;
        if (k > n - i || memcmp(tmp, lit + i, k) != 0)
            return 0;
        i += k;
    }
    return i == n;
}

int jscan_str_eq(const struct jval *v, const char *lit)
{
    return v && v->type == JSCAN_STRING && str_eq(v, lit, strlen(lit));
}

void jscan_fields(const struct jval *obj, const char *const *keys, size_t n_keys, struct jval *vals)
{
    size_t lens[64];
    for (size_t i = 0; i < n_keys; i++) {
        vals[i].type = JSCAN_NONE;
        vals[i].has_escape = 0;
        vals[i].p = NULL;
        vals[i].n = 0;
        if (i < sizeof lens / sizeof lens[0])
            lens[i] = strlen(keys[i]);
    }
    if (!obj || obj->type != JSCAN_OBJECT)
        return;
    struct jiter it;
    struct jval k, v;
    jscan_iter(obj, &it);
    while (jscan_next_member(&it, &k, &v)) {
        for (size_t i = 0; i < n_keys; i++) {
            size_t len = i < sizeof lens / sizeof lens[0] ? lens[i] : strlen(keys[i]);
            if ((k.has_escape || k.n == len) && str_eq(&k, keys[i], len))
                vals[i] = v;
        }
    }
}

int jscan_get(const struct jval *obj, const char *key, struct jval *val)
{
    jscan_fields(obj, &key, 1, val);
    return val->type != JSCAN_NONE;
}

size_t jscan_count(const struct jval *container)
{
    struct jiter it;
    struct jval k, v;
    size_t n = 0;
    jscan_iter(container, &it);
    if (container && container->type == JSCAN_OBJECT) {
        while (jscan_next_member(&it, &k, &v))
            n++;
    } else {
        while (jscan_next_elem(&it, &v))
            n++;
    }
    return n;
}

int jscan_int(const struct jval *v, long long *out)
{
    if (!v || v->type != JSCAN_NUMBER || !v->n)
        return PB_EINVAL;
    const char *p = v->p, *end = v->p + v->n;
    int is_neg = *p == '-';
    if (is_neg)
        p++;
    if (p >= end || (size_t)(end - p) > 19)
        return PB_EINVAL;
    unsigned long long acc = 0;
    for (; p < end; p++) {
        if (!is_digit(*p))
            return PB_EINVAL;
        acc = acc * 10 + (unsigned)(*p - '0');
    }
    unsigned long long lim =
        is_neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX;
    if (acc > lim)
        return PB_EINVAL;
    *out = is_neg ? (acc == lim ? INT64_MIN : -(long long)acc) : (long long)acc;
    return 0;
}

const char *jscan_type_name(enum jtype type)
{
    switch (type) {
    case JSCAN_OBJECT: return "an object";
    case JSCAN_ARRAY: return "a list";
    case JSCAN_STRING: return "a string";
    case JSCAN_NUMBER: return "a number";
    case JSCAN_TRUE:
    case JSCAN_FALSE: return "a boolean";
    case JSCAN_NULL: return "null";
    case JSCAN_NONE: return "nothing";
    }
    return "?";
}
