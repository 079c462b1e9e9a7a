#!/usr/bin/env bash
# ETF codec throughput, ours vs the BEAM's own codec, on the same corpus, in one run.
#   scripts/bench-codec.sh [SECONDS_PER_ROW]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-1.0}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
swift build -c release --product etf-bench >/dev/null
elixir scripts/bench-corpus.exs "$dir" "$secs"
"$(swift build -c release --show-bin-path)/etf-bench" "$dir" "$secs"
