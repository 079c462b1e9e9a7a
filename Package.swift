// swift-tools-version:6.0
import PackageDescription

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Release links of the executable on Linux (measured in issue 7; scripts/bench-dist.sh): lld with packed relative
/// relocations (DT_RELR: 2.5 MB of RELA entries become a few KB, and the loader applies them faster), only `main`
/// exported (the loader's symbol lookups no longer walk 25,000 exported symbols), and the functions a one-shot call
/// and the REPL's start run placed together (scripts/gen-link-order.sh), so that fewer text pages are touched.
/// `BEAMCONSOLE_NO_PIE=1` links a position-dependent executable: no relative relocations to apply at start (about
/// 250 fewer page faults and a quarter less CPU for a one-shot call), at the price of ASLR for the executable itself.
let linkDirectory = Context.packageDirectory + "/Resources/link"
let releaseLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--version-script=\(linkDirectory)/export.map",
            "-Xlinker", "--symbol-ordering-file=\(linkDirectory)/beamconsole.order",
            "-Xlinker", "--no-warn-symbol-ordering",
        ] + (getenv("BEAMCONSOLE_NO_PIE") != nil ? ["-Xclang-linker", "-no-pie"] : []),
        .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "beamconsole",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ErlangTerm", targets: ["ErlangTerm"]),
        .library(name: "TermSyntax", targets: ["TermSyntax"]),
        .library(name: "ClusterDiscovery", targets: ["ClusterDiscovery"]),
        .library(name: "ConsoleREPL", targets: ["ConsoleREPL"]),
        .library(name: "ErlangDistribution", targets: ["ErlangDistribution"]),
        .executable(name: "beamconsole", targets: ["beamconsole"]),
        .executable(name: "dist-bench", targets: ["dist-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "ErlangTerm",
            dependencies: ["CZlib", .product(name: "BigInt", package: "BigInt")]
        ),
        .target(name: "TermSyntax", dependencies: ["ErlangTerm", .product(name: "BigInt", package: "BigInt")]),
        .target(
            name: "CEditLine",
            linkerSettings: [.linkedLibrary("edit")]
        ),
        .target(name: "CAres", linkerSettings: [.linkedLibrary("cares")]),
        .target(
            name: "ClusterDiscovery",
            dependencies: [
                "CAres", "ErlangDistribution",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ConsoleREPL",
            dependencies: ["ErlangTerm", "TermSyntax", "CEditLine", "ErlangDistribution", "ClusterDiscovery"]
        ),
        .executableTarget(
            name: "beamconsole",
            dependencies: [
                "ErlangTerm", "TermSyntax", "ConsoleREPL", "ErlangDistribution",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: releaseLinkerSettings
        ),
        .target(
            name: "ErlangDistribution",
            dependencies: [
                "ErlangTerm",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
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
            name: "ErlangTestSupport", dependencies: ["ErlangTerm", "ErlangDistribution", .product(name: "BigInt", package: "BigInt")],
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
            name: "ErlangTermTests", dependencies: ["ErlangTerm", "ErlangTestSupport", .product(name: "BigInt", package: "BigInt")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "TermSyntaxTests", dependencies: ["TermSyntax", "ErlangTerm", "ErlangTestSupport"]),
        .testTarget(
            name: "ClusterDiscoveryTests",
            dependencies: [
                "ClusterDiscovery", "ErlangTestSupport", "ErlangDistribution",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "CLITests", dependencies: ["ErlangTerm", "ErlangTestSupport", "beamconsole"]),
        .testTarget(name: "E2ETests", dependencies: ["ErlangTestSupport", "beamconsole"]),
        .testTarget(
            name: "ConsoleREPLTests",
            dependencies: [
                "ConsoleREPL", "ErlangTerm", "ErlangTestSupport", "ErlangDistribution", "TermSyntax", "ClusterDiscovery",
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
