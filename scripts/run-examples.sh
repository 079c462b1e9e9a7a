#!/usr/bin/env bash
# Runs Examples/'s call-node (built by `swift build --package-path Examples`) against a real `erl -sname` node that
# this script starts and stops by PID: it must print the node's own name for erlang:node() and the value of a call
# with arguments. `make test` runs it after the main build.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="$(swift build --package-path Examples --show-bin-path)/call-node"
[ -x "$bin" ] || { echo "run-examples: $bin not built (swift build --package-path Examples)" >&2; exit 1; }
command -v erl >/dev/null || { echo "run-examples: erl not found" >&2; exit 1; }

tmp="$(mktemp -d)"
alive="example_$RANDOM$RANDOM"
cookie="example$RANDOM$RANDOM"
host="$(hostname -s)"
erl_pid=""
cleanup() {
    if [ -n "$erl_pid" ]; then
        kill -KILL "$erl_pid" 2>/dev/null || true
        wait "$erl_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

erl -sname "$alive" -setcookie "$cookie" -noshell -noinput </dev/null >"$tmp/erl.log" 2>&1 &
erl_pid=$!
for _ in $(seq 200); do
    epmd -names 2>/dev/null | grep -q "^name $alive at port" && break
    kill -0 "$erl_pid" 2>/dev/null || { echo "run-examples: erl exited: $(cat "$tmp/erl.log")" >&2; exit 1; }
    sleep 0.1
done

check() {  # check EXPECTED ARGS...: runs call-node ARGS and compares its output
    local expected="$1"; shift
    local got
    got="$(RELEASE_COOKIE="$cookie" "$bin" "$@")" || { echo "run-examples: call-node $* failed" >&2; exit 1; }
    got="${got//\'/}"  # an atom is quoted when the host name needs it
    if [ "$got" != "$expected" ]; then
        echo "run-examples: call-node $*: expected '$expected', got '$got'" >&2
        exit 1
    fi
    echo "run-examples: call-node $*: $got"
}
check "$alive@$host" "$alive@$host"
check "[1,2,3,4,5]" "$alive@$host" lists seq 1 5
if RELEASE_COOKIE="wrong$cookie" "$bin" "$alive@$host" >/dev/null 2>"$tmp/err"; then
    echo "run-examples: call-node with a wrong cookie succeeded" >&2; exit 1
fi
grep -q "cookie" "$tmp/err" || { echo "run-examples: unexpected error: $(cat "$tmp/err")" >&2; exit 1; }
grep -q "wrong$cookie" "$tmp/err" && { echo "run-examples: the cookie was printed" >&2; exit 1; }
echo "run-examples: ok"
