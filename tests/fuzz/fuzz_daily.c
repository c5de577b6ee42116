/* libFuzzer target for the daily listing JSON Lines (parse_daily.c): the input is parsed whole and
 * in input-dependent chunks, which must agree; see fuzz_parser.h for the checks. Seeds and regression
 * inputs live in tests/fuzz/corpus/daily/; tests/fuzz/replay.c replays them in make test. */
#define FUZZ_FORMAT INGEST_DAILY
#define FUZZ_LISTING_DAY "2026-01-02"
#include "fuzz_parser.h"
