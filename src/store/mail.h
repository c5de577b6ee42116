/* The mail side of the store: subscriptions (trending digests and saved-search alerts), the
 * durable outbox every message goes through, and password-reset tokens. Tables are described at
 * the top of store.c (migration 4); the queries live in store/mail.c; how they are used (periods,
 * states, crash semantics) is docs/MAIL.md. Same rules as store.h: one struct store per thread;
 * functions return 0 or a negative PB_E* code with the message in store_errmsg(). Times are
 * canonical timestamps passed in by the caller (the clock is injectable). */
#ifndef PB_STORE_MAIL_H
#define PB_STORE_MAIL_H
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_SUB_QUERY_MAX 512 /* bytes of a saved search */
#define STORE_SUBS_PER_ADDR 20  /* subscriptions one address may have */

enum store_sub_state { STORE_SUB_PENDING, STORE_SUB_ACTIVE, STORE_SUB_PAUSED };

/* A subscription. In callbacks the strings are borrowed (valid during the call). */
struct store_sub {
    int64_t sid;
    const char *email;
    const char *query;      /* "" for the trending digest */
    int is_weekly;
    int64_t uid;            /* the account that made it, 0 if none */
    enum store_sub_state state;
    const char *created_at; /* also part of its tokens: a new subscription gets new ones */
    const char *confirmed_at; /* "" while pending */
    const char *last_period;  /* the last period a digest was composed for, "" if none */
    int64_t last_pid;         /* saved searches: papers above this pid are new */
    int n_bounces;            /* permanent failures in a row */
};
typedef int (*store_sub_fn)(void *ctx, const struct store_sub *sub);

/* The state's name: "pending", "active", "paused". */
const char *store_sub_state_name(enum store_sub_state st);

/* Add a subscription (query "" = trending) in state PENDING, or find the existing one with the
 * same address, query and frequency (*is_new 0; its state unchanged). PB_ETOOBIG when the address
 * already has STORE_SUBS_PER_ADDR subscriptions. The caller validates address and query. */
PB_MUST_CHECK int store_sub_add(struct store *s, const char *email, const char *query,
                                int is_weekly, int64_t uid, const char *now, int64_t *sid,
                                int *is_new);
/* The subscription sid; fn is called once. PB_ENOTFOUND if none. */
PB_MUST_CHECK int store_sub_get(struct store *s, int64_t sid, store_sub_fn fn, void *ctx);
/* Subscriptions of an address (email non-NULL, case-insensitive), of an account (uid > 0), or
 * all (email NULL, uid 0), oldest first. */
PB_MUST_CHECK int store_sub_list(struct store *s, const char *email, int64_t uid,
                                 store_sub_fn fn, void *ctx);
/* Opt-in confirmed (or a paused one resumed): ACTIVE, bounces cleared; a saved search starts
 * at last_pid (papers above it are new) unless it has a watermark already. */
PB_MUST_CHECK int store_sub_confirm(struct store *s, int64_t sid, const char *now,
                                    int64_t last_pid);
/* Remove one subscription (its queued messages go with it) or all of an address. *n gets how
 * many were removed (may be NULL). */
PB_MUST_CHECK int store_sub_delete(struct store *s, int64_t sid, int *n);
PB_MUST_CHECK int store_sub_delete_email(struct store *s, const char *email, int *n);
/* Pending subscriptions created before `before` are dropped (unconfirmed opt-ins expire). */
PB_MUST_CHECK int store_sub_expire_pending(struct store *s, const char *before, int *n);

/* Active subscriptions due a digest: daily ones whose last period is before `day` and weekly
 * ones whose last period is before `week` (either NULL: that frequency is not due), sorted
 * so that subscriptions sharing content (same query, frequency and watermark) are adjacent. */
PB_MUST_CHECK int store_subs_due(struct store *s, const char *day, const char *week,
                                 store_sub_fn fn, void *ctx);
/* Claim (sid, period) for composing: sets last_period and last_pid if last_period is still
 * before period. *claimed 0 means another run has it already (nothing changed). */
PB_MUST_CHECK int store_sub_claim(struct store *s, int64_t sid, const char *period,
                                  int64_t last_pid, int *claimed);

/* The largest pid the search index has seen: papers at or below it whose insertion was at
 * change number <= seq (see store.c); 0 if none. */
PB_MUST_CHECK int store_max_pid_at(struct store *s, int64_t seq, int64_t *pid);

/* ---- the outbox ---- */

enum store_msg_kind { STORE_MSG_DIGEST, STORE_MSG_CONFIRM, STORE_MSG_RESET };
enum store_msg_state { STORE_MSG_QUEUED, STORE_MSG_SENDING, STORE_MSG_SENT, STORE_MSG_FAILED };
const char *store_msg_state_name(enum store_msg_state st);
const char *store_msg_kind_name(enum store_msg_kind k);

struct store_msg {
    int64_t mid;
    enum store_msg_kind kind;
    int64_t sid;        /* 0 for account mail */
    const char *period; /* digest: "YYYY-MM-DD" or "YYYY-Www"; confirm: the day it was asked */
    const char *rcpt, *subject, *message_id;
    int n_papers;
    enum store_msg_state state;
    int attempts;
    const char *next_at, *created_at, *sent_at, *error;
    const char *data; /* the whole message (RFC 5322, CRLF lines); NULL once sent or failed */
    size_t data_len;
};
typedef int (*store_msg_fn)(void *ctx, const struct store_msg *m);

/* Queue a message. UNIQUE(sid, kind, period): a second message for the same subscription,
 * kind and period is not queued (*is_new 0, nothing changed). sid 0 (account mail) is never a
 * duplicate. */
PB_MUST_CHECK int store_msg_add(struct store *s, const struct store_msg *m, const char *now,
                                int64_t *mid, int *is_new);
/* Messages to deliver now, oldest first, at most limit: QUEUED whose next_at <= now, and
 * SENDING ones (left by a sender that stopped mid-message; see docs/MAIL.md). Only mids are
 * reported; read each with store_msg_get. only_mid > 0 restricts to that message. */
typedef int (*store_mid_fn)(void *ctx, int64_t mid);
PB_MUST_CHECK int store_msgs_due(struct store *s, const char *now, int limit, int64_t only_mid,
                                 store_mid_fn fn, void *ctx);
/* One message, data included. PB_ENOTFOUND if none. */
PB_MUST_CHECK int store_msg_get(struct store *s, int64_t mid, store_msg_fn fn, void *ctx);
/* Recent messages (newest first, at most limit), data not read. */
PB_MUST_CHECK int store_msg_list(struct store *s, int limit, store_msg_fn fn, void *ctx);
/* Count of messages per state (indexed by enum store_msg_state). */
PB_MUST_CHECK int store_msg_counts(struct store *s, long long counts[4]);

/* The delivery state machine (each call is its own committed statement):
 * start:  QUEUED/SENDING -> SENDING, attempts + 1 (before the message goes to the relay);
 * sent:   -> SENT, data dropped, the subscription's bounce count cleared;
 * retry:  -> QUEUED with next_at (a temporary failure) and the error kept;
 * failed: -> FAILED, data dropped, the error kept; is_bounce counts a permanent failure against
 *         the subscription, which is PAUSED once it has max_bounces in a row (*paused 1). */
PB_MUST_CHECK int store_msg_start(struct store *s, int64_t mid, const char *now);
PB_MUST_CHECK int store_msg_sent(struct store *s, int64_t mid, const char *now);
PB_MUST_CHECK int store_msg_retry(struct store *s, int64_t mid, const char *next_at,
                                  const char *error);
PB_MUST_CHECK int store_msg_failed(struct store *s, int64_t mid, const char *now,
                                   const char *error, int is_bounce, int max_bounces,
                                   int *paused);
/* Forget sent and failed messages created before `before`. */
PB_MUST_CHECK int store_msg_prune(struct store *s, const char *before, int *n);

/* ---- password resets ---- */

/* A reset token (its hash, auth.h) for uid, valid until expires. */
PB_MUST_CHECK int store_reset_add(struct store *s, const char *token_hash, int64_t uid,
                                  const char *now, const char *expires);
/* Look a token up without using it: *uid, or PB_ENOTFOUND when unknown or expired. */
PB_MUST_CHECK int store_reset_peek(struct store *s, const char *token_hash, const char *now,
                                   int64_t *uid);
/* Use a token: deletes it (single use) and every other token of the account and sets the
 * password (which ends the account's sessions), in one transaction. PB_ENOTFOUND when unknown
 * or expired. */
PB_MUST_CHECK int store_reset_use(struct store *s, const char *token_hash, const char *now,
                                  const char *pass_hash, int64_t *uid);
/* The account whose (non-empty) email is this address, case-insensitive; the oldest if
 * several. PB_ENOTFOUND if none. */
PB_MUST_CHECK int store_user_by_email(struct store *s, const char *email, int64_t *uid);

/* The value of meta key, set to value first if it was unset (atomically: two processes racing
 * agree on one value). Used for the server's secret key, which mail links are signed with. */
PB_MUST_CHECK int store_meta_init(struct store *s, const char *key, const char *value,
                                  char *out, size_t out_len);

#endif
