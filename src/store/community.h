/* The community side of the store: accounts, sessions, votes, comments, submissions, hidden
 * papers, and the paper "cards" the site's pages list. Tables are described at the top of
 * store.c (migration 3); the queries live in community.c. Same rules as store.h: one struct
 * store per thread; functions return 0 or a negative PB_E* code with the message in
 * store_errmsg(). Times are canonical timestamps "YYYY-MM-DDTHH:MM:SSZ" passed in by the caller
 * (the clock is injectable). */
#ifndef PB_STORE_COMMUNITY_H
#define PB_STORE_COMMUNITY_H
#include <stdint.h>

#include "store.h"

#define STORE_NAME_MAX 32     /* user names: 1..32 of [A-Za-z0-9_-] */
#define STORE_COMMENT_MAX 5000 /* bytes of a comment */

struct store_user {
    int64_t uid;
    char name[STORE_NAME_MAX + 1];
    char email[256];
    int is_admin;
    char created_at[21];
};

/* A valid user name? (1..32 characters of A-Z a-z 0-9 _ -) */
int store_user_name_ok(const char *name);
/* New account; pass_hash is the encoded password hash (auth.h). Returns 0, PB_EEXIST if the
 * name is taken (case-insensitively) or PB_EINVAL for a bad name. */
PB_MUST_CHECK int store_user_add(struct store *s, const char *name, const char *email,
                                 const char *pass_hash, int is_admin, const char *now,
                                 int64_t *uid);
/* The account by name (case-insensitive) and, if pass_hash is non-NULL, its password hash
 * (pass_len >= 256). PB_ENOTFOUND if none. */
PB_MUST_CHECK int store_user_get(struct store *s, const char *name, struct store_user *u,
                                 char *pass_hash, size_t pass_len);
PB_MUST_CHECK int store_user_get_uid(struct store *s, int64_t uid, struct store_user *u);
PB_MUST_CHECK int store_user_set_password(struct store *s, int64_t uid, const char *pass_hash);
PB_MUST_CHECK int store_user_set_admin(struct store *s, int64_t uid, int is_admin);
PB_MUST_CHECK int store_user_count(struct store *s, long long *n);
typedef int (*store_user_fn)(void *ctx, const struct store_user *u, long long n_votes,
                             long long n_submissions);
PB_MUST_CHECK int store_user_list(struct store *s, store_user_fn fn, void *ctx);

/* Sessions and API tokens are stored as hashes of the secret the client holds (auth.h), so a
 * copy of the database lets nobody in. */
PB_MUST_CHECK int store_session_add(struct store *s, const char *token_hash, int64_t uid,
                                    const char *now, const char *expires);
/* The user of a live session (expires > now); PB_ENOTFOUND otherwise. */
PB_MUST_CHECK int store_session_user(struct store *s, const char *token_hash, const char *now,
                                     struct store_user *u);
PB_MUST_CHECK int store_session_delete(struct store *s, const char *token_hash);
/* Set (or with token_hash NULL remove) the account's API token. */
PB_MUST_CHECK int store_user_set_api_token(struct store *s, int64_t uid, const char *token_hash);
PB_MUST_CHECK int store_api_token_user(struct store *s, const char *token_hash,
                                       struct store_user *u);

/* Vote (is_up 1) or take the vote back (0). *n_votes gets the paper's count afterwards;
 * *changed whether anything changed. PB_ENOTFOUND for an unknown paper id. */
PB_MUST_CHECK int store_vote(struct store *s, int64_t uid, const char *paper_id, int is_up,
                             const char *now, long long *n_votes, int *changed);
/* Whether uid voted for pid. */
int store_has_voted(struct store *s, int64_t uid, int64_t pid);

struct store_comment {
    int64_t cid, pid, uid;
    const char *user; /* the author's name */
    const char *body, *at;
    int is_hidden;
};
/* body: plain text, 1..STORE_COMMENT_MAX bytes of valid UTF-8 (PB_EINVAL otherwise). */
PB_MUST_CHECK int store_comment_add(struct store *s, int64_t uid, const char *paper_id,
                                    const char *body, const char *now, int64_t *cid);
typedef int (*store_comment_fn)(void *ctx, const struct store_comment *c);
/* Comments on a paper, oldest first; hidden ones only if with_hidden. */
PB_MUST_CHECK int store_comments(struct store *s, int64_t pid, int with_hidden,
                                 store_comment_fn fn, void *ctx);
PB_MUST_CHECK int store_comment_hide(struct store *s, int64_t cid, int is_hidden);
/* Hide a paper from every page, feed and search result (admin). */
PB_MUST_CHECK int store_paper_hide(struct store *s, const char *paper_id, int is_hidden);

enum store_submit_result { STORE_SUBMIT_KNOWN = 1, STORE_SUBMIT_PENDING, STORE_SUBMIT_AGAIN };
/* A user submits an arXiv id (canonical, no version). A known paper gets the submission and the
 * submitter's upvote; an unknown one is recorded as pending until its metadata arrives (a
 * trigger links it when the paper is stored). Submitting twice changes nothing (AGAIN). */
PB_MUST_CHECK int store_submit(struct store *s, int64_t uid, const char *arxiv_id,
                               const char *now, enum store_submit_result *res);
typedef int (*store_id_fn)(void *ctx, const char *id);
/* Submitted ids whose paper is not stored yet, oldest first, at most limit. */
PB_MUST_CHECK int store_submissions_pending(struct store *s, int limit, store_id_fn fn,
                                            void *ctx);

/* What a page shows of a paper. Strings are borrowed from the row: valid during the callback. */
struct store_card {
    int64_t pid;
    const char *id, *title, *abstract, *comment;
    const char *authors;    /* "\n"-separated */
    const char *categories; /* space-separated, primary first */
    const char *day;        /* listing day shown ("" if never listed) */
    const char *submitted;  /* date of v1, may be "" */
    const char *submitter;  /* first user here who submitted it, "" if none */
    long long votes;        /* upvotes here */
    long long hf_upvotes;   /* imported upvotes, -1 if none */
    long long n_comments;   /* visible comments */
    int64_t appeared;       /* seconds since the epoch, see trending.h (trending only) */
    double score;           /* trending score (store_cards_trending only) */
};
typedef int (*store_card_fn)(void *ctx, const struct store_card *c);

enum store_card_sort { STORE_SORT_TRENDING, STORE_SORT_NEW };
/* Papers listed on days [first, last] (each once, with its latest listing day in the range),
 * not hidden or deleted, sorted by points (votes here + imported) or newest day first, then id;
 * offset/limit paginate. *total gets the number of such papers. */
PB_MUST_CHECK int store_cards_days(struct store *s, const char *first, const char *last,
                                   enum store_card_sort sort, int offset, int limit,
                                   long long *total, store_card_fn fn, void *ctx);
/* Trending over the window of seconds before `now`: papers that appeared, were voted for or
 * were submitted in it, ranked by trending_score at now, best first, at most limit. */
PB_MUST_CHECK int store_cards_trending(struct store *s, int64_t now, int64_t window, int limit,
                                       store_card_fn fn, void *ctx);
/* The newest activity in the store (latest listing day's end, vote or submission) as seconds
 * since the epoch, 0 if none: the site anchors trending windows at the earlier of this and now,
 * so an instance that stopped harvesting still shows its last trending papers. */
PB_MUST_CHECK int store_last_activity(struct store *s, int64_t *t);
/* Cards for these pids in the given order (missing, hidden or deleted ones skipped). */
PB_MUST_CHECK int store_cards_pids(struct store *s, const int64_t *pids, int n, store_card_fn fn,
                                   void *ctx);
/* The card of a paper by id (hidden ones too when with_hidden); PB_ENOTFOUND if none. */
PB_MUST_CHECK int store_card_get(struct store *s, const char *id, int with_hidden,
                                 store_card_fn fn, void *ctx);
/* Cards of a user's submissions (is_votes 0) or upvoted papers (1), newest first. */
PB_MUST_CHECK int store_cards_user(struct store *s, int64_t uid, int is_votes, int limit,
                                   store_card_fn fn, void *ctx);

/* Per-day counts for /stats: papers listed and votes cast on each day in [first, last]. */
typedef int (*store_day_count_fn)(void *ctx, const char *day, long long papers,
                                  long long votes);
PB_MUST_CHECK int store_day_counts(struct store *s, const char *first, const char *last,
                                   store_day_count_fn fn, void *ctx);

/* SQLite's PRAGMA data_version: changes when another connection commits (-1 on error). */
int64_t store_data_version(struct store *s);

/* A value in the meta table (NULL value deletes); store_meta_get copies into out, PB_ENOTFOUND
 * if unset. Used for the server's secret key. */
PB_MUST_CHECK int store_meta_set(struct store *s, const char *key, const char *value);
PB_MUST_CHECK int store_meta_get(struct store *s, const char *key, char *out, size_t out_len);

#endif
