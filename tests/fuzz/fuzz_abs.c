/* libFuzzer target for the "abs" parser (.abs records and arXiv listings): the input is parsed
 * whole and in input-dependent chunks, which must agree; see fuzz_parser.h for the checks. Seeds
 * and regression inputs live in tests/fuzz/corpus/abs/; tests/fuzz/replay.c replays them. */
#define FUZZ_FORMAT INGEST_ABS
#include "fuzz_parser.h"
