/* URL-encoded forms (form.h). */
#include "form.h"

#include <string.h>

#include "../util/alloc.h"
#include "../util/text.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *form_decode(const char *s, size_t n, int plus_is_space)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                xfree(out);
                return NULL;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') {
            xfree(out);
            return NULL;
        }
        out[o++] = c;
    }
    out[o] = 0;
    if (!text_is_utf8(out, o)) {
        xfree(out);
        return NULL;
    }
    return out;
}

void form_release(struct form *f)
{
    for (int i = 0; i < f->n; i++) {
        xfree(f->key[i]);
        xfree(f->value[i]);
    }
    f->n = 0;
}

int form_parse(struct form *f, const char *s, size_t n)
{
    f->n = 0;
    if (n > FORM_MAX_BYTES)
        return PB_ETOOBIG;
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *fe = amp ? amp : end;
        if (fe > p) {
            if (f->n == FORM_MAX_FIELDS) {
                form_release(f);
                return PB_ETOOBIG;
            }
            const char *eq = memchr(p, '=', (size_t)(fe - p));
            const char *ke = eq ? eq : fe;
            char *k = form_decode(p, (size_t)(ke - p), 1);
            char *v = eq ? form_decode(eq + 1, (size_t)(fe - eq - 1), 1) : xstrdup("");
            if (!k || !v) {
                xfree(k);
                xfree(v);
                form_release(f);
                return PB_EINVAL;
            }
            f->key[f->n] = k;
            f->value[f->n] = v;
            f->n++;
        }
        p = amp ? amp + 1 : end;
    }
    return 0;
}

const char *form_get(const struct form *f, const char *key)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->key[i], key))
            return f->value[i];
    return NULL;
}
