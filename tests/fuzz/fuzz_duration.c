/* libFuzzer target for durations in configuration files (duration_parse, src/util/duration.c):
 * any input parses to 0..DURATION_MAX_MS or fails with PB_EINVAL, and a parsed value printed
 * by duration_format parses back to the same milliseconds. Seeds: tests/fuzz/corpus/duration/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0; /* a configuration line is at most 4,096 bytes */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    int64_t ms = -1;
    int rc = duration_parse(s, &ms);
    free(s);
    if (rc == 0) {
        if (ms < 0 || ms > DURATION_MAX_MS)
            abort();
        char out[32];
        duration_format(ms, out, sizeof out);
        int64_t back = -1;
        if (duration_parse(out, &back) || back != ms)
            abort();
    } else if (rc != PB_EINVAL) {
        abort();
    }
    return 0;
}
