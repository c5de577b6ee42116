/* libFuzzer target for the TZif reader (src/util/tz.c), which reads files from outside the
 * program: any bytes either parse or fail with PB_EPARSE and a message; a parsed zone answers
 * offsets within +-26 hours for any time. Seeds: tests/fuzz/corpus/tz/ (real zone files). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tz *z = NULL;
    char err[128];
    int rc = tz_parse(data, size, &z, err, sizeof err);
    if (rc) {
        if (z || rc != PB_EPARSE || !memchr(err, 0, sizeof err))
            abort();
        return 0;
    }
    static const int64_t ts[] = {INT64_MIN / 2, -1, 0, 1781510400, 4102444800LL, INT64_MAX / 2};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        long off = tz_offset(z, ts[i]);
        if (off < -26 * 3600 || off > 26 * 3600)
            abort();
    }
    tz_free(z);
    return 0;
}
