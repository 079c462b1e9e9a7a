/// What `proc` evaluates on a node (see ``NodeInspection``): one fun, called with a map.
///
/// - `mode`: `whereis` (resolve only: `{found, Pid}` or `{not_found, Why, []}`) or `info`.
/// - `target`: `{pid_text, <<"<0.1.0>">>}` (the node runs `list_to_pid/1` on it), `{pid, Pid}`, `{name, <<"Name">>}`,
///   `{global, Name}` or `{via, Module, Name}`. Names never create atoms on the node: they travel as binaries
///   (`{'$bc_atom', <<"x">>}` inside `global`/`via` terms) and are turned into atoms only if they already exist.
/// - `state` (fetch a sys process's state or not), `syntax` (`elixir` renders it with `Kernel.inspect/2` when the node
///   has Elixir, `erlang` with `io_lib:format("~tP", [S, 30])`), `width`, and the bounds: `max_queue`, `max_heap`
///   (words) above which the state is not fetched, `state_timeout` (ms, `sys:get_state/2`), `render_ms`,
///   `state_bytes` (the rendered text's cap), `worker_heap` (words: the worker that fetches and renders is killed by
///   the VM beyond it), `list_cap` (links, monitors, monitored_by), `stack_cap`.
///
/// Replies: `{ok, Map}`; `{not_found, bad_pid | not_registered | port | no_via_module, Nodes}` (`Nodes`: at most 200
/// of the node's `nodes()`, for looking elsewhere); `{elsewhere, Node, Pid}` (the pid lives on another node);
/// `{not_alive, Pid}`; `{exited, Pid}` (it died between the size check and the rest).
///
/// Safety: `process_info/2` with explicit items only (never `process_info/1`, `messages`, nor the whole
/// `dictionary`; `{dictionary, '$initial_call'}` on OTP 26+, where that one key can be asked for). The sizes are read
/// first; the state is fetched only for a process running a gen_* loop (its stack says so), under the thresholds, by
/// a worker process whose heap the VM caps (`max_heap_size`, killed beyond it), and rendered there with limits; the
/// caller gets at most `state_bytes` bytes of text. A `sys:get_state/2` that times out leaves its system message in
/// the process's mailbox (nothing can retract it); the late reply goes to the worker, which is gone by then.
enum ProcSource {
    static let text = #"""
fun(Args) ->
  Mode = maps:get(mode, Args),
  Target = maps:get(target, Args),
  WantState = maps:get(state, Args, true),
  Syntax = maps:get(syntax, Args, elixir),
  Width = maps:get(width, Args, 80),
  MaxQueue = maps:get(max_queue, Args, 10000),
  MaxHeap = maps:get(max_heap, Args, 4000000),
  StateTimeout = maps:get(state_timeout, Args, 2000),
  RenderMs = maps:get(render_ms, Args, 3000),
  StateBytes = maps:get(state_bytes, Args, 16384),
  WorkerHeap = maps:get(worker_heap, Args, 16000000),
  ListCap = maps:get(list_cap, Args, 20),
  StackCap = maps:get(stack_cap, Args, 32),
  Bin = fun(Chars) -> unicode:characters_to_binary(Chars) end,
  Short = fun(T) ->
      try Bin(io_lib:format("~tP", [T, 8], [{chars_limit, 300}])) catch _:_ -> <<"?">> end
  end,
  HasElixir = erlang:module_loaded('Elixir.Kernel') orelse
                (code:ensure_loaded('Elixir.Kernel') =:= {module, 'Elixir.Kernel'}),
  Existing = fun Ex({'$bc_atom', B}) -> binary_to_existing_atom(B, utf8);
                 Ex(T) when is_tuple(T) -> list_to_tuple([Ex(E) || E <- tuple_to_list(T)]);
                 Ex(L) when is_list(L) -> [Ex(E) || E <- L];
                 Ex(Other) -> Other
             end,
  Found = fun(P) when is_pid(P) -> {pid, P};
             (P) when is_port(P) -> {not_found, port};
             (_) -> {not_found, not_registered}
          end,
  Whereis = fun({pid_text, Text}) ->
                  try list_to_pid(binary_to_list(Text)) of P -> {pid, P}
                  catch _:_ -> {not_found, bad_pid}
                  end;
               ({pid, P}) when is_pid(P) -> {pid, P};
               ({name, B}) ->
                  try binary_to_existing_atom(B, utf8) of A -> Found(erlang:whereis(A))
                  catch _:_ -> {not_found, not_registered}
                  end;
               ({global, N}) ->
                  try Existing(N) of Name -> Found(global:whereis_name(Name))
                  catch _:_ -> {not_found, not_registered}
                  end;
               ({via, M0, N}) ->
                  try {Existing(M0), Existing(N)} of
                    {M, Name} ->
                      case is_atom(M) andalso erlang:function_exported(M, whereis_name, 1) of
                        false -> {not_found, no_via_module};
                        true -> try Found(M:whereis_name(Name)) catch _:_ -> {not_found, not_registered} end
                      end
                  catch _:_ -> {not_found, not_registered}
                  end;
               (_) -> {not_found, bad_pid}
            end,
  Capped = fun(L, F) when is_list(L) -> {[F(X) || X <- lists:sublist(L, ListCap)], max(0, length(L) - ListCap)};
              (_, _) -> {[], 0}
           end,
  Ident = fun(X) when is_pid(X); is_port(X) -> X; (X) -> {other, Short(X)} end,
  Monitor = fun({T, X}) when is_atom(T), is_pid(X) orelse is_port(X) -> {T, X};
               ({T, {N, Nd}}) when is_atom(T), is_atom(N), is_atom(Nd) -> {T, {N, Nd}};
               (X) -> {other, Short(X)}
            end,
  MFA = fun({M, F, A}) when is_atom(M), is_atom(F), is_integer(A) -> {M, F, A}; (_) -> none end,
  Frame = fun({M, F, A, Loc}) when is_atom(M), is_atom(F) ->
                Arity = if is_integer(A) -> A; is_list(A) -> length(A); true -> -1 end,
                Loc1 = if is_list(Loc) -> Loc; true -> [] end,
                File = try Bin(string:slice(proplists:get_value(file, Loc1), 0, 200)) catch _:_ -> none end,
                Line = case proplists:get_value(line, Loc1) of L when is_integer(L) -> L; _ -> none end,
                {M, F, Arity, File, Line};
             (Other) -> {other, Short(Other)}
          end,
  %% The behaviour whose loop the process runs: the outermost gen_* frame of its stack (OTP 24-28 alike; no
  %% dictionary read). Only these answer sys:get_state/2.
  Behaviour = fun(Stack, Current) ->
      Mods = [element(1, Current) || is_tuple(Current)] ++ [M || {M, _, _, _} <- Stack],
      case [M || M <- lists:reverse(Mods), lists:member(M, [gen_server, gen_statem, gen_event, gen_fsm])] of
        [B | _] -> B;
        [] -> none
      end
  end,
  Cut = fun C(B, N) when N =< 0 -> <<>>;
            C(B, N) -> case binary:at(B, N) band 16#C0 of 16#80 -> C(B, N - 1); _ -> binary:part(B, 0, N) end
        end,
  Render = fun(S) ->
      {Text, Used} = case Syntax =:= elixir andalso HasElixir of
                       true ->
                         {'Elixir.Kernel':inspect(S, [{limit, 50}, {printable_limit, 4096}, {pretty, true},
                                                      {width, Width}]), elixir};
                       false -> {io_lib:format("~tP", [S, 30], [{chars_limit, StateBytes}]), erlang}
                     end,
      B = Bin(Text),
      case byte_size(B) > StateBytes of
        true -> {ok, Cut(B, StateBytes), true, Used};
        false -> {ok, B, false, Used}
      end
  end,
  FetchState = fun(P) ->
      Parent = self(),
      Ref = make_ref(),
      {W, Mon} = spawn_monitor(fun() ->
          process_flag(max_heap_size, #{size => WorkerHeap, kill => true, error_logger => false}),
          R = try sys:get_state(P, StateTimeout) of
                S -> try Render(S) catch K2:E2 -> {failed, Short({render, K2, E2})} end
              catch
                exit:{timeout, _} -> timeout;
                exit:{noproc, _} -> dead;
                exit:{normal, _} -> dead;
                exit:{shutdown, _} -> dead;
                K:E -> {failed, Short({K, E})}
              end,
          Parent ! {Ref, R}
      end),
      receive
        {Ref, R} -> erlang:demonitor(Mon, [flush]), R;
        {'DOWN', Mon, process, W, killed} -> too_large;
        {'DOWN', Mon, process, W, Why} -> {failed, Short(Why)}
      after StateTimeout + RenderMs ->
        exit(W, kill),
        receive {'DOWN', Mon, process, W, _} -> ok end,
        receive {Ref, _} -> ok after 0 -> ok end,
        render_timeout
      end
  end,
  StateOf = fun(P, Q, H, Beh) ->
      case {WantState, Beh} of
        {false, _} -> {skipped, not_asked};
        {_, none} -> {skipped, not_sys};
        _ when Q > MaxQueue -> {refused, queue, Q, MaxQueue};
        _ when H > MaxHeap -> {refused, heap, H, MaxHeap};
        _ -> FetchState(P)
      end
  end,
  Info = fun(P) ->
      case erlang:process_info(P, [message_queue_len, total_heap_size]) of
        undefined -> {not_alive, P};
        [{message_queue_len, Q}, {total_heap_size, H}] ->
          Items = [registered_name, status, initial_call, current_function, current_stacktrace, memory, heap_size,
                   stack_size, reductions, links, monitors, monitored_by, trap_exit, group_leader, priority],
          case erlang:process_info(P, Items) of
            undefined -> {exited, P};
            List ->
              I = maps:from_list(List),
              ProcLib = try erlang:process_info(P, {dictionary, '$initial_call'}) of
                          {_, V} -> MFA(V);
                          _ -> none
                        catch error:badarg -> unsupported
                        end,
              App = try application:get_application(P) of {ok, A} -> A; _ -> none catch _:_ -> none end,
              Stack0 = case maps:get(current_stacktrace, I, []) of S0 when is_list(S0) -> S0; _ -> [] end,
              Current = maps:get(current_function, I, undefined),
              Beh = Behaviour(Stack0, Current),
              State = StateOf(P, Q, H, Beh),
              {ok, #{pid => P, node => node(), otp => Bin(erlang:system_info(otp_release)), elixir => HasElixir,
                     wordsize => erlang:system_info(wordsize), message_queue_len => Q, total_heap_size => H,
                     registered_name => case maps:get(registered_name, I, []) of
                                          N when is_atom(N) -> N;
                                          _ -> none
                                        end,
                     status => maps:get(status, I, undefined),
                     initial_call => MFA(maps:get(initial_call, I, undefined)),
                     current_function => MFA(Current),
                     memory => maps:get(memory, I, 0), heap_size => maps:get(heap_size, I, 0),
                     stack_size => maps:get(stack_size, I, 0), reductions => maps:get(reductions, I, 0),
                     trap_exit => maps:get(trap_exit, I, false), group_leader => maps:get(group_leader, I, none),
                     priority => maps:get(priority, I, normal),
                     links => Capped(maps:get(links, I, []), Ident),
                     monitors => Capped(maps:get(monitors, I, []), Monitor),
                     monitored_by => Capped(maps:get(monitored_by, I, []), Ident),
                     stacktrace => [Frame(F) || F <- lists:sublist(Stack0, StackCap)],
                     proc_lib_initial_call => ProcLib, application => App, behaviour => Beh, state => State}}
          end
      end
  end,
  case {Mode, Whereis(Target)} of
    {whereis, {pid, P}} -> {found, P};
    {whereis, {not_found, Why}} -> {not_found, Why, []};
    {info, {not_found, Why}} -> {not_found, Why, lists:sublist(nodes(), 200)};
    {info, {pid, P}} when node(P) =/= node() -> {elsewhere, node(P), P};
    {info, {pid, P}} -> Info(P)
  end
end
"""#
}
