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
    @Option(help: "Subtitle / version field as reported (read as one more qualifier).") var subtitle: String?
    @Option(help: "Display artist credit as reported.") var artist: String?
    @Option(help: "Normalize every line of a usage file (title/artist columns) instead; prints JSON lines.") var file: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if title == nil && file == nil { throw ValidationError("give --title (and optionally --artist) or --file") }
    }

    func run() async throws {
        try await runReporting {
            if let bad = Self.invalidUTF8Argument() {
                throw OeuvreError(.invalidInput, "command-line argument \(bad.index) is not valid UTF-8 (byte 0x\(String(bad.byte, radix: 16, uppercase: true)) at offset \(bad.offset))")
            }
            let parser = TitleParser()
            let splitter = CreditSplitter(normalizer: parser.normalizer)
            if let file {
                let reader = try UsageCSVReaderBridge.open(file)
                while let (t, a) = try reader.next() {
                    let p = parser.parse(t)
                    print(Self.render(p, japanese: parser.japaneseReading(t, mandarin: p), artist: a, splitter: splitter, json: true))
                }
                return
            }
            let p = parser.parse(title ?? "", subtitle: subtitle)
            let japanese = parser.japaneseReading(title ?? "", subtitle: subtitle, mandarin: p)
            print(Self.render(p, japanese: japanese, artist: artist, splitter: splitter, json: json))
        }
    }

    /// The first raw command-line argument that is not valid UTF-8 (Swift's `CommandLine.arguments`
    /// silently repairs such bytes to U+FFFD, so they are checked before any parsing result is shown).
    static func invalidUTF8Argument() -> (index: Int, offset: Int, byte: UInt8)? {
        for i in 0..<Int(CommandLine.argc) {
            guard let p = CommandLine.unsafeArgv[i] else { continue }
            let n = strlen(p)
            let bytes = UnsafeRawPointer(p).bindMemory(to: UInt8.self, capacity: n)
            let buffer = UnsafeBufferPointer(start: bytes, count: n)
            if String(validating: buffer, as: UTF8.self) != nil { continue }
            var offset = 0
            var decoder = UTF8()
            var it = buffer.makeIterator()
            var consumed = 0
            loop: while true {
                switch decoder.decode(&it) {
                case .scalarValue(let s): consumed += UTF8.width(s)
                case .emptyInput: break loop
                case .error: offset = consumed; break loop
                }
            }
            return (i, offset, offset < n ? buffer[offset] : 0)
        }
        return nil
    }

    /// `japanese`: the Japanese reading of a title in Han characters alone (`TitleParser.japaneseReading`), which the
    /// engine matches beside the Mandarin `title`.
    static func render(_ p: ParsedTitle, japanese: ParsedTitle?, artist: String?, splitter: CreditSplitter, json: Bool) -> String {
        var artists = artist.map { splitter.split($0) } ?? []
        for f in p.featured where !artists.contains(f) { artists.append(f) }
        if json {
            let object: [String: Any] = [
                "original": p.original, "latin": p.latin, "title": p.core, "tags": p.tags, "featured": p.featured,
                "artists": artists, "medley_parts": p.medleyParts, "remixers": p.remixers,
                "original_artists": p.originalArtists, "from": p.from ?? NSNull(), "alternates": p.alternates,
                "japanese": japanese?.core ?? NSNull(),
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
        if let japanese { lines.append("japanese: \(japanese.core)") }
        return lines.joined(separator: "\n")
    }
}
