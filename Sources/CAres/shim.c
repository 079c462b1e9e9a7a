#define _GNU_SOURCE
#include "CAres.h"

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void library_init(void) { ares_library_init(ARES_LIB_INIT_ALL); }

typedef struct {
    int done;
    int status;
    unsigned char *answer;
    int answer_length;
} query_state;

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
    (void)timeouts;
    query_state *q = arg;
    q->done = 1;
    q->status = status;
    if (abuf && alen > 0) {
        q->answer = malloc((size_t)alen);
        if (q->answer) {
            memcpy(q->answer, abuf, (size_t)alen);
            q->answer_length = alen;
        }
    }
}

int bc_ares_resolve(const char *servers_csv, const char *name, int type, int timeout_ms, int tries, int use_search,
                    bc_ares_result *out) {
    pthread_once(&init_once, library_init);
    memset(out, 0, sizeof(*out));
    ares_channel channel;
    struct ares_options options;
    memset(&options, 0, sizeof(options));
    options.timeout = timeout_ms;
    options.tries = tries;
    options.flags = ARES_FLAG_NOCHECKRESP | (use_search ? 0 : ARES_FLAG_NOSEARCH);
    int status = ares_init_options(&channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
    if (status != ARES_SUCCESS) {
        out->status = status;
        return status;
    }
    if (servers_csv) {
        status = ares_set_servers_ports_csv(channel, servers_csv);
        if (status != ARES_SUCCESS) {
            ares_destroy(channel);
            out->status = status;
            return status;
        }
    }
    struct ares_addr_port_node *servers = NULL;
    if (ares_get_servers_ports(channel, &servers) == ARES_SUCCESS) {
        size_t cap = 512, len = 0;
        char *text = calloc(1, cap);
        for (struct ares_addr_port_node *s = servers; s && text; s = s->next) {
            char host[INET6_ADDRSTRLEN] = "";
            inet_ntop(s->family, &s->addr, host, sizeof(host));
            int port = s->udp_port ? s->udp_port : 53;
            char item[INET6_ADDRSTRLEN + 16];
            int n = snprintf(item, sizeof(item), s->family == AF_INET6 ? "%s[%s]:%d" : "%s%s:%d", len ? "," : "",
                             host, port);
            if (len + (size_t)n + 1 > cap) break;
            memcpy(text + len, item, (size_t)n + 1);
            len += (size_t)n;
        }
        out->servers = text;
        ares_free_data(servers);
    }

    query_state q = {0};
    if (use_search)
        ares_search(channel, name, ns_c_in, type, on_answer, &q);
    else
        ares_query(channel, name, ns_c_in, type, on_answer, &q);

    while (!q.done) {
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        int bits = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
        struct pollfd pfds[ARES_GETSOCK_MAXNUM];
        int n = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
            short events = 0;
            if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
            if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
            if (!events) continue;
            pfds[n].fd = socks[i];
            pfds[n].events = events;
            pfds[n].revents = 0;
            n++;
        }
        if (n == 0) break;
        struct timeval tv, *tvp = ares_timeout(channel, NULL, &tv);
        int wait_ms = tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : 1000;
        int r = poll(pfds, (nfds_t)n, wait_ms);
        if (r < 0) continue;
        if (r == 0) {
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            continue;
        }
        for (int i = 0; i < n; i++) {
            ares_socket_t rfd = (pfds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? pfds[i].fd : ARES_SOCKET_BAD;
            ares_socket_t wfd = (pfds[i].revents & POLLOUT) ? pfds[i].fd : ARES_SOCKET_BAD;
            if (rfd != ARES_SOCKET_BAD || wfd != ARES_SOCKET_BAD) ares_process_fd(channel, rfd, wfd);
        }
    }
    ares_destroy(channel);  // calls on_answer with ARES_EDESTRUCTION if still pending
    out->status = q.done ? q.status : ARES_ETIMEOUT;
    out->answer = q.answer;
    out->answer_length = q.answer_length;
    return out->status;
}

void bc_ares_result_free(bc_ares_result *r) {
    free(r->answer);
    free(r->servers);
    r->answer = NULL;
    r->servers = NULL;
}

int bc_ares_parse_a(const unsigned char *abuf, int alen, char *addresses, int *ttls, int max) {
    struct ares_addrttl *rr = calloc((size_t)max, sizeof(*rr));
    if (!rr) return -ARES_ENOMEM;
    int n = max;
    int status = ares_parse_a_reply(abuf, alen, NULL, rr, &n);
    if (status != ARES_SUCCESS) {
        free(rr);
        return -status;
    }
    for (int i = 0; i < n; i++) {
        inet_ntop(AF_INET, &rr[i].ipaddr, addresses + i * 46, 46);
        ttls[i] = rr[i].ttl;
    }
    free(rr);
    return n;
}

int bc_ares_parse_aaaa(const unsigned char *abuf, int alen, char *addresses, int *ttls, int max) {
    struct ares_addr6ttl *rr = calloc((size_t)max, sizeof(*rr));
    if (!rr) return -ARES_ENOMEM;
    int n = max;
    int status = ares_parse_aaaa_reply(abuf, alen, NULL, rr, &n);
    if (status != ARES_SUCCESS) {
        free(rr);
        return -status;
    }
    for (int i = 0; i < n; i++) {
        inet_ntop(AF_INET6, &rr[i].ip6addr, addresses + i * 46, 46);
        ttls[i] = rr[i].ttl;
    }
    free(rr);
    return n;
}

int bc_ares_parse_srv(const unsigned char *abuf, int alen, bc_ares_srv *out, int max) {
    struct ares_srv_reply *list = NULL;
    int status = ares_parse_srv_reply(abuf, alen, &list);
    if (status != ARES_SUCCESS) return -status;
    int n = 0;
    for (struct ares_srv_reply *s = list; s && n < max; s = s->next, n++) {
        strncpy(out[n].host, s->host, sizeof(out[n].host) - 1);
        out[n].host[sizeof(out[n].host) - 1] = 0;
        out[n].port = s->port;
        out[n].priority = s->priority;
        out[n].weight = s->weight;
    }
    ares_free_data(list);
    return n;
}

const char *bc_ares_strerror(int code) { return ares_strerror(code); }
