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

static int authors_parsed(const json_t *list, struct paper *rec, struct json_why *why)
{
    size_t n = json_array_size(list);
    if (n > PAPER_MAX_LIST)
        return json_fail(why, "\"authors_parsed\" has more than %d entries", PAPER_MAX_LIST);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(list, i);
        if (!json_is_array(e))
            return json_fail(why, "\"authors_parsed\"[%zu] is not a list", i);
        /* Print order: forenames, keyname, suffix. */
        static const size_t order[] = {1, 0, 2};
        char *parts[3] = {NULL, NULL, NULL};
        size_t total = 0;
        for (size_t k = 0; k < 3; k++) {
            const json_t *s = json_array_get(e, order[k]);
            if (!s || json_is_null(s))
                continue;
            if (!json_is_string(s) || json_string_length(s) > PAPER_MAX_FIELD) {
                for (size_t m = 0; m < k; m++)
                    xfree(parts[m]);
                return json_fail(why, "\"authors_parsed\"[%zu][%zu] is not a name string", i,
                                 order[k]);
            }
            parts[k] = text_normalize(json_string_value(s), json_string_length(s));
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

static void set_date(char **field, const char *s)
{
    char out[DATE_TS_LEN + 1];
    if (s && date_parse(s, out) == 0)
        paper_set_str(field, out);
}

static int versions(const json_t *list, struct paper *rec, struct json_why *why)
{
    int lo = 0, hi = 0;
    const char *lo_created = NULL, *hi_created = NULL;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        if (!json_is_object(e))
            return json_fail(why, "\"versions\"[%zu] is not an object", i);
        int v = version_number(json_str(e, "version"));
        if (!v)
            continue; /* an entry we cannot read says nothing; the others still count */
        const char *created = json_str(e, "created");
        if (!lo || v < lo) {
            lo = v;
            lo_created = created;
        }
        if (v > hi) {
            hi = v;
            hi_created = created;
        }
    }
    if (hi > rec->version)
        rec->version = hi;
    set_date(&rec->submitted, lo_created);
    set_date(&rec->updated, hi_created);
    return 0;
}

static int map_kaggle(const json_t *o, struct paper *rec, struct json_why *why)
{
    if (json_get_arxiv_id(o, "id", rec, why) || json_get_text(o, "title", &rec->title, why) ||
        json_get_text(o, "abstract", &rec->abstract, why) ||
        json_get_text(o, "comments", &rec->comment, why) ||
        json_get_text(o, "journal-ref", &rec->journal_ref, why) ||
        json_get_text(o, "doi", &rec->doi, why) ||
        json_get_text(o, "report-no", &rec->report_no, why) ||
        json_get_text(o, "license", &rec->license, why) ||
        json_get_strlist(o, "categories", &rec->categories, paper_split_categories, why))
        return PB_EINVAL;
    if (!rec->title || !*rec->title)
        return json_fail(why, "missing \"title\"");

    const json_t *ap = json_object_get(o, "authors_parsed");
    if (ap && !json_is_null(ap) && !json_is_array(ap))
        return json_fail(why, "\"authors_parsed\" is not a list");
    if (json_array_size(ap) > 0) {
        if (authors_parsed(ap, rec, why))
            return PB_EINVAL;
    } else if (json_get_strlist(o, "authors", &rec->authors, paper_split_authors, why)) {
        return PB_EINVAL;
    }

    const json_t *vs = json_object_get(o, "versions");
    if (vs && !json_is_null(vs) && !json_is_array(vs))
        return json_fail(why, "\"versions\" is not a list");
    if (json_array_size(vs) > 0 && versions(vs, rec, why))
        return PB_EINVAL;
    if (!rec->updated && json_get_date(o, "update_date", &rec->updated, 0, why))
        return PB_EINVAL;
    return 0;
}

static void *create(struct parser *p)
{
    return jsonl_new(p, map_kaggle, "Kaggle arXiv snapshot");
}

const struct format_ops parse_kaggle_ops = {"kaggle", create, jsonl_ops_feed, jsonl_ops_finish,
                                            jsonl_ops_destroy};
