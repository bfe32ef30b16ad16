import ArgumentParser
import Foundation
import Normalization
import OeuvreCore

/// `oeuvre normalize`: shows what the engine sees in a title and artist credit.
struct NormalizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Show the normalized title, version tags and artists the engine sees.",
        discussion: "With --file, reads a usage TSV/CSV (columns title, artist) and prints one JSON object per line."
    )

    @Option(help: "Title as reported.") var title: String?
    @Option(help: "Display artist credit as reported.") var artist: String?
    @Option(help: "Normalize every line of a usage file (title/artist columns) instead; prints JSON lines.") var file: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if title == nil && file == nil { throw ValidationError("give --title (and optionally --artist) or --file") }
    }

    func run() async throws {
        try await runReporting {
            let parser = TitleParser()
            let splitter = CreditSplitter(normalizer: parser.normalizer)
            if let file {
                let reader = try UsageCSVReaderBridge.open(file)
                while let (t, a) = try reader.next() {
                    print(Self.render(parser.parse(t), artist: a, splitter: splitter, json: true))
                }
                return
            }
            print(Self.render(parser.parse(title ?? ""), artist: artist, splitter: splitter, json: json))
        }
    }

    static func render(_ p: ParsedTitle, artist: String?, splitter: CreditSplitter, json: Bool) -> String {
        var artists = artist.map { splitter.split($0) } ?? []
        for f in p.featured where !artists.contains(f) { artists.append(f) }
        if json {
            let object: [String: Any] = [
                "original": p.original, "latin": p.latin, "title": p.core, "tags": p.tags, "featured": p.featured,
                "artists": artists, "medley_parts": p.medleyParts, "remixers": p.remixers,
                "original_artists": p.originalArtists, "from": p.from ?? NSNull(), "alternates": p.alternates,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        var lines = [
            "original: \(p.original)", "latin:    \(p.latin)", "title:    \(p.core)",
            "tags:     \(p.tags.joined(separator: ", "))", "featured: \(p.featured.joined(separator: "; "))",
            "artists:  \(artists.joined(separator: "; "))",
        ]
        if !p.medleyParts.isEmpty { lines.append("medley:   \(p.medleyParts.joined(separator: " / "))") }
        if !p.remixers.isEmpty { lines.append("remixers: \(p.remixers.joined(separator: "; "))") }
        if let from = p.from { lines.append("from:     \(from)") }
        if !p.alternates.isEmpty { lines.append("alternates: \(p.alternates.joined(separator: " | "))") }
        return lines.joined(separator: "\n")
    }
}
