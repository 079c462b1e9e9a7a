# beamconsole — build, test, benchmark, fuzz.
#
#   make demo        a local three-node Elixir cluster with the console attached (quit stops it)
#   make test        install missing prerequisites (as root), build, run every test, build Examples/ and run its
#                    call-node against a real node (scripts/run-examples.sh)
#   make fixtures    regenerate the golden ETF vectors from the real BEAM
#   make bench       every comparison of the benchmark suite in one run, one table of medians and ratios
#                    (scripts/bench-all.sh; rows 5 and 6 start 50 Elixir nodes in network namespaces: root)
#   make bench-codec codec throughput vs the BEAM's own binary_to_term/term_to_binary
#   make bench-dist  one-shot call and round trips vs erl_call, elixir --rpc-eval and the BEAM's :erpc; start to a
#                    connected prompt vs iex --remsh
#   make bench-scale discovery to all-connected vs a BEAM running DNSPoll (N = 10, 25, 50), watch's RSS and CPU over
#                    50 nodes, multicall latency against N (root)
#   make fuzz        run every libFuzzer target (FUZZ_SECONDS per target, default 60)
#   make install     release build installed under $(PREFIX)
#
# Release builds of the shipped binary set BEAMCONSOLE_RELEASE_LAYOUT=1: our modules are compiled with function
# sections so that the link order in Resources/link applies (Package.swift). Without it the libraries carry no unsafe
# flags, as a package that others depend on must.

PREFIX ?= /usr/local
SWIFT ?= swift
FUZZ_SECONDS ?= 60

# Debian packages the build and the tests need.
APT_PACKAGES := erlang-nox elixir zlib1g-dev libedit-dev libbsd-dev libmd-dev libncurses-dev libc-ares-dev pkg-config dnsmasq-base tmux bc hyperfine time openssl iproute2 iptables

.PHONY: all deps build demo test fixtures bench bench-codec bench-dist bench-scale fuzz install clean

all: build

deps:
	@bash scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	$(SWIFT) build

demo: deps
	bash scripts/demo.sh

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build --package-path Examples
	bash scripts/run-examples.sh
	$(SWIFT) test

fixtures:
	elixir scripts/gen-fixtures.exs

bench: deps
	bash scripts/bench-all.sh

bench-codec: deps
	bash scripts/bench-codec.sh

bench-scale: deps
	BENCH_SECTIONS=scale bash scripts/bench-all.sh

bench-dist: deps
	bash scripts/bench-dist.sh
	bash scripts/bench-startup.sh

fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

install: deps
	BEAMCONSOLE_RELEASE_LAYOUT=1 $(SWIFT) build -c release --product beamconsole
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -s -m 755 "$$(BEAMCONSOLE_RELEASE_LAYOUT=1 $(SWIFT) build -c release --show-bin-path)/beamconsole" \
		$(DESTDIR)$(PREFIX)/bin/beamconsole
	install -m 644 man/beamconsole.1 $(DESTDIR)$(PREFIX)/share/man/man1/beamconsole.1

clean:
	rm -rf .build .build-* Examples/.build
