# The demo cluster's application: what `make demo` runs on each of its three local nodes.
#
# Nodes are short-named on one machine (`iex --sname a`), as developers cluster locally with libcluster's
# LocalEpmd strategy; Demo.Cluster below does what that strategy does: every second it asks the local EPMD for
# the registered names and connects to each of them.
#
#   elixir --sname demo_a --cookie COOKIE --no-halt Resources/demo/demo.exs

defmodule Demo.Cluster do
  @moduledoc "LocalEpmd-style clustering: connect to every node registered in the local EPMD."
  use GenServer

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @impl true
  def init(opts) do
    interval = Keyword.get(opts, :interval, 1_000)
    send(self(), :poll)
    {:ok, %{interval: interval}}
  end

  @impl true
  def handle_info(:poll, state) do
    [_, host] = node() |> Atom.to_string() |> String.split("@")

    case :erl_epmd.names() do
      {:ok, names} ->
        for {name, _port} <- names,
            peer = :"#{name}@#{host}",
            peer != node(),
            peer not in Node.list(),
            String.starts_with?(to_string(name), "demo_") do
          Node.connect(peer)
        end

      _ ->
        :ok
    end

    Process.send_after(self(), :poll, state.interval)
    {:noreply, state}
  end
end

defmodule Demo.Orders do
  @moduledoc "A small stateful service worth calling from the console."
  use Agent

  def start_link(_), do: Agent.start_link(fn -> %{next_id: 1, orders: %{}} end, name: __MODULE__)

  @doc "Creates an order and returns it."
  def create(item, quantity \\ 1) when is_integer(quantity) and quantity > 0 do
    Agent.get_and_update(__MODULE__, fn %{next_id: id, orders: orders} = s ->
      order = %{id: id, item: item, quantity: quantity, node: node(), at: DateTime.utc_now()}
      {order, %{s | next_id: id + 1, orders: Map.put(orders, id, order)}}
    end)
  end

  @doc "All orders on this node."
  def list, do: Agent.get(__MODULE__, fn s -> s.orders |> Map.values() |> Enum.sort_by(& &1.id) end)

  @doc "Looks an order up; raises when it does not exist."
  def fetch!(id) do
    case Agent.get(__MODULE__, &Map.get(&1.orders, id)) do
      nil -> raise ArgumentError, "no order with id #{inspect(id)}"
      order -> order
    end
  end
end

defmodule Demo.Stats do
  @moduledoc "What an operator asks a node first."

  @doc "A summary of this node."
  def info do
    %{
      node: node(),
      peers: Node.list(),
      otp_release: :erlang.system_info(:otp_release) |> List.to_string(),
      elixir: System.version(),
      uptime_ms: :erlang.statistics(:wall_clock) |> elem(0),
      processes: :erlang.system_info(:process_count),
      memory_mb: Float.round(:erlang.memory(:total) / 1_048_576, 1),
      orders: length(Demo.Orders.list())
    }
  end

  @doc "Prints a line and returns :ok, to show captured remote output."
  def hello(name \\ "operator") do
    IO.puts("hello, #{name}, from #{node()}")
    :ok
  end

  @doc "Sleeps, to try Ctrl-C on a running call."
  def slow(ms \\ 5_000), do: Process.sleep(ms)
end

defmodule Demo.Money do
  @moduledoc "An amount in minor units with its own Inspect implementation, as apps have for Decimal or Money."
  defstruct [:amount, :currency]

  @doc "Demo.Money.new(1250, \"EUR\") prints as #Money<12.50 EUR>."
  def new(amount, currency) when is_integer(amount), do: %__MODULE__{amount: amount, currency: currency}
end

defimpl Inspect, for: Demo.Money do
  def inspect(%{amount: amount, currency: currency}, _opts) do
    cents = amount |> rem(100) |> abs() |> Integer.to_string() |> String.pad_leading(2, "0")
    "#Money<#{div(amount, 100)}.#{cents} #{currency}>"
  end
end

# The script's own process ends after this file is evaluated (--no-halt keeps the VM up): unlink the supervisor
# so that it outlives it.
{:ok, sup} =
  Supervisor.start_link([Demo.Orders, {Demo.Cluster, interval: 1_000}],
    strategy: :one_for_one,
    name: Demo.Supervisor
  )

Process.unlink(sup)

Demo.Orders.create("coffee beans", 2)
Demo.Orders.create("filter papers")

# Tests and scripts wait for this line before they call the node.
IO.puts("demo ready: #{node()}")
