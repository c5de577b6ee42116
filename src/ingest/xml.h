/* Streaming XML layer shared by the expat-based parsers (parse_oai.c, parse_atom.c, parse_rss.c):
 * the only code that includes <expat.h>. It runs expat namespace-aware, hands each element to the
 * format as (namespace id, local name, attributes), collects the text of the elements a format
 * asks for into a capped buffer, and turns everything an outsider can abuse (entity declarations,
 * deep nesting, giant tokens, over-long fields and records) into errors with line numbers.
 * Memory is bounded by the limits below, whatever the input size. Not thread-safe per instance. */
#ifndef PB_INGEST_XML_H
#define PB_INGEST_XML_H
#include <stddef.h>

#include "../util/err.h"
#include "paper.h"

#define XML_MAX_DEPTH 256                    /* element nesting */
#define XML_MAX_RECORD (4 * PAPER_MAX_FIELD) /* text bytes collected for one record */
#define XML_MAX_PENDING (2 * 1024 * 1024)    /* bytes expat may hold in one unfinished token */
#define XML_MAX_NAMES 4096 /* distinct element/attribute/prefix names (expat keeps them all) */

/* Namespaces the formats care about; everything else is XML_NS_OTHER. */
enum xml_ns {
    XML_NS_NONE = 0, /* no namespace (RSS 2.0 elements, most attributes) */
    XML_NS_OTHER,
    XML_NS_ATOM,       /* http://www.w3.org/2005/Atom */
    XML_NS_ARXIV,      /* http://arxiv.org/schemas/atom (API and feed extensions) */
    XML_NS_OPENSEARCH, /* http://a9.com/-/spec/opensearch/1.1/ */
    XML_NS_OAI,        /* http://www.openarchives.org/OAI/2.0/ */
    XML_NS_OAI_ARXIV,  /* http://arxiv.org/OAI/arXiv/ */
    XML_NS_OAI_RAW,    /* http://arxiv.org/OAI/arXivRaw/ */
    XML_NS_OAI_OLD,    /* http://arxiv.org/OAI/arXivOld/ */
    XML_NS_OAI_DC,     /* http://www.openarchives.org/OAI/2.0/oai_dc/ */
    XML_NS_DC,         /* http://purl.org/dc/elements/1.1/ */
    XML_NS_RDF,        /* http://www.w3.org/1999/02/22-rdf-syntax-ns# */
    XML_NS_RSS1,       /* http://purl.org/rss/1.0/ */
};

struct parser;
struct xml;

/* Element callbacks. attrs alternates names and values, NULL-terminated (use xml_attr). */
struct xml_handlers {
    void (*start)(void *ctx, enum xml_ns ns, const char *name, const char **attrs);
    void (*end)(void *ctx, enum xml_ns ns, const char *name);
};

/* A new XML reader reporting whole-input errors through parser_fail(p, ...). Never fails. */
struct xml *xml_new(struct parser *p, const struct xml_handlers *h, void *ctx);
void xml_free(struct xml *x);
/* Feed bytes / end of input. Return 0, the code given to xml_stop, or PB_EPARSE / PB_ETOOBIG
 * (already recorded with parser_fail). After an error every call returns the same code. */
PB_MUST_CHECK int xml_feed(struct xml *x, const char *data, size_t n);
PB_MUST_CHECK int xml_finish(struct xml *x);
/* From a handler: stop parsing; xml_feed/xml_finish return code (non-zero). */
void xml_stop(struct xml *x, int code);

/* From a start handler: collect the text of this element (children's text included). Only one
 * element is collected at a time: a new xml_capture replaces the current one. */
void xml_capture(struct xml *x);
/* From the end handler of a captured element: its raw text (NUL-terminated) and length, or NULL
 * if it was not captured, was too long or its record is flagged (see xml_record_flag). Owned by
 * x, valid until the handler returns. */
const char *xml_text(struct xml *x, size_t *len);

/* Line of the current event (1-based). */
long xml_line(const struct xml *x);
/* Depth of the current element (root = 1) during callbacks. */
int xml_depth(const struct xml *x);

/* Record bookkeeping. xml_record_begin at a record's start resets the per-record byte count and
 * reason; xml_record_flag marks the record as unusable (the first reason is kept, printf-style),
 * after which xml_text returns NULL until the record ends, so a bad record costs no memory;
 * xml_record_end leaves the record and returns the reason, or NULL if the record is usable (the
 * string lives until the next xml_record_begin). */
void xml_record_begin(struct xml *x);
void xml_record_flag(struct xml *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int xml_record_flagged(const struct xml *x);
const char *xml_record_end(struct xml *x);

/* The value of attribute (ns, name) in attrs, or NULL. */
const char *xml_attr(const char **attrs, enum xml_ns ns, const char *name);

/* Helpers the three formats share. */
/* s itself if shorter than cap bytes, else its first bytes plus "..." in out (cap bytes), cut
 * at a UTF-8 boundary: for quoting input in messages. */
const char *xml_clip(const char *s, char *out, size_t cap);
/* The calendar day a feed date names, as written (no time-zone shift): "Mon, 27 Apr 2026
 * 00:00:00 -0400" and "2026-04-27T00:00:00-04:00" both give "2026-04-27". out >= 11 bytes.
 * Returns 0 or PB_EINVAL. */
PB_MUST_CHECK int xml_feed_day(const char *s, char *out);
/* Set *field to the canonical form of date s (util/date.h); leaves it alone if s is no date. */
void xml_set_date(char **field, const char *s);
/* Push a normalised author name s[0..n) onto rec->authors, flagging the record past
 * PAPER_MAX_LIST authors. Empty names are skipped. */
void xml_push_author(struct xml *x, struct paper *rec, const char *s, size_t n);
/* 1 if s looks like an arXiv category code ("hep-th", "cs.LG", "math-ph"), not an MSC/ACM code
 * ("14C20, 14M99", "I.2.6") or a subject name ("Computer Science - Learning"), which arXiv also
 * prints where categories go (old API <category>, oai_dc <dc:subject>). */
int xml_is_category(const char *s);
/* Push category s (normalised) if it is a category code and not yet present; flags the record
 * past PAPER_MAX_LIST. */
void xml_push_category(struct xml *x, struct paper *rec, const char *s);
/* Set *field to the first DOI in s[0..n) ("doi:10.1/x", "https://doi.org/10.1/x", "10.1/x 10.2/y"
 * all give "10.1/x"); leaves it alone if nothing is left. */
void xml_set_doi(char **field, const char *s, size_t n);
/* Strip the "arXiv:2604.22559v1 Announce Type: new Abstract: " head of arXiv listing-feed
 * abstracts. Returns a pointer into s past the head (s itself if there is none); if type is not
 * NULL it receives the announce type ("new", "replace-cross"...; "" if none), >= 32 bytes. */
const char *xml_strip_announce(const char *s, char *type);
/* The version in the "arXiv:2604.22559v1" an announce head s starts with, if that id is id;
 * else 0. */
int xml_announce_version(const char *s, const char *id);

#endif
