# Writes the codec benchmark corpus and measures the BEAM's own codec on it.
#
#   elixir scripts/bench-corpus.exs OUTDIR [SECONDS_PER_ROW]
#
# For each row it writes OUTDIR/<name>.etf (term_to_binary with minor_version 2, as OTP emits over dist)
# and appends "<name> <bytes> <terms> <decode_ns_per_op> <encode_ns_per_op>" to OUTDIR/beam.txt.
[outdir | rest] = System.argv()
seconds = case rest do
  [s | _] -> String.to_float(s)
  [] -> 1.0
end
File.mkdir_p!(outdir)

count_terms = fn count_terms, t ->
  cond do
    is_list(t) ->
      {n, tail} = Enum.reduce_while(Stream.iterate(0, & &1), {0, t}, fn _, {n, l} ->
        case l do
          [h | rest] -> {:cont, {n + count_terms.(count_terms, h), rest}}
          _ -> {:halt, {n, l}}
        end
      end)
      1 + n + if(tail == [], do: 0, else: count_terms.(count_terms, tail))
    is_tuple(t) -> 1 + Enum.sum(Enum.map(Tuple.to_list(t), &count_terms.(count_terms, &1)))
    is_map(t) -> 1 + Enum.sum(Enum.map(Map.to_list(t), fn {k, v} -> count_terms.(count_terms, k) + count_terms.(count_terms, v) end))
    true -> 1
  end
end

self_pid = self()
ref = make_ref()
control = for i <- 1..1000, do: {2, :"", self_pid, i}
control_msgs = for i <- 1..1000, do: {6, self_pid, ref, :rex, {:"$gen_call", {self_pid, ref}, {:call, :erlang, :node, [], self_pid}}, i}

nested = Enum.reduce(1..500, :leaf, fn i, acc -> if rem(i, 2) == 0, do: [acc, i], else: {acc, i} end)
procs = Process.list() |> Enum.take(50) |> Enum.map(fn p -> Process.info(p, [:registered_name, :memory, :message_queue_len, :reductions, :status, :current_function, :initial_call, :heap_size, :stack_size]) end)

rows = [
  {"control_tuples", control_msgs},
  {"small_tuples", control},
  {"binary_1mb", :crypto.strong_rand_bytes(1_048_576)},
  {"int_list_100k", Enum.to_list(1_000..100_999)},
  {"map_heavy", %{memory: :erlang.memory(), procs: procs, info: %{otp: :erlang.system_info(:otp_release), schedulers: :erlang.system_info(:schedulers), names: Enum.map(1..200, &%{id: &1, name: "node-#{&1}", tags: [:a, :b], score: &1 * 1.5})}}},
  {"deep_nested", nested}
]

measure = fn fun ->
  # Warm up, then run batches until `seconds` have passed.
  fun.()
  {n, elapsed} = Enum.reduce_while(Stream.iterate(1, &(&1 * 2)), {0, 0}, fn batch, {n, us} ->
    {t, _} = :timer.tc(fn -> for _ <- 1..batch, do: fun.() end)
    n = n + batch
    us = us + t
    if us >= seconds * 1_000_000, do: {:halt, {n, us}}, else: {:cont, {n, us}}
  end)
  elapsed * 1000 / n
end

lines = for {name, term} <- rows do
  # Each row is one term; the control rows are lists of many small messages: we encode each message
  # on its own, as the dist layer does, and decode them one by one.
  {bins, terms} =
    if name in ["control_tuples", "small_tuples"] do
      {Enum.map(term, &:erlang.term_to_binary(&1, [{:minor_version, 2}])), term}
    else
      {[:erlang.term_to_binary(term, [{:minor_version, 2}])], [term]}
    end
  File.write!(Path.join(outdir, name <> ".etf"), Enum.map(bins, fn b -> <<byte_size(b)::32, b::binary>> end))
  bytes = Enum.sum(Enum.map(bins, &byte_size/1))
  nterms = Enum.sum(Enum.map(terms, &count_terms.(count_terms, &1)))
  dec = measure.(fn -> Enum.each(bins, &:erlang.binary_to_term/1) end)
  enc = measure.(fn -> Enum.each(terms, &:erlang.term_to_binary(&1, [{:minor_version, 2}])) end)
  "#{name} #{bytes} #{nterms} #{Float.round(dec, 1)} #{Float.round(enc, 1)}"
end
File.write!(Path.join(outdir, "beam.txt"), Enum.join(lines, "\n") <> "\n")
IO.puts("BEAM measured #{length(lines)} rows (OTP #{:erlang.system_info(:otp_release)})")
