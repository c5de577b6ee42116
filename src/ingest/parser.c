/* The parser dispatcher: picks a format's vtable, counts records, validates what formats emit and
 * routes records and rejects to the sink. Format detection lives here too. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/date.h"
#include "../util/text.h"
#include "parser_impl.h"

struct parser {
    const struct format_ops *ops;
    void *state;
    struct ingest_sink sink;
    struct ingest_opts opts;
    char *source;
    char *listing_day;
    long n_records;
    int failed;               /* sticky error code */
    int has_error;
    struct ingest_error error;
};

static const struct {
    const char *name;
    const struct format_ops *ops;
} formats[INGEST_N_FORMATS] = {
    [INGEST_AUTO] = {"auto", NULL},
    [INGEST_OAI] = {"oai", &parse_oai_ops},
    [INGEST_ATOM] = {"atom", &parse_atom_ops},
    [INGEST_RSS] = {"rss", &parse_rss_ops},
    [INGEST_HF] = {"hf", &parse_hf_ops},
    [INGEST_KAGGLE] = {"kaggle", &parse_kaggle_ops},
    [INGEST_DAILY] = {"daily", &parse_daily_ops},
    [INGEST_ABS] = {"abs", &parse_abs_ops},
    [INGEST_BEIR] = {"beir", &parse_beir_ops},
};

const char *ingest_format_name(enum ingest_format f)
{
    if ((int)f < 0 || f >= INGEST_N_FORMATS)
        return "?";
    return formats[f].name;
}

enum ingest_format ingest_format_from_name(const char *name)
{
    for (int i = 1; i < INGEST_N_FORMATS; i++)
        if (!strcmp(formats[i].name, name))
            return (enum ingest_format)i;
    return INGEST_AUTO;
}

struct parser *parser_new(enum ingest_format f, const struct ingest_sink *sink,
                          const struct ingest_opts *opts)
{
    struct parser *p = xcalloc(1, sizeof *p);
    p->ops = formats[f].ops;
    p->sink = *sink;
    p->source = xstrdup(opts && opts->source ? opts->source : "-");
    p->listing_day = opts && opts->listing_day ? xstrdup(opts->listing_day) : NULL;
    p->opts.source = p->source;
    p->opts.listing_day = p->listing_day;
    p->error.source = p->source;
    p->state = p->ops->create(p);
    return p;
}

void parser_free(struct parser *p)
{
    if (!p)
        return;
    if (p->state)
        p->ops->destroy(p->state);
    xfree(p->source);
    xfree(p->listing_day);
    xfree(p);
}

int parser_feed(struct parser *p, const char *data, size_t n)
{
    if (p->failed)
        return p->failed;
    int rc = p->ops->feed(p->state, data, n);
    if (rc)
        p->failed = rc;
    return rc;
}

int parser_finish(struct parser *p)
{
    if (p->failed)
        return p->failed;
    int rc = p->ops->finish(p->state);
    if (rc)
        p->failed = rc;
    return rc;
}

const struct ingest_error *parser_error(const struct parser *p)
{
    return p->has_error ? &p->error : NULL;
}

long parser_records(const struct parser *p)
{
    return p->n_records;
}

long parser_next_record_no(struct parser *p)
{
    return p->n_records + 1;
}

const struct ingest_opts *parser_opts(const struct parser *p)
{
    return &p->opts;
}

/* vsnprintf may cut a message inside a UTF-8 sequence: drop the partial character. */
static void trim_utf8(char *msg)
{
    size_t n = strlen(msg), i = 0;
    while (i < n) {
        size_t k = text_utf8_seq((const unsigned char *)msg + i, n - i);
        if (!k)
            break;
        i += k;
    }
    if (i < n && n - i < 4)
        msg[i] = 0;
}

int parser_emit(struct parser *p, struct paper *rec)
{
    p->n_records++;
    if (!rec->record_no)
        rec->record_no = p->n_records;
    const char *why = NULL;
    if (paper_validate(rec, &why))
        return parser_reject(p, rec->record_no, rec->line_no, "%s", why);
    if (!rec->listing_day && p->listing_day)
        rec->listing_day = xstrdup(p->listing_day);
    return p->sink.paper(p->sink.ctx, rec);
}

void ingest_paper_take(const struct paper *p, struct paper *dst)
{
    /* The sink sees the record as const so that it cannot change it by mistake; every record
     * parser_emit hands out is a parser's own non-const struct, cleared after the call. */
    paper_move(dst, (struct paper *)p);
}

int parser_reject(struct parser *p, long rec_no, long line, const char *fmt, ...)
{
    struct ingest_error e;
    e.source = p->source;
    /* parser_emit has already counted a record it rejects; formats calling us directly have not. */
    if (rec_no > p->n_records)
        p->n_records = rec_no;
    e.record_no = rec_no;
    e.line_no = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    trim_utf8(e.msg);
    return p->sink.reject(p->sink.ctx, &e);
}

int parser_fail(struct parser *p, int code, long line, const char *fmt, ...)
{
    p->has_error = 1;
    p->error.record_no = 0;
    p->error.line_no = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error.msg, sizeof p->error.msg, fmt, ap);
    va_end(ap);
    trim_utf8(p->error.msg);
    p->failed = code;
    return code;
}

int parser_meta(struct parser *p, const char *key, const char *value)
{
    if (!p->sink.meta)
        return 0;
    return p->sink.meta(p->sink.ctx, key, value);
}

/* --- format detection --- */

static const char *skip_ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    return s;
}

static int contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, needle, k))
            return 1;
    return 0;
}

enum ingest_format ingest_detect(const char *head, size_t n, const char *name)
{
    const char *end = head + n;
    const char *s = head;
    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    s = skip_ws(s, end);
    if (s >= end)
        return INGEST_AUTO;
    size_t rest = (size_t)(end - s);
    if (*s == '<') {
        if (contains(s, rest, "<OAI-PMH"))
            return INGEST_OAI;
        if (contains(s, rest, "<rss") || contains(s, rest, "<rdf:RDF"))
            return INGEST_RSS;
        if (contains(s, rest, "<feed"))
            return INGEST_ATOM;
        return INGEST_AUTO;
    }
    if (*s == '[')
        return INGEST_HF;
    if (*s == '{') {
        /* Look only at the first line (the first object). */
        const char *nl = memchr(s, '\n', rest);
        size_t len = nl ? (size_t)(nl - s) : rest;
        /* A pretty-printed object has no keys on its first line: look at the whole head. */
        if (!memchr(s, '"', len))
            len = rest;
        if (contains(s, len, "\"_id\"") && contains(s, len, "\"text\""))
            return INGEST_BEIR;
        if (contains(s, len, "\"authors_parsed\"") || contains(s, len, "\"versions\"") ||
            contains(s, len, "\"update_date\""))
            return INGEST_KAGGLE;
        if (contains(s, len, "\"paper\""))
            return INGEST_HF;
        if (contains(s, len, "\"id\"") && contains(s, len, "\"summary\""))
            return INGEST_DAILY;
        return INGEST_AUTO;
    }
    if (contains(s, rest, "\\\\\narXiv:") || contains(s, rest, "\\\\\nPaper:") ||
        contains(s, rest, "\\\\\r\narXiv:") || (name && strstr(name, ".abs")))
        return INGEST_ABS;
    if (contains(s, rest, "------------------------------------------------------------------------------"))
        return INGEST_ABS;
    return INGEST_AUTO;
}

int ingest_day_from_name(const char *path, char *out)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strlen(base) < 10)
        return PB_EINVAL;
    char day[11];
    memcpy(day, base, 10);
    day[10] = 0;
    int64_t d;
    if (date_parse_day(day, &d))
        return PB_EINVAL;
    char c = base[10];
    if (c != '.' && c != '_' && c != 0)
        return PB_EINVAL;
    memcpy(out, day, 11);
    return 0;
}
