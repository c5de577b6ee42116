/* Shared plumbing of the JSON importers (see json_util.h): typed getters with the caps of paper.h
 * over jansson values (json_*) and over jscan values (jmap_*), record emit/reject with a located
 * message, and the JSON Lines driver. The formats themselves are documented in parse_daily.c,
 * parse_kaggle.c, parse_beir.c and parse_hf.c; jscan's JSON rules in jscan.h. */
#include "json_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/date.h"
#include "../util/text.h"
#include "parser_impl.h"

int json_fail(struct json_why *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->msg, sizeof why->msg, fmt, ap);
    va_end(ap);
    return PB_EINVAL;
}

const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

void json_excerpt(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0, max = cap - 4;
    for (size_t i = 0; i < n && o < max; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    if (n > max) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}

const char *json_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int json_get_text(const json_t *obj, const char *key, char **field, struct json_why *why)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return json_fail(why, "\"%s\" is %s, not a string", key, json_type_name(v));
    size_t n = json_string_length(v);
    if (n > PAPER_MAX_FIELD)
        return json_fail(why, "\"%s\" is longer than the limit of %d bytes", key, PAPER_MAX_FIELD);
    paper_set(field, json_string_value(v), n);
    return 0;
}

int json_get_strlist(const json_t *obj, const char *key, struct strlist *out,
                     void (*split)(const char *, struct strlist *), struct json_why *why)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (split && json_is_string(v)) {
        split(json_string_value(v), out);
        return 0;
    }
    if (!json_is_array(v))
        return json_fail(why, "\"%s\" is %s, not a list", key, json_type_name(v));
    size_t n = json_array_size(v);
    if (n > PAPER_MAX_LIST || out->n + n > PAPER_MAX_LIST)
        return json_fail(why, "\"%s\" has more than %d entries", key, PAPER_MAX_LIST);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_string(e))
            return json_fail(why, "\"%s\"[%zu] is %s, not a string", key, i, json_type_name(e));
        size_t len = json_string_length(e);
        if (len > PAPER_MAX_FIELD)
            return json_fail(why, "\"%s\"[%zu] is longer than the limit of %d bytes", key, i,
                             PAPER_MAX_FIELD);
        char *s = text_normalize(json_string_value(e), len);
        if (*s)
            strlist_push_take(out, s);
        else
            xfree(s);
    }
    return 0;
}

int json_get_date(const json_t *obj, const char *key, char **field, int day_only,
                  struct json_why *why)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return json_fail(why, "\"%s\" is %s, not a date string", key, json_type_name(v));
    char out[DATE_TS_LEN + 1];
    if (date_parse(json_string_value(v), out))
        return 0;
    if (day_only)
        out[DATE_DAY_LEN] = 0;
    paper_set_str(field, out);
    return 0;
}

int json_get_arxiv_id(const json_t *obj, const char *key, struct paper *rec, struct json_why *why)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return json_fail(why, "missing \"%s\"", key);
    if (!json_is_string(v))
        return json_fail(why, "\"%s\" is %s, not a string", key, json_type_name(v));
    char id[PAPER_MAX_ID];
    int version = 0;
    if (paper_parse_arxiv_id(json_string_value(v), id, &version)) {
        char ex[64];
        json_excerpt(json_string_value(v), json_string_length(v), ex, sizeof ex);
        return json_fail(why, "not an arXiv id: '%s'", ex);
    }
    paper_set_str(&rec->id, id);
    if (version)
        rec->version = version;
    return 0;
}

json_t *json_decode(const char *s, size_t n, json_error_t *err)
{
    /* JSON_ALLOW_NUL: a U+0000 inside an abstract is no reason to lose the paper; normalisation
     * drops control characters. Without JSON_DISABLE_EOF_CHECK trailing bytes are an error. */
    return json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, err);
}

int json_record(struct parser *p, json_map_fn map, const json_t *obj, long line_no,
                const char *where)
{
    struct paper rec;
    paper_init(&rec);
    rec.record_no = parser_next_record_no(p);
    rec.line_no = line_no;
    struct json_why why;
    why.msg[0] = 0;
    const char *reason = why.msg;
    int bad = map(obj, &rec, &why);
    if (!bad)
        bad = paper_validate(&rec, &reason);
    int rc = bad ? parser_reject(p, rec.record_no, line_no, "%s: %s", where, reason)
                 : parser_emit(p, &rec);
    paper_clear(&rec);
    return rc;
}

/* --- jscan getters --- */

const char *jmap_cstr(struct jmap *m, const struct jval *v)
{
    if (v->type != JSCAN_STRING)
        return NULL;
    buf_reset(&m->tmp);
    if (jscan_string(v, &m->tmp))
        return NULL; /* cannot happen: tmp holds a whole line */
    return buf_str(&m->tmp);
}

/* String v as bytes: the span itself when it has no escape, else decoded into m->tmp. */
static const char *str_bytes(struct jmap *m, const struct jval *v, size_t *len)
{
    if (!v->has_escape) {
        *len = v->n;
        return v->n ? v->p : "";
    }
    const char *s = jmap_cstr(m, v);
    *len = s ? m->tmp.len : 0;
    return s ? s : "";
}

int jmap_text(struct jmap *m, const struct jval *v, const char *key, char **field)
{
    if (v->type == JSCAN_NONE || v->type == JSCAN_NULL)
        return 0;
    if (v->type != JSCAN_STRING)
        return json_fail(&m->why, "\"%s\" is %s, not a string", key, jscan_type_name(v->type));
    size_t n;
    const char *s = str_bytes(m, v, &n);
    if (n > PAPER_MAX_FIELD)
        return json_fail(&m->why, "\"%s\" is longer than the limit of %d bytes", key,
                         PAPER_MAX_FIELD);
    paper_set(field, s, n);
    return 0;
}

/* Upper bound of the elements of array v without walking it: each takes a byte and a comma. */
static size_t max_elements(const struct jval *v)
{
    return v->n < 2 ? 0 : (v->n - 1) / 2;
}

int jmap_strlist(struct jmap *m, const struct jval *v, const char *key, struct strlist *out,
                 void (*split)(const char *, struct strlist *))
{
    if (v->type == JSCAN_NONE || v->type == JSCAN_NULL)
        return 0;
    if (split && v->type == JSCAN_STRING) {
        split(jmap_cstr(m, v), out);
        return 0;
    }
    if (v->type != JSCAN_ARRAY)
        return json_fail(&m->why, "\"%s\" is %s, not a list", key, jscan_type_name(v->type));
    if (out->n + max_elements(v) > PAPER_MAX_LIST) {
        size_t n = jscan_count(v);
        if (n > PAPER_MAX_LIST || out->n + n > PAPER_MAX_LIST)
            return json_fail(&m->why, "\"%s\" has more than %d entries", key, PAPER_MAX_LIST);
    }
    struct jiter it;
    struct jval e;
    jscan_iter(v, &it);
    for (size_t i = 0; jscan_next_elem(&it, &e); i++) {
        if (e.type != JSCAN_STRING)
            return json_fail(&m->why, "\"%s\"[%zu] is %s, not a string", key, i,
                             jscan_type_name(e.type));
        size_t len;
        const char *bytes = str_bytes(m, &e, &len);
        if (len > PAPER_MAX_FIELD)
            return json_fail(&m->why, "\"%s\"[%zu] is longer than the limit of %d bytes", key, i,
                             PAPER_MAX_FIELD);
        char *s = text_normalize(bytes, len);
        if (*s)
            strlist_push_take(out, s);
        else
            xfree(s);
    }
    return 0;
}

int jmap_date(struct jmap *m, const struct jval *v, const char *key, char **field, int day_only)
{
    if (v->type == JSCAN_NONE || v->type == JSCAN_NULL)
        return 0;
    if (v->type != JSCAN_STRING)
        return json_fail(&m->why, "\"%s\" is %s, not a date string", key,
                         jscan_type_name(v->type));
    char out[DATE_TS_LEN + 1];
    if (date_parse(jmap_cstr(m, v), out))
        return 0;
    if (day_only)
        out[DATE_DAY_LEN] = 0;
    paper_set_str(field, out);
    return 0;
}

int jmap_arxiv_id(struct jmap *m, const struct jval *v, const char *key, struct paper *rec)
{
    if (v->type == JSCAN_NONE || v->type == JSCAN_NULL)
        return json_fail(&m->why, "missing \"%s\"", key);
    if (v->type != JSCAN_STRING)
        return json_fail(&m->why, "\"%s\" is %s, not a string", key, jscan_type_name(v->type));
    const char *s = jmap_cstr(m, v);
    char id[PAPER_MAX_ID];
    int version = 0;
    if (paper_parse_arxiv_id(s, id, &version)) {
        char ex[64];
        json_excerpt(s, m->tmp.len, ex, sizeof ex);
        return json_fail(&m->why, "not an arXiv id: '%s'", ex);
    }
    paper_set_str(&rec->id, id);
    if (version)
        rec->version = version;
    return 0;
}

/* --- JSON Lines --- */

void json_describe_byte(char byte, char *out, size_t cap)
{
    unsigned char c = (unsigned char)byte;
    if (c == '[')
        snprintf(out, cap, "a JSON array ('[')");
    else if (c == '<')
        snprintf(out, cap, "'<' (an XML document?)");
    else if (c >= 0x20 && c < 0x7F)
        snprintf(out, cap, "'%c'", c);
    else
        snprintf(out, cap, "byte 0x%02x", c);
}

/* Map one accepted object and emit or reject the record, as json_record does for jansson. */
static int jsonl_record(struct jsonl *j, const struct jval *obj, long line_no)
{
    struct parser *p = j->p;
    struct paper rec;
    paper_init(&rec);
    rec.record_no = parser_next_record_no(p);
    rec.line_no = line_no;
    j->m.why.msg[0] = 0;
    const char *reason = j->m.why.msg;
    int bad = j->map(&j->m, obj, &rec);
    if (!bad)
        bad = paper_validate(&rec, &reason);
    int rc = bad ? parser_reject(p, rec.record_no, line_no, "line %ld: %s", line_no, reason)
                 : parser_emit(p, &rec);
    paper_clear(&rec);
    return rc;
}

static int on_line(void *ctx, const char *line, size_t len, long line_no, int is_too_long)
{
    struct jsonl *j = ctx;
    struct parser *p = j->p;
    if (is_too_long) {
        j->has_first = 1;
        return parser_reject(p, parser_next_record_no(p), line_no,
                             "line %ld: longer than the limit of %d bytes", line_no,
                             JSON_MAX_RECORD);
    }
    const char *s = line, *end = line + len;
    if (line_no == 1 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    if (s == end)
        return 0;
    if (!j->has_first) {
        j->has_first = 1;
        if (*s != '{') {
            char what[48];
            json_describe_byte(*s, what, sizeof what);
            return parser_fail(p, PB_EFORMAT, line_no,
                               "line %ld: not %s JSON Lines: expected '{', found %s", line_no,
                               j->format, what);
        }
        /* A lone "{" is a pretty-printed document: every line of it would be a reject. */
        const char *q = s + 1;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q == end)
            return parser_fail(p, PB_EFORMAT, line_no,
                               "line %ld: a multi-line JSON document, not %s JSON Lines (one "
                               "object per line)",
                               line_no, j->format);
    }
    struct jval obj;
    struct jscan_error err;
    if (jscan_parse(s, (size_t)(end - s), &obj, &err))
        return parser_reject(p, parser_next_record_no(p), line_no,
                             "line %ld: invalid JSON at column %zu: %s", line_no,
                             err.offset + (size_t)(s - line) + 1, err.msg);
    if (obj.type != JSCAN_OBJECT)
        return parser_reject(p, parser_next_record_no(p), line_no,
                             "line %ld: %s, not a JSON object", line_no,
                             jscan_type_name(obj.type));
    return jsonl_record(j, &obj, line_no);
}

void jsonl_init(struct jsonl *j, struct parser *p, jmap_fn map, const char *format)
{
    lines_init(&j->lines, JSON_MAX_RECORD, on_line, j);
    buf_init(&j->m.tmp, JSON_MAX_RECORD);
    j->p = p;
    j->map = map;
    j->format = format;
    j->has_first = 0;
}

void jsonl_release(struct jsonl *j)
{
    lines_release(&j->lines);
    buf_release(&j->m.tmp);
}

int jsonl_feed(struct jsonl *j, const char *data, size_t n)
{
    return lines_feed(&j->lines, data, n);
}

int jsonl_finish(struct jsonl *j)
{
    return lines_finish(&j->lines);
}

struct jsonl *jsonl_new(struct parser *p, jmap_fn map, const char *format)
{
    struct jsonl *j = xmalloc(sizeof *j);
    jsonl_init(j, p, map, format);
    return j;
}

int jsonl_ops_feed(void *state, const char *data, size_t n)
{
    return jsonl_feed(state, data, n);
}

int jsonl_ops_finish(void *state)
{
    return jsonl_finish(state);
}

void jsonl_ops_destroy(void *state)
{
    struct jsonl *j = state;
    jsonl_release(j);
    xfree(j);
}
