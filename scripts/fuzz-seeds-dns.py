#!/usr/bin/env python3
# Captures the FuzzDNS seeds from a real dnsmasq (first byte of each seed: 0 A, 1 AAAA, 2 SRV). Run dnsmasq first:
#   dnsmasq --keep-in-foreground --conf-file=/dev/null --port=15353 --listen-address=127.0.0.1 --bind-interfaces \
#     --no-resolv --no-hosts --user=root --pid-file --addn-hosts=HOSTS --local-ttl=10 --local=/organization.local/ \
#     --srv-host=_epmd._tcp.myapp.organization.local,a.organization.local,4369,1,5 \
#     --srv-host=_epmd._tcp.myapp.organization.local,b.organization.local,4370,2,10 \
#     --host-record=a.organization.local,10.0.1.5 --host-record=b.organization.local,10.0.1.6
# with HOSTS listing 10.0.1.5-7 and fd00::5 as myapp.organization.local and fd00::6 as v6only.organization.local.
# Usage: scripts/fuzz-seeds-dns.py Fuzz/FuzzDNS/seeds
import socket, struct, random, sys, os
out = sys.argv[1]
def q(name, qtype, rd=1):
    tid = random.randint(0, 65535)
    msg = struct.pack(">HHHHHH", tid, 0x0100 if rd else 0, 1, 0, 0, 0)
    for l in name.split("."): msg += bytes([len(l)]) + l.encode()
    msg += b"\x00" + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
    s.sendto(msg, ("127.0.0.1", 15353)); return s.recv(4096)
types = {1: 0, 28: 1, 33: 2}  # selector byte -> DNSRecordType.allCases index (a, aaaa, srv)
for name, qtype, fn in [("myapp.organization.local", 1, "a_three"), ("myapp.organization.local", 28, "aaaa_one"),
                        ("v6only.organization.local", 1, "a_nodata"), ("nosuch.organization.local", 1, "a_nxdomain"),
                        ("_epmd._tcp.myapp.organization.local", 33, "srv_two"), ("nosuch.organization.local", 33, "srv_nxdomain"),
                        ("a.organization.local", 1, "a_host_record"), ("v6only.organization.local", 28, "aaaa_v6only")]:
    r = q(name, qtype)
    open(os.path.join(out, fn), "wb").write(bytes([types[qtype]]) + r)
    print(fn, len(r))
