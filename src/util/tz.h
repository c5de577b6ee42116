/* Time zones without localtime (banned: process-wide state, not thread-safe): a zone is a fixed
 * offset ("UTC", "+02:00", "-0530") or an IANA name ("Europe/Berlin") read once from the
 * system's TZif file (/usr/share/zoneinfo, RFC 8536). The mail scheduler uses it for the
 * configured send time. Past the file's last transition the last offset stays in force
 * (Debian's files list transitions up to 2037; the POSIX TZ footer is not interpreted). */
#ifndef PB_UTIL_TZ_H
#define PB_UTIL_TZ_H
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define TZ_MAX_TRANSITIONS 4096 /* a TZif file with more is refused */

struct tz;

/* The zone called name (see above). PB_EINVAL for a malformed offset or name, PB_ENOTFOUND
 * when no such zone file exists, PB_EPARSE when the file is not TZif; message in err. */
PB_MUST_CHECK int tz_load(const char *name, struct tz **out, char *err, size_t errlen);
/* Parse TZif bytes (what tz_load reads from the file); the fuzzed entry point. */
PB_MUST_CHECK int tz_parse(const unsigned char *data, size_t len, struct tz **out, char *err,
                           size_t errlen);
void tz_free(struct tz *z);
/* Seconds east of UTC in force at t (seconds since the epoch). z NULL: UTC. Thread-safe. */
long tz_offset(const struct tz *z, int64_t t);
/* The zone's name as given to tz_load ("UTC" for NULL). */
const char *tz_name(const struct tz *z);

#endif
