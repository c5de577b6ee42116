/* Daily arXiv listing JSON Lines (shared/data/arxiv/daily-*; scraped by daily-arXiv bots): one
 * object per line, blank lines ignored, the listing day comes from the file name (opts). Keys:
 *   id (required: "2503.11731", "2604.22559v1", "astro-ph/9605168v1"), title (required),
 *   summary -> abstract, categories (list, or a space-separated string), primary_category (put
 *   first), authors (list of names, or one arXiv author string; absent in two of the schemas),
 *   comment (string or null), updated_date -> updated, optional published/published_date ->
 *   submitted, journal_ref, doi. abs/pdf/url/pdf_url give the version if id has none.
 * Every other key (LLM fields background_knowledge, contribution, topic, toc_summary) is ignored.
 */
#include <string.h>

#include "json_util.h"
#include "parser_impl.h"

/* A version from a URL member when the id carried none ("http://arxiv.org/abs/2604.22559v1"). */
static void version_from_url(const json_t *o, const char *key, struct paper *rec)
{
    const char *url = json_str(o, key);
    char id[PAPER_MAX_ID];
    int version = 0;
    if (url && !paper_parse_arxiv_id(url, id, &version) && version && !strcmp(id, rec->id))
        rec->version = version;
}

static int map_daily(const json_t *o, struct paper *rec, struct json_why *why)
{
    if (json_get_arxiv_id(o, "id", rec, why))
        return PB_EINVAL;
    static const char *urls[] = {"url", "abs", "pdf_url", "pdf"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0] && !rec->version; i++)
        version_from_url(o, urls[i], rec);
    if (json_get_text(o, "title", &rec->title, why) ||
        json_get_text(o, "summary", &rec->abstract, why) ||
        json_get_text(o, "comment", &rec->comment, why) ||
        json_get_text(o, "journal_ref", &rec->journal_ref, why) ||
        json_get_text(o, "doi", &rec->doi, why) ||
        json_get_date(o, "updated_date", &rec->updated, 0, why) ||
        json_get_date(o, "published_date", &rec->submitted, 0, why) ||
        json_get_date(o, "published", &rec->submitted, 0, why))
        return PB_EINVAL;
    if (!rec->title || !*rec->title)
        return json_fail(why, "missing \"title\"");

    /* Primary category first, then the listed ones without repeats. */
    const json_t *prim = json_object_get(o, "primary_category");
    if (prim && !json_is_null(prim) && !json_is_string(prim))
        return json_fail(why, "\"primary_category\" is not a string");
    if (json_is_string(prim))
        paper_split_categories(json_string_value(prim), &rec->categories);
    struct strlist cats = {0};
    if (json_get_strlist(o, "categories", &cats, paper_split_categories, why)) {
        strlist_clear(&cats);
        return PB_EINVAL;
    }
    for (size_t i = 0; i < cats.n; i++)
        if (!strlist_contains(&rec->categories, cats.v[i]))
            strlist_push(&rec->categories, cats.v[i]);
    strlist_clear(&cats);
    return json_get_strlist(o, "authors", &rec->authors, paper_split_authors, why);
}

static void *create(struct parser *p)
{
    return jsonl_new(p, map_daily, "daily listing");
}

const struct format_ops parse_daily_ops = {"daily", create, jsonl_ops_feed, jsonl_ops_finish,
                                           jsonl_ops_destroy};
