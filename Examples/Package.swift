// swift-tools-version:6.0
import PackageDescription

// Programs that use beamconsole's libraries the way another package would: through its products, by path.
let package = Package(
    name: "beamconsole-examples",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "beamconsole", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "call-node",
            dependencies: [
                .product(name: "ErlangDistribution", package: "beamconsole"),
                .product(name: "ErlangTerm", package: "beamconsole"),
                .product(name: "TermSyntax", package: "beamconsole"),
            ]
        )
    ]
)
