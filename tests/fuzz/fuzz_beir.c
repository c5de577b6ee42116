/* libFuzzer target for the BEIR corpus JSON Lines (parse_beir.c): the input is parsed whole and in
 * input-dependent chunks, which must agree; see fuzz_parser.h for the checks. Seeds and regression
 * inputs live in tests/fuzz/corpus/beir/; tests/fuzz/replay.c replays them in make test. */
#define FUZZ_FORMAT INGEST_BEIR
#include "fuzz_parser.h"
