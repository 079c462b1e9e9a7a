# The BEAM anchor for scripts/bench-dist.sh: a hidden Elixir node calling erlang:node() on TARGET N times
# sequentially and with K processes in flight, through :erpc.call and :rpc.call, each call timed with
# :erlang.monotonic_time. Prints `RESULT <method> <row> calls=... calls_per_s=... p50_us=... p99_us=...`.
#   elixir --sname X --cookie C --hidden scripts/bench-dist.exs TARGET SEQ_CALLS CONC_CALLS CONCURRENCY
[target, seq, conc, k] = System.argv()
target = String.to_atom(target)
{seq, conc, k} = {String.to_integer(seq), String.to_integer(conc), String.to_integer(k)}
true = Node.connect(target)

defmodule B do
  def call(:erpc, t), do: :erpc.call(t, :erlang, :node, [], 30_000)
  def call(:rpc, t), do: :rpc.call(t, :erlang, :node, [], 30_000)

  def loop(_m, _t, 0, acc), do: acc
  def loop(m, t, n, acc) do
    t0 = :erlang.monotonic_time()
    ^t = call(m, t)
    loop(m, t, n - 1, [:erlang.monotonic_time() - t0 | acc])
  end

  def report(m, row, lat, wall_native) do
    sorted = Enum.sort(lat)
    n = length(sorted)
    us = fn x -> :erlang.convert_time_unit(x, :native, :nanosecond) / 1000 end
    pct = fn p -> us.(Enum.at(sorted, max(0, min(n - 1, ceil(p * n) - 1)))) end
    secs = :erlang.convert_time_unit(wall_native, :native, :nanosecond) / 1.0e9
    IO.puts("RESULT #{m} #{row} calls=#{n} calls_per_s=#{round(n / secs)} p50_us=#{pct.(0.5)} p99_us=#{pct.(0.99)}")
  end
end

for m <- [:erpc, :rpc] do
  B.loop(m, target, min(2000, max(100, div(seq, 10))), [])
  if seq > 0 do
    t0 = :erlang.monotonic_time()
    lat = B.loop(m, target, seq, [])
    B.report(m, "seq", lat, :erlang.monotonic_time() - t0)
  end
  if conc > 0 do
    per = div(conc, k)
    parent = self()
    t0 = :erlang.monotonic_time()
    pids = for i <- 1..k do
      n = if i <= rem(conc, k), do: per + 1, else: per
      spawn_link(fn -> send(parent, {self(), B.loop(m, target, n, [])}) end)
    end
    lat = Enum.flat_map(pids, fn p -> receive do {^p, l} -> l end end)
    B.report(m, "conc#{k}", lat, :erlang.monotonic_time() - t0)
  end
end
