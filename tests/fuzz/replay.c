/* Replays a fuzz corpus without libFuzzer: calls LLVMFuzzerTestOneInput on every file named on
 * the command line (directories are walked one level). Built with ASan+UBSan by `make test`, so
 * every saved crash stays a regression test. Prints "pass fuzz-NAME/FILE" per input. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *target, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("FAIL fuzz-%s: cannot open %s\n", target, path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = fread(buf, 1, (size_t)(n > 0 ? n : 0), f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s TARGET-NAME DIR-OR-FILE...\n", argv[0]);
        return 2;
    }
    int bad = 0;
    long n = 0;
    for (int i = 2; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[1], argv[i]);
            n++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            bad |= run_file(argv[1], path);
            n++;
        }
        if (d)
            closedir(d);
    }
    /* One line for the whole corpus: a crash aborts the process before this, which run.sh
     * counts as a failure. */
    if (!bad)
        printf("pass fuzz-%s (%ld inputs)\n", argv[1], n);
    return bad;
}
