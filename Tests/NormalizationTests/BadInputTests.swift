import Normalization
import OeuvreTestSupport
import Testing

/// Empty, control, invalid (repaired) and absurdly long input gives a defined result, quickly.
@Suite struct BadInputTests {
    /// Comparison forms are lower-case ASCII words separated by single spaces.
    static func isComparisonForm(_ s: String) -> Bool {
        if s.isEmpty { return true }
        let b = Array(s.utf8)
        if b.first == 0x20 || b.last == 0x20 { return false }
        for (i, c) in b.enumerated() {
            let ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 0x20
            if !ok || (c == 0x20 && i > 0 && b[i - 1] == 0x20) { return false }
        }
        return true
    }

    static func check(_ p: ParsedTitle, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(isComparisonForm(p.core), "core \(p.core.prefix(80))", sourceLocation: sourceLocation)
        // Only the first maxInputBytes bytes are read; "&" → "and" may make the output longer.
        #expect(p.core.utf8.count <= Normalizer.maxInputBytes * 3, sourceLocation: sourceLocation)
        for name in p.featured + p.remixers + p.originalArtists + p.medleyParts + p.alternates + (p.from.map { [$0] } ?? []) {
            #expect(isComparisonForm(name), "name \(name.prefix(80))", sourceLocation: sourceLocation)
        }
        #expect(p.latin.utf8.allSatisfy { $0 < 0x80 }, sourceLocation: sourceLocation)
    }

    @Test func emptyAndBlank() {
        let parser = TitleParser()
        for s in ["", " ", "\t\n", "()", "[]", " - ", "feat.", "(feat.)", "/", " / / ", "&", "Medley:"] {
            let p = parser.parse(s, subtitle: s)
            Self.check(p)
            #expect(p.tags.isEmpty || s == "Medley:", "\(s)")
        }
        #expect(parser.parse("").core == "")
        #expect(CreditSplitter(normalizer: Normalizer()).split("") == [])
    }

    @Test func controlCharacters() {
        let p = TitleParser().parse("Live\u{0}and\u{7}Let Die\u{1B} (Live)\u{7F}\r\n")
        #expect(p.core == "live and let die")
        #expect(p.tags == ["live"])
        Self.check(p)
    }

    @Test func invalidUTF8IsRepairedNotFatal() {
        let bytes: [UInt8] = [0x4C, 0xFF, 0x69, 0x76, 0x65, 0x20, 0x28, 0xC3, 0x28, 0x4C, 0x69, 0x76, 0x65, 0x29, 0xE2, 0x82, 0xF0, 0x9F]
        let title = String(decoding: bytes, as: UTF8.self)  // U+FFFD for each bad sequence
        let p = TitleParser().parse(title)
        Self.check(p)
        #expect(p.core == "l ive")
        #expect(p.tags == ["live"])
    }

    /// About 1 MB each; named so that test output stays short.
    struct LongInput: Sendable, CustomTestStringConvertible {
        var name: String
        var unit: String
        var count: Int
        var prefix = ""
        var text: String { prefix + String(repeating: unit, count: count) }
        var testDescription: String { "\(name) (\(unit.utf8.count * count) bytes)" }
    }

    @Test(arguments: [
        LongInput(name: "words", unit: "ab ", count: 350_000),
        LongInput(name: "open brackets", unit: "(", count: 1_000_000),
        LongInput(name: "close brackets", unit: ")", count: 1_000_000),
        LongInput(name: "nested groups", unit: "(a", count: 500_000),
        LongInput(name: "qualifier groups", unit: "(Live) ", count: 150_000),
        LongInput(name: "dash suffixes", unit: " - Live", count: 150_000),
        LongInput(name: "dashes", unit: " - ", count: 350_000),
        LongInput(name: "featuring words", unit: "feat. ", count: 170_000),
        LongInput(name: "credit list", unit: "A & B, ", count: 150_000),
        LongInput(name: "medley prefixes", unit: "Medley: ", count: 125_000),
        LongInput(name: "slashes", unit: "x/", count: 500_000),
        LongInput(name: "accented letters", unit: "é", count: 500_000),
        LongInput(name: "Han", unit: "東京", count: 170_000),
        LongInput(name: "Cyrillic words", unit: "Спокойная ночь ", count: 40_000),
        LongInput(name: "NUL", unit: "\u{0}", count: 1_000_000),
        LongInput(name: "combining marks", unit: "\u{301}", count: 500_000),
        LongInput(name: "remix groups", unit: "(Remix) ", count: 130_000, prefix: "Title "),
    ])
    func oneMegabyteInputIsBounded(_ input: LongInput) {
        let text = input.text
        let parser = TitleParser()
        let p = parser.parse(text, subtitle: text)
        Self.check(p)
        #expect(p.original.utf8.count == text.utf8.count)
        let names = CreditSplitter(normalizer: parser.normalizer).split(text, kind: .writer)
        #expect(names.allSatisfy(Self.isComparisonForm))
        #expect(parser.normalizer.fold(text).utf8.count <= Normalizer.maxInputBytes * 3)
    }

    /// Random byte soup (seeded), repaired to Unicode, always yields comparison forms.
    @Test func randomInputYieldsComparisonForms() {
        var rng = SeededGenerator(seed: 7)
        let parser = TitleParser()
        let alphabet: [String] = ["(", ")", "[", "]", "{", "}", " - ", "/", " / ", "feat. ", "with ", "&", ",", "'", "\"",
                                  "Live", "Remix", "Remastered 2011", "x", "é", "Ж", "東", "ー", "\u{0}", "\u{301}", ".",
                                  "Medley:", "From ", "In the Style of ", "by ", "-", "A", "b", "1999", "’", "…"]
        for iteration in 0..<3000 {
            var s = ""
            for _ in 0..<Int.random(in: 0...24, using: &rng) { s += alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            if Bool.random(using: &rng) {
                var bytes = Array(s.utf8)
                for _ in 0..<3 where !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0x80...0xFF, using: &rng) }
                s = String(decoding: bytes, as: UTF8.self)
            }
            let p = parser.parse(s)
            Self.check(p)
            if iteration % 50 == 0 { #expect(p == TitleParser().parse(s)) }  // a fresh parser opens ICU: keep it rare
        }
    }
}
