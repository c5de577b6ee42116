#!/bin/sh
# Checks the rules of docs/ARCHITECTURE.md that grep can see: each third-party header stays in
# its module, util/ includes nothing else from src/, and banned libc calls are not used.
# Prints "pass NAME" / "FAIL NAME: where" lines (run by `make test` and `make lint`).
cd "$(dirname "$0")/.." || exit 1
status=0

only_in() { # header allowed-dir-regex
    bad=$(grep -rln "#include <$1>" src | grep -Ev "$2" || true)
    if [ -n "$bad" ]; then
        echo "FAIL module-header-$1: included outside its module: $bad"
        status=1
    else
        echo "pass module-header-$1"
    fi
}
only_in sqlite3.h '^src/store/'
only_in expat.h '^src/ingest/'
only_in zlib.h '^src/ingest/'
only_in jansson.h '^src/(ingest|cli|http)/'
only_in microhttpd.h '^src/http/'
only_in sodium.h '^src/auth/'
only_in libstemmer.h '^src/index/'
only_in utf8proc.h '^src/index/'
only_in curl/curl.h '^src/(ingest/fetch|mail/)'

bad=$(grep -ln '#include "\.\./' src/util/*.[ch] || true)
if [ -n "$bad" ]; then
    echo "FAIL module-util-is-leaf: $bad"
    status=1
else
    echo "pass module-util-is-leaf"
fi

# src/harvest may use ingest, store and util, never the command line or the web server.
bad=$(grep -ln '#include "\.\./\(cli\|http\)/' src/harvest/*.[ch] 2>/dev/null || true)
if [ -n "$bad" ]; then
    echo "FAIL module-harvest-below-cli: $bad"
    status=1
else
    echo "pass module-harvest-below-cli"
fi

# Banned calls (git's banned.h list plus ours). alloc.c is the one allocation wrapper.
banned='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets|gmtime|localtime|ctime|asctime)\('
hits=$(grep -rnE "$banned" src --include='*.c' --include='*.h' | grep -v '^\S*:[0-9]*:\s*/\?\*' || true)
alloc=$(grep -rnE '\b(malloc|calloc|realloc|strdup|strndup|free)\(' src --include='*.c' |
        grep -v '^src/util/alloc.c:' | grep -Ev 'json_|sqlite3_|XML_|curl_|MHD_|utf8proc_|sodium_|sb_stemmer' || true)
if [ -n "$hits$alloc" ]; then
    echo "FAIL banned-calls: $hits $alloc"
    status=1
else
    echo "pass banned-calls"
fi
exit $status
