/* jscan: a validating, zero-copy JSON reader for the bulk importers (one JSON Lines line at a
 * time). jscan_parse checks a whole text in one pass and allocates nothing; the values it hands
 * out are spans of the caller's bytes, walked with iterators and decoded on demand. It accepts
 * what jansson's json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL) accepts, with one deliberate
 * exception (a stray NUL byte, below), and reads the same values from it: the differential test
 * tests/unit/test_jscan.c and the fuzz target tests/fuzz/fuzz_jscan.c hold it to that, so
 * switching a parser from jansson to jscan changes no accept/reject decision on real input. The
 * rules are listed at jscan_parse. No global state: every function is thread-safe on distinct
 * arguments. */
#ifndef PB_INGEST_JSCAN_H
#define PB_INGEST_JSCAN_H
#include <stddef.h>

#include "../util/buf.h"
#include "../util/err.h"

/* Values nested deeper than this are refused: jansson's JSON_PARSER_MAX_DEPTH, counted the same
 * way (the top-level value is level 1, so a container at level 2048 must be empty). */
#define JSCAN_MAX_DEPTH 2048

/* Prefixed JSCAN_ because jansson.h owns JSON_NULL, JSON_OBJECT, ... JSCAN_NONE is "absent"
 * (a member jscan_fields did not find); a parsed value never has it. */
enum jtype {
    JSCAN_NONE = 0,
    JSCAN_NULL,
    JSCAN_FALSE,
    JSCAN_TRUE,
    JSCAN_NUMBER,
    JSCAN_STRING,
    JSCAN_ARRAY,
    JSCAN_OBJECT,
};

/* One value: a span of the parsed text, valid as long as that text is. For a string, p/n are the
 * bytes between the quotes, still escaped; if has_escape is 0 they are already the value (valid
 * UTF-8, no NUL byte) and need no jscan_string. For the other types p/n are the value's own text
 * ("-1.5e3", "true", "[...]", "{...}"). */
struct jval {
    enum jtype type;
    int has_escape; /* strings: the span holds a backslash escape */
    const char *p;
    size_t n;
};

/* Where and why jscan_parse refused a text. */
struct jscan_error {
    size_t offset; /* 0-based byte offset of the offending byte (the length for "ends early") */
    char msg[96];  /* plain words, printable ASCII: "control character 0x0a in a string" */
};

/* Validate s[0..n) as exactly one JSON value with optional white space around it (space, tab,
 * CR, LF) and set *root (may be NULL) to it. s need not be NUL-terminated. Returns 0, or
 * PB_EPARSE with *err (may be NULL) describing the first problem.
 * Accepted is RFC 8259 JSON, strictly (no comments, trailing commas, single quotes, NaN, leading
 * zeros, leading '+', unescaped control characters or unknown escapes), with these rules, all
 * jansson's:
 *  - strings must be valid UTF-8 (RFC 3629: no overlong forms, no encoded surrogates, nothing
 *    past U+10FFFF); a byte order mark is a stray byte like any other;
 *  - \u escapes must not leave a surrogate unpaired (a high one must be followed by a \u low
 *    one, a low one must follow a high one): such text is refused, not repaired;
 *  - \u0000 is allowed in string values (it decodes to a NUL byte) but not in object keys;
 *  - an integer (no fraction, no exponent) must fit in a signed 64-bit integer; a number with
 *    a fraction or exponent must not overflow a double (underflow to 0 is fine);
 *  - nesting: see JSCAN_MAX_DEPTH;
 *  - duplicate object keys are allowed; the LAST one counts (jscan_fields, jscan_get);
 *  - a raw NUL byte is refused wherever it is. (jansson skips one that directly follows a number
 *    or true/false/null, a quirk of its one-byte push-back, and so accepts "[1\0]": that is the
 *    one place the two differ, on purpose.) */
PB_MUST_CHECK int jscan_parse(const char *s, size_t n, struct jval *root, struct jscan_error *err);

/* Iterator over the members of an object or the elements of an array that jscan_parse accepted
 * (directly or nested). It trusts that text and does not re-validate it; given any other span it
 * may return nonsense but never reads outside container->p[0..n). */
struct jiter {
    const char *p;
    const char *end; /* the closing bracket */
};

/* Start iterating container (an array or an object; for any other type the iteration is empty). */
void jscan_iter(const struct jval *container, struct jiter *it);
/* Next member of an object: returns 1 with *key (a JSCAN_STRING) and *val set, or 0 at the end. */
int jscan_next_member(struct jiter *it, struct jval *key, struct jval *val);
/* Next element of an array: returns 1 with *val set, or 0 at the end. */
int jscan_next_elem(struct jiter *it, struct jval *val);

/* One pass over obj's members: vals[i] becomes the value of the last member whose (decoded) name
 * is keys[i], or type JSCAN_NONE if there is none. Members not named in keys are skipped. For a
 * non-object every vals[i] is JSCAN_NONE. n_keys small (a linear search per member). */
void jscan_fields(const struct jval *obj, const char *const *keys, size_t n_keys,
                  struct jval *vals);
/* The last member of obj named key (a C string): returns 1 with *val set, or 0 if obj has none
 * or is not an object. Walks the whole object; to read several members use jscan_fields. */
int jscan_get(const struct jval *obj, const char *key, struct jval *val);

/* 1 if string value v decodes to exactly the C string lit (0 for non-strings). No allocation. */
int jscan_str_eq(const struct jval *v, const char *lit);

/* Element count of an array or member count of an object (0 for other types); one walk. */
size_t jscan_count(const struct jval *container);

/* Append the decoded string v to out: escapes resolved, surrogate pairs joined, \u0000 as a NUL
 * byte (use out->len, not strlen). out stays NUL-terminated. Returns 0, PB_EINVAL if v is not a
 * string, or PB_ETOOBIG if out's cap would be exceeded (out then holds a prefix). Never longer
 * than v->n bytes. */
PB_MUST_CHECK int jscan_string(const struct jval *v, struct buf *out);

/* The value of an integer v (no fraction or exponent): returns 0, or PB_EINVAL if v is not a
 * number of that form. Every integer jscan_parse accepted fits. */
PB_MUST_CHECK int jscan_int(const struct jval *v, long long *out);

/* "an object", "a list", "a string", "a number", "a boolean", "null" (as json_type_name says
 * them), "nothing" for JSCAN_NONE: for messages. */
const char *jscan_type_name(enum jtype type);

#endif
