/* libFuzzer target for the "oai" parser (parse_oai.c over xml.c): the input is parsed whole and
 * in input-dependent chunks, which must agree; see fuzz_parser.h for the checks. Seeds and regression
 * inputs live in tests/fuzz/corpus/oai/; tests/fuzz/replay.c replays them in make test. */
#define FUZZ_FORMAT INGEST_OAI
#include "fuzz_parser.h"
