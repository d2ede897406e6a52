// swift-tools-version: 6.0
// The package mirrors the pipeline a policy goes through: each target depends only on earlier stages.
import PackageDescription

let package = Package(
    name: "Uplift",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Uplift", targets: ["Uplift"]),
        .executable(name: "uplift", targets: ["uplift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
    ],
    targets: [
        // Stage 1: source files, lexer, parser, AST, diagnostics.
        .target(name: "UpliftSyntax"),
        // Stage 2: the bundle manifest and its YAML tables.
        .target(name: "UpliftBundle", dependencies: [
            "UpliftSyntax",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Stage 3: names, types, cycles, protected attributes, table checks → typed IR.
        .target(name: "UpliftChecker", dependencies: ["UpliftBundle"]),
        // Stage 4: typed IR → immutable bytecode program.
        .target(name: "UpliftCompiler", dependencies: ["UpliftChecker"]),
        // Stage 5: applicant decoding, the VM, decisions and explanations.
        .target(name: "UpliftRuntime", dependencies: ["UpliftCompiler"]),
        // Stage 6: the small public API services embed.
        .target(name: "Uplift", dependencies: ["UpliftRuntime"]),
        // Stage 7: dry runs over whole populations: simulate, diff, summaries, reports.
        .target(name: "UpliftSimulator", dependencies: ["Uplift"]),
        // Tools for policy authors: the bundle's own tests and their coverage.
        .target(name: "UpliftPolicyTests", dependencies: ["Uplift", .product(name: "Yams", package: "Yams")]),
        // Counts heap allocations for `uplift bench` (linked into the CLI only).
        .target(name: "UpliftAllocationCounter"),
        // Stage 8: the command-line tool.
        .executableTarget(name: "uplift", dependencies: [
            "Uplift",
            "UpliftSimulator",
            "UpliftPolicyTests",
            "UpliftAllocationCounter",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // Export the counting malloc so the shared libraries' allocations resolve to it.
            .unsafeFlags(["-Xlinker", "--export-dynamic"], .when(platforms: [.linux])),
        ]),

        .testTarget(name: "UpliftSyntaxTests", dependencies: ["UpliftSyntax"]),
        .testTarget(name: "UpliftBundleTests", dependencies: ["UpliftBundle"]),
        .testTarget(name: "UpliftCheckerTests", dependencies: ["UpliftChecker"], exclude: ["Fixtures"]),
        .testTarget(name: "UpliftCompilerTests", dependencies: ["UpliftCompiler"]),
        .testTarget(name: "UpliftRuntimeTests", dependencies: ["UpliftRuntime"]),
        .testTarget(name: "UpliftTests", dependencies: ["Uplift"], exclude: ["PublicAPI.txt"]),
        .testTarget(name: "UpliftSimulatorTests", dependencies: ["UpliftSimulator"]),
        .testTarget(name: "UpliftPolicyTestsTests", dependencies: ["UpliftPolicyTests"]),
        .testTarget(name: "UpliftCLITests", dependencies: ["uplift"]),
    ],
    swiftLanguageModes: [.v6]
)
