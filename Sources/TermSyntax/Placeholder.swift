import ErlangTerm
