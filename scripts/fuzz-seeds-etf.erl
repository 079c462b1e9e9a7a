-module(etf).
-export([main/0]).
main() ->
    P = self(), R = make_ref(), Q = list_to_pid("<0.99.0>"),
    Terms = [
      {ctl_regsend, {6, P, '', rex}, {'$gen_call', {P, R}, {call, erlang, node, [], P}}},
      {ctl_send, {2, '', P}, {rex, 'peer@127.0.0.1'}},
      {ctl_sendsender, {22, Q, P}, {R, {ok, [1,2,3], <<"bin">>, 3.5, 123456789012345678901234567890}}},
      {ctl_link, {1, Q, P}, none},
      {ctl_exit, {3, Q, P, normal}, none},
      {ctl_exit2, {8, Q, P, kill}, none},
      {ctl_monitor, {19, Q, P, R}, none},
      {ctl_monitor_name, {19, Q, rex, R}, none},
      {ctl_demonitor, {20, Q, P, R}, none},
      {ctl_monitorexit, {21, P, Q, R, noproc}, none},
      {ctl_payload_monitorexit, {28, P, Q, R}, {shutdown, #{a => 1, <<"b">> => [x | y]}}},
      {ctl_spawnrequest, {29, R, Q, Q, {erpc, execute_call, 4}, [monitor]}, [R, erlang, node, []]},
      {ctl_spawnreply, {31, R, P, 2, Q}, none},
      {ctl_spawnreply_err, {31, R, P, 0, notsup}, none},
      {ctl_aliassend, {33, Q, R}, {R, {response, ok}}},
      {ctl_unlinkid, {35, 1, Q, P}, none},
      {ctl_unlinkidack, {36, 18446744073709551615, Q, P}, none},
      {ctl_payloadexit, {24, Q, P}, {badarg, [{m, f, 1, [{file, "x.erl"}, {line, 3}]}]}},
      {ctl_sendtt, {12, '', P, {trace, token}}, hello},
      {ctl_unknown_op, {99, Q, P}, none},
      {ctl_compressed, {2, '', P}, {compressed, lists:duplicate(200, <<"abcdefgh">>)}}
    ],
    lists:foreach(fun({Name, Ctl, Msg}) ->
        B1 = term_to_binary(Ctl),
        B2 = case {Name, Msg} of {_, none} -> <<>>; {ctl_compressed, _} -> term_to_binary(Msg, [compressed]); _ -> term_to_binary(Msg) end,
        io:format("~s ~s~n", [Name, binary:encode_hex(<<112, B1/binary, B2/binary>>)])
      end, Terms),
    halt().
