/* Temporary directories for tests that write files (index directories): made under /tmp,
 * removed with their (flat) contents. Include after the src/util/alloc.h the test uses. */
#ifndef PB_TESTS_TMPDIR_H
#define PB_TESTS_TMPDIR_H
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static inline char *test_tmp_dir(void)
{
    char *path = xstrdup("/tmp/pb-test-XXXXXX");
    if (!mkdtemp(path))
        abort();
    return path;
}

/* Removes the files in path, then path itself, and frees path. */
static inline void test_remove_dir(char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s", path, e->d_name);
        unlink(p);
        xfree(p);
    }
    if (d)
        closedir(d);
    rmdir(path);
    xfree(path);
}

#endif
