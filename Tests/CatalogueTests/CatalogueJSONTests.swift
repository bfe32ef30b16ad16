@testable import Catalogue
import Formats
import Foundation
import OeuvreTestSupport
import Testing

/// `FastJSON` writes the JSON columns of an import without `JSONEncoder`: the same text, and it reads back.
@Suite struct CatalogueJSONTests {
    static let texts = ["I", "E", "2136", "", "a/b", "quote \" and \\ backslash", "tab\there", "line\nbreak", "\u{01}ctl",
                        "Café", "東京タワー", "emoji 🎵", "POP", "ORI", "MTX"]
    static let keys = ["transaction", "version_type", "recorded", "distribution_category", "text_music_relationship",
                       "ack_status", "grand_rights", "composite_type", "excerpt_type", "music_arrangement", "lyric_adaptation",
                       "priority", "a", "b_", "b", "x1", "x10", "x2"]

    @Test func territoriesAsJSONEncoderWritesThem() throws {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<500 {
            var ts: [CWRTerritory] = []
            for _ in 0..<Int(rng.next() % 4) {
                func share() -> Double? { rng.next() % 4 == 0 ? nil : Double(rng.next() % 100_000) / 100 }
                ts.append(CWRTerritory(inclusion: Self.texts[Int(rng.next() % UInt64(Self.texts.count))],
                                       tis: Self.texts[Int(rng.next() % UInt64(Self.texts.count))],
                                       prCollection: share(), mrCollection: share(), srCollection: share()))
            }
            let fast = FastJSON.encode(ts)
            #expect(fast == encodeJSON(ts))
            #expect(decodeJSON([CWRTerritory].self, fast) == ts)
        }
    }

    @Test func attributesAsJSONEncoderWritesThem() throws {
        var rng = SeededGenerator(seed: 4)
        for _ in 0..<500 {
            var map: [String: String] = [:]
            for _ in 0..<Int(rng.next() % 7) {
                map[Self.keys[Int(rng.next() % UInt64(Self.keys.count))]] = Self.texts[Int(rng.next() % UInt64(Self.texts.count))]
            }
            let fast = FastJSON.encode(map)
            #expect(fast == encodeJSON(map))
            #expect(decodeJSON([String: String].self, fast) == map)
        }
    }
}
