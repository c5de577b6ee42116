/* application/x-www-form-urlencoded parsing, for query strings and POST bodies (the HTTP
 * parameters an outsider controls). Pure code: no microhttpd here, so the fuzz target
 * (tests/fuzz/fuzz_form.c) and unit tests drive it directly. */
#ifndef PB_HTTP_FORM_H
#define PB_HTTP_FORM_H
#include <stddef.h>

#include "../util/err.h"

#define FORM_MAX_FIELDS 64
#define FORM_MAX_BYTES (64 * 1024)

struct form {
    int n;
    char *key[FORM_MAX_FIELDS], *value[FORM_MAX_FIELDS]; /* decoded, NUL-terminated */
};

/* Parse s[0..n): "a=1&b=two+words&c=%C3%A9". '+' is a space, %XX a byte; a key without '='
 * has the value "". Every decoded key and value must be valid UTF-8 without NUL bytes.
 * Returns 0; PB_ETOOBIG past FORM_MAX_BYTES or FORM_MAX_FIELDS; PB_EINVAL for a bad %-escape
 * or invalid text (the form is then empty). */
PB_MUST_CHECK int form_parse(struct form *f, const char *s, size_t n);
void form_release(struct form *f);
/* The first value of key, or NULL. */
const char *form_get(const struct form *f, const char *key);
/* Percent-decode s[0..n) into a new string (plus_is_space for forms, not for paths).
 * NULL for a bad escape, a NUL byte or invalid UTF-8. */
char *form_decode(const char *s, size_t n, int plus_is_space);

#endif
