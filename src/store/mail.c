/* Subscriptions, the outbox and password resets (mail.h; tables at the top of store.c,
 * migration 4). Every state change of a message is one statement committed on its own (or in
 * the caller's transaction), so a process killed at any point leaves each message in exactly
 * one state; docs/MAIL.md says what each state means after a crash. */
#include "mail.h"

#include <stdio.h>
#include <string.h>

#include "community.h"
#include "store_int.h"

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

static const char *const sub_states[] = {"pending", "active", "paused"};
static const char *const msg_states[] = {"queued", "sending", "sent", "failed"};
static const char *const msg_kinds[] = {"digest", "confirm", "reset"};

const char *store_sub_state_name(enum store_sub_state st)
{
    return (unsigned)st < 3 ? sub_states[st] : "?";
}

const char *store_msg_state_name(enum store_msg_state st)
{
    return (unsigned)st < 4 ? msg_states[st] : "?";
}

const char *store_msg_kind_name(enum store_msg_kind k)
{
    return (unsigned)k < 3 ? msg_kinds[k] : "?";
}

static int name_index(const char *const *names, int n, const char *v)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], v))
            return i;
    return 0;
}


/* ---- subscriptions ---- */

#define SUB_COLS                                                                               \
    "sid, email, query, every, coalesce(uid, 0), state, created_at, confirmed_at, last_period," \
    " last_pid, n_bounces"

static void row_sub(sqlite3_stmt *st, struct store_sub *u)
{
    u->sid = sqlite3_column_int64(st, 0);
    u->email = store__text(st, 1);
    u->query = store__text(st, 2);
    u->is_weekly = !strcmp(store__text(st, 3), "weekly");
    u->uid = sqlite3_column_int64(st, 4);
    u->state = (enum store_sub_state)name_index(sub_states, 3, store__text(st, 5));
    u->created_at = store__text(st, 6);
    u->confirmed_at = store__text(st, 7);
    u->last_period = store__text(st, 8);
    u->last_pid = sqlite3_column_int64(st, 9);
    u->n_bounces = sqlite3_column_int(st, 10);
}

static int each_sub(struct store *s, sqlite3_stmt *st, store_sub_fn fn, void *ctx, int *n_rows)
{
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_sub u;
        row_sub(st, &u);
        n++;
        if (fn(ctx, &u)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (n_rows)
        *n_rows = n;
    return rc == SQLITE_DONE ? 0 : store__fail(s, "reading subscriptions");
}

int store_sub_add(struct store *s, const char *email, const char *query, int is_weekly,
                  int64_t uid, const char *now, int64_t *sid, int *is_new)
{
    static const char find[] = "SELECT sid FROM subscriptions WHERE email = ?1 AND kind = ?2"
                               " AND query = ?3 AND every = ?4";
    static const char count[] = "SELECT count(*) FROM subscriptions WHERE email = ?1";
    static const char add[] = "INSERT INTO subscriptions(email, kind, query, every, uid,"
                              " created_at) VALUES(?1, ?2, ?3, ?4, nullif(?5, 0), ?6)";
    const char *kind = query[0] ? "search" : "trending", *every = is_weekly ? "weekly" : "daily";
    *is_new = 0;
    int mine, rc = store__txn_begin(s, &mine);
    if (rc)
        return rc;
    sqlite3_stmt *st = store__prep(s, find);
    if (!st)
        return store__txn_end(s, mine, PB_EDB);
    bind_text(st, 1, email);
    bind_text(st, 2, kind);
    bind_text(st, 3, query);
    bind_text(st, 4, every);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *sid = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (step == SQLITE_ROW)
        return store__txn_end(s, mine, 0);
    if (step != SQLITE_DONE)
        return store__txn_end(s, mine, store__fail(s, "finding subscription"));
    st = store__prep(s, count);
    if (!st)
        return store__txn_end(s, mine, PB_EDB);
    bind_text(st, 1, email);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (n >= STORE_SUBS_PER_ADDR) {
        snprintf(s->errmsg, sizeof s->errmsg, "'%s' has %d subscriptions already (the limit)",
                 email, STORE_SUBS_PER_ADDR);
        return store__txn_end(s, mine, PB_ETOOBIG);
    }
    st = store__prep(s, add);
    if (!st)
        return store__txn_end(s, mine, PB_EDB);
    bind_text(st, 1, email);
    bind_text(st, 2, kind);
    bind_text(st, 3, query);
    bind_text(st, 4, every);
    sqlite3_bind_int64(st, 5, uid);
    bind_text(st, 6, now);
    rc = store__step_done(s, st);
    if (!rc) {
        *sid = sqlite3_last_insert_rowid(s->db);
        *is_new = 1;
    }
    return store__txn_end(s, mine, rc);
}

int store_sub_get(struct store *s, int64_t sid, store_sub_fn fn, void *ctx)
{
    static const char sql[] = "SELECT " SUB_COLS " FROM subscriptions WHERE sid = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, sid);
    int n = 0, rc = each_sub(s, st, fn, ctx, &n);
    return rc ? rc : n ? 0 : PB_ENOTFOUND;
}

int store_sub_list(struct store *s, const char *email, int64_t uid, store_sub_fn fn, void *ctx)
{
    static const char *const sql[3] = {
        "SELECT " SUB_COLS " FROM subscriptions ORDER BY sid",
        "SELECT " SUB_COLS " FROM subscriptions WHERE email = ?1 ORDER BY sid",
        "SELECT " SUB_COLS " FROM subscriptions WHERE uid = ?1 ORDER BY sid"};
    sqlite3_stmt *st = store__prep(s, sql[email ? 1 : uid > 0 ? 2 : 0]);
    if (!st)
        return PB_EDB;
    if (email)
        bind_text(st, 1, email);
    else if (uid > 0)
        sqlite3_bind_int64(st, 1, uid);
    return each_sub(s, st, fn, ctx, NULL);
}

int store_sub_confirm(struct store *s, int64_t sid, const char *now, int64_t last_pid)
{
    static const char sql[] =
        "UPDATE subscriptions SET state = 'active', n_bounces = 0,"
        " confirmed_at = CASE WHEN confirmed_at = '' THEN ?2 ELSE confirmed_at END,"
        " last_pid = CASE WHEN last_pid = 0 THEN ?3 ELSE last_pid END WHERE sid = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, sid);
    bind_text(st, 2, now);
    sqlite3_bind_int64(st, 3, last_pid);
    int rc = store__step_done(s, st);
    return rc ? rc : sqlite3_changes(s->db) ? 0 : PB_ENOTFOUND;
}

static int delete_where(struct store *s, const char *sql, int64_t sid, const char *email,
                        int *n)
{
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    if (email)
        bind_text(st, 1, email);
    else
        sqlite3_bind_int64(st, 1, sid);
    int rc = store__step_done(s, st);
    if (n)
        *n = rc ? 0 : sqlite3_changes(s->db);
    return rc;
}

int store_sub_delete(struct store *s, int64_t sid, int *n)
{
    static const char sql[] = "DELETE FROM subscriptions WHERE sid = ?1";
    return delete_where(s, sql, sid, NULL, n);
}

int store_sub_delete_email(struct store *s, const char *email, int *n)
{
    static const char sql[] = "DELETE FROM subscriptions WHERE email = ?1";
    return delete_where(s, sql, 0, email, n);
}

int store_sub_expire_pending(struct store *s, const char *before, int *n)
{
    static const char sql[] = "DELETE FROM subscriptions WHERE state = 'pending'"
                              " AND created_at < ?1";
    return delete_where(s, sql, 0, before, n);
}

int store_subs_due(struct store *s, const char *day, const char *week, store_sub_fn fn,
                   void *ctx)
{
    /* Ordered by content: one search (and one rendering of its papers) serves every
     * subscription of a run of equal (query, every, last_pid). */
    static const char sql[] =
        "SELECT " SUB_COLS " FROM subscriptions WHERE state = 'active' AND"
        " ((every = 'daily' AND ?1 <> '' AND last_period < ?1) OR"
        " (every = 'weekly' AND ?2 <> '' AND last_period < ?2))"
        " ORDER BY kind, query, every, last_pid, sid";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, day ? day : "");
    bind_text(st, 2, week ? week : "");
    return each_sub(s, st, fn, ctx, NULL);
}

int store_sub_claim(struct store *s, int64_t sid, const char *period, int64_t last_pid,
                    int *claimed)
{
    static const char sql[] = "UPDATE subscriptions SET last_period = ?2,"
                              " last_pid = max(last_pid, ?3) WHERE sid = ?1 AND"
                              " state = 'active' AND last_period < ?2";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, sid);
    bind_text(st, 2, period);
    sqlite3_bind_int64(st, 3, last_pid);
    int rc = store__step_done(s, st);
    *claimed = rc ? 0 : sqlite3_changes(s->db) > 0;
    return rc;
}

int store_max_pid_at(struct store *s, int64_t seq, int64_t *pid)
{
    /* pids and change numbers both grow with insertion, so the newest paper inserted at or
     * before seq bounds every paper inserted before it. A paper changed since has a higher seq
     * and is skipped here: the bound is then lower, never too high. */
    static const char sql[] = "SELECT coalesce(max(pid), 0) FROM papers WHERE seq <= ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, seq);
    int rc = sqlite3_step(st);
    *pid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : store__fail(s, "reading papers");
}

/* ---- the outbox ---- */

#define MSG_COLS                                                                               \
    "mid, kind, coalesce(sid, 0), period, rcpt, subject, message_id, n_papers, state,"         \
    " attempts, next_at, created_at, sent_at, error"

static void row_msg(sqlite3_stmt *st, struct store_msg *m, int with_data)
{
    memset(m, 0, sizeof *m);
    m->mid = sqlite3_column_int64(st, 0);
    m->kind = (enum store_msg_kind)name_index(msg_kinds, 3, store__text(st, 1));
    m->sid = sqlite3_column_int64(st, 2);
    m->period = store__text(st, 3);
    m->rcpt = store__text(st, 4);
    m->subject = store__text(st, 5);
    m->message_id = store__text(st, 6);
    m->n_papers = sqlite3_column_int(st, 7);
    m->state = (enum store_msg_state)name_index(msg_states, 4, store__text(st, 8));
    m->attempts = sqlite3_column_int(st, 9);
    m->next_at = store__text(st, 10);
    m->created_at = store__text(st, 11);
    m->sent_at = store__text(st, 12);
    m->error = store__text(st, 13);
    if (with_data && sqlite3_column_type(st, 14) != SQLITE_NULL) {
        m->data = sqlite3_column_blob(st, 14);
        m->data_len = (size_t)sqlite3_column_bytes(st, 14);
        if (!m->data)
            m->data = "";
    }
}

int store_msg_add(struct store *s, const struct store_msg *m, const char *now, int64_t *mid,
                  int *is_new)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO outbox(kind, sid, period, rcpt, subject, message_id, n_papers,"
        " data, next_at, created_at) VALUES(?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, store_msg_kind_name(m->kind));
    sqlite3_bind_int64(st, 2, m->sid);
    bind_text(st, 3, m->period);
    bind_text(st, 4, m->rcpt);
    bind_text(st, 5, m->subject);
    bind_text(st, 6, m->message_id);
    sqlite3_bind_int(st, 7, m->n_papers);
    sqlite3_bind_blob(st, 8, m->data, (int)m->data_len, SQLITE_STATIC);
    bind_text(st, 9, now);
    int rc = store__step_done(s, st);
    sqlite3_bind_null(st, 8); /* do not keep a pointer to the caller's bytes */
    if (rc)
        return rc;
    *is_new = sqlite3_changes(s->db) > 0;
    if (mid)
        *mid = *is_new ? sqlite3_last_insert_rowid(s->db) : 0;
    return 0;
}

int store_msgs_due(struct store *s, const char *now, int limit, int64_t only_mid,
                   store_mid_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT mid FROM outbox WHERE ((state = 'queued' AND next_at <= ?1) OR state ="
        " 'sending') AND (?3 = 0 OR mid = ?3) ORDER BY mid LIMIT ?2";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, now);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_int64(st, 3, only_mid);
    /* Collected first: the callback writes on this connection. */
    int64_t mids[512];
    int n = 0, rc;
    while (n < (int)(sizeof mids / sizeof mids[0]) && (rc = sqlite3_step(st)) == SQLITE_ROW)
        mids[n++] = sqlite3_column_int64(st, 0);
    if (n == (int)(sizeof mids / sizeof mids[0]))
        rc = SQLITE_DONE;
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store__fail(s, "reading the outbox");
    for (int i = 0; i < n; i++)
        if (fn(ctx, mids[i]))
            break;
    return 0;
}

int store_msg_get(struct store *s, int64_t mid, store_msg_fn fn, void *ctx)
{
    static const char sql[] = "SELECT " MSG_COLS ", data FROM outbox WHERE mid = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, mid);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        struct store_msg m;
        row_msg(st, &m, 1);
        fn(ctx, &m);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? PB_ENOTFOUND : store__fail(s, "reading a message");
    }
    sqlite3_reset(st);
    return rc;
}

int store_msg_list(struct store *s, int limit, store_msg_fn fn, void *ctx)
{
    static const char sql[] = "SELECT " MSG_COLS " FROM outbox ORDER BY mid DESC LIMIT ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int(st, 1, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_msg m;
        row_msg(st, &m, 0);
        if (fn(ctx, &m)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "reading the outbox");
}

int store_msg_counts(struct store *s, long long counts[4])
{
    static const char sql[] = "SELECT state, count(*) FROM outbox GROUP BY state";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    memset(counts, 0, 4 * sizeof counts[0]);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        counts[name_index(msg_states, 4, store__text(st, 0))] = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "counting the outbox");
}

static int msg_update(struct store *s, const char *sql, int64_t mid, const char *a,
                      const char *b)
{
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_int64(st, 1, mid);
    if (a)
        bind_text(st, 2, a);
    if (b)
        bind_text(st, 3, b);
    return store__step_done(s, st);
}

int store_msg_start(struct store *s, int64_t mid, const char *now)
{
    static const char sql[] = "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                              " next_at = ?2 WHERE mid = ?1 AND state IN ('queued', 'sending')";
    int rc = msg_update(s, sql, mid, now, NULL);
    return rc ? rc : sqlite3_changes(s->db) ? 0 : PB_ENOTFOUND;
}

int store_msg_sent(struct store *s, int64_t mid, const char *now)
{
    static const char sql[] = "UPDATE outbox SET state = 'sent', data = NULL, sent_at = ?2,"
                              " error = '' WHERE mid = ?1";
    static const char clear[] = "UPDATE subscriptions SET n_bounces = 0 WHERE n_bounces > 0"
                                " AND sid = (SELECT sid FROM outbox WHERE mid = ?1)";
    int rc = msg_update(s, sql, mid, now, NULL);
    return rc ? rc : msg_update(s, clear, mid, NULL, NULL);
}

int store_msg_retry(struct store *s, int64_t mid, const char *next_at, const char *error)
{
    static const char sql[] = "UPDATE outbox SET state = 'queued', next_at = ?2, error = ?3"
                              " WHERE mid = ?1";
    return msg_update(s, sql, mid, next_at, error);
}

int store_msg_failed(struct store *s, int64_t mid, const char *now, const char *error,
                     int is_bounce, int max_bounces, int *paused)
{
    static const char sql[] = "UPDATE outbox SET state = 'failed', data = NULL, sent_at = ?2,"
                              " error = ?3 WHERE mid = ?1";
    static const char bounce[] =
        "UPDATE subscriptions SET n_bounces = n_bounces + 1, state = CASE WHEN n_bounces + 1"
        " >= ?2 AND state = 'active' THEN 'paused' ELSE state END"
        " WHERE sid = (SELECT sid FROM outbox WHERE mid = ?1) RETURNING state";
    *paused = 0;
    int mine, rc = store__txn_begin(s, &mine);
    if (!rc)
        rc = msg_update(s, sql, mid, now, error);
    if (!rc && is_bounce) {
        sqlite3_stmt *st = store__prep(s, bounce);
        if (!st)
            return store__txn_end(s, mine, PB_EDB);
        sqlite3_bind_int64(st, 1, mid);
        sqlite3_bind_int(st, 2, max_bounces > 0 ? max_bounces : 1);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            *paused = !strcmp(store__text(st, 0), "paused");
            step = sqlite3_step(st);
        }
        sqlite3_reset(st);
        if (step != SQLITE_DONE)
            rc = store__fail(s, "counting a bounce");
    }
    return store__txn_end(s, mine, rc);
}

int store_msg_prune(struct store *s, const char *before, int *n)
{
    static const char sql[] = "DELETE FROM outbox WHERE state IN ('sent', 'failed')"
                              " AND created_at < ?1";
    return delete_where(s, sql, 0, before, n);
}

/* ---- password resets ---- */

int store_reset_add(struct store *s, const char *token_hash, int64_t uid, const char *now,
                    const char *expires)
{
    static const char gc[] = "DELETE FROM password_resets WHERE expires_at <= ?1";
    static const char sql[] = "INSERT INTO password_resets(token, uid, created_at, expires_at)"
                              " VALUES(?1, ?2, ?3, ?4)";
    sqlite3_stmt *st = store__prep(s, gc);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, now);
    int rc = store__step_done(s, st);
    if (rc)
        return rc;
    st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, uid);
    bind_text(st, 3, now);
    bind_text(st, 4, expires);
    return store__step_done(s, st);
}

int store_reset_peek(struct store *s, const char *token_hash, const char *now, int64_t *uid)
{
    static const char sql[] = "SELECT uid FROM password_resets WHERE token = ?1"
                              " AND expires_at > ?2";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, token_hash);
    bind_text(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *uid = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? PB_ENOTFOUND : store__fail(s, "reset");
}

int store_reset_use(struct store *s, const char *token_hash, const char *now,
                    const char *pass_hash, int64_t *uid)
{
    static const char del[] = "DELETE FROM password_resets WHERE uid = ?1";
    int mine, rc = store__txn_begin(s, &mine);
    if (rc)
        return rc;
    rc = store_reset_peek(s, token_hash, now, uid);
    if (!rc) {
        sqlite3_stmt *st = store__prep(s, del);
        if (!st)
            return store__txn_end(s, mine, PB_EDB);
        sqlite3_bind_int64(st, 1, *uid);
        rc = store__step_done(s, st);
    }
    if (!rc)
        rc = store_user_set_password(s, *uid, pass_hash);
    return store__txn_end(s, mine, rc);
}

int store_user_by_email(struct store *s, const char *email, int64_t *uid)
{
    static const char sql[] = "SELECT uid FROM users WHERE email = ?1 COLLATE NOCASE"
                              " AND email <> '' ORDER BY uid LIMIT 1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, email);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *uid = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? PB_ENOTFOUND : store__fail(s, "account");
}

int store_meta_init(struct store *s, const char *key, const char *value, char *out,
                    size_t out_len)
{
    static const char sql[] = "INSERT OR IGNORE INTO meta(key, value) VALUES(?1, ?2)";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    int rc = store__step_done(s, st);
    return rc ? rc : store_meta_get(s, key, out, out_len);
}
