# Generates elixir-<version>-atoms.tsv: how this Elixir's own `inspect/2` prints atoms whose quoting depends on the
# release's String.Tokenizer (its Unicode data and its mixed-script rule), as an atom, as a keyword key and as the
# function of an export fun. Run it with the release the vectors are for:
#
#     cd Tests/TermSyntaxTests/Fixtures
#     elixir elixir-atom-quoting.exs > elixir-1.14.0-atoms.tsv
#     /tmp/elixir-1.15/bin/elixir elixir-atom-quoting.exs > elixir-1.15.8-atoms.tsv     (and 1.16.3, 1.17.3, 1.18.0)
#
# (1.15-1.18 built with `make compile` from their tags, on the OTP 25 installed here). With a path to a tokenizer.ex
# it first loads that file over String.Tokenizer; elixir-1.19.5-atoms.tsv was made that way from v1.19.5's
# lib/elixir/unicode/tokenizer.ex (with the data files next to it) on 1.18.0, whose Macro.inspect_atom/2,
# Code.Identifier and Inspect.Atom behave as 1.19.5's (v1.18.0..v1.19.5 changes only comments there and how :..// is
# spelled), since 1.19 needs OTP 26:
#
#     mkdir /tmp/elixir-v1.19.5
#     git --git-dir=ELIXIR_GIT_DIR archive v1.19.5 lib/elixir/unicode | tar -x -C /tmp/elixir-v1.19.5
#     /tmp/elixir-1.18/bin/elixir elixir-atom-quoting.exs /tmp/elixir-v1.19.5/lib/elixir/unicode/tokenizer.ex \
#         > elixir-1.19.5-atoms.tsv
#
# The first line names the release, OTP and the tokenizer; then one line per atom, tab-separated: the atom's code
# points (hex), inspect(atom), inspect([{atom, 1}]), inspect(Function.capture(:m, atom, 0)).

{tokenizer, unicode} =
  case System.argv() do
    [path] ->
      Code.put_compiler_option(:ignore_module_conflict, true)
      Code.compile_file(path)
      proplist = path |> Path.dirname() |> Path.join("PropList.txt") |> File.read!()
      [version] = Regex.run(~r/^# PropList-(\d+\.\d+\.\d+)\.txt/, proplist, capture: :all_but_first)
      {path, version}

    [] ->
      {"its own", String.Unicode.version() |> Tuple.to_list() |> Enum.join(".")}
  end

atoms = [
  # Mixed scripts in `_`-separated chunks (Elixir 1.18+), and mixes no release takes
  # (lib/elixir/test/elixir/kernel/string_tokenizer_test.exs v1.18.0:118-146)
  "http_сервер",
  "сервер_http",
  "T_シャツ",
  "Тシャツ",
  "аdmin",
  "аdmin_",
  "http_cервер",
  "сервер_日本",
  "a_b_сервер_日本_c",
  "_сервер",
  "сервер_",
  "a__сервер",
  # Highly restrictive sets (Latin with Japanese, Han with Bopomofo or Korean; Elixir 1.14-1.17)
  "a日本",
  "aシャツ",
  "a한",
  "日本a",
  "幻ㄒㄧㄤ",
  "幻ㄒㄧㄤ1",
  "幻한",
  "幻한1",
  "__सवव_1?",
  # NFKC (µ becomes μ) and NFC
  "μs",
  "µs",
  "e\u0301",
  "е\u0301",
  "日\u0301",
  "a·b",
  "日·本",
  "ア・イ",
  # Characters whose identifier status changed between the Unicode versions
  "ĕ",
  "Ĕ",
  "aĕ",
  "\u{31350}",
  "a\u{31350}",
  "\u{2EBF0}",
  "\u{323B0}",
  "\u{1DF25}",
  "\uA7AE",
  "ಕ\u0CF3",
  "ກ\u0ECE",
  "ಕ೧",
  "a\u02BCb",
  "こんにちは世界",
  "ólá",
  "Ólá",
  "ÓLÁ?",
  "ól@",
  "บูมเมอแรง"
]

hex = fn s -> s |> String.to_charlist() |> Enum.map_join(" ", &Integer.to_string(&1, 16)) end

IO.puts(
  "# Elixir #{System.version()} (OTP #{System.otp_release()}), String.Tokenizer: #{tokenizer} (Unicode #{unicode})"
)

for s <- atoms do
  atom = String.to_atom(s)
  fun = Function.capture(:m, atom, 0)
  IO.puts(Enum.join([hex.(s), inspect(atom), inspect([{atom, 1}]), inspect(fun)], "\t"))
end
