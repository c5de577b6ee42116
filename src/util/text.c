/* UTF-8 validation and white-space normalisation (see text.h for the rules). */
#include "text.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "alloc.h"
#include "buf.h"

size_t text_utf8_seq(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int text_is_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    while (n) {
        size_t k = text_utf8_seq(p, n);
        if (!k)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

static inline int is_printable(unsigned c)
{
    return c > 0x20 && c < 0x7F;
}

/* Copy the run of printable ASCII other than space at p[0..n) to out; returns its length. out
 * has 16 bytes of slack past what the run needs: blocks are stored whole. */
static size_t copy_printable(const unsigned char *p, size_t n, char *out)
{
    size_t j = 0;
#if defined(__SSE2__)
    /* c + 0x5F maps 0x21..0x7E to 0x80..0xDD, the signed bytes below -34. */
    const __m128i shift = _mm_set1_epi8(0x5F), limit = _mm_set1_epi8(-34);
    while (n - j >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
        unsigned ok = (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(limit, _mm_add_epi8(x, shift)));
        _mm_storeu_si128((__m128i *)(void *)(out + j), x);
        if (ok != 0xFFFF)
            return j + (size_t)__builtin_ctz(~ok);
        j += 16;
    }
#endif
    while (j < n && is_printable(p[j])) {
        out[j] = (char)p[j];
        j++;
    }
    return j;
}

char *text_normalize(const char *s, size_t n)
{
    /* Valid UTF-8 never grows here (white space only collapses, control characters only go):
     * only an invalid byte does, into U+FFFD (3 bytes). So start at n + 1 bytes and widen to the
     * worst case, 3 per input byte, at the first invalid byte. Until then o <= i. 16 bytes of
     * slack for copy_printable's whole-block stores. */
    size_t cap = n + 17;
    char *out = xmalloc(cap);
    size_t o = 0;
    int pending_space = 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        /* Fast path: one space between printable characters is kept as is. */
        if (c == ' ' && i + 1 < n && is_printable(p[i + 1])) {
            if (o > 0)
                out[o++] = ' ';
            pending_space = 0;
            c = p[++i];
        }
        if (is_printable(c)) {
            /* Fast path: a run of printable ASCII other than space is copied as is. */
            if (pending_space)
                out[o++] = ' ';
            pending_space = 0;
            size_t k = copy_printable(p + i, n - i, out + o);
            o += k;
            i += k;
            continue;
        }
        if (c < 0x80) {
            i++;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                pending_space = o > 0;
                continue;
            }
            if (c < 0x20 || c == 0x7F)
                continue;
            if (pending_space)
                out[o++] = ' ';
            pending_space = 0;
            out[o++] = (char)c;
            continue;
        }
        size_t k = text_utf8_seq(p + i, n - i);
        if (pending_space)
            out[o++] = ' ';
        pending_space = 0;
        if (!k) {
            if (cap < n * 3 + 17) {
                cap = n * 3 + 17;
                out = xrealloc(out, cap);
            }
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        /* U+00A0 no-break space and U+2028/2029 separators count as white space. */
        if ((k == 2 && p[i] == 0xC2 && p[i + 1] == 0xA0) ||
            (k == 3 && p[i] == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9))) {
            pending_space = o > 0;
            i += k;
            continue;
        }
        memcpy(out + o, p + i, k);
        o += k;
        i += k;
    }
    out[o] = 0;
    return out;
}

int text_starts_with(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        char a = *s, b = *prefix;
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

char *text_trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    if (i)
        memmove(s, s + i, n - i + 1);
    return s;
}

int text_html_escape(struct buf *b, const char *s, size_t n)
{
    size_t run = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        rc = buf_append(b, s + run, i - run) || buf_puts(b, rep) ? PB_ETOOBIG : 0;
        run = i + 1;
    }
    return rc ? rc : buf_append(b, s + run, n - run);
}
