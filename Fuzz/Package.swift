// swift-tools-version: 6.0
// A libFuzzer target, in its own package so the main build never compiles it.
// Run with scripts/fuzz.sh (it passes -sanitize=fuzzer).
import PackageDescription

let package = Package(
    name: "UpliftFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "UpliftFuzz",
            dependencies: ["CFuzzDriver", .product(name: "Uplift", package: "main")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
