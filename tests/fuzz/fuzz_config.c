/* libFuzzer target for the configuration parser (src/util/config.c): any input either parses
 * or fails with PB_EPARSE/PB_ETOOBIG and a NUL-terminated message naming the file; a parsed
 * configuration answers lookups of every section it lists. Seeds: tests/fuzz/corpus/config/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config *c = (struct config *)&c;
    char err[128];
    memset(err, 'x', sizeof err);
    int rc = config_parse((const char *)data, size, "f", &c, err, sizeof err);
    if (rc) {
        if (c || (rc != PB_EPARSE && rc != PB_ETOOBIG) || !memchr(err, 0, sizeof err) ||
            strncmp(err, "f:", 2))
            abort();
        return 0;
    }
    static const char *const kinds[] = {"server", "harvest", "mail", NULL};
    for (const char *const *k = kinds; *k; k++) {
        const char **names;
        int n = config_sections(c, *k, &names);
        for (int i = 0; i < n; i++) {
            const char *v = config_get(c, *k, names[i][0] ? names[i] : NULL, "listen");
            if (v && strchr(v, '\n'))
                abort();
        }
    }
    long v;
    if (config_get_int(c, "server", NULL, "port", 0, 10, &v, err, sizeof err) &&
        strncmp(err, "f:", 2))
        abort();
    config_free(c);
    return 0;
}
