/* Text normalisation applied to everything paperboy stores: valid UTF-8 guaranteed (invalid
 * sequences become U+FFFD), control characters dropped, runs of white space (including line
 * breaks) collapsed to one space, leading/trailing space trimmed. LaTeX is kept as written. */
#ifndef PB_UTIL_TEXT_H
#define PB_UTIL_TEXT_H
#include <stddef.h>

/* Normalised copy of s[0..n) in fresh memory (caller frees). Never fails. */
char *text_normalize(const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s (1..4), or 0 if s[0..n) does not start with one. */
size_t text_utf8_seq(const unsigned char *s, size_t n);
/* 1 if s[0..n) is entirely valid UTF-8. */
int text_is_utf8(const char *s, size_t n);
/* ASCII case-insensitive prefix test. */
int text_starts_with(const char *s, const char *prefix);
/* Trim ASCII white space in place at both ends; returns s. */
char *text_trim(char *s);

struct buf;
/* Append s[0..n) to b with & < > " ' escaped for HTML text and attribute values. Returns 0 or
 * PB_ETOOBIG when b's cap is reached. */
int text_html_escape(struct buf *b, const char *s, size_t n);

#endif
