/* SQLite paper store.
 *
 * Schema (PRAGMA user_version counts the migrations applied; migrations[] below upgrade any
 * older file in place, each in its own transaction):
 *   papers(pid INTEGER PRIMARY KEY, id TEXT UNIQUE  -- canonical id: "2503.11731",
 *          "hep-th/9901001", "beir:4983"
 *          version, title, abstract, authors ("\n"-separated, in order), categories
 *          (space-separated, primary first), comment, journal_ref, doi, license, report_no,
 *          submitted, updated (canonical dates, see util/date.h), is_deleted,
 *          upvotes, github_repo, keywords ("\n"-separated), featured_day  -- community data
 *          added_at, changed_at (UTC timestamps), seq  -- store-wide change counter: every
 *          insert or change takes the next value, so "changed since N" is one range scan)
 *   listings(day TEXT, pid) -- the days a listing announced the paper
 *   sources(sid, format, path UNIQUE, first_seen)
 *   provenance(pid, sid, record_no, version, fields, seen_at) -- which input said what, when:
 *          the first time each input mentioned the paper; "fields" names what it provided
 *   meta(key PRIMARY KEY, value) -- "seq": last change number; "secret": the server's key
 * Community (migration 3; queries in community.c):
 *   papers.votes, papers.n_comments -- counts kept in step with votes/comments (pages sort by
 *          them); papers.is_hidden -- hidden by an admin. Neither changes seq: the search index
 *          does not see them.
 *   users(uid, name UNIQUE NOCASE, email, pass (argon2id string), is_admin, created_at,
 *          api_token (hash))
 *   sessions(token (hash of the cookie's secret), uid, created_at, expires_at)
 *   votes(uid, pid, at)  -- one per user and paper
 *   comments(cid, pid, uid, body (plain text), at, is_hidden)
 *   submissions(arxiv_id, uid, at, pid) -- pid NULL while the paper is unknown ("pending");
 *          indexed by (pid, at) since migration 6, so a paper's first submitter is one seek;
 *          the trigger submissions_link fills it, and adds the submitter's vote, when the
 *          paper is stored
 * Live harvests (migration 4; queries in harvest.c):
 *   harvests(key PRIMARY KEY, ...) -- one row per live harvest (src/store/harvest.c): where
 *          an OAI-PMH harvest stands (its from, its next resumption token), what the next one
 *          starts from, when each last ran and how that went
 * Mail (migration 5; queries in mail.c; how they are used: docs/MAIL.md):
 *   subscriptions(sid INTEGER PRIMARY KEY AUTOINCREMENT -- never reused: mail tokens sign it,
 *          email NOCASE, kind ('trending' | 'search'), query ('' for trending), every ('daily' |
 *          'weekly'), uid (the account that made it, or NULL), state ('pending' until the
 *          opt-in link is followed, 'active', 'paused' after repeated hard bounces),
 *          created_at, confirmed_at, last_period (the last period a digest was composed for),
 *          last_pid (saved searches: papers with a higher pid are new), n_bounces;
 *          UNIQUE(email, kind, query, every))
 *   outbox(mid, kind ('digest' | 'confirm' | 'reset'), sid (NULL for account mail; deleting the
 *          subscription deletes its messages), period, rcpt, subject, message_id, n_papers,
 *          data (the whole RFC 5322 message; NULL once sent or failed), state ('queued',
 *          'sending', 'sent', 'failed'), attempts, next_at, created_at, sent_at, error;
 *          UNIQUE(sid, kind, period): at most one digest per subscription and period, ever)
 *   password_resets(token (hash), uid, created_at, expires_at) -- single-use reset links
 * Authors and categories are stored denormalised in the paper row: they are always read and
 * written with the paper, and the search index (not SQL) answers "papers by author X".
 *
 * WAL checkpoints: normally SQLite's own, inside the commit that takes the WAL past 1,000
 * pages. During a bulk import (store_bulk_begin) they run on a thread with its own connection
 * instead, so the importing thread never waits for the copy into the database file and its two
 * fsyncs; a commit that takes the WAL past BULK_WAL_CAP_PAGES waits for the running checkpoint,
 * which lets the next transaction start the WAL over, so the WAL stays bounded. */
#include "store.h"
#include "store_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/date.h"


static const char *stmt_sql[ST_N] = {
    [ST_GET] = "SELECT pid, version, title, abstract, authors, categories, comment, journal_ref,"
               " doi, license, report_no, submitted, updated, is_deleted, upvotes, github_repo,"
               " keywords, featured_day FROM papers WHERE id = ?1",
    [ST_INSERT] = "INSERT INTO papers(id, version, title, abstract, authors, categories, comment,"
                  " journal_ref, doi, license, report_no, submitted, updated, is_deleted, upvotes,"
                  " github_repo, keywords, featured_day, added_at, changed_at, seq)"
                  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?19,?20)",
    [ST_UPDATE] = "UPDATE papers SET version=?2, title=?3, abstract=?4, authors=?5, categories=?6,"
                  " comment=?7, journal_ref=?8, doi=?9, license=?10, report_no=?11, submitted=?12,"
                  " updated=?13, is_deleted=?14, upvotes=?15, github_repo=?16, keywords=?17,"
                  " featured_day=?18, changed_at=?19, seq=?20 WHERE id=?1",
    [ST_LISTING] = "INSERT OR IGNORE INTO listings(day, pid) VALUES(?1, ?2)",
    [ST_PROV] = "INSERT OR IGNORE INTO provenance(pid, sid, record_no, version, fields, seen_at)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_SOURCE_GET] = "SELECT sid FROM sources WHERE path = ?1",
    [ST_SOURCE_ADD] = "INSERT INTO sources(format, path, first_seen) VALUES(?1, ?2, ?3)",
    [ST_SEQ_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES('seq', ?1)",
    [ST_TOUCH] = "UPDATE papers SET seq = ?1, changed_at = ?2 WHERE pid = ?3",
};

/* Background checkpoints during a bulk import (see the top of this file). */
#define BULK_CKPT_PAGES 1000     /* ask for a checkpoint from this WAL size on (SQLite's default) */
#define BULK_WAL_CAP_PAGES 8192  /* past this (32 MiB of 4 KiB pages), a commit waits for it */

struct bulk {
    sqlite3 *db; /* the checkpointer's own connection */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;    /* n_asked, n_done or is_quitting changed */
    unsigned long n_asked;  /* commits that asked for a checkpoint */
    unsigned long n_done;   /* n_asked when the last finished checkpoint started */
    int asked_at;           /* WAL size (pages) at the last request; importing thread only */
    int is_quitting;
};



/* Each entry upgrades the schema from version i to i+1. Never edit a released entry: add one. */
static const char *migrations[] = {
    /* 1: papers and listing days */
    "CREATE TABLE papers("
    " pid INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " version INTEGER NOT NULL DEFAULT 0 CHECK(version >= 0),"
    " title TEXT NOT NULL,"
    " abstract TEXT, authors TEXT, categories TEXT, comment TEXT, journal_ref TEXT, doi TEXT,"
    " license TEXT, report_no TEXT, submitted TEXT, updated TEXT,"
    " is_deleted INTEGER NOT NULL DEFAULT 0,"
    " added_at TEXT NOT NULL, changed_at TEXT NOT NULL);"
    "CREATE TABLE listings("
    " day TEXT NOT NULL,"
    " pid INTEGER NOT NULL REFERENCES papers(pid) ON DELETE CASCADE,"
    " PRIMARY KEY(day, pid)) WITHOUT ROWID;"
    "CREATE INDEX listings_pid ON listings(pid);",
    /* 2: provenance, community data, change sequence */
    "CREATE TABLE sources("
    " sid INTEGER PRIMARY KEY, format TEXT NOT NULL, path TEXT NOT NULL UNIQUE,"
    " first_seen TEXT NOT NULL);"
    "CREATE TABLE provenance("
    " pid INTEGER NOT NULL REFERENCES papers(pid) ON DELETE CASCADE,"
    " sid INTEGER NOT NULL REFERENCES sources(sid),"
    " record_no INTEGER NOT NULL, version INTEGER NOT NULL, fields TEXT NOT NULL,"
    " seen_at TEXT NOT NULL,"
    " PRIMARY KEY(pid, sid)) WITHOUT ROWID;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "ALTER TABLE papers ADD COLUMN upvotes INTEGER;"
    "ALTER TABLE papers ADD COLUMN github_repo TEXT;"
    "ALTER TABLE papers ADD COLUMN keywords TEXT;"
    "ALTER TABLE papers ADD COLUMN featured_day TEXT;"
    "ALTER TABLE papers ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
    "UPDATE papers SET seq = pid;"
    "INSERT INTO meta(key, value) SELECT 'seq', coalesce(max(pid), 0) FROM papers;"
    "CREATE INDEX papers_seq ON papers(seq);",
    /* 3: the community: accounts, sessions, votes, comments, submissions (community.c) */
    "ALTER TABLE papers ADD COLUMN votes INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE papers ADD COLUMN n_comments INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE papers ADD COLUMN is_hidden INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE users("
    " uid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " email TEXT NOT NULL DEFAULT '', pass TEXT NOT NULL,"
    " is_admin INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, api_token TEXT UNIQUE);"
    "CREATE TABLE sessions("
    " token TEXT PRIMARY KEY, uid INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,"
    " created_at TEXT NOT NULL, expires_at TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE votes("
    " uid INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,"
    " pid INTEGER NOT NULL REFERENCES papers(pid) ON DELETE CASCADE,"
    " at TEXT NOT NULL, PRIMARY KEY(uid, pid)) WITHOUT ROWID;"
    "CREATE INDEX votes_pid ON votes(pid);"
    "CREATE INDEX votes_at ON votes(at);"
    "CREATE TABLE comments("
    " cid INTEGER PRIMARY KEY,"
    " pid INTEGER NOT NULL REFERENCES papers(pid) ON DELETE CASCADE,"
    " uid INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,"
    " body TEXT NOT NULL, at TEXT NOT NULL, is_hidden INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX comments_pid ON comments(pid, cid);"
    "CREATE TABLE submissions("
    " arxiv_id TEXT NOT NULL,"
    " uid INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,"
    " at TEXT NOT NULL, pid INTEGER REFERENCES papers(pid) ON DELETE SET NULL,"
    " PRIMARY KEY(arxiv_id, uid)) WITHOUT ROWID;"
    "CREATE INDEX submissions_pid ON submissions(pid);"
    "CREATE INDEX submissions_at ON submissions(at);"
    /* A pending submission becomes a submission (and its submitter's upvote) of the paper as
     * soon as the paper is stored, whoever stores it (import, harvest). */
    "CREATE TRIGGER submissions_link AFTER INSERT ON papers"
    " WHEN EXISTS(SELECT 1 FROM submissions WHERE arxiv_id = NEW.id) BEGIN"
    " UPDATE submissions SET pid = NEW.pid WHERE arxiv_id = NEW.id AND pid IS NULL;"
    " INSERT OR IGNORE INTO votes(uid, pid, at)"
    "  SELECT uid, NEW.pid, at FROM submissions WHERE pid = NEW.pid;"
    " UPDATE papers SET votes = (SELECT count(*) FROM votes WHERE pid = NEW.pid)"
    "  WHERE pid = NEW.pid;"
    " END;",
    /* 4: live harvest state (src/store/harvest.c) */
    "CREATE TABLE harvests("
    " key TEXT PRIMARY KEY, source TEXT NOT NULL,"
    " from_day TEXT, token TEXT, cursor INTEGER, list_size INTEGER,"
    " next_from TEXT, started_at TEXT, attempt_at TEXT, ok_at TEXT, error TEXT,"
    " failures INTEGER NOT NULL DEFAULT 0, pages INTEGER NOT NULL DEFAULT 0,"
    " records INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;",
    /* 5: mail: subscriptions, the outbox, password resets (mail.c) */
    "CREATE TABLE subscriptions("
    " sid INTEGER PRIMARY KEY AUTOINCREMENT,"
    " email TEXT NOT NULL COLLATE NOCASE,"
    " kind TEXT NOT NULL CHECK(kind IN ('trending', 'search')),"
    " query TEXT NOT NULL DEFAULT '',"
    " every TEXT NOT NULL CHECK(every IN ('daily', 'weekly')),"
    " uid INTEGER REFERENCES users(uid) ON DELETE SET NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'active', 'paused')),"
    " created_at TEXT NOT NULL, confirmed_at TEXT NOT NULL DEFAULT '',"
    " last_period TEXT NOT NULL DEFAULT '', last_pid INTEGER NOT NULL DEFAULT 0,"
    " n_bounces INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(email, kind, query, every));"
    "CREATE INDEX subscriptions_uid ON subscriptions(uid);"
    "CREATE INDEX subscriptions_due ON subscriptions(state, every, last_period);"
    "CREATE TABLE outbox("
    " mid INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK(kind IN ('digest', 'confirm', 'reset')),"
    " sid INTEGER REFERENCES subscriptions(sid) ON DELETE CASCADE,"
    " period TEXT NOT NULL, rcpt TEXT NOT NULL, subject TEXT NOT NULL,"
    " message_id TEXT NOT NULL, n_papers INTEGER NOT NULL DEFAULT 0, data BLOB,"
    " state TEXT NOT NULL DEFAULT 'queued'"
    "  CHECK(state IN ('queued', 'sending', 'sent', 'failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0, next_at TEXT NOT NULL, created_at TEXT NOT NULL,"
    " sent_at TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',"
    " UNIQUE(sid, kind, period));"
    "CREATE INDEX outbox_due ON outbox(state, next_at);"
    "CREATE TABLE password_resets("
    " token TEXT PRIMARY KEY, uid INTEGER NOT NULL REFERENCES users(uid) ON DELETE CASCADE,"
    " created_at TEXT NOT NULL, expires_at TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX users_email ON users(email COLLATE NOCASE);",
    /* 6: a card's submitter is the first submission of its paper: an index in that order
     * saves a sort (a temporary b-tree) on every card of every page */
    "DROP INDEX submissions_pid;"
    "CREATE INDEX submissions_pid_at ON submissions(pid, at);",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int store__fail(struct store *s, const char *what)
{
    snprintf(s->errmsg, sizeof s->errmsg, "%s: %s", what, sqlite3_errmsg(s->db));
    return PB_EDB;
}

sqlite3_stmt *store__prep(struct store *s, const char *sql)
{
    for (int i = 0; i < s->n_cache; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_reset(s->cache[i].st);
            sqlite3_clear_bindings(s->cache[i].st);
            return s->cache[i].st;
        }
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        store__fail(s, "prepare");
        return NULL;
    }
    if (s->n_cache == s->cap_cache) {
        s->cap_cache = s->cap_cache ? 2 * s->cap_cache : 16;
        s->cache = xrealloc(s->cache, (size_t)s->cap_cache * sizeof *s->cache);
    }
    s->cache[s->n_cache++] = (struct store_stmt){sql, st};
    return st;
}

int store__step_done(struct store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "step");
}

int store__txn_begin(struct store *s, int *mine)
{
    *mine = sqlite3_get_autocommit(s->db);
    return *mine ? store__exec(s, "BEGIN IMMEDIATE") : 0;
}

int store__txn_end(struct store *s, int mine, int rc)
{
    if (!mine)
        return rc;
    if (rc) {
        store__exec(s, "ROLLBACK");
        return rc;
    }
    return store__exec(s, "COMMIT");
}

const char *store__text(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : "";
}

const char *store_errmsg(const struct store *s)
{
    return s->errmsg;
}

int store_schema_latest(void)
{
    return N_MIGRATIONS;
}

int store__exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(s->errmsg, sizeof s->errmsg, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return PB_EDB;
    }
    return 0;
}

int store__get_int(struct store *s, const char *sql, int64_t *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store__fail(s, "prepare");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        *out = 0;
    sqlite3_finalize(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : store__fail(s, sql);
}

int store_schema_version(struct store *s)
{
    int64_t v = 0;
    if (store__get_int(s, "PRAGMA user_version", &v))
        return -1;
    return (int)v;
}

static int migrate(struct store *s, int readonly)
{
    int v = store_schema_version(s);
    if (v < 0)
        return PB_EDB;
    if (v > N_MIGRATIONS) {
        snprintf(s->errmsg, sizeof s->errmsg,
                 "schema version %d is newer than this paperboy understands (%d); upgrade paperboy",
                 v, N_MIGRATIONS);
        return PB_EDB;
    }
    if (v == N_MIGRATIONS)
        return 0;
    if (readonly) {
        snprintf(s->errmsg, sizeof s->errmsg,
                 "schema version %d needs upgrading to %d; open it read-write once", v,
                 N_MIGRATIONS);
        return PB_EDB;
    }
    for (int i = v; i < N_MIGRATIONS; i++) {
        if (store__exec(s, "BEGIN IMMEDIATE"))
            return PB_EDB;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", i + 1);
        /* The version is re-read inside the write lock so two processes upgrading at once
         * do not both apply the same step. */
        int64_t now_v = 0;
        if (store__get_int(s, "PRAGMA user_version", &now_v)) {
            store__exec(s, "ROLLBACK");
            return PB_EDB;
        }
        if (now_v > i) {
            store__exec(s, "ROLLBACK");
            continue;
        }
        if (store__exec(s, migrations[i]) || store__exec(s, pragma)) {
            char msg[sizeof s->errmsg];
            snprintf(msg, sizeof msg, "%s", s->errmsg);
            store__exec(s, "ROLLBACK");
            snprintf(s->errmsg, sizeof s->errmsg, "migration to schema %d failed: %s", i + 1, msg);
            return PB_EDB;
        }
        if (store__exec(s, "COMMIT"))
            return PB_EDB;
    }
    return 0;
}

int store_open(const char *path, int flags, struct store **out, char *errbuf, size_t errlen)
{
    struct store *s = xcalloc(1, sizeof *s);
    int readonly = flags & STORE_OPEN_READONLY;
    int oflags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    oflags |= SQLITE_OPEN_NOMUTEX;
    s->path = xstrdup(path);
    int rc = sqlite3_open_v2(path, &s->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "cannot open database '%s': %s", path,
                 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        store_close(s);
        return PB_EIO;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    const char *setup = readonly ? "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;"
                                 : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                   " PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;"
                                   " PRAGMA temp_store = MEMORY;";
    if (store__exec(s, setup) || migrate(s, readonly)) {
        snprintf(errbuf, errlen, "cannot open database '%s': %s", path, s->errmsg);
        store_close(s);
        return PB_EDB;
    }
    /* Not a paperboy database? The migration check above accepts user_version 0 only if the
     * papers table got created, so a foreign file fails there or here. */
    for (int i = 0; i < ST_N; i++) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK) {
            snprintf(errbuf, errlen, "cannot open database '%s': %s", path, sqlite3_errmsg(s->db));
            store_close(s);
            return PB_EDB;
        }
    }
    int64_t seq = 0;
    if (store__get_int(s, "SELECT coalesce((SELECT value FROM meta WHERE key='seq'), 0)", &seq)) {
        snprintf(errbuf, errlen, "cannot open database '%s': %s", path, s->errmsg);
        store_close(s);
        return PB_EDB;
    }
    s->seq = seq;
    *out = s;
    return 0;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_bulk_end(s);
    for (int i = 0; i < ST_N; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_finalize(s->get_by[0]);
    sqlite3_finalize(s->get_by[1]);
    for (int i = 0; i < s->n_cache; i++)
        sqlite3_finalize(s->cache[i].st);
    xfree(s->cache);
    if (s->db)
        sqlite3_close(s->db);
    xfree(s->path);
    xfree(s);
}

/* --- background checkpoints --- */

static void *bulk_main(void *arg)
{
    struct bulk *b = arg;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (b->n_done == b->n_asked && !b->is_quitting)
            pthread_cond_wait(&b->cond, &b->mu);
        if (b->is_quitting)
            break;
        unsigned long start = b->n_asked;
        pthread_mutex_unlock(&b->mu);
        /* PASSIVE: copies what no reader still needs, never waits for the writer. A failure
         * (another process checkpointing, an I/O error) only leaves the WAL longer: the next
         * request tries again, and closing the last connection checkpoints too. */
        sqlite3_wal_checkpoint_v2(b->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&b->mu);
        b->n_done = start;
        pthread_cond_broadcast(&b->cond);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* Called by SQLite on the importing thread after each commit, locks released, with the WAL size. */
static int bulk_wal_hook(void *arg, sqlite3 *db, const char *name, int n_pages)
{
    struct bulk *b = arg;
    (void)db;
    (void)name;
    /* One request per BULK_CKPT_PAGES new pages, not one per commit: a checkpoint costs two
     * fsyncs however little it copies. A smaller WAL than last time means it started over. */
    if (n_pages < b->asked_at)
        b->asked_at = 0;
    if (n_pages < b->asked_at + BULK_CKPT_PAGES)
        return SQLITE_OK;
    b->asked_at = n_pages;
    pthread_mutex_lock(&b->mu);
    unsigned long want = ++b->n_asked;
    pthread_cond_broadcast(&b->cond);
    /* Too long: wait for a checkpoint that started after this commit. It copies the whole WAL
     * (unless another process's reader pins part of it), so our next write starts it over. */
    while (n_pages >= BULK_WAL_CAP_PAGES && b->n_done < want && !b->is_quitting)
        pthread_cond_wait(&b->cond, &b->mu);
    pthread_mutex_unlock(&b->mu);
    return SQLITE_OK;
}

int store_bulk_begin(struct store *s)
{
    if (s->bulk)
        return 0;
    struct bulk *b = xcalloc(1, sizeof *b);
    if (sqlite3_open_v2(s->path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(s->errmsg, sizeof s->errmsg, "opening the checkpoint connection: %s",
                 b->db ? sqlite3_errmsg(b->db) : "out of memory");
        sqlite3_close(b->db);
        xfree(b);
        return PB_EDB;
    }
    /* The same sync rules as the importing connection: the WAL is synced before a checkpoint,
     * the database file after it. */
    sqlite3_exec(b->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cond, NULL);
    if (pthread_create(&b->thread, NULL, bulk_main, b)) {
        snprintf(s->errmsg, sizeof s->errmsg, "cannot start the checkpoint thread");
        pthread_mutex_destroy(&b->mu);
        pthread_cond_destroy(&b->cond);
        sqlite3_close(b->db);
        xfree(b);
        return PB_EDB;
    }
    s->bulk = b;
    /* Replaces SQLite's automatic checkpoints (themselves a WAL hook) on this connection. */
    sqlite3_wal_hook(s->db, bulk_wal_hook, b);
    return 0;
}

void store_bulk_end(struct store *s)
{
    struct bulk *b = s->bulk;
    if (!b)
        return;
    sqlite3_wal_autocheckpoint(s->db, BULK_CKPT_PAGES); /* back to SQLite's own hook */
    pthread_mutex_lock(&b->mu);
    b->is_quitting = 1;
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cond);
    sqlite3_close(b->db);
    xfree(b);
    s->bulk = NULL;
}

/* --- transactions --- */

int store_begin(struct store *s)
{
    if (store__exec(s, "BEGIN IMMEDIATE"))
        return PB_EDB;
    s->in_txn = 1;
    date_now_ts(s->now);
    /* Another writer may have advanced the sequence since we last looked. */
    int64_t seq = 0;
    if (store__get_int(s, "SELECT coalesce((SELECT value FROM meta WHERE key='seq'), 0)", &seq)) {
        store_rollback(s);
        return PB_EDB;
    }
    s->seq = seq;
    return 0;
}

int store_commit(struct store *s)
{
    sqlite3_stmt *st = s->st[ST_SEQ_SET];
    sqlite3_bind_int64(st, 1, s->seq);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        store__fail(s, "saving change counter");
        store_rollback(s);
        return PB_EDB;
    }
    if (store__exec(s, "COMMIT")) {
        store_rollback(s);
        return PB_EDB;
    }
    s->in_txn = 0;
    return 0;
}

void store_rollback(struct store *s)
{
    if (sqlite3_get_autocommit(s->db) == 0)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_txn = 0;
}

int store_source(struct store *s, const char *format, const char *path, int64_t *source_id)
{
    sqlite3_stmt *st = s->st[ST_SOURCE_GET];
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *source_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store__fail(s, "looking up source");
    char now[DATE_TS_LEN + 1];
    date_now_ts(now);
    st = s->st[ST_SOURCE_ADD];
    sqlite3_bind_text(st, 1, format, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store__fail(s, "adding source");
    *source_id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

/* --- the merge --- */

/* A paper row as text columns, in ST_GET/ST_INSERT order from "title" on. */
enum col {
    C_TITLE,
    C_ABSTRACT,
    C_AUTHORS,
    C_CATEGORIES,
    C_COMMENT,
    C_JOURNAL_REF,
    C_DOI,
    C_LICENSE,
    C_REPORT_NO,
    C_SUBMITTED,
    C_UPDATED,
    C_N_TEXT
};

static const char *col_names[C_N_TEXT] = {"title",   "abstract",    "authors", "categories",
                                          "comment", "journal_ref", "doi",     "license",
                                          "report_no", "submitted", "updated"};

static char *join(const struct strlist *l, char sep)
{
    if (!l->n)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += strlen(l->v[i]) + 1;
    char *out = xmalloc(n);
    size_t o = 0;
    for (size_t i = 0; i < l->n; i++) {
        size_t k = strlen(l->v[i]);
        memcpy(out + o, l->v[i], k);
        o += k;
        out[o++] = sep;
    }
    out[o - 1] = 0;
    return out;
}

static void split(const char *s, char sep, struct strlist *out)
{
    if (!s)
        return;
    const char *p = s;
    for (;;) {
        const char *q = strchr(p, sep);
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n)
            strlist_push_take(out, xstrndup(p, n));
        if (!q)
            break;
        p = q + 1;
    }
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return nonempty((const char *)sqlite3_column_text(st, i));
}

static int same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

/* Columns of the record, as they would be stored. Joined lists are heap-allocated in owned[]. */
static void record_cols(const struct paper *p, const char **cols, char **owned)
{
    owned[0] = join(&p->authors, '\n');
    owned[1] = join(&p->categories, ' ');
    cols[C_TITLE] = nonempty(p->title);
    cols[C_ABSTRACT] = nonempty(p->abstract);
    cols[C_AUTHORS] = owned[0];
    cols[C_CATEGORIES] = owned[1];
    cols[C_COMMENT] = nonempty(p->comment);
    cols[C_JOURNAL_REF] = nonempty(p->journal_ref);
    cols[C_DOI] = nonempty(p->doi);
    cols[C_LICENSE] = nonempty(p->license);
    cols[C_REPORT_NO] = nonempty(p->report_no);
    cols[C_SUBMITTED] = nonempty(p->submitted);
    cols[C_UPDATED] = nonempty(p->updated);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC); /* reset before v is freed */
    else
        sqlite3_bind_null(st, i);
}

static int add_listing(struct store *s, int64_t pid, const char *day, int *changed)
{
    sqlite3_stmt *st = s->st[ST_LISTING];
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, pid);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store__fail(s, "adding listing day");
    if (sqlite3_changes(s->db))
        *changed = 1;
    return 0;
}

/* Append word to the space-separated list fields[0..*o) (cap bytes with the NUL). */
static void add_word(char *fields, size_t cap, size_t *o, const char *word)
{
    size_t n = strlen(word);
    if (*o + n + 2 > cap)
        return; /* cannot happen: all the names together take ~110 bytes */
    if (*o)
        fields[(*o)++] = ' ';
    memcpy(fields + *o, word, n);
    *o += n;
    fields[*o] = 0;
}

static int add_provenance(struct store *s, int64_t pid, int64_t sid, const struct paper *p,
                          const char **cols, const char *now)
{
    /* Built by hand: one snprintf per name was a measurable share of the writer thread. */
    char fields[256];
    size_t o = 0;
    fields[0] = 0;
    for (int i = 0; i < C_N_TEXT; i++)
        if (cols[i])
            add_word(fields, sizeof fields, &o, col_names[i]);
    if (p->upvotes >= 0)
        add_word(fields, sizeof fields, &o, "upvotes");
    if (p->is_deleted)
        add_word(fields, sizeof fields, &o, "deleted");
    sqlite3_stmt *st = s->st[ST_PROV];
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, sid);
    sqlite3_bind_int64(st, 3, p->record_no);
    sqlite3_bind_int(st, 4, p->version);
    sqlite3_bind_text(st, 5, fields, (int)o, SQLITE_STATIC); /* reset below, before it goes */
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "adding provenance");
}

int store_paper_put(struct store *s, const struct paper *p, int64_t source_id,
                    enum store_put_result *res)
{
    const char *in[C_N_TEXT];
    char *owned[4] = {NULL, NULL, NULL, NULL};
    record_cols(p, in, owned);
    owned[2] = join(&p->keywords, '\n');
    const char *in_keywords = owned[2];
    const char *now = s->now;
    if (!s->in_txn)
        date_now_ts(s->now);
    int rc = 0;
    int changed = 0;

    sqlite3_stmt *get = s->st[ST_GET];
    sqlite3_bind_text(get, 1, p->id, -1, SQLITE_STATIC);
    int step = sqlite3_step(get);
    if (step == SQLITE_DONE) {
        sqlite3_reset(get);
        if (p->is_deleted) {
            *res = STORE_UNCHANGED;
            goto out;
        }
        sqlite3_stmt *st = s->st[ST_INSERT];
        sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, p->version);
        for (int i = 0; i < C_N_TEXT; i++)
            bind_opt(st, 3 + i, in[i]);
        sqlite3_bind_int(st, 14, 0);
        if (p->upvotes >= 0)
            sqlite3_bind_int64(st, 15, p->upvotes);
        else
            sqlite3_bind_null(st, 15);
        bind_opt(st, 16, nonempty(p->github_repo));
        bind_opt(st, 17, in_keywords);
        bind_opt(st, 18, nonempty(p->featured_day));
        sqlite3_bind_text(st, 19, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 20, ++s->seq);
        step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            rc = store__fail(s, "inserting paper");
            goto out;
        }
        int64_t pid = sqlite3_last_insert_rowid(s->db);
        if (p->listing_day && (rc = add_listing(s, pid, p->listing_day, &changed)))
            goto out;
        if ((rc = add_provenance(s, pid, source_id, p, in, now)))
            goto out;
        *res = STORE_NEW;
        goto out;
    }
    if (step != SQLITE_ROW) {
        sqlite3_reset(get);
        rc = store__fail(s, "reading paper");
        goto out;
    }

    /* Merge into the stored row. */
    int64_t pid = sqlite3_column_int64(get, 0);
    int old_version = sqlite3_column_int(get, 1);
    char *old[C_N_TEXT];
    for (int i = 0; i < C_N_TEXT; i++) {
        const char *t = col_text(get, 2 + i);
        old[i] = t ? xstrdup(t) : NULL;
    }
    int old_deleted = sqlite3_column_int(get, 13);
    int has_upvotes = sqlite3_column_type(get, 14) != SQLITE_NULL;
    long long old_upvotes = sqlite3_column_int64(get, 14);
    char *old_repo = col_text(get, 15) ? xstrdup(col_text(get, 15)) : NULL;
    char *old_kw = col_text(get, 16) ? xstrdup(col_text(get, 16)) : NULL;
    char *old_feat = col_text(get, 17) ? xstrdup(col_text(get, 17)) : NULL;
    sqlite3_reset(get);

    int is_newer = p->version > old_version;
    const char *merged[C_N_TEXT];
    for (int i = 0; i < C_N_TEXT; i++) {
        if (is_newer && in[i] && i != C_SUBMITTED)
            merged[i] = in[i];
        else
            merged[i] = old[i] ? old[i] : in[i];
    }
    /* The latest date wins whatever the version says (canonical forms sort as text). */
    if (in[C_UPDATED] && old[C_UPDATED] && strcmp(in[C_UPDATED], old[C_UPDATED]) > 0)
        merged[C_UPDATED] = in[C_UPDATED];
    int version = is_newer ? p->version : old_version;
    int deleted = p->is_deleted ? 1 : (is_newer ? 0 : old_deleted);
    long long upvotes = has_upvotes ? old_upvotes : -1;
    if (p->upvotes > upvotes)
        upvotes = p->upvotes;
    const char *repo = old_repo ? old_repo : nonempty(p->github_repo);
    const char *kw = old_kw ? old_kw : in_keywords;
    const char *feat = old_feat ? old_feat : nonempty(p->featured_day);

    int differs = version != old_version || deleted != old_deleted ||
                  upvotes != (has_upvotes ? old_upvotes : -1) || !same(repo, old_repo) ||
                  !same(kw, old_kw) || !same(feat, old_feat);
    for (int i = 0; i < C_N_TEXT && !differs; i++)
        differs = !same(merged[i], old[i]);
    if (differs) {
        sqlite3_stmt *st = s->st[ST_UPDATE];
        sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, version);
        for (int i = 0; i < C_N_TEXT; i++)
            bind_opt(st, 3 + i, merged[i]);
        sqlite3_bind_int(st, 14, deleted);
        if (upvotes >= 0)
            sqlite3_bind_int64(st, 15, upvotes);
        else
            sqlite3_bind_null(st, 15);
        bind_opt(st, 16, repo);
        bind_opt(st, 17, kw);
        bind_opt(st, 18, feat);
        sqlite3_bind_text(st, 19, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 20, s->seq + 1);
        step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE)
            rc = store__fail(s, "updating paper");
        else
            changed = 1;
    }
    if (!rc && p->listing_day && !p->is_deleted)
        rc = add_listing(s, pid, p->listing_day, &changed);
    if (!rc)
        rc = add_provenance(s, pid, source_id, p, in, now);
    if (!rc && changed) {
        s->seq++;
        if (!differs) {
            /* A new listing day alone is a change too: bump seq so readers see it. */
            sqlite3_stmt *st = s->st[ST_TOUCH];
            sqlite3_bind_int64(st, 1, s->seq);
            sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, pid);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = store__fail(s, "updating paper");
            sqlite3_reset(st);
        }
    }
    *res = changed ? STORE_UPDATED : STORE_UNCHANGED;
    for (int i = 0; i < C_N_TEXT; i++)
        xfree(old[i]);
    xfree(old_repo);
    xfree(old_kw);
    xfree(old_feat);
out:
    for (int i = 0; i < 4; i++)
        xfree(owned[i]);
    return rc;
}

/* --- reading --- */

#define PAPER_COLS                                                                          \
    "p.id, p.version, p.title, p.abstract, p.authors, p.categories, p.comment, p.journal_ref," \
    " p.doi, p.license, p.report_no, p.submitted, p.updated, p.is_deleted, p.upvotes,"       \
    " p.github_repo, p.keywords, p.featured_day"

static void set_opt(char **field, const char *v)
{
    xfree(*field);
    *field = v ? xstrdup(v) : NULL;
}

/* Fill *p from a row selected with PAPER_COLS starting at column 0. */
static void row_to_paper(sqlite3_stmt *st, struct paper *p)
{
    paper_clear(p);
    set_opt(&p->id, col_text(st, 0));
    p->version = sqlite3_column_int(st, 1);
    set_opt(&p->title, col_text(st, 2));
    set_opt(&p->abstract, col_text(st, 3));
    split(col_text(st, 4), '\n', &p->authors);
    split(col_text(st, 5), ' ', &p->categories);
    set_opt(&p->comment, col_text(st, 6));
    set_opt(&p->journal_ref, col_text(st, 7));
    set_opt(&p->doi, col_text(st, 8));
    set_opt(&p->license, col_text(st, 9));
    set_opt(&p->report_no, col_text(st, 10));
    set_opt(&p->submitted, col_text(st, 11));
    set_opt(&p->updated, col_text(st, 12));
    p->is_deleted = sqlite3_column_int(st, 13);
    p->upvotes = sqlite3_column_type(st, 14) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 14);
    set_opt(&p->github_repo, col_text(st, 15));
    split(col_text(st, 16), '\n', &p->keywords);
    set_opt(&p->featured_day, col_text(st, 17));
}

/* One paper by canonical id (by_pid = 0) or by pid; the statements stay prepared, since search
 * results read ten papers per query. */
static int get_paper(struct store *s, int by_pid, const char *id, int64_t pid, struct paper *out)
{
    static const char *const sql[2] = {
        "SELECT " PAPER_COLS ", (SELECT max(day) FROM listings l WHERE l.pid = p.pid)"
        " FROM papers p WHERE p.id = ?1",
        "SELECT " PAPER_COLS ", (SELECT max(day) FROM listings l WHERE l.pid = p.pid)"
        " FROM papers p WHERE p.pid = ?1"};
    sqlite3_stmt **stp = &s->get_by[by_pid];
    if (!*stp && sqlite3_prepare_v3(s->db, sql[by_pid], -1, SQLITE_PREPARE_PERSISTENT, stp,
                                    NULL) != SQLITE_OK)
        return store__fail(s, "reading paper");
    sqlite3_stmt *st = *stp;
    if (by_pid)
        sqlite3_bind_int64(st, 1, pid);
    else
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row_to_paper(st, out);
        set_opt(&out->listing_day, col_text(st, 18));
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = PB_ENOTFOUND;
    } else {
        rc = store__fail(s, "reading paper");
    }
    sqlite3_reset(st);
    return rc;
}

int store_paper_get(struct store *s, const char *id, struct paper *out)
{
    return get_paper(s, 0, id, 0, out);
}

int store_paper_get_pid(struct store *s, int64_t pid, struct paper *out)
{
    return get_paper(s, 1, NULL, pid, out);
}

int store_id_lookup(void *store, const char *id, size_t len, uint32_t *pid)
{
    static const char sql[] = "SELECT pid FROM papers WHERE id = ?1";
    struct store *s = store;
    /* most words of a query are not ids: answer those without a statement */
    sqlite3_stmt *st =
        len < PAPER_MAX_ID && paper_id_plausible(id, len) ? store__prep(s, sql) : NULL;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, id, (int)len, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    int64_t v = found ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    if (v < 0 || v > UINT32_MAX)
        return 0;
    *pid = (uint32_t)v;
    return 1;
}

int store_seq(struct store *s, int64_t *seq)
{
    *seq = 0;
    if (store__get_int(s, "SELECT coalesce((SELECT value FROM meta WHERE key='seq'), 0)", seq))
        return PB_EDB;
    return 0;
}

int store_scan_changed(struct store *s, int64_t since, store_pid_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " PAPER_COLS ", (SELECT min(day) FROM listings l WHERE l.pid ="
                           " p.pid), p.pid FROM papers p WHERE p.seq > ?1 ORDER BY p.pid",
                           -1, &st, NULL) != SQLITE_OK)
        return store__fail(s, "scanning changed papers");
    sqlite3_bind_int64(st, 1, since);
    struct paper p;
    paper_init(&p);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row_to_paper(st, &p);
        set_opt(&p.listing_day, col_text(st, 18));
        if (fn(ctx, sqlite3_column_int64(st, 19), &p)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    paper_clear(&p);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "scanning changed papers");
}

int store_paper_days(struct store *s, const char *id, struct strlist *days)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT l.day FROM listings l JOIN papers p ON p.pid = l.pid"
                           " WHERE p.id = ?1 ORDER BY l.day DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return store__fail(s, "reading listing days");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        strlist_push(days, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "reading listing days");
}

int store_paper_provenance(struct store *s, const char *id, store_provenance_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT src.format, src.path, pv.record_no, pv.version, pv.fields,"
                           " pv.seen_at FROM provenance pv JOIN papers p ON p.pid = pv.pid"
                           " JOIN sources src ON src.sid = pv.sid WHERE p.id = ?1"
                           " ORDER BY pv.seen_at, src.sid",
                           -1, &st, NULL) != SQLITE_OK)
        return store__fail(s, "reading provenance");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_provenance pv = {
            (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
            (long)sqlite3_column_int64(st, 2),        sqlite3_column_int(st, 3),
            (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5)};
        if (fn(ctx, &pv)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "reading provenance");
}

int store_list_days(struct store *s, const char *first, const char *last, store_paper_fn fn,
                    void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " PAPER_COLS ", l.day FROM listings l JOIN papers p ON"
                           " p.pid = l.pid WHERE l.day BETWEEN ?1 AND ?2 AND p.is_deleted = 0"
                           " ORDER BY l.day DESC, p.id",
                           -1, &st, NULL) != SQLITE_OK)
        return store__fail(s, "listing papers");
    sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, last, -1, SQLITE_STATIC);
    struct paper p;
    paper_init(&p);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row_to_paper(st, &p);
        set_opt(&p.listing_day, col_text(st, 18));
        if (fn(ctx, &p)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    paper_clear(&p);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "listing papers");
}

int store_latest_day(struct store *s, char *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT max(day) FROM listings", -1, &st, NULL) != SQLITE_OK)
        return store__fail(s, "reading latest day");
    int rc = sqlite3_step(st);
    const char *d = rc == SQLITE_ROW ? col_text(st, 0) : NULL;
    if (d)
        snprintf(out, DATE_DAY_LEN + 1, "%s", d);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return store__fail(s, "reading latest day");
    return d ? 0 : PB_ENOTFOUND;
}

int store_scan_words(struct store *s, const char *const *words, int n_words, int limit,
                     store_paper_fn fn, void *ctx)
{
    struct buf sql = BUF_INIT(64 * 1024);
    int rc = buf_puts(&sql, "SELECT " PAPER_COLS ", (SELECT max(day) FROM listings l WHERE"
                            " l.pid = p.pid) AS d FROM papers p WHERE p.is_deleted = 0");
    for (int i = 0; i < n_words && !rc; i++)
        rc = buf_printf(&sql, " AND (p.title LIKE ?%d ESCAPE '\\' OR p.abstract LIKE ?%d"
                              " ESCAPE '\\')", i + 1, i + 1);
    if (!rc)
        rc = buf_printf(&sql, " ORDER BY d DESC, p.id LIMIT %d", limit);
    if (rc) {
        buf_release(&sql);
        return rc;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, buf_str(&sql), -1, &st, NULL) != SQLITE_OK) {
        buf_release(&sql);
        return store__fail(s, "scanning papers");
    }
    buf_release(&sql);
    for (int i = 0; i < n_words; i++) {
        struct buf pat = BUF_INIT(4096);
        int brc = buf_putc(&pat, '%');
        for (const char *c = words[i]; *c && !brc; c++) {
            if (*c == '%' || *c == '_' || *c == '\\')
                brc = buf_putc(&pat, '\\');
            if (!brc)
                brc = buf_putc(&pat, *c);
        }
        if (!brc)
            brc = buf_putc(&pat, '%');
        sqlite3_bind_text(st, i + 1, buf_str(&pat), -1, SQLITE_TRANSIENT);
        buf_release(&pat);
        if (brc) {
            sqlite3_finalize(st);
            return brc;
        }
    }
    struct paper p;
    paper_init(&p);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row_to_paper(st, &p);
        set_opt(&p.listing_day, col_text(st, 18));
        if (fn(ctx, &p)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    paper_clear(&p);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "scanning papers");
}

int store_stats(struct store *s, struct store_stats *out)
{
    memset(out, 0, sizeof *out);
    struct {
        const char *sql;
        long long *dst;
    } q[] = {
        {"SELECT count(*) FROM papers WHERE is_deleted = 0", &out->papers},
        {"SELECT count(*) FROM papers WHERE is_deleted = 1", &out->deleted},
        {"SELECT count(*) FROM papers WHERE abstract IS NOT NULL AND is_deleted = 0",
         &out->with_abstract},
        {"SELECT count(*) FROM listings", &out->listing_rows},
        {"SELECT count(DISTINCT day) FROM listings", &out->listing_days},
        {"SELECT count(*) FROM sources", &out->sources},
        {"SELECT count(*) FROM provenance", &out->provenance},
        {"SELECT count(*) FROM papers WHERE upvotes IS NOT NULL", &out->hf_papers},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        int64_t v;
        if (store__get_int(s, q[i].sql, &v))
            return PB_EDB;
        *q[i].dst = v;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT min(day), max(day) FROM listings", -1, &st, NULL) !=
        SQLITE_OK)
        return store__fail(s, "stats");
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *a = col_text(st, 0), *b = col_text(st, 1);
        snprintf(out->first_day, sizeof out->first_day, "%s", a ? a : "");
        snprintf(out->last_day, sizeof out->last_day, "%s", b ? b : "");
    }
    sqlite3_finalize(st);
    struct stat sb;
    if (stat(s->path, &sb) == 0)
        out->file_bytes = sb.st_size;
    char *wal = xasprintf("%s-wal", s->path);
    if (stat(wal, &sb) == 0)
        out->file_bytes += sb.st_size;
    xfree(wal);
    return 0;
}

static int count_query(struct store *s, const char *sql, int limit, store_count_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store__fail(s, "counting");
    sqlite3_bind_int(st, 1, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "counting");
}

int store_count_primary_categories(struct store *s, int limit, store_count_fn fn, void *ctx)
{
    return count_query(s,
                       "SELECT CASE WHEN instr(categories, ' ') > 0 THEN substr(categories, 1,"
                       " instr(categories, ' ') - 1) ELSE coalesce(categories, '(none)') END AS c,"
                       " count(*) AS n FROM papers WHERE is_deleted = 0 GROUP BY c"
                       " ORDER BY n DESC, c LIMIT ?1",
                       limit, fn, ctx);
}

int store_count_formats(struct store *s, store_count_fn fn, void *ctx)
{
    return count_query(s,
                       "SELECT src.format, count(*) AS n FROM provenance pv JOIN sources src"
                       " ON src.sid = pv.sid GROUP BY src.format ORDER BY n DESC LIMIT ?1",
                       1000, fn, ctx);
}

int store_check(struct store *s)
{
    static const struct {
        const char *sql;
        const char *problem;
    } checks[] = {
        {"SELECT count(*) FROM pragma_foreign_key_check", "foreign key violations"},
        {"SELECT count(*) FROM listings WHERE pid NOT IN (SELECT pid FROM papers)",
         "listing rows without a paper"},
        {"SELECT count(*) FROM provenance WHERE pid NOT IN (SELECT pid FROM papers)",
         "provenance rows without a paper"},
        {"SELECT count(*) FROM papers WHERE version < 0 OR title = '' OR id = ''",
         "papers with an empty id or title or a negative version"},
        {"SELECT count(*) FROM papers p WHERE NOT EXISTS (SELECT 1 FROM provenance pv"
         " WHERE pv.pid = p.pid)",
         "papers without provenance"},
        {"SELECT count(*) FROM papers WHERE seq > (SELECT value FROM meta WHERE key = 'seq')",
         "papers with a change number above the counter"},
    };
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
        return store__fail(s, "integrity check");
    int rc = sqlite3_step(st);
    const char *r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (!r || strcmp(r, "ok")) {
        snprintf(s->errmsg, sizeof s->errmsg, "integrity_check: %s", r ? r : sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        return PB_EDB;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int64_t n;
        if (store__get_int(s, checks[i].sql, &n))
            return PB_EDB;
        if (n) {
            snprintf(s->errmsg, sizeof s->errmsg, "%lld %s", (long long)n, checks[i].problem);
            return PB_EDB;
        }
    }
    return 0;
}
