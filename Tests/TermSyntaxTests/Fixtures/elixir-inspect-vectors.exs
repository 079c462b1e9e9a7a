# Generates elixir-<version>-inspect.jsonl: for each expression below, the term's external format
# (`:erlang.term_to_binary/1`, hex) and what this Elixir's own `inspect/2` prints, plain and with `pretty: true`
# (width 80), with the options given. Run it with the release the vectors are for, giving the git tag it was built
# from, e.g.
#
#     /tmp/elixir-1.18/bin/elixir Tests/TermSyntaxTests/Fixtures/elixir-inspect-vectors.exs v1.18.0 \
#         > Tests/TermSyntaxTests/Fixtures/elixir-1.18.0-inspect.jsonl
#
# (Elixir built with `make compile` from its tag, on the OTP 25 installed here). The first line says which release
# (`System.version/0`), tag and OTP release produced the file; when the Elixir tree is a git checkout, the tag is
# read from it and must agree with the one given. Runs on Elixir 1.15+: the JSON is written by `Vectors.json/1`
# below (the shapes this script emits, byte for byte what 1.18's `JSON.encode!/1` writes for them on OTP 25, which
# is checked wherever the `JSON` module exists). Expressions a release cannot build (Duration, and years outside
# -9999..9999, before 1.17) are left out of its file, with a note on stderr.

vectors = [
  # charlists (Elixir 1.15+: ~c"...")
  {~S'~c"abc"', []},
  {~S|~c"a\"b'c"|, []},
  {~S'[0]', [charlists: :as_charlists]},
  {~S'~c"john\0doe"', [charlists: :as_charlists]},
  {~S'~c"hello world"', [printable_limit: 4]},
  {~S':os.type()', []},
  {~S'[~c"abc", ~c"de", [1, 2]]', []},
  {~S'~c"#{1}"', []},
  # MapSet (Elixir 1.15+: no :version key)
  {~S'MapSet.new([1, 2])', []},
  {~S'MapSet.new([~c"ab", :a, {1, 2}])', []},
  {~S'MapSet.new()', []},
  {~S'MapSet.new(1..40)', []},
  {~S'MapSet.new(1..60)', [pretty: true]},
  # Regex (Elixir 1.17+: opts is a list)
  {~S'~r/foo/', []},
  {~S'~r/foo/i', []},
  {~S'~r/foo/m', []},
  {~S'~r/foo/sU', []},
  {~S'~r/foo/imxf', []},
  {~S'~r/\#{2,}/iu', []},
  {~S'~r/a\/b\\c/', []},
  {~S'~r/\n\t"/', []},
  {~S'Regex.compile!("foo", [:ucp])', []},
  {~S'Regex.compile!("foo", [:caseless, :anchored])', []},
  # Duration (Elixir 1.17+)
  {~S'Duration.new!(hour: 5, minute: 3)', [], "~> 1.17"},
  {~S'Duration.new!(year: 1, month: -2, week: 3, day: 4, microsecond: {1000, 3})', [], "~> 1.17"},
  {~S'%Duration{}', [], "~> 1.17"},
  # Dates with years outside -9999..9999 (Date: 1.17+, NaiveDateTime and DateTime: 1.18+; Calendar.ISO builds
  # them from 1.17, iso.ex v1.16.3:233 `is_year(year) when year in -9999..9999`)
  {~S'Date.new!(10000, 1, 1)', [], "~> 1.17"},
  {~S'Date.new!(-10000, 12, 31)', [], "~> 1.17"},
  {~S'~D[2024-02-29]', []},
  {~S'NaiveDateTime.new!(10000, 1, 2, 3, 4, 5)', [], "~> 1.17"},
  {~S'NaiveDateTime.new!(10000, 1, 2, 3, 4, 5, {123, 3})', [], "~> 1.17"},
  {~S'DateTime.new!(Date.new!(10000, 1, 1), ~T[00:00:00])', [], "~> 1.17"},
  {~S'DateTime.new!(Date.new!(-10000, 1, 1), ~T[01:02:03.5])', [], "~> 1.17"},
  {~S'~U[2024-01-01 00:00:00Z]', []},
  {~S'~N[2024-01-01 00:00:00.123]', []},
  # invisible and special-space characters (Elixir 1.18+: \uXXXX)
  {~S'"a\u00A0b"', []},
  {~S'"\u2063"', []},
  {~S'"\u200B\u200C\u200D\u034F\u2060\uFEFF"', []},
  {~S'"\u061C\u200E\u200F\u202A\u202E\u2066\u2069\u2061\u2064\uFFF9\uFFFC"', []},
  {~S'"\u2000\u2005\u200A\u205F\u2028\u2029"', []},
  {~S'[0x200B, 0xA0]', [charlists: :as_charlists]},
  {~S':"a\u00A0b"', []},
  {~S'[{:"\u2028", 1}]', []},
  {~S'%{"k\u00A0" => :"\u200B"}', []},
  # limits (up to 1.18 the limit is per level)
  {~S'Enum.reduce(1..5, [0], &[&2, &1])', [limit: 5]},
  {~S'Enum.reduce(1..5, [0], &[&2, &1])', [limit: 10]},
  {~S'Enum.reduce(1..100, [0], &[&2 | &1])', [limit: 5]},
  {~S'Enum.to_list(1..120)', []},
  {~S'[<<1, 2, 3, 4, 5, 6>>, [1, 2, 3], {:a, :b}]', [limit: 4]},
  {~S'%{a: [1, 2, 3], b: {1, 2, 3}, c: %{d: 1, e: 2}}', [limit: 3]},
  # binaries: :as_strings wins over base from 1.15
  {~S'"hi"', [binaries: :as_strings, base: :hex]},
  {~S'[10, "ab"]', [base: :hex]},
  # maps (OTP 25 sorts small maps) and layout
  {~S'%{b: 1, a: 2, c: [1, 2, 3]}', []},
  {~S'%{"b" => 1, :a => 2, 3 => :c}', []},
  {~S'Map.new(1..40, &{&1, &1 * 2})', []},
  {~S'[a: "a long string to make the keyword list break", b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], c: %{x: 1}]', []},
  {~S'{:ok, [%{id: 1, name: "first name here", tags: ["a", "b", "c"]}, %{id: 2, name: "second", tags: []}]}', []},
  {~S'Enum.map(1..30, &{&1, "item #{&1}"})', []},
  {~S'{1, {2, {3, {4, {5, {6, {7, {8, {9, {10, {11, {12, {13, {14, {15, {16, {17, {18, {19, {20, 21}}}}}}}}}}}}}}}}}}}}', []},
  {~S'%URI{scheme: "https", host: "example.com", port: 443, path: "/a b"}', []},
  {~S'Version.parse!("1.2.3-rc.1+build")', []},
  {~S'1..10//3', []},
  {~S'[1.0, -0.0, 1.0e20, 0.1, 3.14159]', []},
  {~S'[:ok, :"foo bar", Foo.Bar, :+, :"::", nil, true]', []},
  {~S'<<1, 2, 3::4>>', []}
]

defmodule Vectors do
  def opts_json(opts) do
    Map.new(opts, fn {k, v} -> {k, if(is_atom(v), do: Atom.to_string(v), else: v)} end)
  end

  # JSON for maps with atom or string keys, strings and integers: keys in the order OTP 25's `maps:to_list/1`
  # gives them (term order; these maps are small), no spaces, strings escaped as `:elixir_json.encode_binary/1`
  # (v1.18.0) does: `"`, `\` and the C0 controls (`\b \t \n \f \r`, else `\u00XX`), everything else as UTF-8.
  def json(map) when is_map(map) do
    fields = for {k, v} <- Enum.sort(map), do: [json(key(k)), ?:, json(v)]
    IO.iodata_to_binary([?{, Enum.intersperse(fields, ?,), ?}])
  end

  def json(int) when is_integer(int), do: Integer.to_string(int)

  def json(string) when is_binary(string) do
    true = String.valid?(string) || raise ArgumentError, "not UTF-8: #{inspect(string)}"
    IO.iodata_to_binary([?", for(<<c::utf8 <- string>>, do: escape(c)), ?"])
  end

  defp key(k) when is_atom(k), do: Atom.to_string(k)
  defp key(k) when is_binary(k), do: k

  defp escape(?"), do: ~S'\"'
  defp escape(?\\), do: ~S'\\'
  defp escape(?\b), do: ~S'\b'
  defp escape(?\t), do: ~S'\t'
  defp escape(?\n), do: ~S'\n'
  defp escape(?\f), do: ~S'\f'
  defp escape(?\r), do: ~S'\r'

  defp escape(c) when c < 0x20,
    do: "\\u" <> String.pad_leading(Integer.to_string(c, 16), 4, "0")

  defp escape(c), do: <<c::utf8>>

  def puts(map) do
    line = json(map)

    if Code.ensure_loaded?(JSON) and line != apply(JSON, :encode!, [map]) do
      raise "Vectors.json/1 and JSON.encode!/1 disagree on #{inspect(map)}"
    end

    IO.puts(line)
  end

  # The tag this Elixir was built from: the one given, checked against the checkout when there is one.
  def tag(argv) do
    root = Path.expand("../..", :code.lib_dir(:elixir))

    from_git =
      with true <- File.dir?(Path.join(root, ".git")),
           {out, 0} <- System.cmd("git", ["-C", root, "describe", "--tags", "--exact-match"]) do
        String.trim(out)
      else
        _ -> nil
      end

    tag =
      case {argv, from_git} do
        {[given], nil} -> given
        {[given], given} -> given
        {[], git} when is_binary(git) -> git
        {[given], git} -> raise "tag #{given} given, but #{root} is checked out at #{git}"
        _ -> raise "usage: elixir elixir-inspect-vectors.exs TAG"
      end

    if tag != "v" <> System.version() do
      raise "tag #{tag} does not match System.version() #{System.version()}"
    end

    tag
  end
end

Vectors.puts(%{
  elixir: System.version(),
  tag: Vectors.tag(System.argv()),
  otp: System.otp_release(),
  generator: "Tests/TermSyntaxTests/Fixtures/elixir-inspect-vectors.exs"
})

for vector <- vectors do
  {expr, opts, requirement} =
    case vector do
      {expr, opts} -> {expr, opts, nil}
      {expr, opts, requirement} -> {expr, opts, requirement}
    end

  if requirement && not Version.match?(System.version(), requirement) do
    IO.puts(:stderr, "left out (needs Elixir #{requirement}): #{expr}")
  else
    {term, _} = Code.eval_string(expr)
    plain_opts = Keyword.delete(opts, :pretty)

    Vectors.puts(%{
      expr: expr,
      opts: Vectors.opts_json(plain_opts),
      etf: Base.encode16(:erlang.term_to_binary(term)),
      plain: inspect(term, plain_opts),
      pretty: inspect(term, plain_opts ++ [pretty: true])
    })
  end
end
