/// The node side of `health`: memory by type, counts against their limits, the run queue, scheduler utilisation over a
/// window (`scheduler_wall_time`, switched on for the measurement and restored to what it was: the flag is counted per
/// process since OTP 22, so it also ends with the calling process), and the bytes queued on each distribution port.
///
/// `{health, WindowMs}` → `{ok, #{...}}`.
enum HealthSource {
    static let inspection = NodeInspection(name: "health", source: text)

    static let text = #"""
fun({health, WindowMs}) ->
  Try = fun(F, Default) -> try F() catch _:_ -> Default end end,
  Limits = [{processes, erlang:system_info(process_count), erlang:system_info(process_limit)},
            {ports, erlang:system_info(port_count), erlang:system_info(port_limit)},
            {atoms, Try(fun() -> erlang:system_info(atom_count) end, 0),
                    Try(fun() -> erlang:system_info(atom_limit) end, 0)},
            {ets, length(ets:all()), Try(fun() -> erlang:system_info(ets_limit) end, 0)}],
  Schedulers = erlang:system_info(schedulers_online),
  Util =
    case WindowMs > 0 of
      false -> undefined;
      true ->
        Old = erlang:system_flag(scheduler_wall_time, true),
        try
          Sample = fun() ->
              lists:sort([S || {I, _, _} = S <- erlang:statistics(scheduler_wall_time), I =< Schedulers])
            end,
          T0 = Sample(),
          timer:sleep(WindowMs),
          T1 = Sample(),
          {Active, Total} = lists:foldl(
              fun({{I, A0, W0}, {I, A1, W1}}, {SA, ST}) -> {SA + A1 - A0, ST + W1 - W0};
                 (_, Acc) -> Acc
              end, {0, 0}, lists:zip(T0, T1)),
          case Total of 0 -> undefined; _ -> Active / Total end
        catch _:_ -> undefined
        after
          erlang:system_flag(scheduler_wall_time, Old)
        end
    end,
  Dist = lists:sublist(
           lists:filtermap(
             fun({N, Port}) when is_port(Port) ->
                   case erlang:port_info(Port, queue_size) of
                     {queue_size, Q} -> {true, {N, Q}};
                     _ -> false
                   end;
                (_) -> false
             end, Try(fun() -> erlang:system_info(dist_ctrl) end, [])), 200),
  %% erlang:memory/0 raises notsup on a node whose allocators are reduced to malloc (+Mea min).
  {ok, #{memory => Try(fun() -> erlang:memory() end, []), limits => Limits, run_queue => erlang:statistics(run_queue),
         schedulers => Schedulers, utilization => Util, dist => Dist,
         otp_release => list_to_binary(erlang:system_info(otp_release)),
         uptime_ms => element(1, erlang:statistics(wall_clock))}}
end
"""#
}
