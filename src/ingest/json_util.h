/* Helpers shared by the JSON importers. The JSON Lines formats (parse_daily.c, parse_kaggle.c,
 * parse_beir.c) read each line with jscan (jscan.h: validated once, no tree, strings decoded on
 * demand) through the jmap_* getters and the JSON Lines driver jsonl_*; the Hugging Face format
 * (parse_hf.c) decodes one item at a time with jansson through the json_* getters. Both sets of
 * getters copy into struct paper with the caps of paper.h and word their refusals the same way.
 * Only src/ingest includes jansson.h. Not thread-safe per object; no global state. */
#ifndef PB_INGEST_JSON_UTIL_H
#define PB_INGEST_JSON_UTIL_H
#include <jansson.h>
#include <stddef.h>

#include "../util/buf.h"
#include "jscan.h"
#include "lines.h"
#include "paper.h"

struct parser;

/* Hard cap on one JSON Lines line or one element of a JSON array: a record past it is rejected
 * (its bytes skipped, never buffered) and the next one is read. */
#define JSON_MAX_RECORD (4 * 1024 * 1024)

/* Why a record was refused, in plain words ("missing \"id\""). */
struct json_why {
    char msg[200];
};

/* Fill rec from obj. Return 0, or PB_EINVAL with the reason in why (rec is then discarded). */
typedef int (*json_map_fn)(const json_t *obj, struct paper *rec, struct json_why *why);

/* Sets why->msg from a printf format; returns PB_EINVAL so callers can `return json_fail(...)`. */
int json_fail(struct json_why *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "a list", "a number", ... for messages about a value of the wrong type. */
const char *json_type_name(const json_t *v);
/* A byte found where a JSON document should start, in words for messages ("'<' (an XML
 * document?)", "byte 0xff") into out. */
void json_describe_byte(char byte, char *out, size_t cap);

/* A printable ASCII copy of outside text s[0..n) for messages (so a message cut anywhere is still
 * valid UTF-8): other bytes become '?', and "..." marks a cut at cap - 4 bytes. */
void json_excerpt(const char *s, size_t n, char *out, size_t cap);

/* The string value of member key, or NULL if absent, null or not a string. */
const char *json_str(const json_t *obj, const char *key);

/* Copy string member key into *field (normalised). Absent or null leaves *field untouched and
 * returns 0. Returns PB_EINVAL (why set) if the member is another type or longer than
 * PAPER_MAX_FIELD. */
PB_MUST_CHECK int json_get_text(const json_t *obj, const char *key, char **field,
                                struct json_why *why);

/* Append member key to out: a list of strings (each normalised, empty ones skipped), or, when
 * split is non-NULL, also a single string cut by split (paper_split_authors or
 * paper_split_categories). Absent or null is fine. Returns PB_EINVAL (why set) for other types,
 * non-string elements, or more than PAPER_MAX_LIST entries. */
PB_MUST_CHECK int json_get_strlist(const json_t *obj, const char *key, struct strlist *out,
                                   void (*split)(const char *, struct strlist *),
                                   struct json_why *why);

/* Parse string member key as a date (util/date.h forms) into *field in canonical form. If
 * day_only, only "YYYY-MM-DD" is kept. Absent, null or an unparseable date leaves *field
 * untouched (a bad date is not worth losing the paper for). Returns PB_EINVAL (why set) only if
 * the member is not a string. */
PB_MUST_CHECK int json_get_date(const json_t *obj, const char *key, char **field, int day_only,
                                struct json_why *why);

/* Required arXiv id in member key (any form paper_parse_arxiv_id accepts): sets rec->id and, if
 * the id carries one, rec->version. Returns PB_EINVAL (why set) if missing, not a string or not
 * an arXiv id. */
PB_MUST_CHECK int json_get_arxiv_id(const json_t *obj, const char *key, struct paper *rec,
                                    struct json_why *why);

/* Map obj with map and emit the record (parser_emit) or reject it (parser_reject) with a message
 * "<where>: <reason>", where is e.g. "line 17". record_no/line_no go into the record. Takes no
 * ownership of obj. Returns the sink's code (non-zero = stop). */
int json_record(struct parser *p, json_map_fn map, const json_t *obj, long line_no,
                const char *where);

/* Decode bytes s[0..n) as one JSON value of any type; U+0000 is allowed inside strings (text
 * normalisation drops it later). Trailing bytes other than white space are an error. Returns a
 * new reference, or NULL with line, column and cause in *err. */
json_t *json_decode(const char *s, size_t n, json_error_t *err);

/* --- JSON Lines records read with jscan --- */

/* What a JSON Lines map function works with besides the object: a scratch buffer for decoded
 * strings and the reason for a refusal. Every jmap_* getter reuses tmp, so a string from
 * jmap_cstr is valid only until the next getter call. */
struct jmap {
    struct buf tmp;
    struct json_why why;
};

/* Fill rec from the members of obj. Return 0, or PB_EINVAL with the reason in m->why. */
typedef int (*jmap_fn)(struct jmap *m, const struct jval *obj, struct paper *rec);

/* The getters take a member's value as jscan_fields found it: type JSCAN_NONE when absent. key is
 * the member's name, for messages. Absent or null is never an error, except for the id. */

/* String v decoded into m->tmp as a C string (a \u0000 ends it there, as it did with jansson's
 * json_string_value); its full length is m->tmp.len. NULL if v is not a string. */
const char *jmap_cstr(struct jmap *m, const struct jval *v);

/* As json_get_text: copy string v into *field (normalised). Returns PB_EINVAL (why set) if v is
 * another type or longer than PAPER_MAX_FIELD. */
PB_MUST_CHECK int jmap_text(struct jmap *m, const struct jval *v, const char *key, char **field);

/* As json_get_strlist: append v to out, a list of strings, or with split a single string cut by
 * it. Returns PB_EINVAL (why set) for other types, non-string elements, or more than
 * PAPER_MAX_LIST entries in all. */
PB_MUST_CHECK int jmap_strlist(struct jmap *m, const struct jval *v, const char *key,
                               struct strlist *out, void (*split)(const char *, struct strlist *));

/* As json_get_date: a date string into *field in canonical form ("YYYY-MM-DD" only if
 * day_only); an unparseable date leaves *field untouched. PB_EINVAL (why set) if not a string. */
PB_MUST_CHECK int jmap_date(struct jmap *m, const struct jval *v, const char *key, char **field,
                            int day_only);

/* As json_get_arxiv_id: the required arXiv id (and version, if it carries one) into rec.
 * PB_EINVAL (why set) if absent, null, not a string or not an arXiv id. */
PB_MUST_CHECK int jmap_arxiv_id(struct jmap *m, const struct jval *v, const char *key,
                                struct paper *rec);

/* JSON Lines: one object per line, blank lines skipped, lines capped at JSON_MAX_RECORD. A first
 * non-blank line that does not start with '{', or is a lone '{' (a pretty-printed document), means
 * the input is some other format: the parser fails with PB_EFORMAT. Every later bad line becomes
 * a reject ("line 7: invalid JSON at column 31: trailing comma before '}'", the column counted in
 * bytes from 1) and reading goes on. */
struct jsonl {
    struct lines lines;
    struct parser *p;
    jmap_fn map;
    struct jmap m;
    const char *format; /* for messages: "daily listing", "Kaggle snapshot" */
    int has_first;      /* a non-blank line has been seen */
};

void jsonl_init(struct jsonl *j, struct parser *p, jmap_fn map, const char *format);
void jsonl_release(struct jsonl *j);
int jsonl_feed(struct jsonl *j, const char *data, size_t n);
int jsonl_finish(struct jsonl *j);

/* A format_ops implementation whose state is a heap jsonl: formats that are plain JSON Lines
 * define their ops with these and a create function calling jsonl_new. */
struct jsonl *jsonl_new(struct parser *p, jmap_fn map, const char *format);
int jsonl_ops_feed(void *state, const char *data, size_t n);
int jsonl_ops_finish(void *state);
void jsonl_ops_destroy(void *state);

#endif
