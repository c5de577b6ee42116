/* Push parser for arXiv's legacy plain-text metadata: single-paper ".abs" records and the listing
 * files built from them (monthly listings, daily "new" mailings, pastweek listings). Lines come
 * from lines.c; one record is held at a time. This comment is where the format is documented;
 * the parser does no I/O and keeps no e-mail addresses.
 *
 * Grammar (line-based; a "key line" is `Name[ (paren)]: value` at column 0):
 *
 *   input      := { noise | day-marker | mail-date | record }
 *   record     := id-line { header-line } ( "\\" abstract end | trailer | separator )
 *   id-line    := "arXiv:" ID [" (*cross-listing*)"] | "Paper:" ID | "Paper (*cross-listing*):" ID
 *                 ID is any form paper_parse_arxiv_id() takes ("0704.0001", "hep-th/9901001",
 *                 "math-ph/0509001v2"); text after it is ignored.
 *   header-line:= "From:" ...                        submitter; skipped entirely
 *               | "Date:" DATE ["(" size ")"]        the v1 date -> submitted, version >= 1
 *               | "Date (revised vN):" DATE ...      -> version = highest N, updated = its date
 *               | "Date (revised):" DATE ...         old form: the next version after those seen
 *               | "replaced with revised version" DATE ...  (daily mailings) -> updated;
 *                                                    the version stays 0 unless said elsewhere
 *               | FIELD ":" value { continuation }   continuation = a line indented by spaces/tabs
 *               | blank line | any other line (ignored)
 *   FIELD      := Title | Authors | Categories | Comments | Report-no | Journal-ref | DOI | License
 *                 (case-insensitive); others (ACM-class, MSC-class, Subj-class, Proxy...) skipped.
 *   abstract   := lines up to `end`; leading indentation and line breaks collapse to one space.
 *   end        := "\\" | trailer | separator
 *   trailer    := "\\ (" ... ")"    e.g. "\\ ( https://arxiv.org/abs/2306.77777 ,  14kb)"
 *   separator  := a line of 20 or more '-' and nothing else
 *   day-marker := "/" "* Fri, 3 Mar 2023 *" "/"    (pastweek, one line) listing day of the records
 *                 after it
 *   mail-date  := "Date:" DATE before the first record  (daily mailing header) listing day of all
 *   noise      := anything else between records: mail headers, "%-%-%" rules, preambles, "\\".
 *
 * Dates are RFC 2822 as arXiv writes them ("Mon, 2 Apr 2007 19:18:42 GMT", two-digit years in
 * mail headers); an unparseable date is dropped, not rejected. A record with only a v1 date has
 * version 1 and no `updated`. If a record says no version at all, a source name ending in
 * "vN.abs" (arXiv's orig/ files, "9709111v1.abs") supplies it.
 *
 * Tolerance and rejects: a new id line while fields are being read ends the previous record; an
 * id line as the first line of an abstract likewise; a "Title:" line outside any record starts an
 * id-less record (rejected as "missing id"). Rejected with a reason, parsing going on: an id that
 * does not parse, no Title, a field (after collapsing indentation) longer than PAPER_MAX_FIELD
 * or a line longer than ABS_MAX_LINE (accumulation stops at the cap, so memory stays bounded),
 * and a record cut off by the end of input (fields not closed by "\\", or an abstract with no
 * closing "\\" line). Invalid UTF-8 is normalised to U+FFFD by paper_set(), not rejected.
 */
#include <string.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/text.h"
#include "lines.h"
#include "parser_impl.h"

#define ABS_MAX_LINE (1024 * 1024)
#define ABS_MIN_DASHES 20

enum abs_state_kind { ST_OUTSIDE, ST_HEADER, ST_ABSTRACT };

enum abs_field {
    F_NONE, /* not inside a field: continuation lines are ignored */
    F_SKIP, /* inside a field we do not keep */
    F_TITLE,
    F_AUTHORS,
    F_CATEGORIES,
    F_COMMENT,
    F_REPORT_NO,
    F_JOURNAL_REF,
    F_DOI,
    F_LICENSE,
    F_ABSTRACT,
};

static const struct {
    const char *name;
    enum abs_field field;
} field_names[] = {
    {"Title", F_TITLE},      {"Authors", F_AUTHORS},     {"Categories", F_CATEGORIES},
    {"Comments", F_COMMENT}, {"Report-no", F_REPORT_NO}, {"Journal-ref", F_JOURNAL_REF},
    {"DOI", F_DOI},          {"License", F_LICENSE},
};

struct abs_parser {
    struct parser *p;
    struct lines lines;
    enum abs_state_kind st;
    int has_seen_record;        /* a mail "Date:" counts only before the first record */
    char day[DATE_DAY_LEN + 1]; /* current listing day, "" if none */
    int source_version;         /* from a "…vN.abs" source name, 0 if none */

    /* The record in progress. */
    struct paper rec;
    enum abs_field cur;
    struct buf field; /* text of the field being read, capped at PAPER_MAX_FIELD */
    int has_abstract_text;
    int version;         /* highest version the record says, 0 if none */
    int updated_version; /* version whose date is in rec.updated */
    int has_bad_id;
    char bad_id[48];     /* printable prefix of an id that did not parse */
    const char *too_big; /* what went past a cap first ("abstract", "a line"), or NULL */
    long too_big_limit;
};

/* --- small line helpers (lines may contain NUL bytes: always use lengths) --- */

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static int has_prefix(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && !memcmp(s, prefix, k);
}

/* Case-insensitive comparison of s[0..n) with the whole of name. */
static int name_is(const char *s, size_t n, const char *name)
{
    if (strlen(name) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = name[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

/* Copy s[0..n) into out (size cap) as a C string, truncating; NUL bytes end it early. */
static void copy_cstr(char *out, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = 0;
}

static int is_separator(const char *s, size_t n)
{
    if (n < ABS_MIN_DASHES)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '-')
            return 0;
    return 1;
}

static int is_backslashes(const char *s, size_t n)
{
    return n == 2 && s[0] == '\\' && s[1] == '\\';
}

/* "\\ ( https://arxiv.org/abs/ID ,  14kb)": the end of an entry in daily mailings. */
static int is_trailer(const char *s, size_t n)
{
    if (!has_prefix(s, n, "\\\\"))
        return 0;
    size_t i = 2;
    while (i < n && is_space(s[i]))
        i++;
    return i > 2 && i < n && s[i] == '(';
}

struct key_line {
    const char *name;
    size_t name_len;
    const char *paren; /* inside "( )" between name and colon, or NULL */
    size_t paren_len;
    const char *value; /* after the colon, leading blanks skipped */
    size_t value_len;
};

/* Split `Name[ (paren)]: value`. Returns 1 if the line has that shape. */
static int parse_key(const char *s, size_t n, struct key_line *k)
{
    size_t i = 0;
    if (!n || !is_alpha(s[0]))
        return 0;
    while (i < n && i < 40 && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-'))
        i++;
    k->name = s;
    k->name_len = i;
    k->paren = NULL;
    k->paren_len = 0;
    if (i + 1 < n && s[i] == ' ' && s[i + 1] == '(') {
        size_t open = i + 2, j = open;
        while (j < n && j < open + 40 && s[j] != ')')
            j++;
        if (j >= n || s[j] != ')')
            return 0;
        k->paren = s + open;
        k->paren_len = j - open;
        i = j + 1;
    }
    if (i >= n || s[i] != ':')
        return 0;
    i++;
    while (i < n && is_space(s[i]))
        i++;
    k->value = s + i;
    k->value_len = n - i;
    return 1;
}

static int is_id_key(const struct key_line *k)
{
    return name_is(k->name, k->name_len, "arXiv") || name_is(k->name, k->name_len, "Paper");
}

/* Parse the first word of s[0..n) as an arXiv id. Returns 0 and fills out/version, or -1. */
static int parse_id_word(const char *s, size_t n, char *out, int *version)
{
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    size_t start = i;
    while (i < n && !is_space(s[i]))
        i++;
    char word[PAPER_MAX_ID];
    if (i == start || i - start >= sizeof word)
        return -1;
    copy_cstr(word, sizeof word, s + start, i - start);
    if (strlen(word) != i - start) /* an embedded NUL */
        return -1;
    return paper_parse_arxiv_id(word, out, version) ? -1 : 0;
}

/* A date as arXiv writes it, anything from "(" on (sizes) ignored. 0 and out filled, or -1. */
static int parse_date(const char *s, size_t n, char *out)
{
    const char *paren = memchr(s, '(', n);
    if (paren)
        n = (size_t)(paren - s);
    char tmp[80];
    copy_cstr(tmp, sizeof tmp, s, n);
    return date_parse(tmp, out) ? -1 : 0;
}

/* --- the record in progress --- */

static void reset_record(struct abs_parser *a)
{
    paper_clear(&a->rec);
    buf_reset(&a->field);
    a->cur = F_NONE;
    a->has_abstract_text = 0;
    a->version = 0;
    a->updated_version = 0;
    a->has_bad_id = 0;
    a->bad_id[0] = 0;
    a->too_big = NULL;
    a->too_big_limit = 0;
}

static const char *field_label(enum abs_field f)
{
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
        if (field_names[i].field == f)
            return field_names[i].name;
    return f == F_ABSTRACT ? "abstract" : "field";
}

/* Set *dst to the normalised text, or leave it NULL when the text is blank. */
static void set_text(char **dst, const char *s, size_t n)
{
    paper_set(dst, s, n);
    if (!**dst) {
        xfree(*dst);
        *dst = NULL;
    }
}

/* Store the field being read into the record. */
static void finish_field(struct abs_parser *a)
{
    const char *t = buf_str(&a->field);
    size_t n = a->field.len;
    struct paper *r = &a->rec;
    switch (a->cur) {
    case F_TITLE: set_text(&r->title, t, n); break;
    case F_AUTHORS: {
        char *norm = text_normalize(t, n);
        strlist_clear(&r->authors);
        paper_split_authors(norm, &r->authors);
        xfree(norm);
        break;
    }
    case F_CATEGORIES:
        strlist_clear(&r->categories);
        paper_split_categories(t, &r->categories);
        break;
    case F_COMMENT: set_text(&r->comment, t, n); break;
    case F_REPORT_NO: set_text(&r->report_no, t, n); break;
    case F_JOURNAL_REF: set_text(&r->journal_ref, t, n); break;
    case F_DOI: set_text(&r->doi, t, n); break;
    case F_LICENSE: set_text(&r->license, t, n); break;
    case F_ABSTRACT: set_text(&r->abstract, t, n); break;
    case F_NONE:
    case F_SKIP: break;
    }
    buf_reset(&a->field);
    a->cur = F_NONE;
}

/* Append one line's text (indentation stripped) to the field, joined by a space. */
static void field_append(struct abs_parser *a, const char *s, size_t n)
{
    if (a->cur == F_NONE || a->cur == F_SKIP)
        return;
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    if (!n)
        return;
    int rc = 0;
    if (a->field.len)
        rc = buf_putc(&a->field, ' ');
    if (!rc)
        rc = buf_append(&a->field, s, n);
    if (rc) {
        /* Past the cap: remember why, keep nothing more of this field. */
        if (!a->too_big) {
            a->too_big = field_label(a->cur);
            a->too_big_limit = PAPER_MAX_FIELD;
        }
        buf_reset(&a->field);
        a->cur = F_SKIP;
    }
}

static void start_field(struct abs_parser *a, enum abs_field f, const char *s, size_t n)
{
    finish_field(a);
    a->cur = f;
    field_append(a, s, n);
}

static void start_record(struct abs_parser *a, const char *id_text, size_t id_len, long line_no)
{
    reset_record(a);
    a->st = ST_HEADER;
    a->has_seen_record = 1;
    a->rec.record_no = parser_next_record_no(a->p);
    a->rec.line_no = line_no;
    if (!id_text)
        return; /* an orphan "Title:": rejected as "missing id" */
    char id[PAPER_MAX_ID];
    int ver = 0;
    if (parse_id_word(id_text, id_len, id, &ver)) {
        a->has_bad_id = 1;
        size_t k = 0;
        for (size_t i = 0; i < id_len && k + 1 < sizeof a->bad_id; i++) {
            char c = id_text[i];
            a->bad_id[k++] = (c >= 0x20 && c < 0x7F) ? c : '?';
        }
        a->bad_id[k] = 0;
        return;
    }
    a->rec.id = xstrdup(id);
    a->version = ver;
}

/* End the record in progress: emit it, or reject it with the reason. truncated, if non-NULL,
 * says how the input cut it off. */
static int end_record(struct abs_parser *a, const char *truncated)
{
    finish_field(a);
    a->st = ST_OUTSIDE;
    struct paper *r = &a->rec;
    int rc;
    if (a->has_bad_id) {
        rc = parser_reject(a->p, r->record_no, r->line_no, "cannot parse arXiv id '%s'", a->bad_id);
    } else if (truncated) {
        rc = parser_reject(a->p, r->record_no, r->line_no, "truncated record: %s", truncated);
    } else if (a->too_big) {
        rc = parser_reject(a->p, r->record_no, r->line_no, "%s longer than the limit of %ld bytes",
                           a->too_big, a->too_big_limit);
    } else {
        r->version = a->version ? a->version : a->source_version;
        if (a->day[0] && !r->listing_day)
            r->listing_day = xstrdup(a->day);
        rc = parser_emit(a->p, r);
    }
    reset_record(a);
    return rc;
}

/* "Date:", "Date (revised v2):", "Date (revised):" inside a record. */
static void header_date(struct abs_parser *a, const struct key_line *k)
{
    char ts[DATE_TS_LEN + 1];
    if (parse_date(k->value, k->value_len, ts))
        return;
    if (!k->paren) {
        if (!a->rec.submitted)
            paper_set_str(&a->rec.submitted, ts);
        if (a->version < 1)
            a->version = 1;
        return;
    }
    if (!has_prefix(k->paren, k->paren_len, "revised"))
        return;
    const char *v = k->paren + 7;
    size_t vn = k->paren_len - 7;
    while (vn && is_space(*v)) {
        v++;
        vn--;
    }
    int ver = 0;
    if (vn >= 2 && (v[0] == 'v' || v[0] == 'V') && is_digit(v[1])) {
        for (size_t i = 1; i < vn && is_digit(v[i]) && ver < 100000; i++)
            ver = ver * 10 + (v[i] - '0');
    } else if (vn == 0) {
        ver = (a->version > 1 ? a->version : 1) + 1;
    } else {
        return;
    }
    if (ver > a->version)
        a->version = ver;
    if (ver >= a->updated_version) {
        paper_set_str(&a->rec.updated, ts);
        a->updated_version = ver;
    }
}

/* --- the three states --- */

static int header_line(struct abs_parser *a, const char *s, size_t n, long line_no);

static int outside_line(struct abs_parser *a, const char *s, size_t n, long line_no)
{
    struct key_line k;
    if (parse_key(s, n, &k)) {
        if (is_id_key(&k)) {
            start_record(a, k.value, k.value_len, line_no);
            return 0;
        }
        if (name_is(k.name, k.name_len, "Title") && !k.paren) {
            start_record(a, NULL, 0, line_no);
            return header_line(a, s, n, line_no);
        }
        if (name_is(k.name, k.name_len, "Date") && !k.paren && !a->has_seen_record) {
            char ts[DATE_TS_LEN + 1];
            if (!parse_date(k.value, k.value_len, ts))
                copy_cstr(a->day, sizeof a->day, ts, DATE_DAY_LEN);
        }
        return 0;
    }
    if (n >= 4 && has_prefix(s, n, "/*") && s[n - 2] == '*' && s[n - 1] == '/') {
        char ts[DATE_TS_LEN + 1];
        if (parse_date(s + 2, n - 4, ts))
            a->day[0] = 0;
        else
            copy_cstr(a->day, sizeof a->day, ts, DATE_DAY_LEN);
    }
    return 0;
}

static int header_line(struct abs_parser *a, const char *s, size_t n, long line_no)
{
    if (n == 0) {
        finish_field(a);
        return 0;
    }
    if (is_space(s[0])) {
        field_append(a, s, n);
        return 0;
    }
    if (is_backslashes(s, n)) {
        finish_field(a);
        a->st = ST_ABSTRACT;
        a->cur = F_ABSTRACT;
        return 0;
    }
    if (is_trailer(s, n) || is_separator(s, n))
        return end_record(a, NULL);
    static const char replaced[] = "replaced with revised version";
    if (has_prefix(s, n, replaced)) {
        finish_field(a);
        char ts[DATE_TS_LEN + 1];
        size_t k = sizeof replaced - 1;
        if (!parse_date(s + k, n - k, ts) && !a->updated_version) {
            paper_set_str(&a->rec.updated, ts);
        }
        return 0;
    }
    struct key_line k;
    if (!parse_key(s, n, &k)) {
        finish_field(a);
        return 0;
    }
    if (is_id_key(&k)) {
        int rc = end_record(a, NULL);
        if (rc)
            return rc;
        start_record(a, k.value, k.value_len, line_no);
        return 0;
    }
    if (name_is(k.name, k.name_len, "Date")) {
        finish_field(a);
        header_date(a, &k);
        return 0;
    }
    enum abs_field f = F_SKIP;
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
        if (!k.paren && name_is(k.name, k.name_len, field_names[i].name))
            f = field_names[i].field;
    start_field(a, f, k.value, k.value_len);
    return 0;
}

static int abstract_line(struct abs_parser *a, const char *s, size_t n, long line_no)
{
    if (is_backslashes(s, n) || is_trailer(s, n) || is_separator(s, n))
        return end_record(a, NULL);
    if (!a->has_abstract_text) {
        /* No abstract (a listing) and no "\\" before the next entry: an id line starts it. */
        struct key_line k;
        char id[PAPER_MAX_ID];
        int ver;
        if (parse_key(s, n, &k) && is_id_key(&k) &&
            !parse_id_word(k.value, k.value_len, id, &ver)) {
            int rc = end_record(a, NULL);
            if (rc)
                return rc;
            return outside_line(a, s, n, line_no);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_space(s[i])) {
            a->has_abstract_text = 1;
            break;
        }
    }
    field_append(a, s, n);
    return 0;
}

static int on_line(void *ctx, const char *s, size_t n, long line_no, int is_too_long)
{
    struct abs_parser *a = ctx;
    if (is_too_long) {
        if (a->st != ST_OUTSIDE && !a->too_big) {
            a->too_big = "a line";
            a->too_big_limit = ABS_MAX_LINE;
        }
        if (a->st == ST_ABSTRACT)
            a->has_abstract_text = 1;
        return 0;
    }
    while (n && (is_space(s[n - 1]) || s[n - 1] == '\r'))
        n--;
    switch (a->st) {
    case ST_OUTSIDE: return outside_line(a, s, n, line_no);
    case ST_HEADER: return header_line(a, s, n, line_no);
    case ST_ABSTRACT: return abstract_line(a, s, n, line_no);
    }
    return 0;
}

/* "…/9709111v1.abs" -> 1; 0 when the name carries no version. */
static int version_from_name(const char *name)
{
    if (!name)
        return 0;
    size_t n = strlen(name);
    if (n < 4 || strcmp(name + n - 4, ".abs"))
        return 0;
    n -= 4;
    size_t end = n;
    while (n && is_digit(name[n - 1]))
        n--;
    if (n == end || end - n > 5 || n < 2 || (name[n - 1] != 'v' && name[n - 1] != 'V') ||
        !is_digit(name[n - 2]))
        return 0;
    int v = 0;
    for (size_t i = n; i < end; i++)
        v = v * 10 + (name[i] - '0');
    return v;
}

static void *create(struct parser *p)
{
    struct abs_parser *a = xcalloc(1, sizeof *a);
    a->p = p;
    a->st = ST_OUTSIDE;
    lines_init(&a->lines, ABS_MAX_LINE, on_line, a);
    buf_init(&a->field, PAPER_MAX_FIELD);
    paper_init(&a->rec);
    a->source_version = version_from_name(parser_opts(p)->source);
    return a;
}

static int feed(void *state, const char *data, size_t n)
{
    struct abs_parser *a = state;
    return lines_feed(&a->lines, data, n);
}

static int finish(void *state)
{
    struct abs_parser *a = state;
    int rc = lines_finish(&a->lines);
    if (rc)
        return rc;
    if (a->st == ST_HEADER)
        return end_record(a, "the input ends before the '\\\\' line after the fields");
    if (a->st == ST_ABSTRACT && a->has_abstract_text)
        return end_record(a, "the input ends inside the abstract (no closing '\\\\' line)");
    if (a->st == ST_ABSTRACT)
        return end_record(a, NULL);
    return 0;
}

static void destroy(void *state)
{
    struct abs_parser *a = state;
    lines_release(&a->lines);
    buf_release(&a->field);
    paper_clear(&a->rec);
    xfree(a);
}

const struct format_ops parse_abs_ops = {"abs", create, feed, finish, destroy};
