/* A tiny in-tree unit-test harness (in the spirit of Redis's testhelp.h). Each unit test
 * file lists its tests with TEST_LIST and gets a main() that runs them and prints one line per
 * test: "pass NAME" or "FAIL NAME: file:line: what". tests/run.sh counts those lines. */
#ifndef PB_TESTS_HARNESS_H
#define PB_TESTS_HARNESS_H
#include <stdio.h>
#include <string.h>

static int harness_failed;
static const char *harness_name;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            printf("FAIL %s: %s:%d: %s\n", harness_name, __FILE__, __LINE__, #cond);    \
            harness_failed = 1;                                                         \
            return;                                                                     \
        }                                                                               \
    } while (0)

#define CHECK_STR(a, b)                                                                 \
    do {                                                                                \
        const char *ca_ = (a), *cb_ = (b);                                              \
        if (!ca_ || !cb_ || strcmp(ca_, cb_)) {                                         \
            printf("FAIL %s: %s:%d: %s == %s (got \"%s\", want \"%s\")\n", harness_name, \
                   __FILE__, __LINE__, #a, #b, ca_ ? ca_ : "(null)", cb_ ? cb_ : "(null)"); \
            harness_failed = 1;                                                         \
            return;                                                                     \
        }                                                                               \
    } while (0)

#define CHECK_INT(a, b)                                                                 \
    do {                                                                                \
        long long ia_ = (long long)(a), ib_ = (long long)(b);                           \
        if (ia_ != ib_) {                                                               \
            printf("FAIL %s: %s:%d: %s == %s (got %lld, want %lld)\n", harness_name,    \
                   __FILE__, __LINE__, #a, #b, ia_, ib_);                               \
            harness_failed = 1;                                                         \
            return;                                                                     \
        }                                                                               \
    } while (0)

struct harness_test {
    const char *name;
    void (*fn)(void);
};

#define T(fn) {#fn, fn}

/* Runs every test (or only those named on the command line); exit 1 if any failed. */
#define TEST_MAIN(...)                                                                  \
    int main(int argc, char **argv)                                                     \
    {                                                                                   \
        static const struct harness_test tests_[] = {__VA_ARGS__};                      \
        int any = 0;                                                                    \
        for (size_t i = 0; i < sizeof tests_ / sizeof tests_[0]; i++) {                 \
            int want = argc < 2;                                                        \
            for (int a = 1; a < argc; a++)                                              \
                want |= !strcmp(argv[a], tests_[i].name);                               \
            if (!want)                                                                  \
                continue;                                                               \
            harness_name = tests_[i].name;                                              \
            harness_failed = 0;                                                         \
            tests_[i].fn();                                                             \
            if (!harness_failed)                                                        \
                printf("pass %s\n", tests_[i].name);                                    \
            any |= harness_failed;                                                      \
            fflush(stdout);                                                             \
        }                                                                               \
        return any;                                                                     \
    }

#endif
