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

/* The members read, found in one pass over the line's object (jscan_fields). */
enum {
    K_ID, K_URL, K_ABS, K_PDF_URL, K_PDF, K_TITLE, K_SUMMARY, K_COMMENT, K_JOURNAL_REF, K_DOI,
    K_UPDATED_DATE, K_PUBLISHED_DATE, K_PUBLISHED, K_PRIMARY_CATEGORY, K_CATEGORIES, K_AUTHORS,
    K_N
};
static const char *const keys[K_N] = {
    "id",      "url",          "abs",           "pdf_url",     "pdf",
    "title",   "summary",      "comment",       "journal_ref", "doi",
    "updated_date", "published_date", "published", "primary_category", "categories",
    "authors",
};

/* A version from a URL member when the id carried none ("http://arxiv.org/abs/2604.22559v1"). */
static void version_from_url(struct jmap *m, const struct jval *v, struct paper *rec)
{
    const char *url = jmap_cstr(m, v);
    char id[PAPER_MAX_ID];
    int version = 0;
    if (url && !paper_parse_arxiv_id(url, id, &version) && version && !strcmp(id, rec->id))
        rec->version = version;
}

static int map_daily(struct jmap *m, const struct jval *o, struct paper *rec)
{
    struct jval v[K_N];
    jscan_fields(o, keys, K_N, v);
    if (jmap_arxiv_id(m, &v[K_ID], "id", rec))
        return PB_EINVAL;
    static const int urls[] = {K_URL, K_ABS, K_PDF_URL, K_PDF};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0] && !rec->version; i++)
        version_from_url(m, &v[urls[i]], rec);
    if (jmap_text(m, &v[K_TITLE], "title", &rec->title) ||
        jmap_text(m, &v[K_SUMMARY], "summary", &rec->abstract) ||
        jmap_text(m, &v[K_COMMENT], "comment", &rec->comment) ||
        jmap_text(m, &v[K_JOURNAL_REF], "journal_ref", &rec->journal_ref) ||
        jmap_text(m, &v[K_DOI], "doi", &rec->doi) ||
        jmap_date(m, &v[K_UPDATED_DATE], "updated_date", &rec->updated, 0) ||
        jmap_date(m, &v[K_PUBLISHED_DATE], "published_date", &rec->submitted, 0) ||
        jmap_date(m, &v[K_PUBLISHED], "published", &rec->submitted, 0))
        return PB_EINVAL;
    if (!rec->title || !*rec->title)
        return json_fail(&m->why, "missing \"title\"");

    /* Primary category first, then the listed ones without repeats. */
    const struct jval *prim = &v[K_PRIMARY_CATEGORY];
    if (prim->type != JSCAN_NONE && prim->type != JSCAN_NULL && prim->type != JSCAN_STRING)
        return json_fail(&m->why, "\"primary_category\" is not a string");
    if (prim->type == JSCAN_STRING)
        paper_split_categories(jmap_cstr(m, prim), &rec->categories);
    struct strlist cats = {0};
    if (jmap_strlist(m, &v[K_CATEGORIES], "categories", &cats, paper_split_categories)) {
        strlist_clear(&cats);
        return PB_EINVAL;
    }
    for (size_t i = 0; i < cats.n; i++)
        if (!strlist_contains(&rec->categories, cats.v[i]))
            strlist_push(&rec->categories, cats.v[i]);
    strlist_clear(&cats);
    return jmap_strlist(m, &v[K_AUTHORS], "authors", &rec->authors, paper_split_authors);
}

static void *create(struct parser *p)
{
    return jsonl_new(p, map_daily, "daily listing");
}

const struct format_ops parse_daily_ops = {"daily", create, jsonl_ops_feed, jsonl_ops_finish,
                                           jsonl_ops_destroy};
