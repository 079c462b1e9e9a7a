#!/usr/bin/env bash
# Regenerates Resources/link/beamconsole.order: the functions a one-shot `call` and the REPL's start (connect, then
# end of input; then on a terminal, then `quit`) execute, as callgrind sees them in the current release build. The release link places them first
# (lld --symbol-ordering-file), so that these runs touch fewer text pages. Names that no longer exist are ignored
# by the linker; regenerate after large changes and compare RSS with scripts/bench-dist.sh.
#
#   scripts/gen-link-order.sh        (starts its own erl node; needs valgrind, erl, epmd, script)
set -euo pipefail
cd "$(dirname "$0")/.."
# Release builds as shipped: our modules compiled with function sections for the link order (Package.swift).
export BEAMCONSOLE_RELEASE_LAYOUT=1
swift build -c release --product beamconsole >/dev/null
bin="$(swift build -c release --show-bin-path)/beamconsole"
tmp="$(mktemp -d)"
alive="order$$"
cookie="order$RANDOM$RANDOM"
erl -sname "$alive" -setcookie "$cookie" -noshell -noinput </dev/null >/dev/null 2>&1 &
erl_pid=$!
trap 'kill "$erl_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do epmd -names 2>/dev/null | grep -q "^name $alive at" && break; sleep 0.1; done
node="$alive@$(hostname -s)"
strip --strip-debug -o "$tmp/bc" "$bin"   # valgrind cannot read the debug info; the symbol table stays
export RELEASE_COOKIE="$cookie"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$tmp/call.cg" "$tmp/bc" call "$node" 'erlang:node()' \
    >/dev/null 2>&1
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$tmp/repl.cg" "$tmp/bc" --connect "$node" \
    </dev/null >/dev/null 2>&1
# Callgrind names each object and function once, on the first line that mentions it (ob=/cob=, fn=/cfn=) and by
# number after that: a function first seen as a callee (cfn=) is named there only, so both kinds of line count.
# The REPL on a terminal too (libedit, the terminal's settings, the coloured prompt), as `make bench`'s prompt row
# starts it: `script` gives it a pty, and the typed `quit` ends it.
printf 'quit\n' | TERM=xterm script -qec "valgrind --tool=callgrind --demangle=no \
    --callgrind-out-file=$tmp/tty.cg $tmp/bc --connect $node" /dev/null >/dev/null 2>&1
python3 - "$tmp/call.cg" "$tmp/repl.cg" "$tmp/tty.cg" >Resources/link/beamconsole.order <<'PY'
import re, sys
seen, out = set(), []
for path in sys.argv[1:]:
    obs, fns, cur, callee_ob = {}, {}, None, None
    for line in open(path):
        line = line.rstrip("\n")
        m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3): obs[m.group(2)] = m.group(3)
            if m.group(1) == "ob": cur = obs.get(m.group(2))
            else: callee_ob = obs.get(m.group(2))
            continue
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
        if not m: continue
        if m.group(3): fns[m.group(2)] = m.group(3)
        ob = cur if m.group(1) == "fn" else (callee_ob or cur)
        callee_ob = None
        name = fns.get(m.group(2))
        if name and ob and ob.endswith("/bc"):
            name = re.sub(r"'\d+$", "", name)
            if name not in seen and not name.startswith("0x"):
                seen.add(name); out.append(name)
print("\n".join(out))
PY
wc -l Resources/link/beamconsole.order
# SwiftPM does not know the order file is an input of the link: remove the binary so that the next release build
# links again with the new order.
rm -f "$bin"
