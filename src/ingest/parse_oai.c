/* OAI-PMH responses from arXiv (export.arxiv.org/oai2, oaipmh.arxiv.org/oai): GetRecord and
 * ListRecords with metadataPrefix arXiv, arXivRaw, arXivOld or oai_dc; one paper per <record>.
 * Elements are matched by namespace URI (xml.h), never by prefix. Grammar accepted:
 *   OAI-PMH  := responseDate? (error | GetRecord | ListRecords | anything)*
 *               ; other verbs yield no records
 *   responseDate := <responseDate>TEXT</responseDate>  -> meta "responseDate" = TEXT (the
 *               server's clock: a harvester's next "from")
 *   error    := <error code=C>TEXT</error>          -> meta "oai-error" = "C: TEXT"
 *   token    := <resumptionToken completeListSize=N cursor=K>T?</resumptionToken>
 *               -> meta "resumptionToken" = T ("" on the last page), "completeListSize", "cursor"
 *   record   := <record> <header status="deleted"?> <identifier>oai:arXiv.org:ID</identifier>
 *               ...</header> (<metadata> META </metadata>)? </record>
 *   arXiv    := id created updated? authors/author(keyname forenames? suffix?)* title categories
 *               comments? report-no? journal-ref? doi? license? abstract?   (acm-class, msc-class,
 *               proxy, affiliation ignored: arXiv prints MSC codes in acm-class)
 *   arXivRaw := id submitter (version@version="vN" (date size source_type?))* title authors
 *               categories comments? ... abstract?     (arXivOld: the same without versions)
 *   oai_dc   := dc:title dc:creator("Last, First")* dc:subject(code)* dc:description(abstract,
 *               then "Comment: ...")* dc:date(first = v1, last = latest)*
 *               dc:identifier(abs URL | doi:DOI | journal ref)*
 * A deleted header gives a record with is_deleted and the id only. The header <datestamp> is the
 * OAI change date, not a paper date, and OAI has no listing day. The record's id is the metadata
 * <id> (or the abs URL in oai_dc), else the header identifier. */
#include <stddef.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/text.h"
#include "parser_impl.h"
#include "xml.h"

struct oai {
    struct parser *p;
    struct xml *x;
    struct paper rec;
    int record_depth; /* depth of <record>, 0 outside */
    int header_depth; /* depth of <header> inside a record */
    int meta_depth;   /* depth of the metadata root (<arXiv>, <arXivRaw>, <oai_dc:dc>) */
    enum xml_ns fmt;  /* namespace of that root */
    long rec_no;
    long line;
    char *header_id;
    char *meta_id;
    /* arXivRaw <version> */
    int version_depth;
    int ver_num;
    int n_versions;
    int min_ver;
    int max_ver; /* the latest version with a date */
    int latest;  /* the latest version */
    char *ver_date;
    char *min_date;
    char *max_date;
    /* arXiv <author> parts */
    int author_depth;
    char *keyname;
    char *forenames;
    char *suffix;
    /* oai_dc */
    int n_descriptions;
    int n_dates;
    /* feed-level */
    char *error_code;
    char *list_size;
    char *cursor;
};

static void set_text(char **field, const char *s, size_t n)
{
    paper_set(field, s, n);
}

static void replace_str(char **field, const char *s)
{
    xfree(*field);
    *field = s ? xstrdup(s) : NULL;
}

static void reset_record(struct oai *o)
{
    paper_clear(&o->rec);
    o->record_depth = o->header_depth = o->meta_depth = 0;
    o->fmt = XML_NS_NONE;
    char **strs[] = {&o->header_id, &o->meta_id, &o->ver_date,  &o->min_date,
                     &o->max_date,  &o->keyname, &o->forenames, &o->suffix};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        xfree(*strs[i]);
        *strs[i] = NULL;
    }
    o->version_depth = o->ver_num = o->n_versions = o->min_ver = o->max_ver = o->latest = 0;
    o->author_depth = 0;
    o->n_descriptions = o->n_dates = 0;
}

static int is_arxiv_fmt(enum xml_ns ns)
{
    return ns == XML_NS_OAI_ARXIV || ns == XML_NS_OAI_RAW || ns == XML_NS_OAI_OLD;
}

static void start(void *ctx, enum xml_ns ns, const char *name, const char **attrs)
{
    struct oai *o = ctx;
    int depth = xml_depth(o->x);
    if (ns == XML_NS_OAI) {
        if (!strcmp(name, "record") && !o->record_depth) {
            reset_record(o);
            o->record_depth = depth;
            o->rec_no = parser_next_record_no(o->p);
            o->line = xml_line(o->x);
            xml_record_begin(o->x);
        } else if (!strcmp(name, "header") && o->record_depth && !o->meta_depth) {
            o->header_depth = depth;
            const char *status = xml_attr(attrs, XML_NS_NONE, "status");
            if (status && !strcmp(status, "deleted"))
                o->rec.is_deleted = 1;
        } else if (!strcmp(name, "identifier") && o->header_depth == depth - 1) {
            xml_capture(o->x);
        } else if (!strcmp(name, "responseDate") && !o->record_depth) {
            xml_capture(o->x);
        } else if (!strcmp(name, "error") && !o->record_depth) {
            replace_str(&o->error_code, xml_attr(attrs, XML_NS_NONE, "code"));
            xml_capture(o->x);
        } else if (!strcmp(name, "resumptionToken") && !o->record_depth) {
            replace_str(&o->list_size, xml_attr(attrs, XML_NS_NONE, "completeListSize"));
            replace_str(&o->cursor, xml_attr(attrs, XML_NS_NONE, "cursor"));
            xml_capture(o->x);
        }
        return;
    }
    if (!o->record_depth || o->header_depth)
        return;
    if (!o->meta_depth) {
        if (is_arxiv_fmt(ns) || ns == XML_NS_OAI_DC) {
            o->meta_depth = depth;
            o->fmt = ns;
        }
        return;
    }
    int rel = depth - o->meta_depth;
    if (o->fmt == XML_NS_OAI_DC) {
        if (ns == XML_NS_DC && rel == 1)
            xml_capture(o->x);
        return;
    }
    if (ns != o->fmt)
        return;
    if (rel == 1 && !strcmp(name, "version")) {
        o->version_depth = depth;
        o->n_versions++;
        const char *v = xml_attr(attrs, XML_NS_NONE, "version");
        int num = 0;
        if (v && (v[0] == 'v' || v[0] == 'V'))
            for (const char *q = v + 1; *q >= '0' && *q <= '9' && num < 100000; q++)
                num = num * 10 + (*q - '0');
        /* arXiv lists versions in order; a number we cannot read is its position. */
        o->ver_num = num > 0 ? num : o->n_versions;
        xfree(o->ver_date);
        o->ver_date = NULL;
    } else if (rel == 1 && !strcmp(name, "authors") && o->fmt == XML_NS_OAI_ARXIV) {
        /* a container of <author> elements */
    } else if (rel == 2 && !strcmp(name, "author") && o->fmt == XML_NS_OAI_ARXIV) {
        o->author_depth = depth;
        replace_str(&o->keyname, NULL);
        replace_str(&o->forenames, NULL);
        replace_str(&o->suffix, NULL);
    } else if (rel == 3 && o->author_depth == depth - 1) {
        xml_capture(o->x);
    } else if (rel == 2 && o->version_depth == depth - 1 && !strcmp(name, "date")) {
        xml_capture(o->x);
    } else if (rel == 1) {
        xml_capture(o->x);
    }
}

static const struct {
    const char *name;
    size_t off;
} arxiv_fields[] = {
    {"title", offsetof(struct paper, title)},
    {"abstract", offsetof(struct paper, abstract)},
    {"comments", offsetof(struct paper, comment)},
    {"journal-ref", offsetof(struct paper, journal_ref)},
    {"license", offsetof(struct paper, license)},
    {"report-no", offsetof(struct paper, report_no)},
};

static char **paper_field(struct paper *rec, size_t off)
{
    return (char **)((char *)rec + off);
}

static void end_version(struct oai *o)
{
    o->version_depth = 0;
    if (o->ver_num > o->latest)
        o->latest = o->ver_num;
    if (!o->ver_date)
        return;
    if (!o->min_ver || o->ver_num < o->min_ver) {
        o->min_ver = o->ver_num;
        replace_str(&o->min_date, o->ver_date);
    }
    if (o->ver_num >= o->max_ver) {
        o->max_ver = o->ver_num;
        replace_str(&o->max_date, o->ver_date);
    }
}

static void end_author(struct oai *o)
{
    o->author_depth = 0;
    char *name = xasprintf("%s %s %s", o->forenames ? o->forenames : "",
                           o->keyname ? o->keyname : "", o->suffix ? o->suffix : "");
    xml_push_author(o->x, &o->rec, name, strlen(name));
    xfree(name);
}

static void arxiv_field(struct oai *o, const char *name, const char *s, size_t n)
{
    struct paper *rec = &o->rec;
    for (size_t i = 0; i < sizeof arxiv_fields / sizeof arxiv_fields[0]; i++) {
        if (!strcmp(name, arxiv_fields[i].name)) {
            set_text(paper_field(rec, arxiv_fields[i].off), s, n);
            return;
        }
    }
    if (!strcmp(name, "id")) {
        set_text(&o->meta_id, s, n);
    } else if (!strcmp(name, "doi")) {
        xml_set_doi(&rec->doi, s, n);
    } else if (!strcmp(name, "created")) {
        char *t = text_normalize(s, n);
        xml_set_date(&rec->submitted, t);
        xfree(t);
    } else if (!strcmp(name, "updated")) {
        char *t = text_normalize(s, n);
        xml_set_date(&rec->updated, t);
        xfree(t);
    } else if (!strcmp(name, "categories")) {
        char *t = text_normalize(s, n);
        paper_split_categories(t, &rec->categories);
        xfree(t);
    } else if (!strcmp(name, "authors") && o->fmt != XML_NS_OAI_ARXIV) {
        char *t = text_normalize(s, n);
        paper_split_authors(t, &rec->authors);
        xfree(t);
    }
}

static void dc_field(struct oai *o, const char *name, const char *s, size_t n)
{
    struct paper *rec = &o->rec;
    char *t = text_normalize(s, n);
    if (!strcmp(name, "title")) {
        paper_set_str(&rec->title, t);
    } else if (!strcmp(name, "creator")) {
        /* "Rodrigues Jr, Waldyr A." -> "Waldyr A. Rodrigues Jr" */
        char *comma = strchr(t, ',');
        if (comma) {
            *comma = 0;
            char *name2 = xasprintf("%s %s", comma + 1, t);
            xml_push_author(o->x, rec, name2, strlen(name2));
            xfree(name2);
        } else {
            xml_push_author(o->x, rec, t, strlen(t));
        }
    } else if (!strcmp(name, "subject")) {
        xml_push_category(o->x, rec, t); /* codes only: arXiv mostly puts subject names here */
    } else if (!strcmp(name, "description")) {
        if (o->n_descriptions++ == 0) {
            paper_set_str(&rec->abstract, t);
        } else if (!rec->comment) {
            const char *c = t;
            if (text_starts_with(c, "Comment:"))
                c += 8;
            paper_set_str(&rec->comment, c);
        }
    } else if (!strcmp(name, "date")) {
        if (o->n_dates++ == 0)
            xml_set_date(&rec->submitted, t);
        else
            xml_set_date(&rec->updated, t);
    } else if (!strcmp(name, "identifier")) {
        if (text_starts_with(t, "doi:"))
            xml_set_doi(&rec->doi, t, strlen(t));
        else if (strstr(t, "arxiv.org/abs/") || strstr(t, "arXiv.org/abs/")) {
            if (!o->meta_id)
                o->meta_id = xstrdup(t);
        } else if (!text_starts_with(t, "http") && *t && !rec->journal_ref)
            paper_set_str(&rec->journal_ref, t);
    }
    xfree(t);
}

static void end_record(struct oai *o)
{
    struct paper *rec = &o->rec;
    struct parser *p = o->p;
    const char *why = xml_record_end(o->x);
    int rc;
    char id[PAPER_MAX_ID], clip[104];
    int ver = 0;
    const char *idtext = o->meta_id && *o->meta_id ? o->meta_id : o->header_id;
    if (why) {
        rc = parser_reject(p, o->rec_no, o->line, "%s", why);
    } else if (!idtext || !*idtext) {
        rc = parser_reject(p, o->rec_no, o->line, "missing <id>");
    } else if (paper_parse_arxiv_id(idtext, id, &ver)) {
        rc = parser_reject(p, o->rec_no, o->line, "not an arXiv id: '%s'",
                           xml_clip(idtext, clip, sizeof clip));
    } else {
        paper_set_str(&rec->id, id);
        rec->version = o->latest ? o->latest : ver;
        if (o->min_date)
            xml_set_date(&rec->submitted, o->min_date);
        if (o->max_date)
            xml_set_date(&rec->updated, o->max_date);
        if (rec->is_deleted) {
            /* A tombstone carries the id only. */
            struct paper tomb;
            paper_init(&tomb);
            tomb.id = rec->id;
            rec->id = NULL;
            tomb.is_deleted = 1;
            paper_clear(rec);
            *rec = tomb;
        }
        rec->record_no = o->rec_no;
        rec->line_no = o->line;
        rc = parser_emit(p, rec);
    }
    reset_record(o);
    if (rc)
        xml_stop(o->x, rc);
}

static void end_meta(struct oai *o, const char *key, const char *value)
{
    int rc = parser_meta(o->p, key, value);
    if (rc)
        xml_stop(o->x, rc);
}

static void end(void *ctx, enum xml_ns ns, const char *name)
{
    struct oai *o = ctx;
    int depth = xml_depth(o->x);
    size_t n;
    const char *s = xml_text(o->x, &n);
    if (ns == XML_NS_OAI) {
        if (o->record_depth == depth) {
            end_record(o);
        } else if (o->header_depth == depth) {
            o->header_depth = 0;
        } else if (o->header_depth == depth - 1 && !strcmp(name, "identifier")) {
            if (s)
                set_text(&o->header_id, s, n);
        } else if (!o->record_depth && !strcmp(name, "responseDate")) {
            char *t = text_normalize(s ? s : "", n);
            end_meta(o, "responseDate", t);
            xfree(t);
        } else if (!o->record_depth && !strcmp(name, "error")) {
            char *t = text_normalize(s ? s : "", n);
            char *v = xasprintf("%s: %s", o->error_code ? o->error_code : "unknown", t);
            end_meta(o, "oai-error", v);
            xfree(v);
            xfree(t);
        } else if (!o->record_depth && !strcmp(name, "resumptionToken")) {
            char *t = text_normalize(s ? s : "", n);
            end_meta(o, "resumptionToken", t);
            if (o->list_size)
                end_meta(o, "completeListSize", o->list_size);
            if (o->cursor)
                end_meta(o, "cursor", o->cursor);
            xfree(t);
        }
        return;
    }
    if (!o->meta_depth || depth <= o->meta_depth)
        return;
    int rel = depth - o->meta_depth;
    if (o->fmt == XML_NS_OAI_DC) {
        if (ns == XML_NS_DC && rel == 1 && s)
            dc_field(o, name, s, n);
        return;
    }
    if (ns != o->fmt)
        return;
    if (o->version_depth == depth) {
        end_version(o);
    } else if (o->version_depth == depth - 1) {
        if (s && !strcmp(name, "date")) {
            char *t = text_normalize(s, n);
            replace_str(&o->ver_date, t);
            xfree(t);
        }
    } else if (o->author_depth == depth) {
        end_author(o);
    } else if (o->author_depth == depth - 1) {
        char **part = !strcmp(name, "keyname")     ? &o->keyname
                      : !strcmp(name, "forenames") ? &o->forenames
                      : !strcmp(name, "suffix")    ? &o->suffix
                                                   : NULL;
        if (part && s)
            set_text(part, s, n);
    } else if (rel == 1 && s) {
        arxiv_field(o, name, s, n);
    }
}

static void *create(struct parser *p)
{
    struct oai *o = xcalloc(1, sizeof *o);
    static const struct xml_handlers h = {start, end};
    o->p = p;
    o->x = xml_new(p, &h, o);
    paper_init(&o->rec);
    return o;
}

static int feed(void *state, const char *data, size_t n)
{
    struct oai *o = state;
    return xml_feed(o->x, data, n);
}

static int finish(void *state)
{
    struct oai *o = state;
    return xml_finish(o->x);
}

static void destroy(void *state)
{
    struct oai *o = state;
    reset_record(o);
    xfree(o->error_code);
    xfree(o->list_size);
    xfree(o->cursor);
    xml_free(o->x);
    xfree(o);
}

const struct format_ops parse_oai_ops = {"oai", create, feed, finish, destroy};
