/* store/: merge rules, idempotence, listing days, provenance, migrations, integrity check. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../src/store/store.h"
#include "../../src/util/alloc.h"
#include "../harness.h"
#include "../tmpdir.h"

static struct store *open_db(const char *path)
{
    struct store *s = NULL;
    char err[512];
    if (store_open(path, 0, &s, err, sizeof err)) {
        printf("  store_open: %s\n", err);
        return NULL;
    }
    return s;
}

static void make_paper(struct paper *p, const char *id, int version, const char *title)
{
    paper_init(p);
    paper_set_str(&p->id, id);
    p->version = version;
    paper_set_str(&p->title, title);
}

static int put(struct store *s, int64_t sid, const struct paper *p)
{
    enum store_put_result r;
    if (store_begin(s))
        return -100;
    int rc = store_paper_put(s, p, sid, &r);
    if (rc) {
        printf("  put: %s\n", store_errmsg(s));
        store_rollback(s);
        return rc;
    }
    if (store_commit(s))
        return -101;
    return (int)r;
}

static void insert_then_idempotent(void)
{
    char *path = test_tmp_db();
    struct store *s = open_db(path);
    CHECK(s);
    CHECK_INT(store_schema_version(s), store_schema_latest());
    int64_t sid;
    CHECK_INT(store_source(s, "daily", "/data/2025-07-06.jsonl.gz", &sid), 0);
    int64_t sid2;
    CHECK_INT(store_source(s, "daily", "/data/2025-07-06.jsonl.gz", &sid2), 0);
    CHECK_INT(sid, sid2);
    struct paper p;
    make_paper(&p, "2507.02257", 0, "Gbake: Baking 3D Gaussian Splats");
    strlist_push(&p.authors, "Stephen Pasch");
    strlist_push(&p.authors, "Changxi Zheng");
    strlist_push(&p.categories, "cs.GR");
    strlist_push(&p.categories, "cs.CV");
    paper_set_str(&p.listing_day, "2025-07-06");
    p.record_no = 1;
    CHECK_INT(put(s, sid, &p), STORE_NEW);
    CHECK_INT(put(s, sid, &p), STORE_UNCHANGED);
    paper_set_str(&p.listing_day, "2025-07-07");
    CHECK_INT(put(s, sid, &p), STORE_UPDATED);
    CHECK_INT(put(s, sid, &p), STORE_UNCHANGED);
    paper_clear(&p);

    struct paper got;
    paper_init(&got);
    CHECK_INT(store_paper_get(s, "2507.02257", &got), 0);
    CHECK_STR(got.title, "Gbake: Baking 3D Gaussian Splats");
    CHECK_INT(got.authors.n, 2);
    CHECK_STR(got.authors.v[1], "Changxi Zheng");
    CHECK_STR(got.categories.v[0], "cs.GR");
    CHECK_STR(got.listing_day, "2025-07-07");
    paper_clear(&got);
    struct strlist days = {0};
    CHECK_INT(store_paper_days(s, "2507.02257", &days), 0);
    CHECK_INT(days.n, 2);
    CHECK_STR(days.v[0], "2025-07-07");
    strlist_clear(&days);
    CHECK_INT(store_paper_get(s, "2507.99999", &got), PB_ENOTFOUND);
    CHECK_INT(store_check(s), 0);
    store_close(s);
    test_remove_db(path);
}

static void versions_and_gaps(void)
{
    char *path = test_tmp_db();
    struct store *s = open_db(path);
    CHECK(s);
    int64_t sid;
    CHECK_INT(store_source(s, "oai", "a.xml", &sid), 0);
    struct paper p;
    make_paper(&p, "0704.0001", 1, "Old title");
    paper_set_str(&p.submitted, "2007-04-02T19:18:42Z");
    CHECK_INT(put(s, sid, &p), STORE_NEW);
    paper_clear(&p);

    /* Unknown version: fills the missing abstract, keeps the title. */
    make_paper(&p, "0704.0001", 0, "A different title");
    paper_set_str(&p.abstract, "An abstract.");
    CHECK_INT(put(s, sid, &p), STORE_UPDATED);
    CHECK_INT(put(s, sid, &p), STORE_UNCHANGED);
    paper_clear(&p);

    /* Newer version replaces what it says, keeps what it does not. */
    make_paper(&p, "0704.0001", 2, "New title");
    paper_set_str(&p.updated, "2007-07-24T20:10:27Z");
    paper_set_str(&p.submitted, "2007-07-24T20:10:27Z");
    CHECK_INT(put(s, sid, &p), STORE_UPDATED);
    CHECK_INT(put(s, sid, &p), STORE_UNCHANGED);
    paper_clear(&p);

    /* An older version changes nothing. */
    make_paper(&p, "0704.0001", 1, "Old title");
    CHECK_INT(put(s, sid, &p), STORE_UNCHANGED);
    paper_clear(&p);

    struct paper got;
    paper_init(&got);
    CHECK_INT(store_paper_get(s, "0704.0001", &got), 0);
    CHECK_INT(got.version, 2);
    CHECK_STR(got.title, "New title");
    CHECK_STR(got.abstract, "An abstract.");
    CHECK_STR(got.submitted, "2007-04-02T19:18:42Z");
    CHECK_STR(got.updated, "2007-07-24T20:10:27Z");
    paper_clear(&got);
    CHECK_INT(store_check(s), 0);
    store_close(s);
    test_remove_db(path);
}

static int count_prov(void *ctx, const struct store_provenance *pv)
{
    (*(int *)ctx)++;
    (void)pv;
    return 0;
}

static void second_source_merges(void)
{
    char *path = test_tmp_db();
    struct store *s = open_db(path);
    CHECK(s);
    int64_t daily, hf;
    CHECK_INT(store_source(s, "daily", "d.jsonl", &daily), 0);
    CHECK_INT(store_source(s, "hf", "hf.json", &hf), 0);
    struct paper p;
    make_paper(&p, "2607.23193", 0, "OmniScope");
    paper_set_str(&p.abstract, "Existing token compression methods");
    CHECK_INT(put(s, daily, &p), STORE_NEW);
    paper_clear(&p);
    make_paper(&p, "2607.23193", 0, "OmniScope: HF title");
    p.upvotes = 12;
    paper_set_str(&p.github_repo, "https://github.com/x/y");
    strlist_push(&p.keywords, "token compression");
    paper_set_str(&p.featured_day, "2026-07-31");
    CHECK_INT(put(s, hf, &p), STORE_UPDATED);
    CHECK_INT(put(s, hf, &p), STORE_UNCHANGED);
    p.upvotes = 5; /* an older snapshot: keep the higher count */
    CHECK_INT(put(s, hf, &p), STORE_UNCHANGED);
    p.upvotes = 30;
    CHECK_INT(put(s, hf, &p), STORE_UPDATED);
    paper_clear(&p);
    struct paper got;
    paper_init(&got);
    CHECK_INT(store_paper_get(s, "2607.23193", &got), 0);
    CHECK_STR(got.title, "OmniScope");
    CHECK_INT(got.upvotes, 30);
    CHECK_STR(got.github_repo, "https://github.com/x/y");
    CHECK_STR(got.keywords.v[0], "token compression");
    CHECK_STR(got.featured_day, "2026-07-31");
    paper_clear(&got);
    int n = 0;
    CHECK_INT(store_paper_provenance(s, "2607.23193", count_prov, &n), 0);
    CHECK_INT(n, 2);
    struct store_stats st;
    CHECK_INT(store_stats(s, &st), 0);
    CHECK_INT(st.papers, 1);
    CHECK_INT(st.hf_papers, 1);
    CHECK_INT(st.provenance, 2);
    store_close(s);
    test_remove_db(path);
}

static void deleted_records(void)
{
    char *path = test_tmp_db();
    struct store *s = open_db(path);
    CHECK(s);
    int64_t sid;
    CHECK_INT(store_source(s, "oai", "o.xml", &sid), 0);
    struct paper p;
    paper_init(&p);
    paper_set_str(&p.id, "0704.0002");
    p.is_deleted = 1;
    CHECK_INT(put(s, sid, &p), STORE_UNCHANGED);
    struct paper got;
    paper_init(&got);
    CHECK_INT(store_paper_get(s, "0704.0002", &got), PB_ENOTFOUND);
    paper_clear(&p);
    make_paper(&p, "0704.0002", 1, "Sparsity-certifying Graph Decompositions");
    paper_set_str(&p.listing_day, "2007-04-03");
    CHECK_INT(put(s, sid, &p), STORE_NEW);
    paper_clear(&p);
    paper_init(&p);
    paper_set_str(&p.id, "0704.0002");
    p.is_deleted = 1;
    CHECK_INT(put(s, sid, &p), STORE_UPDATED);
    CHECK_INT(put(s, sid, &p), STORE_UNCHANGED);
    paper_clear(&p);
    CHECK_INT(store_paper_get(s, "0704.0002", &got), 0);
    CHECK_INT(got.is_deleted, 1);
    paper_clear(&got);
    struct store_stats st;
    CHECK_INT(store_stats(s, &st), 0);
    CHECK_INT(st.papers, 0);
    CHECK_INT(st.deleted, 1);
    CHECK_INT(store_check(s), 0);
    store_close(s);
    test_remove_db(path);
}

/* A database written by the first schema (user_version 1) is upgraded in place, data kept. */
static void migrates_old_file(void)
{
    char *path = test_tmp_db();
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    const char *v1 =
        "CREATE TABLE papers(pid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
        " version INTEGER NOT NULL DEFAULT 0 CHECK(version >= 0), title TEXT NOT NULL,"
        " abstract TEXT, authors TEXT, categories TEXT, comment TEXT, journal_ref TEXT, doi TEXT,"
        " license TEXT, report_no TEXT, submitted TEXT, updated TEXT,"
        " is_deleted INTEGER NOT NULL DEFAULT 0, added_at TEXT NOT NULL, changed_at TEXT NOT NULL);"
        "CREATE TABLE listings(day TEXT NOT NULL, pid INTEGER NOT NULL REFERENCES papers(pid)"
        " ON DELETE CASCADE, PRIMARY KEY(day, pid)) WITHOUT ROWID;"
        "CREATE INDEX listings_pid ON listings(pid);"
        "INSERT INTO papers(id, version, title, added_at, changed_at) VALUES"
        " ('2501.00001', 1, 'Kept across upgrades', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');"
        "INSERT INTO listings VALUES('2025-01-02', 1);"
        "PRAGMA user_version = 1;";
    CHECK_INT(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store *s = open_db(path);
    CHECK(s);
    CHECK_INT(store_schema_version(s), store_schema_latest());
    struct paper got;
    paper_init(&got);
    CHECK_INT(store_paper_get(s, "2501.00001", &got), 0);
    CHECK_STR(got.title, "Kept across upgrades");
    CHECK_STR(got.listing_day, "2025-01-02");
    CHECK_INT(got.upvotes, -1);
    paper_clear(&got);
    /* New writes work on the upgraded file. */
    int64_t sid;
    CHECK_INT(store_source(s, "hf", "h.json", &sid), 0);
    struct paper p;
    make_paper(&p, "2501.00001", 1, "Kept across upgrades");
    p.upvotes = 3;
    CHECK_INT(put(s, sid, &p), STORE_UPDATED);
    paper_clear(&p);
    store_close(s);
    test_remove_db(path);
}

static void refuses_newer_and_foreign_files(void)
{
    char *path = test_tmp_db();
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store *s = NULL;
    char err[512];
    CHECK(store_open(path, 0, &s, err, sizeof err) != 0);
    CHECK(strstr(err, "newer") != NULL);
    test_remove_db(path);
    path = test_tmp_db();
    FILE *f = fopen(path, "w");
    fputs("this is not a database, just text that happens to be long enough to matter\n", f);
    fclose(f);
    CHECK(store_open(path, 0, &s, err, sizeof err) != 0);
    CHECK(strstr(err, path) != NULL);
    test_remove_db(path);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* Bulk mode: checkpoints on a background thread keep the WAL bounded (about 32 MiB plus a
 * batch) while ~60 MiB go in, and every paper is there, also after reopening. */
static void bulk_checkpoints(void)
{
    char *path = test_tmp_db();
    char *wal = xasprintf("%s-wal", path);
    struct store *s = open_db(path);
    CHECK(s);
    CHECK_INT(store_bulk_begin(s), 0);
    CHECK_INT(store_bulk_begin(s), 0); /* already on */
    int64_t sid;
    CHECK_INT(store_source(s, "daily", "/data/bulk.jsonl", &sid), 0);
    char *text = xmalloc(20001);
    for (int i = 0; i < 20000; i++)
        text[i] = (char)('a' + (i * 7 + i / 13) % 26);
    text[20000] = 0;
    long max_wal = 0;
    int n = 0;
    for (int batch = 0; batch < 30; batch++) {
        CHECK_INT(store_begin(s), 0);
        for (int k = 0; k < 100; k++, n++) {
            struct paper p;
            char id[32];
            snprintf(id, sizeof id, "2501.%05d", n);
            make_paper(&p, id, 1, "A title");
            text[n % 20000] = 'Z'; /* every abstract different */
            paper_set_str(&p.abstract, text);
            enum store_put_result r;
            int rc = store_paper_put(s, &p, sid, &r);
            paper_clear(&p);
            CHECK_INT(rc, 0);
            CHECK_INT(r, STORE_NEW);
        }
        CHECK_INT(store_commit(s), 0);
        long w = file_size(wal);
        if (w > max_wal)
            max_wal = w;
    }
    xfree(text);
    printf("  %d papers, largest WAL %ld KiB\n", n, max_wal / 1024);
    CHECK(max_wal < 48L * 1024 * 1024);
    CHECK_INT(store_check(s), 0);
    store_bulk_end(s);
    store_bulk_end(s); /* already off */
    struct paper got;
    paper_init(&got);
    CHECK_INT(store_paper_get(s, "2501.02999", &got), 0);
    paper_clear(&got);
    store_close(s);
    s = open_db(path);
    CHECK(s);
    struct store_stats st;
    CHECK_INT(store_stats(s, &st), 0);
    CHECK_INT(st.papers, n);
    CHECK_INT(store_check(s), 0);
    store_close(s);
    CHECK_INT(file_size(wal), 0); /* the last close checkpointed and removed it */
    xfree(wal);
    test_remove_db(path);
}

TEST_MAIN(T(insert_then_idempotent), T(versions_and_gaps), T(second_source_merges),
          T(deleted_records), T(migrates_old_file), T(refuses_newer_and_foreign_files),
          T(bulk_checkpoints))
