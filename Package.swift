// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "drillctl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "drillctl", targets: ["drillctl"]),
        .executable(name: "drill-bench", targets: ["drill-bench"]),
        .library(name: "DrillCore", targets: ["DrillCore"]),
        .library(name: "DrillSSH", targets: ["DrillSSH"]),
        .library(name: "DrillLab", targets: ["DrillLab"]),
        .library(name: "DrillStore", targets: ["DrillStore"]),
        .library(name: "DrillEngine", targets: ["DrillEngine"]),
        .library(name: "DrillRun", targets: ["DrillRun"]),
        .library(name: "DrillReport", targets: ["DrillReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        // Pure logic: model, YAML loading, diagnostics, inventory, selectors, planning, templating. No I/O
        // beyond reading the files it is asked to load.
        .target(
            name: "DrillCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // libssh2 from Debian (libssh2-1-dev), with static inline wrappers for its function-like macros.
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        // The SSH transport: the only module that imports CLibSSH2.
        .target(
            name: "DrillSSH",
            dependencies: [
                "DrillCore",
                "CLibSSH2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The durable journal of a run: SQLite through GRDB, run folders, hashed access codes.
        .target(
            name: "DrillStore",
            dependencies: [
                "DrillCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // After-action report renderers (pure: evaluation -> HTML, Markdown, JSON, CSV).
        .target(
            name: "DrillReport",
            dependencies: ["DrillCore"],
            swiftSettings: swiftSettings
        ),
        // The local practice range: OpenSSH servers on loopback addresses.
        .target(
            name: "DrillLab",
            dependencies: [
                "DrillCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // The drill engine: scheduler state machine and its driver (a swift-service-lifecycle Service), dispatcher,
        // simulated teams. It talks to hosts and the journal only through DrillCore's ports (RemoteExecutor,
        // JournalWriter/Reader, HeartbeatRecorder).
        .target(
            name: "DrillEngine",
            dependencies: [
                "DrillCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // A run as a whole: its folder and every file in it, creating and opening runs, the response and control
        // desks that `respond`, `ctl` and the portal share, status views, the report's inputs. No scheduler.
        .target(
            name: "DrillRun",
            dependencies: [
                "DrillCore",
                "DrillStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The drill portal: Hummingbird routes, sessions, roles, live updates and the JSON API.
        .target(
            name: "DrillPortal",
            dependencies: [
                "DrillCore",
                "DrillStore",
                "DrillRun",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Command-line interface: thin composition root.
        .executableTarget(
            name: "drillctl",
            dependencies: [
                "DrillCore",
                "DrillSSH",
                "DrillLab",
                "DrillStore",
                "DrillEngine",
                "DrillRun",
                "DrillPortal",
                "DrillReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (run with `swift run -c release drill-bench ...`); prints figures, asserts nothing.
        .executableTarget(
            name: "drill-bench",
            dependencies: [
                "DrillCore",
                "DrillSSH",
                "DrillLab",
                "DrillStore",
                "DrillEngine",
                "DrillRun",
                "DrillPortal",
                "DrillReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DrillTesting",
            dependencies: [
                "DrillCore",
                "DrillLab",
                "DrillEngine",
                "DrillRun",
                "DrillStore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/DrillTesting",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillCoreTests",
            dependencies: ["DrillCore", "DrillTesting"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillSSHTests",
            dependencies: ["DrillSSH", "DrillCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillSSHIntegrationTests",
            dependencies: [
                "DrillSSH", "DrillLab", "DrillTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillLabTests",
            dependencies: ["DrillLab", "DrillTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillStoreTests",
            dependencies: [
                "DrillStore",
                "DrillCore",
                "DrillTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillRunTests",
            dependencies: ["DrillRun", "DrillStore", "DrillCore", "DrillTesting"],
            swiftSettings: swiftSettings
        ),
        // Across views: the engine's verdicts, `ctl status`, the portal's board and the report agree on randomised
        // drills (real SQLite journals, the built drillctl, a real portal over HTTP).
        .testTarget(
            name: "DrillConsistencyTests",
            dependencies: [
                "DrillEngine", "DrillRun", "DrillStore", "DrillCore", "DrillPortal", "DrillReport", "DrillTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillEngineTests",
            dependencies: ["DrillEngine", "DrillRun", "DrillStore", "DrillCore", "DrillTesting"],
            swiftSettings: swiftSettings
        ),
        // End to end: the real practice range, the real SQLite journal and the built drillctl binary.
        .testTarget(
            name: "DrillEndToEndTests",
            dependencies: ["DrillStore", "DrillRun", "DrillCore", "DrillLab", "DrillTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillPortalTests",
            dependencies: [
                "DrillPortal",
                "DrillRun",
                "DrillStore",
                "DrillCore",
                "DrillTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillReportTests",
            dependencies: ["DrillReport", "DrillCore", "DrillStore", "DrillRun", "DrillTesting"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DrillCLITests",
            dependencies: ["DrillTesting", "DrillRun", "DrillStore", "DrillCore"],
            swiftSettings: swiftSettings
        ),
    ]
)
