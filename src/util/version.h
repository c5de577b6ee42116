/* The version paperboy reports (User-Agent, --version). */
#ifndef PB_UTIL_VERSION_H
#define PB_UTIL_VERSION_H

#define PB_VERSION "0.1.0"

#endif
