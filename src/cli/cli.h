/* Shared pieces of the command-line tool: the command table entry points, database opening
 * (--db, $PAPERBOY_DB, ./paperboy.db), and printing papers as text or JSON. Only cli/ maps
 * error codes to exit codes: 0 ok, 1 the command failed or rejected input, 2 usage error. */
#ifndef PB_CLI_CLI_H
#define PB_CLI_CLI_H
#include <stdint.h>
#include <stdio.h>

#include "../ingest/paper.h"
#include "../store/store.h"

#define EXIT_USAGE 2

int cmd_import(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_sub(int argc, char **argv);
int cmd_digest(int argc, char **argv);

/* The database path: the --db value if given, else $PAPERBOY_DB, else ./paperboy.db. */
const char *cli_db_path(const char *flag);
/* Open the store or print why not (to stderr). Returns NULL on failure. */
struct store *cli_open_store(const char *flag, int readonly);

/* The search index beside a database: the directory PATH.index (a new string). */
char *cli_index_dir(const char *db_path);
enum { CLI_SYNC_QUIET = 1, CLI_SYNC_REBUILD = 2 };
/* Bring the index up to date with the store (rebuild: from scratch); a missing or damaged
 * index is rebuilt. Prints problems to stderr; returns 0 or an error code (PB_EBUSY when
 * another process is writing the index). */
int cli_index_sync(struct store *s, const char *db_path, int flags);
/* Open the index for searching, updating it first if it is missing or behind the store. */
struct index;
int cli_index_open(struct store *s, const char *db_path, struct index **out);

/* The [mail] settings (and [server] site_name, base_url) of cfg into mc; smtp_flag and
 * base_url_flag (may be NULL) override the file. *tz gets the loaded time zone (the caller
 * frees it with tz_free after mc is no longer used). 0 or PB_EINVAL with a message in err. */
struct config;
struct mail_conf;
struct tz;
int cli_mail_conf(const struct config *cfg, const char *smtp_flag, const char *base_url_flag,
                  struct mail_conf *mc, struct tz **tz, char *err, size_t errlen);
/* The clock: $PAPERBOY_NOW (YYYY-MM-DDTHH:MM:SSZ, for tests) or the system's. */
int64_t cli_now(void);

/* Print a paper: one-paragraph summary (is_full = 0) or every field (is_full = 1). */
void cli_print_paper(FILE *out, const struct paper *p, int is_full);
/* A paper as one JSON object (jansson), returned as a new reference. */
struct json_t;
struct json_t *cli_paper_json(const struct paper *p);
/* Print the JSON value to out followed by a newline and release it. */
void cli_print_json(FILE *out, struct json_t *v);

#endif
