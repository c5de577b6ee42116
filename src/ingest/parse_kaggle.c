/* Kaggle "arxiv-metadata-oai-snapshot" JSON Lines: one object per line, blank lines ignored.
 *   id (required; "0704.0001", "hep-th/9901001"), title (required), abstract, comments,
 * journal-ref, doi, report-no, license (string or null), categories ("hep-ph astro-ph.CO", primary
 * first; a list is accepted too), authors_parsed ([[keyname, forenames, suffix], ...] -> "Forenames
 *   Keyname Suffix"; preferred), authors (arXiv author string, used when authors_parsed is absent
 *   or empty), versions ([{"version":"v1","created":"Mon, 2 Apr 2007 19:18:42 GMT"}, ...]:
 *   version = highest N, submitted = created of the lowest, updated = created of the highest),
 *   update_date (the metadata's update day: becomes updated only when versions gives no date).
 * submitter and any other key are ignored. */
#include <string.h>

#include "../util/alloc.h"
#include "../util/date.h"
#include "../util/text.h"
#include "json_util.h"
#include "parser_impl.h"

/* Upper bound of the elements of array v without walking it: each takes a byte and a comma. */
static size_t max_elements(const struct jval *v)
{
    return v->n < 2 ? 0 : (v->n - 1) / 2;
}

static int has_elements(const struct jval *v)
{
    struct jiter it;
    struct jval e;
    jscan_iter(v, &it);
    return v->type == JSCAN_ARRAY && jscan_next_elem(&it, &e);
}

static int authors_parsed(struct jmap *m, const struct jval *list, struct paper *rec)
{
    if (max_elements(list) > PAPER_MAX_LIST && jscan_count(list) > PAPER_MAX_LIST)
        return json_fail(&m->why, "\"authors_parsed\" has more than %d entries", PAPER_MAX_LIST);
    struct jiter it;
    struct jval e;
    jscan_iter(list, &it);
    for (size_t i = 0; jscan_next_elem(&it, &e); i++) {
        if (e.type != JSCAN_ARRAY)
            return json_fail(&m->why, "\"authors_parsed\"[%zu] is not a list", i);
        /* [keyname, forenames, suffix, ...]; print order: forenames, keyname, suffix. */
        struct jval part[3] = {{JSCAN_NONE, 0, NULL, 0}, {JSCAN_NONE, 0, NULL, 0},
                               {JSCAN_NONE, 0, NULL, 0}};
        struct jiter pit;
        jscan_iter(&e, &pit);
        for (size_t k = 0; k < 3 && jscan_next_elem(&pit, &part[k]); k++)
            ;
        static const size_t order[] = {1, 0, 2};
        char *parts[3] = {NULL, NULL, NULL};
        size_t total = 0;
        for (size_t k = 0; k < 3; k++) {
            const struct jval *s = &part[order[k]];
            if (s->type == JSCAN_NONE || s->type == JSCAN_NULL)
                continue;
            const char *text = jmap_cstr(m, s);
            if (!text || m->tmp.len > PAPER_MAX_FIELD) {
                for (size_t n = 0; n < k; n++)
                    xfree(parts[n]);
                return json_fail(&m->why, "\"authors_parsed\"[%zu][%zu] is not a name string", i,
                                 order[k]);
            }
            parts[k] = text_normalize(text, m->tmp.len);
            total += strlen(parts[k]) + 1;
        }
        char *name = xmalloc(total + 1);
        size_t o = 0;
        for (size_t k = 0; k < 3; k++) {
            if (parts[k] && *parts[k]) {
                if (o)
                    name[o++] = ' ';
                size_t len = strlen(parts[k]);
                memcpy(name + o, parts[k], len);
                o += len;
            }
            xfree(parts[k]);
        }
        name[o] = 0;
        if (o)
            strlist_push_take(&rec->authors, name);
        else
            xfree(name);
    }
    return 0;
}

/* "v12" -> 12; 0 if not that form. */
static int version_number(const char *s)
{
    if (!s || (*s != 'v' && *s != 'V'))
        return 0;
    int v = 0;
    for (s++; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > 100000)
            return 0;
    }
    return *s == 0 ? v : 0;
}

static void set_date(struct jmap *m, char **field, const struct jval *v)
{
    char out[DATE_TS_LEN + 1];
    const char *s = jmap_cstr(m, v);
    if (s && date_parse(s, out) == 0)
        paper_set_str(field, out);
}

static int versions(struct jmap *m, const struct jval *list, struct paper *rec)
{
    static const char *const version_keys[] = {"version", "created"};
    int lo = 0, hi = 0;
    struct jval lo_created = {JSCAN_NONE, 0, NULL, 0}, hi_created = lo_created;
    struct jiter it;
    struct jval e;
    jscan_iter(list, &it);
    for (size_t i = 0; jscan_next_elem(&it, &e); i++) {
        if (e.type != JSCAN_OBJECT)
            return json_fail(&m->why, "\"versions\"[%zu] is not an object", i);
        struct jval f[2];
        jscan_fields(&e, version_keys, 2, f);
        int v = version_number(jmap_cstr(m, &f[0]));
        if (!v)
            continue; /* an entry we cannot read says nothing; the others still count */
        if (!lo || v < lo) {
            lo = v;
            lo_created = f[1];
        }
        if (v > hi) {
            hi = v;
            hi_created = f[1];
        }
    }
    if (hi > rec->version)
        rec->version = hi;
    set_date(m, &rec->submitted, &lo_created);
    set_date(m, &rec->updated, &hi_created);
    return 0;
}

/* The members read, found in one pass over the line's object (jscan_fields). */
enum {
    K_ID, K_TITLE, K_ABSTRACT, K_COMMENTS, K_JOURNAL_REF, K_DOI, K_REPORT_NO, K_LICENSE,
    K_CATEGORIES, K_AUTHORS_PARSED, K_AUTHORS, K_VERSIONS, K_UPDATE_DATE, K_N
};
static const char *const keys[K_N] = {
    "id",  "title",     "abstract", "comments",   "journal-ref",    "doi",     "report-no",
    "license", "categories", "authors_parsed", "authors", "versions", "update_date",
};

static int map_kaggle(struct jmap *m, const struct jval *o, struct paper *rec)
{
    struct jval v[K_N];
    jscan_fields(o, keys, K_N, v);
    if (jmap_arxiv_id(m, &v[K_ID], "id", rec) ||
        jmap_text(m, &v[K_TITLE], "title", &rec->title) ||
        jmap_text(m, &v[K_ABSTRACT], "abstract", &rec->abstract) ||
        jmap_text(m, &v[K_COMMENTS], "comments", &rec->comment) ||
        jmap_text(m, &v[K_JOURNAL_REF], "journal-ref", &rec->journal_ref) ||
        jmap_text(m, &v[K_DOI], "doi", &rec->doi) ||
        jmap_text(m, &v[K_REPORT_NO], "report-no", &rec->report_no) ||
        jmap_text(m, &v[K_LICENSE], "license", &rec->license) ||
        jmap_strlist(m, &v[K_CATEGORIES], "categories", &rec->categories,
                     paper_split_categories))
        return PB_EINVAL;
    if (!rec->title || !*rec->title)
        return json_fail(&m->why, "missing \"title\"");

    const struct jval *ap = &v[K_AUTHORS_PARSED];
    if (ap->type != JSCAN_NONE && ap->type != JSCAN_NULL && ap->type != JSCAN_ARRAY)
        return json_fail(&m->why, "\"authors_parsed\" is not a list");
    if (has_elements(ap)) {
        if (authors_parsed(m, ap, rec))
            return PB_EINVAL;
    } else if (jmap_strlist(m, &v[K_AUTHORS], "authors", &rec->authors, paper_split_authors)) {
        return PB_EINVAL;
    }

    const struct jval *vs = &v[K_VERSIONS];
    if (vs->type != JSCAN_NONE && vs->type != JSCAN_NULL && vs->type != JSCAN_ARRAY)
        return json_fail(&m->why, "\"versions\" is not a list");
    if (has_elements(vs) && versions(m, vs, rec))
        return PB_EINVAL;
    if (!rec->updated && jmap_date(m, &v[K_UPDATE_DATE], "update_date", &rec->updated, 0))
        return PB_EINVAL;
    return 0;
}

static void *create(struct parser *p)
{
    return jsonl_new(p, map_kaggle, "Kaggle arXiv snapshot");
}

const struct format_ops parse_kaggle_ops = {"kaggle", create, jsonl_ops_feed, jsonl_ops_finish,
                                            jsonl_ops_destroy};
