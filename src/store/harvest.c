/* Live harvest state: the harvests table (schema in store.c's header comment, migration 3).
 * One row per harvest key; the harvester reads it before a run and writes it after every page,
 * inside the page's transaction. */
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "store.h"
#include "store_int.h"

#define COLS                                                                                       \
    "key, source, from_day, token, cursor, list_size, next_from, started_at, attempt_at,"          \
    " ok_at, error, failures, pages, records"

void store_harvest_init(struct store_harvest *h)
{
    memset(h, 0, sizeof *h);
    h->cursor = h->list_size = -1;
}

static char **strs(struct store_harvest *h, int i)
{
    char **v[] = {&h->key,        &h->source,     &h->from_day, &h->token, &h->next_from,
                  &h->started_at, &h->attempt_at, &h->ok_at,    &h->error};
    return i < (int)(sizeof v / sizeof v[0]) ? v[i] : NULL;
}

void store_harvest_clear(struct store_harvest *h)
{
    for (int i = 0; strs(h, i); i++)
        xfree(*strs(h, i));
    store_harvest_init(h);
}

static char *opt_dup(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? xstrdup(t) : NULL;
}

static long long opt_int(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

static void row(sqlite3_stmt *st, struct store_harvest *h)
{
    store_harvest_clear(h);
    h->key = opt_dup(st, 0);
    h->source = opt_dup(st, 1);
    h->from_day = opt_dup(st, 2);
    h->token = opt_dup(st, 3);
    h->cursor = opt_int(st, 4);
    h->list_size = opt_int(st, 5);
    h->next_from = opt_dup(st, 6);
    h->started_at = opt_dup(st, 7);
    h->attempt_at = opt_dup(st, 8);
    h->ok_at = opt_dup(st, 9);
    h->error = opt_dup(st, 10);
    h->failures = sqlite3_column_int64(st, 11);
    h->pages = sqlite3_column_int64(st, 12);
    h->records = sqlite3_column_int64(st, 13);
}

int store_harvest_get(struct store *s, const char *key, struct store_harvest *out)
{
    static const char sql[] = "SELECT " COLS " FROM harvests WHERE key = ?1";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row(st, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        store_harvest_clear(out);
        rc = PB_ENOTFOUND;
    } else {
        rc = store__fail(s, "reading harvest state");
    }
    sqlite3_reset(st);
    return rc;
}

static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_int(sqlite3_stmt *st, int i, long long v)
{
    if (v >= 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

int store_harvest_put(struct store *s, const struct store_harvest *h)
{
    static const char sql[] = "INSERT OR REPLACE INTO harvests(" COLS ")"
                              " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)";
    if (!h->key || !h->source) {
        snprintf(s->errmsg, sizeof s->errmsg, "harvest state without a key or source");
        return PB_EDB;
    }
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    bind_str(st, 1, h->key);
    bind_str(st, 2, h->source);
    bind_str(st, 3, h->from_day);
    bind_str(st, 4, h->token);
    bind_int(st, 5, h->cursor);
    bind_int(st, 6, h->list_size);
    bind_str(st, 7, h->next_from);
    bind_str(st, 8, h->started_at);
    bind_str(st, 9, h->attempt_at);
    bind_str(st, 10, h->ok_at);
    bind_str(st, 11, h->error);
    sqlite3_bind_int64(st, 12, h->failures);
    sqlite3_bind_int64(st, 13, h->pages);
    sqlite3_bind_int64(st, 14, h->records);
    return store__step_done(s, st) ? store__fail(s, "saving harvest state") : 0;
}

int store_harvest_list(struct store *s, store_harvest_fn fn, void *ctx)
{
    static const char sql[] = "SELECT " COLS " FROM harvests ORDER BY key";
    sqlite3_stmt *st = store__prep(s, sql);
    if (!st)
        return PB_EDB;
    struct store_harvest h;
    store_harvest_init(&h);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row(st, &h);
        if (fn(ctx, &h)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    store_harvest_clear(&h);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__fail(s, "listing harvests");
}
