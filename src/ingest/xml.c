/* Expat, set up for untrusted feeds (see xml.h). Element names arrive from expat as
 * "namespace-URI\nlocal" (namespace processing with '\n' as separator: expat rejects a URI that
 * contains the separator, and a real one never does) and are mapped to enum xml_ns here, so the
 * formats match on namespace URIs, never on prefixes. Refused: any <!ENTITY> declaration (this
 * stops billion-laughs and external entities before they start; expat's amplification limit is set
 * as well), nesting deeper than XML_MAX_DEPTH, a single token (tag, comment...) longer than
 * XML_MAX_PENDING, more than XML_MAX_NAMES distinct names. Text past PAPER_MAX_FIELD or
 * XML_MAX_RECORD flags the record, not the input. */
#define XML_DTD 1 /* declares the billion-laughs setters; Debian's libexpat is built with it */
#include <expat.h>

#include "xml.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/text.h"
#include "parser_impl.h"

#define NS_SEP '\n'
#define FEED_STEP (1 << 20) /* XML_Parse takes an int length */

struct xml {
    XML_Parser xp;
    struct parser *p;
    struct xml_handlers h;
    void *ctx;
    int code; /* sticky: set once parsing must stop */
    int depth;
    int has_root; /* the root element has been opened */
    int is_done;  /* the root element has been closed */
    long done_line;
    char root[64];
    const char *cur_local; /* local name of the element being started */
    /* Text capture */
    int capture_depth; /* 0 = not capturing */
    int is_overflow;   /* capture went past its cap; text dropped */
    char capture_name[64];
    struct buf text;
    /* Records */
    int in_record;
    size_t record_bytes;
    char why[256];
    /* Token-size guard: bytes given to expat and the byte index of the last event. */
    long long fed;
    long long last_event;
    char head[4]; /* the first bytes, see xml_feed */
    size_t n_head;
    uint64_t names[2 * XML_MAX_NAMES]; /* hashes of the names seen, see note_name */
    size_t n_names;
};

static const struct {
    enum xml_ns ns;
    const char *uri;
} namespaces[] = {
    {XML_NS_ATOM, "http://www.w3.org/2005/Atom"},
    {XML_NS_ARXIV, "http://arxiv.org/schemas/atom"},
    {XML_NS_OPENSEARCH, "http://a9.com/-/spec/opensearch/1.1/"},
    {XML_NS_OAI, "http://www.openarchives.org/OAI/2.0/"},
    {XML_NS_OAI_ARXIV, "http://arxiv.org/OAI/arXiv/"},
    {XML_NS_OAI_RAW, "http://arxiv.org/OAI/arXivRaw/"},
    {XML_NS_OAI_OLD, "http://arxiv.org/OAI/arXivOld/"},
    {XML_NS_OAI_DC, "http://www.openarchives.org/OAI/2.0/oai_dc/"},
    {XML_NS_DC, "http://purl.org/dc/elements/1.1/"},
    {XML_NS_RDF, "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
    {XML_NS_RSS1, "http://purl.org/rss/1.0/"},
};

/* Split an expat name into namespace id and local part. */
static enum xml_ns split_name(const char *name, const char **local)
{
    const char *sep = strchr(name, NS_SEP);
    if (!sep) {
        *local = name;
        return XML_NS_NONE;
    }
    *local = sep + 1;
    size_t n = (size_t)(sep - name);
    for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
        if (strlen(namespaces[i].uri) == n && !memcmp(namespaces[i].uri, name, n))
            return namespaces[i].ns;
    return XML_NS_OTHER;
}

/* Copy at most cap - 1 bytes of src, never cutting a UTF-8 sequence in two. */
static void copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = 0;
}

const char *xml_clip(const char *s, char *out, size_t cap)
{
    if (strlen(s) < cap)
        return s;
    copy_name(out, cap - 3, s);
    memcpy(out + strlen(out), "...", 4);
    return out;
}

static void mark_event(struct xml *x)
{
    x->last_event = (long long)XML_GetCurrentByteIndex(x->xp);
}

/* After parser_fail from inside a handler: remember the code and abort expat. */
static void fail_stop(struct xml *x, int code)
{
    x->code = code;
    XML_StopParser(x->xp, XML_FALSE);
}

/* Expat keeps every distinct element, attribute and prefix name it meets for the life of the
 * parser, so a stream of made-up names would grow memory without end: count them (by hash, in a
 * fixed table) and stop past XML_MAX_NAMES. Returns 0 or -1 past the limit. */
static int note_name(struct xml *x, const char *name, uint64_t seed)
{
    uint64_t h = seed;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    h |= 1; /* 0 marks an empty slot */
    size_t mask = sizeof x->names / sizeof x->names[0] - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (x->names[i] == h)
            return 0;
        if (!x->names[i]) {
            if (x->n_names >= XML_MAX_NAMES)
                return -1;
            x->names[i] = h;
            x->n_names++;
            return 0;
        }
    }
}

static void too_many_names(struct xml *x)
{
    fail_stop(x, parser_fail(x->p, PB_ETOOBIG, xml_line(x),
                             "more than %d distinct element and attribute names (line %lu)",
                             XML_MAX_NAMES, (unsigned long)xml_line(x)));
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct xml *x = data;
    if (x->code)
        return;
    mark_event(x);
    x->depth++;
    const char *local;
    enum xml_ns ns = split_name(name, &local);
    if (x->depth > XML_MAX_DEPTH) {
        fail_stop(x, parser_fail(x->p, PB_ETOOBIG, xml_line(x),
                                 "elements nested deeper than %d levels at line %lu", XML_MAX_DEPTH,
                                 (unsigned long)xml_line(x)));
        return;
    }
    int bad = note_name(x, name, 14695981039346656037u);
    for (size_t i = 0; attrs[i] && !bad; i += 2)
        bad = note_name(x, attrs[i], 1469598103934665603u);
    if (bad) {
        too_many_names(x);
        return;
    }
    if (x->depth == 1) {
        x->has_root = 1;
        copy_name(x->root, sizeof x->root, local);
    }
    x->cur_local = local;
    if (x->h.start)
        x->h.start(x->ctx, ns, local, (const char **)attrs);
    x->cur_local = NULL;
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
    struct xml *x = data;
    if (x->code)
        return;
    mark_event(x);
    const char *local;
    enum xml_ns ns = split_name(name, &local);
    if (x->h.end)
        x->h.end(x->ctx, ns, local);
    if (x->capture_depth == x->depth) {
        x->capture_depth = 0;
        buf_reset(&x->text);
    }
    x->depth--;
    if (x->depth == 0) {
        x->is_done = 1;
        x->done_line = xml_line(x);
    }
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    struct xml *x = data;
    if (x->code)
        return;
    mark_event(x);
    if (!x->capture_depth || x->is_overflow || len <= 0)
        return;
    if (x->in_record && x->why[0])
        return;
    size_t n = (size_t)len;
    if (x->in_record && x->record_bytes + n > XML_MAX_RECORD) {
        x->is_overflow = 1;
        xml_record_flag(x, "record text longer than %d bytes", XML_MAX_RECORD);
        return;
    }
    if (buf_append(&x->text, s, n)) {
        x->is_overflow = 1;
        if (x->in_record)
            xml_record_flag(x, "<%s> longer than %d bytes", x->capture_name, PAPER_MAX_FIELD);
        return;
    }
    x->record_bytes += n;
}

/* Any entity declaration stops the parse: arXiv feeds never declare entities, and refusing them
 * is the simplest complete defence against entity expansion and external entities. */
static void XMLCALL on_entity_decl(void *data, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *system_id, const XML_Char *public_id,
                                   const XML_Char *notation)
{
    struct xml *x = data;
    (void)is_param, (void)value, (void)value_len, (void)base, (void)system_id, (void)public_id;
    (void)notation;
    if (x->code)
        return;
    char ent[64];
    copy_name(ent, sizeof ent, name);
    fail_stop(x, parser_fail(x->p, PB_EPARSE, xml_line(x),
                             "entity declarations are not allowed ('%s' at line %lu)", ent,
                             (unsigned long)xml_line(x)));
}

static void XMLCALL on_ns_start(void *data, const XML_Char *prefix, const XML_Char *uri)
{
    struct xml *x = data;
    (void)uri;
    if (!x->code && note_name(x, prefix ? prefix : "", 7809847782465536322u))
        too_many_names(x);
}

/* Comments and processing instructions only move the token-size guard forward. */
static void XMLCALL on_comment(void *data, const XML_Char *s)
{
    (void)s;
    mark_event(data);
}

static void XMLCALL on_pi(void *data, const XML_Char *target, const XML_Char *s)
{
    (void)target, (void)s;
    mark_event(data);
}

struct xml *xml_new(struct parser *p, const struct xml_handlers *h, void *ctx)
{
    struct xml *x = xcalloc(1, sizeof *x);
    x->p = p;
    x->h = *h;
    x->ctx = ctx;
    buf_init(&x->text, PAPER_MAX_FIELD);
    x->xp = XML_ParserCreateNS(NULL, NS_SEP);
    if (!x->xp) {
        fprintf(stderr, "paperboy: out of memory creating an XML parser\n");
        abort();
    }
    XML_SetUserData(x->xp, x);
    XML_SetElementHandler(x->xp, on_start, on_end);
    XML_SetCharacterDataHandler(x->xp, on_text);
    XML_SetStartNamespaceDeclHandler(x->xp, on_ns_start);
    XML_SetEntityDeclHandler(x->xp, on_entity_decl);
    XML_SetCommentHandler(x->xp, on_comment);
    XML_SetProcessingInstructionHandler(x->xp, on_pi);
    XML_SetParamEntityParsing(x->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    /* Defence in depth; the entity handler above already refuses every declaration. */
    XML_SetBillionLaughsAttackProtectionMaximumAmplification(x->xp, 10.0f);
    XML_SetBillionLaughsAttackProtectionActivationThreshold(x->xp, 1024 * 1024);
    return x;
}

void xml_free(struct xml *x)
{
    if (!x)
        return;
    XML_ParserFree(x->xp);
    buf_release(&x->text);
    xfree(x);
}

void xml_stop(struct xml *x, int code)
{
    if (x->code || !code)
        return;
    x->code = code;
    XML_StopParser(x->xp, XML_FALSE);
}

static int expat_error(struct xml *x)
{
    if (x->code)
        return x->code;
    if (x->is_done) {
        /* Where expat notices junk after the root, and what it calls it, depends on how the
         * input was chunked; say it the same way every time. */
        x->code = parser_fail(x->p, PB_EPARSE, x->done_line,
                              "malformed XML: junk after the document element (which ends at "
                              "line %ld)",
                              x->done_line);
        return x->code;
    }
    enum XML_Error e = XML_GetErrorCode(x->xp);
    unsigned long line = (unsigned long)XML_GetCurrentLineNumber(x->xp);
    unsigned long col = (unsigned long)XML_GetCurrentColumnNumber(x->xp);
    x->code = parser_fail(x->p, PB_EPARSE, (long)line, "malformed XML at line %lu, column %lu: %s",
                          line, col + 1, XML_ErrorString(e));
    return x->code;
}

static int parse_bytes(struct xml *x, const char *data, size_t n)
{
    while (n) {
        int k = n > FEED_STEP ? FEED_STEP : (int)n;
        if (XML_Parse(x->xp, data, k, 0) != XML_STATUS_OK)
            return expat_error(x);
        x->fed += k;
        data += k;
        n -= (size_t)k;
        /* Expat keeps an unfinished token (a tag, a comment) in memory until it ends. */
        if (x->fed - x->last_event > XML_MAX_PENDING) {
            x->code = parser_fail(x->p, PB_ETOOBIG, xml_line(x),
                                  "an XML tag or comment longer than %d bytes near line %lu",
                                  XML_MAX_PENDING, (unsigned long)xml_line(x));
            return x->code;
        }
    }
    return 0;
}

int xml_feed(struct xml *x, const char *data, size_t n)
{
    if (x->code)
        return x->code;
    if (x->n_head < sizeof x->head) {
        /* Expat guesses the encoding from the first bytes it gets (a lone "\t" means UTF-8,
         * "\t\0" UTF-16): hold them back until there are enough for the guess not to depend
         * on how the input was chunked. */
        size_t k = sizeof x->head - x->n_head;
        if (k > n)
            k = n;
        memcpy(x->head + x->n_head, data, k);
        x->n_head += k;
        data += k;
        n -= k;
        if (x->n_head < sizeof x->head)
            return 0;
        int rc = parse_bytes(x, x->head, x->n_head);
        if (rc)
            return rc;
    }
    return parse_bytes(x, data, n);
}

int xml_finish(struct xml *x)
{
    if (x->code)
        return x->code;
    if (x->n_head < sizeof x->head && x->n_head > 0 && parse_bytes(x, x->head, x->n_head))
        return x->code;
    enum XML_Status st = XML_Parse(x->xp, "", 0, 1);
    if (x->code)
        return x->code;
    if (st != XML_STATUS_OK) {
        enum XML_Error e = XML_GetErrorCode(x->xp);
        if (e != XML_ERROR_NO_ELEMENTS && e != XML_ERROR_UNCLOSED_TOKEN &&
            e != XML_ERROR_PARTIAL_CHAR && e != XML_ERROR_UNCLOSED_CDATA_SECTION)
            return expat_error(x);
    }
    if (!x->has_root) {
        x->code = parser_fail(x->p, PB_EPARSE, xml_line(x),
                              "truncated document: no root element (input ends at line %lu)",
                              (unsigned long)xml_line(x));
        return x->code;
    }
    if (!x->is_done) {
        x->code = parser_fail(x->p, PB_EPARSE, xml_line(x),
                              "truncated document: <%s> is not closed (input ends at line %lu)",
                              x->root, (unsigned long)xml_line(x));
        return x->code;
    }
    if (st != XML_STATUS_OK)
        return expat_error(x);
    return 0;
}

void xml_capture(struct xml *x)
{
    x->capture_depth = x->depth;
    x->is_overflow = 0;
    buf_reset(&x->text);
    copy_name(x->capture_name, sizeof x->capture_name, x->cur_local ? x->cur_local : "?");
}

const char *xml_text(struct xml *x, size_t *len)
{
    *len = 0;
    if (!x->capture_depth || x->capture_depth != x->depth || x->is_overflow)
        return NULL;
    if (x->in_record && x->why[0])
        return NULL;
    *len = x->text.len;
    return buf_str(&x->text);
}

long xml_line(const struct xml *x)
{
    return (long)XML_GetCurrentLineNumber(x->xp);
}

int xml_depth(const struct xml *x)
{
    return x->depth;
}

void xml_record_begin(struct xml *x)
{
    x->in_record = 1;
    x->record_bytes = 0;
    x->why[0] = 0;
}

void xml_record_flag(struct xml *x, const char *fmt, ...)
{
    if (x->why[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->why, sizeof x->why, fmt, ap);
    va_end(ap);
    if (!x->why[0])
        copy_name(x->why, sizeof x->why, "unusable record");
}

int xml_record_flagged(const struct xml *x)
{
    return x->in_record && x->why[0];
}

const char *xml_record_end(struct xml *x)
{
    x->in_record = 0;
    return x->why[0] ? x->why : NULL;
}

const char *xml_attr(const char **attrs, enum xml_ns ns, const char *name)
{
    for (size_t i = 0; attrs && attrs[i]; i += 2) {
        const char *local;
        if (split_name(attrs[i], &local) == ns && !strcmp(local, name))
            return attrs[i + 1];
    }
    return NULL;
}

int xml_feed_day(const char *s, char *out)
{
    /* Cut the time (and with it the zone) off, then parse what is left as a day: ISO dates at
     * the 'T' after the digits ("2026-04-27T..."), RFC 2822 ones before the hour ("... 2026 00:").
     */
    char tmp[64];
    size_t n = 0;
    while (s[n] && n < sizeof tmp - 1) {
        if (s[n] == ':' ||
            ((s[n] == 'T' || s[n] == 't') && n >= 10 && s[n - 1] >= '0' && s[n - 1] <= '9'))
            break;
        n++;
    }
    if (s[n] == ':') {
        while (n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9')
            n--;
    }
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char day[DATE_TS_LEN + 1];
    if (date_parse(tmp, day) || strlen(day) != DATE_DAY_LEN)
        return PB_EINVAL;
    memcpy(out, day, DATE_DAY_LEN + 1);
    return 0;
}

void xml_set_date(char **field, const char *s)
{
    char out[DATE_TS_LEN + 1];
    if (date_parse(s, out))
        return;
    paper_set_str(field, out);
}

void xml_set_doi(char **field, const char *s, size_t n)
{
    char *t = text_normalize(s, n);
    const char *d = t;
    static const char *prefixes[] = {"doi:", "https://", "http://", "dx.doi.org/", "doi.org/"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (text_starts_with(d, prefixes[i]))
            d += strlen(prefixes[i]);
    size_t k = 0;
    while (d[k] && d[k] != ' ')
        k++;
    if (k)
        paper_set(field, d, k);
    xfree(t);
}

void xml_push_author(struct xml *x, struct paper *rec, const char *s, size_t n)
{
    char *name = text_normalize(s, n);
    if (!*name) {
        xfree(name);
        return;
    }
    if (rec->authors.n >= PAPER_MAX_LIST) {
        xfree(name);
        xml_record_flag(x, "more than %d authors", PAPER_MAX_LIST);
        return;
    }
    strlist_push_take(&rec->authors, name);
}

int xml_is_category(const char *s)
{
    size_t i = 0;
    if (!(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    while ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-')
        i++;
    if (s[i] == '.') {
        i++;
        size_t j = i;
        while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-')
            i++;
        if (i == j)
            return 0;
    }
    return s[i] == 0 && i < 32;
}

void xml_push_category(struct xml *x, struct paper *rec, const char *s)
{
    char *cat = text_normalize(s, strlen(s));
    if (!xml_is_category(cat) || strlist_contains(&rec->categories, cat)) {
        xfree(cat);
        return;
    }
    if (rec->categories.n >= PAPER_MAX_LIST) {
        xfree(cat);
        xml_record_flag(x, "more than %d categories", PAPER_MAX_LIST);
        return;
    }
    strlist_push_take(&rec->categories, cat);
}

const char *xml_strip_announce(const char *s, char *type)
{
    if (type)
        type[0] = 0;
    const char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (!text_starts_with(p, "arXiv:"))
        return s;
    /* The head is short; look for "Abstract:" only in its first few hundred bytes. */
    const char *abs = NULL;
    for (size_t i = 0; i < 300 && p[i]; i++) {
        if (!strncmp(p + i, "Abstract:", 9)) {
            abs = p + i + 9;
            break;
        }
    }
    if (!abs)
        return s;
    const char *at = strstr(p, "Announce Type:");
    if (type && at && at < abs) {
        at += 14;
        while (*at == ' ')
            at++;
        size_t n = 0;
        while (at + n < abs && at[n] != ' ' && at[n] != '\n' && at[n] != '\r' && n < 31)
            n++;
        memcpy(type, at, n);
        type[n] = 0;
    }
    return abs;
}

int xml_announce_version(const char *s, const char *id)
{
    char got[PAPER_MAX_ID];
    int ver = 0;
    s += strspn(s, " \t\r\n");
    if (!text_starts_with(s, "arXiv:") || paper_parse_arxiv_id(s, got, &ver) || strcmp(got, id))
        return 0;
    return ver;
}
