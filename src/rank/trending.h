/* The trending score: how far up /trending, the daily page's "trending" sort and the trending
 * digest put a paper. Pure functions with the clock passed in; the formula is shown on the
 * /trending page and documented in docs/HTTP_API.md.
 *
 *   score = (points + 1) / (age_hours + 2) ^ gravity        gravity = 1.5
 *   points    = upvotes here + upvotes imported with the paper (Hugging Face)
 *   age_hours = hours since the paper's newest appearance: the later of its first listing day
 *               (midnight UTC) and the first time someone here submitted it
 *
 * This is Hacker News's gravity rule: a vote counts most when the paper is new, and a paper
 * with many votes sinks as it ages, so the page changes from day to day. The "+ 1" ranks
 * papers with no votes by freshness instead of as a tie. */
#ifndef PB_RANK_TRENDING_H
#define PB_RANK_TRENDING_H
#include <stdint.h>

#define TRENDING_GRAVITY 1.5
#define TRENDING_FORMULA "score = (points + 1) / (age in hours + 2)^1.5"

/* points >= 0; appeared and now are seconds since the epoch (a paper from the future has age
 * 0). */
double trending_score(long points, int64_t appeared, int64_t now);

/* The windows of /trending?window=: seconds covered by "day", "week", "month"; 0 if unknown. */
int64_t trending_window(const char *name);

#endif
