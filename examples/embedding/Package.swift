// swift-tools-version: 6.0
// A service's view of Uplift: a package outside this one that depends on the `Uplift` library
// product and sees only its public API. CI builds and runs it (`scripts/embedding-example.sh`),
// so the public surface is proven enough to embed, and the README's example compiles.
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, which depends on where the repository
// was cloned; read it rather than assume it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let identity = root.standardizedFileURL.resolvingSymlinksInPath().lastPathComponent.lowercased()

let package = Package(
    name: "UpliftEmbeddingExample",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(name: "embed", dependencies: [.product(name: "Uplift", package: identity)]),
    ],
    swiftLanguageModes: [.v6]
)
