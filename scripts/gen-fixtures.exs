# Writes Tests/ErlangTermTests/Fixtures/golden.txt: golden External Term Format vectors from a real BEAM.
#
#     elixir scripts/gen-fixtures.exs
#
# One line per vector, tab-separated:
#
#     name  annotation  hex  description
#
# - annotation: the tag names in the vector, then one of
#     canonical   hex is exactly term_to_binary(T, [{minor_version, 2}]): re-encoding must give the same bytes
#     compressed  hex is term_to_binary(T, [compressed, {minor_version, 2}]) (zlib level 6)
#     legacy      built by hand (old tags, non-normalised forms); checked with binary_to_term, decode only
# - hex: the bytes, version byte included
# - description: inspect(T) of what binary_to_term gives, for humans
#
# Hand-built vectors are checked here with :erlang.binary_to_term/1; canonical ones are checked to be a fixed point
# of term_to_binary(binary_to_term(B), [{minor_version, 2}]).

defmodule GoldenFuns do
  def plain, do: fn x -> x + 1 end
  def closure(y), do: fn x -> {x, y} end
end

defmodule Golden do
  import Bitwise

  def t2b(t), do: :erlang.term_to_binary(t, [{:minor_version, 2}])

  def atom(name) when is_binary(name) do
    if byte_size(name) < 256,
      do: <<119, byte_size(name)>> <> name,
      else: <<118, byte_size(name)::16>> <> name
  end

  def v(b), do: <<131>> <> b

  def legacy_float(f) do
    s = :erlang.float_to_binary(f, [{:scientific, 20}])
    <<99>> <> s <> :binary.copy(<<0>>, 31 - byte_size(s))
  end

  def canonical do
    huge = 2 ** 100_000 + 12345

    [
      {"small_int_0", 0},
      {"small_int_255", 255},
      {"int_256", 256},
      {"int_minus_1", -1},
      {"int32_max", 2 ** 31 - 1},
      {"int32_min", -(2 ** 31)},
      {"big_2_31", 2 ** 31},
      {"big_minus_2_31_minus_1", -(2 ** 31) - 1},
      {"big_2_63_minus_1", 2 ** 63 - 1},
      {"big_2_63", 2 ** 63},
      {"big_minus_2_63", -(2 ** 63)},
      {"big_minus_2_63_minus_1", -(2 ** 63) - 1},
      {"big_2_64", 2 ** 64},
      {"big_2_70", 2 ** 70},
      {"big_minus_2_70", -(2 ** 70)},
      {"big_255_bytes", 2 ** 2040 - 1},
      {"large_big_256_bytes", 2 ** 2040},
      {"large_big_negative", -(2 ** 3000)},
      {"large_big_huge", huge},
      {"float_1_5", 1.5},
      {"float_zero", 0.0},
      {"float_negative_zero", -0.0},
      {"float_min_subnormal", 5.0e-324},
      {"float_max", 1.7976931348623157e308},
      {"float_negative_max", -1.7976931348623157e308},
      {"atom_ok", :ok},
      {"atom_empty", :""},
      {"atom_unicode", :"日本語"},
      {"atom_latin1", :"é"},
      {"atom_255_ascii", String.to_atom(String.duplicate("a", 255))},
      {"atom_255_checkmarks", String.to_atom(String.duplicate("✓", 255))},
      {"atom_emoji", :"emoji😀"},
      {"nil", []},
      {"charlist", 'hello'},
      {"charlist_bytes", [0, 1, 255]},
      {"list_unicode_charlist", 'héllo✓'},
      {"list_mixed", [1, :a, "b"]},
      {"improper_list", [1, 2 | 3]},
      {"improper_alias", [:alias | :ok]},
      {"binary_empty", ""},
      {"binary_string", "héllo"},
      {"binary_bytes", <<0, 1, 2, 255>>},
      {"bitstring_3", <<5::3>>},
      {"bitstring_9", <<255, 1::1>>},
      {"tuple_empty", {}},
      {"tuple_pair", {:ok, 1}},
      {"large_tuple", List.to_tuple(Enum.to_list(1..300))},
      {"map_empty", %{}},
      {"map_small", %{a: 1, b: "two", c: [3]}},
      {"map_mixed_keys", %{1 => :int, 1.0 => :float, "s" => :bin, {1} => :tuple, [1] => :list}},
      {"map_40_keys", Map.new(1..40, fn i -> {i, i * i} end)},
      {"map_nested", %{outer: %{inner: {1, [2, %{}]}}}},
      {"nested", {:a, [{:b, %{c: [1, 2 | :d]}}, <<1::1>>], -5}},
      {"string_65535", List.duplicate(7, 65535)},
      {"list_65536_bytes", List.duplicate(7, 65536)},
      {"local_pid", :erlang.list_to_pid(~c"<0.42.0>")},
      {"local_port", :erlang.list_to_port(~c"#Port<0.7>")},
      {"local_ref", :erlang.list_to_ref(~c"#Ref<0.1.2.3>")},
      {"export_fun", &:lists.map/2},
      {"export_fun_elixir", &Enum.map/2},
      {"local_fun", GoldenFuns.plain()},
      {"local_fun_closure", GoldenFuns.closure({:captured, "value"})},
      {"keyword_list", [name: "x", count: 3]}
    ]
  end

  # Remote pids/ports/refs: built as bytes naming another node, then canonicalised by the BEAM.
  def remote do
    node = atom("other@host")
    unode = atom("ñode@hôst")

    [
      {"remote_pid", v(<<88>> <> node <> <<123::32, 45::32, 0xDEADBEEF::32>>)},
      {"remote_pid_unicode_node", v(<<88>> <> unode <> <<1::32, 2::32, 3::32>>)},
      {"remote_pid_full_32_bits", v(<<88>> <> node <> <<0xFFFFFFFF::32, 0xFFFFFFFF::32, 1::32>>)},
      {"remote_port", v(<<89>> <> node <> <<77::32, 5::32>>)},
      {"remote_v4_port", v(<<120>> <> node <> <<(1 <<< 40) + 9::64, 5::32>>)},
      {"remote_ref", v(<<90, 3::16>> <> node <> <<7::32, 1::32, 2::32, 3::32>>)},
      {"remote_ref_5_words", v(<<90, 5::16>> <> node <> <<7::32, 1::32, 2::32, 3::32, 4::32, 5::32>>)}
    ]
  end

  def legacy do
    node = atom("other@host")
    lnode = <<100, 10::16>> <> "other@host"

    [
      {"ATOM_EXT", "legacy_atom_ext", v(<<100, 5::16>> <> "hello")},
      {"ATOM_EXT", "legacy_atom_ext_latin1", v(<<100, 2::16, 233, 255>>)},
      {"SMALL_ATOM_EXT", "legacy_small_atom_ext", v(<<115, 3, "abc">>)},
      {"SMALL_ATOM_EXT", "legacy_small_atom_ext_latin1", v(<<115, 1, 233>>)},
      {"ATOM_UTF8_EXT", "noncanonical_atom_utf8_short", v(<<118, 2::16, "ok">>)},
      {"FLOAT_EXT", "legacy_float_ext", v(legacy_float(1.5))},
      {"FLOAT_EXT", "legacy_float_ext_negative", v(legacy_float(-2.5e-300))},
      {"SMALL_BIG_EXT", "noncanonical_big_leading_zeros", v(<<110, 4, 0, 5, 0, 0, 0>>)},
      {"SMALL_BIG_EXT", "noncanonical_big_zero_length", v(<<110, 0, 0>>)},
      {"SMALL_BIG_EXT", "noncanonical_big_fits_int", v(<<110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0x80>>)},
      {"LARGE_BIG_EXT", "noncanonical_large_big_small_value", v(<<111, 2::32, 0, 1, 1>>)},
      {"INTEGER_EXT", "noncanonical_integer_small", v(<<98, 5::32>>)},
      {"LIST_EXT+STRING_EXT", "noncanonical_list_string_tail", v(<<108, 1::32, 97, 1, 107, 2::16, 2, 3>>)},
      {"LIST_EXT+NIL_EXT", "noncanonical_list_ext_of_bytes", v(<<108, 2::32, 97, 1, 97, 2, 106>>)},
      {"LIST_EXT", "noncanonical_list_ext_empty_with_tail", v(<<108, 0::32, 97, 1>>)},
      {"BIT_BINARY_EXT", "noncanonical_bit_binary_8_bits", v(<<77, 2::32, 8, 1, 2>>)},
      {"BIT_BINARY_EXT", "noncanonical_bit_binary_dirty_bits", v(<<77, 1::32, 3, 0xFF>>)},
      {"BIT_BINARY_EXT", "noncanonical_bit_binary_empty", v(<<77, 0::32, 0>>)},
      {"LARGE_TUPLE_EXT", "noncanonical_large_tuple_small", v(<<105, 1::32, 97, 1>>)},
      {"MAP_EXT", "noncanonical_map_unsorted", v(<<116, 2::32, 119, 1, "b", 97, 2, 119, 1, "a", 97, 1>>)},
      {"PID_EXT", "legacy_pid_ext", v(<<103>> <> node <> <<1::32, 2::32, 3>>)},
      {"PID_EXT", "legacy_pid_ext_atom_ext_node", v(<<103>> <> lnode <> <<1::32, 2::32, 3>>)},
      {"PORT_EXT", "legacy_port_ext", v(<<102>> <> node <> <<9::32, 2>>)},
      {"V4_PORT_EXT", "noncanonical_v4_port_small_id", v(<<120>> <> node <> <<9::64, 2::32>>)},
      {"REFERENCE_EXT", "legacy_reference_ext", v(<<101>> <> node <> <<42::32, 1>>)},
      {"NEW_REFERENCE_EXT", "legacy_new_reference_ext", v(<<114, 3::16>> <> node <> <<2, 1::32, 2::32, 3::32>>)},
      {"NEWER_REFERENCE_EXT", "noncanonical_newer_reference_1_word", v(<<90, 1::16>> <> node <> <<2::32, 9::32>>)}
    ]
  end

  def tags(<<131, 80, _::binary>>), do: "COMPRESSED"
  def tags(<<131, tag, _::binary>>), do: tag_name(tag)

  def tag_name(t) do
    %{97 => "SMALL_INTEGER_EXT", 98 => "INTEGER_EXT", 110 => "SMALL_BIG_EXT", 111 => "LARGE_BIG_EXT",
      70 => "NEW_FLOAT_EXT", 119 => "SMALL_ATOM_UTF8_EXT", 118 => "ATOM_UTF8_EXT", 106 => "NIL_EXT",
      107 => "STRING_EXT", 108 => "LIST_EXT", 109 => "BINARY_EXT", 77 => "BIT_BINARY_EXT",
      104 => "SMALL_TUPLE_EXT", 105 => "LARGE_TUPLE_EXT", 116 => "MAP_EXT", 88 => "NEW_PID_EXT",
      89 => "NEW_PORT_EXT", 120 => "V4_PORT_EXT", 90 => "NEWER_REFERENCE_EXT", 113 => "EXPORT_EXT",
      112 => "NEW_FUN_EXT"}[t] || "TAG_#{t}"
  end

  def describe(t) do
    text = inspect(t, limit: 8, printable_limit: 40)
    if String.length(text) > 120, do: String.slice(text, 0, 100) <> "…(#{String.length(text)} characters)", else: text
  end

  def line(name, annotation, bin, term) do
    Enum.join([name, annotation, Base.encode16(bin, case: :lower), describe(term)], "\t")
  end

  def main do
    canonical_lines =
      for {name, term} <- canonical() do
        bin = t2b(term)
        ^bin = t2b(:erlang.binary_to_term(bin))
        line(name, tags(bin) <> " canonical", bin, term)
      end

    remote_lines =
      for {name, hand} <- remote() do
        term = :erlang.binary_to_term(hand)
        bin = t2b(term)
        ^bin = t2b(:erlang.binary_to_term(bin))
        line(name, tags(bin) <> " canonical", bin, term)
      end

    compressed_lines =
      for {name, term} <- [
            {"compressed_list", Enum.to_list(1..200) ++ List.duplicate(:hello, 50)},
            {"compressed_binary", :binary.copy("abc", 1000)},
            {"compressed_map", Map.new(1..40, fn i -> {i, :value} end)}
          ] do
        bin = :erlang.term_to_binary(term, [:compressed, {:minor_version, 2}])
        <<131, 80, _::binary>> = bin
        ^term = :erlang.binary_to_term(bin)
        line(name, "COMPRESSED compressed", bin, term)
      end

    legacy_lines =
      for {tag, name, bin} <- legacy() do
        term = :erlang.binary_to_term(bin)
        line(name, tag <> " legacy", bin, term)
      end

    header = [
      "# Golden ETF vectors from OTP #{System.otp_release()} / Elixir #{System.version()}.",
      "# Generated by scripts/gen-fixtures.exs; do not edit by hand.",
      "# name<TAB>tags canonical|compressed|legacy<TAB>hex<TAB>inspect of the term"
    ]

    path = Path.join([__DIR__, "..", "Tests", "ErlangTermTests", "Fixtures", "golden.txt"])
    File.mkdir_p!(Path.dirname(path))
    lines = header ++ canonical_lines ++ remote_lines ++ compressed_lines ++ legacy_lines
    File.write!(path, Enum.join(lines, "\n") <> "\n")
    IO.puts("wrote #{length(lines) - length(header)} vectors to #{Path.expand(path)}")
  end
end

Golden.main()
