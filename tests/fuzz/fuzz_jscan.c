/* libFuzzer target for src/ingest/jscan.c: jscan and jansson must agree on every input (same
 * verdict, same values; see tests/jscan_diff.h), else abort with what differs. Seeds and
 * regression inputs live in tests/fuzz/corpus/jscan/; tests/fuzz/replay.c replays them in make
 * test, and tests/unit/test_jscan.c reads them too. */
#include <stdint.h>
#include <stdio.h>

#include "../jscan_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = jscan_diff((const char *)data, size, NULL);
    if (why) {
        fprintf(stderr, "jscan and jansson disagree: %s\n", why);
        abort();
    }
    return 0;
}
