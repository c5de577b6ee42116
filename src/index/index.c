/* The index directory: MANIFEST, segments, deletion files, the writer lock, commits and merges.
 *
 * Directory layout (docs/INDEX_FORMAT.md):
 *   MANIFEST         text, the only mutable name; replaced atomically (write MANIFEST.tmp,
 *                    fsync, rename, fsync the directory). Lines:
 *                      paperboy-index 1
 *                      gen G            incremented by every publish
 *                      seq S            the caller's change counter covered by this state
 *                      next N           the next segment number
 *                      tokenizer V      TOKEN_VERSION of the tokeniser that built it
 *                      segment sNNNNNN.seg docs D del K   (K = deletion file generation, 0 none)
 *   sNNNNNN.seg      immutable segment (segment.c)
 *   sNNNNNN.del.K    deletion bitmap of segment sNNNNNN, generation K: "PBDEL01\n", u32 docs,
 *                    u32 deleted, the bitmap (bit d = docnum d deleted), u64 checksum
 *   LOCK             flock'ed by the one writer
 * Files that the MANIFEST does not name are leftovers of an interrupted writer and are removed
 * when a writer opens the directory. Readers never take the lock: they read the MANIFEST and map
 * the files it names; a file unlinked later stays readable through the mapping. */
#include "index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/alloc.h"
#include "seg.h"
#include "token.h"

/* read_manifest: a file the MANIFEST names is missing. A writer that published after we read
 * the MANIFEST deletes the files it no longer names, so read it again before calling the index
 * damaged. */
#define PB_EAGAIN_MANIFEST (-1000)
#define MANIFEST_RETRIES 20

#define SPILL_BYTES ((size_t)384 << 20) /* in-memory postings before a segment is written */
#define MAX_SEGMENTS 100000

struct segref {
    char name[32];
    struct seg *seg;
    uint8_t *deleted;  /* bitmap or NULL (owned) */
    uint32_t n_deleted;
    uint32_t del_gen;
    uint8_t *pend;     /* uncommitted deletions: a copy of deleted plus new bits, or NULL */
    uint32_t n_pend;
};

struct index {
    char *dir;
    int flags;
    int lock_fd;
    uint64_t gen, seq;
    uint32_t next;
    struct segref *segs;
    size_t n_segs, cap_segs;
    /* writer state */
    struct seg_writer *w;
    char (*spilled)[32]; /* segments written for the open batch, not yet published */
    size_t n_spilled, cap_spilled;
    int cleared;
    /* docids added in the open batch (hash set of docid + 1; 0 = empty slot), and those of them
     * deleted again before the commit: the commit marks them deleted in the new segments */
    uint32_t *added;
    size_t n_added, n_added_slots;
    uint32_t *undo;
    size_t n_undo, cap_undo;
    int spill_rc; /* sticky: a spill inside index_add failed; reported by commit */
    char spill_err[256];
    /* tokenisers for searches, reused: creating one costs more than a short query */
    pthread_mutex_t pool_lock;
    struct tokenizer *pool[16];
    size_t n_pool;
};

static void seterr(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || !err_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static char *path_in(const struct index *ix, const char *name)
{
    return xasprintf("%s/%s", ix->dir, name);
}

static uint64_t del_checksum(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Writes name atomically with the given bytes. */
static int write_file(const struct index *ix, const char *name, const void *p, size_t n,
                      char *err, size_t err_len)
{
    char *path = path_in(ix, name);
    char *tmp = xasprintf("%s.tmp", path);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, p, n) != (ssize_t)n || fsync(fd) || close(fd)) {
        seterr(err, err_len, "cannot write '%s': %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        rc = PB_EIO;
    } else if (rename(tmp, path)) {
        seterr(err, err_len, "cannot rename '%s': %s", tmp, strerror(errno));
        unlink(tmp);
        rc = PB_EIO;
    }
    xfree(tmp);
    xfree(path);
    return rc;
}

static size_t bitmap_bytes(uint32_t n_docs)
{
    return ((size_t)n_docs + 7) / 8;
}

static int load_del(struct index *ix, struct segref *r, char *err, size_t err_len)
{
    char name[48];
    snprintf(name, sizeof name, "%.*s.del.%u", (int)(strlen(r->name) - 4), r->name, r->del_gen);
    char *path = path_in(ix, name);
    FILE *f = fopen(path, "rb");
    int rc = 0;
    uint32_t n_docs = r->seg->h->n_docs;
    size_t nb = bitmap_bytes(n_docs);
    uint8_t *buf = xmalloc(16 + nb + 8);
    if (!f) {
        seterr(err, err_len, "cannot open '%s': %s", path, strerror(errno));
        rc = PB_EFORMAT;
    } else if (fread(buf, 1, 16 + nb + 8, f) != 16 + nb + 8 || fgetc(f) != EOF ||
               memcmp(buf, "PBDEL01\n", 8) != 0) {
        seterr(err, err_len, "deletion file '%s' is damaged", path);
        rc = PB_EFORMAT;
    } else {
        uint32_t nd, ndel;
        uint64_t sum;
        memcpy(&nd, buf + 8, 4);
        memcpy(&ndel, buf + 12, 4);
        memcpy(&sum, buf + 16 + nb, 8);
        if (nd != n_docs || sum != del_checksum(buf, 16 + nb)) {
            seterr(err, err_len, "deletion file '%s' does not match its segment", path);
            rc = PB_EFORMAT;
        } else {
            r->deleted = xmalloc(nb ? nb : 1);
            memcpy(r->deleted, buf + 16, nb);
            r->n_deleted = ndel;
        }
    }
    if (f)
        fclose(f);
    xfree(buf);
    xfree(path);
    return rc;
}

static void segref_release(struct segref *r)
{
    seg_close(r->seg);
    xfree(r->deleted);
    xfree(r->pend);
    memset(r, 0, sizeof *r);
}

static void drop_segs(struct index *ix)
{
    for (size_t i = 0; i < ix->n_segs; i++)
        segref_release(&ix->segs[i]);
    ix->n_segs = 0;
}

static int valid_seg_name(const char *s)
{
    if (strlen(s) != 11 || s[0] != 's' || strcmp(s + 7, ".seg") != 0)
        return 0;
    for (int i = 1; i < 7; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Reads the MANIFEST into ix (replacing its segments). Segments already open under the same
 * name (from old) are reused. */
static int read_manifest_once(struct index *ix, char *err, size_t err_len)
{
    char *path = path_in(ix, "MANIFEST");
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        seterr(err, err_len, "cannot open '%s': %s", path, strerror(e));
        xfree(path);
        return e == ENOENT ? PB_ENOTFOUND : PB_EIO;
    }
    int rc = 0;
    char line[256];
    int version = 0;
    uint64_t gen = 0, seq = 0;
    unsigned long next = 0;
    int tokver = -1;
    struct segref *segs = NULL;
    size_t n = 0, cap = 0;
    long lineno = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        char name[32];
        unsigned long docs, del;
        if (lineno == 1) {
            if (sscanf(line, "paperboy-index %d", &version) != 1 || version != 1)
                rc = PB_EFORMAT;
        } else if (sscanf(line, "gen %" SCNu64, &gen) == 1 ||
                   sscanf(line, "seq %" SCNu64, &seq) == 1 || sscanf(line, "next %lu", &next) == 1 ||
                   sscanf(line, "tokenizer %d", &tokver) == 1) {
        } else if (sscanf(line, "segment %31s docs %lu del %lu", name, &docs, &del) == 3 &&
                   valid_seg_name(name) && n < MAX_SEGMENTS) {
            segs = xgrow(segs, sizeof *segs, n + 1, &cap);
            memset(&segs[n], 0, sizeof segs[n]);
            memcpy(segs[n].name, name, sizeof segs[n].name);
            segs[n].del_gen = (uint32_t)del;
            segs[n].n_deleted = (uint32_t)docs; /* expected docs, checked below */
            n++;
        } else {
            rc = PB_EFORMAT;
        }
    }
    fclose(f);
    if (rc || lineno < 1) {
        seterr(err, err_len, "'%s' is damaged at line %ld", path, lineno);
        xfree(segs);
        xfree(path);
        return PB_EFORMAT;
    }
    if (tokver != TOKEN_VERSION) {
        seterr(err, err_len, "'%s' was built by tokeniser version %d, this paperboy uses %d",
               path, tokver, TOKEN_VERSION);
        xfree(segs);
        xfree(path);
        return PB_EFORMAT;
    }
    xfree(path);
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t expect_docs = segs[i].n_deleted;
        segs[i].n_deleted = 0;
        for (size_t j = 0; j < ix->n_segs; j++)
            if (ix->segs[j].seg && strcmp(ix->segs[j].name, segs[i].name) == 0) {
                segs[i].seg = ix->segs[j].seg;
                ix->segs[j].seg = NULL;
            }
        if (!segs[i].seg) {
            char *sp = path_in(ix, segs[i].name);
            rc = seg_open(sp, &segs[i].seg, err, err_len);
            xfree(sp);
            if (rc == PB_ENOTFOUND)
                rc = PB_EAGAIN_MANIFEST; /* a writer replaced it meanwhile, or damage */
        }
        if (!rc && segs[i].seg->h->n_docs != expect_docs) {
            seterr(err, err_len, "segment '%s' has %u documents, the MANIFEST says %u",
                   segs[i].name, segs[i].seg->h->n_docs, expect_docs);
            rc = PB_EFORMAT;
        }
        if (!rc && segs[i].del_gen)
            rc = load_del(ix, &segs[i], err, err_len);
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            segref_release(&segs[i]);
        xfree(segs);
        return rc;
    }
    drop_segs(ix);
    xfree(ix->segs);
    ix->segs = segs;
    ix->n_segs = n;
    ix->cap_segs = cap;
    ix->gen = gen;
    ix->seq = seq;
    ix->next = (uint32_t)next;
    return 0;
}

static int read_manifest(struct index *ix, char *err, size_t err_len)
{
    int rc = PB_EAGAIN_MANIFEST;
    for (int i = 0; i < MANIFEST_RETRIES && rc == PB_EAGAIN_MANIFEST; i++) {
        if (i)
            usleep(5000);
        rc = read_manifest_once(ix, err, err_len);
    }
    return rc == PB_EAGAIN_MANIFEST ? PB_EFORMAT : rc;
}

static int write_manifest(struct index *ix, const struct segref *segs, size_t n, uint64_t seq,
                          char *err, size_t err_len)
{
    size_t cap = 128 + n * 64;
    char *buf = xmalloc(cap);
    size_t len = (size_t)snprintf(buf, cap,
                                  "paperboy-index 1\ngen %" PRIu64 "\nseq %" PRIu64
                                  "\nnext %u\ntokenizer %d\n",
                                  ix->gen + 1, seq, ix->next, TOKEN_VERSION);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "segment %s docs %u del %u\n", segs[i].name,
                                segs[i].seg->h->n_docs, segs[i].del_gen);
    int rc = write_file(ix, "MANIFEST", buf, len, err, err_len);
    xfree(buf);
    if (!rc && fsync_dir(ix->dir)) {
        seterr(err, err_len, "cannot sync '%s': %s", ix->dir, strerror(errno));
        rc = PB_EIO;
    }
    return rc;
}

/* Removes files the MANIFEST does not name (writer only). */
static void remove_leftovers(struct index *ix)
{
    DIR *d = opendir(ix->dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        if (nm[0] == '.' || strcmp(nm, "MANIFEST") == 0 || strcmp(nm, "LOCK") == 0)
            continue;
        int keep = 0;
        for (size_t i = 0; i < ix->n_segs && !keep; i++) {
            const struct segref *r = &ix->segs[i];
            char del[48];
            snprintf(del, sizeof del, "%.7s.del.%u", r->name, r->del_gen);
            keep = strcmp(nm, r->name) == 0 || (r->del_gen && strcmp(nm, del) == 0);
        }
        if (!keep) {
            char *p = path_in(ix, nm);
            unlink(p);
            xfree(p);
        }
    }
    closedir(d);
}

int index_open(const char *dir, int flags, struct index **out, char *err, size_t err_len)
{
    *out = NULL;
    struct index *ix = xcalloc(1, sizeof *ix);
    ix->dir = xstrdup(dir);
    ix->flags = flags;
    ix->lock_fd = -1;
    ix->next = 1;
    pthread_mutex_init(&ix->pool_lock, NULL);
    int rc = 0;
    if (flags & INDEX_WRITE) {
        if (mkdir(dir, 0755) && errno != EEXIST) {
            seterr(err, err_len, "cannot create index directory '%s': %s", dir, strerror(errno));
            rc = PB_EIO;
            goto fail;
        }
        char *lp = path_in(ix, "LOCK");
        ix->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        xfree(lp);
        if (ix->lock_fd < 0) {
            seterr(err, err_len, "cannot open the lock of '%s': %s", dir, strerror(errno));
            rc = PB_EIO;
            goto fail;
        }
        if (flock(ix->lock_fd, LOCK_EX | LOCK_NB)) {
            seterr(err, err_len, "index '%s' is being written by another process", dir);
            rc = PB_EBUSY;
            goto fail;
        }
    }
    rc = read_manifest(ix, err, err_len);
    if (rc == PB_ENOTFOUND && (flags & INDEX_WRITE)) {
        rc = write_manifest(ix, NULL, 0, 0, err, err_len);
        if (!rc)
            rc = read_manifest(ix, err, err_len);
    }
    if (rc)
        goto fail;
    if (flags & INDEX_WRITE)
        remove_leftovers(ix);
    *out = ix;
    return 0;
fail:
    index_close(ix);
    return rc;
}

void index_close(struct index *ix)
{
    if (!ix)
        return;
    index_rollback(ix);
    drop_segs(ix);
    xfree(ix->segs);
    xfree(ix->spilled);
    if (ix->lock_fd >= 0)
        close(ix->lock_fd);
    for (size_t i = 0; i < ix->n_pool; i++)
        tokenizer_free(ix->pool[i]);
    xfree(ix->undo);
    pthread_mutex_destroy(&ix->pool_lock);
    xfree(ix->dir);
    xfree(ix);
}

int index_refresh(struct index *ix, char *err, size_t err_len)
{
    char *path = path_in(ix, "MANIFEST");
    FILE *f = fopen(path, "r");
    xfree(path);
    uint64_t gen = 0;
    if (f) {
        char line[64];
        if (fgets(line, sizeof line, f) && fgets(line, sizeof line, f))
            if (sscanf(line, "gen %" SCNu64, &gen) != 1)
                gen = 0;
        fclose(f);
    }
    if (f && gen == ix->gen)
        return 0;
    return read_manifest(ix, err, err_len);
}

uint64_t index_seq(const struct index *ix)
{
    return ix->seq;
}

/* ---- writing ---- */

static int added_has(const struct index *ix, uint32_t docid)
{
    if (!ix->n_added_slots)
        return 0;
    size_t mask = ix->n_added_slots - 1;
    for (size_t i = (docid * 2654435761u) & mask; ix->added[i]; i = (i + 1) & mask)
        if (ix->added[i] == docid + 1)
            return 1;
    return 0;
}

static void added_put(struct index *ix, uint32_t docid)
{
    if ((ix->n_added + 1) * 2 > ix->n_added_slots) {
        size_t ns = ix->n_added_slots ? ix->n_added_slots * 2 : 1024;
        uint32_t *slots = xcalloc(ns, sizeof *slots);
        for (size_t i = 0; i < ix->n_added_slots; i++) {
            uint32_t v = ix->added[i];
            if (!v)
                continue;
            size_t j = ((v - 1) * 2654435761u) & (ns - 1);
            while (slots[j])
                j = (j + 1) & (ns - 1);
            slots[j] = v;
        }
        xfree(ix->added);
        ix->added = slots;
        ix->n_added_slots = ns;
    }
    size_t mask = ix->n_added_slots - 1;
    size_t i = (docid * 2654435761u) & mask;
    while (ix->added[i]) {
        if (ix->added[i] == docid + 1)
            return;
        i = (i + 1) & mask;
    }
    ix->added[i] = docid + 1;
    ix->n_added++;
}

static void batch_forget(struct index *ix)
{
    xfree(ix->added);
    ix->added = NULL;
    ix->n_added = ix->n_added_slots = 0;
    ix->n_undo = 0;
}

void index_delete(struct index *ix, uint32_t docid)
{
    if (added_has(ix, docid)) {
        ix->undo = xgrow(ix->undo, sizeof *ix->undo, ix->n_undo + 1, &ix->cap_undo);
        ix->undo[ix->n_undo++] = docid;
    }
    for (size_t i = 0; i < ix->n_segs; i++) {
        struct segref *r = &ix->segs[i];
        int64_t d = seg_docnum(r->seg, docid);
        if (d < 0)
            continue;
        size_t nb = bitmap_bytes(r->seg->h->n_docs);
        if (!r->pend) {
            r->pend = xcalloc(nb ? nb : 1, 1);
            if (r->deleted)
                memcpy(r->pend, r->deleted, nb);
            r->n_pend = r->n_deleted;
        }
        uint8_t bit = (uint8_t)(1u << (d & 7));
        if (!(r->pend[d >> 3] & bit)) {
            r->pend[d >> 3] |= bit;
            r->n_pend++;
        }
    }
}

static int spill(struct index *ix, char *err, size_t err_len)
{
    if (!ix->w || !seg_writer_docs(ix->w))
        return 0;
    ix->spilled = xgrow(ix->spilled, sizeof *ix->spilled, ix->n_spilled + 1, &ix->cap_spilled);
    char *name = ix->spilled[ix->n_spilled];
    snprintf(name, 32, "s%06u.seg", ix->next++);
    char *path = path_in(ix, name);
    int rc = seg_writer_write(ix->w, path, err, err_len);
    xfree(path);
    seg_writer_free(ix->w);
    ix->w = NULL;
#ifdef __GLIBC__
    /* hand the writer's hundreds of MB back: glibc keeps freed memory otherwise, and the
     * merge that follows a rebuild's spills needs little of it */
    malloc_trim(0);
#endif
    if (!rc)
        ix->n_spilled++;
    return rc;
}

void index_add(struct index *ix, const struct index_doc *doc)
{
    if (!ix->cleared)
        index_delete(ix, doc->docid);
    if (!ix->w)
        ix->w = seg_writer_new();
    seg_writer_add(ix->w, doc);
    added_put(ix, doc->docid);
    if (!ix->spill_rc && seg_writer_bytes(ix->w) > SPILL_BYTES)
        ix->spill_rc = spill(ix, ix->spill_err, sizeof ix->spill_err);
}

void index_clear(struct index *ix)
{
    ix->cleared = 1;
}

void index_rollback(struct index *ix)
{
    seg_writer_free(ix->w);
    ix->w = NULL;
    for (size_t i = 0; i < ix->n_spilled; i++) {
        char *p = path_in(ix, ix->spilled[i]);
        unlink(p);
        xfree(p);
    }
    ix->n_spilled = 0;
    for (size_t i = 0; i < ix->n_segs; i++) {
        xfree(ix->segs[i].pend);
        ix->segs[i].pend = NULL;
    }
    ix->cleared = 0;
    ix->spill_rc = 0;
    batch_forget(ix);
}

static int write_del(struct index *ix, struct segref *r, uint32_t gen, char *err, size_t err_len)
{
    size_t nb = bitmap_bytes(r->seg->h->n_docs);
    uint8_t *buf = xmalloc(16 + nb + 8);
    memcpy(buf, "PBDEL01\n", 8);
    uint32_t nd = r->seg->h->n_docs;
    memcpy(buf + 8, &nd, 4);
    memcpy(buf + 12, &r->n_pend, 4);
    memcpy(buf + 16, r->pend, nb);
    uint64_t sum = del_checksum(buf, 16 + nb);
    memcpy(buf + 16 + nb, &sum, 8);
    char name[48];
    snprintf(name, sizeof name, "%.7s.del.%u", r->name, gen);
    int rc = write_file(ix, name, buf, 16 + nb + 8, err, err_len);
    xfree(buf);
    return rc;
}

/* Publishes: keeps segments not dropped (with their pending deletions), appends the spilled
 * ones, writes the MANIFEST, then removes what is no longer named. drop[i] marks segments to
 * leave out (merged or cleared); extra[] are new segments to add at position `at`. */
static int publish(struct index *ix, const int *drop, uint64_t seq, char *err, size_t err_len)
{
    int rc = 0;
    struct segref *keep = xcalloc(ix->n_segs + ix->n_spilled + 1, sizeof *keep);
    size_t n = 0;
    uint32_t *new_gen = xcalloc(ix->n_segs + 1, sizeof *new_gen);
    for (size_t i = 0; i < ix->n_segs && !rc; i++) {
        struct segref *r = &ix->segs[i];
        if (drop && drop[i])
            continue;
        keep[n] = *r;
        if (r->pend && r->n_pend != r->n_deleted) {
            new_gen[i] = r->del_gen + 1;
            rc = write_del(ix, r, new_gen[i], err, err_len);
            keep[n].del_gen = new_gen[i];
        }
        n++;
    }
    struct seg **opened = xcalloc(ix->n_spilled + 1, sizeof *opened);
    size_t first_new = n;
    for (size_t i = 0; i < ix->n_spilled && !rc; i++) {
        char *p = path_in(ix, ix->spilled[i]);
        rc = seg_open(p, &opened[i], err, err_len);
        xfree(p);
        memset(&keep[n], 0, sizeof keep[n]);
        memcpy(keep[n].name, ix->spilled[i], 32);
        keep[n].seg = opened[i];
        /* documents of this batch deleted again before the commit */
        for (size_t u = 0; u < ix->n_undo && !rc; u++) {
            int64_t d = seg_docnum(opened[i], ix->undo[u]);
            if (d < 0)
                continue;
            if (!keep[n].pend)
                keep[n].pend = xcalloc(bitmap_bytes(opened[i]->h->n_docs) + 1, 1);
            uint8_t bit = (uint8_t)(1u << (d & 7));
            if (!(keep[n].pend[d >> 3] & bit)) {
                keep[n].pend[d >> 3] |= bit;
                keep[n].n_pend++;
            }
        }
        if (!rc && keep[n].pend) {
            rc = write_del(ix, &keep[n], 1, err, err_len);
            keep[n].del_gen = 1;
            keep[n].deleted = keep[n].pend;
            keep[n].n_deleted = keep[n].n_pend;
            keep[n].pend = NULL;
            keep[n].n_pend = 0;
        }
        n++;
    }
    if (!rc)
        rc = write_manifest(ix, keep, n, seq, err, err_len);
    if (rc) {
        for (size_t i = 0; i < ix->n_spilled; i++)
            seg_close(opened[i]);
        for (size_t i = first_new; i < n; i++) /* the new segments' deletion bitmaps */
            xfree(keep[i].deleted);
        for (size_t i = 0; i < ix->n_segs; i++)
            if (new_gen[i]) {
                char name[48];
                snprintf(name, sizeof name, "%.7s.del.%u", ix->segs[i].name, new_gen[i]);
                char *p = path_in(ix, name);
                unlink(p);
                xfree(p);
            }
        xfree(opened);
        xfree(keep);
        xfree(new_gen);
        return rc;
    }
    /* the new state is durable: switch over in memory and remove old files */
    for (size_t i = 0, k = 0; i < ix->n_segs; i++) {
        struct segref *r = &ix->segs[i];
        if (drop && drop[i]) {
            char *p = path_in(ix, r->name);
            unlink(p);
            xfree(p);
        }
        if (r->del_gen && (new_gen[i] || (drop && drop[i]))) {
            char name[48];
            snprintf(name, sizeof name, "%.7s.del.%u", r->name, r->del_gen);
            char *p = path_in(ix, name);
            unlink(p);
            xfree(p);
        }
        if (drop && drop[i]) {
            segref_release(r);
            continue;
        }
        struct segref *kr = &keep[k++];
        if (r->pend && new_gen[i]) {
            xfree(r->deleted);
            kr->deleted = r->pend;
            kr->n_deleted = r->n_pend;
        } else {
            xfree(r->pend);
        }
        kr->pend = NULL;
        kr->n_pend = 0;
    }
    xfree(ix->segs);
    ix->segs = keep;
    ix->n_segs = n;
    ix->cap_segs = n + 1;
    ix->n_spilled = 0;
    ix->gen++;
    ix->seq = seq;
    xfree(opened);
    xfree(new_gen);
    return 0;
}

int index_commit(struct index *ix, uint64_t seq, char *err, size_t err_len)
{
    if (!(ix->flags & INDEX_WRITE)) {
        seterr(err, err_len, "index '%s' is open read-only", ix->dir);
        return PB_EINVAL;
    }
    int rc = ix->spill_rc ? ix->spill_rc : spill(ix, err, err_len);
    if (ix->spill_rc) {
        seterr(err, err_len, "%s", ix->spill_err);
        ix->spill_rc = 0;
    }
    int *drop = NULL;
    if (!rc && ix->cleared) {
        drop = xcalloc(ix->n_segs + 1, sizeof *drop);
        for (size_t i = 0; i < ix->n_segs; i++)
            drop[i] = 1;
    }
    if (!rc)
        rc = publish(ix, drop, seq, err, err_len);
    xfree(drop);
    if (rc) {
        index_rollback(ix);
        return rc;
    }
    ix->cleared = 0;
    batch_forget(ix);
    return 0;
}

static uint64_t live_docs(const struct segref *r)
{
    return r->seg->h->n_docs - r->n_deleted;
}

int index_merge(struct index *ix, int max_segments, char *err, size_t err_len)
{
    if (!(ix->flags & INDEX_WRITE)) {
        seterr(err, err_len, "index '%s' is open read-only", ix->dir);
        return PB_EINVAL;
    }
    if (ix->w || ix->n_spilled || ix->cleared) {
        seterr(err, err_len, "index '%s' has uncommitted changes", ix->dir);
        return PB_EBUSY;
    }
    for (size_t i = 0; i < ix->n_segs; i++)
        if (ix->segs[i].pend) {
            seterr(err, err_len, "index '%s' has uncommitted changes", ix->dir);
            return PB_EBUSY;
        }
    if (max_segments < 1)
        max_segments = 1;
    /* segments that are mostly deleted are always worth rewriting */
    int *drop = xcalloc(ix->n_segs + 1, sizeof *drop);
    size_t n_pick = 0;
    for (size_t i = 0; i < ix->n_segs; i++)
        if (ix->segs[i].n_deleted * 2 > ix->segs[i].seg->h->n_docs) {
            drop[i] = 1;
            n_pick++;
        }
    /* then the smallest, until few enough remain */
    while (ix->n_segs - n_pick + (n_pick ? 1 : 0) > (size_t)max_segments) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < ix->n_segs; i++)
            if (!drop[i] && (best == SIZE_MAX || live_docs(&ix->segs[i]) <
                                                     live_docs(&ix->segs[best])))
                best = i;
        if (best == SIZE_MAX)
            break;
        drop[best] = 1;
        n_pick++;
    }
    int rc = 0;
    int worth = n_pick > 1;
    for (size_t i = 0; i < ix->n_segs && n_pick == 1; i++)
        if (drop[i] && ix->segs[i].n_deleted)
            worth = 1; /* rewriting one segment drops its deleted documents */
    if (worth) {
        struct seg **in = xcalloc(n_pick, sizeof *in);
        const uint8_t **dels = xcalloc(n_pick, sizeof *dels);
        size_t k = 0;
        for (size_t i = 0; i < ix->n_segs; i++)
            if (drop[i]) {
                in[k] = ix->segs[i].seg;
                dels[k++] = ix->segs[i].deleted;
            }
        ix->spilled = xgrow(ix->spilled, sizeof *ix->spilled, ix->n_spilled + 1,
                            &ix->cap_spilled);
        snprintf(ix->spilled[ix->n_spilled], 32, "s%06u.seg", ix->next++);
        char *path = path_in(ix, ix->spilled[ix->n_spilled]);
        rc = seg_merge(in, dels, n_pick, path, err, err_len);
        xfree(path);
        xfree(in);
        xfree(dels);
        if (!rc) {
            ix->n_spilled++;
            rc = publish(ix, drop, ix->seq, err, err_len);
        }
        if (rc)
            index_rollback(ix);
    }
    xfree(drop);
    return rc;
}

int index_check(struct index *ix, char *err, size_t err_len)
{
    for (size_t i = 0; i < ix->n_segs; i++) {
        const struct segref *r = &ix->segs[i];
        int rc = seg_check(r->seg, err, err_len);
        if (rc)
            return rc;
        if (r->deleted) {
            uint32_t n = 0;
            for (uint32_t d = 0; d < r->seg->h->n_docs; d++)
                n += (r->deleted[d >> 3] >> (d & 7)) & 1;
            size_t nb = bitmap_bytes(r->seg->h->n_docs);
            if (n != r->n_deleted ||
                (r->seg->h->n_docs % 8 && r->deleted[nb - 1] >> (r->seg->h->n_docs % 8))) {
                seterr(err, err_len, "deletions of '%s' are inconsistent", r->name);
                return PB_EFORMAT;
            }
        }
        /* a document id is live in at most one segment */
        for (uint32_t d = 0; d < r->seg->h->n_docs; d++) {
            if (r->deleted && (r->deleted[d >> 3] >> (d & 7)) & 1)
                continue;
            uint32_t docid = seg_docid(r->seg, d);
            for (size_t j = i + 1; j < ix->n_segs; j++) {
                int64_t dj = seg_docnum(ix->segs[j].seg, docid);
                if (dj >= 0 && !(ix->segs[j].deleted &&
                                 (ix->segs[j].deleted[dj >> 3] >> (dj & 7)) & 1)) {
                    seterr(err, err_len, "document %u is live in both '%s' and '%s'", docid,
                           r->name, ix->segs[j].name);
                    return PB_EFORMAT;
                }
            }
        }
    }
    return 0;
}

void index_stats(const struct index *ix, struct index_stats *st)
{
    memset(st, 0, sizeof *st);
    st->segments = ix->n_segs;
    st->seq = ix->seq;
    for (size_t i = 0; i < ix->n_segs; i++) {
        const struct segref *r = &ix->segs[i];
        st->docs += live_docs(r);
        st->deleted += r->n_deleted;
        st->terms += r->seg->h->n_terms;
        st->bytes += r->seg->map_len;
        if (r->deleted)
            st->bytes += bitmap_bytes(r->seg->h->n_docs) + 24;
    }
}

/* ---- access for search.c ---- */

size_t index_n_segs(const struct index *ix)
{
    return ix->n_segs;
}

const struct seg *index_seg(const struct index *ix, size_t i, const uint8_t **deleted)
{
    *deleted = ix->segs[i].deleted;
    return ix->segs[i].seg;
}

struct tokenizer *index_tokenizer_get(struct index *ix)
{
    struct tokenizer *t = NULL;
    pthread_mutex_lock(&ix->pool_lock);
    if (ix->n_pool)
        t = ix->pool[--ix->n_pool];
    pthread_mutex_unlock(&ix->pool_lock);
    return t ? t : tokenizer_new();
}

void index_tokenizer_put(struct index *ix, struct tokenizer *t)
{
    pthread_mutex_lock(&ix->pool_lock);
    if (ix->n_pool < sizeof ix->pool / sizeof ix->pool[0]) {
        ix->pool[ix->n_pool++] = t;
        t = NULL;
    }
    pthread_mutex_unlock(&ix->pool_lock);
    tokenizer_free(t);
}
