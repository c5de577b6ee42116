/* PLACEHOLDER: the rss format parser is being written; until then it refuses its input. */
#include "parser_impl.h"

static void *create(struct parser *p) { return p; }
static int feed(void *s, const char *d, size_t n) { (void)d; (void)n; return parser_fail(s, PB_EFORMAT, 0, "the rss format is not supported yet"); }
static int finish(void *s) { (void)s; return 0; }
static void destroy(void *s) { (void)s; }
const struct format_ops parse_rss_ops = {"rss", create, feed, finish, destroy};
