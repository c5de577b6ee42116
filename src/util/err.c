/* Error code descriptions. */
#include "err.h"

const char *pb_strerror(int code)
{
    switch (code) {
    case PB_OK: return "success";
    case PB_EINVAL: return "invalid argument or input";
    case PB_EIO: return "input/output error";
    case PB_ENOTFOUND: return "not found";
    case PB_ETOOBIG: return "size limit exceeded";
    case PB_EPARSE: return "parse error";
    case PB_EFORMAT: return "unknown or wrong format";
    case PB_EDB: return "database error";
    case PB_ESTOP: return "stopped";
    case PB_EEXIST: return "already exists";
    case PB_EBUSY: return "busy";
    }
    return "unknown error";
}
