/* paperboy: a self-hosted research-paper feed. argv[1] picks a command from the table; each
 * command lives in src/cli/ and owns its options and --help. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"import", cmd_import, "import papers from files (OAI-PMH, Atom, RSS, HF, Kaggle, ...)"},
    {"fetch", cmd_fetch, "harvest live: arXiv OAI-PMH, API, RSS; Hugging Face daily papers"},
    {"show", cmd_show, "show one paper by id, with its listing days and provenance"},
    {"list", cmd_list, "list the papers of a day, week or month"},
    {"search", cmd_search, "search papers: ranked words, phrases, fields, dates"},
    {"index", cmd_index, "maintain the search index (update, rebuild, check, stats)"},
    {"stats", cmd_stats, "what the database holds"},
    {"serve", cmd_serve, "serve the site: daily, trending, search, accounts, API, feeds"},
    {"user", cmd_user, "manage the site's accounts (add, passwd, list, admin, token)"},
    {"sub", cmd_sub, "mail subscriptions: trending digests, saved-search alerts"},
    {"digest", cmd_digest, "compose due mail digests into the outbox; --send delivers"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: paperboy COMMAND [OPTIONS] [ARGS]\n\n"
                 "paperboy keeps a feed of research papers in one SQLite file.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nEvery command takes --db PATH (default: $PAPERBOY_DB or ./paperboy.db).\n"
                 "'paperboy COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "paperboy: '%s' is not a command\n\n", argv[1]);
    usage(stderr);
    return 2;
}
