/* The configuration file: an INI-style text of sections and `key = value` lines, read once at
 * start-up. This module only parses and looks up; each consumer (serve, fetch, mail) validates
 * its own keys with config_check_keys so a typo is an error, not a silent default. The format
 * and every key are documented in docs/CONFIG.md.
 *
 *   # comment            ; comment too
 *   [server]             a section
 *   listen = 127.0.0.1:8080
 *   [harvest cs]         a section with a name: several sections of one kind
 *   title = "quoted values keep their spaces "
 *
 * Keys and section kinds are [a-z0-9_.-]+ (case-folded); section names are any text without
 * ']' or '"'. A key given twice in one section is an error. */
#ifndef PB_UTIL_CONFIG_H
#define PB_UTIL_CONFIG_H
#include <stddef.h>

#include "err.h"

#define CONFIG_MAX_BYTES (1 << 20) /* a larger file is refused */
#define CONFIG_MAX_LINE 4096
#define CONFIG_MAX_ENTRIES 10000

struct config;

/* Parse text (len bytes, need not be NUL-terminated); name is used in messages. On failure
 * returns PB_EPARSE or PB_ETOOBIG, *out = NULL, and writes "NAME:LINE: why" into err. */
PB_MUST_CHECK int config_parse(const char *text, size_t len, const char *name,
                               struct config **out, char *err, size_t errlen);
/* Read and parse the file at path (PB_EIO if it cannot be read). */
PB_MUST_CHECK int config_load(const char *path, struct config **out, char *err, size_t errlen);
/* An empty configuration (what no file means). */
struct config *config_new(void);
void config_free(struct config *c);

/* The path to load: flag if given, else $PAPERBOY_CONFIG, else ./paperboy.conf when it exists,
 * else NULL (no file: built-in defaults). */
const char *config_path(const char *flag);

/* The value of key in section "kind" or "kind name" (name NULL for the unnamed section), or
 * NULL. The string lives as long as c. */
const char *config_get(const struct config *c, const char *kind, const char *name,
                       const char *key);
/* The same as an integer in [min, max]; *out is left alone when the key is absent. Returns 0,
 * or PB_EINVAL with "NAME:LINE: why" in err when the value is not such an integer. */
PB_MUST_CHECK int config_get_int(const struct config *c, const char *kind, const char *name,
                                 const char *key, long min, long max, long *out, char *err,
                                 size_t errlen);

/* The line of key in that section (0 when absent or the configuration has no file), for
 * messages about values a consumer parses itself; the file's name is config_file(c). */
int config_line(const struct config *c, const char *kind, const char *name, const char *key);
/* The name messages use for the file ("(defaults)" for config_new). Lives as long as c. */
const char *config_file(const struct config *c);

/* Names of the sections of one kind, in file order ("" for the unnamed one); returns how many
 * and sets *names to an array owned by c (valid until the next call or config_free). */
int config_sections(struct config *c, const char *kind, const char ***names);

/* Every key of every section of this kind must be one of keys (NULL-terminated). Returns 0 or
 * PB_EINVAL with "NAME:LINE: unknown key 'k' in [kind]" in err. */
PB_MUST_CHECK int config_check_keys(const struct config *c, const char *kind,
                                    const char *const *keys, char *err, size_t errlen);
/* Every section kind must be one of kinds (NULL-terminated). */
PB_MUST_CHECK int config_check_kinds(const struct config *c, const char *const *kinds, char *err,
                                     size_t errlen);

#endif
