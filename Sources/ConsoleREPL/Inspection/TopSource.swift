/// The node side of `top`: one walk of `erlang:processes()` with an explicit `process_info/2` item list (never
/// `process_info/1`, never `messages` or the whole `dictionary`); a process that ends during the walk gives `undefined`
/// and is skipped. `reductions` is a delta over a window (two walks), as recon's `proc_window`. The node sorts and
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
      Wordsize = erlang:system_info(wordsize),
      Item = case Sort of
               memory -> memory;
               mqueue -> message_queue_len;
               heap -> total_heap_size;
               reductions -> reductions;
               binary -> binary
             end,
      Score = fun(binary, Bins) -> lists:foldl(fun({_, Sz, _}, A) -> A + Sz end, 0, Bins);
                 (heap, Words) -> Words * Wordsize;
                 (_, V) -> V
              end,
      Walk = fun(Pids) ->
          lists:foldl(
            fun(P, {Acc, Q}) ->
                case erlang:process_info(P, [Item, message_queue_len]) of
                  [{_, V}, {message_queue_len, L}] -> {[{Score(Sort, V), P} | Acc], Q + L};
                  _ -> {Acc, Q}
                end
            end, {[], 0}, Pids)
        end,
      Pids = erlang:processes() -- [self()],  % not the scan itself
      {Scores, MQ} =
        case Sort of
          reductions ->
            {First, _} = Walk(Pids),
            Before = maps:from_list([{P, V} || {V, P} <- First]),
            timer:sleep(WindowMs),
            {Second, Q2} = Walk(Pids),
            {[{V - maps:get(P, Before, V), P} || {V, P} <- Second], Q2};
          _ -> Walk(Pids)
        end,
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
      Binary = try erlang:memory(binary) catch _:_ -> 0 end,
      Summary = #{process_count => Count, memory => erlang:memory(total), binary => Binary, mqueue => MQ,
                  scanned => length(Pids)},
      {ok, lists:filtermap(Row, Top), Summary}
  end
end
"""#
}
