/* Accounts, sessions, votes, comments, submissions and page cards (community.h; tables at the
 * top of store.c). Statements are prepared once per connection (store__prep). */
#include "community.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rank/trending.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/text.h"
#include "store_int.h"

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

int store_user_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > STORE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* ---- users ---- */

#define USER_COLS "uid, name, email, is_admin, created_at"

static void row_user(sqlite3_stmt *st, struct store_user *u)
{
    u->uid = sqlite3_column_int64(st, 0);
    copy(u->name, sizeof u->name, store__text(st, 1));
    copy(u->email, sizeof u->email, store__text(st, 2));
    u->is_admin = sqlite3_column_int(st, 3);
    copy(u->created_at, sizeof u->created_at, store__text(st, 4));
}

/* Step a statement expected to return at most one user row. */
static int one_user(struct store *s, sqlite3_stmt *st, struct store_user *u, char *extra,
                    size_t extra_len)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row_user(st, u);
        if (extra)
            copy(extra, extra_len, store__text(st, 5));
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = PB_ENOTFOUND;
    } else {
        rc = store__fail(s, "reading account");
    }
    sqlite3_reset(st);
    return rc;
}

int store_user_add(struct store *s, const char *name, const char *email, const char *pass_hash,
                   int is_admin, const char *now, int64_t *uid)
{
    static const char sql[] = "INSERT INTO users(name, email, pass, is_admin, created_at)"
                              " VALUES(?1, ?2, ?3, ?4, ?5)";
    if (!store_user_name_ok(name))
        return PB_EINVAL;
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, name);
    bind_text(st, 2, email);
    bind_text(st, 3, pass_hash);
    sqlite3_bind_int(st, 4, is_admin ? 1 : 0);
    bind_text(st, 5, now);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        snprintf(s->errmsg, sizeof s->errmsg, "the name '%s' is taken", name);
        return PB_EEXIST;
    }
    if (rc != SQLITE_DONE)
        return store__fail(s, "adding account");
    if (uid)
        *uid = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int store_user_get(struct store *s, const char *name, struct store_user *u, char *pass_hash,
                   size_t pass_len)
{
    static const char sql[] = "SELECT " USER_COLS ", pass FROM users WHERE name = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, name);
    return one_user(s, st, u, pass_hash, pass_len);
}

int store_user_get_uid(struct store *s, int64_t uid, struct store_user *u)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE uid = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, uid);
    return one_user(s, st, u, NULL, 0);
}

static int exec_uid_text(struct store *s, const char *sql, int64_t uid, const char *text)
{
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, uid);
    if (text)
        bind_text(st, 2, text);
    else
        sqlite3_bind_null(st, 2);
    if (store__step_done(s, st))
        return PB_EDB;
    return sqlite3_changes(s->db) ? 0 : PB_ENOTFOUND;
}

int store_user_set_password(struct store *s, int64_t uid, const char *pass_hash)
{
    static const char sql[] = "UPDATE users SET pass = ?2 WHERE uid = ?1";
    int rc = exec_uid_text(s, sql, uid, pass_hash);
    if (rc == 0) { /* a new password ends every session */
        static const char del[] = "DELETE FROM sessions WHERE uid = ?1";
        sqlite3_stmt *st = store__prep(s, del);
        if (!st)
            return PB_EDB;
        sqlite3_bind_int64(st, 1, uid);
        rc = store__step_done(s, st);
    }
    return rc;
}

int store_user_set_admin(struct store *s, int64_t uid, int is_admin)
{
    static const char sql[] = "UPDATE users SET is_admin = ?2 WHERE uid = ?1";
    return exec_uid_text(s, sql, uid, is_admin ? "1" : "0");
}

int store_user_count(struct store *s, long long *n)
{
    int64_t v = 0;
    int rc = store__get_int(s, "SELECT count(*) FROM users", &v);
    *n = v;
    return rc;
}

int store_user_list(struct store *s, store_user_fn fn, void *ctx)
{
    static const char sql[] = "SELECT " USER_COLS ","
                              " (SELECT count(*) FROM votes v WHERE v.uid = u.uid),"
                              " (SELECT count(*) FROM submissions b WHERE b.uid = u.uid)"
                              " FROM users u ORDER BY uid";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_user u;
        row_user(st, &u);
        if (fn(ctx, &u, sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "listing accounts");
}

/* ---- sessions and tokens ---- */

int store_session_add(struct store *s, const char *token_hash, int64_t uid, const char *now,
                      const char *expires)
{
    static const char gc[] = "DELETE FROM sessions WHERE expires_at <= ?1";
    static const char sql[] = "INSERT INTO sessions(token, uid, created_at, expires_at)"
                              " VALUES(?1, ?2, ?3, ?4)";
    sqlite3_stmt *st = store__prep(s, gc);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, now);
    if (store__step_done(s, st))
        return PB_EDB;
    st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, uid);
    bind_text(st, 3, now);
    bind_text(st, 4, expires);
    return store__step_done(s, st);
}

int store_session_user(struct store *s, const char *token_hash, const char *now,
                       struct store_user *u)
{
    static const char sql[] = "SELECT u.uid, u.name, u.email, u.is_admin, u.created_at FROM"
                              " sessions x JOIN users u ON u.uid = x.uid"
                              " WHERE x.token = ?1 AND x.expires_at > ?2";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, token_hash);
    bind_text(st, 2, now);
    return one_user(s, st, u, NULL, 0);
}

int store_session_delete(struct store *s, const char *token_hash)
{
    static const char sql[] = "DELETE FROM sessions WHERE token = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, token_hash);
    return store__step_done(s, st);
}

int store_user_set_api_token(struct store *s, int64_t uid, const char *token_hash)
{
    static const char sql[] = "UPDATE users SET api_token = ?2 WHERE uid = ?1";
    return exec_uid_text(s, sql, uid, token_hash);
}

int store_api_token_user(struct store *s, const char *token_hash, struct store_user *u)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE api_token = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, token_hash);
    return one_user(s, st, u, NULL, 0);
}

/* ---- votes, comments, hiding ---- */

static int pid_of(struct store *s, const char *paper_id, int64_t *pid)
{
    static const char sql[] = "SELECT pid FROM papers WHERE id = ?1 AND is_deleted = 0";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, paper_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *pid = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE) {
        snprintf(s->errmsg, sizeof s->errmsg, "no paper '%s'", paper_id);
        return PB_ENOTFOUND;
    }
    return store__fail(s, "finding paper");
}


static int recount_votes(struct store *s, int64_t pid, long long *n_votes)
{
    static const char sql[] = "UPDATE papers SET votes = (SELECT count(*) FROM votes WHERE pid"
                              " = ?1) WHERE pid = ?1 RETURNING votes";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, pid);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && n_votes)
        *n_votes = sqlite3_column_int64(st, 0);
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "counting votes");
}

int store_vote(struct store *s, int64_t uid, const char *paper_id, int is_up, const char *now,
               long long *n_votes, int *changed)
{
    static const char up[] = "INSERT OR IGNORE INTO votes(uid, pid, at) VALUES(?1, ?2, ?3)";
    static const char down[] = "DELETE FROM votes WHERE uid = ?1 AND pid = ?2";
    int mine, rc = store__txn_begin(s, &mine);
    if (rc)
        return rc;
    int64_t pid = 0;
    rc = pid_of(s, paper_id, &pid);
    sqlite3_stmt *st = rc ? NULL : store__prep(s, is_up ? up : down);
    if (!rc && !st)
        rc = PB_EDB;
    if (!rc) {
        sqlite3_bind_int64(st, 1, uid);
        sqlite3_bind_int64(st, 2, pid);
        if (is_up)
            bind_text(st, 3, now);
        rc = store__step_done(s, st);
    }
    if (!rc && changed)
        *changed = sqlite3_changes(s->db) > 0;
    if (!rc)
        rc = recount_votes(s, pid, n_votes);
    return store__txn_end(s, mine, rc);
}

int store_has_voted(struct store *s, int64_t uid, int64_t pid)
{
    static const char sql[] = "SELECT 1 FROM votes WHERE uid = ?1 AND pid = ?2";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, uid);
    sqlite3_bind_int64(st, 2, pid);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

static int recount_comments(struct store *s, int64_t pid)
{
    static const char sql[] = "UPDATE papers SET n_comments = (SELECT count(*) FROM comments"
                              " WHERE pid = ?1 AND is_hidden = 0) WHERE pid = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, pid);
    return store__step_done(s, st);
}

int store_comment_add(struct store *s, int64_t uid, const char *paper_id, const char *body,
                      const char *now, int64_t *cid)
{
    static const char sql[] = "INSERT INTO comments(pid, uid, body, at) VALUES(?1, ?2, ?3, ?4)";
    size_t n = strlen(body);
    if (n == 0 || n > STORE_COMMENT_MAX || !text_is_utf8(body, n)) {
        snprintf(s->errmsg, sizeof s->errmsg,
                 "a comment is 1 to %d bytes of text", STORE_COMMENT_MAX);
        return PB_EINVAL;
    }
    int mine, rc = store__txn_begin(s, &mine);
    if (rc)
        return rc;
    int64_t pid = 0;
    rc = pid_of(s, paper_id, &pid);
    sqlite3_stmt *st = rc ? NULL : store__prep(s, sql);
    if (!rc && !st)
        rc = PB_EDB;
    if (!rc) {
        sqlite3_bind_int64(st, 1, pid);
        sqlite3_bind_int64(st, 2, uid);
        bind_text(st, 3, body);
        bind_text(st, 4, now);
        rc = store__step_done(s, st);
        if (!rc && cid)
            *cid = sqlite3_last_insert_rowid(s->db);
    }
    if (!rc)
        rc = recount_comments(s, pid);
    return store__txn_end(s, mine, rc);
}

int store_comments(struct store *s, int64_t pid, int with_hidden, store_comment_fn fn,
                   void *ctx)
{
    static const char sql[] = "SELECT c.cid, c.pid, c.uid, u.name, c.body, c.at, c.is_hidden"
                              " FROM comments c JOIN users u ON u.uid = c.uid"
                              " WHERE c.pid = ?1 AND (?2 OR c.is_hidden = 0) ORDER BY c.cid";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int(st, 2, with_hidden ? 1 : 0);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_comment c = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                  sqlite3_column_int64(st, 2), store__text(st, 3),
                                  store__text(st, 4),          store__text(st, 5),
                                  sqlite3_column_int(st, 6)};
        if (fn(ctx, &c)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "reading comments");
}

int store_comment_hide(struct store *s, int64_t cid, int is_hidden)
{
    static const char sql[] = "UPDATE comments SET is_hidden = ?2 WHERE cid = ?1 RETURNING pid";
    int mine, rc = store__txn_begin(s, &mine);
    if (rc)
        return rc;
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return store__txn_end(s, mine, PB_EDB);
    sqlite3_bind_int64(st, 1, cid);
    sqlite3_bind_int(st, 2, is_hidden ? 1 : 0);
    int step = sqlite3_step(st);
    int64_t pid = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (step == SQLITE_ROW)
        step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        rc = store__fail(s, "hiding comment");
    else if (!pid)
        rc = PB_ENOTFOUND;
    else
        rc = recount_comments(s, pid);
    return store__txn_end(s, mine, rc);
}

int store_paper_hide(struct store *s, const char *paper_id, int is_hidden)
{
    static const char sql[] = "UPDATE papers SET is_hidden = ?2 WHERE id = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, paper_id);
    sqlite3_bind_int(st, 2, is_hidden ? 1 : 0);
    if (store__step_done(s, st))
        return PB_EDB;
    return sqlite3_changes(s->db) ? 0 : PB_ENOTFOUND;
}

/* ---- submissions ---- */

int store_submit(struct store *s, int64_t uid, const char *arxiv_id, const char *now,
                 enum store_submit_result *res)
{
    static const char sql[] = "INSERT OR IGNORE INTO submissions(arxiv_id, uid, at, pid)"
                              " VALUES(?1, ?2, ?3, (SELECT pid FROM papers WHERE id = ?1))";
    int mine, rc = store__txn_begin(s, &mine);
    if (rc)
        return rc;
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return store__txn_end(s, mine, PB_EDB);
    bind_text(st, 1, arxiv_id);
    sqlite3_bind_int64(st, 2, uid);
    bind_text(st, 3, now);
    rc = store__step_done(s, st);
    int is_new = !rc && sqlite3_changes(s->db) > 0;
    int64_t pid = 0;
    int known = !rc && pid_of(s, arxiv_id, &pid) == 0;
    if (!rc && known && is_new) {
        int changed;
        rc = store_vote(s, uid, arxiv_id, 1, now, NULL, &changed);
    }
    if (!rc)
        *res = !is_new ? STORE_SUBMIT_AGAIN : known ? STORE_SUBMIT_KNOWN : STORE_SUBMIT_PENDING;
    return store__txn_end(s, mine, rc);
}

int store_submissions_pending(struct store *s, int limit, store_id_fn fn, void *ctx)
{
    static const char sql[] = "SELECT arxiv_id FROM submissions WHERE pid IS NULL"
                              " GROUP BY arxiv_id ORDER BY min(at) LIMIT ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int(st, 1, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, store__text(st, 0))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "listing submissions");
}

/* ---- cards ---- */

/* Columns 0..12 of every card query; "d" is the day column the query provides. */
#define CARD_COLS(d)                                                                           \
    "p.pid, p.id, p.title, coalesce(p.abstract, ''), coalesce(p.comment, ''),"               \
    " coalesce(p.authors, ''), coalesce(p.categories, ''), coalesce(" d ", ''),"             \
    " coalesce(p.submitted, ''), coalesce((SELECT u.name FROM submissions b JOIN users u ON" \
    " u.uid = b.uid WHERE b.pid = p.pid ORDER BY b.at LIMIT 1), ''), p.votes,"               \
    " coalesce(p.upvotes, -1), p.n_comments"

static void row_card(sqlite3_stmt *st, struct store_card *c)
{
    memset(c, 0, sizeof *c);
    c->pid = sqlite3_column_int64(st, 0);
    c->id = store__text(st, 1);
    c->title = store__text(st, 2);
    c->abstract = store__text(st, 3);
    c->comment = store__text(st, 4);
    c->authors = store__text(st, 5);
    c->categories = store__text(st, 6);
    c->day = store__text(st, 7);
    c->submitted = store__text(st, 8);
    c->submitter = store__text(st, 9);
    c->votes = sqlite3_column_int64(st, 10);
    c->hf_upvotes = sqlite3_column_int64(st, 11);
    c->n_comments = sqlite3_column_int64(st, 12);
}

static int each_card(struct store *s, sqlite3_stmt *st, store_card_fn fn, void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_card c;
        row_card(st, &c);
        if (fn(ctx, &c)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "listing papers");
}

int store_cards_days(struct store *s, const char *first, const char *last,
                     enum store_card_sort sort, int offset, int limit, long long *total,
                     store_card_fn fn, void *ctx)
{
    static const char count[] = "SELECT count(DISTINCT l.pid) FROM listings l JOIN papers p ON"
                                " p.pid = l.pid WHERE l.day BETWEEN ?1 AND ?2"
                                " AND p.is_deleted = 0 AND p.is_hidden = 0";
    /* The page is chosen on small rows (y), and only its papers get the card columns: sorting
     * every paper of the period with its abstract and four subqueries made a day's page cost
     * ~10 ms and a month's far more. */
#define DAYS_PAGE(key)                                                                         \
    "SELECT " CARD_COLS("y.day") " FROM (SELECT x.pid, x.day, " key " AS k, p.id AS id FROM"  \
    " (SELECT l.pid, max(l.day) AS day FROM listings l WHERE l.day BETWEEN ?1 AND ?2"         \
    " GROUP BY l.pid) x JOIN papers p ON p.pid = x.pid"                                        \
    " WHERE p.is_deleted = 0 AND p.is_hidden = 0 ORDER BY k DESC, x.day DESC, p.id DESC"       \
    " LIMIT ?3 OFFSET ?4) y JOIN papers p ON p.pid = y.pid ORDER BY y.k DESC, y.day DESC,"     \
    " y.id DESC"
    static const char *const sql[2] = {DAYS_PAGE("p.votes + max(coalesce(p.upvotes, 0), 0)"),
                                       DAYS_PAGE("0")};
#undef DAYS_PAGE
    if (total) {
        sqlite3_stmt *st = store__prep(s, count);
        if (!st)
            return PB_EDB;
        bind_text(st, 1, first);
        bind_text(st, 2, last);
        int rc = sqlite3_step(st);
        *total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return store__fail(s, "counting papers");
    }
    sqlite3_stmt *st = store__prep(s, sql[sort == STORE_SORT_NEW]);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, first);
    bind_text(st, 2, last);
    sqlite3_bind_int(st, 3, limit);
    sqlite3_bind_int(st, 4, offset);
    return each_card(s, st, fn, ctx);
}

int store_last_activity(struct store *s, int64_t *t)
{
    static const char sql[] =
        "SELECT max(coalesce((SELECT max(day) FROM listings) || 'T23:59:59Z', ''),"
        " coalesce((SELECT max(at) FROM votes), ''), coalesce((SELECT max(at) FROM submissions),"
        " ''))";
    *t = 0;
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *v = store__text(st, 0);
        if (v[0] && date_parse_ts(v, t))
            *t = 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store__fail(s, "reading last activity");
}

struct scored {
    double score;
    int64_t pid;
    int64_t appeared;
};

static int by_score(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->pid < y->pid ? 1 : x->pid > y->pid ? -1 : 0;
}

/* Two passes: score every paper of the window from a few small columns, then read the cards of
 * the best `limit` only. Reading every card (abstracts and all) of a week or a month to show 50
 * made /trending cost ~80 ms on 89k papers. */
int store_cards_trending(struct store *s, int64_t now, int64_t window, int limit,
                         store_card_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT p.pid, p.votes, coalesce(p.upvotes, -1),"
        " max(coalesce((SELECT min(day) FROM listings l2 WHERE l2.pid = p.pid), substr("
        "p.submitted, 1, 10), ''), coalesce((SELECT min(at) FROM submissions b2 WHERE b2.pid ="
        " p.pid), ''))"
        " FROM papers p WHERE p.pid IN (SELECT pid FROM listings WHERE day >= ?1"
        " UNION SELECT pid FROM votes WHERE at >= ?2"
        " UNION SELECT pid FROM submissions WHERE at >= ?2 AND pid IS NOT NULL)"
        " AND p.is_deleted = 0 AND p.is_hidden = 0";
    static const char card[] =
        "SELECT " CARD_COLS("(SELECT max(day) FROM listings l WHERE l.pid = p.pid)")
        " FROM papers p WHERE p.pid = ?1 AND p.is_deleted = 0 AND p.is_hidden = 0";
    char since_ts[DATE_TS_LEN + 1], since_day[DATE_DAY_LEN + 1];
    date_format_ts(now - window, since_ts);
    memcpy(since_day, since_ts, DATE_DAY_LEN);
    since_day[DATE_DAY_LEN] = 0;
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, since_day);
    bind_text(st, 2, since_ts);
    struct scored *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long votes = sqlite3_column_int64(st, 1), hf = sqlite3_column_int64(st, 2);
        int64_t appeared = 0;
        const char *a = store__text(st, 3);
        if (a[0] && date_parse_ts(a, &appeared))
            appeared = 0;
        if (appeared > now) /* listed "today" after now: count it as new now */
            appeared = now;
        v = xgrow(v, sizeof *v, n + 1, &cap);
        v[n].pid = sqlite3_column_int64(st, 0);
        v[n].appeared = appeared;
        v[n].score = trending_score((long)(votes + (hf > 0 ? hf : 0)), appeared, now);
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        xfree(v);
        return store__fail(s, "listing trending papers");
    }
    if (n) /* qsort(NULL, 0, ...) is undefined */
        qsort(v, n, sizeof *v, by_score);
    rc = 0;
    for (size_t i = 0; i < n && (int)i < limit; i++) {
        st = store__prep(s, card);
        if (!st) {
            rc = PB_EDB;
            break;
        }
        sqlite3_bind_int64(st, 1, v[i].pid);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            struct store_card c;
            row_card(st, &c);
            c.appeared = v[i].appeared;
            c.score = v[i].score;
            int stop = fn(ctx, &c);
            sqlite3_reset(st);
            if (stop)
                break;
            continue;
        }
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            rc = store__fail(s, "listing trending papers");
            break;
        }
    }
    xfree(v);
    return rc;
}

int store_cards_pids(struct store *s, const int64_t *pids, int n, store_card_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT " CARD_COLS("(SELECT max(day) FROM listings l WHERE l.pid = p.pid)")
        " FROM papers p WHERE p.pid = ?1 AND p.is_deleted = 0 AND p.is_hidden = 0";
    /* one read transaction for the whole page: one snapshot, and the WAL locks taken once
     * instead of once per card */
    int mine = sqlite3_get_autocommit(s->db);
    if (mine && store__exec(s, "BEGIN"))
        return PB_EDB;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        sqlite3_stmt *st = store__prep(s, sql);
        if (!st) {
            rc = PB_EDB;
            break;
        }
        sqlite3_bind_int64(st, 1, pids[i]);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            struct store_card c;
            row_card(st, &c);
            int stop = fn(ctx, &c);
            sqlite3_reset(st);
            if (stop)
                break;
            continue;
        }
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            rc = store__fail(s, "reading paper");
            break;
        }
    }
    if (mine && store__exec(s, "COMMIT") && !rc)
        rc = PB_EDB;
    return rc;
}

int store_card_get(struct store *s, const char *id, int with_hidden, store_card_fn fn,
                   void *ctx)
{
    static const char sql[] =
        "SELECT " CARD_COLS("(SELECT max(day) FROM listings l WHERE l.pid = p.pid)")
        " FROM papers p WHERE p.id = ?1 AND p.is_deleted = 0 AND (?2 OR p.is_hidden = 0)";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, with_hidden ? 1 : 0);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        struct store_card c;
        row_card(st, &c);
        fn(ctx, &c);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = PB_ENOTFOUND;
    } else {
        rc = store__fail(s, "reading paper");
    }
    sqlite3_reset(st);
    return rc;
}

int store_cards_user(struct store *s, int64_t uid, int is_votes, int limit, store_card_fn fn,
                     void *ctx)
{
    static const char *const sql[2] = {
        "SELECT " CARD_COLS("(SELECT max(day) FROM listings l WHERE l.pid = p.pid)")
        " FROM submissions x JOIN papers p ON p.pid = x.pid WHERE x.uid = ?1"
        " AND p.is_deleted = 0 AND p.is_hidden = 0 ORDER BY x.at DESC LIMIT ?2",
        "SELECT " CARD_COLS("(SELECT max(day) FROM listings l WHERE l.pid = p.pid)")
        " FROM votes x JOIN papers p ON p.pid = x.pid WHERE x.uid = ?1"
        " AND p.is_deleted = 0 AND p.is_hidden = 0 ORDER BY x.at DESC LIMIT ?2"};
    sqlite3_stmt *st = store__prep(s, sql[is_votes ? 1 : 0]);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, uid);
    sqlite3_bind_int(st, 2, limit);
    return each_card(s, st, fn, ctx);
}

int store_day_counts(struct store *s, const char *first, const char *last,
                     store_day_count_fn fn, void *ctx)
{
    static const char sql[] =
        "WITH d(day, papers) AS (SELECT day, count(*) FROM listings WHERE day BETWEEN ?1 AND ?2"
        " GROUP BY day), v(day, votes) AS (SELECT substr(at, 1, 10), count(*) FROM votes"
        " WHERE substr(at, 1, 10) BETWEEN ?1 AND ?2 GROUP BY 1)"
        " SELECT day, sum(papers), sum(votes) FROM (SELECT day, papers, 0 AS votes FROM d"
        " UNION ALL SELECT day, 0, votes FROM v) GROUP BY day ORDER BY day";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, first);
    bind_text(st, 2, last);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, store__text(st, 0), sqlite3_column_int64(st, 1),
               sqlite3_column_int64(st, 2))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "counting per day");
}

/* ---- meta ---- */

int64_t store_data_version(struct store *s)
{
    static const char sql[] = "PRAGMA data_version";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return -1;
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

int store_meta_set(struct store *s, const char *key, const char *value)
{
    static const char set[] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)";
    static const char del[] = "DELETE FROM meta WHERE key = ?1";
    sqlite3_stmt *st = store__prep(s, value ? set : del);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, key);
    if (value)
        bind_text(st, 2, value);
    return store__step_done(s, st);
}

int store_meta_get(struct store *s, const char *key, char *out, size_t out_len)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        copy(out, out_len, store__text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? PB_ENOTFOUND : store__fail(s, "meta");
}
