/// The tracer `trace` starts on a node, as Erlang source evaluated there with `erl_eval` (see
/// ``NodeInspection``): nothing is loaded onto the node, and only OTP's own functions run.
///
/// Applied to a map (`id`, `sink`: our pid, `console`: our node, `mfa`, `ms`: the match spec, `procs`: `all`,
/// `{pid, Text}` or `{name, Atom}`, `count`, `rate` per second, `duration` in ms, `syntax`, `cap` in bytes per event,
/// `limit` for `inspect`), it spawns two processes and answers `{ok, #{guard, tracer, mode, matched, otp}}` or
/// `{error, Code, Text}` (`bad_match_spec`, `noproc`, `not_loaded`, `no_match`, `busy`, `timeout`):
///
/// - the *tracer* receives the trace messages. It counts them, keeps to `rate` per second (when a second's budget is
///   spent it turns the trace pattern off until the second ends, so a hot function costs little meanwhile, and
///   counts the calls it missed with `call_count`: `{dropped, N}`), renders each event as the node prints it (the node's `inspect` for Elixir, `io_lib` for
///   Erlang, at most `cap` bytes) and sends `{'$beamconsole_trace', Id, {event, Map}}` to the console. It stops after
///   `count` events, after `duration`, on `{'$beamconsole_stop', Why}`, or when the guard goes, and then removes
///   everything it set;
/// - the *guard* sets the trace up, monitors the tracer and the console's node, and on either going removes every
///   pattern and flag again and reports what is left (`{cleaned, #{patterns, flags}}`; both 0).
///
/// On OTP 27+ the trace runs in its own trace session (`trace:session_create/3`): other tracers on the node are
/// untouched, and destroying the session removes everything. Before that, `erlang:trace/3` and
/// `erlang:trace_pattern/3` are node-global: the guard refuses (`busy`) when another tracer already traces new
/// processes (another console, `dbg`), and the tracer and guard exclude themselves from the trace.
enum TraceSource {
    static let text = ##"""
fun(Args) ->
  #{id := Id, sink := Sink, console := Console, mfa := {M, F, A}, ms := MS, procs := Procs0,
    count := Count, rate := Rate, duration := Duration, syntax := Syntax, cap := Cap, limit := Limit} = Args,
  Caller = self(),
  Bin = fun(C) -> unicode:characters_to_binary(C) end,
  Send = fun(Msg) -> erlang:send(Sink, {'$beamconsole_trace', Id, Msg}, [noconnect]) end,
  Loaded = fun(Mod) -> case code:ensure_loaded(Mod) of {module, _} -> true; _ -> false end end,
  Ex = Syntax =:= elixir andalso Loaded('Elixir.Kernel'),
  Clip = fun(B) when byte_size(B) =< Cap -> B;
            (B) -> <<(Bin(string:slice(B, 0, Cap)))/binary, "..."/utf8>> end,
  Show = case Ex of
           true -> fun(V) -> 'Elixir.Kernel':inspect(V, [{limit, Limit}, {printable_limit, 4 * Limit}]) end;
           false -> fun(V) -> Bin(io_lib:format("~tW", [V, Limit])) end
         end,
  FunName = case Ex andalso erlang:function_exported('Elixir.Macro', inspect_atom, 2) of
              true -> fun(Fn) -> 'Elixir.Macro':inspect_atom(remote_call, Fn) end;
              false -> fun(Fn) -> Bin(io_lib:write_atom(Fn)) end
            end,
  ModName = case Ex of true -> fun(Mo) -> 'Elixir.Kernel':inspect(Mo) end;
                       false -> fun(Mo) -> Bin(io_lib:write_atom(Mo)) end end,
  Sep = case Ex of true -> <<".">>; false -> <<":">> end,
  MfaText = fun(Mo, Fn, Ar) -> <<(ModName(Mo))/binary, Sep/binary, (FunName(Fn))/binary, "/", (integer_to_binary(Ar))/binary>> end,
  Banner = case Ex of
             true -> fun(C, R) -> 'Elixir.Exception':format_banner(C, R, []) end;
             false -> fun(C, R) -> Bin(io_lib:format("~tw:~tW", [C, R, Limit])) end
           end,
  Name = fun(P) -> case erlang:process_info(P, registered_name) of {registered_name, N} -> N; _ -> nil end end,
  Micros = fun({Me, S, Mi}) -> (Me * 1000000 + S) * 1000000 + Mi end,
  Event = fun(P, Kind, Mo, Fn, Ar, Text, Ts) ->
      #{kind => Kind, pid => list_to_binary(pid_to_list(P)), name => Name(P), mfa => MfaText(Mo, Fn, Ar), text => Clip(Text), ts => Micros(Ts)}
  end,
  Format = fun({trace_ts, P, call, {Mo, Fn, As}, Ts}) ->
                 Text = <<(ModName(Mo))/binary, Sep/binary, (FunName(Fn))/binary, "(",
                          (Bin(lists:join(<<", ">>, [Show(X) || X <- As])))/binary, ")">>,
                 Event(P, call, Mo, Fn, length(As), Text, Ts);
              ({trace_ts, P, return_from, {Mo, Fn, Ar}, V, Ts}) -> Event(P, return, Mo, Fn, Ar, Show(V), Ts);
              ({trace_ts, P, exception_from, {Mo, Fn, Ar}, {C, R}, Ts}) -> Event(P, exception, Mo, Fn, Ar, Banner(C, R), Ts);
              (Other) -> #{kind => other, text => Clip(Show(Other))}
           end,
  Now = fun() -> erlang:monotonic_time(millisecond) end,
  Tracer = fun() ->
      receive {go, Guard, Ctl} -> ok end,
      GRef = erlang:monitor(process, Guard),
      erlang:send_after(Duration, self(), '$beamconsole_time_up'),
      Loop = fun L(S = #{left := Left, win := Win, n := N, dropped := D, total_dropped := TD, paused := P, shown := Sh}) ->
          receive
            {'$beamconsole_stop', Why} -> {Why, S};
            '$beamconsole_time_up' -> {time, S};
            {'DOWN', GRef, _, _, _} -> {guard_down, S};
            '$beamconsole_resume' ->
              Missed = (maps:get(resume, Ctl))(),
              case D + Missed of 0 -> ok; Skipped -> Send({dropped, Skipped}) end,
              L(S#{paused := false, win := Now(), n := 0, dropped := 0, total_dropped := TD + Missed});
            Ev when element(1, Ev) =:= trace_ts; element(1, Ev) =:= trace ->
              case P of
                true -> L(S#{dropped := D + 1, total_dropped := TD + 1});
                false ->
                  T = Now(),
                  {Win1, N1} = case T - Win >= 1000 of true -> {T, 0}; false -> {Win, N} end,
                  case N1 >= Rate of
                    true ->
                      (maps:get(pause, Ctl))(),
                      erlang:send_after(max(1, 1000 - (T - Win1)), self(), '$beamconsole_resume'),
                      L(S#{win := Win1, n := N1, dropped := D + 1, total_dropped := TD + 1, paused := true});
                    false ->
                      Send({event, Format(Ev)}),
                      S1 = S#{left := Left - 1, win := Win1, n := N1 + 1, shown := Sh + 1},
                      case Left - 1 of 0 -> {count, S1}; _ -> L(S1) end
                  end
              end
          end
      end,
      {Why, #{shown := Shown, total_dropped := Dropped}} =
        Loop(#{left => Count, win => Now(), n => 0, dropped => 0, total_dropped => 0, paused => false, shown => 0}),
      Send({stopped, Why, #{shown => Shown, dropped => Dropped}}),
      (maps:get(cleanup, Ctl))()
  end,
  Procs = case Procs0 of
            all -> all;
            {pid, PidText} ->
              case catch erlang:list_to_pid(binary_to_list(PidText)) of
                P0 when is_pid(P0) -> case is_process_alive(P0) of true -> P0; false -> {error, PidText} end;
                _ -> {error, PidText}
              end;
            {name, Reg} -> case whereis(Reg) of undefined -> {error, Reg}; RP -> RP end
          end,
  Matching = fun() ->
      Mods = case M of '_' -> [Mo || {Mo, _} <- code:all_loaded()]; _ -> [M] end,
      [{Mo, Fn, Ar} || Mo <- Mods, {Fn, Ar} <- try Mo:module_info(functions) catch _:_ -> [] end,
                       F =:= '_' orelse Fn =:= F, A =:= '_' orelse Ar =:= A]
  end,
  %% Calls counted (call_count) while the trace is paused, over every function the spec matches.
  Counted = fun(Info) ->
      lists:sum([N || X <- Matching(), {call_count, N} <- [catch Info(X)], is_integer(N)])
  end,
  Sessions = Loaded(trace) andalso erlang:function_exported(trace, session_create, 3),
  Guard = fun() ->
      erlang:monitor_node(Console, true),
      T = spawn(Tracer),
      TRef = erlang:monitor(process, T),
      BadMS = case catch erlang:match_spec_test([], MS, trace) of
                {error, Errors} -> Bin(io_lib:format("the match spec is not valid: ~tW", [Errors, 20]));
                {ok, _, _, _} -> false;
                Other0 -> Bin(io_lib:format("the match spec is not valid: ~tW", [Other0, 20]))
              end,
      Setup =
        case {Procs, Loaded(M) orelse M =:= '_'} of
          {_, _} when BadMS =/= false -> {error, bad_match_spec, BadMS};
          {{error, What}, _} -> {error, noproc, Bin(io_lib:format("no process ~ts on this node", [case is_atom(What) of true -> io_lib:format("is registered as ~tw", [What]); false -> [What, " is alive"] end]))};
          {_, false} -> {error, not_loaded, Bin(io_lib:format("module ~tw is not loaded on this node", [M]))};
          {_, true} when Sessions ->
            S = trace:session_create(beamconsole, T, []),
            case trace:function(S, {M, F, A}, MS, [local]) of
              0 -> trace:session_destroy(S), {error, no_match, <<"no function matches">>};
              Matched ->
                _ = trace:process(S, Procs, true, [call, timestamp]),
                [trace:process(S, X, false, [call]) || Procs =:= all, X <- [self(), T]],
                Undo = fun() -> catch trace:session_destroy(S), #{patterns => 0, flags => 0} end,
                {ok, session, Matched,
                 #{pause => fun() -> catch trace:function(S, {M, F, A}, false, [local]),
                                     catch trace:function(S, {M, F, A}, true, [call_count]) end,
                   resume => fun() -> Missed = Counted(fun(X) -> trace:info(S, X, call_count) end),
                                      catch trace:function(S, {M, F, A}, false, [call_count]),
                                      catch trace:function(S, {M, F, A}, MS, [local]),
                                      Missed end,
                   cleanup => Undo}}
            end;
          {_, true} ->
            Busy = case Procs of
                     all -> element(2, erlang:trace_info(new, tracer));
                     _ -> element(2, erlang:trace_info(Procs, tracer))
                   end,
            case Busy of
              [] ->
                case erlang:trace_pattern({M, F, A}, MS, [local]) of
                  0 -> {error, no_match, <<"no function matches">>};
                  Matched ->
                    _ = erlang:trace(Procs, true, [call, timestamp, {tracer, T}]),
                    [catch erlang:trace(X, false, [call]) || Procs =:= all, X <- [self(), T]],
                    Undo = fun() ->
                        catch erlang:trace_pattern({M, F, A}, false, [local]),
                        catch erlang:trace_pattern({M, F, A}, false, [call_count]),
                        catch erlang:trace(Procs, false, [call, timestamp]),
                        #{patterns => length([X || X <- Matching(), element(2, erlang:trace_info(X, traced)) =/= false
                                                           orelse element(2, erlang:trace_info(X, call_count)) =/= false]),
                          flags => length(element(2, erlang:trace_info(new, flags)))}
                    end,
                    {ok, global, Matched,
                     #{pause => fun() -> catch erlang:trace_pattern({M, F, A}, false, [local]),
                                         catch erlang:trace_pattern({M, F, A}, true, [call_count]) end,
                       resume => fun() -> Missed = Counted(fun(X) -> erlang:trace_info(X, call_count) end),
                                          catch erlang:trace_pattern({M, F, A}, false, [call_count]),
                                          catch erlang:trace_pattern({M, F, A}, MS, [local]),
                                          Missed end,
                       cleanup => Undo}}
                end;
              Other when is_pid(Other); is_port(Other) ->
                {error, busy, Bin(io_lib:format("~tw already traces here (another console or dbg); before trace sessions "
                                                "(OTP 27) tracing is node-global, so two tracers would interfere", [Other]))};
              _ -> {error, busy, <<"another tracer (a module tracer) is active on this node">>}
            end
        end,
      case Setup of
        {error, _, _} -> exit(T, kill), Caller ! {self(), Setup};
        {ok, Mode, Count1, Ctl} ->
          Caller ! {self(), {ok, #{guard => self(), tracer => T, mode => Mode, matched => Count1,
                                   otp => Bin(erlang:system_info(otp_release))}}},
          T ! {go, self(), Ctl},
          receive
            {'DOWN', TRef, _, _, _} -> ok;
            {nodedown, Console} -> exit(T, kill)
          end,
          Report = (maps:get(cleanup, Ctl))(),
          Send({cleaned, Report})
      end
  end,
  G = spawn(Guard),
  Ref = erlang:monitor(process, G),
  receive
    {G, Reply} -> erlang:demonitor(Ref, [flush]), Reply;
    {'DOWN', Ref, _, _, Why} -> {error, setup_crashed, Bin(io_lib:format("~tW", [Why, 30]))}
  after 10000 -> exit(G, kill), {error, timeout, <<"setting up the trace took over 10 s">>}
  end
end
"""##
}
