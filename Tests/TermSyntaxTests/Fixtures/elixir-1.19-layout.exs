# Generates elixir-1.19.5-layout.jsonl: the pretty layout of Elixir 1.19's `Inspect.Algebra.format/2` (the
# `:group_over` rule of commit 148135988c, "Fix flex break at group end"), which cannot be run here as a whole
# release (1.19 needs OTP 26). Elixir 1.18 builds the document with its own `to_doc/2` (for these terms, lists and
# tuples of small integers and atoms, the documents of 1.18 and 1.19 are the same); algebra.ex from tag v1.19.5,
# loaded under another module name, lays it out. Run:
#
#     git -C <elixir mirror> show v1.19.5:lib/elixir/lib/inspect/algebra.ex > /tmp/algebra-1.19.5.ex
#     /tmp/elixir-1.18/bin/elixir Tests/TermSyntaxTests/Fixtures/elixir-1.19-layout.exs /tmp/algebra-1.19.5.ex \
#         > Tests/TermSyntaxTests/Fixtures/elixir-1.19.5-layout.jsonl

[path] = System.argv()
source = File.read!(path) |> String.replace("defmodule Inspect.Algebra do", "defmodule Algebra119 do")
Code.compile_string(source, path)

defmodule Convert do
  # 1.18 documents to 1.19's representation: doc_cons is an improper list, doc_nil is [], groups are :normal.
  def c({:doc_group, x, :self}), do: {:doc_group, c(x), :normal}
  def c({:doc_cons, l, r}), do: [c(l) | c(r)]
  def c(:doc_nil), do: []
  def c(t) when is_tuple(t), do: t |> Tuple.to_list() |> Enum.map(&c/1) |> List.to_tuple()
  def c(t), do: t
end

vectors = [
  {~S'{{1, 2, 3, 4, 5, 6}, :b}', 10},
  {~S'[[1, 2, 3, 4, 5, 6], :b]', 10},
  {~S'{:ok, {1, 2, 3, 4, 5}}', 10},
  {~S'{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {:a, :b}, :c}', 20},
  {~S'{:x, {100, 200, 300, 400, 500}, [1, 2]}', 16},
  {~S'%{a: {1, 2, 3, 4, 5, 6, 7}}', 12},
  {~S'{{{1, 2, 3, 4, 5, 6, 7}}}', 9}
]

IO.puts(JSON.encode!(%{elixir: "1.19.5 Inspect.Algebra.format/2 on Elixir #{System.version()} documents",
  generator: "Tests/TermSyntaxTests/Fixtures/elixir-1.19-layout.exs"}))

for {expr, width} <- vectors do
  {term, _} = Code.eval_string(expr)
  doc = Inspect.Algebra.group(Inspect.Algebra.to_doc(term, %Inspect.Opts{pretty: true, width: width}))
  old = IO.iodata_to_binary(Inspect.Algebra.format(doc, width))
  new = IO.iodata_to_binary(Algebra119.format(Convert.c(doc), width))

  IO.puts(JSON.encode!(%{expr: expr, width: width, etf: Base.encode16(:erlang.term_to_binary(term)),
    elixir_1_18: old, elixir_1_19: new}))
end
