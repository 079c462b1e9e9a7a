#!/usr/bin/env bash
# Row 0 of make bench: the executable `make install` ships, stripped as `install -s` strips it — its size against the
# 20 MB target, whether it needs any shared library at run time (ldd), and whether ICU's data table (34 MB, brought in
# by Foundation) is in it. Appends to $BENCH_RESULTS when set.
#
#   scripts/bench-size.sh [BINARY]     (default: the release build's beamconsole, or BEAMCONSOLE_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-${BEAMCONSOLE_BIN:-$(BEAMCONSOLE_RELEASE_LAYOUT=1 swift build -c release --show-bin-path)/beamconsole}}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
install -s -m 755 "$bin" "$work/beamconsole"
bytes=$(stat -c %s "$work/beamconsole")
mb=$(python3 -c "print(round($bytes / 1048576, 1))")
lddout="$(ldd "$work/beamconsole" 2>&1 || true)"
if grep -q 'not a dynamic executable' <<<"$lddout"; then deps="none"; else
    deps="$(awk '{print $1}' <<<"$lddout" | tr '\n' ' ' | sed 's/ $//')"; fi
# ICU's data lives in a symbol named icudt<version>_dat; the stripped file has no symbols, so look in the unstripped one.
if (nm "$bin" 2>/dev/null || true) | grep -q 'icudt[0-9]*_dat'; then icu="yes"; else icu="no"; fi
met=$([ "$bytes" -le $((20 * 1048576)) ] && [ "$deps" = none ] && echo yes || echo no)
echo "installed stripped executable: $mb MB ($bytes bytes); shared libraries at run time: $deps; ICU data: $icu"
# A stale link order costs RSS with nothing to show it (issue 18: 5 MB once): say how much of it still names
# functions of this binary (the unstripped one has the symbol table).
order=Resources/link/beamconsole.order
if [ -f "$order" ]; then
    found=$( (nm --defined-only "$bin" 2>/dev/null || true) | awk '{print $NF}' | sort -u | comm -12 - <(sort -u "$order") | wc -l)
    echo "link order: $found of $(sort -u "$order" | wc -l) names in $order are functions of this binary" \
        "(regenerate with scripts/gen-link-order.sh when many are missing)"
fi
if [ -n "${BENCH_RESULTS:-}" ]; then
    # The anchor column holds what the size does not say: the run-time libraries and whether ICU's data is in.
    printf '0\tinstalled stripped executable (MB)\t%s\tlibraries: %s; ICU data: %s\t—\t<= 20 MB, no libraries\t%s\n' \
        "$mb" "$deps" "$icu" "$met" >>"$BENCH_RESULTS"
fi
