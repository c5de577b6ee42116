/* Message formatting: address and header-text validation, RFC 2047 encoded words, quoted-
 * printable bodies, and whole RFC 5322 messages (multipart/alternative text + HTML). Pure
 * functions over buffers: no I/O, no clock (the Date is passed in). Every value that reaches a
 * header is checked here, so a line break smuggled into a name, subject, query or address is
 * refused with PB_EINVAL instead of becoming a header of its own. Output lines end in CRLF and
 * are at most 78 characters (headers folded, bodies quoted-printable); dot-stuffing is the
 * transport's job (libcurl does it). Thread-safe. */
#ifndef PB_MAIL_MIME_H
#define PB_MAIL_MIME_H
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"
#include "../util/err.h"

#define MAIL_ADDR_MAX 254    /* RFC 5321 path limit less the angle brackets */
#define MAIL_LOCAL_MAX 64
#define MAIL_TEXT_MAX 998    /* a header value (name, subject) before encoding */
#define MAIL_MSG_MAX (4 << 20) /* a rendered message larger than this is refused */

/* Is addr a deliverable address of the form local@domain? Accepted: a dot-atom local part
 * (RFC 5322 atext and single inner dots, <= 64 bytes) and a domain of >= 2 labels of letters,
 * digits and inner hyphens (<= 63 each, <= 253 in all; the last label not all digits) or an
 * IPv4 literal [1.2.3.4]; <= 254 bytes. Refused: quoted local parts, comments, non-ASCII
 * (SMTPUTF8 is not used), white space and control characters. Returns 0 or PB_EINVAL with why
 * ("has a line break", "has no '@'", ...) in why[0..n). */
PB_MUST_CHECK int mail_addr_check(const char *addr, char *why, size_t n);

/* Is s text that may go into a header (a display name, a subject, a saved search)? Valid UTF-8,
 * no control characters (CR and LF included), at most max bytes. 0 or PB_EINVAL with why. */
PB_MUST_CHECK int mail_text_check(const char *s, size_t max, char *why, size_t n);

/* Append "Name: value" folded to <= 78 columns, value as RFC 2047 encoded words (UTF-8, B) when
 * it is not plain printable ASCII (or contains "=?"), CRLF at the end. The caller checked value
 * with mail_text_check. */
void mail_put_header_text(struct buf *b, const char *name, const char *value);
/* Append "Name: [display name] <addr>" (the name quoted or encoded as needed; may be NULL). */
void mail_put_header_addr(struct buf *b, const char *name, const char *display,
                          const char *addr);
/* Append s[0..n) ("\n" or "\r\n" line ends) as quoted-printable with CRLF lines <= 76. */
void mail_put_qp(struct buf *b, const char *s, size_t n);
/* Append base64 of data (one line, no breaks). */
void mail_put_base64(struct buf *b, const unsigned char *data, size_t n);
/* RFC 5322 date of t (UTC, "+0000"): "Mon, 15 Jun 2026 07:00:00 +0000" (out >= 32 bytes). */
void mail_date(int64_t t, char *out);

struct mail_msg {
    const char *from_addr, *from_name; /* from_name may be NULL */
    const char *to_addr;
    const char *subject;
    int64_t date;
    const char *message_id;     /* "<...@host>", printable ASCII */
    const char *unsubscribe;    /* one-click URL (RFC 8058 headers), or NULL */
    const char *list_id;        /* "<digest.host>" or NULL */
    const char *text;           /* the plain text part (UTF-8, "\n" lines) */
    const char *html;           /* the HTML part, or NULL for text/plain only */
};

/* Render m into out (appended). PB_EINVAL with why in err when an address, the name, the
 * subject, the Message-ID or the URL is unfit for a header; PB_ETOOBIG past MAIL_MSG_MAX. */
PB_MUST_CHECK int mail_render(const struct mail_msg *m, struct buf *out, char *err,
                              size_t errlen);

#endif
