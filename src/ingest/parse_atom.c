/* arXiv Atom feeds: API responses (export.arxiv.org/api/query, both the pre-2025 and the current
 * serialisation) and Atom listing feeds (rss.arxiv.org/atom/<cat>). One paper per <entry>.
 * Elements are matched by namespace URI (Atom, arxiv = http://arxiv.org/schemas/atom, opensearch,
 * dc), in any order and with namespaces declared anywhere. Grammar accepted:
 *   feed    := <feed> (opensearch:totalResults|startIndex|itemsPerPage -> meta)* <id>?
 *              entry* </feed>
 *   entry   := <id>http://arxiv.org/abs/ID[vN] | oai:arXiv.org:IDvN</id> <title> <summary>
 *              <published> <updated> (<author><name>N</name></author>)* <category term=C/>*
 *              arxiv:primary_category@term? arxiv:comment? arxiv:journal_ref? arxiv:doi?
 *              <link title="doi" href=URL/>? arxiv:announce_type? dc:creator("A, B and C")?
 *   error   := an entry whose <id> is http(s)://arxiv.org/api/errors#... -> meta "api-error" =
 *              its <summary>; it is not a record
 * API entries: published -> submitted, updated -> updated, categories primary first. Listing
 * entries (an arxiv:announce_type or dc:creator, an oai: id, or a feed id on rss.arxiv.org): the
 * "arXiv:ID Announce Type: T Abstract:" head is cut from the summary, and the entry's (else the
 * feed's) published/updated day becomes listing_day; published is then not the submission date. */
#include <string.h>

#include "../util/alloc.h"
#include "../util/date.h"
#include "../util/text.h"
#include "parser_impl.h"
#include "xml.h"

struct atom {
    struct parser *p;
    struct xml *x;
    struct paper rec;
    int entry_depth; /* depth of <entry>, 0 outside */
    int author_depth;
    long rec_no;
    long line;
    char *id;
    char *summary;
    char *published;
    char *updated;
    char *primary;
    char *creator; /* dc:creator of listing feeds */
    char *doi_link;
    struct strlist cats; /* <category term> in order */
    int has_announce;
    int is_listing_feed;
    char feed_day[DATE_DAY_LEN + 1];
};

static void reset_entry(struct atom *a)
{
    paper_clear(&a->rec);
    char **strs[] = {&a->id,      &a->summary, &a->published, &a->updated,
                     &a->primary, &a->creator, &a->doi_link};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        xfree(*strs[i]);
        *strs[i] = NULL;
    }
    strlist_clear(&a->cats);
    a->entry_depth = a->author_depth = 0;
    a->has_announce = 0;
}

static void start(void *ctx, enum xml_ns ns, const char *name, const char **attrs)
{
    struct atom *a = ctx;
    int depth = xml_depth(a->x);
    if (!a->entry_depth) {
        if (ns == XML_NS_ATOM && !strcmp(name, "entry")) {
            reset_entry(a);
            a->entry_depth = depth;
            a->rec_no = parser_next_record_no(a->p);
            a->line = xml_line(a->x);
            xml_record_begin(a->x);
        } else if (depth == 2 && (ns == XML_NS_OPENSEARCH || ns == XML_NS_ATOM)) {
            xml_capture(a->x);
        }
        return;
    }
    int rel = depth - a->entry_depth;
    if (rel == 2 && a->author_depth == depth - 1 && ns == XML_NS_ATOM && !strcmp(name, "name")) {
        xml_capture(a->x);
        return;
    }
    if (rel != 1)
        return;
    if (ns == XML_NS_ATOM) {
        if (!strcmp(name, "author")) {
            a->author_depth = depth;
        } else if (!strcmp(name, "category")) {
            /* Longer terms are no category codes; skipping them keeps attributes from
             * piling up past the per-record cap. */
            const char *term = xml_attr(attrs, XML_NS_NONE, "term");
            if (term && strlen(term) < 64 && a->cats.n < PAPER_MAX_LIST)
                strlist_push(&a->cats, term);
            else if (term && a->cats.n >= PAPER_MAX_LIST)
                xml_record_flag(a->x, "more than %d categories", PAPER_MAX_LIST);
        } else if (!strcmp(name, "link")) {
            const char *title = xml_attr(attrs, XML_NS_NONE, "title");
            const char *href = xml_attr(attrs, XML_NS_NONE, "href");
            if (title && href && !strcmp(title, "doi") && !a->doi_link)
                a->doi_link = xstrdup(href);
        } else {
            xml_capture(a->x);
        }
    } else if (ns == XML_NS_ARXIV) {
        if (!strcmp(name, "primary_category")) {
            const char *term = xml_attr(attrs, XML_NS_NONE, "term");
            if (term && strlen(term) < 64 && !a->primary)
                a->primary = xstrdup(term);
        } else {
            xml_capture(a->x);
        }
    } else if (ns == XML_NS_DC) {
        xml_capture(a->x);
    }
}

static void feed_field(struct atom *a, enum xml_ns ns, const char *name, const char *s, size_t n)
{
    char *t = text_normalize(s, n);
    if (ns == XML_NS_OPENSEARCH) {
        if (!strcmp(name, "totalResults") || !strcmp(name, "startIndex") ||
            !strcmp(name, "itemsPerPage")) {
            int rc = parser_meta(a->p, name, t);
            if (rc)
                xml_stop(a->x, rc);
        }
    } else if (!strcmp(name, "id")) {
        if (strstr(t, "rss.arxiv.org"))
            a->is_listing_feed = 1;
    } else if (!strcmp(name, "published") || (!strcmp(name, "updated") && !a->feed_day[0])) {
        char day[DATE_DAY_LEN + 1];
        if (!xml_feed_day(t, day))
            memcpy(a->feed_day, day, sizeof day);
    }
    xfree(t);
}

static void entry_field(struct atom *a, enum xml_ns ns, const char *name, const char *s, size_t n)
{
    struct paper *rec = &a->rec;
    if (ns == XML_NS_ATOM) {
        if (!strcmp(name, "id"))
            paper_set(&a->id, s, n);
        else if (!strcmp(name, "title"))
            paper_set(&rec->title, s, n);
        else if (!strcmp(name, "summary"))
            paper_set(&a->summary, s, n);
        else if (!strcmp(name, "published"))
            paper_set(&a->published, s, n);
        else if (!strcmp(name, "updated"))
            paper_set(&a->updated, s, n);
        else if (!strcmp(name, "rights"))
            paper_set(&rec->license, s, n);
    } else if (ns == XML_NS_ARXIV) {
        if (!strcmp(name, "comment"))
            paper_set(&rec->comment, s, n);
        else if (!strcmp(name, "journal_ref") || !strcmp(name, "journal_reference"))
            paper_set(&rec->journal_ref, s, n);
        else if (!strcmp(name, "doi") || !strcmp(name, "DOI"))
            xml_set_doi(&rec->doi, s, n);
        else if (!strcmp(name, "announce_type"))
            a->has_announce = 1;
    } else if (ns == XML_NS_DC) {
        if (!strcmp(name, "creator"))
            paper_set(&a->creator, s, n);
        else if (!strcmp(name, "rights"))
            paper_set(&rec->license, s, n);
    }
}

static int is_error_id(const char *id)
{
    return text_starts_with(id, "http://arxiv.org/api/errors") ||
           text_starts_with(id, "https://arxiv.org/api/errors") ||
           text_starts_with(id, "http://export.arxiv.org/api/errors") ||
           text_starts_with(id, "https://export.arxiv.org/api/errors");
}

static void end_entry(struct atom *a)
{
    struct paper *rec = &a->rec;
    struct parser *p = a->p;
    const char *why = xml_record_end(a->x);
    char id[PAPER_MAX_ID], clip[104];
    int ver = 0, rc = 0;
    if (a->id && is_error_id(a->id)) {
        /* Not a paper: the API's way of reporting a bad query. */
        rc = parser_meta(p, "api-error", a->summary ? a->summary : (rec->title ? rec->title : ""));
    } else if (why) {
        rc = parser_reject(p, a->rec_no, a->line, "%s", why);
    } else if (!a->id || !*a->id) {
        rc = parser_reject(p, a->rec_no, a->line, "missing <id>");
    } else if (paper_parse_arxiv_id(a->id, id, &ver)) {
        rc = parser_reject(p, a->rec_no, a->line, "not an arXiv id: '%s'",
                           xml_clip(a->id, clip, sizeof clip));
    } else {
        int is_listing =
            a->is_listing_feed || a->has_announce || a->creator || text_starts_with(a->id, "oai:");
        paper_set_str(&rec->id, id);
        rec->version = ver;
        const char *summary = a->summary;
        if (summary && is_listing) {
            char type[32];
            const char *body = xml_strip_announce(summary, type);
            if (body != summary && !rec->version)
                rec->version = xml_announce_version(summary, id);
            summary = body;
        }
        if (summary)
            paper_set_str(&rec->abstract, summary);
        if (is_listing) {
            char day[DATE_DAY_LEN + 1];
            const char *d = a->published ? a->published : a->updated;
            if (d && !xml_feed_day(d, day))
                paper_set_str(&rec->listing_day, day);
            else if (a->feed_day[0])
                paper_set_str(&rec->listing_day, a->feed_day);
        } else {
            if (a->published)
                xml_set_date(&rec->submitted, a->published);
            if (a->updated)
                xml_set_date(&rec->updated, a->updated);
        }
        if (!rec->doi && a->doi_link)
            xml_set_doi(&rec->doi, a->doi_link, strlen(a->doi_link));
        if (a->primary)
            xml_push_category(a->x, rec, a->primary);
        for (size_t i = 0; i < a->cats.n; i++)
            xml_push_category(a->x, rec, a->cats.v[i]);
        if (!rec->authors.n && a->creator)
            paper_split_authors(a->creator, &rec->authors);
        rec->record_no = a->rec_no;
        rec->line_no = a->line;
        rc = parser_emit(p, rec);
    }
    reset_entry(a);
    if (rc)
        xml_stop(a->x, rc);
}

static void end(void *ctx, enum xml_ns ns, const char *name)
{
    struct atom *a = ctx;
    int depth = xml_depth(a->x);
    size_t n;
    const char *s = xml_text(a->x, &n);
    if (!a->entry_depth) {
        if (s && depth == 2)
            feed_field(a, ns, name, s, n);
        return;
    }
    if (depth == a->entry_depth) {
        end_entry(a);
    } else if (depth == a->author_depth) {
        a->author_depth = 0;
    } else if (a->author_depth && depth == a->author_depth + 1) {
        if (s && ns == XML_NS_ATOM && !strcmp(name, "name"))
            xml_push_author(a->x, &a->rec, s, n);
    } else if (s && depth == a->entry_depth + 1) {
        entry_field(a, ns, name, s, n);
    }
}

static void *create(struct parser *p)
{
    struct atom *a = xcalloc(1, sizeof *a);
    static const struct xml_handlers h = {start, end};
    a->p = p;
    a->x = xml_new(p, &h, a);
    paper_init(&a->rec);
    return a;
}

static int feed(void *state, const char *data, size_t n)
{
    struct atom *a = state;
    return xml_feed(a->x, data, n);
}

static int finish(void *state)
{
    struct atom *a = state;
    return xml_finish(a->x);
}

static void destroy(void *state)
{
    struct atom *a = state;
    reset_entry(a);
    xml_free(a->x);
    xfree(a);
}

const struct format_ops parse_atom_ops = {"atom", create, feed, finish, destroy};
