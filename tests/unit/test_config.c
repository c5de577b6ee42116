/* Unit tests for the configuration file parser (src/util/config.c). */
#include "../../src/util/config.h"
#include "../harness.h"

static struct config *parse(const char *text, int want_rc, char *err, size_t errlen)
{
    struct config *c = NULL;
    int rc = config_parse(text, strlen(text), "t.conf", &c, err, errlen);
    if (rc != want_rc) {
        printf("# parse of [%s] gave %d (%s), want %d\n", text, rc, err, want_rc);
        config_free(c);
        return (struct config *)-1;
    }
    return c;
}

static void test_sections_and_values(void)
{
    char err[256];
    struct config *c = parse("# top comment\n"
                             "[Server]\n"
                             "  Listen =  127.0.0.1:8080  \n"
                             "; another comment\n"
                             "[harvest cs]\nset = cs\nevery=daily\n"
                             "[harvest astro ph]\nset = physics:astro-ph\n"
                             "title = \"  spaced  \"\n"
                             "empty =\n",
                             0, err, sizeof err);
    CHECK(c && c != (struct config *)-1);
    CHECK_STR(config_get(c, "server", NULL, "listen"), "127.0.0.1:8080");
    CHECK(config_get(c, "server", NULL, "missing") == NULL);
    CHECK(config_get(c, "harvest", NULL, "set") == NULL);
    CHECK_STR(config_get(c, "harvest", "cs", "set"), "cs");
    CHECK_STR(config_get(c, "harvest", "cs", "every"), "daily");
    CHECK_STR(config_get(c, "harvest", "astro ph", "set"), "physics:astro-ph");
    CHECK_STR(config_get(c, "harvest", "astro ph", "title"), "  spaced  ");
    CHECK_STR(config_get(c, "harvest", "astro ph", "empty"), "");
    const char **names;
    CHECK_INT(config_sections(c, "harvest", &names), 2);
    CHECK_STR(names[0], "cs");
    CHECK_STR(names[1], "astro ph");
    CHECK_INT(config_sections(c, "server", &names), 1);
    CHECK_STR(names[0], "");
    CHECK_INT(config_sections(c, "mail", &names), 0);
    config_free(c);
}

static void test_errors_name_the_line(void)
{
    char err[256];
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[server]\nlisten\n", "t.conf:2: expected 'key = value' or '[section]'"},
        {"listen = x\n", "t.conf:1: key outside any [section]"},
        {"[server\n", "t.conf:1: section header lacks ']'"},
        {"[]\n", "t.conf:1: section header has no name"},
        {"[a]\nk = 1\nk = 2\n", "t.conf:3: key 'k' already set at line 2"},
        {"[a]\n[a]\n", "t.conf:2: section [a] already started at line 1"},
        {"[a]\nk = \"open\n", "t.conf:2: unterminated quoted value"},
        {"[a x]y]\n", "t.conf:1: section name may not contain '[', ']' or '\"'"},
        {"[a!]\n", "t.conf:1: bad character '!' in section kind"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct config *c = parse(cases[i].text, PB_EPARSE, err, sizeof err);
        CHECK(c == NULL);
        CHECK_STR(err, cases[i].msg);
    }
}

static void test_limits(void)
{
    char err[256];
    static char big[CONFIG_MAX_LINE + 20];
    memset(big, 'x', sizeof big - 1);
    memcpy(big, "[a]\nk=", 6);
    big[sizeof big - 1] = 0;
    struct config *c = parse(big, PB_ETOOBIG, err, sizeof err);
    CHECK(c == NULL);
    CHECK_STR(err, "t.conf:2: line longer than 4096 bytes");
}

static void test_int_and_key_checks(void)
{
    char err[256];
    struct config *c = parse("[mail]\nport = 25\nbad = 12x\n[oops]\n", 0, err, sizeof err);
    CHECK(c && c != (struct config *)-1);
    long v = 7;
    CHECK_INT(config_get_int(c, "mail", NULL, "port", 1, 65535, &v, err, sizeof err), 0);
    CHECK_INT(v, 25);
    v = 7;
    CHECK_INT(config_get_int(c, "mail", NULL, "absent", 1, 65535, &v, err, sizeof err), 0);
    CHECK_INT(v, 7);
    CHECK_INT(config_get_int(c, "mail", NULL, "bad", 1, 65535, &v, err, sizeof err), PB_EINVAL);
    CHECK_STR(err, "t.conf:3: bad in [mail] must be a whole number from 1 to 65535, not '12x'");
    CHECK_INT(config_get_int(c, "mail", NULL, "port", 30, 40, &v, err, sizeof err), PB_EINVAL);
    static const char *const keys[] = {"port", NULL};
    CHECK_INT(config_check_keys(c, "mail", keys, err, sizeof err), PB_EINVAL);
    CHECK_STR(err, "t.conf:3: unknown key 'bad' in [mail]");
    static const char *const kinds[] = {"mail", NULL};
    CHECK_INT(config_check_kinds(c, kinds, err, sizeof err), PB_EINVAL);
    CHECK_STR(err, "t.conf:4: unknown section [oops]");
    config_free(c);
}

TEST_MAIN(T(test_sections_and_values), T(test_errors_name_the_line), T(test_limits),
          T(test_int_and_key_checks))
