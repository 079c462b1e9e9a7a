#!/usr/bin/env bash
# Regenerates Sources/TermSyntax/ElixirInspect+UnicodeTables.swift: which code points each supported Elixir
# release's String.Tokenizer accepts in identifiers and atoms (unicode_start/1, unicode_upper/1, unicode_continue/1),
# their script sets (codepoint_to_scriptset/1) and the mixed-script rule, for Elixir 1.14 (Unicode 14.0),
# 1.15 (15.0), 1.16-1.17 (15.1), 1.18 (16.0) and 1.19 (17.0).
#
#   scripts/gen-elixir-identifier-tables.sh [ELIXIR_GIT_DIR]
#
# ELIXIR_GIT_DIR is a clone (bare is fine) of elixir-lang/elixir with the tags below; default
# /work/.mirror/elixir-lang+elixir/repo. Each tag's lib/elixir/unicode/ (tokenizer.ex and the Unicode data files
# next to it) is compiled as it is on the local Elixir (1.14 or newer), under another module name and with the
# private functions above made public, and those functions are run over every code point; so the tables are what
# that release's own tokenizer computes, not a re-implementation of it. Patch releases of one minor release have the
# same lib/elixir/unicode/ tree (checked by the .exs), so one tag stands for each.
set -euo pipefail
cd "$(dirname "$0")/.."
git_dir="${1:-/work/.mirror/elixir-lang+elixir/repo}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
args=()
# tag standing for the releases | the releases | the other tags that must have the same lib/elixir/unicode/
for spec in "v1.14.5|1.14|v1.14.0" "v1.15.0|1.15|v1.15.8" "v1.16.0|1.16 1.17|v1.16.3 v1.17.0 v1.17.3" \
    "v1.18.0|1.18|v1.18.4" "v1.19.5|1.19|v1.19.0"; do
    IFS='|' read -r tag releases same <<<"$spec"
    tree="$(git --git-dir="$git_dir" rev-parse "$tag:lib/elixir/unicode")"
    for other in $same; do
        [ "$(git --git-dir="$git_dir" rev-parse "$other:lib/elixir/unicode")" = "$tree" ] ||
            { echo "$other's lib/elixir/unicode/ differs from $tag's" >&2; exit 1; }
    done
    mkdir -p "$tmp/$tag"
    git --git-dir="$git_dir" archive "$tag" lib/elixir/unicode | tar -x -C "$tmp/$tag"
    args+=("$tag" "$releases" "$tmp/$tag/lib/elixir/unicode")
done
elixir scripts/gen-elixir-identifier-tables.exs Sources/TermSyntax/ElixirInspect+UnicodeTables.swift "${args[@]}"
