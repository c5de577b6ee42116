/* The differential oracle for src/ingest/jscan.c, shared by tests/unit/test_jscan.c and the fuzz
 * target tests/fuzz/fuzz_jscan.c: jansson's json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL), the
 * call the importers made before jscan, must accept exactly the texts jscan_parse accepts, and
 * every value must read the same: types, decoded strings (NUL bytes included), integers, reals,
 * array elements in order, object members with the last duplicate winning (jscan_get,
 * jscan_fields, jscan_count). A rejected text must come with a message of printable ASCII and an
 * offset inside the text.
 * One known difference, on purpose: jansson skips a NUL byte that directly follows a number or
 * true/false/null (its one-byte push-back cannot tell a pushed-back NUL from an empty buffer),
 * so it accepts "[1\0]"; jscan refuses every raw NUL byte, as RFC 8259 does. When jansson
 * accepts and jscan refuses, the text with those NUL bytes removed must read the same. */
#ifndef PB_TESTS_JSCAN_DIFF_H
#define PB_TESTS_JSCAN_DIFF_H
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../src/ingest/jscan.h"
#include "../src/util/alloc.h"
#include "../src/util/buf.h"

struct jdiff_member {
    char *key;
    size_t key_len;
    size_t index;
    struct jval val;
};

static int jdiff_member_cmp(const void *a, const void *b)
{
    const struct jdiff_member *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    if (x->key_len != y->key_len)
        return x->key_len < y->key_len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static const char *jdiff_value(const json_t *j, const struct jval *v);

static const char *jdiff_object(const json_t *j, const struct jval *v)
{
    /* jscan's members with decoded names, sorted by name then position: the last of each run
     * is the one that counts, as in jansson (a later duplicate replaces the earlier value). */
    struct jdiff_member *m = NULL;
    size_t n = 0, cap = 0;
    struct jiter it;
    struct jval k, val;
    const char *why = NULL;
    jscan_iter(v, &it);
    while (jscan_next_member(&it, &k, &val)) {
        struct buf b = BUF_INIT((size_t)1 << 30);
        if (jscan_string(&k, &b)) {
            buf_release(&b);
            why = "jscan_string failed on a member name";
            goto out;
        }
        m = xgrow(m, sizeof *m, n + 1, &cap);
        m[n].key_len = b.len;
        m[n].key = buf_take(&b);
        m[n].index = n;
        m[n].val = val;
        n++;
    }
    if (it.p != it.end) {
        why = "member iteration stopped early";
        goto out;
    }
    if (jscan_count(v) != n) {
        why = "jscan_count differs from the members iterated";
        goto out;
    }
    if (n)
        qsort(m, n, sizeof *m, jdiff_member_cmp);
    size_t distinct = 0;
    for (size_t i = 0; i < n && !why; i++) {
        if (i + 1 < n && m[i + 1].key_len == m[i].key_len &&
            !memcmp(m[i + 1].key, m[i].key, m[i].key_len))
            continue; /* not the last of its name */
        distinct++;
        if (memchr(m[i].key, 0, m[i].key_len)) {
            why = "a member name with a NUL byte was accepted";
            break;
        }
        const json_t *jv = json_object_get(j, m[i].key);
        if (!jv) {
            why = "a member jansson does not have";
            break;
        }
        why = jdiff_value(jv, &m[i].val);
        if (why || distinct > 64)
            continue; /* each lookup below walks the whole object: not for thousands */
        struct jval got;
        if (!jscan_get(v, m[i].key, &got) || got.p != m[i].val.p)
            why = "jscan_get does not return the last member of that name";
        const char *keys[2] = {"\x01never", m[i].key};
        struct jval vals[2];
        jscan_fields(v, keys, 2, vals);
        if (!why && (vals[0].type != JSCAN_NONE || vals[1].p != m[i].val.p))
            why = "jscan_fields does not return the last member of that name";
    }
    if (!why && distinct != json_object_size(j))
        why = "a different number of members";
out:
    for (size_t i = 0; i < n; i++)
        xfree(m[i].key);
    xfree(m);
    return why;
}

static const char *jdiff_value(const json_t *j, const struct jval *v)
{
    switch (json_typeof(j)) {
    case JSON_STRING: {
        if (v->type != JSCAN_STRING)
            return "jansson has a string";
        struct buf b = BUF_INIT((size_t)1 << 30);
        const char *why = NULL;
        if (jscan_string(v, &b))
            why = "jscan_string failed";
        else if (b.len != json_string_length(j) ||
                 memcmp(b.len ? b.data : "", json_string_value(j), b.len))
            why = "a different string value";
        else if (!v->has_escape && (v->n != b.len || memchr(v->p, '\\', v->n)))
            why = "has_escape is 0 but the span is not the value";
        else if (b.len > v->n)
            why = "the decoded string is longer than its text";
        /* A buffer capped at exactly the value's length must do (piece by piece when the
         * escaped text is longer), one byte less must fail cleanly. */
        struct buf exact = BUF_INIT(b.len), less = BUF_INIT(b.len ? b.len - 1 : 0);
        if (!why && (jscan_string(v, &exact) || exact.len != b.len ||
                     memcmp(b.len ? exact.data : "", b.len ? b.data : "", b.len)))
            why = "jscan_string into a buffer capped at the value's length";
        if (!why && b.len && jscan_string(v, &less) != PB_ETOOBIG)
            why = "jscan_string past its buffer's cap";
        buf_release(&exact);
        buf_release(&less);
        buf_release(&b);
        return why;
    }
    case JSON_INTEGER: {
        long long x;
        if (v->type != JSCAN_NUMBER)
            return "jansson has an integer";
        if (jscan_int(v, &x) || x != json_integer_value(j))
            return "a different integer value";
        return NULL;
    }
    case JSON_REAL: {
        long long x;
        if (v->type != JSCAN_NUMBER)
            return "jansson has a real";
        if (!jscan_int(v, &x))
            return "jscan_int read a real";
        char *s = xstrndup(v->p, v->n);
        double d = strtod(s, NULL);
        xfree(s);
        return d == json_real_value(j) ? NULL : "a different real value";
    }
    case JSON_TRUE:
        return v->type == JSCAN_TRUE && v->n == 4 && !memcmp(v->p, "true", 4) ? NULL
                                                                                : "not true";
    case JSON_FALSE:
        return v->type == JSCAN_FALSE && v->n == 5 && !memcmp(v->p, "false", 5) ? NULL
                                                                                  : "not false";
    case JSON_NULL:
        return v->type == JSCAN_NULL && v->n == 4 && !memcmp(v->p, "null", 4) ? NULL : "not null";
    case JSON_ARRAY: {
        if (v->type != JSCAN_ARRAY)
            return "jansson has an array";
        struct jiter it;
        struct jval e;
        size_t i = 0, n = json_array_size(j);
        jscan_iter(v, &it);
        while (jscan_next_elem(&it, &e)) {
            if (i >= n)
                return "more array elements than jansson";
            const char *why = jdiff_value(json_array_get(j, i++), &e);
            if (why)
                return why;
        }
        if (i != n)
            return "fewer array elements than jansson";
        if (jscan_count(v) != n)
            return "jscan_count differs on an array";
        return NULL;
    }
    case JSON_OBJECT:
        if (v->type != JSCAN_OBJECT)
            return "jansson has an object";
        return jdiff_object(j, v);
    }
    return "unknown jansson type";
}

/* NULL if jscan and jansson agree on s[0..n) (see the top of this file), else what differs.
 * *accepted (may be NULL) is set to whether they accepted it. */
static const char *jscan_diff(const char *s, size_t n, int *accepted)
{
    json_error_t jerr;
    json_t *j = json_loadb(s ? s : "", n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    struct jval root;
    struct jscan_error err;
    memset(&err, 0, sizeof err);
    int rc = jscan_parse(s, n, &root, &err);
    const char *why = NULL;
    if (accepted)
        *accepted = rc == 0;
    if (!j && rc == 0) {
        why = "jscan accepts what jansson rejects";
    } else if (j && rc != 0 && n && memchr(s, 0, n)) {
        /* The NUL byte quirk (see the top): jansson drops one NUL byte after a token that ends
         * in a digit or a letter. */
        char *t = xmalloc(n);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char prev = i ? (unsigned char)s[i - 1] : 0;
            if (s[i] == 0 && ((prev >= '0' && prev <= '9') || (prev >= 'a' && prev <= 'z')))
                continue;
            t[m++] = s[i];
        }
        why = m == n || jscan_parse(t, m, &root, NULL) ? "jscan rejects what jansson accepts"
                                                      : jdiff_value(j, &root);
        xfree(t);
    } else if (rc != 0) {
        if (rc != PB_EPARSE || err.offset > n || !err.msg[0])
            why = "a rejection without PB_EPARSE, an offset in the text or a message";
        for (const char *m = err.msg; *m && !why; m++)
            if (*m < 0x20 || *m >= 0x7F)
                why = "a message that is not printable ASCII";
    } else {
        why = jdiff_value(j, &root);
    }
    json_decref(j);
    return why;
}

#endif
