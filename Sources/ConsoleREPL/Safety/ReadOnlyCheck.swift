import ErlangTerm

/// `--read-only` when any expression can be typed: the check that a line calls nothing but allowed functions, run on
/// the target node before the line is evaluated.
///
/// ``erlangFunSource`` is the Erlang text of one fun (no trailing `.`), built on the node with `erl_scan`, `erl_parse`
/// and `erl_eval` (nothing is installed there); it uses only OTP and Elixir standard-library functions, evaluates
/// nothing of the line, and creates no atoms from it (aliases resolve through `binary_to_existing_atom`):
///
/// ```erlang
/// Check(Syntax, Forms, Env, Allow) -> ok | {refused, Reason :: binary()}
/// ```
///
/// - `Syntax`: `elixir` or `erlang`.
/// - `Forms`: for `elixir`, the quoted line from `'Elixir.Code':string_to_quoted(Code, [{existing_atoms_only, true}])`
///   (no `literal_encoder`); for `erlang`, the list from `erl_parse:parse_exprs/1`.
/// - `Env`: for `elixir`, the session's `Macro.Env` (its imports say which module a local call runs, its aliases
///   what an alias names, its `versioned_vars` which names are variables); for `erlang`, `undefined`.
/// - `Allow`: ``allowTerm()``, a map whose keys are `{Module, Function, Arity}` (one arity) or `{Module, Function}`
///   (every arity), looked up in that order, and whose values are `true` (any arguments) or
///   `{item_arg, Position, [atom()]}` (argument `Position`, counted from 1, must be a literal atom from the list or a
///   literal list of them: `process_info/2`).
/// - `Reason`: what was refused, as the user wrote it in their syntax, for a message such as
///   "refused under --read-only: REASON": `File.rm/1`, `send/2`, `:os.cmd/1`, `os:cmd/1`,
///   `Process.info/2 with :dictionary`, `a call through a variable (mod.fun/0)`, `! (a send)`. A line that cannot
///   be analysed (an unexpected form, an exception inside the check) is refused too.
///
/// What the walk allows (Elixir): remote calls with a literal module (atom or alias, resolved through `Env`) whose
/// `{M, F, A}` is allowed (pipes add the piped value as the first argument, through `Macro.pipe/3`); local calls to the
/// allowed function of the module that imports it (Kernel, IEx's helpers), or of Kernel and IEx's helpers when nothing
/// imports the name; captures (`&M.f/2`, `&f/1`, `&M.f(&1, :x)`) checked like calls; special forms (blocks, `=`, `{}`,
/// `%{}`, `%`, `<<>>`, `fn`, `case`, `cond`, `if`, `unless`, `with`, `for`, `receive`, `try`, `^`, `&1`, sigils);
/// `alias`, whose names are followed: after a top-level `alias` the statements that follow resolve the name as it says,
/// and where its scope is unclear (an `alias` nested in a block) a name is checked both ways, so that
/// `alias :file, as: Map; Map.delete(path, [])` is refused as `:file.delete/2`; `%{...}.field`; `fn ... end.(x)`, and
/// `f.(x)` where `f = fn ... end` is an earlier statement of the same line and `f` is bound nowhere else in it;
/// `h`/`b`/`t` with a documentation reference (`h File.rm/1` does not call `File.rm`); `raise "message"`; `~w` without
/// the `a` modifier (which makes atoms). Refused: everything else, among which calls through a variable module or
/// function, `x.field` on anything but a map literal (it calls `x.field()` when `x` is a module: the refusal says to
/// write `Map.fetch!(x, :field)`), `@attribute`, `import`/`require`/`use`, `quote`/`unquote`, `raise Module`, and the
/// atoms `:__struct__`, `File.Stream` and `IO.Stream` (a hand-built struct would reach their protocol implementations,
/// which read and write files and devices). Before Elixir 1.15 a name that is no variable calls the zero-arity import
/// of that name (`ls` runs `ls()`): such names are checked as calls unless `Env` knows them as variables.
///
/// Erlang: `M:F(...)` with literal `M` and `F` is checked; `F(...)` is an auto-imported BIF checked as `erlang:F/A`, or
/// one of the shell's `b()`, `f()`, `f(X)`, `v(N)`; `fun M:F/A` and `fun F/A` are checked; fun bodies are walked; a
/// named fun may call itself, and `F(...)` is allowed after a top-level `F = fun ... end` when `F` occurs nowhere else;
/// `!` and any other call position are refused.
///
/// Higher-order functions (`Enum.map/2` …) are allowed because every fun a line can hold was made by checked code: `fn`
/// bodies are walked, captures are checked, and nothing on the allowlist returns funs or turns strings into atoms.
/// Known limits: the check cannot bound memory or time (`Enum.to_list(1..1_000_000_000)`); functions that call a fixed
/// callback of a module given as an argument (`Enum.sort/2`'s `compare/2`, calendar and time zone database callbacks,
/// `Access` on a struct) are allowed; and a struct rebuilt at run time from atoms found in data (module lists) is
/// beyond a static check. `--read-only` guards against mistakes; it is no sandbox for hostile code.
public enum ReadOnlyCheck {
    /// The check, as the Erlang text of one fun expression (ASCII, no trailing `.`): see the type's documentation.
    public static let erlangFunSource: String = #"""
        fun(Syntax, Forms, Env, Allow) ->
            Refuse = fun(Why) -> erlang:throw({'$beamconsole_read_only', unicode:characters_to_binary(Why)}) end,
            Int = fun(N) -> integer_to_binary(N) end,
            Slash = fun(Name, Arity) -> [Name, <<"/">>, integer_to_binary(Arity)] end,
            AtomText = fun(A) -> atom_to_binary(A, utf8) end,
            %% Enum, Stream, inspect and `for ... into:` run the protocol implementation that a struct's __struct__
            %% names: a struct built by hand could reach File.Stream's (reads and writes files) or IO.Stream's.
            Unsafe = [{'__struct__', <<"a hand-built struct">>},
                      {'Elixir.File.Stream', <<"its values read and write files">>},
                      {'Elixir.IO.Stream', <<"its values read and write any device">>}],
            UnsafeWhy = fun(A) -> case lists:keyfind(A, 1, Unsafe) of {_, Why} -> Why; false -> none end end,
            Rule = fun(M, F, A) ->
                case maps:find({M, F, A}, Allow) of
                    {ok, R} -> R;
                    error -> case maps:find({M, F}, Allow) of {ok, R} -> R; error -> false end
                end
            end,
            %% Args: unknown (a capture) or a fun from a 1-based position to {ok, LiteralAtoms} | error.
            Check = fun(M, F, A, Args, Name, ShowAtom) ->
                case Rule(M, F, A) of
                    true -> ok;
                    {item_arg, N, Items} when Args =:= unknown ->
                        Refuse([Name, <<" without a literal item (argument ">>, Int(N), <<")">>]);
                    {item_arg, N, Items} ->
                        case Args(N) of
                            {ok, Given} ->
                                case [I || I <- Given, not lists:member(I, Items)] of
                                    [] -> ok;
                                    [Bad | _] -> Refuse([Name, <<" with ">>, ShowAtom(Bad)])
                                end;
                            error -> Refuse([Name, <<" with an item that is not a literal atom or list of atoms">>])
                        end;
                    _ -> Refuse(Name)
                end
            end,
            ExistingAtom = fun(B) -> try {ok, binary_to_existing_atom(B, utf8)} catch error:_ -> error end end,
            EnvList = fun(Key) ->
                case is_map(Env) of
                    true -> case maps:get(Key, Env, []) of L when is_list(L) -> L; _ -> [] end;
                    false -> []
                end
            end,
            EnvVars = case is_map(Env) of
                true -> case maps:get(versioned_vars, Env, #{}) of
                            Versioned when is_map(Versioned) -> [V || {V, _} <- maps:keys(Versioned)];
                            _ -> []
                        end;
                false -> []
            end,
            Imported = fun(Name, Arity) ->
                [M || {M, Fs} <- EnvList(functions) ++ EnvList(macros), is_list(Fs), lists:member({Name, Arity}, Fs)]
            end,
            %% The module a local call Name/Arity runs: the import that provides it, else Kernel or IEx's helpers when
            %% they allow it (an evaluator may provide the helpers without importing them), else none.
            Local = fun(Name, Arity) ->
                case Imported(Name, Arity) of
                    [M | _] -> M;
                    [] ->
                        case {Rule('Elixir.Kernel', Name, Arity), Rule('Elixir.IEx.Helpers', Name, Arity)} of
                            {false, false} -> none;
                            {false, _} -> 'Elixir.IEx.Helpers';
                            _ -> 'Elixir.Kernel'
                        end
                end
            end,
            %% The statements of an Elixir line, and what its alias forms define: those at the top level are in scope
            %% for the statements after them (ExTop threads them through); any other may or may not be in scope where a
            %% name is used, so a name it defines is checked both ways.
            Statements = case Forms of {'__block__', _, Block} when is_list(Block) -> Block; _ -> [Forms] end,
            AliasDefs = fun
                ({'__aliases__', _, Segs} = Target, Opts) when is_list(Segs) ->
                    case {lists:all(fun erlang:is_atom/1, Segs), Opts} of
                        {true, []} -> [{lists:last(Segs), {aliases, Segs}}];
                        {true, [O]} when is_list(O) ->
                            case lists:keyfind(as, 1, O) of
                                false -> [{lists:last(Segs), {aliases, Segs}}];
                                {as, {'__aliases__', _, [Short]}} when is_atom(Short) -> [{Short, {aliases, Segs}}];
                                _ -> bad
                            end;
                        _ -> bad
                    end;
                (M, [O]) when is_atom(M), is_list(O) ->
                    case lists:keyfind(as, 1, O) of
                        {as, {'__aliases__', _, [Short]}} when is_atom(Short) -> [{Short, {module, M}}];
                        _ -> bad
                    end;
                ({{'.', _, [{'__aliases__', _, Base}, '{}']}, _, Parts}, []) when is_list(Base), is_list(Parts) ->
                    Defs = [{lists:last(P), {aliases, Base ++ P}}
                            || {'__aliases__', _, P} <- Parts, is_list(P), P =/= []],
                    case length(Defs) =:= length(Parts) andalso lists:all(fun erlang:is_atom/1, Base) of
                        true -> Defs;
                        false -> bad
                    end;
                (_, _) -> bad
            end,
            AliasForms = fun AF({'alias', _, [Target | Opts]}) -> [{Target, Opts}];
                             AF({A, _, C}) -> AF(A) ++ AF(C);
                             AF({A, B}) -> AF(A) ++ AF(B);
                             AF([H | T]) -> AF(H) ++ AF(T);
                             AF(_) -> []
                         end,
            LineAliases = case Syntax of
                elixir ->
                    Nested = lists:append([case S of {'alias', _, _} -> []; _ -> AliasForms(S) end || S <- Statements]),
                    lists:foldl(fun(_, bad) -> bad;
                                   ({Target, Opts}, Acc) ->
                                       case AliasDefs(Target, Opts) of bad -> bad; D -> D ++ Acc end
                                end, [], Nested);
                _ -> []
            end,
            %% Where the environment's aliases (not the line's) send H.T1.T2: {ok, Module} | error.
            EnvAlias = fun(H, T) ->
                Base = case H of
                    'Elixir' -> <<"Elixir">>;
                    _ ->
                        HB = AtomText(H),
                        case ExistingAtom(<<"Elixir.", HB/binary>>) of
                            {ok, Short} ->
                                case lists:keyfind(Short, 1, EnvList(aliases)) of
                                    {Short, Full} when is_atom(Full) -> AtomText(Full);
                                    _ -> <<"Elixir.", HB/binary>>
                                end;
                            error -> <<"Elixir.", HB/binary>>
                        end
                end,
                ExistingAtom(iolist_to_binary([Base | [[<<".">>, AtomText(S)] || S <- T]]))
            end,
            %% The modules an alias may name, without creating atoms: {ok, [Module]} | error. Top holds the line's
            %% top-level aliases in scope ({Short, {ok, Module} | error}); every other alias of the line that defines
            %% the same name adds a candidate.
            ResolveSegs = fun RS([H | T], Top, WithNested) when is_atom(H) ->
                    case lists:all(fun erlang:is_atom/1, T) of
                        false -> error;
                        true ->
                            First = case lists:keyfind(H, 1, Top) of
                                {H, {ok, TopM}} when T =:= [] -> {ok, TopM};
                                {H, {ok, TopM}} ->
                                    ExistingAtom(iolist_to_binary([AtomText(TopM)
                                                                   | [[<<".">>, AtomText(S)] || S <- T]]));
                                {H, error} -> error;
                                false -> EnvAlias(H, T)
                            end,
                            Others = case WithNested of
                                true when is_list(LineAliases) ->
                                    [case Def of
                                         {aliases, Segs} -> RS(Segs ++ T, Top, false);
                                         {module, Mod} when T =:= [] -> {ok, [Mod]};
                                         _ -> error
                                     end || {Short, Def} <- LineAliases, Short =:= H];
                                _ -> []
                            end,
                            Found = [case First of {ok, M1} -> {ok, [M1]}; error -> error end | Others],
                            case lists:member(error, Found) of
                                true -> error;
                                false -> {ok, lists:usort(lists:append([Ms || {ok, Ms} <- Found]))}
                            end
                    end;
                RS(_, _, _) -> error
            end,
            ResolveDef = fun({aliases, Segs}, T, {_, Top}) -> ResolveSegs(Segs ++ T, Top, true);
                            ({module, M}, [], _) -> {ok, [M]};
                            (_, _, _) -> error
                         end,
            ResolveAlias = fun({'__aliases__', _, Segs}, {_, Top}) when is_list(Segs) -> ResolveSegs(Segs, Top, true);
                              (_, _) -> error
                           end,
            ExSrc = fun(Ast) -> try 'Elixir.Macro':to_string(Ast) catch _:_ -> <<"...">> end end,
            ExShow = fun(A) -> 'Elixir.Kernel':inspect(A) end,
            ExLiteralAtoms = fun(A) when is_atom(A) -> {ok, [A]};
                                (L) when is_list(L) ->
                                    case lists:all(fun erlang:is_atom/1, L) of true -> {ok, L}; false -> error end;
                                (_) -> error
                             end,
            ExArgs = fun(Args) ->
                fun(N) when N =< length(Args) -> ExLiteralAtoms(lists:nth(N, Args)); (_) -> error end
            end,
            IsVar = fun({V, _, C}) when is_atom(V), is_atom(C) -> true; (_) -> false end,
            %% Uses of variable V that could (re)bind it or pass it on: every occurrence except the V in V.(...).
            ExUses = fun U({{'.', _, [{_, _, C}]}, _, Args}, V) when is_atom(C) -> U(Args, V);
                         U({X, _, C}, V) when is_atom(X), is_atom(C) -> case X =:= V of true -> 1; false -> 0 end;
                         U({A, _, C}, V) -> U(A, V) + U(C, V);
                         U({A, B}, V) -> U(A, V) + U(B, V);
                         U([H | T], V) -> U(H, V) + U(T, V);
                         U(_, _) -> 0
                     end,
            %% Special forms whose arguments are walked as they are; those refused whatever their arguments.
            WalkedForms = ['__block__', '=', '{}', '%{}', '%', '^', '|', '->', '<-', 'when', 'fn', 'case', 'cond',
                           'for', 'with', 'receive', 'try'],
            RefusedForms = ['import', 'require', 'quote', 'unquote', 'unquote_splicing', 'super', '__cursor__'],
            Ex = fun
                %% ---- expressions ----
                Ex(expr, A, _) when is_atom(A) ->
                    case UnsafeWhy(A) of
                        none -> ok;
                        Why -> Refuse([ExShow(A), <<" (">>, Why, <<")">>])
                    end;
                Ex(expr, X, _) when is_number(X); is_binary(X) -> ok;
                Ex(expr, [], _) -> ok;
                Ex(expr, [H | T], Sc) -> Ex(expr, H, Sc), Ex(expr, T, Sc);
                Ex(expr, {A, B}, Sc) -> Ex(expr, A, Sc), Ex(expr, B, Sc);
                Ex(expr, {Name, Meta, C}, Sc) when is_atom(Name), is_atom(C) ->
                    %% A variable; before Elixir 1.15 a name that is no variable may call a zero-arity import.
                    case lists:member(Name, EnvVars) of
                        true -> ok;
                        false ->
                            case Imported(Name, 0) of
                                [M | _] -> Ex(named, {M, Name, Meta, [], Slash(AtomText(Name), 0)}, Sc);
                                [] -> ok
                            end
                    end;
                Ex(expr, {'__aliases__', _, _} = Alias, Sc) ->
                    case ResolveAlias(Alias, Sc) of
                        {ok, Ms} -> lists:foreach(fun(M) -> Ex(expr, M, Sc) end, Ms);
                        error -> ok
                    end;
                Ex(expr, {'alias', _, Args}, _) when is_list(Args) -> ok;
                Ex(expr, {'<<>>', _, Segments}, Sc) when is_list(Segments) ->
                    lists:foreach(fun({'::', _, [E, Type]}) -> Ex(expr, E, Sc), Ex(bits, Type, Sc);
                                     (E) -> Ex(expr, E, Sc)
                                  end, Segments);
                Ex(expr, {'::', _, [E, Type]}, Sc) -> Ex(expr, E, Sc), Ex(bits, Type, Sc);
                Ex(expr, {'&', _, [N]}, _) when is_integer(N) -> ok;
                Ex(expr, {'&', _, [{'/', _, [Ref, Arity]}]} = Capture, Sc) when is_integer(Arity) ->
                    case Ref of
                        {{'.', _, [Left, F]}, _, []} when is_atom(F) ->
                            case Left of
                                _ when is_atom(Left) -> Ex(capture, {Left, F, Arity}, Sc);
                                {'__aliases__', _, _} ->
                                    case ResolveAlias(Left, Sc) of
                                        {ok, Ms} -> lists:foreach(fun(M) -> Ex(capture, {M, F, Arity}, Sc) end, Ms);
                                        error -> Refuse([ExSrc(Left), <<".">>, Slash(AtomText(F), Arity)])
                                    end;
                                _ -> Refuse([<<"a capture through a variable (&">>, Slash(ExSrc(Ref), Arity), <<")">>])
                            end;
                        {F, _, C} when is_atom(F), is_atom(C) ->
                            case Local(F, Arity) of
                                none -> Refuse(Slash(AtomText(F), Arity));
                                M -> Check(M, F, Arity, unknown, Slash(AtomText(F), Arity), ExShow)
                            end;
                        _ -> Ex(expr, element(3, Capture), Sc)
                    end;
                Ex(expr, {'&', _, Body}, Sc) when is_list(Body) -> Ex(expr, Body, Sc);
                %% Remote calls, field access, calls through variables.
                Ex(expr, {{'.', _, [Left, F]}, Meta, Args}, Sc) when is_atom(F), is_list(Args) ->
                    Arity = length(Args),
                    case Left of
                        _ when is_atom(Left) -> Ex(remote, {Left, F, Meta, Args}, Sc);
                        {'__aliases__', _, _} ->
                            case ResolveAlias(Left, Sc) of
                                {ok, Ms} -> lists:foreach(fun(M) -> Ex(remote, {M, F, Meta, Args}, Sc) end, Ms);
                                error -> Refuse([ExSrc(Left), <<".">>, Slash(AtomText(F), Arity)])
                            end;
                        _ ->
                            NoParens = is_list(Meta) andalso lists:member({no_parens, true}, Meta),
                            MapLiteral = case Left of {'%{}', _, _} -> true; {'%', _, _} -> true; _ -> false end,
                            if
                                NoParens, Args =:= [], MapLiteral -> Ex(expr, Left, Sc);
                                NoParens, Args =:= [] ->
                                    Src = ExSrc(Left),
                                    Refuse([<<"a field access that calls a function when ">>, Src, <<" is a module (">>,
                                            Src, <<".">>, AtomText(F), <<"; write Map.fetch!(">>, Src, <<", ">>,
                                            ExShow(F), <<"))">>]);
                                true ->
                                    What = case IsVar(Left) of
                                        true -> <<"a variable">>;
                                        false -> <<"a computed module">>
                                    end,
                                    Refuse([<<"a call through ">>, What, <<" (">>, ExSrc(Left), <<".">>,
                                            Slash(AtomText(F), Arity), <<")">>])
                            end
                    end;
                Ex(expr, {{'.', _, [Fun]}, _, Args}, Sc) when is_list(Args) ->
                    case Fun of
                        {'fn', _, _} -> Ex(expr, Fun, Sc), Ex(expr, Args, Sc);
                        {'&', _, _} -> Ex(expr, Fun, Sc), Ex(expr, Args, Sc);
                        {V, _, C} when is_atom(V), is_atom(C) ->
                            case lists:member(V, element(1, Sc)) of
                                true -> Ex(expr, Args, Sc);
                                false ->
                                    Refuse([<<"a call through a variable (">>,
                                            Slash([AtomText(V), <<".(...)">>], length(Args)), <<")">>])
                            end;
                        _ ->
                            Refuse([<<"a call of a computed function (">>,
                                    Slash([ExSrc(Fun), <<".(...)">>], length(Args)), <<")">>])
                    end;
                %% Special forms, then local calls: operators, Kernel, imports.
                Ex(expr, {Name, Meta, Args}, Sc) when is_atom(Name), is_list(Args) ->
                    Arity = length(Args),
                    case {lists:member(Name, WalkedForms), lists:member(Name, RefusedForms), Local(Name, Arity)} of
                        {true, _, _} -> Ex(expr, Args, Sc);
                        {_, true, _} -> Refuse(Slash(AtomText(Name), Arity));
                        {_, _, none} -> Refuse(Slash(AtomText(Name), Arity));
                        {_, _, M} -> Ex(named, {M, Name, Meta, Args, Slash(AtomText(Name), Arity)}, Sc)
                    end;
                Ex(expr, Other, _) -> Refuse([<<"an expression that cannot be checked (">>, ExSrc(Other), <<")">>]);
                %% ---- a call of M:F with these arguments, M known ----
                Ex(remote, {M, F, Meta, Args}, Sc) ->
                    Ex(named, {M, F, Meta, Args, [ExShow(M), <<".">>, Slash(AtomText(F), length(Args))]}, Sc);
                Ex(named, {'Elixir.Kernel', '|>', _, [L, R], _}, Sc) ->
                    try 'Elixir.Macro':pipe(L, R, 0) of
                        Piped -> Ex(expr, Piped, Sc)
                    catch
                        _:_ -> Refuse([<<"a pipe into something that is not a call (">>, ExSrc(R), <<")">>])
                    end;
                Ex(named, {'Elixir.Kernel', raise, _, [Message], _}, Sc) ->
                    case Message of
                        _ when is_binary(Message) -> ok;
                        {'<<>>', _, _} -> Ex(expr, Message, Sc);
                        _ -> Refuse(<<"raise/1 with anything but a string (it calls the exception module)">>)
                    end;
                Ex(named, {'Elixir.Kernel', Sigil, _, [_, Modifiers] = Args, Name}, Sc) when is_list(Modifiers),
                        (Sigil =:= sigil_w orelse Sigil =:= sigil_W) ->
                    %% ~w(...)a makes atoms from the words (from run-time strings when interpolated).
                    case lists:member($a, Modifiers) of
                        true -> Refuse([Name, <<" with the a modifier (it creates atoms)">>]);
                        false -> Check('Elixir.Kernel', Sigil, 2, ExArgs(Args), Name, ExShow)
                    end,
                    Ex(expr, Args, Sc);
                Ex(named, {'Elixir.Kernel', '@', _, Args, _}, _) ->
                    Refuse([<<"a module attribute (">>, ExSrc({'@', [], Args}), <<")">>]);
                Ex(named, {'Elixir.IEx.Helpers', Doc, _, [Arg], Name}, Sc) when Doc =:= h; Doc =:= b; Doc =:= t ->
                    Check('Elixir.IEx.Helpers', Doc, 1, unknown, Name, ExShow),
                    Ex(doc, Arg, Sc);
                Ex(named, {M, F, _, Args, Name}, Sc) ->
                    Check(M, F, length(Args), ExArgs(Args), Name, ExShow),
                    Ex(expr, Args, Sc);
                %% ---- &M.F/A ----
                Ex(capture, {M, F, Arity}, _) ->
                    Check(M, F, Arity, unknown, [ExShow(M), <<".">>, Slash(AtomText(F), Arity)], ExShow);
                %% ---- the type of a bitstring segment (binary-size(4), 8, utf8, unit(8)) ----
                Ex(bits, N, _) when is_integer(N) -> ok;
                Ex(bits, {T, _, C}, _) when is_atom(T), is_atom(C) -> ok;
                Ex(bits, {Op, _, [A, B]}, Sc) when Op =:= '-'; Op =:= '*' -> Ex(bits, A, Sc), Ex(bits, B, Sc);
                Ex(bits, {T, _, [E]}, Sc) when T =:= size; T =:= unit -> Ex(expr, E, Sc);
                Ex(bits, Other, _) -> Refuse([<<"a bitstring type that cannot be checked (">>, ExSrc(Other), <<")">>]);
                %% ---- the argument of h/b/t: a documentation reference, evaluated only in the parts walked here ----
                Ex(doc, {'/', _, [{{'.', _, [M, F]}, _, []}, N]}, Sc) when is_atom(F), is_integer(N) -> Ex(expr, M, Sc);
                Ex(doc, {'/', _, [{F, _, C}, N]}, _) when is_atom(F), is_atom(C), is_integer(N) -> ok;
                Ex(doc, {{'.', _, [M, F]}, _, []}, Sc) when is_atom(F) -> Ex(expr, M, Sc);
                Ex(doc, {F, _, C}, _) when is_atom(F), is_atom(C) -> ok;
                Ex(doc, {F, _, []}, _) when is_atom(F), F =/= '__aliases__' -> ok;
                Ex(doc, Other, Sc) -> Ex(expr, Other, Sc)
            end,
            ExTop = fun() ->
                case LineAliases of
                    bad -> Refuse(<<"an alias that cannot be checked">>);
                    _ -> ok
                end,
                lists:foldl(fun(S, {FnVars, Top} = Sc) ->
                    Ex(expr, S, Sc),
                    case S of
                        {'=', _, [{V, _, C}, {'fn', _, _}]} when is_atom(V), is_atom(C) ->
                            case ExUses(Forms, V) of 1 -> {[V | FnVars], Top}; _ -> Sc end;
                        {'alias', _, [Target | Opts]} ->
                            %% In scope for the statements after it: what it names, resolved now.
                            Defs = case AliasDefs(Target, Opts) of
                                bad -> Refuse(<<"an alias that cannot be checked">>);
                                D -> D
                            end,
                            {FnVars, [{Short, case ResolveDef(Def, [], Sc) of {ok, [M]} -> {ok, M}; _ -> error end}
                                      || {Short, Def} <- Defs] ++ Top};
                        _ -> Sc
                    end
                end, {[], []}, Statements)
            end,
            %% ---- Erlang ----
            ErSrc = fun(E) -> try unicode:characters_to_binary(erl_pp:expr(E)) catch _:_ -> <<"...">> end end,
            ErShow = fun(A) -> unicode:characters_to_binary(io_lib:format("~tw", [A])) end,
            ErMFA = fun(M, F, A) -> unicode:characters_to_binary(io_lib:format("~tw:~tw/~w", [M, F, A])) end,
            ErList = fun EL({nil, _}) -> {ok, []};
                         EL({cons, _, {atom, _, A}, T}) -> case EL(T) of {ok, As} -> {ok, [A | As]}; error -> error end;
                         EL(_) -> error
                     end,
            ErAtoms = fun({atom, _, A}) -> {ok, [A]}; (E) -> ErList(E) end,
            ErArgs = fun(Args) ->
                fun(N) when N =< length(Args) -> ErAtoms(lists:nth(N, Args)); (_) -> error end
            end,
            ErUses = fun U({call, _, {var, _, _}, As}, V) -> U(As, V);
                         U({var, _, X}, V) -> case X =:= V of true -> 1; false -> 0 end;
                         U(T, V) when is_tuple(T) -> U(tuple_to_list(T), V);
                         U([H | T], V) -> U(H, V) + U(T, V);
                         U(_, _) -> 0
                     end,
            ShellCommands = [{b, 0}, {f, 0}, {f, 1}, {v, 1}],
            Er = fun
                Er({call, _, {remote, _, {atom, _, M}, {atom, _, F}}, As}, FV) ->
                    Check(M, F, length(As), ErArgs(As), ErMFA(M, F, length(As)), ErShow),
                    Er(As, FV);
                Er({call, _, {remote, _, _, _} = R, As}, _) ->
                    Refuse([<<"a call through a variable (">>, Slash(ErSrc(R), length(As)), <<")">>]);
                Er({call, _, {atom, _, F}, As}, FV) ->
                    Arity = length(As),
                    case lists:member({F, Arity}, ShellCommands) of
                        true -> ok;
                        false ->
                            Name = Slash(ErShow(F), Arity),
                            case erl_internal:bif(F, Arity) of
                                true -> Check(erlang, F, Arity, ErArgs(As), Name, ErShow);
                                false -> Refuse(Name)
                            end
                    end,
                    Er(As, FV);
                Er({call, _, {var, _, V}, As}, FV) ->
                    case lists:member(V, FV) of
                        true -> Er(As, FV);
                        false -> Refuse([<<"a call through a variable (">>, Slash(AtomText(V), length(As)), <<")">>])
                    end;
                Er({call, _, {'fun', _, _} = Fun, As}, FV) -> Er(Fun, FV), Er(As, FV);
                Er({call, _, {named_fun, _, _, _} = Fun, As}, FV) -> Er(Fun, FV), Er(As, FV);
                Er({call, _, Other, As}, _) ->
                    Refuse([<<"a call of a computed function (">>, Slash(ErSrc(Other), length(As)), <<")">>]);
                Er({op, _, '!', _, _}, _) -> Refuse(<<"! (a send)">>);
                Er({'fun', _, {function, F, A}}, _) when is_atom(F), is_integer(A) ->
                    Name = [<<"fun ">>, Slash(ErShow(F), A)],
                    case erl_internal:bif(F, A) of
                        true -> Check(erlang, F, A, unknown, Name, ErShow);
                        false -> Refuse(Name)
                    end;
                Er({'fun', _, {function, {atom, _, M}, {atom, _, F}, {integer, _, A}}}, _) ->
                    Check(M, F, A, unknown, ErMFA(M, F, A), ErShow);
                Er({'fun', _, {function, M, F, A}}, _) when is_atom(M), is_atom(F), is_integer(A) ->
                    Check(M, F, A, unknown, ErMFA(M, F, A), ErShow);
                Er({'fun', _, {function, _, _, _}} = Fun, _) ->
                    Refuse([<<"a fun through a variable (">>, ErSrc(Fun), <<")">>]);
                Er({'fun', _, {clauses, Cs}}, FV) -> Er(Cs, FV);
                Er({named_fun, _, Name, Cs}, FV) ->
                    case ErUses(Cs, Name) of 0 -> Er(Cs, [Name | FV]); _ -> Er(Cs, FV) end;
                Er({atom, _, A}, _) ->
                    case UnsafeWhy(A) of
                        none -> ok;
                        Why -> Refuse([ErShow(A), <<" (">>, Why, <<")">>])
                    end;
                Er(T, FV) when is_tuple(T) -> Er(tuple_to_list(T), FV);
                Er([H | T], FV) -> Er(H, FV), Er(T, FV);
                Er(_, _) -> ok
            end,
            ErTop = fun() ->
                lists:foldl(fun(E, FV) ->
                    Er(E, FV),
                    case E of
                        {match, _, {var, _, V}, {'fun', _, _}} ->
                            case ErUses(Forms, V) of 1 -> [V | FV]; _ -> FV end;
                        {match, _, {var, _, V}, {named_fun, _, _, _}} ->
                            case ErUses(Forms, V) of 1 -> [V | FV]; _ -> FV end;
                        _ -> FV
                    end
                end, [], Forms)
            end,
            try
                case Syntax of
                    elixir -> ExTop();
                    erlang when is_list(Forms) -> ErTop();
                    _ -> Refuse(<<"a line in an unknown syntax">>)
                end
            of
                _ -> ok
            catch
                throw:{'$beamconsole_read_only', Why} -> {refused, Why};
                Class:Reason ->
                    {refused, unicode:characters_to_binary(
                        io_lib:format("a line that could not be checked (~tP)", [{Class, Reason}, 8]))}
            end
        end
        """#

    /// ``allowTerm()``: ``ReadOnlyPolicy/allowlist`` (introspection) plus ``harmless`` (pure functions).
    public static func allowTerm() -> Term {
        var entries: [(Term, Term)] = []
        for rule in ReadOnlyPolicy.allowlist {
            let value: Term = rule.argument.map { argument in
                .tuple([.atom("item_arg"), .integer(argument.position),
                        .list(argument.allowed.sorted().map { .atom(Atom($0)) })])
            } ?? .atom(.true)
            for arity in rule.arities.sorted() {
                entries.append((.tuple([.atom(Atom(rule.module)), .atom(Atom(rule.function)), .integer(arity)]), value))
            }
        }
        for entry in harmless {
            if let arities = entry.arities {
                for arity in arities.sorted() {
                    let key: Term = .tuple([.atom(Atom(entry.module)), .atom(Atom(entry.function)), .integer(arity)])
                    entries.append((key, .atom(.true)))
                }
            } else {
                entries.append((.tuple([.atom(Atom(entry.module)), .atom(Atom(entry.function))]), .atom(.true)))
            }
        }
        return .map(TermMap(entries))
    }

    /// A harmless function: any arguments, at `arities` (nil: every arity).
    public struct Harmless: Sendable, Hashable {
        public var module: String
        public var function: String
        public var arities: Set<Int>?
    }

    /// The pure functions a `--read-only` line may call besides the introspection of ``ReadOnlyPolicy``: they compute a
    /// value from their arguments (or read a clock) and touch nothing else. Not here, on purpose: whatever runs code
    /// named by a module or function value (`apply`, `Function.capture`, `:erlang.make_fun`, `:timer.tc/3`), turns
    /// strings into atoms (`String.to_atom`, `List.to_existing_atom`, `binary_to_atom`, `io_lib:fread/2`'s `~a`: atom
    /// exhaustion, and computed module names), decodes terms (`binary_to_term`), sends, spawns, links, monitors or
    /// exits, reads or writes files, ETS, the process dictionary or the application environment, writes anywhere but
    /// the caller's group leader (`IO.puts/2`, `IO.warn`), loads or compiles code, builds structs from a module value
    /// (`struct/2`), and any module not listed (`System`, `Code`, `Module`, `File`, `Port`, `Node.spawn`, `:rpc`,
    /// `GenServer`, `:sys`).
    public static let harmless: [Harmless] = {
        var out: [Harmless] = []
        for (module, names) in harmlessByModule {
            for word in names.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                // "name" (every arity) or "name/1,2"; operators such as "/" and "..//" have no arity suffix.
                if let slash = word.lastIndex(of: "/"), slash != word.startIndex,
                    case let suffix = word[word.index(after: slash)...], !suffix.isEmpty,
                    suffix.allSatisfy({ $0.isNumber || $0 == "," })
                {
                    out.append(Harmless(
                        module: module, function: String(word[..<slash]),
                        arities: Set(suffix.split(separator: ",").compactMap { Int($0) })))
                } else {
                    out.append(Harmless(module: module, function: String(word), arities: nil))
                }
            }
        }
        return out
    }()

    /// ``harmless`` as written: module atom, then names (`name` for every arity, `name/1,2` for those arities).
    private static let harmlessByModule: [(String, String)] = [
        // Kernel: operators, guards, data functions and the macros that expand into them (not apply, send, spawn*,
        // exit, struct*, dbg, def*, use, @, reraise; raise/1 is checked apart: only with a string).
        ("Elixir.Kernel", """
            != !== * ** + - ++ -- / < <= == === =~ > >= abs binary_part binary_slice bit_size byte_size ceil div elem
            floor function_exported? get_and_update_in get_in hd inspect is_atom is_binary is_bitstring is_boolean
            is_float is_function is_integer is_list is_map is_map_key is_number is_pid is_port is_reference is_tuple
            length macro_exported? make_ref map_size max min node not pop_in put_elem put_in rem round self throw tl
            trunc tuple_size update_in
            ! && .. ..// <> and binding/0,1 destructure if in is_exception is_nil is_non_struct_map is_struct match? or
            |> || sigil_C sigil_D sigil_N sigil_R sigil_S sigil_T sigil_U sigil_W sigil_c sigil_r sigil_s sigil_w tap
            then to_char_list to_charlist to_string to_timeout unless raise/1
            """),
        // IEx's helpers that only show things (not c, r, l, nl, recompile, import_file, cd, ls, open, respawn,
        // break!); n and next are pry's no-ops here, listed so that variables named n or next are not refused.
        ("Elixir.IEx.Helpers", """
            h/0,1 b/1 t/1 i/0,1 exports/0,1 runtime_info/0,1 pid/1,3 ref/1,4 flush/0 v/0,1 clear/0 pwd/0 n/0 next/0
            """),
        ("Elixir.Enum", """
            all? any? at chunk chunk_by chunk_every chunk_while concat count count_until dedup dedup_by drop drop_every
            drop_while each empty? fetch fetch! filter filter_map find find_index find_value flat_map flat_map_reduce
            frequencies frequencies_by group_by intersperse into join map map_every map_intersperse map_join map_reduce
            max max_by member? min min_by min_max min_max_by partition product product_by random reduce reduce_while
            reject reverse reverse_slice scan shuffle slice slide sort sort_by split split_while split_with sum sum_by
            take take_every take_random take_while to_list uniq uniq_by unzip with_index zip zip_reduce zip_with
            """),
        ("Elixir.Stream", """
            chunk chunk_by chunk_every chunk_while concat cycle dedup dedup_by drop drop_every drop_while duplicate each
            filter filter_map flat_map intersperse interval into iterate map map_every reject repeatedly resource run
            scan take take_every take_while timer transform unfold uniq uniq_by with_index zip zip_with
            """),
        ("Elixir.List", """
            ascii_printable? delete delete_at duplicate first flatten foldl foldr improper? insert_at keydelete keyfind
            keyfind! keymember? keyreplace keysort keystore keytake last myers_difference pop_at replace_at
            starts_with? to_charlist to_float to_integer to_string to_tuple update_at wrap zip
            """),
        ("Elixir.Map", """
            delete drop equal? fetch fetch! filter from_keys from_struct get get_and_update get_and_update! get_lazy
            has_key? intersect keys map merge new pop pop! pop_lazy put put_new put_new_lazy reject replace replace!
            replace_lazy size split split_with take to_list update update! values
            """),
        ("Elixir.Keyword", """
            delete delete_first drop equal? fetch fetch! filter from_keys get get_and_update get_and_update! get_lazy
            get_values has_key? intersect keys keyword? map merge new pop pop! pop_first pop_lazy pop_values put
            put_new put_new_lazy reject replace replace! replace_lazy size split split_with take to_list update update!
            validate validate! values
            """),
        ("Elixir.String", """
            at bag_distance byte_slice capitalize chunk codepoints contains? count downcase duplicate ends_with?
            equivalent? first graphemes jaro_distance last length ljust lstrip match? myers_difference next_codepoint
            next_grapheme next_grapheme_size normalize pad_leading pad_trailing printable? replace replace_invalid
            replace_leading replace_prefix replace_suffix replace_trailing reverse rjust rstrip slice split split_at
            splitter starts_with? strip to_char_list to_charlist to_float to_integer trim trim_leading trim_trailing
            upcase valid? valid_character?
            """),
        ("Elixir.Integer", """
            digits extended_gcd floor_div gcd mod parse pow to_char_list to_charlist to_string undigits is_even is_odd
            """),
        ("Elixir.Float", "ceil floor max_finite min_finite parse pow ratio round to_char_list to_charlist to_string"),
        ("Elixir.Tuple", "append delete_at duplicate insert_at product sum to_list"),
        ("Elixir.Atom", "to_char_list to_charlist to_string"),
        ("Elixir.MapSet", """
            delete difference disjoint? equal? filter intersection member? new put reject size split_with subset?
            symmetric_difference to_list union
            """),
        ("Elixir.Range", "disjoint? new range? shift size split to_list"),
        ("Elixir.Date", """
            add after? before? beginning_of_month beginning_of_week compare convert convert! day_of_era day_of_week
            day_of_year days_in_month diff end_of_month end_of_week from_erl from_erl! from_gregorian_days
            from_iso8601 from_iso8601! leap_year? months_in_year new new! quarter_of_year range shift to_erl
            to_gregorian_days to_iso8601 to_iso_days to_string utc_today year_of_era
            """),
        ("Elixir.Time", """
            add after? before? compare convert convert! diff from_erl from_erl! from_iso8601 from_iso8601!
            from_seconds_after_midnight new new! shift to_erl to_iso8601 to_seconds_after_midnight to_string truncate
            utc_now
            """),
        ("Elixir.NaiveDateTime", """
            add after? before? beginning_of_day compare convert convert! diff end_of_day from_erl from_erl!
            from_gregorian_seconds from_iso8601 from_iso8601! local_now new new! shift to_date to_erl
            to_gregorian_seconds to_iso8601 to_string to_time truncate utc_now
            """),
        ("Elixir.DateTime", """
            add after? before? compare convert convert! diff from_gregorian_seconds from_iso8601 from_naive from_naive!
            from_unix from_unix! new new! now now! shift shift_zone shift_zone! to_date to_gregorian_seconds
            to_iso8601 to_naive to_string to_time to_unix truncate utc_now
            """),
        ("Elixir.Duration", "add from_iso8601 from_iso8601! multiply negate new! subtract to_iso8601 to_string"),
        ("Elixir.Base", """
            decode16 decode16! decode32 decode32! decode64 decode64! encode16 encode32 encode64 hex_decode32
            hex_decode32! hex_encode32 url_decode64 url_decode64! url_encode64
            """),
        ("Elixir.Bitwise", "&&& <<< >>> ^^^ band bnot bor bsl bsr bxor ||| ~~~"),
        // Not default_port/2, which sets a default for every process.
        ("Elixir.URI", """
            append_path append_query char_reserved? char_unescaped? char_unreserved? decode decode_query
            decode_www_form default_port/1 encode encode_query encode_www_form merge new new! parse query_decoder
            to_string
            """),
        ("Elixir.Version", """
            compare compile_requirement match? parse parse! parse_requirement parse_requirement! to_string
            """),
        ("Elixir.Regex", """
            compile compile! escape match? named_captures names opts re_pattern recompile recompile! regex? replace run
            scan source split version
            """),
        ("Elixir.Access", "all at at! elem fetch fetch! filter find get get_and_update key key! pop slice"),
        ("Elixir.Function", "identity info"),
        ("Elixir.String.Chars", "to_string/1"),
        ("Elixir.List.Chars", "to_charlist/1"),
        // Output to the caller's group leader only.
        ("Elixir.IO", "puts/1 write/1 inspect/1,2 iodata_to_binary/1 iodata_length/1 chardata_to_string/1"),
        ("Elixir.Process", "sleep/1"),
        ("Elixir.System", """
            os_time/0,1 convert_time_unit/3 unique_integer/0,1 time_offset/0,1 endianness/0 compiled_endianness/0
            """),
        // erlang: the auto-imported pure BIFs and operators (not apply, spawn*, send, exit, halt, link, monitor,
        // register, put/get/erase, process_flag, group_leader/2, garbage_collect, binary_to_term, *_to_atom,
        // *_to_existing_atom, make_fun, open_port, display, trace*, load/purge/delete_module, set_cookie).
        ("erlang", """
            abs adler32 adler32_combine append_element atom_to_binary atom_to_list binary_part binary_to_float
            binary_to_integer binary_to_list bit_size bitstring_to_list byte_size ceil convert_time_unit crc32
            crc32_combine date decode_packet delete_element element error external_size float float_to_binary
            float_to_list floor fun_info fun_to_list function_exported group_leader/0 hd insert_element
            integer_to_binary integer_to_list iolist_size iolist_to_binary iolist_to_iovec is_atom is_binary
            is_bitstring is_boolean is_builtin is_float is_function is_integer is_list is_map is_map_key is_number
            is_pid is_port is_process_alive is_record is_reference is_tuple length list_to_binary list_to_bitstring
            list_to_float list_to_integer list_to_pid list_to_port list_to_ref list_to_tuple loaded
            localtime_to_universaltime make_ref make_tuple map_get map_size max md5 md5_final md5_init md5_update min
            module_loaded node now phash phash2 pid_to_list port_to_list pre_loaded ref_to_list round self setelement
            size split_binary term_to_binary term_to_iovec throw time_offset timestamp tl trunc tuple_size
            tuple_to_list unique_integer universaltime_to_localtime
            + - * / div rem band bor bxor bnot bsl bsr not and or xor == /= =< < >= > =:= =/= ++ --
            """),
        ("io", "format/1,2 fwrite/1,2 put_chars/1 nl/0 write/1"),
        ("timer", "sleep/1 tc/1,2"),
        ("os", "timestamp/0 system_time/0,1 perf_counter/0,1"),
        ("lists", """
            all any append concat delete droplast dropwhile duplicate enumerate filter filtermap flatlength flatmap
            flatten foldl foldr foreach join keydelete keyfind keymap keymember keymerge keyreplace keysearch keysort
            keystore keytake last map mapfoldl mapfoldr max member merge merge3 min nth nthtail partition prefix
            reverse rkeymerge rmerge rmerge3 rukeymerge rumerge rumerge3 search seq sort split splitwith sublist
            subtract suffix sum takewhile ukeymerge ukeysort umerge umerge3 uniq unzip unzip3 usort zf zip zip3
            zipwith zipwith3
            """),
        ("maps", """
            filter filtermap find fold foreach from_keys from_list get groups_from_list intersect intersect_with is_key
            iterator keys map merge merge_with new next put remove size take to_list update update_with values with
            without
            """),
        ("string", """
            casefold centre chars chomp chr concat copies cspan equal find is_empty join left len length lexemes
            list_to_float list_to_integer lowercase next_codepoint next_grapheme nth_lexeme pad prefix rchr replace
            reverse right rstr slice span split str strip sub_string sub_word substr take titlecase to_float
            to_graphemes to_integer to_lower to_upper tokens trim uppercase words
            """),
        ("proplists", """
            append_values compact delete expand from_map get_all_values get_bool get_keys get_value is_defined lookup
            lookup_all normalize property split substitute_aliases substitute_negations to_map unfold
            """),
        ("orddict", """
            append append_list erase fetch fetch_keys filter find fold from_list is_empty is_key map merge new size
            store take to_list update update_counter
            """),
        ("dict", """
            append append_list erase fetch fetch_keys filter find fold from_list is_empty is_key map merge new size
            store take to_list update update_counter
            """),
        ("ordsets", """
            add_element del_element filter fold from_list intersection is_disjoint is_element is_empty is_set is_subset
            new size subtract to_list union
            """),
        ("sets", """
            add_element del_element filter fold from_list intersection is_disjoint is_element is_empty is_set is_subset
            new size subtract to_list union
            """),
        ("gb_sets", """
            add add_element balance del_element delete delete_any difference empty filter fold from_list from_ordset
            insert intersection is_disjoint is_element is_empty is_member is_set is_subset iterator iterator_from
            largest new next singleton size smallest subtract take_largest take_smallest to_list union
            """),
        ("gb_trees", """
            balance delete delete_any empty enter from_orddict get insert is_defined is_empty iterator iterator_from
            keys largest lookup map next size smallest take take_any take_largest take_smallest to_list update values
            """),
        ("queue", """
            all any cons daeh delete delete_r delete_with delete_with_r drop drop_r filter filtermap fold from_list get
            get_r head in in_r init is_empty is_queue join lait last len liat member new out out_r peek peek_r reverse
            snoc split tail to_list
            """),
        ("array", """
            default fix foldl foldr from_list from_orddict get is_array is_fix map new relax reset resize set size
            sparse_foldl sparse_foldr sparse_map sparse_size sparse_to_list sparse_to_orddict to_list to_orddict
            """),
        ("binary", """
            at bin_to_list compile_pattern copy decode_hex decode_unsigned encode_hex encode_unsigned first last
            list_to_bin longest_common_prefix longest_common_suffix match matches part referenced_byte_size replace
            split
            """),
        ("math", """
            acos acosh asin asinh atan atan2 atanh ceil cos cosh erf erfc exp floor fmod log log10 log2 pi pow sin sinh
            sqrt tan tanh
            """),
        ("unicode", """
            bin_is_7bit bom_to_encoding characters_to_binary characters_to_list characters_to_nfc_binary
            characters_to_nfc_list characters_to_nfd_binary characters_to_nfd_list characters_to_nfkc_binary
            characters_to_nfkc_list characters_to_nfkd_binary characters_to_nfkd_list encoding_to_bom
            """),
        ("io_lib", """
            build_text char_list chars_length deep_char_list deep_latin1_char_list deep_unicode_char_list format fwrite
            indentation latin1_char_list limit_term nl print printable_latin1_list printable_list printable_unicode_list
            quote_atom scan_format unscan_format write write_atom write_atom_as_latin1 write_binary write_char
            write_char_as_latin1 write_latin1_char write_latin1_string write_string write_string_as_latin1
            write_unicode_char write_unicode_string
            """),
        ("re", "compile inspect replace run split version"),
        ("base64", "decode decode_to_string encode encode_to_string mime_decode mime_decode_to_string"),
        ("calendar", """
            date_to_gregorian_days datetime_to_gregorian_seconds day_of_the_week gregorian_days_to_date
            gregorian_seconds_to_datetime is_leap_year iso_week_number last_day_of_the_month local_time
            local_time_to_universal_time local_time_to_universal_time_dst now_to_datetime now_to_local_time
            now_to_universal_time rfc3339_to_system_time seconds_to_daystime seconds_to_time system_time_to_local_time
            system_time_to_rfc3339 system_time_to_universal_time time_difference time_to_seconds universal_time
            universal_time_to_local_time valid_date
            """),
        ("uri_string", """
            allowed_characters compose_query dissect_query is_host is_path normalize parse percent_decode quote
            recompose resolve transcode unquote
            """),
    ]
}
