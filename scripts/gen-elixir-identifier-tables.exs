# Writes the Swift tables of Sources/TermSyntax/ElixirInspect+UnicodeTables.swift; run through
# scripts/gen-elixir-identifier-tables.sh, which extracts each tag's lib/elixir/unicode/ and calls
#
#     elixir scripts/gen-elixir-identifier-tables.exs OUT.swift TAG "RELEASES" DIR [TAG "RELEASES" DIR ...]
#
# oldest release first. For each tag, DIR/tokenizer.ex (String.Tokenizer) is compiled as BeamconsoleGen.<tag> with
# unicode_upper/1, unicode_start/1, unicode_continue/1, normalize_start/1 and codepoint_to_scriptset/1 made public
# (nothing else changes), and those are run over every non-ASCII code point:
#
#   - class bits: 1 = unicode_start (may start an identifier), 2 = unicode_upper (starts an atom such as :Ólá),
#     4 = unicode_continue;
#   - script set: codepoint_to_scriptset/1, a bitmap over the tag's script sets (@indexed_scriptsets), or "every
#     script" (@top: Common and Inherited characters).
#
# Script sets are written in one numbering shared by all releases: the oldest release's bits as it numbers them,
# then one bit per group of newer script sets that every character and every constant of every release has or lacks
# together (merging them changes no intersection), so that they fit in 64 bits. The oldest release is stored whole;
# each newer one only as the code points whose class or script set differ from the release before it.
#
# The mixed-script rule comes with the tag: a tokenizer with @highly_restrictive (Elixir 1.14-1.17) accepts an
# identifier whose characters share no script when Latin plus Japanese, Han with Bopomofo or Korean covers them;
# one without it (chunks_single?/1, Elixir 1.18+) when each `_`-separated chunk has a common script.
#
# Before writing, the tables are read back (as ElixirIdentifierData reads them) and compared with what each
# tokenizer answered, code point by code point.

import Bitwise

[out | specs] = System.argv()

defmodule Gen do
  @max_extra 0xFFFF

  def load(tag, dir) do
    mod = "BeamconsoleGen.T" <> String.replace(tag, ".", "_")
    src = File.read!(Path.join(dir, "tokenizer.ex"))

    patched =
      src
      |> replace!("defmodule String.Tokenizer do", "defmodule #{mod} do")
      |> replace!("defp unicode_upper(", "def unicode_upper(")
      |> replace!("defp unicode_start(", "def unicode_start(")
      |> replace!("defp unicode_continue(", "def unicode_continue(")
      |> replace!("defp normalize_start(", "def normalize_start(")
      |> replace!("defp codepoint_to_scriptset(", "def codepoint_to_scriptset(")

    [body, ""] = Regex.split(~r/\nend\n*\z/, patched)

    patched =
      body <>
        """

          @beamconsole_gen_hr Module.get_attribute(__MODULE__, :highly_restrictive)
          def __beamconsole_gen__(:top), do: @top
          def __beamconsole_gen__(:scriptsets), do: @indexed_scriptsets
          def __beamconsole_gen__(:highly_restrictive), do: @beamconsole_gen_hr
        end
        """

    Code.compile_string(patched, Path.join(dir, "tokenizer_beamconsole_gen.ex"))
    m = Module.concat([mod])
    hr = m.__beamconsole_gen__(:highly_restrictive)
    chunks = String.contains?(src, "defp chunks_single?(")

    unless (hr != nil and not chunks) or (hr == nil and chunks) do
      raise "#{tag}: expected either @highly_restrictive or chunks_single?/1"
    end

    top = m.__beamconsole_gen__(:top)
    names = m.__beamconsole_gen__(:scriptsets)
    to_names = fn mask -> for {i, n} <- names, (mask &&& 1 <<< i) != 0, into: MapSet.new(), do: n end

    # The Swift side treats µ (U+00B5) by hand: it becomes μ with every script.
    {0x3BC, ^top} = m.normalize_start(0xB5)
    ^top = m.codepoint_to_scriptset(?_)
    1 = m.codepoint_to_scriptset(?a)
    ["Latin" | _] = for i <- 0..(map_size(names) - 1), do: names[i]

    chars =
      for c <- 0x80..0x10FFFF,
          bits =
            if(m.unicode_start(c) != 0, do: 1, else: 0) + if(m.unicode_upper(c) != 0, do: 2, else: 0) +
              if(m.unicode_continue(c) != 0, do: 4, else: 0),
          bits != 0,
          into: %{} do
        ss = m.codepoint_to_scriptset(c)
        {c, {bits, if(ss == top, do: :top, else: to_names.(ss))}}
      end

    [unicode] = Regex.run(~r/^# PropList-(\d+\.\d+\.\d+)\.txt/, File.read!(Path.join(dir, "PropList.txt")),
      capture: :all_but_first)

    %{
      tag: tag,
      unicode: unicode,
      names: names |> Map.values() |> MapSet.new(),
      order: for(i <- 0..(map_size(names) - 1), do: names[i]),
      hr: if(hr, do: Enum.map(hr, to_names), else: nil),
      chars: chars
    }
  end

  defp replace!(src, from, to) do
    if String.contains?(src, from), do: String.replace(src, from, to), else: raise("#{from} not found")
  end

  # Bits: the oldest release's numbering, then merged groups of the newer names.
  def numbering(versions) do
    [oldest | _] = versions
    base = oldest.order |> Enum.with_index() |> Map.new()

    # Every script set a character or a constant has (not "every script").
    sets =
      Enum.flat_map(versions, fn v ->
        (v.hr || []) ++ for({_, {_, s}} <- v.chars, s != :top, do: s)
      end)
      |> Enum.uniq()

    all = Enum.reduce(versions, MapSet.new(), &MapSet.union(&1.names, &2))
    signature = fn n -> for {s, i} <- Enum.with_index(sets), MapSet.member?(s, n), do: i end

    groups =
      all
      |> Enum.reject(&Map.has_key?(base, &1))
      |> Enum.group_by(signature)
      |> Map.values()
      |> Enum.map(&Enum.sort/1)
      |> Enum.sort()

    bits =
      groups
      |> Enum.with_index(map_size(base))
      |> Enum.reduce(base, fn {names, bit}, acc -> Enum.reduce(names, acc, &Map.put(&2, &1, bit)) end)

    if map_size(base) + length(groups) > 64, do: raise("more than 64 script-set bits")
    {bits, groups}
  end

  def mask(set, bits), do: Enum.reduce(set, 0, fn n, acc -> acc ||| 1 <<< Map.fetch!(bits, n) end)

  # code point => {class bits, mask or 0 for every script}
  def values(v, bits) do
    for {c, {cls, ss}} <- v.chars, into: %{}, do: {c, {cls, if(ss == :top, do: 0, else: mask(ss, bits))}}
  end

  # Entries {first, extra, value} over contiguous code points with the same value.
  def runs(map) do
    map
    |> Enum.sort()
    |> Enum.reduce([], fn
      {c, val}, [{first, extra, val} | rest] when c == first + extra + 1 and extra < @max_extra ->
        [{first, extra + 1, val} | rest]

      {c, val}, acc ->
        [{c, 0, val} | acc]
    end)
    |> Enum.reverse()
  end

  def delta(prev, cur) do
    for c <- Enum.uniq(Map.keys(prev) ++ Map.keys(cur)),
        Map.get(prev, c, {0, 0}) != Map.get(cur, c, {0, 0}),
        into: %{},
        do: {c, Map.get(cur, c, {0, 0})}
  end

  # Reads layers back as the Swift side does: the first layer (newest first) with an entry wins.
  def read_back(layers) do
    layers
    |> Enum.reverse()
    |> Enum.reduce(%{}, fn entries, acc ->
      Enum.reduce(entries, acc, fn {first, extra, val}, acc ->
        Enum.reduce(first..(first + extra), acc, &Map.put(&2, &1, val))
      end)
    end)
    |> Map.reject(fn {_, v} -> v == {0, 0} end)
  end
end

versions =
  for [tag, releases, dir] <- Enum.chunk_every(specs, 3) do
    IO.puts(:stderr, "#{tag}: compiling #{dir}/tokenizer.ex")
    tag |> Gen.load(dir) |> Map.put(:releases, String.split(releases))
  end

{bits, groups} = Gen.numbering(versions)
values = Enum.map(versions, &Gen.values(&1, bits))

masks =
  values
  |> Enum.flat_map(fn vals -> for {_, {_, m}} <- vals, m != 0, do: m end)
  |> Enum.uniq()
  |> Enum.sort()

mask_index = masks |> Enum.with_index(1) |> Map.new()
if length(masks) > 255, do: raise("more than 255 script sets")
indexed = fn vals -> Map.new(vals, fn {c, {cls, m}} -> {c, {cls, if(m == 0, do: 0, else: mask_index[m])}} end) end
ivalues = Enum.map(values, indexed)

layers =
  [hd(ivalues) |> Gen.runs()] ++
    (Enum.zip(ivalues, tl(ivalues)) |> Enum.map(fn {p, c} -> Gen.delta(p, c) |> Gen.runs() end))

names = ["base" <> String.replace(hd(hd(versions).releases), ".", "")] ++
  for v <- tl(versions), do: "delta" <> String.replace(hd(v.releases), ".", "")

# Check: every release's layers give back what its tokenizer answered.
for {{v, vals}, i} <- Enum.with_index(Enum.zip(versions, ivalues)) do
  back = layers |> Enum.take(i + 1) |> Enum.reverse() |> Gen.read_back()
  unless back == vals, do: raise("#{v.tag}: the tables do not read back")
end


hex = fn n -> "0x" <> Integer.to_string(n, 16) end
rel_name = fn v -> v.releases |> hd() |> String.replace(".", "") end
releases_text = fn v -> Enum.join(v.releases, ", ") end
[oldest | _] = versions
newest = List.last(versions)

# Items separated by ", ", as many to a line as fit in 120 columns.
pack = fn items ->
  items
  |> Enum.reduce([], fn
    item, [line | rest] when byte_size(line) + byte_size(item) + 2 <= 119 -> [line <> ", " <> item | rest]
    item, lines -> ["        " <> item | lines]
  end)
  |> Enum.reverse()
  |> Enum.join(",\n")
end

entry_lines = fn entries ->
  entries
  |> Enum.map(fn {first, extra, {cls, ss}} -> "(#{hex.(first)}, #{extra}, #{cls}, #{ss})" end)
  |> pack.()
end

version_doc =
  Enum.map_join(versions, "\n", fn v ->
    rule = if v.hr, do: "covered by a highly restrictive set", else: "in `_`-separated chunks"
    "//   Elixir #{releases_text.(v)}: #{v.tag}, Unicode #{v.unicode}, #{map_size(v.chars)} non-ASCII " <>
      "identifier characters;\n//     mixed scripts #{rule}"
  end)

bit_doc =
  groups
  |> Enum.with_index(length(oldest.order))
  |> Enum.map_join("\n", fn {ns, b} -> "    ///   bit #{b}: #{Enum.join(ns, ", ")}" end)

layer_decls =
  Enum.zip([layers, names, versions])
  |> Enum.with_index()
  |> Enum.map_join("\n\n", fn {{entries, name, v}, i} ->
    what =
      if i == 0,
        do: "Elixir #{releases_text.(v)}: every non-ASCII identifier character",
        else:
          "Elixir #{releases_text.(v)}: the code points whose entry differs from the release before (class 0: no " <>
            "longer\n    /// an identifier character)"

    "    /// #{what}; #{length(entries)} entries.\n" <>
      "    static let #{name}: [ElixirIdentifierData.Entry] = [\n" <> entry_lines.(entries) <> "\n    ]"
  end)

data_decls =
  versions
  |> Enum.with_index()
  |> Enum.map_join("\n", fn {v, i} ->
    ls = names |> Enum.take(i + 1) |> Enum.reverse() |> Enum.map(&"T.#{&1}") |> Enum.join(", ")
    hr = if v.hr, do: "[" <> Enum.map_join(v.hr, ", ", &hex.(Gen.mask(&1, bits))) <> "]", else: "[]"

    "    /// Elixir #{releases_text.(v)} (#{v.tag}'s lib/elixir/unicode/, Unicode #{v.unicode}).\n" <>
      "    static let elixir#{rel_name.(v)} = ElixirIdentifierData(\n" <>
      "        unicodeVersion: \"#{v.unicode}\", allScripts: #{hex.(Gen.mask(v.names, bits))},\n" <>
      "        highlyRestrictive: #{hr}, scriptChunks: #{v.hr == nil},\n" <>
      "        layers: [#{ls}])"
  end)

minor = fn r -> r |> String.split(".") |> List.last() end

switch_cases =
  versions
  |> Enum.map_join("\n", fn v ->
    cond do
      v == oldest -> "        case ...#{minor.(hd(v.releases))}: return .elixir#{rel_name.(v)}"
      v == newest -> "        default: return .elixir#{rel_name.(v)}"
      true -> "        case #{Enum.map_join(v.releases, ", ", minor)}: return .elixir#{rel_name.(v)}"
    end
  end)

swift = """
// Identifier character tables of String.Tokenizer (lib/elixir/unicode/tokenizer.ex and the Unicode data next to it)
// for each supported Elixir release, generated by scripts/gen-elixir-identifier-tables.sh, which compiles each tag's
// tokenizer.ex on a local Elixir and runs its unicode_start/1, unicode_upper/1, unicode_continue/1 and
// codepoint_to_scriptset/1 over every code point (Elixir: Copyright The Elixir Team, Apache License 2.0; Unicode
// data: Copyright Unicode, Inc., Unicode License v3). Do not edit by hand.
//
#{version_doc}

enum ElixirIdentifierTables {
    /// Script sets in one numbering for all releases: bit i < #{length(oldest.order)} is script set i of #{oldest.tag}'s
    /// String.Tokenizer (bit 0 Latin), then the newer script sets (grouped where every character and constant of
    /// every release has or lacks them together, which changes no intersection):
#{bit_doc}
    /// Entries refer to them by index; index 0 (not a set) stands for every script.
    static let scriptSets: [UInt64] = [
#{masks |> Enum.map(hex) |> then(&["0" | &1]) |> pack.()}
    ]

#{layer_decls}
}

extension ElixirIdentifierData {
    private typealias T = ElixirIdentifierTables

#{data_decls}

    /// The tables and rule of `release`'s tokenizer (a release before #{hd(oldest.releases)} gets #{hd(oldest.releases)}'s, one after #{hd(newest.releases)} gets
    /// #{hd(newest.releases)}'s).
    static func forRelease(_ release: PrinterProfile.ElixirVersion) -> ElixirIdentifierData {
        guard release.major == 1 else { return release.major < 1 ? .elixir#{rel_name.(oldest)} : .elixir#{rel_name.(newest)} }
        switch release.minor {
#{switch_cases}
        }
    }
}
"""

File.write!(out, swift)
IO.puts(:stderr, "wrote #{out}: #{length(masks)} script sets, layers of #{inspect(Enum.map(layers, &length/1))} entries")
