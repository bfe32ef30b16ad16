// swift-tools-version: 6.0
import PackageDescription

// Oeuvre: identifies the musical works behind the lines of music usage reports.
// Module boundaries follow docs/ARCHITECTURE.md: OeuvreCore at the bottom, one C module per system
// library (each imported by exactly one Swift module), commands as library code, a thin executable.

let package = Package(
    name: "Oeuvre",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "oeuvre", targets: ["oeuvre"]),
        .library(name: "OeuvreCommands", targets: ["OeuvreCommands"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // OpenBLAS: declarations of cblas_* and openblas_get_corename, plus the link.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // ICU flags and link only. Never imported from Swift (see Sources/CICUShim/README.md).
        .systemLibrary(
            name: "ICUSystem",
            pkgConfig: "icu-i18n",
            providers: [.apt(["libicu-dev"])]
        ),
        .target(
            name: "CICUShim",
            dependencies: ["ICUSystem"],
            exclude: ["README.md"],
            linkerSettings: [
                // Foundation's ICU first so each ICU copy binds its own C++ symbols (PLATFORM.md).
                .linkedLibrary("_FoundationICU"),
                .linkedLibrary("icui18n"),
                .linkedLibrary("icuuc"),
            ]
        ),
        // MeCab: the readings of Japanese kanji (with the IPAdic dictionary, mecab-ipadic-utf8; JapaneseReader).
        .systemLibrary(name: "CMeCab", providers: [.apt(["libmecab-dev", "mecab-ipadic-utf8"])]),
        .target(name: "OeuvreCore"),
        .target(name: "Normalization", dependencies: ["OeuvreCore", "CICUShim", "CMeCab"]),
        // zlib for gzip-compressed reports (.tsv.gz).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Formats", dependencies: ["OeuvreCore", "CZlib"]),
        .target(
            name: "Catalogue",
            dependencies: ["OeuvreCore", "Formats", "Normalization", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "Matching", dependencies: ["OeuvreCore", "Normalization", "CBLAS"]),
        .target(
            name: "Review",
            dependencies: ["OeuvreCore", "Formats", "Catalogue", "Matching", "Normalization", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "OeuvreCommands",
            dependencies: [
                "OeuvreCore", "Normalization", "Formats", "Catalogue", "Matching", "Review",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "oeuvre", dependencies: ["OeuvreCommands"]),

        .target(name: "OeuvreTestSupport", dependencies: ["OeuvreCore"], path: "Tests/OeuvreTestSupport"),
        .testTarget(name: "OeuvreCoreTests", dependencies: ["OeuvreCore", "OeuvreTestSupport"]),
        .testTarget(
            name: "NormalizationTests",
            dependencies: ["Normalization", "OeuvreTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "OeuvreTestSupport"]),
        .testTarget(name: "CatalogueTests", dependencies: ["Catalogue", "Formats", "OeuvreTestSupport"]),
        .testTarget(name: "MatchingTests", dependencies: ["Matching", "Normalization", "OeuvreTestSupport"]),
        .testTarget(
            name: "ReviewTests",
            dependencies: ["Review", "Catalogue", "Matching", "OeuvreTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "OeuvreCommandsTests", dependencies: ["OeuvreCommands", "Formats", "Matching", "OeuvreTestSupport"]),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
