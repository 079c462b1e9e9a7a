// A small synchronous shim over c-ares: one query, its own event loop, a bounded wait.
// Swift calls it from a background thread; the raw answer is parsed with c-ares' own parsers.
#ifndef BEAMCONSOLE_CARES_H
#define BEAMCONSOLE_CARES_H

#include <ares.h>
#include <arpa/nameser.h>

typedef struct {
    /// ARES_SUCCESS or an ARES_E* code.
    int status;
    /// The raw DNS answer (malloc'ed; free with bc_ares_result_free), or NULL.
    unsigned char *answer;
    int answer_length;
    /// The servers used, "host:port,host:port" (malloc'ed), or NULL.
    char *servers;
} bc_ares_result;

/// Resolves `name` for `type` (ns_t_a, ns_t_aaaa, ns_t_srv) in class IN.
/// `servers_csv`: NULL for /etc/resolv.conf, else "host:port[,host:port]".
/// `use_search`: apply resolv.conf search domains and ndots (ares_search) instead of an absolute ares_query.
/// TCP is used automatically when an answer comes back truncated.
int bc_ares_resolve(const char *servers_csv, const char *name, int type, int timeout_ms, int tries, int use_search,
                    bc_ares_result *out);
void bc_ares_result_free(bc_ares_result *r);

/// Parses A records with TTLs; returns the count (<= max) or a negative ARES_E* code.
int bc_ares_parse_a(const unsigned char *abuf, int alen, char *addresses, int *ttls, int max);
/// Parses AAAA records with TTLs; returns the count (<= max) or a negative ARES_E* code.
int bc_ares_parse_aaaa(const unsigned char *abuf, int alen, char *addresses, int *ttls, int max);

typedef struct {
    char host[256];
    unsigned short port;
    unsigned short priority;
    unsigned short weight;
} bc_ares_srv;
/// Parses SRV records; returns the count (<= max) or a negative ARES_E* code.
int bc_ares_parse_srv(const unsigned char *abuf, int alen, bc_ares_srv *out, int max);

const char *bc_ares_strerror(int code);

#endif
