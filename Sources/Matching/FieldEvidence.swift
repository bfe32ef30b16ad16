import CBLAS
/// Schema 5 features: conflicts between performances (karaoke, instrumental, acoustic, demo, cover) that also
/// read the album, and their interactions with the duration and a title match that also counts titles equal
/// once values of other fields appended to them are cut.
///
/// Flattened exports and scraped catalogues append the cells of other columns to the title ("Remark Pop ,
/// Music $ 0.99 2011 Great Unknown , LLC", "Love Song Try This Pop …"): the title proper is then a prefix of
/// the title field, followed by the artist, the album, the genre, a price, a notice, a date. Two such
/// fields describe the same title when they share a leading run of words and what follows it on each side
/// is explained by another field (a name or album word of either record, a genre word), not by more title.
/// A karaoke, instrumental or acoustic recording is another performance than the original's, whatever the
/// labels of a training set say about live takes and remixes (often filed as the same song); an album
/// ("Taylor Swift Karaoke : 1989", "My Worlds Acoustic") names it as well as a title qualifier does.
enum FieldEvidence {
    /// FNV-1a of a word, as `TextSketch` hashes words.
    static func hash<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var h: UInt32 = 2_166_136_261
        for b in bytes { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    /// Words of store genre names (iTunes, Amazon, DSR genre columns), normalized as `Normalizer.fold` writes them.
    static let genreWords: [UInt32] = TextSketch.tokenSet([
        "pop", "music", "rock", "dance", "electronic", "electronica", "country", "rap", "hip", "hop", "hiphop", "r", "b", "rnb",
        "soul", "alternative", "jazz", "house", "indie", "folk", "metal", "blues", "reggae", "latin", "christian", "gospel",
        "soundtrack", "soundtracks", "singer", "songwriter", "dubstep", "techno", "trance", "funk", "punk", "world",
        "contemporary", "adult", "teen", "urban", "cowboy", "hard", "traditional", "honky", "tonk", "coast", "dirty", "south",
        "hardcore", "bop", "international", "kids", "children", "childrens", "new", "age", "ambient", "vocal", "easy",
        "listening", "comedy", "holiday", "christmas", "classical", "opera", "americana", "bluegrass", "disco", "grunge", "emo",
        "ska", "swing", "lounge", "chill", "trap", "drum", "bass", "breakbeat", "downtempo", "garage", "grime", "edm",
        "electro", "synth", "synthpop", "wave", "progressive", "psychedelic", "experimental", "industrial", "gangsta",
        "underground", "east", "west", "rhythm", "neo", "pop/rock", "big", "band", "jam", "bands", "oldies", "inspirational",
        "k", "j", "french", "german", "brazilian", "spanish", "italian", "african", "caribbean", "celtic", "flamenco", "salsa",
        "tropical", "regional", "mexicano", "mexican", "urbano", "tejano", "bachata", "merengue", "cumbia", "reggaeton",
        "afrobeat", "afrobeats", "fusion", "smooth", "instrumental", "score", "film", "tv", "musicals", "showtunes",
    ])

    /// Tags that mean another performance than the original recording's. Not medley: a " / " in text that landed in
    /// the title (genres: "R&B / Soul") reads as one.
    static let performanceTags = VersionTag.karaoke | VersionTag.instrumental | VersionTag.acoustic | VersionTag.demo | VersionTag.cover

    /// Version tags named by album words ("… : Live", "… Karaoke …", "(Remixes) - EP", "Acoustic Sessions").
    static let albumTagWords: [(UInt32, UInt32)] = [
        ("karaoke", VersionTag.karaoke), ("instrumental", VersionTag.instrumental), ("instrumentals", VersionTag.instrumental),
        ("live", VersionTag.live), ("remix", VersionTag.remix), ("remixes", VersionTag.remix), ("remixed", VersionTag.remix),
        ("acoustic", VersionTag.acoustic), ("demo", VersionTag.demo), ("demos", VersionTag.demo),
    ].map { (hash($0.0.utf8), $0.1) }

    /// Version tags named by the words of album titles.
    static func albumTags(_ albums: [String]) -> UInt32 {
        var mask: UInt32 = 0
        for album in albums {
            for w in album.split(separator: " ") {
                let h = hash(w.utf8)
                for (word, tag) in albumTagWords where word == h { mask |= tag }
            }
        }
        return mask
    }

    /// Sorted unique hashes of the all-digit words of `texts` ("2", "29", "1989").
    static func digitWords(_ texts: [String]) -> [UInt32] {
        var out: [UInt32] = []
        for t in texts where t.utf8.contains(where: { $0 >= 48 && $0 <= 57 }) {
            for w in t.split(separator: " ") where w.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { out.append(hash(w.utf8)) }
        }
        TextSketch.sortUnique(&out)
        return out
    }

    /// `genreWords` in place for the packed feature path (allocated once, never freed; read-only).
    nonisolated(unsafe) static let genreBuffer: UnsafeBufferPointer<UInt32> = {
        let p = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: genreWords.count)
        _ = p.initialize(from: genreWords)
        return UnsafeBufferPointer(p)
    }()

    /// Whether sorted `sorted` holds `x` (`oeuvre_sorted_u32_contains`: branch-free halving; these are hash values, so a
    /// branch on which half holds `x` mispredicts half the time). The pair features test a title's words this way several
    /// times per candidate (`cleanPrefixLength`: the record's field words, the other record's, ≈ 150 genre words).
    @inline(__always)
    static func contains(_ sorted: UnsafeBufferPointer<UInt32>, _ x: UInt32) -> Bool {
        guard let p = sorted.baseAddress else { return false }
        return oeuvre_sorted_u32_contains(p, sorted.count, x) != 0
    }

    /// Whether two title word sequences name the same title once appended field values are cut: they share
    /// a leading run of at least one word, and on each side what follows is empty or starts with a word of
    /// another field (`fields`: names and album words of both records) or a genre word, followed by such a
    /// word or a number ("Remark Pop Music 0 99" / "Remark Rachel Platten"; not "We Will" / "We Will Rock You",
    /// not "Sweet Spot 2 0" / "Sweet Spot").
    static func sameTitleBeforeFields(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>,
                                      lineFields: UnsafeBufferPointer<UInt32>, workFields: UnsafeBufferPointer<UInt32>,
                                      lineDigits: UnsafeBufferPointer<UInt32>, workDigits: UnsafeBufferPointer<UInt32>) -> Bool {
        let common = Similarity.commonPrefixWords(a, b)
        guard common > 0 else { return false }
        let genres = genreBuffer
        @inline(__always) func field(_ w: UInt32) -> Bool {
            contains(lineFields, w) || contains(workFields, w) || contains(genres, w)
        }
        @inline(__always) func explained(_ words: UnsafeBufferPointer<UInt32>) -> Bool {
            guard words.count > common else { return true }
            guard field(words[common]) else { return false }
            guard words.count > common + 1 else { return true }
            let next = words[common + 1]
            return field(next) || contains(lineDigits, next) || contains(workDigits, next)
        }
        return explained(a) && explained(b)
    }

    /// Words kept of a title field once values of other fields appended to it are cut: the words before the first
    /// position p ≥ 1 where a word of another field (names and album words of either record) or a genre word starts,
    /// followed by the end or by another such word ("the whisperer david guetta dance music …" → 2 words). A number
    /// never starts a cut ("sweet spot 2 0" stays whole). The same rule on both sides of a pair, so equal titles stay
    /// equal; a title ending in a name of the record is cut on its own ("bad company" by Bad Company / "bad company
    /// live": 1/3). Not cutting inside the words both titles start with was tried: it keeps an artist appended to both
    /// titles ("turn around 5 4 3 2 1 flo rida …") and cross-validated log-loss on iTunes-Amazon dirty was worse.
    @inline(__always)
    static func cleanPrefixLength(_ words: UnsafeBufferPointer<UInt32>, lineFields: UnsafeBufferPointer<UInt32>,
                                  workFields: UnsafeBufferPointer<UInt32>) -> Int {
        let genres = genreBuffer
        @inline(__always) func field(_ w: UInt32) -> Bool {
            contains(lineFields, w) || contains(workFields, w) || contains(genres, w)
        }
        var p = 1
        while p < words.count {
            if field(words[p]) && (p + 1 == words.count || field(words[p + 1])) { return p }
            p += 1
        }
        return words.count
    }

    /// Jaccard of the distinct words of `a[0..<na]` and `b[0..<nb]` (0 when both are empty).
    @inline(__always)
    static func prefixJaccard(_ a: UnsafeBufferPointer<UInt32>, _ na: Int, _ b: UnsafeBufferPointer<UInt32>, _ nb: Int) -> Float {
        var distinctA = 0, distinctB = 0, common = 0
        for i in 0..<na {
            var seen = false
            for k in 0..<i where a[k] == a[i] { seen = true; break }
            if seen { continue }
            distinctA += 1
            for k in 0..<nb where b[k] == a[i] { common += 1; break }
        }
        for j in 0..<nb {
            var seen = false
            for k in 0..<j where b[k] == b[j] { seen = true; break }
            if !seen { distinctB += 1 }
        }
        let union = distinctA + distinctB - common
        return union > 0 ? Float(common) / Float(union) : 0
    }

    /// Fills the schema 5 features of one pair. Reads the schema 1–4 values already in `row`. (A `title_clean_exact`
    /// feature of its own was tried: held-out log-loss on iTunes-Amazon was the same with or without it, so the
    /// clean match only enters the interactions.)
    @inline(__always)
    static func compute(line: PackedLine, work: PackedWork, into row: UnsafeMutablePointer<Float>) {
        var clean = row[Feature.titleExact.rawValue] == 1
        let words = line.title.words
        let lineFields = line.fieldTokens, workFields = work.fieldTokens
        if !clean {
            let lineDigits = line.digitWords, workDigits = work.digitWords
            for t in work.titles
            where sameTitleBeforeFields(words, t.words, lineFields: lineFields, workFields: workFields, lineDigits: lineDigits,
                                        workDigits: workDigits) {
                clean = true
                break
            }
        }
        // Another performance on one side only, from the title and album tags of each side. Live takes and remixes
        // are left to the schema 1 features: catalogues often file them under the same song.
        let diff = line.recordTagMask ^ work.recordTagMask
        let conflict = diff & performanceTags != 0
        // Schema 8: word Jaccard of the titles with appended field values cut on both sides (best over the work's
        // titles; 1 for a clean title match), when both are the same kind of performance. Schema 9: each title is also cut
        // before a bracketed part that more text follows (`leadWords`: the first title of a work), whatever field that text
        // came from. The field-word cut alone misses values that no field of either record names: "The Whisperer (feat. Sia)
        // David Guetta Dance , Music …" / "Bang my Head (feat. Sia) David Guetta Listen …" with the artist only inside both
        // titles gave 2/7 (the shared "david guetta"), now 0.
        var cleanJaccard: Float = clean ? 1 : 0
        if !clean && !conflict {
            var nl = cleanPrefixLength(words, lineFields: lineFields, workFields: workFields)
            if line.leadWords > 0 { nl = min(nl, line.leadWords) }
            var first = true
            for t in work.titles {
                var nw = cleanPrefixLength(t.words, lineFields: lineFields, workFields: workFields)
                if first && work.leadWords > 0 { nw = min(nw, work.leadWords) }
                first = false
                cleanJaccard = max(cleanJaccard, prefixJaccard(words, nl, t.words, nw))
            }
        }
        row[Feature.titleCleanSamePerformance.rawValue] = conflict ? 0 : cleanJaccard
        row[Feature.performanceConflict.rawValue] = conflict ? 1 : 0
        let titleMatch = clean ? 1 : row[Feature.titleNgramCosine.rawValue]
        row[Feature.titlePerformanceConflict.rawValue] = conflict ? titleMatch : 0
        let durationAgreement = titleMatch * row[Feature.durationSimilarity.rawValue]
        row[Feature.titleCleanDurationAgreement.rawValue] = durationAgreement
        // Karaoke, sound-alike and cover recordings copy the original's length: a matching duration is no evidence
        // of the same recording when the performances differ.
        row[Feature.performanceDurationAgreement.rawValue] = conflict ? durationAgreement : 0
    }
}
