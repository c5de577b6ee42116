/* Durations written by people in configuration files and on command lines: "3", "2.5s",
 * "500ms", "10m", "6h", "1d". A bare number is seconds. Parsed to whole milliseconds. */
#ifndef PB_UTIL_DURATION_H
#define PB_UTIL_DURATION_H
#include <stdint.h>

#include "err.h"

#define DURATION_MAX_MS (400LL * 86400 * 1000) /* longer is refused: surely a typo */

/* Parse s: digits, optionally '.' and up to three more digits, optionally white space and a
 * unit (ms, s, m, h, d; case-insensitive), nothing else. Writes milliseconds into *ms.
 * Returns 0, or PB_EINVAL (empty, malformed, unknown unit, over DURATION_MAX_MS, or a
 * fraction finer than a millisecond). Thread-safe. */
PB_MUST_CHECK int duration_parse(const char *s, int64_t *ms);
/* "3 s", "1.5 s", "250 ms", "10 min", "6 h", "2 d": the largest unit that shows ms exactly
 * with at most one decimal (out >= 32 bytes). */
void duration_format(int64_t ms, char *out, unsigned long outlen);

#endif
