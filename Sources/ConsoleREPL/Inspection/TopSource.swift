/// The node side of `top`: one walk of `erlang:processes()` with an explicit `process_info/2` item list (never
/// `process_info/1`, never `messages` or the whole `dictionary`); a process that ends during the walk gives `undefined`
/// and is skipped. The walk runs in compiled standard-library code (`lists:zipwith/3` with `fun erlang:process_info/2`,
/// `ets:match_spec_run/2`), not in the evaluator: about 14 times fewer reductions on a node of 100,000 processes. `reductions` is a delta over a window (two walks), as recon's `proc_window`. The node sorts and
/// returns at most K rows and a fixed-size summary; above `Limit` processes it refuses unless forced.
///
/// `{top, Sort, K, WindowMs, Limit, Force}` → `{ok, Rows, Summary}` | `{refused, Count, Limit}`.
enum TopSource {
    static let inspection = NodeInspection(name: "top", source: text)

    static let text = #"""
fun({top, Sort, K, WindowMs, Limit, Force}) ->
  Count = erlang:system_info(process_count),
  case Count > Limit andalso not Force of
    true -> {refused, Count, Limit};
    false ->
      %% The walk runs in compiled code only: process_info/2 through lists:zipwith with an external fun, and match
      %% specifications (ets:match_spec_run/2) to pick the values and drop the processes that ended (undefined).
      %% erl_eval interprets only what happens once per scan, or once per row.
      Pids = erlang:processes() -- [self()],  % not the scan itself
      N = length(Pids),
      Info = fun(Items) -> lists:zipwith(fun erlang:process_info/2, Pids, lists:duplicate(N, Items)) end,
      Run = fun(List, MS) -> ets:match_spec_run(List, ets:match_spec_compile(MS)) end,
      %% {Score, Pid, QueueLength} for every live process.
      Scored =
        case Sort of
          reductions ->
            First = Info(reductions),
            timer:sleep(WindowMs),
            Second = Info([reductions, message_queue_len]),
            Run(lists:zip3(Pids, First, Second),
                [{{'$1', {'_', '$2'}, [{'_', '$3'}, {'_', '$4'}]}, [], [{{{'-', '$3', '$2'}, '$1', '$4'}}]}]);
          binary ->
            %% Summing a process's binaries is interpreted: only for the processes that hold any.
            All = Run(lists:zip(Pids, Info([binary, message_queue_len])),
                      [{{'$1', [{'_', '$2'}, {'_', '$3'}]}, [], [{{'$2', '$1', '$3'}}]}]),
            Holding = Run(All, [{{'$1', '_', '_'}, [{'=/=', '$1', []}], ['$_']}]),
            [{lists:foldl(fun({_, Sz, _}, A) -> A + Sz end, 0, Bins), P, L} || {Bins, P, L} <- Holding]
              ++ Run(All, [{{[], '$1', '$2'}, [], [{{0, '$1', '$2'}}]}]);
          _ ->
            Item = case Sort of memory -> memory; mqueue -> message_queue_len; heap -> total_heap_size end,
            Factor = case Sort of heap -> erlang:system_info(wordsize); _ -> 1 end,
            Run(lists:zip(Pids, Info([Item, message_queue_len])),
                [{{'$1', [{'_', '$2'}, {'_', '$3'}]}, [], [{{{'*', '$2', Factor}, '$1', '$3'}}]}])
        end,
      MQ = lists:sum(Run(Scored, [{{'_', '_', '$1'}, [], ['$1']}])),
      Scores = Run(Scored, [{{'$1', '$2', '_'}, [], [{{'$1', '$2'}}]}]),
      Top = lists:sublist(lists:reverse(lists:sort(Scores)), K),
      %% The initial call proc_lib records (OTP 26+ reads one dictionary key; before, the raw initial call).
      Initial = case erlang:system_info(otp_release) >= "26" of
                  true ->
                    fun(P, Raw) ->
                        try erlang:process_info(P, {dictionary, '$initial_call'}) of
                          {_, {M, F, A}} -> {M, F, A};
                          _ -> Raw
                        catch _:_ -> Raw
                        end
                    end;
                  false -> fun(_, Raw) -> Raw end
                end,
      Row = fun({V, P}) ->
          case erlang:process_info(P, [registered_name, initial_call, current_function, memory,
                                       message_queue_len, reductions]) of
            undefined -> false;
            [{registered_name, Name}, {initial_call, Init}, {current_function, Cur}, {memory, Mem},
             {message_queue_len, Len}, {reductions, Reds}] ->
              {true, #{pid => P, pid_text => list_to_binary(erlang:pid_to_list(P)), value => V,
                       name => case Name of [] -> undefined; _ -> Name end,
                       initial_call => Initial(P, Init), current_function => Cur, memory => Mem,
                       mqueue => Len, reductions => Reds}}
          end
        end,
      %% erlang:memory/1 raises notsup on a node whose allocators are reduced to malloc (+Mea min).
      Binary = try erlang:memory(binary) catch _:_ -> 0 end,
      Total = try erlang:memory(total) catch _:_ -> 0 end,
      Summary = #{process_count => Count, memory => Total, binary => Binary, mqueue => MQ,
                  scanned => N},
      {ok, lists:filtermap(Row, Top), Summary}
  end
end
"""#
}
