/// The evaluator the console starts on a node, as Erlang source evaluated there with `erl_eval` (nothing is loaded
/// onto the node). One fun, called with a command:
///
/// - `{start, ConsoleNode, Syntax, GroupLeader}` spawns an *owner* that monitors the console's node and links an
///   *evaluator*, and returns `{ok, OwnerPid, Info}`. The owner answers
///   `gen_server:call(Owner, {'$beamconsole_eval', Request})`: it forwards the request and replies with what the
///   evaluator answered. The evaluator writes to `GroupLeader` (the REPL's, on the console's node: what the code's
///   processes print later still reaches the console); with `none`, the owner lends it each caller's group leader
///   for its line and the node's `user` between lines. The evaluator is the process the code runs in (`self()` is stable
///   from line to line) and holds the session: Elixir binding and `Macro.Env` (aliases, imports, requires), the
///   Erlang shell's bindings, and the last 20 results for `v/0,1`. If the caller goes away mid-evaluation (Ctrl-C,
///   timeout), or the console sends `{'$beamconsole_interrupt', Id}` for the running request, the owner kills the
///   evaluator and starts another from the last state. An interrupt that arrives before its request (Ctrl-C while the
///   request was still on its way) is remembered, and that request is answered as interrupted without being run. When
///   the console's node goes
///   down the owner kills the evaluator and ends, so nothing stays behind.
/// - `{once, Syntax, Request}` evaluates one request in the calling process with a fresh state (one-shot `eval`,
///   `multicall` of an expression).
///
/// Requests are maps: `id` (an integer, unique per console), `code` (binary), `width`, `color`, `cap` (bytes of rendered text), `raw` (also return the
/// value, when its external size is at most `raw_cap`), `inspect` (extra `inspect/2` options) and `read_only`
/// (`false`, or ``ReadOnlyCheck/allowTerm()``: then the code is parsed and checked by ``ReadOnlyCheck`` before any
/// of it runs). Replies: `incomplete`, `{ok, #{text, truncated, counter,
/// value}}`, `{error, #{text, kind}}` and `{refused, Why}`. Results are rendered on the node by its own `Inspect`
/// protocol (Elixir) or `io_lib_pretty` (Erlang), with IEx's defaults; errors as IEx (`Exception.format_banner` and
/// the pruned stacktrace) or the Erlang shell (`erl_error:format_exception/4`) print them.
enum EvaluatorSource {
    /// The fun's source text with `'$READ_ONLY_CHECK'` in place of the read-only check.
    static let template = #"""
fun(Command) ->
  ReadOnly = '$READ_ONLY_CHECK',
  Has = fun(M) -> case code:ensure_loaded(M) of {module, _} -> true; _ -> false end end,
  HasElixir = Has('Elixir.Code'),
  HasIEx = HasElixir andalso Has('Elixir.IEx.Helpers'),
  Bin = fun(Chars) -> unicode:characters_to_binary(Chars) end,
  Paint = fun(_, Text, false) -> Text; (Code, Text, true) -> [<<"\e[">>, Code, <<"m">>, Text, <<"\e[0m">>] end,
  Clip = fun(Text, Max) when byte_size(Text) =< Max -> {Text, false};
            (Text, Max) -> {Bin(string:slice(Text, 0, Max)), true} end,
  Helpers = [h, i, exports, runtime_info, pid, ref, flush, c, r, l, nl, recompile, import_file,
             import_file_if_available, open, b, t, cd, ls, pwd, clear, respawn, whereami, break, breaks,
             continue, n, next, reset_breaks, remove_breaks, import_if_available, use_if_available],
  Key = fun(N) -> {'$beamconsole_v', N} end,
  Remember = fun(N, V) -> put(Key(N), {ok, V}), erase(Key(N - 20)), ok end,
  Recall = fun(N) -> case get(Key(N)) of {ok, V} -> V; _ -> erlang:error({badarg_history, N}) end end,
  NodeInfo = fun(Syntax) ->
      #{syntax => Syntax, otp => Bin(erlang:system_info(otp_release)), iex => HasIEx,
        elixir => case HasElixir of true -> 'Elixir.System':version(); false -> nil end}
  end,
  Result = fun(V, Text0, Req, N) ->
      {Text, Truncated} = Clip(Text0, maps:get(cap, Req, 65536)),
      Value = case maps:get(raw, Req, false) of
                false -> none;
                true -> case erlang:external_size(V) =< maps:get(raw_cap, Req, 1048576) of
                          true -> {value, V};
                          false -> too_large
                        end
              end,
      {ok, #{text => Text, truncated => Truncated, counter => N, value => Value}}
  end,
  %% ---------------------------------------------------------------- Elixir
  NewElixir = fun() ->
      Env0 = 'Elixir.Code':env_for_eval([{file, <<"iex">>}]),
      Env = case HasIEx of
              true ->
                Import = 'Elixir.Code':'string_to_quoted!'(<<"import IEx.Helpers, warn: false">>),
                {_, _, E} = 'Elixir.Code':eval_quoted_with_env(Import, [], Env0),
                E;
              false -> Env0
            end,
      #{syntax => elixir, binding => [], env => Env, counter => 1}
  end,
  InspectEx = fun(V, Req) ->
      Color = maps:get(color, Req, false),
      Opts0 = [{pretty, true}, {width, maps:get(width, Req, 80)} | maps:get(inspect, Req, [])],
      Opts = case Color of
               true -> [{syntax_colors, [{reset, [reset, yellow]} | 'Elixir.IO.ANSI':syntax_colors()]} | Opts0];
               false -> Opts0
             end,
      Bin(Paint(<<"33">>, 'Elixir.Kernel':inspect(V, Opts), Color))
  end,
  Internals = [elixir, elixir_expand, elixir_compiler, elixir_module, elixir_clauses, elixir_lexical, elixir_def,
               elixir_map, elixir_erl, elixir_erl_clauses, elixir_erl_pass, 'Elixir.Kernel.ErrorHandler',
               'Elixir.Module.ParallelChecker'],
  %% IEx's pruning: the frames of the evaluation machinery go. With elixir_eval frames (newer Elixir on OTP 25+),
  %% everything outside the last one; otherwise everything from the first frame of the evaluator
  %% (:elixir.eval_forms, Code, the parallel checker) outwards, then the top level's own erl_eval frames, then
  %% compiler internals anywhere. (Stacks hold 8 frames: when a deep one never reaches the evaluator's frames, it
  %% is all the user's.)
  Prune = fun(Stack) ->
      Mod = fun(Frame) -> element(1, Frame) end,
      case lists:any(fun(F) -> Mod(F) =:= elixir_eval end, Stack) of
        true ->
          lists:reverse(lists:dropwhile(fun(F) -> Mod(F) =/= elixir_eval end, lists:reverse(Stack)));
        false ->
          Outer = [elixir, 'Elixir.Code', 'Elixir.Module.ParallelChecker'],
          Mine = lists:takewhile(fun(F) -> not lists:member(Mod(F), Outer) end, Stack),
          Top = case length(Mine) < length(Stack) of
                  true -> lists:dropwhile(fun(F) -> lists:member(Mod(F), [erl_eval, eval_bits]) end, lists:reverse(Mine));
                  false -> lists:reverse(Mine)
                end,
          [F || F <- lists:reverse(Top), not lists:member(Mod(F), Internals)]
      end
  end,
  FormatEx = fun(Kind, Reason, Stack, Req) ->
      Color = maps:get(color, Req, false),
      {Blamed, Stack1} = 'Elixir.Exception':blame(Kind, Reason, Stack),
      Banner = 'Elixir.Exception':format_banner(Kind, Blamed, Stack1),
      Trace = case Prune(Stack1) of
                [] -> [];
                Pruned -> [$\n, Paint(<<"31">>, string:trim('Elixir.Exception':format_stacktrace(Pruned), trailing), Color)]
              end,
      #{text => Bin([Paint(<<"31">>, Banner, Color) | Trace]), kind => Kind}
  end,
  Rewrite = fun(Forms, Env, Counter) ->
      Imported = fun(Name) ->
          erlang:function_exported('Elixir.Macro.Env', lookup_import, 2) andalso
            'Elixir.Macro.Env':lookup_import(Env, {Name, 0}) =/= []
      end,
      Fetch = fun(N, Meta) ->
          Abs = case N > 0 of true -> N; false -> Counter + N end,
          Src = io_lib:format("case :erlang.get({:\"$beamconsole_v\", ~b}) do {:ok, value} -> value; _ -> "
                              "raise ArgumentError, \"v(~b) is out of bounds\" end", [Abs, N]),
          {ok, Q} = 'Elixir.Code':string_to_quoted(Bin(Src), [{line, proplists:get_value(line, Meta, 1)}]),
          Q
      end,
      'Elixir.Macro':prewalk(Forms, fun
          ({v, Meta, []}) -> Fetch(-1, Meta);
          ({v, Meta, [N]}) when is_integer(N), N =/= 0 -> Fetch(N, Meta);
          ({v, Meta, [{'-', _, [N]}]}) when is_integer(N), N > 0 -> Fetch(-N, Meta);
          ({Name, Meta, Ctx} = Var) when is_atom(Name), is_list(Meta), is_atom(Ctx) ->
              case Imported(Name) of
                true -> {Name, [{if_undefined, apply} | Meta], Ctx};
                false -> Var
              end;
          (Other) -> Other
      end)
  end,
  MissingHelper = fun(Forms) ->
      case HasIEx of
        true -> none;
        false ->
          Found = 'Elixir.Macro':prewalk(Forms, none, fun
              ({Name, _, Args} = F, none) when is_atom(Name), is_list(Args), Name =/= v ->
                  case lists:member(Name, Helpers) of true -> {F, {Name, length(Args)}}; false -> {F, none} end;
              (F, Acc) -> {F, Acc}
          end),
          element(2, Found)
      end
  end,
  EachExpr = fun Each({'__block__', _, Exprs}, B, E) ->
                     lists:foldl(fun(X, {_, B1, E1}) -> Each(X, B1, E1) end, {nil, B, E}, Exprs);
                 Each(X, B, E) -> 'Elixir.Code':eval_quoted_with_env(X, B, E)
             end,
  EvalElixir = fun(Req, #{binding := B, env := E, counter := N} = St) ->
      Code = maps:get(code, Req),
      Allow = maps:get(read_only, Req, false),
      Opts = [{file, <<"iex">>}, {line, N}, {columns, true}],
      case 'Elixir.Code':string_to_quoted(Code, Opts) of
        {error, {_, _, <<>>}} -> {incomplete, St};
        {error, _} ->
          try 'Elixir.Code':'string_to_quoted!'(Code, Opts) of
            _ -> {{error, #{text => <<"** (SyntaxError) cannot parse this input">>, kind => error}}, St}
          catch K:R -> {{error, FormatEx(K, R, [], Req)}, St}
          end;
        {ok, Forms} ->
          Check = case Allow of false -> ok; _ -> ReadOnly(elixir, Forms, E, Allow) end,
          case {Check, MissingHelper(Forms)} of
            {{refused, Why}, _} -> {{refused, Why}, St};
            {ok, {Name, Arity}} ->
              Text = io_lib:format("~ts/~b is an IEx helper, and this node has no IEx (a release without the :iex application?)",
                                   [Name, Arity]),
              {{error, #{text => Bin(Text), kind => no_iex}}, St};
            {ok, none} ->
              try EachExpr(Rewrite(Forms, E, N), B, E) of
                {V, B2, E2} ->
                  Remember(N, V),
                  Text = case HasIEx andalso V =:= 'Elixir.IEx':dont_display_result() of
                           true -> <<>>;
                           false -> InspectEx(V, Req)
                         end,
                  {Result(V, Text, Req, N), St#{binding := B2, env := E2, counter := N + 1}}
              catch K:R:S -> {{error, FormatEx(K, R, S, Req)}, St#{counter := N + 1}}
              end
          end
      end
  end,
  %% ---------------------------------------------------------------- Erlang
  InspectErl = fun(V, Req) ->
      Bin(io_lib_pretty:print(V, [{column, 1}, {line_length, maps:get(width, Req, 80)}, {depth, 30},
                                  {line_max_chars, 60}, {strings, true}, {encoding, unicode}]))
  end,
  FormatErl = fun(Class, Reason, Stack) ->
      Trim = fun(M, _, _) -> lists:member(M, [erl_eval, eval_bits, proc_lib]) end,
      Text = erl_error:format_exception(Class, Reason, Stack, #{stack_trim_fun => Trim, column => 1}),
      #{text => Bin(["** ", Text]), kind => Class}
  end,
  ParseError = fun({Loc, Mod, Desc}) ->
      Where = case Loc of
                {L, C} -> io_lib:format("~b:~b", [L, C]);
                L -> io_lib:format("~b", [L])
              end,
      #{text => Bin(["* ", Where, ": ", Mod:format_error(Desc)]), kind => error}
  end,
  Local = fun(Counter) ->
      {value, fun(v, [I]) when is_integer(I), I > 0 -> Recall(I);
                 (v, [I]) when is_integer(I) -> Recall(Counter + I);
                 (F, As) -> erlang:raise(error, undef, [{shell_default, F, As, []}]) end}
  end,
  EvalErlang = fun(Req, #{binding := B, counter := N} = St) ->
      Chars = unicode:characters_to_list(maps:get(code, Req)) ++ "\n",
      case erl_scan:tokens([], Chars, {N, 1}) of
        {more, _} -> {incomplete, St};
        {done, {eof, _}, _} -> {incomplete, St};
        {done, {error, ScanError, _}, _} -> {{error, ParseError(ScanError)}, St};
        {done, {ok, Tokens, _}, _Rest} ->
          case erl_parse:parse_exprs(Tokens) of
            {error, ParseFailure} -> {{error, ParseError(ParseFailure)}, St};
            {ok, Exprs} ->
              Allow = maps:get(read_only, Req, false),
              Check = case Allow of false -> ok; _ -> ReadOnly(erlang, Exprs, undefined, Allow) end,
              case {Check, Exprs} of
                {{refused, Why}, _} -> {{refused, Why}, St};
                {ok, [{call, _, {atom, _, b}, []}]} ->
                  Lines = [io_lib:format("~ts = ~tp~n", [K, V]) || {K, V} <- erl_eval:bindings(B)],
                  {Result(ok, Bin(Lines), Req, N), St};
                {ok, [{call, _, {atom, _, f}, []}]} ->
                  {Result(ok, <<"ok">>, Req, N), St#{binding := erl_eval:new_bindings()}};
                {ok, [{call, _, {atom, _, f}, [{var, _, Name}]}]} ->
                  {Result(ok, <<"ok">>, Req, N), St#{binding := erl_eval:del_binding(Name, B)}};
                {ok, _} ->
                  try erl_eval:exprs(Exprs, B, Local(N)) of
                    {value, V, B2} ->
                      Remember(N, V),
                      {Result(V, InspectErl(V, Req), Req, N), St#{binding := B2, counter := N + 1}}
                  catch K:R:S -> {{error, FormatErl(K, R, S)}, St#{counter := N + 1}}
                  end
              end
          end
      end
  end,
  NewState = fun(elixir) -> NewElixir();
                (erlang) -> #{syntax => erlang, binding => erl_eval:new_bindings(), env => undefined, counter => 1}
             end,
  Eval = fun(Req, #{syntax := elixir} = St) -> EvalElixir(Req, St);
            (Req, St) -> EvalErlang(Req, St) end,
  %% ---------------------------------------------------------------- processes
  EvaluatorLoop = fun Loop(Owner, St) ->
      receive
        {'$beamconsole_eval', Owner, Req} ->
          {Reply, St2} = Eval(Req, St),
          Owner ! {'$beamconsole_reply', self(), Reply, St2},
          Loop(Owner, St2);
        {'EXIT', Owner, _} -> exit(normal)
      end
  end,
  StartEvaluator = fun(Owner, St) ->
      Ev = spawn_link(fun() -> EvaluatorLoop(Owner, St) end),
      group_leader(get('$beamconsole_gl'), Ev),
      Ev
  end,
  Stop = fun(Ev) -> unlink(Ev), exit(Ev, kill) end,
  OwnerLoop = fun Loop(Console, Ev, St) ->
      receive
        {'$gen_call', From, {'$beamconsole_eval', Req}} ->
          Id = maps:get(id, Req, undefined),
          Early = get('$beamconsole_early'),
          case maps:is_key(Id, Early) of
            true ->
              %% Interrupted before it arrived (Ctrl-C while the request was on its way): not run.
              put('$beamconsole_early', maps:remove(Id, Early)),
              gen:reply(From, {error, #{text => <<"** (EXIT) interrupted">>, kind => exit}}),
              Loop(Console, Ev, St);
            false ->
              {Caller, _} = From,
              case {get('$beamconsole_lend'), erlang:process_info(Caller, group_leader)} of
                {true, {group_leader, GL}} -> group_leader(GL, Ev);
                _ -> ok
              end,
              M = erlang:monitor(process, Caller),
              Ev ! {'$beamconsole_eval', self(), Req},
              receive
                {'$beamconsole_reply', Ev, Reply, St2} ->
                  erlang:demonitor(M, [flush]),
                  gen:reply(From, Reply),
                  group_leader(get('$beamconsole_gl'), Ev),
                  Loop(Console, Ev, St2);
                {'DOWN', M, process, _, _} ->
                  Stop(Ev),
                  Loop(Console, StartEvaluator(self(), St), St);
                {'$beamconsole_interrupt', Id} ->
                  erlang:demonitor(M, [flush]),
                  Stop(Ev),
                  gen:reply(From, {error, #{text => <<"** (EXIT) interrupted">>, kind => exit}}),
                  Loop(Console, StartEvaluator(self(), St), St);
                {'EXIT', Ev, Why} ->
                  erlang:demonitor(M, [flush]),
                  Text = io_lib:format("** (EXIT from the evaluator) ~tp", [Why]),
                  gen:reply(From, {error, #{text => Bin(Text), kind => exit}}),
                  Loop(Console, StartEvaluator(self(), St), St);
                {nodedown, Console} -> Stop(Ev), exit(normal)
              end
          end;
        {'$gen_call', From, '$beamconsole_stop'} -> Stop(Ev), gen:reply(From, ok);
        {'$gen_call', From, '$beamconsole_info'} ->
          gen:reply(From, {Ev, maps:get(counter, St)}), Loop(Console, Ev, St);
        {'$beamconsole_interrupt', Id} ->
          %% Ahead of its request: remembered (the last 16) so that the request is answered without being run.
          %% Ids grow, so the smallest is the oldest.
          Early = get('$beamconsole_early'),
          Kept = case maps:size(Early) >= 16 of
                   true -> maps:remove(lists:min(maps:keys(Early)), Early);
                   false -> Early
                 end,
          put('$beamconsole_early', Kept#{Id => true}),
          Loop(Console, Ev, St);
        {'EXIT', Ev, _} -> Loop(Console, StartEvaluator(self(), St), St);
        {nodedown, Console} -> Stop(Ev), exit(normal);
        _ -> Loop(Console, Ev, St)
      end
  end,
  Pick = fun(elixir) when not HasElixir -> erlang; (S) -> S end,
  case Command of
    {start, Console, Syntax0, GroupLeader} ->
      Syntax = Pick(Syntax0),
      St0 = NewState(Syntax),
      Owner = spawn(fun() ->
                  process_flag(trap_exit, true),
                  erlang:monitor_node(Console, true),
                  %% The evaluator's group leader between lines (and during them, given one): the console's, or the
                  %% node's own `user`; without one, each caller's is lent to it for its line.
                  put('$beamconsole_lend', GroupLeader =:= none),
                  put('$beamconsole_early', #{}),
                  put('$beamconsole_gl', case GroupLeader of none -> whereis(user); _ -> GroupLeader end),
                  OwnerLoop(Console, StartEvaluator(self(), St0), St0)
              end),
      {ok, Owner, NodeInfo(Syntax)};
    {once, Syntax0, Req} ->
      {Reply, _} = Eval(Req, NewState(Pick(Syntax0))),
      Reply
  end
end
"""#

    /// The source with the read-only check in place, ready for `erl_scan`. The check is large (most of the text), so
    /// a session that is not `--read-only` gets a stand-in that is never called.
    /// (The check comes first in the fun, where only `Command` is bound, so that none of its variables is bound
    /// outside it.)
    static func text(readOnly: Bool) -> String { readOnly ? withCheck : withoutCheck }

    private static let withCheck = template.replacingEvery(
        "'$READ_ONLY_CHECK'", with: ReadOnlyCheck.erlangFunSource)
    private static let withoutCheck = template.replacingEvery(
        "'$READ_ONLY_CHECK'", with: #"fun(_, _, _, _) -> {refused, <<"the session is not read-only">>} end"#)
}
