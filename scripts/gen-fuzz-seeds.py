#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/*/seeds that are built from protocol vectors (handshake, frames, EPMD).

Control-message payloads come from a real OTP node (term_to_binary of the control tuples; see the ETF hex file
given as the first argument, produced by `erl` running scripts/fuzz-seeds-etf.erl); handshake messages follow
erl_dist_protocol.md with the peer values of the unit tests (OTP 25 flags 0x0000000D07DF7FBD).
Usage: scripts/gen-fuzz-seeds.py ETF_HEX_FILE
"""
import hashlib, os, struct, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fuzz")
def write(target, name, data):
    d = os.path.join(root, target, "seeds"); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f: f.write(bytes(data))

ctl = {}
for line in open(sys.argv[1]):
    name, hx = line.split()
    ctl[name] = bytes.fromhex(hx)

# --- handshake (the FuzzHandshake harness: cookie "fuzzcookie", our challenge 0x12345678) ---
COOKIE = b"fuzzcookie"; OURS = 0x12345678; OTP25 = 0x0000000D07DF7FBD
def f2(b): return struct.pack(">H", len(b)) + b
def f4(b): return struct.pack(">I", len(b)) + b
def status(s): return f2(b"s" + s)
def challenge(name=b"peer@127.0.0.1", ch=2991683115, flags=OTP25, creation=7, tag=b"N"):
    return f2(tag + struct.pack(">QII", flags, ch, creation) + struct.pack(">H", len(name)) + name)
ack = f2(b"a" + hashlib.md5(COOKIE + str(OURS).encode()).digest())
bad_ack = f2(b"a" + bytes(16))
named = f2(b"snamed:" + struct.pack(">H", 12) + b"bc1@hostname" + struct.pack(">I", 0x1234))
after = f4(b"") + f4(ctl["ctl_regsend"]) + f4(ctl["ctl_spawnreply"]) + f4(b"")
sel = lambda chunk, bits=0: bytes([(chunk << 3) | bits])
hs = {
    "ok_full": sel(31) + status(b"ok") + challenge() + ack + after,
    "ok_drip": sel(1) + status(b"ok") + challenge() + ack + f4(b""),
    "ok_simultaneous": sel(7) + status(b"ok_simultaneous") + challenge() + ack,
    "alive_replace": sel(31) + status(b"alive") + challenge() + ack,
    "alive_refuse": sel(31, 4) + status(b"alive"),
    "nok": sel(31) + status(b"nok"),
    "not_allowed": sel(31) + status(b"not_allowed"),
    "bogus_status": sel(31) + status(b"bogus"),
    "named_dynamic": sel(31, 1) + named + challenge() + ack + after,
    "named_unasked": sel(31) + named,
    "v5_challenge": sel(31) + status(b"ok") + challenge(tag=b"n"),
    "name_mismatch": sel(31) + status(b"ok") + challenge(name=b"other@127.0.0.1"),
    "any_name": sel(31, 2) + status(b"ok") + challenge(name=b"other@host") + ack,
    "missing_flags": sel(31) + status(b"ok") + challenge(flags=0x4),
    "bad_ack": sel(31) + status(b"ok") + challenge() + bad_ack,
    "truncated_challenge": sel(31) + status(b"ok") + f2(b"N\x00\x00\x00"),
    "invalid_utf8_name": sel(31, 2) + status(b"ok") + challenge(name=b"\xff\xfe@x"),
    "oversized_length": sel(31) + b"\xff\xff" + b"s",
    "garbage_after_ack": sel(31) + status(b"ok") + challenge() + ack + f4(b"\x01\x02\x03"),
}
for k, v in hs.items(): write("FuzzHandshake", k, v)

# --- frames (FuzzFrameParser: selector then a 4-byte-framed stream) ---
for k, v in ctl.items():
    write("FuzzFrameParser", k, bytes([0x20]) + f4(v))
write("FuzzFrameParser", "ticks", bytes([0x02]) + f4(b"") * 8)
write("FuzzFrameParser", "mixed_stream", bytes([0x07]) + f4(b"") + f4(ctl["ctl_link"]) + f4(b"") + f4(ctl["ctl_send"]))
write("FuzzFrameParser", "handshake_then_connected", bytes([0x41]) + f2(b"a" + bytes(16)) + f4(ctl["ctl_exit"]))
# A normal DIST_HEADER frame and a fragment header (what DFLAG_DIST_HDR_ATOM_CACHE / DFLAG_FRAGMENTS peers send).
write("FuzzFrameParser", "dist_header", bytes([0x20]) + f4(b"\x83\x44\x00" + ctl["ctl_send"][1:]))
write("FuzzFrameParser", "fragment_header", bytes([0x20]) + f4(b"\x83\x45" + struct.pack(">QQ", 1, 2) + b"\x00" + ctl["ctl_send"][1:]))
write("FuzzFrameParser", "fragment_cont", bytes([0x20]) + f4(b"\x83\x46" + struct.pack(">QQ", 1, 1) + ctl["ctl_send"][20:]))
write("FuzzFrameParser", "huge_length", bytes([0x20]) + b"\xff\xff\xff\xff" + b"p")
write("FuzzFrameParser", "big_binary_header", bytes([0x20]) + f4(b"p\x83\x6d\x40\x00\x00\x00"))
write("FuzzFrameParser", "large_big", bytes([0x20]) + f4(b"p\x83\x6f\xff\xff\xff\xff\x00"))
write("FuzzFrameParser", "deep_list", bytes([0x20]) + f4(b"p\x83" + b"\x6c\x00\x00\x00\x01" * 2000 + b"\x6a"))
write("FuzzFrameParser", "bad_utf8_atom", bytes([0x20]) + f4(b"p\x83\x68\x02\x61\x02\x77\x02\xff\xfe"))

# --- EPMD (FuzzEPMD: the reply bytes) ---
def port2(port=40123, name=b"demo_a", extra=b"", result=0, with_extra=True):
    if result: return bytes([119, result])
    b = bytes([119, 0]) + struct.pack(">HBBHHH", port, 77, 0, 6, 6, len(name)) + name
    return b + (struct.pack(">H", len(extra)) + extra if with_extra else b"")
write("FuzzEPMD", "port2_found", port2())
write("FuzzEPMD", "port2_hidden_extra", port2(name=b"bc123", extra=b"\x01\x02"))
write("FuzzEPMD", "port2_no_extra", port2(with_extra=False))
write("FuzzEPMD", "port2_not_found", port2(result=1))
write("FuzzEPMD", "port2_truncated", port2()[:9])
write("FuzzEPMD", "names", struct.pack(">I", 4369) + b"name demo_a at port 40123\nname demo_b at port 40124\nname it42 at port 1\n")
write("FuzzEPMD", "names_empty", struct.pack(">I", 4369))
write("FuzzEPMD", "names_odd_lines", struct.pack(">I", 4369) + b"name x at port 99999999999999999999\nnamex\n\nname  at port 1\n")
