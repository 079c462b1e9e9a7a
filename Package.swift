// swift-tools-version:6.0
import PackageDescription

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Release links of the executable on Linux (measured in issue 7; scripts/bench-dist.sh). A fully static,
/// position-dependent executable (`-static-executable`: the Swift runtime, FoundationEssentials, libedit, c-ares, zlib and glibc
/// linked in): nothing for the dynamic loader to load, bind or relocate at start (a one-shot call went from 6.4 to
/// about 3 ms and from 16 to 11 MB), and one file that runs in any x86_64 Linux container, with no libedit2 to
/// install. libedit's own dependencies (libtinfo, libbsd, libmd) are named because a static link does not follow
/// shared-library dependencies. lld places the functions a one-shot call and the REPL's start run together
/// (scripts/gen-link-order.sh), so that fewer text pages are touched.
/// `BEAMCONSOLE_PIE=1` links a static position-independent executable instead (ASLR for the executable image itself;
/// its relative relocations are applied at start, which costs about 1.5 ms and 300 page faults per run).
/// These flags are on the executable target only: a package that depends on the libraries never builds it.
let linkDirectory = Context.packageDirectory + "/Resources/link"
let releaseLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-static-executable", "-ltinfo", "-lbsd", "-lmd",
            // FoundationEssentials' static libraries and their own dependencies (a dynamic-stdlib compile records
            // only `-lFoundationEssentials` in the objects). No module imports Foundation itself (issue 18): with
            // Foundation in the link, lld took a generic specialization that both archives define weakly from
            // libFoundation.a, which brought all of Foundation, CoreFoundation and ICU (34 MB of data).
            "-Xlinker", "--start-group", "-lFoundationEssentials", "-l_FoundationCollections", "-l_FoundationCShims",
            "-lstdc++", "-Xlinker", "--end-group", "-use-ld=lld",
            "-Xlinker", "--symbol-ordering-file=\(linkDirectory)/beamconsole.order",
            "-Xlinker", "--no-warn-symbol-ordering",
        ] + (getenv("BEAMCONSOLE_PIE") != nil
            ? ["-Xclang-linker", "-static-pie", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] : []),
        .when(platforms: [.linux], configuration: .release)),
]

/// Release compiles of our own modules put every function in a section of its own, so that the release link's
/// function order (Resources/link/beamconsole.order) can move the ones a one-shot call and the REPL's start run next
/// to each other (without it a module is one text section, and lld can only move it whole).
///
/// On the executable target always; on the library targets only when `BEAMCONSOLE_RELEASE_LAYOUT=1` is set (the release
/// scripts, `make install` and the Dockerfile set it), because SwiftPM refuses `unsafeFlags` in a package that another
/// one depends on by version: without the variable the libraries carry no unsafe flags at all.
let functionSections: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
]

/// Every shipped module imports the modules whose members it uses (SE-0444). Without it the extension members of a
/// module that is only a dependency's dependency are visible too (Foundation's, through a dependency), so a Foundation API
/// could be used, and Foundation and ICU linked into the executable, with no `import Foundation` to show it. The
/// shipped modules import `FoundationEssentials` at most (no ICU).
let shippedModuleSwiftSettings: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

/// Release compiles of the modules off the codec's and the distribution's hot paths (the console, discovery, the
/// executable) optimize for size (`-Osize`): measured in issue 18 (the installed executable and the bench rows).
/// ErlangTerm, TermSyntax and ErlangDistribution keep `-O`. Gated like `functionSections` on the library targets.
let sizeOptimized: [SwiftSetting] = [.unsafeFlags(["-Osize"], .when(configuration: .release))]

let releaseLayout = getenv("BEAMCONSOLE_RELEASE_LAYOUT").map { String(cString: $0) == "1" } == true
let executableSwiftSettings: [SwiftSetting] = shippedModuleSwiftSettings + functionSections + sizeOptimized
let librarySwiftSettings: [SwiftSetting] = shippedModuleSwiftSettings + (releaseLayout ? functionSections : [])
/// The library targets off the hot paths (see `sizeOptimized`).
let offHotPathLibrarySwiftSettings: [SwiftSetting] = librarySwiftSettings + (releaseLayout ? sizeOptimized : [])

let package = Package(
    name: "beamconsole",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ErlangTerm", targets: ["ErlangTerm"]),
        .library(name: "TermSyntax", targets: ["TermSyntax"]),
        .library(name: "ErlangDistribution", targets: ["ErlangDistribution"]),
        .library(name: "ClusterDiscovery", targets: ["ClusterDiscovery"]),
        .library(name: "ClusterMembership", targets: ["ClusterMembership"]),
        .executable(name: "beamconsole", targets: ["beamconsole"]),
        .executable(name: "dist-bench", targets: ["dist-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // MD5 and SHA-256 on Linux (Handshake/Digest.swift); Apple platforms use CryptoKit.
        .systemLibrary(name: "CMD", pkgConfig: "libmd", providers: [.apt(["libmd-dev"])]),
        .target(
            name: "ErlangTerm",
            dependencies: ["CZlib"],
            swiftSettings: librarySwiftSettings
        ),
        .target(
            name: "TermSyntax", dependencies: ["ErlangTerm"],
            swiftSettings: librarySwiftSettings),
        .target(
            name: "CEditLine",
            linkerSettings: [.linkedLibrary("edit")]
        ),
        .target(name: "CAres", linkerSettings: [.linkedLibrary("cares")]),
        .target(
            // DNS (c-ares) and DNS polling, ECS task metadata, the discovery table: no distribution stack.
            name: "ClusterDiscovery",
            dependencies: [
                "CAres", "SocketFailure",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: offHotPathLibrarySwiftSettings
        ),
        .target(
            // What drives a LocalNode: the EPMD host scan and the discovery service that connects what is found.
            name: "ClusterMembership",
            dependencies: [
                "ClusterDiscovery", "ErlangDistribution", "ErlangTerm",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: offHotPathLibrarySwiftSettings
        ),
        .target(
            // The console application (not a product): commands, views, session setup, cookie lookup, probes.
            name: "ConsoleREPL",
            dependencies: [
                "ErlangTerm", "TermSyntax", "CEditLine", "ErlangDistribution", "ClusterDiscovery", "ClusterMembership",
                "SocketFailure",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: offHotPathLibrarySwiftSettings
        ),
        .executableTarget(
            name: "beamconsole",
            dependencies: [
                "ErlangTerm", "TermSyntax", "ConsoleREPL", "ErlangDistribution", "ClusterDiscovery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: executableSwiftSettings,
            linkerSettings: releaseLinkerSettings
        ),
        .target(
            // Why a TCP connect failed, read from NIO's errors: shared by ErlangDistribution and ClusterDiscovery,
            // which does not depend on the distribution stack.
            name: "SocketFailure",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: offHotPathLibrarySwiftSettings
        ),
        .target(
            name: "ErlangDistribution",
            dependencies: [
                "SocketFailure",
                "ErlangTerm", .target(name: "CMD", condition: .when(platforms: [.linux])),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: librarySwiftSettings
        ),
        .testTarget(
            name: "ErlangDistributionTests",
            dependencies: [
                "ErlangDistribution", "ErlangTerm",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "ErlangDistribution", "ErlangTerm", "ErlangTestSupport", .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ErlangTestSupport", dependencies: ["ErlangTerm", "ErlangDistribution"],
            exclude: ["Resources"]  // scripts the tests run from the source tree (found through #filePath)
        ),
        .executableTarget(name: "etf-bench", dependencies: ["ErlangTerm"], path: "Benchmarks/ETFBench"),
        .executableTarget(
            name: "dist-bench", dependencies: ["ErlangDistribution", "ErlangTerm",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            path: "Benchmarks/DistBench"),
        .executableTarget(
            name: "scale-bench", dependencies: ["ErlangTestSupport"], path: "Benchmarks/ScaleBench"),
        .testTarget(
            name: "ErlangTermTests", dependencies: ["ErlangTerm", "ErlangTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TermSyntaxTests", dependencies: ["TermSyntax", "ErlangTerm", "ErlangTestSupport"],
            exclude: ["Fixtures"]  // vectors generated by real Elixir releases, read through #filePath
        ),
        .testTarget(
            name: "ClusterDiscoveryTests",
            dependencies: [
                "ClusterDiscovery", "ClusterMembership", "ErlangTestSupport", "ErlangDistribution",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["ErlangTerm", "ErlangTestSupport", "beamconsole", "ConsoleREPL", "ErlangDistribution"]),
        .testTarget(name: "E2ETests", dependencies: ["ErlangTestSupport", "beamconsole"]),
        .testTarget(
            name: "ConsoleREPLTests",
            dependencies: [
                "ConsoleREPL", "ErlangTerm", "ErlangTestSupport", "ErlangDistribution", "TermSyntax", "ClusterDiscovery",
                "ClusterMembership",
            ]
        ),
    ]
)

// libFuzzer targets, built only by scripts/fuzz.sh: their entry point is LLVMFuzzerTestOneInput, not main.
if getenv("BEAMCONSOLE_FUZZ") != nil {
    package.targets += [
        .executableTarget(name: "FuzzETFDecode", dependencies: ["ErlangTerm"], path: "Fuzz/FuzzETFDecode", exclude: ["seeds"]),
        .executableTarget(
            name: "FuzzHandshake", dependencies: ["ErlangDistribution", "ErlangTerm"], path: "Fuzz/FuzzHandshake",
            exclude: ["seeds"]),
        .executableTarget(
            name: "FuzzFrameParser", dependencies: ["ErlangDistribution", "ErlangTerm"], path: "Fuzz/FuzzFrameParser",
            exclude: ["seeds"]),
        .executableTarget(name: "FuzzEPMD", dependencies: ["ErlangDistribution"], path: "Fuzz/FuzzEPMD", exclude: ["seeds"]),
        .executableTarget(name: "FuzzDNS", dependencies: ["ClusterDiscovery"], path: "Fuzz/FuzzDNS", exclude: ["seeds"]),
        .executableTarget(
            name: "FuzzECSMetadata", dependencies: ["ClusterDiscovery"], path: "Fuzz/FuzzECSMetadata", exclude: ["seeds"]),
        .executableTarget(
            name: "FuzzTermParser", dependencies: ["TermSyntax", "ErlangTerm"], path: "Fuzz/FuzzTermParser",
            exclude: ["seeds"]),
    ]
}
