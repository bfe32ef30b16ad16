import Normalization
import OeuvreTestSupport
import Testing

@Suite struct TitleParserTests {
    @Test func fixtureIsLargeAndCoversScripts() {
        #expect(Fixtures.titles.count >= 150)
        let scripts: [(String, ClosedRange<UInt32>)] = [
            ("Cyrillic", 0x0400...0x04FF), ("Greek", 0x0370...0x03FF), ("Han", 0x4E00...0x9FFF), ("kana", 0x3040...0x30FF),
            ("Hangul", 0xAC00...0xD7AF), ("Arabic", 0x0600...0x06FF), ("Hebrew", 0x0590...0x05FF),
            ("Devanagari", 0x0900...0x097F), ("Thai", 0x0E00...0x0E7F),
        ]
        for (name, range) in scripts {
            let found = Fixtures.titles.contains { $0.title.unicodeScalars.contains { range.contains($0.value) } }
            #expect(found, "no \(name) title in the fixture")
        }
    }

    @Test(arguments: Fixtures.titles)
    func parsesFixtureTitle(_ c: TitleCase) {
        let parser = TitleParser()
        let splitter = CreditSplitter(normalizer: parser.normalizer)
        let p = parser.parse(c.title)
        #expect(p.core == c.core)
        #expect(p.tags == c.tags)
        #expect(p.featured == c.featured)
        var artists = splitter.split(c.artist, kind: .artist)
        for f in p.featured where !artists.contains(f) { artists.append(f) }
        #expect(artists == c.artists)
        #expect(p.remixers == (c.extra["remixers"] ?? []))
        #expect(p.originalArtists == (c.extra["original"] ?? []))
        #expect(p.medleyParts == (c.extra["medley"] ?? []))
        #expect(p.alternates == (c.extra["alternates"] ?? []))
        #expect(p.from == c.extra["from"]?.first)
    }

    /// Genre text that landed in a title field ("Pop , R&B / Soul , Dance") is no medley; a slash next to one genre word is.
    @Test func slashBetweenGenreNamesIsNoMedley() {
        let parser = TitleParser()
        let genres = parser.parse("Gone The Weeknd Trilogy R&B / Soul , Music , Rock , Contemporary R&B $ 1.29")
        #expect(genres.medleyParts.isEmpty)
        #expect(!genres.tags.contains("medley"))
        #expect(parser.parse("Is It Love Pop , Hip-Hop / Rap").medleyParts.isEmpty)
        #expect(parser.parse("Soul Man / Rock Steady").medleyParts == ["soul man", "rock steady"])
        #expect(parser.parse("Rock Lobster / Love Shack").tags == ["medley"])
        // With a medley word every separator still splits.
        #expect(parser.parse("Medley: Pop / Rock").medleyParts == ["pop", "rock"])
    }

    /// Scratch buffers are reused between calls: one parser over the whole fixture, twice, must
    /// agree with a fresh parser per title.
    @Test func reusedParserMatchesFreshParsers() {
        let shared = TitleParser()
        for _ in 0..<2 {
            for c in Fixtures.titles {
                #expect(shared.parse(c.title) == TitleParser().parse(c.title), "\(c.testDescription)")
            }
        }
    }

    @Test func asciiInputNeverCallsICU() {
        let parser = TitleParser()
        let splitter = CreditSplitter(normalizer: parser.normalizer)
        var parsed = 0
        for c in Fixtures.titles where c.title.utf8.allSatisfy({ $0 < 0x80 }) && c.artist.utf8.allSatisfy({ $0 < 0x80 }) {
            _ = parser.parse(c.title, subtitle: "Live")
            _ = splitter.split(c.artist)
            _ = parser.normalizer.fold(c.title)
            parsed += 1
        }
        #expect(parsed > 100)
        #expect(parser.normalizer.icuCalls == 0)
        _ = parser.parse("Bésame Mucho")
        #expect(parser.normalizer.icuCalls == 1)
        _ = parser.parse("Bésame Mucho (En Vivo)")  // "é" is cached now
        #expect(parser.normalizer.icuCalls == 1)
    }

    @Test(arguments: [
        ("Live Forever", "live forever", [String]()),
        ("Let Me Live (Let Me Live)", "let me live let me live", []),
        ("Remix (Remix)", "remix", ["remix"]),
        ("Intro (Remix)", "intro", ["remix"]),
        ("Another Brick in the Wall (Part 1)", "another brick in the wall part 1", []),
        ("Title (Live) [Remastered 2011] - Radio Edit", "title", ["live", "remaster", "edit"]),
        ("Title - Live - 2011 Remaster", "title", ["live", "remaster"]),
        ("Title (Live at Wembley - Remastered 2011)", "title", ["live", "remaster"]),
        ("Title (1978)", "title", ["version"]),
        ("Title (2)", "title 2", []),
        ("Title (feat. A", "title", []),
        ("Title ()", "title", []),
        ("Title - ", "title", []),
        ("Title (With Another Girl)", "title with another girl", []),
        ("Title (with Lyrics)", "title", ["video"]),
        ("Title (From Me to You)", "title from me to you", []),
        ("Title (From the Motion Picture Titanic)", "title", ["from"]),
        ("Title (Mastered for iTunes)", "title", ["remaster"]),
        ("Title (Live My Life)", "title live my life", []),
        ("Title (Recorded Live at the Apollo, 1962)", "title", ["live"]),
        ("Title - X Remix - Radio Edit", "title", ["remix", "edit"]),
        ("Title (MTV Unplugged)", "title", ["live", "acoustic"]),
        ("Title (Demo Version)", "title", ["demo"]),
        ("Title (Explicit Version)", "title", ["explicit"]),
        ("Title (Bonus Track) [Deluxe Edition]", "title", ["version"]),
        ("Title [Remix] (Instrumental) (Karaoke)", "title", ["remix", "instrumental", "karaoke"]),
        ("Title (Excerpt)", "title", ["excerpt"]),
        ("Title (Reprise)", "title", ["reprise"]),
        ("Title (Prod. by Metro Boomin)", "title", ["prod"]),
        ("Title (Orchestral Version)", "title", ["version"]),
        ("Title (Versión en Español)", "title", ["translation"]),
        ("Title (En Directo)", "title", ["live"]),
        ("Title (Live au Zénith)", "title", ["live"]),
        // A language alone or with a version word is a translation; beside genre words it is the title's (rules 2).
        ("Title (Russian)", "title", ["translation"]),
        ("Title (The Spanish Version)", "title", ["translation"]),
        ("Title (English and Spanish)", "title", ["translation"]),
        ("Title (Spanish Radio Edit)", "title", ["translation", "edit"]),
        ("The Volga Vouty (Russian Dance)", "the volga vouty russian dance", []),
        ("Title (Italian Disco)", "title italian disco", []),
        // A remixer slot holding a part of a work is the title's (rules 2).
        ("Title - X Remix", "title", ["remix"]),
        ("Chrome Optimism - Oxygen Part 4 Dub", "chrome optimism oxygen part 4 dub", []),
        ("Title (Movement 2 Mix)", "title movement 2 mix", []),
    ])
    func peelsOnlyCompleteQualifiers(title: String, core: String, tags: [String]) {
        let p = TitleParser().parse(title)
        #expect(p.core == core)
        #expect(p.tags == tags)
    }

    @Test func subtitleIsOneMoreQualifier() {
        let parser = TitleParser()
        let p = parser.parse("Yesterday", subtitle: "Live at the BBC")
        #expect(p.core == "yesterday")
        #expect(p.tags == ["live"])
        let q = parser.parse("Song (Remix)", subtitle: "Radio Edit; recorded in one take")
        #expect(q.tags == ["remix", "edit", "alternate"])
        let f = parser.parse("Song", subtitle: "feat. Somebody Else")
        #expect(f.featured == ["somebody else"])
    }

    @Test func tagNamesAreTheDocumentedLowerCaseNames() {
        for t in VersionTag.allCases {
            #expect(t.name == t.name.lowercased())
            #expect(!t.name.isEmpty)
        }
        #expect(Set(VersionTag.allCases.map(\.name)).count == VersionTag.allCases.count)
    }
}
