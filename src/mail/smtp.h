/* SMTP delivery over libcurl (the only mail code that includes <curl/curl.h>): one connection
 * kept open across messages (libcurl reuses it while the easy handle lives), STARTTLS when
 * asked for, AUTH with credentials from the configuration (never from the command line).
 * libcurl does the dot-stuffing and the final "." line. One struct smtp per thread. */
#ifndef PB_MAIL_SMTP_H
#define PB_MAIL_SMTP_H
#include <stddef.h>

#include "../util/err.h"

struct smtp_opts {
    const char *url;      /* smtp://host:port or smtps://host:port (no user:password@) */
    int starttls;         /* require STARTTLS on smtp:// */
    const char *user;     /* NULL or "": no AUTH */
    const char *password;
    const char *helo;     /* the name to greet with (EHLO), or NULL for libcurl's default */
    long timeout_s;       /* per message */
};

enum smtp_result {
    SMTP_OK,
    SMTP_TEMPFAIL, /* 4xx, no answer, connection trouble: try again later */
    SMTP_PERMFAIL, /* 5xx: the relay refused this message or recipient for good */
};

struct smtp;

/* Check the URL (scheme smtp/smtps, no credentials in it) and prepare a handle. No connection
 * is made until the first message. PB_EINVAL with a message in err for a bad URL. */
PB_MUST_CHECK int smtp_open(const struct smtp_opts *o, struct smtp **out, char *err,
                            size_t errlen);
/* Send one message (data[0..len), CRLF lines) from `from` to `rcpt`. *code gets the relay's
 * last reply code (0 if none); err the reason when not SMTP_OK. */
enum smtp_result smtp_send(struct smtp *c, const char *from, const char *rcpt, const char *data,
                           size_t len, int *code, char *err, size_t errlen);
/* Connections opened so far (1 when every message went over one connection). */
long smtp_connections(const struct smtp *c);
void smtp_close(struct smtp *c);

#endif
