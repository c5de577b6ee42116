/* arXiv RSS listing feeds: the current RSS 2.0 feeds (rss.arxiv.org/rss/<cat>, 2024-) and the
 * older RSS 1.0 / RDF feeds (export.arxiv.org/rss/<cat>). One paper per <item>; namespaces are
 * matched by URI (RSS 2.0 elements have none; RSS 1.0 = http://purl.org/rss/1.0/). Grammar:
 *   rss2  := <rss><channel> pubDate? lastBuildDate? item* </channel></rss>
 *   item  := <title> <link>https://arxiv.org/abs/ID</link> <guid>oai:arXiv.org:IDvN</guid>
 *            <description>arXiv:IDvN Announce Type: T \nAbstract: TEXT</description>
 *            <category>C</category>* <pubDate>RFC 2822</pubDate> arxiv:announce_type?
 *            dc:creator("A, B, and C")? dc:rights? arxiv:DOI? arxiv:journal_reference?
 *   rdf   := <rdf:RDF><channel> dc:date? </channel> <item rdf:about=URL> <title>TITLE. (arXiv:IDvN
 *            [cat] UPDATED)</title> <link> <description>HTML</description> dc:creator(HTML)
 *            </item>* </rdf:RDF>            (HTML tags are stripped from the RSS 1.0 texts)
 * The id comes from guid, else link, else rdf:about. listing_day is the day of the item's pubDate
 * as written (no zone shift), else the channel's pubDate / dc:date / lastBuildDate. Every announce
 * type (new, cross, replace, replace-cross) is a record. */
#include <string.h>

#include "../util/alloc.h"
#include "../util/date.h"
#include "../util/text.h"
#include "parser_impl.h"
#include "xml.h"

struct rss {
    struct parser *p;
    struct xml *x;
    struct paper rec;
    int item_depth; /* depth of <item>, 0 outside */
    int is_rss1;    /* the item is an RSS 1.0 one */
    long rec_no;
    long line;
    char *guid;
    char *link;
    char *about;
    char *title;
    char *description;
    char *creator;
    char *pub_day; /* "YYYY-MM-DD" from the item's pubDate / dc:date */
    char channel_day[DATE_DAY_LEN + 1];
    int has_channel_pubdate;
};

static void reset_item(struct rss *r)
{
    paper_clear(&r->rec);
    char **strs[] = {&r->guid,        &r->link,    &r->about,  &r->title,
                     &r->description, &r->creator, &r->pub_day};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        xfree(*strs[i]);
        *strs[i] = NULL;
    }
    r->item_depth = 0;
    r->is_rss1 = 0;
}

static int is_rss_ns(enum xml_ns ns)
{
    return ns == XML_NS_NONE || ns == XML_NS_RSS1;
}

static void start(void *ctx, enum xml_ns ns, const char *name, const char **attrs)
{
    struct rss *r = ctx;
    int depth = xml_depth(r->x);
    if (!r->item_depth) {
        if (is_rss_ns(ns) && !strcmp(name, "item")) {
            reset_item(r);
            r->item_depth = depth;
            r->is_rss1 = ns == XML_NS_RSS1;
            r->rec_no = parser_next_record_no(r->p);
            r->line = xml_line(r->x);
            xml_record_begin(r->x);
            const char *about = xml_attr(attrs, XML_NS_RDF, "about");
            if (about)
                r->about = xstrdup(about);
        } else if ((is_rss_ns(ns) &&
                    (!strcmp(name, "pubDate") || !strcmp(name, "lastBuildDate"))) ||
                   (ns == XML_NS_DC && !strcmp(name, "date"))) {
            xml_capture(r->x);
        }
        return;
    }
    if (depth == r->item_depth + 1 && (is_rss_ns(ns) || ns == XML_NS_DC || ns == XML_NS_ARXIV))
        xml_capture(r->x);
}

static void set_day(char **field, const char *s, size_t n)
{
    char *t = text_normalize(s, n);
    char day[DATE_DAY_LEN + 1];
    if (!xml_feed_day(t, day))
        paper_set_str(field, day);
    xfree(t);
}

static void item_field(struct rss *r, enum xml_ns ns, const char *name, const char *s, size_t n)
{
    struct paper *rec = &r->rec;
    if (is_rss_ns(ns)) {
        if (!strcmp(name, "title"))
            paper_set(&r->title, s, n);
        else if (!strcmp(name, "link"))
            paper_set(&r->link, s, n);
        else if (!strcmp(name, "guid"))
            paper_set(&r->guid, s, n);
        else if (!strcmp(name, "description"))
            paper_set(&r->description, s, n);
        else if (!strcmp(name, "pubDate"))
            set_day(&r->pub_day, s, n);
        else if (!strcmp(name, "category")) {
            char *t = text_normalize(s, n);
            xml_push_category(r->x, rec, t);
            xfree(t);
        }
    } else if (ns == XML_NS_DC) {
        if (!strcmp(name, "creator"))
            paper_set(&r->creator, s, n);
        else if (!strcmp(name, "rights"))
            paper_set(&rec->license, s, n);
        else if (!strcmp(name, "date"))
            set_day(&r->pub_day, s, n);
    } else if (ns == XML_NS_ARXIV) {
        if (!strcmp(name, "DOI") || !strcmp(name, "doi"))
            xml_set_doi(&rec->doi, s, n);
        else if (!strcmp(name, "journal_reference") || !strcmp(name, "journal_ref"))
            paper_set(&rec->journal_ref, s, n);
    }
}

/* RSS 1.0 texts are HTML: drop tags, decode the few entities arXiv used. In place. */
static void strip_html(char *s)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
                {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
    char *o = s;
    int in_tag = 0;
    for (const char *p = s; *p; p++) {
        if (in_tag) {
            if (*p == '>') {
                in_tag = 0;
                *o++ = ' ';
            }
            continue;
        }
        if (*p == '<') {
            in_tag = 1;
            continue;
        }
        if (*p == '&') {
            size_t i;
            for (i = 0; i < sizeof ents / sizeof ents[0]; i++)
                if (!strncmp(p, ents[i].ent, strlen(ents[i].ent)))
                    break;
            if (i < sizeof ents / sizeof ents[0]) {
                *o++ = ents[i].c;
                p += strlen(ents[i].ent) - 1;
                continue;
            }
        }
        *o++ = *p;
    }
    *o = 0;
}

/* "Title. (arXiv:2104.11227v1 [cs.LG] UPDATED)": cut the suffix, return the category. */
static void split_rss1_title(struct rss *r, char **title, char *cat, size_t cat_cap)
{
    cat[0] = 0;
    char *t = *title;
    char *paren = strstr(t, " (arXiv:");
    while (paren && strstr(paren + 1, " (arXiv:"))
        paren = strstr(paren + 1, " (arXiv:");
    if (!paren)
        return;
    char *lb = strchr(paren, '[');
    char *rb = lb ? strchr(lb, ']') : NULL;
    if (lb && rb && (size_t)(rb - lb - 1) < cat_cap) {
        memcpy(cat, lb + 1, (size_t)(rb - lb - 1));
        cat[rb - lb - 1] = 0;
    }
    if (!r->rec.version) {
        char id[PAPER_MAX_ID];
        int ver = 0;
        if (!paper_parse_arxiv_id(paren + 2, id, &ver) && r->rec.id && !strcmp(id, r->rec.id))
            r->rec.version = ver;
    }
    *paren = 0;
    size_t n = strlen(t);
    if (n && t[n - 1] == '.')
        t[n - 1] = 0;
}

/* First of guid, link, rdf:about that is an arXiv id; else the first one given, for the message. */
static const char *pick_id(struct rss *r, char *id, int *ver, const char **bad)
{
    const char *cands[] = {r->guid, r->link, r->about};
    *bad = NULL;
    for (size_t i = 0; i < 3; i++) {
        if (!cands[i] || !*cands[i])
            continue;
        if (!paper_parse_arxiv_id(cands[i], id, ver))
            return cands[i];
        if (!*bad)
            *bad = cands[i];
    }
    return NULL;
}

static void end_item(struct rss *r)
{
    struct paper *rec = &r->rec;
    struct parser *p = r->p;
    const char *why = xml_record_end(r->x);
    char id[PAPER_MAX_ID], clip[104];
    int ver = 0, rc;
    const char *bad;
    if (why) {
        rc = parser_reject(p, r->rec_no, r->line, "%s", why);
    } else if (!pick_id(r, id, &ver, &bad)) {
        if (bad)
            rc = parser_reject(p, r->rec_no, r->line, "not an arXiv id: '%s'",
                               xml_clip(bad, clip, sizeof clip));
        else
            rc = parser_reject(p, r->rec_no, r->line, "missing <guid> and <link>");
    } else {
        paper_set_str(&rec->id, id);
        rec->version = ver;
        if (r->description) {
            if (r->is_rss1)
                strip_html(r->description);
            const char *body = xml_strip_announce(r->description, NULL);
            if (body != r->description && !rec->version)
                rec->version = xml_announce_version(r->description, id);
            paper_set_str(&rec->abstract, body);
        }
        if (r->title) {
            if (r->is_rss1) {
                char cat[64];
                split_rss1_title(r, &r->title, cat, sizeof cat);
                if (cat[0]) {
                    /* the bracketed category is the primary one: put it first */
                    struct strlist rest = rec->categories;
                    memset(&rec->categories, 0, sizeof rec->categories);
                    xml_push_category(r->x, rec, cat);
                    for (size_t i = 0; i < rest.n; i++)
                        xml_push_category(r->x, rec, rest.v[i]);
                    strlist_clear(&rest);
                }
            }
            paper_set_str(&rec->title, r->title);
        }
        if (r->creator) {
            if (r->is_rss1)
                strip_html(r->creator);
            paper_split_authors(r->creator, &rec->authors);
        }
        if (r->pub_day)
            paper_set_str(&rec->listing_day, r->pub_day);
        else if (r->channel_day[0])
            paper_set_str(&rec->listing_day, r->channel_day);
        rec->record_no = r->rec_no;
        rec->line_no = r->line;
        rc = parser_emit(p, rec);
    }
    reset_item(r);
    if (rc)
        xml_stop(r->x, rc);
}

static void end(void *ctx, enum xml_ns ns, const char *name)
{
    struct rss *r = ctx;
    int depth = xml_depth(r->x);
    size_t n;
    const char *s = xml_text(r->x, &n);
    if (!r->item_depth) {
        if (!s)
            return;
        int is_pub = is_rss_ns(ns) && !strcmp(name, "pubDate");
        int is_dc = ns == XML_NS_DC && !strcmp(name, "date");
        int is_build = is_rss_ns(ns) && !strcmp(name, "lastBuildDate");
        char *t = text_normalize(s, n);
        char day[DATE_DAY_LEN + 1];
        if (!xml_feed_day(t, day) &&
            (is_pub || (is_dc && !r->has_channel_pubdate) || (is_build && !r->channel_day[0]))) {
            memcpy(r->channel_day, day, sizeof day);
            r->has_channel_pubdate |= is_pub;
        }
        xfree(t);
        return;
    }
    if (depth == r->item_depth)
        end_item(r);
    else if (s && depth == r->item_depth + 1)
        item_field(r, ns, name, s, n);
}

static void *create(struct parser *p)
{
    struct rss *r = xcalloc(1, sizeof *r);
    static const struct xml_handlers h = {start, end};
    r->p = p;
    r->x = xml_new(p, &h, r);
    paper_init(&r->rec);
    return r;
}

static int feed(void *state, const char *data, size_t n)
{
    struct rss *r = state;
    return xml_feed(r->x, data, n);
}

static int finish(void *state)
{
    struct rss *r = state;
    return xml_finish(r->x);
}

static void destroy(void *state)
{
    struct rss *r = state;
    reset_item(r);
    xml_free(r->x);
    xfree(r);
}

const struct format_ops parse_rss_ops = {"rss", create, feed, finish, destroy};
