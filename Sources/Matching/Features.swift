/// Pair features: what the scorer knows about one (usage line, candidate work) pair.
import Foundation
import OeuvreCore
///
/// One ordered, named schema (`FeatureSchema.current`); a model file stores the names it was trained
/// on and loading refuses a model whose names differ. Every feature is a Float, mostly in [0, 1];
/// a comparison that cannot be made (a field missing on either side) gives 0 and sets its
/// `*_missing` indicator, so the model learns what absence means instead of treating it as a mismatch.

/// The features, in schema order. Add new ones at the end and bump `FeatureSchema.current.version`.
public enum Feature: Int, CaseIterable, Sendable {
    // Titles (normalized core titles; best over all the work's titles).
    case titleNgramCosine, titleTokenJaccard, titleTokenOverlap, titleEditSimilarity, titleExact
    // The whole display title agrees: exact core title and the same version words (none on both sides included).
    case titleFullExact
    // Leading words shared (titles with trailing extra text: "Title Artist Album …", truncations).
    case titlePrefixRatio, titlePrefixWords
    // Medley: best match of a medley part of the line against the work's titles.
    case medleyPartMatch
    // Versions.
    case versionWordsJaccard, versionWordsNone, versionWordsSame, versionTagsAgree, karaokeConflict, instrumentalConflict, liveConflict, remixConflict, remixerConflict, otherVersionConflict
    // People.
    case artistPerformerSimilarity, artistPerformerTokenOverlap, artistWriterSimilarity, featuredOverlap, originalArtistSimilarity
    case writerSimilarity, writerIPIMatch
    // Duration and album.
    case durationClose, durationFar, durationLogDifference, durationFromText, albumSimilarity, albumInOtherRecord
    // Identifiers.
    case iswcEqual, iswcConflict, isrcLinkedHere, isrcLinkedElsewhere
    // Whole record (robust to values in the wrong field).
    case recordTokenJaccard, workTitleInLineRecord, lineTitleInWorkRecord, artistInWorkRecord, performerInLineRecord
    // Missing fields.
    case lineArtistMissing, workPerformersMissing, durationMissing, albumMissing, lineWritersMissing, workWritersMissing, iswcMissing
    // Candidate context (filled by the matcher; derived from the pairs of the same line in pairs mode).
    case retrievalScore, retrievalRankInverse, retrievalGap, titleSharedWorks
    // Schema 2. Graded duration agreement and its interactions with the title: a linear model cannot express
    // "same title AND same length" (the same recording) versus "same title, other length" (another version).
    case durationSimilarity, titleDurationAgreement, titleDurationFar
    // Any version conflict (pooled: each single conflict is rare in small training sets), and with the title.
    case versionConflict, titleVersionConflict
    // Release dates (report release date vs the work's recordings' release dates).
    case releaseDateEqual, releaseDateDifference, releaseYearEqual, releaseDateMissing
    // Not the same core title, but another reading of one side is exactly a title of the other: a
    // bracket part removed or alone ("Beautiful Boy" / "Beautiful Boy (Darling Boy)", "He's My Guy" /
    // "(Nobody Knows Better Than I) He's My Guy"), a medley part, number words in digits.
    case titleVariantExact
    // Schema 4. How much a title says on its own. Short generic titles ("If", "Home", "Rain", "Good Times")
    // are shared by many different songs — most of them absent from any one catalogue — so an exact short
    // title is weaker evidence of the same work than an exact long one. Specificity = the line's core title
    // length in letters and digits (a non-Latin character counts 2), over 24, capped at 1.
    case titleSpecificity, titleExactSpecificity
    // Schema 5 (FieldEvidence.swift): another performance (karaoke, instrumental, acoustic, demo, cover; title or
    // album) on one side only; interactions with a title match that also counts titles equal once values of other
    // fields appended to them are cut, and with the duration.
    case performanceConflict, titlePerformanceConflict, titleCleanDurationAgreement, performanceDurationAgreement
    // Schema 7. One core title (two words or more) is a contiguous run of the other's words: a title cell
    // that packs a performer or other words around the title without a separator ("Bobby Vinton Misty Blue",
    // "DUKE PEARSON angel eyes"), or a longer catalogued title around the reported one.
    case titleWordRunContained
    // Schema 8 (FieldEvidence.swift): word Jaccard of the two titles once values of other fields appended to them are
    // cut (1 for a clean title match), when neither side is another performance (karaoke, instrumental, acoustic, demo,
    // cover) than the other: "the same title, the same kind of recording". Schema 9: a title is also cut before a
    // bracketed part that more text follows (`LineProfile.leadWords`).
    case titleCleanSamePerformance

    /// The feature's name in model files (snake case).
    public var name: String {
        switch self {
        case .titleNgramCosine: "title_ngram_cosine"
        case .titleTokenJaccard: "title_token_jaccard"
        case .titleTokenOverlap: "title_token_overlap"
        case .titleEditSimilarity: "title_edit_similarity"
        case .titleExact: "title_exact"
        case .titleFullExact: "title_full_exact"
        case .titlePrefixRatio: "title_prefix_ratio"
        case .titlePrefixWords: "title_prefix_words"
        case .medleyPartMatch: "medley_part_match"
        case .versionWordsJaccard: "version_words_jaccard"
        case .versionWordsNone: "version_words_none"
        case .versionWordsSame: "version_words_same"
        case .versionTagsAgree: "version_tags_agree"
        case .karaokeConflict: "karaoke_conflict"
        case .instrumentalConflict: "instrumental_conflict"
        case .liveConflict: "live_conflict"
        case .remixConflict: "remix_conflict"
        case .remixerConflict: "remixer_conflict"
        case .otherVersionConflict: "other_version_conflict"
        case .artistPerformerSimilarity: "artist_performer_similarity"
        case .artistPerformerTokenOverlap: "artist_performer_token_overlap"
        case .artistWriterSimilarity: "artist_writer_similarity"
        case .featuredOverlap: "featured_overlap"
        case .originalArtistSimilarity: "original_artist_similarity"
        case .writerSimilarity: "writer_similarity"
        case .writerIPIMatch: "writer_ipi_match"
        case .durationClose: "duration_close"
        case .durationFar: "duration_far"
        case .durationLogDifference: "duration_log_difference"
        case .durationFromText: "duration_from_text"
        case .albumSimilarity: "album_similarity"
        case .albumInOtherRecord: "album_in_other_record"
        case .iswcEqual: "iswc_equal"
        case .iswcConflict: "iswc_conflict"
        case .isrcLinkedHere: "isrc_linked_here"
        case .isrcLinkedElsewhere: "isrc_linked_elsewhere"
        case .recordTokenJaccard: "record_token_jaccard"
        case .workTitleInLineRecord: "work_title_in_line_record"
        case .lineTitleInWorkRecord: "line_title_in_work_record"
        case .artistInWorkRecord: "artist_in_work_record"
        case .performerInLineRecord: "performer_in_line_record"
        case .lineArtistMissing: "line_artist_missing"
        case .workPerformersMissing: "work_performers_missing"
        case .durationMissing: "duration_missing"
        case .albumMissing: "album_missing"
        case .lineWritersMissing: "line_writers_missing"
        case .workWritersMissing: "work_writers_missing"
        case .iswcMissing: "iswc_missing"
        case .retrievalScore: "retrieval_score"
        case .retrievalRankInverse: "retrieval_rank_inverse"
        case .retrievalGap: "retrieval_gap"
        case .titleSharedWorks: "title_shared_works"
        case .durationSimilarity: "duration_similarity"
        case .titleDurationAgreement: "title_duration_agreement"
        case .titleDurationFar: "title_duration_far"
        case .versionConflict: "version_conflict"
        case .titleVersionConflict: "title_version_conflict"
        case .releaseDateEqual: "release_date_equal"
        case .releaseDateDifference: "release_date_difference"
        case .releaseYearEqual: "release_year_equal"
        case .releaseDateMissing: "release_date_missing"
        case .titleVariantExact: "title_variant_exact"
        case .titleSpecificity: "title_specificity"
        case .titleExactSpecificity: "title_exact_specificity"
        case .performanceConflict: "performance_conflict"
        case .titlePerformanceConflict: "title_performance_conflict"
        case .titleCleanDurationAgreement: "title_clean_duration_agreement"
        case .performanceDurationAgreement: "performance_duration_agreement"
        case .titleWordRunContained: "title_word_run_contained"
        case .titleCleanSamePerformance: "title_clean_same_performance"
        }
    }
}

/// The ordered feature names a model is trained on, with a version.
public struct FeatureSchema: Sendable, Hashable {
    public let version: Int
    public let names: [String]

    public init(version: Int, names: [String]) {
        self.version = version
        self.names = names
    }

    /// The schema the code computes.
    public static let current = FeatureSchema(version: 9, names: Feature.allCases.map(\.name))

    public var count: Int { names.count }

    public func index(of name: String) -> Int? { names.firstIndex(of: name) }
}

/// What retrieval knows about a candidate beyond the two profiles. The matcher fills it at match time;
/// in pairs mode it is derived from the pairs of the same line (see `PairSetBuilder`).
public struct CandidateContext: Sendable, Hashable {
    /// Retrieval similarity of this candidate (dense n-gram cosine in the matcher), in [0, 1].
    public var retrievalScore: Float
    /// 1-based rank among the line's candidates.
    public var rank: Int
    /// This candidate's retrieval score minus the next candidate's (its score when it is the last).
    public var gapToNext: Float
    /// How many catalogue works carry the title this candidate matched (≥ 1).
    public var worksSharingTitle: Int
    /// The line's ISRC is linked to this work.
    public var isrcLinkedHere: Bool
    /// The line's ISRC is linked to another work (and not to this one).
    public var isrcLinkedElsewhere: Bool

    public init(retrievalScore: Float = 0, rank: Int = 1, gapToNext: Float = 0, worksSharingTitle: Int = 1,
                isrcLinkedHere: Bool = false, isrcLinkedElsewhere: Bool = false) {
        self.retrievalScore = retrievalScore
        self.rank = rank
        self.gapToNext = gapToNext
        self.worksSharingTitle = worksSharingTitle
        self.isrcLinkedHere = isrcLinkedHere
        self.isrcLinkedElsewhere = isrcLinkedElsewhere
    }
}

/// Version tags that tell recordings of a work apart, as bits.
enum VersionTag {
    static let karaoke: UInt32 = 1 << 0
    static let instrumental: UInt32 = 1 << 1
    static let live: UInt32 = 1 << 2
    static let remix: UInt32 = 1 << 3
    static let acoustic: UInt32 = 1 << 4
    static let demo: UInt32 = 1 << 5
    static let cover: UInt32 = 1 << 6
    static let medley: UInt32 = 1 << 7
    static let other: UInt32 = acoustic | demo | cover | medley

    static func mask(_ tags: [String]) -> UInt32 {
        var m: UInt32 = 0
        for t in tags {
            switch t {
            case "karaoke": m |= karaoke
            case "instrumental": m |= instrumental
            case "live": m |= live
            case "remix": m |= remix
            case "acoustic": m |= acoustic
            case "demo": m |= demo
            case "cover": m |= cover
            case "medley": m |= medley
            default: break
            }
        }
        return m
    }
}

/// Comparison data of a `LineProfile` (derived, kept in sync by the profile).
public struct LineSketch: Sendable, Hashable {
    public var title = TextSketch("")
    /// `LineProfile.titleReading`, when there is one.
    public var titleReading: TextSketch?
    public var medleyParts: [TextSketch] = []
    public var artists: [TextSketch] = []
    public var featured: [TextSketch] = []
    public var writers: [TextSketch] = []
    public var originalArtists: [TextSketch] = []
    public var remixers: [TextSketch] = []
    public var album: TextSketch?
    public var versionWords: [UInt32] = []
    /// Words of all artist names, without the name function words (`TextSketch.nameFunctionWords`).
    public var artistTokens: [UInt32] = []
    /// Words of the whole line: title, version words, artists, album.
    public var record: [UInt32] = []
    public var tagMask: UInt32 = 0
    /// Words of the line's other fields (artists, featured, writers, album), for the clean title match (FieldEvidence).
    public var fieldTokens: [UInt32] = []
    /// All-digit words of the title.
    public var digitWords: [UInt32] = []
    /// Version tags of the title and the album.
    public var recordTagMask: UInt32 = 0

    init() {}

    init(_ p: LineProfile) {
        title = TextSketch(p.title)
        titleReading = p.titleReading.map(TextSketch.init)
        medleyParts = p.medleyParts.map(TextSketch.init)
        artists = p.artists.map(TextSketch.init)
        featured = p.featured.map(TextSketch.init)
        writers = p.writers.map(TextSketch.init)
        originalArtists = p.originalArtists.map(TextSketch.init)
        remixers = p.remixers.map(TextSketch.init)
        album = p.album.map(TextSketch.init)
        versionWords = TextSketch.tokenSet(p.versionWords)
        artistTokens = TextSketch.nameTokens(TextSketch.tokenSet(p.artists))
        record = TextSketch.tokenSet([p.title] + p.versionWords + p.artists + (p.album.map { [$0] } ?? []))
        tagMask = VersionTag.mask(p.tags)
        fieldTokens = TextSketch.tokenSet(p.artists + p.featured + p.writers + (p.album.map { [$0] } ?? []))
        digitWords = FieldEvidence.digitWords([p.title])
        recordTagMask = tagMask | FieldEvidence.albumTags(p.album.map { [$0] } ?? [])
    }
}

/// Comparison data of a `WorkProfile` (derived, kept in sync by the profile, never encoded).
public struct WorkSketch: Sendable, Hashable {
    public var titles: [TextSketch] = []
    public var performers: [TextSketch] = []
    public var featured: [TextSketch] = []
    public var writers: [TextSketch] = []
    public var albums: [TextSketch] = []
    public var remixers: [TextSketch] = []
    public var versionWords: [UInt32] = []
    /// Words of all performer and featured names, without the name function words.
    public var performerTokens: [UInt32] = []
    /// Words of the whole work: titles, version words, performers, featured artists, albums.
    public var record: [UInt32] = []
    public var tagMask: UInt32 = 0
    /// Words of the work's other fields (performers, featured, writers, albums), for the clean title match (FieldEvidence).
    public var fieldTokens: [UInt32] = []
    /// All-digit words of the titles.
    public var digitWords: [UInt32] = []
    /// Version tags of the original title and the albums.
    public var recordTagMask: UInt32 = 0

    init() {}

    init(_ p: WorkProfile) {
        titles = p.titles.map(TextSketch.init)
        performers = p.performers.map(TextSketch.init)
        featured = p.featured.map(TextSketch.init)
        writers = p.writers.map(TextSketch.init)
        albums = p.albums.map(TextSketch.init)
        remixers = p.remixers.map(TextSketch.init)
        versionWords = TextSketch.tokenSet(p.versionWords)
        // From the sketches just built (same sets as `TextSketch.tokenSet` over the texts, without
        // sketching every text a second time).
        var people: [UInt32] = []
        for s in performers { people.append(contentsOf: s.tokens) }
        for s in featured { people.append(contentsOf: s.tokens) }
        var all = people
        TextSketch.sortUnique(&people)
        performerTokens = TextSketch.nameTokens(people)
        for s in titles.dropLast(p.titleReadings) { all.append(contentsOf: s.tokens) }
        all.append(contentsOf: versionWords)
        for s in albums { all.append(contentsOf: s.tokens) }
        TextSketch.sortUnique(&all)
        record = all
        tagMask = VersionTag.mask(p.titleTags)
        var fields = people
        for s in writers { fields.append(contentsOf: s.tokens) }
        for s in albums { fields.append(contentsOf: s.tokens) }
        TextSketch.sortUnique(&fields)
        fieldTokens = fields
        digitWords = FieldEvidence.digitWords(p.titles)
        recordTagMask = tagMask | FieldEvidence.albumTags(p.albums)
    }
}

/// Computes pair features into caller-provided Float rows (row-major, `FeatureSchema.current.count`
/// columns). Holds only a scratch buffer: one per task, no allocation per pair once warm.
public struct PairFeatureExtractor: Sendable {
    public static let schema = FeatureSchema.current
    public static var count: Int { schema.count }

    /// Scale (seconds) of `duration_similarity` = exp(-|Δ| / scale).
    public static let durationScale: Float = 8

    /// Two names whose trigram cosine reaches this are taken as the same person.
    public static let sameNameCosine: Float = 0.8

    private var scratch = Similarity.EditScratch()
    /// The current line's sets, for the intersections with each candidate's (`LineProbe`).
    private var probe = LineProbe()
    /// Records of the profiles given as values, packed for the one feature implementation.
    private var packing = PackedWriter()

    public init() {}

    /// Features of one pair into `row[0..<count]`.
    public mutating func compute(line: LineProfile, work: WorkProfile, context: CandidateContext, into row: UnsafeMutablePointer<Float>) {
        withUnsafePointer(to: line) { l in
            withUnsafePointer(to: work) { w in compute(line: l, work: w, context: context, into: row) }
        }
    }

    /// Features of one pair, reading the profiles in place (packed into the extractor's scratch first).
    public mutating func compute(line: UnsafePointer<LineProfile>, work: UnsafePointer<WorkProfile>, context: CandidateContext,
                                 into row: UnsafeMutablePointer<Float>) {
        packing.out.removeAll(keepingCapacity: true)
        probe.line = 0  // the packing buffer holds another line at the same address next time
        PackedLine.encode(line.pointee, into: &packing)
        let workStart = packing.out.count
        PackedWork.encode(work.pointee, into: &packing)
        let buffer = packing.out
        _ = buffer.withUnsafeBufferPointer { b in
            compute(line: PackedLine(b.baseAddress!), work: PackedWork(b.baseAddress! + workStart), context: context, into: row)
        }
    }

    /// Features of one pair from packed records (`PackedRecords.swift`): the one implementation of the
    /// features. Reads the records in place; no allocation.
    @discardableResult
    mutating func compute(line l: PackedLine, work w: PackedWork, context: CandidateContext, into row: UnsafeMutablePointer<Float>)
        -> (titleSimilarity: Float, bestTitle: Int)
    {
        let n = Self.count
        row.initialize(repeating: 0, count: n)
        // Callers give the pairs of a line one after the other, each line at its own address.
        if probe.line != UInt(bitPattern: l.base) { probe.build(l) }
        @inline(__always) func set(_ f: Feature, _ v: Float) { row[f.rawValue] = v }
        @inline(__always) func flag(_ f: Feature, _ b: Bool) { row[f.rawValue] = b ? 1 : 0 }

        // Titles.
        let lt = l.title
        let lineRecord = l.record
        var inLineRecord: Float = 0
        var best = TitlesBest()
        let workTitles = w.titles
        let reading = l.titleReading
        // Best title by trigram cosine (first of equals), as `bestTitle(line:work:)` finds it.
        var bestCosine: Float = -1
        var bestTitle = -1
        var titleIndex = 0
        for t in workTitles {
            // A title in Han characters alone has a second reading (`LineProfile.titleReading`): each work title is
            // compared with both, the better counts.
            let grams = probe.counts(t.grams, first: LineProbe.Bit.titleGrams, k: 2)
            let words = probe.counts(t.tokens, first: LineProbe.Bit.record, k: Int(LineProbe.recordSets))
            var c = best.add(lt, t, sharedGrams: Int(grams[0]), sharedTokens: Int(words[3]), scratch: &scratch)
            for r in reading { c = max(c, best.add(r, t, sharedGrams: Int(grams[1]), sharedTokens: Int(words[4]), scratch: &scratch)) }
            if c > bestCosine { bestCosine = c; bestTitle = titleIndex }
            titleIndex += 1
            inLineRecord = max(inLineRecord, Similarity.containment(shared: Int(words[0]), t.tokens.count))
        }
        let (cos, jac, ovl, edit, exact) = (best.cos, best.jac, best.ovl, best.edit, best.exact)
        let (prefixRatio, prefixWords, wordRun) = (best.prefixRatio, best.prefixWords, best.wordRun)
        var variant = false
        flag(.titleWordRunContained, wordRun && !exact)
        if !exact {
            variant = Self.variantExact(line: l, work: w)
            flag(.titleVariantExact, variant)
        }
        set(.titleNgramCosine, cos)
        set(.titleTokenJaccard, jac)
        set(.titleTokenOverlap, ovl)
        set(.titleEditSimilarity, edit)
        flag(.titleExact, exact)
        let specificity = l.titleSpecificity
        set(.titleSpecificity, specificity)
        set(.titleExactSpecificity, exact ? specificity : 0)
        set(.titlePrefixRatio, prefixRatio)
        set(.titlePrefixWords, Float(min(prefixWords, 4)) / 4)

        if !l.medleyParts.isEmpty {
            var best: Float = 0
            for p in l.medleyParts {
                for t in workTitles { best = max(best, Similarity.cosine(p.grams, t.grams)) }
            }
            set(.medleyPartMatch, best)
        }

        // Versions.
        let lineVersion = l.versionWords, workVersion = w.versionWords
        let sameVersion = lineVersion.elementsEqual(workVersion)
        if lineVersion.isEmpty && workVersion.isEmpty {
            set(.versionWordsNone, 1)
        } else {
            set(.versionWordsJaccard, Similarity.jaccard(lineVersion, workVersion))
        }
        flag(.versionWordsSame, sameVersion)
        flag(.titleFullExact, exact && sameVersion)
        let lm = l.tagMask, wm = w.tagMask, diff = lm ^ wm
        flag(.versionTagsAgree, lm != 0 && lm == wm)
        flag(.karaokeConflict, diff & VersionTag.karaoke != 0)
        flag(.instrumentalConflict, diff & VersionTag.instrumental != 0)
        flag(.liveConflict, diff & VersionTag.live != 0)
        flag(.remixConflict, diff & VersionTag.remix != 0)
        flag(.otherVersionConflict, diff & VersionTag.other != 0)
        // Both are remixes, both name a remixer, and no remixer name matches: two different remixes.
        var remixers = false
        if lm & wm & VersionTag.remix != 0 && !l.remixers.isEmpty && !w.remixers.isEmpty {
            remixers = Similarity.bestCosine(l.remixers, w.remixers) < 0.5
            flag(.remixerConflict, remixers)
        }
        // Title similarity for the interactions: the best trigram cosine, 1 for an exact core title.
        let titleMatch = exact ? 1 : cos
        let conflict = remixers || diff & (VersionTag.karaoke | VersionTag.instrumental | VersionTag.live | VersionTag.remix | VersionTag.other) != 0
        flag(.versionConflict, conflict)
        set(.titleVersionConflict, conflict ? titleMatch : 0)

        // People.
        let lineArtists = l.artists, performers = w.performers, workWriters = w.writers
        let lineFeatured = l.featured, workFeatured = w.featured, lineWriters = l.writers
        let probed = probe.artists == lineArtists.count && probe.artists > 0
        set(.artistPerformerSimilarity, probed ? probe.bestArtistCosine(performers) : Similarity.bestCosine(lineArtists, performers))
        let performerTokens = w.performerTokens
        let performerWords = probe.counts(performerTokens, first: LineProbe.Bit.record, k: 2)  // line record, artist words
        set(.artistPerformerTokenOverlap, Similarity.overlap(shared: Int(performerWords[1]), l.artistTokens.count, performerTokens.count))
        set(.artistWriterSimilarity, probed ? probe.bestArtistCosine(workWriters) : Similarity.bestCosine(lineArtists, workWriters))
        if !lineFeatured.isEmpty || !workFeatured.isEmpty {
            var matched = 0
            for f in lineFeatured where Self.named(f, in: workFeatured) || Self.named(f, in: performers) { matched += 1 }
            for f in workFeatured where Self.named(f, in: lineArtists) { matched += 1 }
            set(.featuredOverlap, Float(matched) / Float(lineFeatured.count + workFeatured.count))
        }
        set(.originalArtistSimilarity, Similarity.bestCosine(l.originalArtists, performers))
        if !lineWriters.isEmpty && !workWriters.isEmpty {
            var sum: Float = 0
            for a in lineWriters {
                var best: Float = 0
                for b in workWriters { best = max(best, Similarity.cosine(a.grams, b.grams)) }
                sum += best
            }
            set(.writerSimilarity, sum / Float(lineWriters.count))
        }
        let lineIPIs = l.writerIPIs, workIPIs = w.writerIPIs
        if !lineIPIs.isEmpty && !workIPIs.isEmpty {
            var any = false
            for i in lineIPIs where workIPIs.contains(i) { any = true; break }
            flag(.writerIPIMatch, any)
        }

        // Duration and album.
        // A duration field wins; a single m:ss found in the text stands in for a missing one.
        let lineText = l.textDurations, workText = w.textDurations
        let lineDuration = l.duration ?? (lineText.count == 1 ? Int(Int32(bitPattern: lineText[0])) : nil)
        let workDuration = w.duration ?? (workText.count == 1 ? Int(Int32(bitPattern: workText[0])) : nil)
        if let a = lineDuration, let b = workDuration, a > 0, b > 0 {
            let d = Float(abs(a - b))
            flag(.durationClose, d <= 3)
            flag(.durationFar, d > 20)
            set(.durationLogDifference, min(1, log1pf(d) / log1pf(600)))
            flag(.durationFromText, l.duration == nil || w.duration == nil)
            // exp(-|Δ|/8 s): 0.88 at 1 s, 0.69 at 3 s, 0.29 at 10 s, 0.08 at 20 s.
            let similarity = expf(-d / Self.durationScale)
            set(.durationSimilarity, similarity)
            set(.titleDurationAgreement, titleMatch * similarity)
            set(.titleDurationFar, d > 20 ? titleMatch : 0)
        } else {
            set(.durationMissing, 1)
        }
        let lineAlbums = l.album, workAlbums = w.albums
        let workRecord = w.record
        // The work's record words against the line's record, artist, album, title and reading words, in one pass.
        let recordWords = probe.counts(workRecord, first: LineProbe.Bit.record, k: Int(LineProbe.recordSets))
        if !lineAlbums.isEmpty, !workAlbums.isEmpty {
            let album = lineAlbums.first
            var best: Float = 0
            for a in workAlbums {
                best = max(best, Similarity.cosine(shared: probe.count(a.grams, bit: LineProbe.Bit.albumGrams), album.grams.count, a.grams.count))
            }
            set(.albumSimilarity, best)
        } else {
            set(.albumMissing, 1)
        }
        var albumInRecord: Float = 0
        if !lineAlbums.isEmpty { albumInRecord = Similarity.containment(shared: Int(recordWords[2]), lineAlbums.first.tokens.count) }
        for a in workAlbums {
            albumInRecord = max(albumInRecord, Similarity.containment(shared: probe.count(a.tokens, bit: LineProbe.Bit.record), a.tokens.count))
        }
        set(.albumInOtherRecord, albumInRecord)

        // Release dates: full dates compared by day, else by year.
        let lineDates = l.releaseDates, workDates = w.releaseDates
        if lineDates.isEmpty || workDates.isEmpty {
            set(.releaseDateMissing, 1)
        } else {
            var closest = Int.max
            var sameYear = false
            for i in stride(from: 0, to: lineDates.count, by: 2) {
                for j in stride(from: 0, to: workDates.count, by: 2) {
                    if lineDates[i] == workDates[j] { sameYear = true }
                    let x = Int32(bitPattern: lineDates[i + 1]), y = Int32(bitPattern: workDates[j + 1])
                    if x != PackedLayout.noDay && y != PackedLayout.noDay { closest = min(closest, abs(Int(x) - Int(y))) }
                }
            }
            flag(.releaseYearEqual, sameYear)
            if closest != Int.max {
                flag(.releaseDateEqual, closest == 0)
                set(.releaseDateDifference, min(1, log1pf(Float(closest)) / log1pf(3650)))
            } else {
                set(.releaseDateDifference, sameYear ? 0 : 1)
            }
        }

        // Identifiers.
        if let a = l.iswc, let b = w.iswc {
            let equal = packedTextEqual(a, b)
            flag(.iswcEqual, equal)
            flag(.iswcConflict, !equal)
        } else {
            set(.iswcMissing, 1)
        }
        var linkedHere = context.isrcLinkedHere
        if !linkedHere, let isrc = l.isrc, w.isrcs.contains(isrc) { linkedHere = true }
        flag(.isrcLinkedHere, linkedHere)
        flag(.isrcLinkedElsewhere, context.isrcLinkedElsewhere && !linkedHere)

        // Whole record.
        set(.recordTokenJaccard, Similarity.jaccard(shared: Int(recordWords[0]), lineRecord.count, workRecord.count))
        set(.workTitleInLineRecord, inLineRecord)
        var titleInRecord = Similarity.containment(shared: Int(recordWords[3]), lt.tokens.count)
        for r in reading { titleInRecord = max(titleInRecord, Similarity.containment(shared: Int(recordWords[4]), r.tokens.count)) }
        set(.lineTitleInWorkRecord, titleInRecord)
        set(.artistInWorkRecord, Similarity.containment(shared: Int(recordWords[1]), l.artistTokens.count))
        set(.performerInLineRecord, Similarity.containment(shared: Int(performerWords[0]), performerTokens.count))

        // Missing fields.
        flag(.lineArtistMissing, lineArtists.isEmpty)
        flag(.workPerformersMissing, performers.isEmpty)
        flag(.lineWritersMissing, lineWriters.isEmpty)
        flag(.workWritersMissing, workWriters.isEmpty)

        // Candidate context.
        Self.writeContext(context, into: row)
        FieldEvidence.compute(line: l, work: w, into: row)
        // The candidate context ranks by this: a title that is exactly another reading of the other side's
        // ranks just below exact titles ("He's My Guy" / "(Nobody Knows Better Than I) He's My Guy" above
        // "My Guy"; "Cry Like a Baby" / "Cry Like a Baby / The Letter" below "Cry Like a Baby").
        return (variant ? Self.variantExactScore : max(0, bestCosine), bestTitle)
    }

    /// The candidate-context columns of a row (the only ones that depend on the context besides the ISRC
    /// flags): the matcher fills them once the pairs of a line are ranked.
    @inline(__always)
    static func writeContext(_ context: CandidateContext, into row: UnsafeMutablePointer<Float>) {
        row[Feature.retrievalScore.rawValue] = context.retrievalScore
        row[Feature.retrievalRankInverse.rawValue] = 1 / Float(max(1, context.rank))
        row[Feature.retrievalGap.rawValue] = context.gapToNext
        row[Feature.titleSharedWorks.rawValue] = min(1, log2f(Float(max(1, context.worksSharingTitle))) / 10)
    }

    /// Features of `works.count` candidates of one line into `out` (row-major, `count` columns each).
    public mutating func compute(line: LineProfile, works: [WorkProfile], contexts: [CandidateContext],
                                 into out: UnsafeMutableBufferPointer<Float>) {
        precondition(works.count == contexts.count && out.count >= works.count * Self.count, "feature buffer too small")
        guard let base = out.baseAddress else { return }
        let lines = PackedRecords(lines: [line]), packed = PackedRecords(works: works)
        lines.words.withUnsafeBufferPointer { lw in
            packed.words.withUnsafeBufferPointer { ww in
                for i in works.indices {
                    compute(line: PackedLine(lw.baseAddress!), work: PackedWork(ww.baseAddress! + packed.offsets[i]), context: contexts[i],
                            into: base + i * Self.count)
                }
            }
        }
    }

    /// The retrieval similarity used when no retrieval ran (pairs mode): best title trigram cosine.
    public static func titleSimilarity(line: LineProfile, work: WorkProfile) -> Float {
        bestTitle(line: line, work: work).similarity
    }

    /// Index of the work title that best matches the line's title (trigram cosine), nil without titles.
    public static func bestTitleIndex(line: LineProfile, work: WorkProfile) -> Int? {
        let i = bestTitle(line: line, work: work).index
        return i >= 0 ? i : nil
    }

    static func bestTitle(line: LineProfile, work: WorkProfile) -> (similarity: Float, index: Int) {
        let l = PackedRecords(lines: [line]), w = PackedRecords(works: [work])
        return l.words.withUnsafeBufferPointer { lb in
            w.words.withUnsafeBufferPointer { wb in bestTitle(line: PackedLine(lb.baseAddress!), work: PackedWork(wb.baseAddress!)) }
        }
    }

    /// The best title trigram cosine (0 without titles; `variantExactScore` when another reading of one side
    /// is exactly a title of the other, `title_variant_exact`) and the index of the first title reaching the best cosine
    /// (-1 without titles). The candidate context ranks a line's candidates by it.
    @inline(__always)
    static func bestTitle(line: PackedLine, work: PackedWork) -> (similarity: Float, index: Int) {
        let grams = line.title.grams
        let reading = line.titleReading
        var best: Float = -1
        var index = -1
        var i = 0
        for t in work.titles {
            var c = Similarity.cosine(grams, t.grams)
            for r in reading { c = max(c, Similarity.cosine(r.grams, t.grams)) }
            if c > best { best = c; index = i }
            i += 1
        }
        if best < variantExactScore && index >= 0 && variantExact(line: line, work: work) { return (variantExactScore, index) }
        return (max(0, best), index)
    }

    /// The context score of a `title_variant_exact` pair: below an exact title (1), above the trigram cosine
    /// of any other pair.
    static let variantExactScore: Float = 0.999

    /// Another reading of one side (bracket part removed or alone, medley part, number words in digits, a part
    /// of an upload's title) is exactly a title or a reading of the other ("Georgie Auld - Harlem Nocturne" /
    /// "Harlem Nocturne (Nocturne for Saxophone)"), or the line's title or one of its readings and a work title differ by a
    /// leading article only (`LeadingArticle`: "J Blackfoot - Dark End of the Street" / "The Dark End of the Street"),
    /// by the spaces between their letters ("Sugarman" / "Sugar Man") or by a "No." before a number ("Mambo #5"),
    /// and so are a reading of the work and one of the line.
    /// Spelling variants ("wanna" / "want to") are readings of the profiles themselves (`SpellingVariants`).
    @inline(__always)
    static func variantExact(line l: PackedLine, work w: PackedWork) -> Bool {
        if w.titleVariants.contains(l.title.text) { return true }
        for v in l.titleVariants where w.titles.containsText(v) || w.titleVariants.contains(v) { return true }
        for t in w.titles {
            if sameReading(t.text, l.title.text) { return true }
            for v in l.titleVariants where sameReading(t.text, v) { return true }
        }
        // The work's own readings too: "Blue Yodel #9" / "Blue Yodel No. 9 (Standin' on the Corner)" meet through
        // the bracket-less reading "blue yodel no 9".
        for t in w.titleVariants {
            if sameReading(t, l.title.text) { return true }
            for v in l.titleVariants where sameReading(t, v) { return true }
        }
        return false
    }

    /// `a` and `b` are the same words once a "no", "nr", "num" or "number" before a number is dropped: "Mambo #5",
    /// "Mambo No. 5" and "Mambo Number 5" ("mambo 5", "mambo no 5", "mambo number 5"); equal texts are not.
    static func numberedEqual(_ a: PackedText, _ b: PackedText) -> Bool {
        // One dropped word of at most 6 letters and its space: a cheap test before scanning for digits.
        guard a.count != b.count, abs(a.count - b.count) <= 7, a.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        var pa = 0, pb = 0
        while true {
            let x = nextWord(a, &pa), y = nextWord(b, &pb)
            guard let x, let y else { return x == nil && y == nil }
            guard x.count == y.count, a[x].elementsEqual(b[y]) else { return false }
        }
    }

    /// The word at `pos` (moving `pos` past it and its space), skipping a "no", "nr", "num" or "number" that a
    /// word starting with a digit follows; nil at the end.
    @inline(__always)
    private static func nextWord(_ t: PackedText, _ pos: inout Int, skippingNumberWords: Bool = true) -> Range<Int>? {
        while let word = rawWord(t, &pos) {
            let numbered = skippingNumberWords && pos < t.count && t[pos] >= 0x30 && t[pos] <= 0x39
            if numbered && numberWords.contains(where: { $0.count == word.count && $0.elementsEqual(t[word]) }) { continue }
            return word
        }
        return nil
    }

    private static let numberWords: [[UInt8]] = ["no", "nr", "num", "number"].map { Array($0.utf8) }

    /// `a` and `b` are the same letters with words joined or split differently ("sugarman" / "sugar man",
    /// "bluebird blues" / "blue bird blues", "funky town" / "funkytown"); equal texts are not, nor very short
    /// ones ("a way" / "away").
    @inline(__always)
    static func spacelessEqual(_ a: PackedText, _ b: PackedText) -> Bool {
        guard abs(a.count - b.count) <= 4, max(a.count, b.count) >= 6, !packedTextEqual(a, b) else { return false }
        var i = 0, j = 0
        while true {
            while i < a.count && a[i] == 0x20 { i += 1 }
            while j < b.count && b[j] == 0x20 { j += 1 }
            if i == a.count || j == b.count { return i == a.count && j == b.count }
            if a[i] != b[j] { return false }
            i += 1
            j += 1
        }
    }

    /// Different texts that read as the same title: a leading article on one side, spaces, "No." before a number,
    /// articles or "'ve got" inside (`looselyEqual`), words of the other gender (`genderSwapped`).
    @inline(__always)
    static func sameReading(_ a: PackedText, _ b: PackedText) -> Bool {
        articled(a, b) || spacelessEqual(a, b) || numberedEqual(a, b) || looselyEqual(a, b) || genderSwapped(a, b)
    }

    /// `a` and `b` are the same four words or more but for words of the other gender, as a singer of the other sex
    /// sings a song ("I Saw Him Standing There" / "I Saw Her Standing There", "This Guy's in Love with You" / "This
    /// Girl's in Love with You", "Go Away Little Boy" / "Go Away, Little Girl"); equal texts are not.
    static func genderSwapped(_ a: PackedText, _ b: PackedText) -> Bool {
        guard abs(a.count - b.count) <= 6, min(a.count, b.count) >= 12, !packedTextEqual(a, b) else { return false }
        var pa = 0, pb = 0, words = 0, swapped = 0
        while true {
            let x = nextWord(a, &pa, skippingNumberWords: false), y = nextWord(b, &pb, skippingNumberWords: false)
            guard let x, let y else { return x == nil && y == nil && words >= 4 && swapped > 0 }
            words += 1
            if x.count == y.count && a[x].elementsEqual(b[y]) { continue }
            guard let gx = genderWords.firstIndex(where: { $0.count == x.count && $0.elementsEqual(a[x]) }),
                  let gy = genderWords.firstIndex(where: { $0.count == y.count && $0.elementsEqual(b[y]) }),
                  genderCounterpart[gx] & (1 << gy) != 0 else { return false }
            swapped += 1
        }
    }

    /// Words with a counterpart of the other gender (normalized: "guy's" is "guys").
    private static let genderWords: [[UInt8]] = ["he", "she", "him", "her", "his", "hers", "boy", "girl", "guy", "boys", "girls", "guys",
                                                 "man", "woman"].map { Array($0.utf8) }
    /// Bit j of entry i: word j is a counterpart of word i.
    private static let genderCounterpart: [Int] = {
        let pairs: [(String, String)] = [("he", "she"), ("him", "her"), ("his", "her"), ("his", "hers"), ("boy", "girl"), ("guy", "girl"),
                                         ("boys", "girls"), ("guys", "girls"), ("man", "woman")]
        let words = genderWords.map { String(decoding: $0, as: UTF8.self) }
        var bits = [Int](repeating: 0, count: words.count)
        for (x, y) in pairs {
            for i in words.indices where words[i] == x {
                for j in words.indices where words[j] == y { bits[i] |= 1 << j; bits[j] |= 1 << i }
            }
        }
        return bits
    }()

    /// `a` and `b` are the same words once English articles are left out and "'ve got" is read as "got", with three
    /// words or more left: an article sung otherwise ("Three Coins in a Fountain" / "Three Coins in the Fountain",
    /// "Working in the Coal Mine" / "Working in a Coal Mine"), a contraction kept or not ("You've Got What It Takes" /
    /// "You Got What It Takes", "I've Got a Woman" / "I Got a Woman"); equal texts are not.
    static func looselyEqual(_ a: PackedText, _ b: PackedText) -> Bool {
        guard abs(a.count - b.count) <= 8, min(a.count, b.count) >= 8, !packedTextEqual(a, b) else { return false }
        var pa = 0, pb = 0, words = 0
        while true {
            let x = nextLooseWord(a, &pa), y = nextLooseWord(b, &pb)
            guard let x, let y else { return x == nil && y == nil && words >= 3 }
            guard x.count == y.count, a[x].elementsEqual(b[y]) else { return false }
            words += 1
        }
    }

    /// The next word of `t` from `pos` for `looselyEqual`: articles skipped, "ive", "youve", "weve", "theyve" before
    /// "got" cut to the pronoun; nil at the end.
    @inline(__always)
    private static func nextLooseWord(_ t: PackedText, _ pos: inout Int) -> Range<Int>? {
        while let word = rawWord(t, &pos) {
            let n = word.count
            let end = word.upperBound
            if n <= 3 && looseArticles.contains(where: { $0.count == n && $0.elementsEqual(t[word]) }) { continue }
            if n >= 3 && n <= 6 && t[end - 2] == 0x76 && t[end - 1] == 0x65,  // "...ve"
               veContractions.contains(where: { $0.count == n && $0.elementsEqual(t[word]) }),
               pos + 3 <= t.count, t[pos] == 0x67, t[pos + 1] == 0x6F, t[pos + 2] == 0x74, pos + 3 == t.count || t[pos + 3] == 0x20 {
                return word.lowerBound..<(end - 2)
            }
            return word
        }
        return nil
    }

    /// The word of `t` at `pos` (texts are words joined by single spaces), moving `pos` past it and its space; nil at the end.
    @inline(__always)
    private static func rawWord(_ t: PackedText, _ pos: inout Int) -> Range<Int>? {
        guard pos < t.count else { return nil }
        var end = pos
        while end < t.count && t[end] != 0x20 { end += 1 }
        defer { pos = end + 1 }
        return pos..<end
    }

    private static let looseArticles: [[UInt8]] = ["a", "an", "the"].map { Array($0.utf8) }
    private static let veContractions: [[UInt8]] = ["ive", "youve", "weve", "theyve"].map { Array($0.utf8) }

    /// `a` and `b` differ by a leading article on one side.
    @inline(__always)
    static func articled(_ a: PackedText, _ b: PackedText) -> Bool {
        let d = a.count - b.count
        guard d >= 2 && d <= 5 || d <= -2 && d >= -5 else { return false }
        return d > 0 ? LeadingArticle.isArticled(a, b) : LeadingArticle.isArticled(b, a)
    }

    /// `title_specificity` of a normalized core title: letters and digits (a non-Latin one counts 2) over 24, capped at 1.
    public static func titleSpecificity(_ title: String) -> Float {
        var units = 0
        for u in title.unicodeScalars where isLetterOrNumber(u) {
            units += u.value < 0x250 ? 1 : 2
            if units >= 24 { return 1 }
        }
        return Float(units) / 24
    }

    @inline(__always)
    static func named(_ name: SketchView, in list: SketchList) -> Bool {
        for x in list where Similarity.cosine(name.grams, x.grams) >= sameNameCosine { return true }
        return false
    }
}

/// The best title similarities of a line's title (or titles: `LineProfile.titleReading`) against a work's titles so far
/// (`PairFeatureExtractor.compute`). A value type passed `inout`, not locals captured by a nested function: captured
/// locals are boxed and every access to them is checked for exclusivity at run time (`swift_beginAccess`), which cost
/// ≈ 2% of `oeuvre match` in the feature loop.
struct TitlesBest {
    var cos: Float = 0, jac: Float = 0, ovl: Float = 0, edit: Float = 0
    var exact = false
    var prefixRatio: Float = 0
    var prefixWords = 0
    var wordRun = false

    /// Compares line title `a` with work title `t` into the best values; returns their trigram cosine.
    /// `sharedGrams`, `sharedTokens`: the sizes of the two sketches' trigram and word intersections (`LineProbe`).
    @inline(__always)
    mutating func add(_ a: SketchView, _ t: SketchView, sharedGrams: Int, sharedTokens: Int,
                      scratch: inout Similarity.EditScratch) -> Float {
        let c = Similarity.cosine(shared: sharedGrams, a.grams.count, t.grams.count)
        if !wordRun && Similarity.containsWordRun(a.words, t.words) { wordRun = true }
        let common = Similarity.commonPrefixWords(a.words, t.words)
        if common > 0 {
            prefixWords = max(prefixWords, common)
            prefixRatio = max(prefixRatio, Float(common) / Float(min(a.words.count, t.words.count)))
        }
        cos = max(cos, c)
        let (j, o) = Similarity.jaccardAndOverlap(shared: sharedTokens, a.tokens.count, t.tokens.count)
        jac = max(jac, j)
        ovl = max(ovl, o)
        if !exact {
            if packedTextEqual(a.text, t.text) {
                exact = true
                edit = 1
            } else if edit < 1 {
                let x = UnsafeBufferPointer(rebasing: a.text.prefix(Similarity.maxEditBytes))
                let y = UnsafeBufferPointer(rebasing: t.text.prefix(Similarity.maxEditBytes))
                // The distance is at least the length difference, so the similarity is at most this bound
                // (the same expression `editSimilarity` evaluates when the distance is the length difference):
                // a title that cannot beat the best so far is not compared.
                let longer = max(x.count, y.count), shorter = min(x.count, y.count)
                if longer == 0 || 1 - Float(longer - shorter) / Float(longer) > edit {
                    edit = max(edit, Similarity.editSimilarity(x, y, scratch: &scratch))
                }
            }
        }
        return c
    }
}
