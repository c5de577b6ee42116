/* paperboy's mail: choosing the papers of a digest, composing digests and account mail into
 * the durable outbox (store/mail.h), and delivering the outbox over SMTP (smtp.h). Periods,
 * the outbox states and what a crash at any moment does are documented in docs/MAIL.md.
 * Depends on store, index and auth; used by http (subscribe, confirm, reset pages) and cli
 * (paperboy sub, paperboy digest, the scheduler in paperboy serve). A struct mail_ctx belongs to
 * one thread (it holds that thread's store connection). */
#ifndef PB_MAIL_MAIL_H
#define PB_MAIL_MAIL_H
#include <stdint.h>
#include <stdio.h>

#include "../auth/auth.h"
#include "../util/err.h"

struct store;
struct index;
struct tz;

#define MAIL_MAX_PAPERS 50        /* a digest lists at most this many papers */
#define MAIL_CANDIDATES 10000     /* search hits looked at for a saved search's new papers */
#define MAIL_CONFIRM_DAYS 7       /* an unconfirmed subscription is dropped after this */
#define MAIL_RESET_SECONDS 3600   /* a password-reset link works this long, once */

/* Settings of the [mail] section (docs/CONFIG.md) plus the site's name and address. */
struct mail_conf {
    const char *smtp_url;     /* "" or NULL: no relay; messages wait in the outbox */
    int starttls;
    const char *user, *password; /* AUTH; from the config file or the environment */
    const char *from_addr;    /* envelope and From: address */
    const char *from_name;    /* display name (default: the site's name) */
    const char *site_name;
    const char *base_url;     /* absolute site address for links, no trailing '/' */
    int send_minute;          /* scheduler: minutes after local midnight */
    const struct tz *tz;      /* scheduler and periods: the local day (NULL: UTC) */
    int weekly_day;           /* 0 Monday .. 6 Sunday: weekly digests from that day on */
    int max_papers;           /* per digest (<= MAIL_MAX_PAPERS) */
    int max_bounces;          /* permanent failures in a row before a subscription pauses */
    int max_attempts;         /* tries of a message before it is failed */
    long timeout_s;           /* SMTP, per message */
};
/* Defaults: no relay, from "paperboy@localhost", 07:00 UTC, Monday, 10 papers, 3 bounces,
 * 8 attempts, 60 s. */
void mail_conf_default(struct mail_conf *c);

struct mail_ctx {
    struct store *st;
    const struct mail_conf *conf;
    const char *db_path;      /* for the sender's lock file (PATH.mail-lock) */
    char key[AUTH_HEX_LEN];   /* the server's secret: mail tokens are MACs under it */
    int is_dry_run;           /* compose: print what would be queued, change nothing */
    FILE *log;                /* one line per event, or NULL */
};
/* Fill ctx for st (read or create the server key). PB_EDB with a message in err. */
PB_MUST_CHECK int mail_ctx_init(struct mail_ctx *ctx, struct store *st,
                                const struct mail_conf *conf, const char *db_path, char *err,
                                size_t errlen);

/* Tokens (hex MACs under the server key; auth_mac). A subscription's tokens sign its sid and
 * creation time, so one made for another subscription, another purpose or an earlier
 * subscription of the same address never verifies. */
void mail_sub_token(const struct mail_ctx *ctx, const char *scope, int64_t sid,
                    const char *created_at, char out[AUTH_HEX_LEN]);
/* The token of the "manage every subscription of this address" link. */
void mail_addr_token(const struct mail_ctx *ctx, const char *email, char out[AUTH_HEX_LEN]);
/* Constant-time check of a token from a link for (scope, sid): 0 ok, PB_EINVAL for a wrong
 * token, PB_ENOTFOUND for no such subscription. */
PB_MUST_CHECK int mail_sub_verify(struct mail_ctx *ctx, const char *scope, int64_t sid,
                                  const char *token);

/* Check a subscription request from outside (site, command line): the address
 * (mail_addr_check) and, for a saved search (query non-empty), header-safe text of at most
 * STORE_SUB_QUERY_MAX bytes that the query language reads as something to search for. 0, or
 * PB_EINVAL with a message for the user in err ("the address has a line break"). */
PB_MUST_CHECK int mail_sub_check(const char *email, const char *query, char *err,
                                 size_t errlen);

/* Queue the opt-in message for subscription sid (at most one per subscription and day: a
 * second request the same day queues nothing and returns 0 with *mid 0). */
PB_MUST_CHECK int mail_queue_confirm(struct mail_ctx *ctx, int64_t sid, int64_t now,
                                     int64_t *mid, char *err, size_t errlen);
/* Queue a password-reset message with the reset link for token (the secret; the store keeps
 * its hash) to email. */
PB_MUST_CHECK int mail_queue_reset(struct mail_ctx *ctx, const char *user_name,
                                   const char *email, const char *token, int64_t now,
                                   int64_t *mid, char *err, size_t errlen);

/* The periods in force at now in the configured zone: the local day "YYYY-MM-DD" and, from the
 * weekly day on, the ISO week "YYYY-Www" ("" before it). */
void mail_periods(const struct mail_conf *c, int64_t now, char day[11], char week[9]);
/* Seconds past local midnight at now (the scheduler compares it with send_minute). */
long mail_local_seconds(const struct mail_conf *c, int64_t now);

struct mail_stats {
    long due;       /* subscriptions due a digest */
    long groups;    /* distinct contents (one search each) */
    long queued;    /* digests queued */
    long empty;     /* subscriptions whose digest had no papers: nothing sent */
    long skipped;   /* already composed by another run, or their saved search fails */
    long papers;    /* papers listed in the queued digests */
    long sent, retried, failed, paused;
    long connections;
};

/* Compose the digests due at now into the outbox (ctx->is_dry_run: print them to ctx->log and
 * change nothing). ix is the search index for saved searches (NULL: they are skipped and
 * counted in skipped); max_pid bounds the papers the index has seen (store_max_pid_at).
 * Crash-safe and idempotent: see docs/MAIL.md. 0 or an error with a message in err. */
PB_MUST_CHECK int mail_compose_due(struct mail_ctx *ctx, struct index *ix, int64_t max_pid,
                                   int64_t now, struct mail_stats *stats, char *err,
                                   size_t errlen);

/* Deliver what the outbox holds for now (only_mid > 0: just that message) over the configured
 * relay. One sender at a time: PB_EBUSY when another process or thread holds the lock. 0 when
 * the run completed (individual failures are recorded in the outbox and counted in stats);
 * PB_EIO when the relay did not answer at all (the rest stays queued for the next run). */
PB_MUST_CHECK int mail_deliver(struct mail_ctx *ctx, int64_t now, int64_t only_mid,
                               struct mail_stats *stats, char *err, size_t errlen);

/* Seconds to wait before attempt n + 1 after n temporary failures: 5 min doubling to 6 h. */
long mail_backoff(int attempts);

#endif
