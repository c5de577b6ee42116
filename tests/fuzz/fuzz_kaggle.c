/* libFuzzer target for the Kaggle arXiv snapshot JSON Lines (parse_kaggle.c): the input is parsed
 * whole and in input-dependent chunks, which must agree; see fuzz_parser.h for the checks. Seeds and
 * regression inputs live in tests/fuzz/corpus/kaggle/; tests/fuzz/replay.c replays them. */
#define FUZZ_FORMAT INGEST_KAGGLE
#include "fuzz_parser.h"
