/* ingest/paper.c: arXiv id forms, author and category splitting, validation. */
#include "../../src/ingest/ingest.h"
#include "../../src/ingest/paper.h"
#include "../harness.h"

static void arxiv_id_forms(void)
{
    char id[PAPER_MAX_ID];
    int v;
    static const struct {
        const char *in, *id;
        int version;
    } ok[] = {
        {"2503.11731", "2503.11731", 0},
        {"arXiv:2503.11731v2", "2503.11731", 2},
        {"https://arxiv.org/abs/2503.11731", "2503.11731", 0},
        {"http://arxiv.org/abs/2104.12255v1", "2104.12255", 1},
        {"https://arxiv.org/pdf/2503.11731v3.pdf", "2503.11731", 3},
        {"http://export.arxiv.org/abs/0704.0001v2", "0704.0001", 2},
        {"oai:arXiv.org:0704.0471", "0704.0471", 0},
        {"hep-th/9901001", "hep-th/9901001", 0},
        {"arXiv:math-ph/0509001", "math-ph/0509001", 0},
        {"http://arxiv.org/abs/astro-ph/0601001v1", "astro-ph/0601001", 1},
        {"math.GT/0309136", "math/0309136", 0},
        {"quant-ph/0201082v1", "quant-ph/0201082", 1},
        {" 1501.00001v12 ", "1501.00001", 12},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK_INT(paper_parse_arxiv_id(ok[i].in, id, &v), 0);
        CHECK_STR(id, ok[i].id);
        CHECK_INT(v, ok[i].version);
    }
    static const char *bad[] = {"", "abc", "2503.117", "2503.1173111", "hep-th/990100",
                                "2503.11731v", "2503.11731x", "12345.6789", "beir:123",
                                "hep-th/99010011", "x/9901001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(paper_parse_arxiv_id(bad[i], id, &v), PB_EINVAL);
}

static void authors_split(void)
{
    struct strlist l = {0};
    paper_split_authors("C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan", &l);
    CHECK_INT(l.n, 4);
    CHECK_STR(l.v[0], "C. Bal\\'azs");
    CHECK_STR(l.v[3], "C.-P. Yuan");
    strlist_clear(&l);
    paper_split_authors("D.V. Shetty, S.J. Yennello, and G.A. Souliotis", &l);
    CHECK_INT(l.n, 3);
    CHECK_STR(l.v[2], "G.A. Souliotis");
    strlist_clear(&l);
    paper_split_authors("Ben Hayes and Srivatsav Kunnawalkam Elayavalli", &l);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.v[1], "Srivatsav Kunnawalkam Elayavalli");
    strlist_clear(&l);
    paper_split_authors("A. Smith (1), B. Jones (1 and 2, MIT) ((1) Oxford, (2) MIT)", &l);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.v[0], "A. Smith");
    CHECK_STR(l.v[1], "B. Jones");
    strlist_clear(&l);
    paper_split_authors("Frank C. van den Bosch, Anna\n  Pasquali", &l);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.v[1], "Anna Pasquali");
    strlist_clear(&l);
    paper_split_authors("J. Smith, Jr., A. Jones III, B. Brown, II, and C. Wu", &l);
    CHECK_INT(l.n, 4);
    CHECK_STR(l.v[0], "J. Smith, Jr.");
    CHECK_STR(l.v[1], "A. Jones III");
    CHECK_STR(l.v[2], "B. Brown, II");
    CHECK_STR(l.v[3], "C. Wu");
    strlist_clear(&l);
    paper_split_authors("", &l);
    CHECK_INT(l.n, 0);
}

static void categories_split(void)
{
    struct strlist l = {0};
    paper_split_categories(" math-ph math.MP  math-ph\n", &l);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.v[0], "math-ph");
    CHECK_STR(l.v[1], "math.MP");
    strlist_clear(&l);
}

static void validation(void)
{
    struct paper p;
    paper_init(&p);
    const char *why = NULL;
    CHECK_INT(paper_validate(&p, &why), PB_EINVAL);
    CHECK_STR(why, "missing id");
    paper_set_str(&p.id, "2503.11731");
    CHECK_INT(paper_validate(&p, &why), PB_EINVAL);
    CHECK_STR(why, "missing title");
    p.is_deleted = 1;
    CHECK_INT(paper_validate(&p, &why), 0);
    p.is_deleted = 0;
    paper_set_str(&p.title, "  A\n title ");
    CHECK_STR(p.title, "A title");
    CHECK_INT(paper_validate(&p, &why), 0);
    /* an id is an arXiv id (a digit) or namespaced: the index's id lookup relies on it */
    paper_set_str(&p.id, "beir:abc");
    CHECK_INT(paper_validate(&p, &why), 0);
    paper_set_str(&p.id, "notanid");
    CHECK_INT(paper_validate(&p, &why), PB_EINVAL);
    CHECK_STR(why, "id is neither an arXiv id nor namespaced");
    CHECK(paper_id_plausible("hep-th/9901001", 14) && !paper_id_plausible("graph", 5));
    paper_clear(&p);
    CHECK(p.id == NULL && p.upvotes == -1);
}

static void detect_formats(void)
{
    static const struct {
        const char *head;
        enum ingest_format f;
    } cases[] = {
        {"{\n  \"paper\": {\n    \"id\": \"2502.00001\",\n", INGEST_HF},
        {"[{\"paper\":{\"id\":\"2607.23193\"}}]", INGEST_HF},
        {"{\"_id\": \"4983\", \"title\": \"\", \"text\": \"x\"}\n", INGEST_BEIR},
        {"{\"id\": \"0704.0001\", \"versions\": []}\n", INGEST_KAGGLE},
        {"{\"id\": \"2507.02257\", \"summary\": \"s\"}\n", INGEST_DAILY},
        {"<?xml version=\"1.0\"?>\n<OAI-PMH xmlns=\"x\">", INGEST_OAI},
        {"<rss version=\"2.0\">", INGEST_RSS},
        {"<feed xmlns=\"http://www.w3.org/2005/Atom\">", INGEST_ATOM},
        {"---------\n\\\\\narXiv:0704.0001\n", INGEST_ABS},
        {"hello", INGEST_AUTO},
        {"{\n}\n", INGEST_AUTO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_INT(ingest_detect(cases[i].head, strlen(cases[i].head), "x"), cases[i].f);
}

/* paper_move hands everything over and leaves the source as new; paper_copy is deep. */
static void move_and_copy(void)
{
    struct paper a, b, c;
    paper_init(&a);
    paper_init(&b);
    paper_init(&c);
    paper_set_str(&a.id, "2501.00001");
    paper_set_str(&a.title, "A title");
    paper_split_authors("A. One, B. Two", &a.authors);
    a.version = 3;
    a.upvotes = 7;
    paper_set_str(&b.title, "replaced");
    const char *title = a.title;
    paper_move(&b, &a);
    CHECK(b.title == title); /* the same memory, not a copy */
    CHECK_STR(b.id, "2501.00001");
    CHECK_INT(b.authors.n, 2);
    CHECK_INT(b.version, 3);
    CHECK_INT(b.upvotes, 7);
    CHECK(a.id == NULL && a.title == NULL && a.authors.n == 0 && a.authors.v == NULL);
    CHECK_INT(a.upvotes, -1);
    paper_copy(&c, &b);
    CHECK(c.title != b.title);
    CHECK_STR(c.title, "A title");
    CHECK_STR(c.authors.v[1], "B. Two");
    paper_clear(&a);
    paper_clear(&b);
    paper_clear(&c);
}

TEST_MAIN(T(detect_formats), T(arxiv_id_forms), T(authors_split), T(categories_split), T(validation),
          T(move_and_copy))
