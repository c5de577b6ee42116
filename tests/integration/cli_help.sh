# --help is complete: every command documents itself and every option it accepts.
. "$(dirname "$0")/lib.sh"
$PAPERBOY --help >"$T/help"
check help-exits-0 test $? -eq 0
for cmd in import fetch show list search stats index serve user; do
    check "help-lists-$cmd" grep -q "^  $cmd " "$T/help"
    $PAPERBOY "$cmd" --help >"$T/h.$cmd"
    check "help-$cmd-exits-0" test $? -eq 0
    check "help-$cmd-usage" grep -q "^usage: paperboy $cmd" "$T/h.$cmd"
done
# Every long option a command's usage line shows is described in its option list.
for cmd in import fetch show list search stats index serve user; do
    missing=""
    for opt in $(sed -n '/^usage:/,/^$/p' "$T/h.$cmd" | grep -oE -- '--[a-z-]+' | sort -u); do
        grep -qE "^  $opt" "$T/h.$cmd" || missing="$missing $opt"
    done
    check "help-$cmd-describes-options" test -z "$missing"
done
$PAPERBOY nosuch >/dev/null 2>"$T/err"
check unknown-command-exit-2 test $? -eq 2
check unknown-command-says-so grep -q "'nosuch' is not a command" "$T/err"
$PAPERBOY >/dev/null 2>&1
check no-command-exit-2 test $? -eq 2
# paperboy fetch and each of its sources
for sub in oai api rss hf due status; do
    $PAPERBOY fetch "$sub" --help >"$T/h.fetch.$sub"
    check "help-fetch-$sub-exits-0" test $? -eq 0
    check "help-fetch-$sub-usage" grep -q "^usage: paperboy fetch $sub" "$T/h.fetch.$sub"
    missing=""
    for opt in $(sed -n '/^usage:/,/^$/p' "$T/h.fetch.$sub" | grep -oE -- '--[a-z-]+' | sort -u); do
        grep -qE "^  $opt" "$T/h.fetch.$sub" || missing="$missing $opt"
    done
    check "help-fetch-$sub-describes-options" test -z "$missing"
done
$PAPERBOY fetch nosuch >/dev/null 2>"$T/err"
check fetch-unknown-source-exit-2 test $? -eq 2
$PAPERBOY fetch oai --query x >/dev/null 2>"$T/err"
check fetch-option-of-other-source-exit-2 test $? -eq 2
