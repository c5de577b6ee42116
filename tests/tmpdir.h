/* Temporary directories (index directories) and database files for tests: made under /tmp,
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

/* A path for a new database file under /tmp (the file does not exist yet). */
static inline char *test_tmp_db(void)
{
    char *path = xstrdup("/tmp/pb-test-db-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    unlink(path);
    return path;
}

/* Removes the database file with its -wal and -shm files, and frees path. */
static inline void test_remove_db(char *path)
{
    char *w = xasprintf("%s-wal", path), *m = xasprintf("%s-shm", path);
    unlink(path);
    unlink(w);
    unlink(m);
    xfree(w);
    xfree(m);
    xfree(path);
}

#endif
