# An ECS task's Elixir node for the network-namespace end-to-end tests (NetnsCluster.swift).
#
# It clusters exactly as libcluster's Cluster.Strategy.DNSPoll does (libcluster is not installed here):
# every DNSPOLL_INTERVAL ms it looks up the A records of DNSPOLL_QUERY, turns each address into
# :"<DNSPOLL_BASENAME>@<a.b.c.d>", drops node(), connects the names that are new since the last poll and
# disconnects the ones that are gone (an empty or failed answer therefore disconnects every node it had
# connected). A failed connect is forgotten, so it is retried on the next poll; a node that is still listed
# but went down is not reconnected (libcluster only connects names that are new to its list).
#
# Unlike libcluster, the query goes to an explicit name server, DNSPOLL_NAMESERVER (an IPv4 address, port 53),
# as each test run has its own dnsmasq. Start it with --name <basename>@<task IP> (long names); it prints
# "dnspoll ready: <node>" after its first poll and one line per connect/disconnect.
#
# Run as a script it starts at once. With DNSPOLL_COMPILE_ONLY=1, `elixirc` compiles only the module, so that many
# nodes can start from the .beam (`elixir -pa DIR -e 'E2E.DNSPoll.main()'`) without each compiling the script.

defmodule E2E.DNSPoll do
  def run(state) do
    new = resolve(state)
    added = MapSet.difference(new, state.meta)
    removed = MapSet.difference(state.meta, new)
    connected = MapSet.new(:erlang.nodes(:connected))

    # Strategy.disconnect_nodes: only names that are connected; a node already gone is not an error.
    failed_disconnects =
      for n <- removed, MapSet.member?(connected, n), reduce: [] do
        acc ->
          case Node.disconnect(n) do
            true -> log("disconnected #{n}"); acc
            false -> acc
            :ignored -> acc
            _ -> [n | acc]
          end
      end

    # Strategy.connect_nodes: only names not already connected; failures leave the list so they are retried.
    failed_connects =
      for n <- added, not MapSet.member?(connected, n), reduce: [] do
        acc ->
          case Node.connect(n) do
            true -> log("connected #{n}"); acc
            other -> log("unable to connect #{n}: #{inspect(other)}"); [n | acc]
          end
      end

    meta = new |> MapSet.union(MapSet.new(failed_disconnects)) |> MapSet.difference(MapSet.new(failed_connects))
    %{state | meta: meta}
  end

  defp resolve(state) do
    me = node()

    state.query
    |> :inet_res.lookup(:in, :a, nameservers: [{state.nameserver, 53}])
    |> Enum.map(fn {a, b, c, d} -> :"#{state.basename}@#{a}.#{b}.#{c}.#{d}" end)
    |> Enum.reject(&(&1 == me))
    |> MapSet.new()
  end

  def log(line), do: IO.puts("#{System.os_time(:millisecond)} #{line}")

  def main do
    env = fn name -> System.get_env(name) || raise "#{name} is not set" end
    {:ok, nameserver} = :inet.parse_ipv4_address(String.to_charlist(env.("DNSPOLL_NAMESERVER")))

    spawn(fn ->
      # Log nodeup/nodedown as seen by this node (a killed peer drops out by its TCP connection closing).
      :ok = :net_kernel.monitor_nodes(true)
      Stream.repeatedly(fn -> receive do: ({tag, n} -> log("#{tag} #{n}")) end) |> Stream.run()
    end)

    # What a release's config says about it (config :libcluster, topologies: ...): the console reads it from the
    # node. LIBCLUSTER_INTERVAL_KEY is the key the interval goes under (the documented but ignored poll_interval, or
    # polling_interval); the clustering above does not read it.
    interval_key = String.to_atom(System.get_env("LIBCLUSTER_INTERVAL_KEY") || "polling_interval")

    Application.put_env(:libcluster, :topologies,
      ecs: [
        strategy: Cluster.Strategy.DNSPoll,
        config: [
          {interval_key, String.to_integer(env.("DNSPOLL_INTERVAL"))},
          query: env.("DNSPOLL_QUERY"),
          node_basename: env.("DNSPOLL_BASENAME")
        ]
      ]
    )

    loop(%{
      query: String.to_charlist(env.("DNSPOLL_QUERY")),
      basename: env.("DNSPOLL_BASENAME"),
      nameserver: nameserver,
      interval: String.to_integer(env.("DNSPOLL_INTERVAL")),
      meta: MapSet.new(),
      first: true
    })
  end

  def loop(state) do
    state = run(state)
    if state.first, do: log("dnspoll ready: #{node()}")
    Process.sleep(state.interval)
    loop(%{state | first: false})
  end
end

if System.get_env("DNSPOLL_COMPILE_ONLY") != "1", do: E2E.DNSPoll.main()
