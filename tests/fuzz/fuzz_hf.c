/* libFuzzer target for Hugging Face daily papers (parse_hf.c and its streaming splitter): the
 * input is parsed whole and in input-dependent chunks, which must agree; see fuzz_parser.h for the
 * checks. Seeds and regression inputs live in tests/fuzz/corpus/hf/; tests/fuzz/replay.c replays
 * them in make test. */
#define FUZZ_FORMAT INGEST_HF
#include "fuzz_parser.h"
