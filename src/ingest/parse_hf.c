/* Hugging Face GET /api/daily_papers: a JSON array of items, read as a stream. Also accepted: one
 * item object, or several (JSON Lines; a ',' between top-level objects is tolerated), or several
 * arrays one after the other. A small scanner tracks depth, strings and escapes to cut out each
 * item's bytes (at most JSON_MAX_RECORD; a bigger item is rejected and skipped) and jansson
 * decodes one item at a time, so memory is bounded by one item, not by the document.
 * Item: {"paper": {id (arXiv id, required), title, summary, authors: [{name, ...}], publishedAt
 * -> submitted, submittedOnDailyAt -> featured_day (the top-level publishedAt is NOT that day),
 * upvotes, githubRepo, ai_keywords: [str], ...}, title, summary, numComments, ...}; the top-level
 * title/summary stand in when paper has none. A bare paper object (no "paper" key) is read too. */
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "json_util.h"
#include "parser_impl.h"

struct hf {
    struct parser *p;
    struct buf item; /* bytes of the item being cut out */
    long line;       /* current line, 1-based */
    long item_line;  /* line where the current item starts */
    long n_items;    /* items started so far, for messages */
    long depth;      /* bracket depth; the top-level array counts */
    int is_array;    /* the current top-level value is an array */
    int in_item;
    int in_string;
    int is_escaped;
    int is_skipping; /* the current item is over the cap: scanned, not kept */
    int has_value;   /* some top-level value has begun */
    int after_comma; /* in the array, a ',' and no element since */
    int need_sep;    /* in the array, an element ended: a ',' or ']' is due */
    int bom;         /* bytes of a leading UTF-8 BOM matched; -1 once past the start */
};

static int upvotes(const json_t *paper, struct paper *rec, struct json_why *why)
{
    const json_t *v = json_object_get(paper, "upvotes");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_number(v))
        return json_fail(why, "\"upvotes\" is %s, not a number", json_type_name(v));
    double d = json_number_value(v);
    if (d >= 0 && d < 1e15)
        rec->upvotes = (long)d;
    return 0;
}

static int authors(const json_t *paper, struct paper *rec, struct json_why *why)
{
    const json_t *list = json_object_get(paper, "authors");
    if (!list || json_is_null(list))
        return 0;
    if (!json_is_array(list))
        return json_fail(why, "\"authors\" is %s, not a list", json_type_name(list));
    size_t n = json_array_size(list);
    if (n > PAPER_MAX_LIST)
        return json_fail(why, "\"authors\" has more than %d entries", PAPER_MAX_LIST);
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(list, i);
        const json_t *name = json_is_object(a) ? json_object_get(a, "name") : a;
        if (json_is_object(a) && (!name || json_is_null(name)))
            continue; /* an author entry without a name adds nothing */
        if (!json_is_string(name) || json_string_length(name) > PAPER_MAX_FIELD)
            return json_fail(why, "\"authors\"[%zu] has no name string", i);
        char *s = NULL;
        paper_set(&s, json_string_value(name), json_string_length(name));
        if (*s)
            strlist_push_take(&rec->authors, s);
        else
            xfree(s);
    }
    return 0;
}

static int map_hf(const json_t *item, struct paper *rec, struct json_why *why)
{
    const json_t *paper = json_object_get(item, "paper");
    if (paper && !json_is_object(paper))
        return json_fail(why, "\"paper\" is %s, not an object", json_type_name(paper));
    if (!paper) {
        const json_t *err = json_object_get(item, "error");
        if (json_is_string(err)) {
            char ex[120];
            json_excerpt(json_string_value(err), json_string_length(err), ex, sizeof ex);
            return json_fail(why, "the API returned an error: %s", ex);
        }
        if (!json_object_get(item, "id"))
            return json_fail(why, "missing \"paper\"");
        paper = item;
    }
    if (json_get_arxiv_id(paper, "id", rec, why) ||
        json_get_text(paper, "title", &rec->title, why) ||
        json_get_text(paper, "summary", &rec->abstract, why) ||
        json_get_date(paper, "publishedAt", &rec->submitted, 0, why) ||
        json_get_date(paper, "submittedOnDailyAt", &rec->featured_day, 1, why) ||
        json_get_text(paper, "githubRepo", &rec->github_repo, why) ||
        json_get_strlist(paper, "ai_keywords", &rec->keywords, NULL, why) ||
        authors(paper, rec, why) || upvotes(paper, rec, why))
        return PB_EINVAL;
    if ((!rec->title || !*rec->title) && json_get_text(item, "title", &rec->title, why))
        return PB_EINVAL;
    if ((!rec->abstract || !*rec->abstract) && json_get_text(item, "summary", &rec->abstract, why))
        return PB_EINVAL;
    if (!rec->title || !*rec->title)
        return json_fail(why, "missing \"title\"");
    if (rec->github_repo && !*rec->github_repo) {
        xfree(rec->github_repo);
        rec->github_repo = NULL;
    }
    return 0;
}

static void *create(struct parser *p)
{
    struct hf *h = xcalloc(1, sizeof *h);
    h->p = p;
    buf_init(&h->item, JSON_MAX_RECORD);
    h->line = 1;
    return h;
}

static void destroy(void *state)
{
    struct hf *h = state;
    buf_release(&h->item);
    xfree(h);
}

static void item_append(struct hf *h, const char *s, size_t n)
{
    if (h->is_skipping || !n)
        return;
    if (buf_append(&h->item, s, n)) {
        h->is_skipping = 1;
        buf_reset(&h->item);
    }
}

static void item_begin(struct hf *h)
{
    h->in_item = 1;
    h->n_items++;
    h->item_line = h->line;
    h->after_comma = 0;
    h->need_sep = 0;
}

/* The item's last bytes are s[0..n); decode, map and emit or reject it. */
static int item_end(struct hf *h, const char *s, size_t n)
{
    struct parser *p = h->p;
    item_append(h, s, n);
    h->in_item = 0;
    h->need_sep = 1;
    char where[64];
    snprintf(where, sizeof where, "item %ld (line %ld)", h->n_items, h->item_line);
    long rec_no = parser_next_record_no(p);
    int rc;
    if (h->is_skipping) {
        rc = parser_reject(p, rec_no, h->item_line, "%s: larger than the limit of %d bytes", where,
                           JSON_MAX_RECORD);
    } else {
        json_error_t err;
        json_t *obj = json_decode(buf_str(&h->item), h->item.len, &err);
        char text[JSON_ERROR_TEXT_LENGTH];
        if (!obj) {
            json_excerpt(err.text, strlen(err.text), text, sizeof text);
            rc = parser_reject(p, rec_no, h->item_line,
                               "%s: invalid JSON at line %ld, column %d: %s", where,
                               h->item_line + err.line - 1, err.column, text);
        } else if (!json_is_object(obj)) {
            rc = parser_reject(p, rec_no, h->item_line, "%s: %s, not a JSON object", where,
                               json_type_name(obj));
        } else {
            rc = json_record(p, map_hf, obj, h->item_line, where);
        }
        json_decref(obj);
    }
    buf_reset(&h->item);
    h->is_skipping = 0;
    return rc;
}

static int unexpected(struct hf *h, char c)
{
    char what[48];
    json_describe_byte(c, what, sizeof what);
    if (!h->has_value)
        return parser_fail(h->p, PB_EFORMAT, h->line,
                           "line %ld: not a Hugging Face daily papers document: expected '[' or "
                           "'{', found %s",
                           h->line, what);
    return parser_fail(h->p, PB_EPARSE, h->line, "line %ld: unexpected %s between items", h->line,
                       what);
}

static int feed(void *state, const char *data, size_t n)
{
    struct hf *h = state;
    size_t i = 0;
    while (h->bom >= 0 && i < n) {
        if ((unsigned char)data[i] != (unsigned char)"\xEF\xBB\xBF"[h->bom]) {
            if (h->bom > 0)
                return unexpected(h, "\xEF\xBB\xBF"[h->bom - 1]);
            h->bom = -1;
            break;
        }
        i++;
        if (++h->bom == 3)
            h->bom = -1;
    }
    size_t start = i; /* where the current item's bytes begin in data */
    int rc;
    for (; i < n; i++) {
        char c = data[i];
        if (c == '\n')
            h->line++;
        if (h->in_string) {
            if (h->is_escaped)
                h->is_escaped = 0;
            else if (c == '\\')
                h->is_escaped = 1;
            else if (c == '"')
                h->in_string = 0;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (h->depth == 0) {
            if (c == '[') {
                h->is_array = 1;
                h->depth = 1;
                h->after_comma = 0;
                h->need_sep = 0;
            } else if (c == '{') {
                h->is_array = 0;
                h->depth = 1;
                item_begin(h);
                start = i;
            } else if (c != ',' || !h->has_value) {
                return unexpected(h, c);
            }
            h->has_value = 1;
            continue;
        }
        if (h->is_array && h->depth == 1) {
            if (c == ',' || c == ']') {
                if (h->in_item) {
                    rc = item_end(h, data + start, i - start); /* a scalar element */
                    if (rc)
                        return rc;
                }
                if (c == ',' ? !h->need_sep : h->after_comma) {
                    rc = parser_reject(h->p, parser_next_record_no(h->p), h->line,
                                       "line %ld: empty element in the array", h->line);
                    if (rc)
                        return rc;
                }
                h->after_comma = c == ',';
                h->need_sep = 0;
                if (c == ']')
                    h->depth = 0;
                continue;
            }
            if (c == '}')
                return parser_fail(h->p, PB_EPARSE, h->line,
                                   "line %ld: unexpected '}' in the array", h->line);
            if (!h->in_item) {
                item_begin(h);
                start = i;
            }
        }
        if (c == '"') {
            h->in_string = 1;
        } else if (c == '{' || c == '[') {
            h->depth++;
        } else if (c == '}' || c == ']') {
            h->depth--;
            /* A top-level object, or an array element that is an object or array, ends here:
             * emit it now, so a truncated document still yields every complete item. */
            if (h->depth == 0 || (h->is_array && h->depth == 1)) {
                rc = item_end(h, data + start, i + 1 - start);
                if (rc)
                    return rc;
            }
        }
    }
    if (h->in_item)
        item_append(h, data + start, n - start);
    return 0;
}

static int finish(void *state)
{
    struct hf *h = state;
    if (h->in_item)
        return parser_fail(h->p, PB_EPARSE, h->item_line,
                           "truncated input: item %ld starting at line %ld is not complete",
                           h->n_items, h->item_line);
    if (h->depth > 0)
        return parser_fail(h->p, PB_EPARSE, h->line,
                           "truncated input: the JSON array is not closed at line %ld", h->line);
    return 0;
}

const struct format_ops parse_hf_ops = {"hf", create, feed, finish, destroy};
