import Foundation
import Normalization
import Matching
import OeuvreCore
import OeuvreTestSupport
import Testing

/// A small catalogue with the situations retrieval must handle.
enum SmallCatalogue {
    static let works: [Work] = [
        Work(id: "W1", iswc: "T0345246801", titles: [WorkTitle(text: "Yesterday", kind: .original)],
             parties: [Party(name: "Paul McCartney", role: .writer, ipiName: "00014107338")], performers: ["The Beatles"],
             recordings: [Recording(isrc: "GBAYE6500524", title: "Yesterday - Remastered 2009", artist: "The Beatles")], duration: 125),
        Work(id: "W2", titles: [WorkTitle(text: "Heart", kind: .original)], performers: ["The Sugars"]),
        Work(id: "W3", titles: [WorkTitle(text: "Heart", kind: .original)], performers: ["Pet Shop Boys"]),
        Work(id: "W4", titles: [WorkTitle(text: "Hyper-Ballad", kind: .original)], performers: ["Björk"]),
        Work(id: "W5", titles: [WorkTitle(text: "I Don't Care (Just As Long As You Love Me)", kind: .original)], performers: ["Buck Owens"]),
        Work(id: "W6", titles: [WorkTitle(text: "Ne me quitte pas", kind: .original), WorkTitle(text: "If You Go Away", kind: .alternate)],
             parties: [Party(name: "Jacques Brel", role: .writer)], performers: ["Jacques Brel"]),
        Work(id: "W7", titles: [WorkTitle(text: "Amsterdam", kind: .original)], performers: ["Jacques Brel"]),
        Work(id: "W8", titles: [WorkTitle(text: "Les bourgeois", kind: .original)], performers: ["Jacques Brel"]),
        Work(id: "W9", titles: [WorkTitle(text: "Shared Song", kind: .original)], recordings: [Recording(isrc: "USAAA0000001")]),
        Work(id: "W10", titles: [WorkTitle(text: "Another Shared Song", kind: .original)], recordings: [Recording(isrc: "USAAA0000001")]),
        Work(id: "W11", titles: [WorkTitle(text: "Good Bye My Love Good Bye", kind: .original)], performers: ["Demis Roussos"]),
        Work(id: "W12", titles: [WorkTitle(text: "東京タワー", kind: .original)], performers: ["Tokyo Band"]),
        Work(id: "W13", titles: [WorkTitle(text: "아리랑", kind: .original)], performers: ["Seoul Band"]),
        Work(id: "W14", titles: [WorkTitle(text: "Eumak Sigan", kind: .original)], performers: ["Busan Band"]),
        // Han characters alone: Japanese (W15, W16 catalogued in romaji) or Chinese (W17).
        Work(id: "W15", titles: [WorkTitle(text: "千本桜", kind: .original)], performers: ["Kurousa"]),
        Work(id: "W16", titles: [WorkTitle(text: "Yozakura", kind: .original)], performers: ["Kyoto Band"]),
        Work(id: "W17", titles: [WorkTitle(text: "月亮代表我的心", kind: .original)], performers: ["Teresa Teng"]),
    ]

    static func index(_ options: MatchIndexOptions = MatchIndexOptions(dim: 64, threads: 2), stamp: String = "s1") -> (MatchIndex, [WorkProfile]) {
        let profiles = MatchIndexBuilder.profiles(of: works, threads: 2)
        return (MatchIndexBuilder.build(profiles: profiles, stamp: stamp, options: options), profiles)
    }
}

@Suite struct TermTests {
    @Test func spacingVariantsShareTrigrams() {
        var ex = TermExtractor()
        var a: [UInt64] = [], b: [UInt64] = []
        ex.titleTerms("good bye my love", into: &a)
        ex.titleTerms("goodbye my love", into: &b)
        let trigramsA = Set(a).subtracting([TermHash.word("good", kind: .word), TermHash.word("bye", kind: .word)])
        let shared = trigramsA.intersection(Set(b))
        #expect(Double(shared.count) / Double(trigramsA.count) > 0.8)
        #expect(a == a.sorted())
        #expect(Set(a).count == a.count)
    }

    @Test func emptyTitleHasNoTerms() {
        var ex = TermExtractor()
        var t: [UInt64] = [1, 2, 3]
        ex.titleTerms("", into: &t)
        #expect(t.isEmpty)
    }

    @Test func readingsFingerprintIsADigestOfTheTables() {
        let f = MatchIndex.readingsFingerprint
        #expect(f.count == 16 && f.allSatisfy(\.isHexDigit))
        #expect(MatchIndex.readingsFingerprint == f)
        #expect(Normalizer.vocabularyFingerprint == Normalizer.vocabularyFingerprint)
        #expect(Normalizer.vocabularyFingerprint != 0)
    }

    @Test func hashesAreStableAcrossRuns() {
        // Persisted in index files: a change here must bump MatchIndex.formatVersion.
        #expect(TermHash.word("love", kind: .word) == TermHash.word("love", kind: .word))
        #expect(TermHash.word("love", kind: .word) != TermHash.word("love", kind: .artist))
        #expect(TermHash.mix(1) == 0xb456_bcfc_34c2_cb2c)
    }

    @Test func hashedVectorsAreNormalized() {
        var ex = TermExtractor()
        var t: [UInt64] = []
        ex.titleTerms("ne me quitte pas", into: &t)
        let w = [Float](repeating: 1, count: t.count)
        var v = [Float](repeating: 0, count: 32)
        t.withUnsafeBufferPointer { tb in w.withUnsafeBufferPointer { wb in
            _ = HashedVector.fill(terms: tb, weights: wb, dim: 32, out: &v)
        } }
        let norm = v.reduce(0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-5)
    }

    @Test(arguments: [("GBAYE6500524", true), ("gbaye6500524", true), ("GB-AYE-65-00524", true), ("GBAYE650052", false), ("GBAYE65005245", false), ("GBAYE65005#4", false)])
    func isrcKeys(_ isrc: String, _ valid: Bool) {
        #expect((ISRCKey.pack(isrc) != nil) == valid)
        if valid { #expect(ISRCKey.pack(isrc) == ISRCKey.pack("GBAYE6500524")) }
    }
}

@Suite struct MatchIndexTests {
    /// Profiles built while the works are still being produced come out in order, equal to the batch ones,
    /// whatever the chunking, thread count and queue depth; a producer's error is rethrown.
    @Test func streamedProfilesEqualBatchProfiles() throws {
        let works = (0..<5).flatMap { _ in SmallCatalogue.works }
        let batch = MatchIndexBuilder.profiles(of: works, threads: 2)
        for (chunk, threads, queued) in [(1, 2, 1), (3, 2, 4), (7, 1, 2), (100, 3, 1)] {
            let streamed = try MatchIndexBuilder.profiles(threads: threads, queued: queued) { emit in
                var i = 0
                while i < works.count {
                    emit(Array(works[i..<min(i + chunk, works.count)]))
                    i += chunk
                }
            }
            #expect(streamed == batch, "chunk \(chunk), threads \(threads)")
            // Built in place when the count is known; a count too small (the rest chunked and appended) or too large
            // (a shorter array) gives the same profiles.
            for expected in [works.count, 0, works.count / 2, works.count - 1, works.count + 1, works.count * 3] {
                let placed = try MatchIndexBuilder.profiles(threads: threads, queued: queued, expected: expected) { emit in
                    var i = 0
                    while i < works.count {
                        emit(Array(works[i..<min(i + chunk, works.count)]))
                        i += chunk
                    }
                }
                #expect(placed == batch, "chunk \(chunk), threads \(threads), expected \(expected)")
            }
        }
        struct Broken: Error {}
        #expect(throws: Broken.self) {
            _ = try MatchIndexBuilder.profiles(threads: 2, queued: 1) { emit in
                emit(Array(works.prefix(3)))
                emit(Array(works.prefix(3)))
                throw Broken()
            }
        }
        #expect(throws: Broken.self) {
            _ = try MatchIndexBuilder.profiles(threads: 2, queued: 1, expected: works.count) { emit in
                emit(Array(works.prefix(3)))
                emit(Array(works.prefix(3)))
                throw Broken()
            }
        }
        #expect(try MatchIndexBuilder.profiles(threads: 2) { _ in }.isEmpty)
        #expect(try MatchIndexBuilder.profiles(threads: 2, expected: 10) { _ in }.isEmpty)
    }

    @Test func roundTripThroughAFile() throws {
        let (built, profiles) = SmallCatalogue.index(stamp: "catalogue-42")
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/works.index"
        try built.write(to: path)
        let loaded = try MatchIndex.load(path: path)
        #expect(loaded.workCount == profiles.count)
        #expect(loaded.titleCount == built.titleCount)
        #expect(loaded.byteCount == built.byteCount)
        #expect(loaded.stamp == "catalogue-42")
        #expect(!loaded.needsRebuild(stamp: "catalogue-42"))
        #expect(loaded.needsRebuild(stamp: "catalogue-43"))
        #expect(MatchIndex.isCurrent(path: path, stamp: "catalogue-42"))
        #expect(!MatchIndex.isCurrent(path: path, stamp: "other"))
        for (i, p) in profiles.enumerated() {
            let q = loaded.profile(i)
            #expect(q.workId == p.workId)
            #expect(q.titles == p.titles)
            #expect(q.performers == p.performers)
            #expect(q.writers == p.writers)
            #expect(q.iswc == p.iswc)
            #expect(q.duration == p.duration)
            #expect(q.isrcs == p.isrcs)
            #expect(q.titleVariants == p.titleVariants)
            #expect(q.titleReadings == p.titleReadings)
            #expect(q.sketch.record == p.sketch.record)
            #expect(loaded.workId(i) == p.workId)
        }
        // The file is byte-for-byte the in-memory image.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count == built.byteCount)
    }

    @Test func buildsAreReproducible() throws {
        let dir = TestSupport.temporaryDirectory()
        let (a, _) = SmallCatalogue.index()
        let (b, _) = SmallCatalogue.index(MatchIndexOptions(dim: 64, threads: 1))
        try a.write(to: dir + "/a")
        try b.write(to: dir + "/b")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a")) == Data(contentsOf: URL(fileURLWithPath: dir + "/b")))
    }

    /// The parallel steps (counting sorts by slot range, ISRC parts merged, records copied by chunk) must give the serial
    /// image byte for byte, whatever the thread count: a catalogue with shared title words, performers and writers
    /// (long artist postings, names repeated within a work), recording ISRCs and explicit links, some of them twice.
    @Test func buildsAreTheSameOnAnyNumberOfThreads() throws {
        var rng = SeededGenerator(seed: 20)
        let words = ["love", "night", "heart", "blue", "river", "fire", "rain", "home", "dance", "gold", "moon", "road"]
        let names = ["Ana Lima", "The Blue Notes", "Jo Park", "Ana Park", "Lima Lima Band", "DJ Road", "Moon River Trio"]
        var works: [Work] = []
        for w in 0..<400 {
            let title = (0..<Int.random(in: 1...4, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ")
            let performers = (0..<Int.random(in: 0...3, using: &rng)).map { _ in names.randomElement(using: &rng)! }
            let writers = (0..<Int.random(in: 0...2, using: &rng)).map { _ in Party(name: names.randomElement(using: &rng)!, role: .writer) }
            let recordings = (0..<Int.random(in: 0...2, using: &rng)).map { _ in
                Recording(isrc: String(format: "FRZZZ24%05d", Int.random(in: 0..<300, using: &rng)), title: title + " (Live)")
            }
            works.append(Work(id: "G\(w)", titles: [WorkTitle(text: title, kind: .original)], parties: writers,
                              performers: performers, recordings: recordings, duration: Int.random(in: 0...300, using: &rng)))
        }
        let links = (0..<200).map { _ in
            ISRCLinkInput(isrc: String(format: "FRZZZ24%05d", Int.random(in: 0..<300, using: &rng)), work: Int.random(in: 0..<400, using: &rng),
                          confidence: Float(Int.random(in: 1...10, using: &rng)) / 10)
        }
        let profiles = MatchIndexBuilder.profiles(of: works, threads: 1)
        let order = MatchIndexBuilder.orderForLocality(profiles, threads: 1)
        let dir = TestSupport.temporaryDirectory()
        var images: [Data] = []
        for threads in [1, 2, 3, 5] {
            let index = MatchIndexBuilder.build(profiles: profiles, order: order, links: links, stamp: "t",
                                                options: MatchIndexOptions(dim: 32, postingCap: 64, artistPostingCap: 32, threads: threads))
            try index.write(to: dir + "/\(threads)")
            images.append(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(threads)")))
        }
        #expect(images.allSatisfy { $0 == images[0] })
    }

    /// The file written while the build fills the vectors (`imageReady` → `MatchIndexFile.start`, then `finish`) is the
    /// image `write(to:)` writes, byte for byte; a file that cannot be created fails at `finish` and leaves nothing.
    @Test func fileWrittenDuringTheBuildIsTheImage() throws {
        let dir = TestSupport.temporaryDirectory()
        let profiles = MatchIndexBuilder.profiles(of: SmallCatalogue.works, threads: 1)
        let file = try MatchIndexFile(path: dir + "/early")
        var handed: [Range<Int>] = []
        let index = MatchIndexBuilder.build(profiles: profiles, stamp: "t", options: MatchIndexOptions(dim: 64, threads: 2)) { image, ranges in
            handed = ranges
            file.start(image, ranges: ranges)
        }
        #expect(!handed.isEmpty && handed.reduce(0) { $0 + $1.count } < index.byteCount)  // the vectors are left for later
        try file.finish(index.image)
        try index.write(to: dir + "/plain")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/early")) == Data(contentsOf: URL(fileURLWithPath: dir + "/plain")))
        #expect(try MatchIndex.load(path: dir + "/early").workCount == SmallCatalogue.works.count)

        let missing = try MatchIndexFile(path: dir + "/no-such-dir/index")
        missing.start(index.image, ranges: [0..<64])
        #expect(throws: OeuvreError.self) { try missing.finish(index.image) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["early", "plain"])
    }

    @Test func complementOfWrittenRanges() {
        #expect(MatchIndexFile.complement(of: [10..<20, 0..<5], in: 0..<30) == [5..<10, 20..<30])
        #expect(MatchIndexFile.complement(of: [], in: 0..<8) == [0..<8])
        #expect(MatchIndexFile.complement(of: [0..<8], in: 0..<8) == [])
        #expect(MatchIndexFile.complement(of: [2..<6, 4..<9], in: 0..<12) == [0..<2, 9..<12])
    }

    /// Profiles built without their sketch (what `oeuvre index build` reads the catalogue into) give the same index.
    @Test func profilesWithoutSketchesBuildTheSameIndex() throws {
        let builder = ProfileBuilder()
        let bare = SmallCatalogue.works.map { builder.work($0, sketch: false) }
        #expect(bare.allSatisfy { !$0.isSketched })
        let full = MatchIndexBuilder.profiles(of: SmallCatalogue.works, threads: 1)
        #expect(full.allSatisfy { $0.isSketched })
        let dir = TestSupport.temporaryDirectory()
        for (name, profiles) in [("bare", bare), ("full", full)] {
            try MatchIndexBuilder.build(profiles: profiles, order: MatchIndexBuilder.orderForLocality(profiles, threads: 1), stamp: "t",
                                        options: MatchIndexOptions(dim: 64, threads: 2)).write(to: dir + "/" + name)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/bare")) == Data(contentsOf: URL(fileURLWithPath: dir + "/full")))
    }

    @Test func isrcLinks() {
        let (index, _) = SmallCatalogue.index()
        #expect(index.works(forISRC: "GBAYE6500524").map { index.workId($0) } == ["W1"])
        #expect(index.works(forISRC: "USAAA0000001").map { index.workId($0) } == ["W9", "W10"])
        #expect(index.works(forISRC: "FRZZZ9999999").isEmpty)
        #expect(index.works(forISRC: "not an isrc").isEmpty)
    }

    @Test func extraLinksAreIndexed() {
        let profiles = MatchIndexBuilder.profiles(of: SmallCatalogue.works)
        let index = MatchIndexBuilder.build(profiles: profiles, links: [ISRCLinkInput(isrc: "FRZZZ2400001", work: 6, confidence: 0.8)], stamp: "x")
        #expect(index.works(forISRC: "FRZZZ2400001").map { index.workId($0) } == ["W7"])
        #expect(index.links(forISRC: "FRZZZ2400001").first?.confidence == 0.8)
        #expect(index.links(forISRC: "GBAYE6500524").first?.confidence == 1)
    }

    /// `ISRCLinkLookup.singleLink` (two levels of samples over the sorted keys; ≈ 24k keys, so ≈ 375 coarse samples)
    /// against `links(forKey:)`, for ISRCs linked once, several times or not at all, around every sample boundary.
    @Test func singleLinkLookupAgreesWithLinks() {
        let profiles = MatchIndexBuilder.profiles(of: SmallCatalogue.works)
        var rng = SeededGenerator(seed: 31)
        var links: [ISRCLinkInput] = []
        for k in 0..<20000 {
            let isrc = "FRZZZ24" + String(format: "%05d", k * 3)
            for _ in 0..<(rng.next() % 5 == 0 ? 2 : 1) { links.append(ISRCLinkInput(isrc: isrc, work: Int(rng.next() % UInt64(profiles.count)), confidence: 0.9)) }
        }
        let index = MatchIndexBuilder.build(profiles: profiles, links: links, stamp: "l")
        let lookup = ISRCLinkLookup(index: index)
        for k in -2..<(20000 * 3 + 3) {
            let isrc = k < 0 ? "AA0000000000" : "FRZZZ24" + String(format: "%05d", k)
            let key = ISRCKey.pack(isrc)!
            let all = index.links(forKey: key)
            let expected = all.count == 1 ? all[0].work : nil
            #expect(lookup.singleLink(key).map { index.link(at: $0).work } == expected, "\(isrc)")
            #expect(lookup.single(key)?.work == expected)
        }
        for isrc in ["ZZ9999999999", "GBAYE6500524", "USAAA0000001"] {
            let key = ISRCKey.pack(isrc)!
            let all = index.links(forKey: key)
            #expect(lookup.singleLink(key).map { index.link(at: $0).work } == (all.count == 1 ? all[0].work : nil))
        }
    }

    @Test func damagedFilesAreRejected() throws {
        let (built, _) = SmallCatalogue.index()
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/i"
        try built.write(to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // Truncated.
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: dir + "/short"))
        #expect(throws: OeuvreError.self) { try MatchIndex.load(path: dir + "/short") }
        // Not an index.
        TestSupport.write("work_id,title\n1,x\n", to: "csv", in: dir)
        #expect(throws: OeuvreError.self) { try MatchIndex.load(path: dir + "/csv") }
        // A vector dimension the dense kernel cannot read (not whole blocks of 16), or that disagrees with the vectors.
        for dim: UInt8 in [24, 32] {
            var odd = bytes
            odd[32] = dim
            odd[33] = 0
            try odd.write(to: URL(fileURLWithPath: dir + "/dim"))
            do {
                _ = try MatchIndex.load(path: dir + "/dim")
                Issue.record("dim \(dim) loaded")
            } catch {
                #expect(error.message.contains("is damaged"), "\(error.message)")
            }
        }
        // Another format version.
        bytes[8] = 99
        try bytes.write(to: URL(fileURLWithPath: dir + "/v99"))
        do {
            _ = try MatchIndex.load(path: dir + "/v99")
            Issue.record("version 99 loaded")
        } catch {
            #expect(error.message.contains("format version 99"))
        }
        #expect(!MatchIndex.isCurrent(path: dir + "/v99", stamp: "s1"))
        #expect(throws: OeuvreError.self) { try MatchIndex.load(path: dir + "/missing") }
    }

    /// The index is written beside its destination and renamed over it; a destination that is a device or a pipe
    /// is refused, not replaced by a file.
    /// The vector dimension is rounded up to whole blocks of 16 and kept within 16…512, where the dense kernel's
    /// 32-bit integer sums cannot overflow.
    @Test(arguments: [(1, 16), (24, 32), (128, 128), (1000, 512)])
    func vectorDimensionIsKeptWithinTheKernelsRange(asked: Int, built: Int) {
        let (index, _) = SmallCatalogue.index(MatchIndexOptions(dim: asked, threads: 1))
        #expect(index.dim == built)
    }

    @Test func indexIsNotWrittenOverASpecialFile() throws {
        let (built, _) = SmallCatalogue.index()
        let dir = TestSupport.temporaryDirectory()
        let fifo = dir + "/pipe.index"
        #expect(mkfifo(fifo, 0o600) == 0)
        do {
            try built.write(to: fifo)
            Issue.record("wrote over a pipe")
        } catch {
            #expect(error.message.contains("not a regular file"), "\(error.message)")
        }
        var st = stat()
        #expect(stat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["pipe.index"])
    }

    @Test func postingCapsKeepTheTitlesATermDominates() {
        // 40 works share the word "love"; with a cap of 8 the shortest titles keep it.
        var works: [Work] = []
        for i in 0..<40 {
            let extra = (0..<(i % 5)).map { "word\($0)x\(i)" }.joined(separator: " ")
            works.append(Work(id: "L\(i)", titles: [WorkTitle(text: "love \(extra)", kind: .original)]))
        }
        let profiles = MatchIndexBuilder.profiles(of: works)
        let index = MatchIndexBuilder.build(profiles: profiles, stamp: "c", options: MatchIndexOptions(dim: 32, postingCap: 8))
        #expect(index.postingCap == 8)
        var options = RetrievalOptions()
        options.minPostingsPerTerm = 8
        let retriever = Retriever(index: index, options: options)
        let top = retriever.retrieve(RetrievalQuery(titles: ["love"], artists: []))
        #expect(top.first.map { index.workId(Int($0.work)) }.map { ["L0", "L5", "L10", "L15", "L20", "L25", "L30", "L35"].contains($0) } == true)
    }

    @Test func emptyCatalogue() {
        let index = MatchIndexBuilder.build(profiles: [], stamp: "empty")
        #expect(index.workCount == 0)
        let r = Retriever(index: index)
        #expect(r.retrieve(RetrievalQuery(titles: ["anything"], artists: ["someone"])).isEmpty)
        #expect(index.works(forISRC: "GBAYE6500524").isEmpty)
    }
}

@Suite struct RetrieverTests {
    static let shared = SmallCatalogue.index()

    func top(_ title: String, _ artist: String? = nil, topN: Int = 5) -> [String] {
        let (index, _) = Self.shared
        let builder = ProfileBuilder()
        let profile = builder.line(UsageLine(lineId: "1", title: title, artist: artist))
        var options = RetrievalOptions()
        options.topN = topN
        let r = Retriever(index: index, options: options)
        return r.retrieve(RetrievalQuery(profile)).map { index.workId(Int($0.work)) }
    }

    @Test func exactAndVersionedTitles() {
        #expect(top("Yesterday").first == "W1")
        #expect(top("Yesterday - Remastered 2009", "The Beatles").first == "W1")
        #expect(top("Yesterdy").first == "W1")
    }

    @Test func spacingAndPunctuation() {
        #expect(top("Hyperballad").first == "W4")
        #expect(top("Goodbye My Love Goodbye").first == "W11")
    }

    @Test func artistBreaksTitleTies() {
        #expect(top("Heart", "Pet Shop Boys").first == "W3")
        #expect(top("Heart", "The Sugars").first == "W2")
        #expect(Set(top("Heart").prefix(2)) == ["W2", "W3"])
    }

    @Test func bracketedSubtitleOfTheWork() {
        #expect(top("I Don't Care", "Ray Charles").first == "W5")
    }

    @Test func alternateTitles() {
        #expect(top("If You Go Away", "Dusty Springfield").first == "W6")
    }

    @Test func artistAloneBringsCandidates() {
        // A title unknown to the catalogue by the works' own performer: his works are candidates.
        let found = top("Mijn vlakke land", "Jacques Brel", topN: 10)
        #expect(found.contains("W7"))
        #expect(found.contains("W8"))
    }

    @Test func artistOnlyStepNeedsTheArtistsSimilarity() {
        // "Zyx" shares no term with W7 / W8: only the artist-only step (works whose artist similarity reached
        // `artistOnlyMin`, collected while the artist postings are summed) brings them.
        let (index, _) = Self.shared
        let profile = ProfileBuilder().line(UsageLine(lineId: "1", title: "Zyx Qwv", artist: "Jacques Brel"))
        func found(_ change: (inout RetrievalOptions) -> Void) -> Set<String> {
            var options = RetrievalOptions()
            options.topN = 20
            change(&options)
            return Set(Retriever(index: index, options: options).retrieve(RetrievalQuery(profile)).map { index.workId(Int($0.work)) })
        }
        #expect(found { _ in }.isSuperset(of: ["W7", "W8"]))
        #expect(found { $0.artistOnly = 0 }.isDisjoint(with: ["W7", "W8"]))
        #expect(found { $0.artistOnly = 1 }.intersection(["W7", "W8"]).count == 1)
        #expect(found { $0.artistOnlyMin = 1.01 }.isDisjoint(with: ["W7", "W8"]))
    }

    /// Once a recording's artist name exists verbatim in the catalogue (its whole-name term has postings), the
    /// name's own works have come in through that term, and its other terms (a common surname) share at most
    /// `exactArtistBudget` postings; a name found nowhere verbatim keeps the full budget.
    @Test func verbatimArtistNameNarrowsTheOtherArtistTerms() {
        let firstNames = ["Ann", "Bob", "Carl", "Dora", "Emil", "Fay", "Gus", "Hal", "Ida", "Joe", "Kim", "Lou", "Max", "Ned", "Ole",
                          "Pia", "Quin", "Rex", "Sue", "Ted", "Uma", "Vic", "Wes", "Xan", "Yul", "Zoe", "Abe", "Bea", "Cy", "Di"]
        // Thirty Smiths among sixty bands: "smith" is common, but not in every work (its IDF is not 0).
        let works = firstNames.enumerated().map { i, name in
            Work(id: "S\(i)", titles: [WorkTitle(text: "Song number \(i)", kind: .original)], performers: ["\(name) Smith"])
        } + (0..<60).map { Work(id: "B\($0)", titles: [WorkTitle(text: "Tune \($0)", kind: .original)], performers: ["Band \($0)"]) }
        let index = MatchIndexBuilder.build(profiles: MatchIndexBuilder.profiles(of: works, threads: 2), stamp: "smiths",
                                            options: MatchIndexOptions(dim: 64, threads: 2))
        func scanned(_ artist: String, exactArtistBudget: Int) -> (postings: Int, works: Set<String>) {
            var options = RetrievalOptions()
            options.minArtistPostingsPerTerm = 1
            options.artistOnlyMin = 0.001  // any shared term qualifies a work, so the works reached show what was read
            options.exactArtistBudget = exactArtistBudget
            let r = Retriever(index: index, options: options)
            let found = r.retrieve(RetrievalQuery(titles: [], artists: [artist]))
            return (r.stats.postingsScanned, Set(found.map { index.workId(Int($0.work)) }))
        }
        // "ann smith" is a catalogued name: with no budget left for the other terms, each reads its minimum (1).
        let full = scanned("ann smith", exactArtistBudget: 3000), narrow = scanned("ann smith", exactArtistBudget: 0)
        #expect(full.postings >= firstNames.count)
        #expect(narrow.postings < 8)
        #expect(full.works.contains("S0") && narrow.works.contains("S0"))
        #expect(full.works.count > narrow.works.count)
        // "Dan Smith" is catalogued nowhere: the setting does not apply, every Smith is read.
        let unknown = scanned("dan smith", exactArtistBudget: 0)
        #expect(unknown.postings == scanned("dan smith", exactArtistBudget: 3000).postings)
        #expect(unknown.works.count == firstNames.count)
    }

    @Test func nonLatinTitles() {
        #expect(top("東京タワー").first == "W12")
        #expect(top("Tokyo Tower", "Tokyo Band").contains("W12"))
        // Hangul and its Revised Romanization, both ways (ICU's reading, "alilang" / "eum ag sigan", missed both).
        #expect(top("Arirang").first == "W13")
        #expect(top("음악 시간").first == "W14")
    }

    /// A title in Han characters alone is read as Mandarin and as Japanese on both sides: a romaji line finds the
    /// kanji work, a kanji line the romaji work, and Chinese titles still find themselves.
    @Test func hanTitlesHaveBothReadings() {
        #expect(top("Senbon Zakura").first == "W15")
        #expect(top("千本桜").first == "W15")
        #expect(top("夜桜", "Kyoto Band").first == "W16")
        #expect(top("月亮代表我的心").first == "W17")
        #expect(top("Yue Liang Dai Biao Wo De Xin").first == "W17")
    }

    @Test func nothingForNothing() {
        #expect(top("").isEmpty)
        #expect(top("zzqqxxjj").isEmpty)
    }

    @Test func batchesGiveTheSameResultsAsSingleQueries() {
        let (index, _) = Self.shared
        let queries = [RetrievalQuery(titles: ["heart"], artists: ["pet shop boys"]), RetrievalQuery(titles: ["yesterday"], artists: []),
                       RetrievalQuery(titles: ["amsterdam"], artists: ["jacques brel"]), RetrievalQuery(titles: [], artists: []),
                       RetrievalQuery(titles: ["heart"], artists: ["the sugars"])]
        let r = Retriever(index: index)
        var batch = RetrievalBatch()
        r.retrieve(queries, into: &batch)
        #expect(batch.ranges.count == queries.count)
        for (i, q) in queries.enumerated() {
            let single = Retriever(index: index).retrieve(q)
            #expect(Self.same(Array(batch[i]), single))
        }
        // Small dense batches (one recording each) change nothing either.
        var options = RetrievalOptions()
        options.maxBatch = 1
        var again = RetrievalBatch()
        Retriever(index: index, options: options).retrieve(queries, into: &again)
        #expect(Self.same(again.candidates, batch.candidates))
        #expect(r.stats.gemmCalls >= 1)
    }

    /// Consecutive recordings with the same title reading (other performers, other versions) reuse the scan of the
    /// one before (`Retriever.titlePass`): the same candidates with the same scores as a fresh retriever gives each,
    /// across artists, durations, a title-less query between them (the map must be empty for it) and batch ends.
    @Test func repeatedTitleReadingsReuseTheScan() {
        let (index, _) = Self.shared
        let queries = [RetrievalQuery(titles: ["heart"], artists: ["pet shop boys"]), RetrievalQuery(titles: ["heart"], artists: ["the sugars"]),
                       RetrievalQuery(titles: ["heart"], artists: [], duration: 200), RetrievalQuery(titles: [], artists: ["jacques brel"]),
                       RetrievalQuery(titles: ["heart"], artists: ["jacques brel"]), RetrievalQuery(titles: ["yesterday", "heart"], artists: []),
                       RetrievalQuery(titles: ["heart"], artists: []), RetrievalQuery(titles: ["hyperballad"], artists: ["bjork"]),
                       RetrievalQuery(titles: ["hyperballad"], artists: ["bjork"])]
        for maxBatch in [1, 2, 32] {
            var options = RetrievalOptions()
            options.maxBatch = maxBatch
            let r = Retriever(index: index, options: options)
            var batch = RetrievalBatch()
            r.retrieve(queries, into: &batch)
            for (i, q) in queries.enumerated() {
                let single = Retriever(index: index, options: options).retrieve(q)
                #expect(!single.isEmpty)
                #expect(Self.same(Array(batch[i]), single), "query \(i), batches of \(maxBatch)")
                #expect(Array(batch[i]).map(\.score) == single.map(\.score), "query \(i), batches of \(maxBatch)")
            }
            // heart ×3 (2 reused), none, heart (scanned again: the map was emptied), yesterday + heart (both scanned:
            // yesterday came between), heart (reused), hyperballad ×2 (1 reused).
            #expect(r.stats.titleScansReused == 4, "batches of \(maxBatch)")
        }
        // New budgets read another scan: the kept one is forgotten.
        let r = Retriever(index: index)
        let heart = RetrievalQuery(titles: ["heart"], artists: [])
        _ = r.retrieve(heart)
        r.options.postingBudget = 1
        r.options.minPostingsPerTerm = 1
        r.options.exactHitBudget = 1
        r.options.exactHitMinPerTerm = 1
        let narrow = r.retrieve(heart)
        #expect(r.stats.titleScansReused == 0)
        #expect(Self.same(narrow, Retriever(index: index, options: r.options).retrieve(heart)))
    }

    /// The three dense kernels (direct dot products, sgemv per work, one sgemm per batch) rank the same
    /// candidates on a seeded random catalogue: dense cosines within one rounding step (2⁻¹⁶) of each
    /// other, the same works, and any difference in order only between scores that close.
    @Test func denseKernelsAgree() {
        var rng = SeededGenerator(seed: 42)
        let vocabulary = ["love", "night", "blue", "heart", "river", "fire", "dance", "moon", "home", "rain", "gold", "road",
                          "summer", "song", "light", "dream", "baby", "time", "world", "star", "kiss", "city", "wild", "soul"]
        let artists = (0..<25).map { "Artist \($0) " + vocabulary[$0 % vocabulary.count].capitalized }
        func title() -> String { (0..<Int.random(in: 1...4, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }.joined(separator: " ") }
        var works: [Work] = []
        for i in 0..<300 {
            var titles = [WorkTitle(text: title(), kind: .original)]
            for _ in 0..<Int.random(in: 0...8, using: &rng) { titles.append(WorkTitle(text: title(), kind: .alternate)) }
            works.append(Work(id: "R\(i)", titles: titles, performers: [artists.randomElement(using: &rng)!],
                              duration: Bool.random(using: &rng) ? Int.random(in: 120...300, using: &rng) : nil))
        }
        let index = MatchIndexBuilder.build(profiles: MatchIndexBuilder.profiles(of: works, threads: 2), stamp: "k",
                                            options: MatchIndexOptions(dim: 128, threads: 2))
        var queries: [RetrievalQuery] = []
        for _ in 0..<120 {
            var t = [title()]
            if Bool.random(using: &rng) { t.append(title()) }
            queries.append(RetrievalQuery(titles: t, artists: Bool.random(using: &rng) ? [artists.randomElement(using: &rng)!.lowercased()] : [],
                                          duration: Bool.random(using: &rng) ? Int.random(in: 120...300, using: &rng) : nil))
        }
        queries.append(RetrievalQuery(titles: [], artists: [artists[3].lowercased()]))
        queries.append(RetrievalQuery(titles: [], artists: []))
        func run(_ kernel: DenseKernel, maxBatch: Int = 32) -> (RetrievalBatch, RetrievalStats) {
            var options = RetrievalOptions()
            options.denseKernel = kernel
            options.maxBatch = maxBatch
            let r = Retriever(index: index, options: options)
            var out = RetrievalBatch()
            r.retrieve(queries, into: &out)
            return (out, r.stats)
        }
        let (reference, gemmStats) = run(.gemm)
        #expect(gemmStats.denseKernel == .gemm && gemmStats.gemmCalls > 0)
        var compared = 0
        for (kernel, batch) in [(DenseKernel.dot, 32), (.dot, 1), (.gemv, 32)] {
            let (other, stats) = run(kernel, maxBatch: batch)
            #expect(stats.denseKernel == kernel)
            #expect(stats.gemmFlops > 0 && stats.gemmFlops < gemmStats.gemmFlops)
            #expect(other.ranges.count == queries.count)
            for q in queries.indices {
                let a = Array(reference[q]), b = Array(other[q])
                #expect(a.count == b.count)
                let scoresA = Dictionary(uniqueKeysWithValues: a.map { ($0.work, $0) })
                let scoresB = Dictionary(uniqueKeysWithValues: b.map { ($0.work, $0) })
                let lastA = a.last?.score ?? 0, lastB = b.last?.score ?? 0
                for (w, x) in scoresA {
                    guard let y = scoresB[w] else {
                        #expect(abs(x.score - lastB) <= 1e-4, "query \(q): work \(w) only with gemm")
                        continue
                    }
                    compared += 1
                    #expect(abs(x.dense - y.dense) <= 1.6e-5 && abs(x.score - y.score) <= 1e-4, "query \(q) work \(w): \(x) vs \(y)")
                    #expect(x.sparse == y.sparse && x.artist == y.artist)
                }
                for (w, y) in scoresB where scoresA[w] == nil { #expect(abs(y.score - lastA) <= 1e-4, "query \(q): work \(w) only with \(kernel)") }
                for (x, y) in zip(a, b) where x.work != y.work { #expect(abs(x.score - y.score) <= 1e-4) }
            }
        }
        #expect(compared > 500)
    }

    /// Same works and titles in the same order, scores equal up to float rounding (a BLAS kernel may
    /// sum a dot product in another order for another batch shape or thread count).
    static func same(_ a: [RetrievedCandidate], _ b: [RetrievedCandidate]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.work == y.work, x.title == y.title, abs(x.score - y.score) < 1e-4, abs(x.dense - y.dense) < 1e-4,
                  abs(x.sparse - y.sparse) < 1e-4, abs(x.artist - y.artist) < 1e-4 else { return false }
        }
        return true
    }

    @Test func scoresAreOrderedAndBounded() {
        let (index, _) = Self.shared
        let c = Retriever(index: index).retrieve(RetrievalQuery(titles: ["yesterday"], artists: ["the beatles"]))
        #expect(!c.isEmpty)
        for (a, b) in zip(c, c.dropFirst()) { #expect(a.score >= b.score) }
        let best = c[0]
        #expect(best.dense > 0.99 && best.dense < 1.01)
        #expect(best.sparse > 0.99 && best.sparse < 1.01)
        #expect(best.artist > 0.99)
        #expect(index.work(ofTitle: Int(best.title)) == Int(best.work))
    }
}

/// `MatchOptions.keepProfiles`: the results without their profiles are the same results.
@Suite struct PipelineMemoryTests {
    @Test func resultsWithoutProfilesAreTheSameResults() throws {
        let (index, _) = SmallCatalogue.index()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let model = try ScoringModel.load(path: root.appendingPathComponent("models/default.json").path)
        let lines = [
            UsageLine(lineId: "a", title: "Yesterday - Remastered 2009", artist: "The Beatles", duration: 125),
            UsageLine(lineId: "b", title: "Heart", artist: "Pet Shop Boys"),
            UsageLine(lineId: "c", title: "If You Go Away", artist: "Dusty Springfield"),
            UsageLine(lineId: "d", title: "Heart", artist: "Pet Shop Boys", plays: 3),
            UsageLine(lineId: "e", isrc: "GBAYE6500524", title: "Yesterday", artist: "The Beatles"),
            UsageLine(lineId: "f", title: "Unknown Song Nobody Wrote", artist: "Nobody"),
        ]
        var options = MatchOptions()
        options.threads = 2
        let kept = try MatchPipeline(index: index, model: model, options: options).run(lines: lines)
        options.keepProfiles = false
        let released = try MatchPipeline(index: index, model: model, options: options).run(lines: lines)
        #expect(kept.groupOfLine == released.groupOfLine)
        #expect(kept.results.count == released.results.count)
        for (k, r) in zip(kept.results, released.results) {
            #expect(k.decision == r.decision && k.reason == r.reason)
            #expect(k.candidates.map(\.workId) == r.candidates.map(\.workId))
            #expect(k.candidates.map(\.confidence) == r.candidates.map(\.confidence))
            #expect(k.group.lineIds == r.group.lineIds && k.group.plays == r.group.plays)
        }
        // The fuzzy results (not the ISRC hit) let their profiles go.
        #expect(kept.results.contains { $0.group.profile.title == "heart" })
        #expect(!released.results.contains { $0.group.profile.title == "heart" })
        #expect(kept.summary.linesByDecision == released.summary.linesByDecision)
    }
}

/// `TermHash.wholeTitle` and `MatchIndex.titleCounts`: the catalogue's count of works carrying a title.
@Suite struct CatalogueTitleCountTests {
    @Test(arguments: ["heart", "if you go away", "  two  spaces ", "a", String(repeating: "long title ", count: 30), "東京タワー"])
    func wholeTitleKeyIsTheExtractorsWholeTerm(_ title: String) {
        var ex = TermExtractor()
        var terms: [UInt64] = []
        ex.titleTerms(title, into: &terms)
        var copy = title
        let key = copy.withUTF8 { TermHash.wholeTitle($0) }
        #expect(terms.filter(TermHash.isWhole) == [key])
        #expect(TermHash.wholeTitle(UnsafeBufferPointer(start: nil, count: 0)) == 0)
    }

    @Test func countsWorksCarryingATitle() {
        let (index, _) = SmallCatalogue.index()
        var counts: [Int] = []
        index.titleCounts([0] + ["heart", "amsterdam", "not a catalogued title"].map { t in
            var c = t
            return c.withUTF8 { TermHash.wholeTitle($0) }
        }, into: &counts)
        #expect(counts == [0, 2, 1, 0])
    }

    /// A line's candidates get the same confidences alone and among other recordings whose candidates carry its
    /// title: the namesake count is the catalogue's, not the batch's.
    @Test func aLinesConfidencesDoNotDependOnItsBatch() throws {
        let (index, _) = SmallCatalogue.index()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let model = try ScoringModel.load(path: root.appendingPathComponent("models/default.json").path)
        var options = MatchOptions()
        options.threads = 1
        options.topN = 1  // the line's one candidate: its namesake comes into the batch only with the other line
        let pipeline = MatchPipeline(index: index, model: model, options: options)
        let line = UsageLine(lineId: "a", title: "Heart", artist: "Pet Shop Boys")
        let alone = try pipeline.run(lines: [line])
        let together = try pipeline.run(lines: [line, UsageLine(lineId: "b", title: "Heart", artist: "The Sugars")])
        let a = try #require(alone.results.first { $0.group.lineIds == ["a"] })
        let t = try #require(together.results.first { $0.group.lineIds == ["a"] })
        #expect(a.candidates.map(\.workId) == t.candidates.map(\.workId))
        #expect(a.candidates.map(\.confidence) == t.candidates.map(\.confidence))
    }
}

/// `MatchIndexBuilder.orderForLocality` and `build(profiles:order:)`: work ordinals in the order of the first normalized
/// title, independent of the profiles' order, every work in the index once with its own data.
@Suite struct LocalityOrderTests {
    @Test(arguments: [0, 1, 2, 7, 200])
    func ordersByTitleAndKeepsEveryWork(count: Int) throws {
        var rng = SeededGenerator(seed: UInt64(count) + 3)
        let words = ["heart", "yesterday", "a", "heart of glass", "zz", "", "éte", "東京"]
        let works = (0..<count).map { i in
            Work(id: "W\(rng.next() % 1000)-\(i)", titles: [WorkTitle(text: words[Int(rng.next() % UInt64(words.count))], kind: .original)],
                 performers: ["P\(i)"], recordings: [Recording(isrc: String(format: "FRZZZ24%05d", i))], duration: 100 + i)
        }
        let profiles = MatchIndexBuilder.profiles(of: works, threads: 2)
        let order = MatchIndexBuilder.orderForLocality(profiles)
        #expect(order.count == count && Set(order).count == count)
        for (a, b) in zip(order, order.dropFirst()) {
            // Byte order of the titles (all shorter than the 16 bytes compared), namesakes together.
            let ta = profiles[Int(a)].titles.first ?? "", tb = profiles[Int(b)].titles.first ?? ""
            #expect(ta == tb || ta.utf8.lexicographicallyPrecedes(tb.utf8), "\(ta) before \(tb)")
        }
        // The same works in another order: the same ordinals.
        let reversed = Array(profiles.reversed())
        #expect(MatchIndexBuilder.orderForLocality(reversed).map { reversed[Int($0)].workId } == order.map { profiles[Int($0)].workId })
        // An index built in this order holds each work's own data at its ordinal.
        let index = MatchIndexBuilder.build(profiles: profiles, order: order, stamp: "o", options: MatchIndexOptions(dim: 32))
        #expect(index.workCount == count)
        for w in 0..<count {
            let p = profiles[Int(order[w])]
            #expect(index.workId(w) == p.workId)
            let stored = index.profile(w)
            #expect(stored.titles == p.titles && stored.performers == p.performers)
            #expect(index.duration(ofWork: w) == p.duration)
            #expect(index.links(forISRC: p.isrcs[0]).map(\.work) == [w])
        }
    }
}

/// Retrieval ties are broken by a hash of the work id, not of the ordinal: adding a work that moves every ordinal
/// (it sorts first) leaves the order of tied namesakes as it was.
@Suite struct StableTieTests {
    static func ranking(extra: [Work]) -> [String] {
        let namesakes = (1...12).map { Work(id: "H\($0)", titles: [WorkTitle(text: "Heart", kind: .original)], performers: ["Band \($0)"]) }
        let others = [Work(id: "Y1", titles: [WorkTitle(text: "Yesterday", kind: .original)], performers: ["The Beatles"])]
        let profiles = MatchIndexBuilder.profiles(of: extra + namesakes + others, threads: 1)
        let index = MatchIndexBuilder.build(profiles: profiles, order: MatchIndexBuilder.orderForLocality(profiles, threads: 1), stamp: "t",
                                            options: MatchIndexOptions(dim: 32, threads: 1))
        let query = RetrievalQuery(ProfileBuilder().line(UsageLine(lineId: "1", title: "Heart")))
        return Retriever(index: index).retrieve(query).map { index.workId(Int($0.work)) }.filter { $0.hasPrefix("H") }
    }

    @Test func addingAWorkDoesNotReorderTies() {
        let before = Self.ranking(extra: [])
        #expect(before.count == 12)
        let extra = (1...5).map { Work(id: "A\($0)", titles: [WorkTitle(text: "Aaa \($0)", kind: .original)], performers: ["X"]) }
        #expect(Self.ranking(extra: extra) == before)
        #expect(Self.ranking(extra: Array(extra.prefix(2))) == before)
    }
}
