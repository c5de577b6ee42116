/* Calendar arithmetic and date parsing without gmtime/localtime (banned: not thread-safe and
 * time-zone dependent). Dates are proleptic Gregorian, UTC. Canonical text forms used across
 * paperboy: a day "YYYY-MM-DD", a timestamp "YYYY-MM-DDTHH:MM:SSZ". */
#ifndef PB_UTIL_DATE_H
#define PB_UTIL_DATE_H
#include <stdint.h>

#include "err.h"

#define DATE_DAY_LEN 10  /* "YYYY-MM-DD" */
#define DATE_TS_LEN 20   /* "YYYY-MM-DDTHH:MM:SSZ" */

/* Days since 1970-01-01 for y-m-d, and back. */
int64_t date_days_from_civil(int y, int m, int d);
void date_civil_from_days(int64_t z, int *y, int *m, int *d);
/* 0 = Monday .. 6 = Sunday */
int date_weekday(int64_t days);

/* Parse a date in any of the forms feeds use: RFC 2822 ("Mon, 2 Apr 2007 19:18:42 GMT",
 * two-digit years, numeric zones), ISO 8601 ("2007-04-02", "2007-04-02T19:18:42Z",
 * fractional seconds, offsets). Writes the canonical form into out (size >= DATE_TS_LEN + 1):
 * a timestamp when the input has a time, a day otherwise. Returns 0 or PB_EINVAL. */
PB_MUST_CHECK int date_parse(const char *s, char *out);
/* Parse exactly "YYYY-MM-DD" (a valid calendar day). Returns days since epoch in *days. */
PB_MUST_CHECK int date_parse_day(const char *s, int64_t *days);
/* Format days since epoch as "YYYY-MM-DD" into out (>= 11 bytes). */
void date_format_day(int64_t days, char *out);
/* "YYYY-Www" -> [first, last] days (Monday..Sunday) of that ISO week. */
PB_MUST_CHECK int date_parse_week(const char *s, int64_t *first, int64_t *last);
/* "YYYY-MM" -> [first, last] days of that month. */
PB_MUST_CHECK int date_parse_month(const char *s, int64_t *first, int64_t *last);
/* The ISO week "YYYY-Www" containing day (out >= 9 bytes). */
void date_format_week(int64_t days, char *out);
/* Seconds since the epoch as a canonical timestamp "YYYY-MM-DDTHH:MM:SSZ" (out >= 21 bytes). */
void date_format_ts(int64_t t, char *out);
/* Any form date_parse accepts -> seconds since the epoch (a day means its midnight UTC). */
PB_MUST_CHECK int date_parse_ts(const char *s, int64_t *t);
/* Current UTC time, seconds since the epoch. */
int64_t date_now(void);
/* Current UTC time as a canonical timestamp (out >= 21 bytes). */
void date_now_ts(char *out);

#endif
