# The BEAM as a codec/printer oracle for beamconsole's tests (Sources/ErlangTestSupport/BeamOracle.swift).
#
# Line protocol on stdin/stdout, one request per line:
#
#     <op> <hex1>,<hex2>,...\n   ->   <hex1>,<hex2>,...\n
#
# Every item is hex (lower or upper case); every answer item is lower-case hex of the result, or "!" followed by
# the hex of a UTF-8 error message when that item failed. An empty item list answers an empty line. The script
# prints "ready" once at start and exits when stdin closes.
#
# Ops (T = :erlang.binary_to_term(item) unless said otherwise):
#   roundtrip       term_to_binary(T, [{minor_version, 2}])
#   compress        term_to_binary(T, [compressed, {minor_version, 2}])
#   inspect         inspect(T)                                  (UTF-8)
#   inspect_full    inspect(T, limit: :infinity, printable_limit: :infinity)
#   inspect_pretty  inspect(T, pretty: true, width: 80)
#   inspect_pretty_full  inspect(T, pretty: true, width: 80, limit: :infinity, printable_limit: :infinity)
#   fmt_p / fmt_w / fmt_tp   io_lib:format("~p" / "~w" / "~tp", [T]) as UTF-8
#   eval            item is UTF-8 Elixir code; answers term_to_binary(result, [{minor_version, 2}])
#   echo            the item unchanged (protocol check)
#   integer_ops     T = {A, B, K, F, E, Texts} (integers A, B; shift K >= 0; float F; exponent E >= 0; Texts a list of
#                   {Radix, Text} binaries): answers t2b of {integer_to_binary(A, R) for R in 10, 2, 7, 16, 36,
#                   A + B, A - B, A * B, A bsl K, A bsr K, compare(A, B), float(A) or :overflow, compare(A, F) by value,
#                   Integer.pow(A, E), t2b(A), [binary_to_integer(Text, Radix) for each of Texts]}; compare gives
#                   -1, 0 or 1

defmodule BeamconsoleOracle do
  def main do
    :io.setopts(:standard_io, binary: true, encoding: :latin1)
    IO.binwrite(:stdio, "ready\n")
    loop()
  end

  defp loop do
    case IO.binread(:stdio, :line) do
      :eof ->
        System.halt(0)

      {:error, _} ->
        System.halt(1)

      line ->
        line = String.trim_trailing(line, "\n")

        {op, rest} =
          case :binary.split(line, " ") do
            [op, rest] -> {op, rest}
            [op] -> {op, ""}
          end

        items = if rest == "", do: [], else: :binary.split(rest, ",", [:global])
        answers = Enum.map(items, &answer(op, &1))
        IO.binwrite(:stdio, [Enum.intersperse(answers, ","), "\n"])
        loop()
    end
  end

  defp answer(op, hex) do
    try do
      input = Base.decode16!(hex, case: :mixed)
      Base.encode16(run(op, input), case: :lower)
    rescue
      e -> fail(Exception.format(:error, e, []))
    catch
      kind, reason -> fail(Exception.format(kind, reason, []))
    end
  end

  defp fail(message), do: ["!", Base.encode16(IO.iodata_to_binary(message), case: :lower)]

  defp t2b(t), do: :erlang.term_to_binary(t, [{:minor_version, 2}])
  defp b2t(b), do: :erlang.binary_to_term(b)

  defp compare(x, y) do
    cond do
      x < y -> -1
      x == y -> 0
      true -> 1
    end
  end

  defp fmt(f, t), do: :unicode.characters_to_binary(:io_lib.format(f, [t]))

  defp run("roundtrip", b), do: t2b(b2t(b))
  defp run("compress", b), do: :erlang.term_to_binary(b2t(b), [:compressed, {:minor_version, 2}])
  defp run("inspect", b), do: inspect(b2t(b))
  defp run("inspect_full", b), do: inspect(b2t(b), limit: :infinity, printable_limit: :infinity)
  defp run("inspect_pretty", b), do: inspect(b2t(b), pretty: true, width: 80)
  defp run("inspect_pretty_full", b),
    do: inspect(b2t(b), pretty: true, width: 80, limit: :infinity, printable_limit: :infinity)
  defp run("fmt_p", b), do: fmt(~c"~p", b2t(b))
  defp run("fmt_w", b), do: fmt(~c"~w", b2t(b))
  defp run("fmt_tp", b), do: fmt(~c"~tp", b2t(b))
  defp run("eval", code), do: t2b(elem(Code.eval_string(code), 0))
  defp run("echo", b), do: b

  defp run("integer_ops", b) do
    {a, b, k, f, e, texts} = b2t(b)
    float =
      try do
        :erlang.float(a)
      rescue
        ArgumentError -> :overflow
      end

    t2b({
      Integer.to_string(a), Integer.to_string(a, 2), Integer.to_string(a, 7), Integer.to_string(a, 16),
      Integer.to_string(a, 36), a + b, a - b, a * b, Bitwise.bsl(a, k), Bitwise.bsr(a, k), compare(a, b), float,
      compare(a, f), Integer.pow(a, e), t2b(a), for({radix, text} <- texts, do: String.to_integer(text, radix))
    })
  end

  defp run(op, _), do: raise(ArgumentError, "unknown op #{inspect(op)}")
end

BeamconsoleOracle.main()
