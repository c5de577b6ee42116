/* Project-wide error codes: functions return 0 on success or one of these (negative). Lower
 * layers return codes; only cli/ maps them to exit codes and http/ to status codes. */
#ifndef PB_UTIL_ERR_H
#define PB_UTIL_ERR_H

enum pb_err {
    PB_OK = 0,
    PB_EINVAL = -1,   /* bad argument or malformed input */
    PB_EIO = -2,      /* read/write failed */
    PB_ENOTFOUND = -3,
    PB_ETOOBIG = -4,  /* a size limit was exceeded */
    PB_EPARSE = -5,   /* input could not be parsed */
    PB_EFORMAT = -6,  /* input is not in the expected/any known format */
    PB_EDB = -7,      /* the database reported an error */
    PB_ESTOP = -8,    /* a callback asked to stop (e.g. --strict) */
    PB_EEXIST = -9,
    PB_EBUSY = -10,
};

/* Short lower-case description of code (never NULL). */
const char *pb_strerror(int code);

#define PB_MUST_CHECK __attribute__((warn_unused_result))

#endif
