/* libFuzzer target for the "atom" parser (parse_atom.c over xml.c): the input is parsed whole and
 * in input-dependent chunks, which must agree; see fuzz_parser.h for the checks. Seeds and regression
 * inputs live in tests/fuzz/corpus/atom/; tests/fuzz/replay.c replays them in make test. */
#define FUZZ_FORMAT INGEST_ATOM
#include "fuzz_parser.h"
