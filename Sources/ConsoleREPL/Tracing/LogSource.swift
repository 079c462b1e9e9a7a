/// The logger helpers `log` runs on a node, as Erlang source evaluated there with `erl_eval` (see
/// ``NodeInspection``): nothing is loaded onto the node, and only OTP's own `logger` API is used.
///
/// Applied to a map with `op`:
/// - `show`: `{ok, #{primary, modules, handlers, otp}}`: the primary level, the per-module levels and each
///   handler's level;
/// - `set` (`level`, `module`: an atom or nil, `duration` in ms, `id`, `sink`, `console`): spawns an *owner* that
///   sets the level, remembers the previous one, and puts it back after `duration`, on
///   `{'$beamconsole_revert', _}`, or when the console's node goes down. It reverts only if the level is still the
///   one it set (someone else's later change is left alone and reported). It answers
///   `{ok, #{owner, previous, level, show}}` and sends `{'$beamconsole_log', Id, {reverted, Map}}` when done;
/// - `tail` (`level`, `count`, `rate` per second, `duration` in ms, `cap` bytes per line, `id`, `sink`, `console`):
///   adds a `logger_std_h` handler (one of `beamconsole_tail_1` … `_8`) whose device is a *relay* process speaking the
///   I/O protocol. `logger_std_h`'s own overload protection bounds what reaches the relay; the relay keeps to
///   `count` and `rate` (over the rate, the guard sets the handler's level to `none` until the second ends) and sends
///   each line to the console as `{line, #{level, time, pid, mfa, text}}`. A *guard* removes the handler when the
///   relay ends, is stopped, or the console's node goes down (`{cleaned, #{handlers => 0}}`). Only the guard calls
///   `logger`: the handler's process may be waiting for the relay's I/O reply meanwhile.
enum LogSource {
    static let text = ##"""
fun(Args) ->
  #{op := Op} = Args,
  Caller = self(),
  Bin = fun(C) -> unicode:characters_to_binary(C) end,
  Levels = [emergency, alert, critical, error, warning, notice, info, debug, all, none],
  Primary = fun() -> maps:get(level, logger:get_primary_config()) end,
  ModuleLevel = fun(Mo) -> case logger:get_module_level(Mo) of [{Mo, L}] -> L; _ -> unset end end,
  Handlers = fun() -> [{Hid, maps:get(level, Hc, all)} || #{id := Hid} = Hc <- logger:get_handler_config()] end,
  Show = fun() ->
      #{primary => Primary(), modules => logger:get_module_level(), handlers => Handlers(),
        otp => Bin(erlang:system_info(otp_release))}
  end,
  Start = fun(Body) ->
      P = spawn(Body),
      Ref = erlang:monitor(process, P),
      receive
        {P, Reply} -> erlang:demonitor(Ref, [flush]), Reply;
        {'DOWN', Ref, _, _, Why} -> {error, setup_crashed, Bin(io_lib:format("~tW", [Why, 30]))}
      after 10000 -> exit(P, kill), {error, timeout, <<"no answer from the owner within 10 s">>}
      end
  end,
  case Op of
    show -> {ok, Show()};
    set ->
      #{id := Id, sink := Sink, console := Console, level := Level, module := Module, duration := Duration} = Args,
      Send = fun(Msg) -> erlang:send(Sink, {'$beamconsole_log', Id, Msg}, [noconnect]) end,
      Get = fun() -> case Module of nil -> Primary(); _ -> ModuleLevel(Module) end end,
      Put = fun(unset) -> logger:unset_module_level(Module);
               (L) when Module =:= nil -> logger:set_primary_config(level, L);
               (L) -> logger:set_module_level(Module, L) end,
      case lists:member(Level, Levels) of
        false -> {error, bad_level, Bin(io_lib:format("~tw is not a logger level", [Level]))};
        true ->
          Start(fun() ->
              erlang:monitor_node(Console, true),
              Previous = Get(),
              case Put(Level) of
                ok ->
                  Caller ! {self(), {ok, #{owner => self(), previous => Previous, level => Level, show => Show()}}},
                  Timer = erlang:send_after(Duration, self(), '$beamconsole_time_up'),
                  Why = receive
                          '$beamconsole_time_up' -> time;
                          {nodedown, Console} -> disconnected;
                          {'$beamconsole_revert', _} -> asked
                        end,
                  erlang:cancel_timer(Timer),
                  Outcome = case Get() of
                              Level -> Put(Previous), reverted;
                              Other -> {changed, Other}
                            end,
                  Send({reverted, #{why => Why, outcome => Outcome, previous => Previous, now => Get()}});
                Error -> Caller ! {self(), {error, refused, Bin(io_lib:format("~tW", [Error, 20]))}}
              end
          end)
      end;
    tail ->
      #{id := Id, sink := Sink, console := Console, level := Level, count := Count, rate := Rate,
        duration := Duration, cap := Cap} = Args,
      Send = fun(Msg) -> erlang:send(Sink, {'$beamconsole_log', Id, Msg}, [noconnect]) end,
      Ids = logger:get_handler_ids(),
      Free = [H || N <- lists:seq(1, 8), H <- [list_to_atom("beamconsole_tail_" ++ integer_to_list(N))],
                   not lists:member(H, Ids)],
      Now = fun() -> erlang:monotonic_time(millisecond) end,
      Clip = fun(B) when byte_size(B) =< Cap -> B;
                (B) -> <<(Bin(string:slice(B, 0, Cap)))/binary, "..."/utf8>> end,
      Line = fun(L) ->
          case binary:split(L, <<"\t">>, [global]) of
            [Lv, Time, Pid, Mfa | Rest] ->
              #{level => Lv, time => Time, pid => Pid, mfa => Mfa, text => Clip(iolist_to_binary(lists:join(<<"\t">>, Rest)))};
            _ -> #{level => <<>>, time => <<>>, pid => <<>>, mfa => <<>>, text => Clip(L)}
          end
      end,
      case {lists:member(Level, Levels), Free} of
        {false, _} -> {error, bad_level, Bin(io_lib:format("~tw is not a logger level", [Level]))};
        {_, []} -> {error, busy, <<"8 beamconsole log tails are already running on this node">>};
        {true, [Hid | _]} ->
          Relay = fun() ->
              Guard = receive {go, G0} -> G0 end,
              GRef = erlang:monitor(process, Guard),
              erlang:send_after(Duration, self(), '$beamconsole_time_up'),
              Chars = fun({put_chars, _, Cs}) -> {ok, Cs};
                         ({put_chars, Cs}) -> {ok, Cs};
                         ({put_chars, _, Mo, Fu, As}) -> {ok, catch apply(Mo, Fu, As)};
                         ({put_chars, Mo, Fu, As}) -> {ok, catch apply(Mo, Fu, As)};
                         (_) -> error end,
              Loop = fun L(S = #{left := Left, win := Win, n := N, dropped := D, total_dropped := TD, paused := P, shown := Sh}) ->
                  receive
                    {'$beamconsole_stop', Why} -> {Why, S};
                    '$beamconsole_time_up' -> {time, S};
                    {'DOWN', GRef, _, _, _} -> {guard_down, S};
                    '$beamconsole_resume' ->
                      Guard ! {self(), resume},
                      case D of 0 -> ok; _ -> Send({dropped, D}) end,
                      L(S#{paused := false, win := Now(), n := 0, dropped := 0});
                    {io_request, From, ReplyAs, Req} ->
                      case Chars(Req) of
                        {ok, Cs} ->
                          From ! {io_reply, ReplyAs, ok},
                          Lines = [X || X <- binary:split(unicode:characters_to_binary(Cs), <<"\n">>, [global]), X =/= <<>>],
                          T = Now(),
                          {Win1, N1} = case T - Win >= 1000 of true -> {T, 0}; false -> {Win, N} end,
                          Room = max(0, min(Rate - N1, Left)),
                          {Shown, Rest} = lists:split(min(Room, length(Lines)), Lines),
                          [Send({line, Line(X)}) || X <- Shown],
                          Left1 = Left - length(Shown),
                          S1 = S#{left := Left1, win := Win1, n := N1 + length(Shown), shown := Sh + length(Shown),
                                  dropped := D + length(Rest), total_dropped := TD + length(Rest)},
                          if Left1 =< 0 -> {count, S1};
                             Rest =/= [], not P ->
                               Guard ! {self(), pause},
                               erlang:send_after(max(1, 1000 - (T - Win1)), self(), '$beamconsole_resume'),
                               L(S1#{paused := true});
                             true -> L(S1)
                          end;
                        error -> From ! {io_reply, ReplyAs, {error, request}}, L(S)
                      end
                  end
              end,
              {Why, #{shown := Shown, total_dropped := Dropped}} =
                Loop(#{left => Count, win => Now(), n => 0, dropped => 0, total_dropped => 0, paused => false, shown => 0}),
              Send({stopped, Why, #{shown => Shown, dropped => Dropped}}),
              Guard ! {self(), done},
              %% The handler may be writing to us while the guard removes it: answer until told to go.
              Drain = fun Dr() ->
                  receive
                    {io_request, From, ReplyAs, _} -> From ! {io_reply, ReplyAs, ok}, Dr();
                    '$beamconsole_exit' -> ok;
                    {'DOWN', GRef, _, _, _} -> ok
                  after 5000 -> ok
                  end
              end,
              Drain()
          end,
          Start(fun() ->
              erlang:monitor_node(Console, true),
              R = spawn(Relay),
              RRef = erlang:monitor(process, R),
              Config = #{level => Level, config => #{type => {device, R}},
                         formatter => {logger_formatter,
                                       #{single_line => true, legacy_header => false, chars_limit => 8 * Cap,
                                         max_size => 8 * Cap, depth => 30,
                                         template => [level, "\t", time, "\t", {pid, [pid], []}, "\t",
                                                      {mfa, [mfa], []}, "\t", msg, "\n"]}}},
              case logger:add_handler(Hid, logger_std_h, Config) of
                ok ->
                  Caller ! {self(), {ok, #{guard => self(), relay => R, handler => Hid, show => Show()}}},
                  R ! {go, self()},
                  Wait = fun W() ->
                      receive
                        {R, pause} -> catch logger:update_handler_config(Hid, level, none), W();
                        {R, resume} -> catch logger:update_handler_config(Hid, level, Level), W();
                        {R, done} -> ok;
                        {'DOWN', RRef, _, _, _} -> ok;
                        {nodedown, Console} -> R ! {'$beamconsole_stop', disconnected}, W()
                      end
                  end,
                  Wait(),
                  catch logger:remove_handler(Hid),
                  R ! '$beamconsole_exit',
                  Send({cleaned, #{handlers => length([x || lists:member(Hid, logger:get_handler_ids())])}});
                Error ->
                  exit(R, kill),
                  Caller ! {self(), {error, refused, Bin(io_lib:format("~tW", [Error, 20]))}}
              end
          end)
      end
  end
end
"""##
}
