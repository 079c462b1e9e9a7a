/// What `versions` evaluates on each node (see ``NodeInspection``): OTP's and Elixir's own functions only, every
/// list cut to a fixed length and every string to 128 bytes.
///
/// ``text`` takes
/// - `{summary, #{}}`: `#{otp, erts, elixir (nil without Elixir), release_name, release_vsn (RELEASE_NAME and
///   RELEASE_VSN, nil when unset), boot_script ({Name, Vsn} of `init:script_id/0`), apps ([{App, Vsn}] of the running
///   applications, sorted, at most 400), app_count, digests ([{App, MD5}]: the MD5 of the loaded modules' names and
///   `M:module_info(md5)`, sorted), modified (`code:modified_modules/0`, at most 100), modified_count}`;
/// - `{modules, [AppName]}` (binaries, at most 20): `[{App, [{Module, MD5}]}]`, the loaded modules of each, at most
///   3000 each. Names are compared as binaries: no atom is made on the node.
///
/// ``envText`` takes `{env, AppName, ShowKeys, Salt}` and returns `#{loaded, key_count, keys}`: one `{Key, {H1, H2}}` per
/// key of `application:get_all_env/1` (at most 1000), `{Key, {H1, H2}, Text}` for the keys named in `ShowKeys`. The hash
/// is two `erlang:phash2/2` of the salted value (portable across ERTS versions, unlike `term_to_binary/1`'s
/// encoding), so values never leave the node unless asked for; the text is rendered there (Elixir's `inspect` or
/// `~tP`) and cut to 2 KB.
enum VersionsSource {
    static let text = #"""
fun(Args) ->
  Bin = fun(undefined) -> <<>>; (false) -> <<>>;
           (S) when is_binary(S) -> binary:part(S, 0, min(byte_size(S), 128));
           (S) -> B = unicode:characters_to_binary(io_lib:format("~ts", [S])),
                  binary:part(B, 0, min(byte_size(B), 128)) end,
  Env = fun(Name) -> case os:getenv(Name) of false -> nil; V -> Bin(V) end end,
  Take = fun(L, N) -> lists:sublist(L, N) end,
  Apps = try application:which_applications(5000) catch _:_ -> [] end,
  Mods = fun(App) ->
      case application:get_key(App, modules) of
        {ok, Ms} when is_list(Ms) ->
          lists:sort([{M, MD5} || M <- Take(Ms, 5000), is_atom(M), erlang:module_loaded(M),
                                  MD5 <- [try M:module_info(md5) catch _:_ -> <<>> end]]);
        _ -> []
      end
  end,
  case Args of
    {summary, Opts} ->
      Elixir = case code:is_loaded('Elixir.System') of
                 {file, _} -> try Bin('Elixir.System':version()) catch _:_ -> nil end;
                 false -> case lists:keyfind(elixir, 1, Apps) of {_, _, EV} -> Bin(EV); false -> nil end
               end,
      Script = try init:script_id() of {SN, SV} -> {Bin(SN), Bin(SV)}; _ -> nil catch _:_ -> nil end,
      AppRows = [{A, Bin(AV)} || {A, _, AV} <- Take(lists:sort(Apps), 400)],
      Digests = [{A, erlang:md5([[atom_to_binary(M, utf8), D] || {M, D} <- Mods(A)])} || {A, _} <- AppRows],
      {Modified, ModCount} = case maps:get(modified, Opts, true) of
                   true -> Mm = try code:modified_modules() catch _:_ -> [] end,
                           {Take(lists:sort(Mm), 100), length(Mm)};
                   false -> {[], 0}
                 end,
      #{otp => Bin(erlang:system_info(otp_release)), erts => Bin(erlang:system_info(version)),
        elixir => Elixir, release_name => Env("RELEASE_NAME"), release_vsn => Env("RELEASE_VSN"),
        boot_script => Script, apps => AppRows, app_count => length(Apps), digests => Digests,
        modified => Modified, modified_count => ModCount};
    {modules, Wanted} ->
      Known = [A || {A, _, _} <- Apps],
      [{A, Take(Mods(A), 3000)} || W <- Take(Wanted, 20), A <- Known, atom_to_binary(A, utf8) =:= W]
  end
end
"""#

    static let envText = #"""
fun({env, AppName, Show, Salt}) ->
  Render = fun(V) ->
      Text = case code:is_loaded('Elixir.Kernel') of
               {file, _} -> try 'Elixir.Kernel':inspect(V, [{limit, 50}, {printable_limit, 1024}])
                            catch _:_ -> io_lib:format("~tP", [V, 30]) end;
               false -> io_lib:format("~tP", [V, 30])
             end,
      B = unicode:characters_to_binary(Text),
      case byte_size(B) > 2048 of
        false -> B;
        true -> case unicode:characters_to_binary(binary:part(B, 0, 2048)) of
                  {_, Good, _} -> <<Good/binary, "...">>; Good -> <<Good/binary, "...">> end
      end
  end,
  KeyText = fun(K) when is_atom(K) -> atom_to_binary(K, utf8);
               (K) -> Render(K) end,
  Hash = fun(V) -> {erlang:phash2({Salt, 1, V}, 4294967296), erlang:phash2({Salt, 2, V}, 4294967296)} end,
  App = try binary_to_existing_atom(AppName, utf8) catch _:_ -> undefined end,
  Loaded = App =/= undefined andalso lists:keymember(App, 1, application:loaded_applications()),
  case Loaded of
    false -> #{loaded => false, keys => [], key_count => 0};
    true ->
      All = lists:sort(application:get_all_env(App)),
      Rows = [begin
                K = KeyText(Key),
                case lists:member(K, Show) of
                  true -> {K, Hash(V), Render(V)};
                  false -> {K, Hash(V)}
                end
              end || {Key, V} <- lists:sublist(All, 1000)],
      #{loaded => true, keys => Rows, key_count => length(All)}
  end
end
"""#
}
