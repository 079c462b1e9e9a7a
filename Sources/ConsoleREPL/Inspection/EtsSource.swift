/// What `ets` evaluates on each node (see ``NodeInspection``): metadata through `ets:info/2`, one item at a time (a
/// table deleted during the walk answers `undefined` and is skipped), reduced to the top K on the node.
///
/// - `{top, Sort, K}` (`Sort`: `memory` or `size`): `#{tables => [Row], count, wordsize}`, the K biggest rows. A row is
///   `#{name, id (the name of a named table, else the tid as text), owner (pid as text), owner_name (nil when not
///   registered), type, size, memory (bytes: words × wordsize), protection, named}`.
/// - `{peek, Table, K, Cap}` (K = 0: metadata only): the table named `Table` (a binary: a name, compared without making an atom, or a
///   `#Ref<…>`) → `{ok, Row, [Text], More}` with at most K objects (`ets:select/3` with a limit, never the whole
///   table), each rendered on the node (Elixir's `inspect` with limits, or `~tP` with depth 20) and cut to `Cap`
///   bytes; `{error, not_found}`, `{error, {ambiguous, [TidText]}}` (several unnamed tables share the name; at most 10), or
///   `{error, {private, OwnerPid, OwnerName}}` (only the owner can read a private table).
enum EtsSource {
    static let text = #"""
fun(Args) ->
  Info = fun(T, Item) -> try ets:info(T, Item) catch _:_ -> undefined end end,
  Clip = fun(B, Max) when byte_size(B) =< Max -> B;
            (B, Max) -> case unicode:characters_to_binary(binary:part(B, 0, Max)) of
                          {_, Good, _} -> Good; Good when is_binary(Good) -> Good end end,
  Owner = fun(P) ->
      Name = case erlang:process_info(P, registered_name) of {registered_name, N} -> N; _ -> nil end,
      {unicode:characters_to_binary(pid_to_list(P)), Name}
  end,
  Row = fun(T) ->
      Items = [name, owner, type, size, memory, protection, named_table],
      Vals = [Info(T, I) || I <- Items],
      case lists:member(undefined, Vals) of
        true -> skip;
        false ->
          [Name, Own, Type, Size, Mem, Prot, Named] = Vals,
          Id = case Named of true -> Name; false -> unicode:characters_to_binary(io_lib:format("~w", [T])) end,
          {OwnerPid, OwnerName} = Owner(Own),
          #{name => Name, id => Id, owner => OwnerPid, owner_name => OwnerName, type => Type, size => Size,
            memory => Mem * erlang:system_info(wordsize), protection => Prot, named => Named}
      end
  end,
  Find = fun(Text) ->
      Named = try ets:whereis(binary_to_existing_atom(Text, utf8)) catch _:_ -> undefined end,
      case Named of
        undefined ->
          ByRef = try T0 = erlang:list_to_ref(binary_to_list(Text)),
                      case Info(T0, name) of undefined -> []; _ -> [T0] end
                  catch _:_ -> [] end,
          case ByRef of
            [] -> [T1 || T1 <- ets:all(), Nm <- [Info(T1, name)], is_atom(Nm), atom_to_binary(Nm, utf8) =:= Text];
            _ -> ByRef
          end;
        Tid -> [Tid]
      end
  end,
  case Args of
    {top, Sort, Limit} ->
      Keyed = lists:foldl(fun(T, Acc) ->
                  case Info(T, Sort) of
                    K when is_integer(K) -> [{K, T} | Acc];
                    _ -> Acc
                  end
              end, [], ets:all()),
      Top = lists:sublist(lists:reverse(lists:sort(Keyed)), Limit),
      Rows = [R || {_, T} <- Top, R <- [Row(T)], R =/= skip],
      #{tables => Rows, count => length(Keyed), wordsize => erlang:system_info(wordsize)};
    {peek, Text, K, Cap} ->
      case Find(Text) of
        [] -> {error, not_found};
        [_, _ | _] = Many ->
          {error, {ambiguous, [unicode:characters_to_binary(io_lib:format("~w", [M])) || M <- lists:sublist(Many, 10)]}};
        [T] ->
          case Row(T) of
            skip -> {error, not_found};
            R when K =:= 0 -> {ok, R, [], false};
            #{protection := private, owner := OwnerPid, owner_name := OwnerName} = R ->
              case Info(T, owner) =:= self() of
                true -> {ok, R, [], false};
                false -> {error, {private, OwnerPid, OwnerName}}
              end;
            R ->
              Render = case code:is_loaded('Elixir.Kernel') of
                         {file, _} -> fun(O) -> 'Elixir.Kernel':inspect(O, [{limit, 20}, {printable_limit, 256}]) end;
                         false -> fun(O) -> io_lib:format("~tP", [O, 20]) end
                       end,
              Objs = try ets:select(T, [{'_', [], ['$_']}], K) of
                       {Os, _} -> Os;
                       '$end_of_table' -> []
                     catch error:badarg -> gone end,
              case Objs of
                gone -> {error, not_found};
                _ -> {ok, R, [Clip(unicode:characters_to_binary(Render(O)), Cap) || O <- lists:sublist(Objs, K)],
                      length(Objs) >= K}
              end
          end
      end
  end
end
"""#
}
