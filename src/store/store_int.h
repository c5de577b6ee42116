/* Private to src/store: the connection struct and helpers shared by the store's files
 * (store.c: schema, migrations, papers; the other files: one family of tables each). Nothing
 * outside src/store includes this. */
#ifndef PB_STORE_STORE_INT_H
#define PB_STORE_STORE_INT_H
#include <sqlite3.h>
#include <stdint.h>

#include "../util/date.h"

enum stmt_id {
    ST_GET,
    ST_INSERT,
    ST_UPDATE,
    ST_LISTING,
    ST_PROV,
    ST_SOURCE_GET,
    ST_SOURCE_ADD,
    ST_SEQ_SET,
    ST_TOUCH,
    ST_N
};

struct bulk;
struct store_stmt {
    const char *sql; /* the key: a static string, compared by address */
    sqlite3_stmt *st;
};

struct store {
    sqlite3 *db;
    struct bulk *bulk;
    char *path;
    sqlite3_stmt *st[ST_N];
    sqlite3_stmt *get_by[2]; /* reading a paper by id / by pid: prepared on first use */
    struct store_stmt *cache; /* store__prep: statements of the other store files */
    int n_cache, cap_cache;
    int64_t seq;
    int in_txn;
    char now[DATE_TS_LEN + 1]; /* time of the open transaction: one clock read per batch */
    char errmsg[512];
};

/* Record "what: sqlite's message" as the connection's error; returns PB_EDB. */
int store__fail(struct store *s, const char *what);
/* Run SQL with no results; PB_EDB with the message recorded on failure. */
int store__exec(struct store *s, const char *sql);
/* First column of the first row as an integer (0 when there is no row). */
int store__get_int(struct store *s, const char *sql, int64_t *out);
/* The prepared statement for sql (a static string: cached by its address for the life of the
 * connection), reset and with bindings cleared. NULL on failure (message recorded). */
sqlite3_stmt *store__prep(struct store *s, const char *sql);
/* sqlite3_step for statements that return no row; PB_EDB (message recorded) unless DONE. */
int store__step_done(struct store *s, sqlite3_stmt *st);
/* A write transaction for a function's statements unless the caller already has one open:
 * store__txn_begin sets *mine; store__txn_end commits (or rolls back when rc != 0) only what it
 * began, and returns rc or the commit's error. */
int store__txn_begin(struct store *s, int *mine);
int store__txn_end(struct store *s, int mine, int rc);
/* A text column as a C string ("" for NULL). */
const char *store__text(sqlite3_stmt *st, int col);

#endif
