// swift-tools-version:6.0
import PackageDescription

/// Clearance: cross-border e-commerce customs clearance.
///
/// Data flows one way: bytes → XMLStreaming (libxml2 SAX) → CEBModel → ClearanceRules →
/// ClearanceStore → routing → delivery. XMLSignature sits beside the core.
/// Each C library hides behind one tiny `C…` module; no C type leaks above it.

/// The per-event hot path (parser → decoder → rules) keeps its state in final classes touched
/// millions of times a second; dynamic exclusivity checks there cost a quarter of the run time.
/// Their accesses are confined to one thread by design (a parser is not thread-safe).
/// These modules are optimized in debug builds too: the test suite streams a million
/// declarations through them (5 s optimized, a minute not).
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "Clearance",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clearance", targets: ["ClearanceCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // Below Hummingbird and AsyncHTTPClient, imported directly by the service and its transports.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMalloc"),

        // MARK: Core
        .target(name: "XMLStreaming", dependencies: ["CLibXML2"], swiftSettings: hotPath),
        .target(name: "CEBModel", dependencies: ["XMLStreaming"], swiftSettings: hotPath),
        .target(name: "ClearanceRules", dependencies: ["XMLStreaming", "CEBModel"], swiftSettings: hotPath),
        .target(name: "XMLSignature", dependencies: ["XMLStreaming", "COpenSSL"], swiftSettings: hotPath),
        .target(name: "ClearanceStore", dependencies: ["XMLStreaming", "CEBModel", "ClearanceRules", "CSQLite", "CLibPQ", "COpenSSL"]),
        .target(name: "ClearanceIngest", dependencies: ["XMLStreaming", "CEBModel", "ClearanceRules", "ClearanceStore"]),
        .target(
            name: "ClearanceRouting",
            dependencies: [
                "XMLStreaming", "CEBModel", "ClearanceRules", "ClearanceStore", "ClearanceIngest", "XMLSignature",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "CustomsSimulator",
            dependencies: [
                "CEBModel", "XMLSignature", "ClearanceRules", "ClearanceRouting", "ClearanceStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // MARK: Faces
        .target(
            name: "ClearanceServer",
            dependencies: [
                "XMLStreaming", "CEBModel", "ClearanceRules", "ClearanceStore", "ClearanceIngest", "ClearanceRouting", "XMLSignature", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Resources/ (templates, openapi.yaml) is compiled in by scripts/embed-defaults.py: no bundle beside the binary.
            exclude: ["Resources"]
        ),
        /// `clearance serve --demo`: the service with the customs simulator in-process and a sample
        /// shipment. Scaffolding, kept out of ClearanceServer so that production code never links the simulator.
        .target(name: "ClearanceDemo", dependencies: ["ClearanceServer", "CustomsSimulator", "ClearanceRouting", "ClearanceStore", "XMLSignature", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "ClearanceCLI",
            dependencies: [
                "XMLStreaming", "CEBModel", "ClearanceRules", "XMLSignature", "ClearanceStore",
                "ClearanceIngest", "ClearanceRouting", "CustomsSimulator", "ClearanceServer", "ClearanceDemo", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .executableTarget(name: "SignatureBench", dependencies: ["XMLSignature"], path: "Benchmarks/SignatureBench"),

        // MARK: Tests
        /// What the test targets share: the one child-process runner, the checkout's samples, sample shipments,
        /// a throwaway PostgreSQL and the built executables. No dependencies: any test target may use it.
        .target(name: "ClearanceTestSupport", path: "Tests/ClearanceTestSupport"),
        .testTarget(name: "XMLStreamingTests", dependencies: ["XMLStreaming", "ClearanceTestSupport"]),
        .testTarget(name: "CEBModelTests", dependencies: ["XMLStreaming", "CEBModel", "CLibXML2", "ClearanceTestSupport"]),
        .testTarget(name: "ClearanceRulesTests", dependencies: ["XMLStreaming", "CEBModel", "ClearanceRules", "ClearanceTestSupport"]),
        .testTarget(name: "XMLSignatureTests", dependencies: ["XMLSignature", "XMLStreaming", "CLibXML2", "ClearanceTestSupport"]),
        .testTarget(name: "ClearanceStoreTests", dependencies: ["ClearanceStore", "CEBModel", "ClearanceRules", "ClearanceTestSupport"]),
        .testTarget(name: "ClearanceIngestTests", dependencies: ["ClearanceIngest", "ClearanceStore", "CEBModel", "ClearanceRules", "ClearanceTestSupport"]),
        .testTarget(
            name: "ClearanceServerTests",
            dependencies: [
                "ClearanceServer", "ClearanceDemo", "ClearanceStore", "ClearanceRouting", "ClearanceRules", "CEBModel", "XMLSignature", "ClearanceTestSupport",
                "CustomsSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "ClearanceRoutingTests", dependencies: ["CEBModel", "ClearanceRules", "ClearanceRouting", "ClearanceIngest", "CustomsSimulator", "ClearanceStore", "XMLSignature", "ClearanceTestSupport"]),
        .testTarget(name: "ClearanceCLITests", dependencies: ["ClearanceStore", "CustomsSimulator", "ClearanceTestSupport"]),
        .testTarget(name: "CustomsSimulatorTests", dependencies: ["CustomsSimulator", "ClearanceRouting", "CEBModel", "XMLSignature", "ClearanceTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
