/* libFuzzer target for Retry-After header values (fetch_parse_retry_after, src/ingest/
 * fetch_util.c), which come from any server we fetch from: any input either parses to a delay
 * that is not negative or fails with PB_EINVAL. Seeds: tests/fuzz/corpus/retry_after/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ingest/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0; /* fetch.c never passes more than 79 bytes */
    char s[257];
    memcpy(s, data, size);
    s[size] = 0;
    int64_t d = -1;
    int rc = fetch_parse_retry_after(s, 1700000000, &d);
    if (rc == 0 && d < 0)
        abort();
    if (rc != 0 && rc != PB_EINVAL)
        abort();
    return 0;
}
