import Foundation
import Normalization
import OeuvreCore

/// What the matcher knows about one usage line (or one group of identical lines) after normalization.
/// Built once per distinct recording; shared by retrieval, features and the review queue.
public struct LineProfile: Sendable, Hashable {
    /// Normalized core title (lower-case ASCII words).
    public var title: String
    /// Version tags (`live`, `remix`, `karaoke`, …) from the title and subtitle.
    public var tags: [String]
    /// Normalized display artists plus featured artists.
    public var artists: [String]
    /// Featured artists found in the title or credit.
    public var featured: [String]
    /// Normalized writer names when the report gives them.
    public var writers: [String]
    /// Writer IPI name numbers when the report gives them (canonical 11 digits).
    public var writerIPIs: [String]
    /// Medley component titles (normalized), empty unless the title is a medley.
    public var medleyParts: [String]
    /// Original performers named by karaoke/cover qualifiers.
    public var originalArtists: [String]
    /// Seconds.
    public var duration: Int?
    public var isrc: String?
    public var iswc: String?
    /// Normalized album (release) title when the report gives one.
    public var album: String?
    /// Normalized words of the title's version qualifiers that tell recordings apart ("robin schulz remix",
    /// "live at wembley"), without featuring credits and without benign words (explicit, remastered, …).
    public var versionWords: [String]
    /// Durations (seconds) written as `m:ss` / `h:mm:ss` inside the line's text fields (title, artist, album):
    /// stand-ins when the duration field is empty or values landed in the wrong column.
    public var textDurations: [Int]
    /// Remixers named by remix qualifiers, normalized.
    public var remixers: [String]
    /// Release dates of the recording's release: the report's release date, else the dates written in its text
    /// fields ("… 12-May-15"). Features only.
    public var releaseDates: [ReleaseDate] = []
    /// Other readings of the title worth retrieving by: the title without its bracketed parts
    /// ("(It's No) Sin" → "sin"), the bracketed part alone ("Come Back (Toselli's Serenade)"), number
    /// words in digits ("Twenty Four Hours" → "24 hours"). Retrieval only; not compared by the features.
    public var titleVariants: [String] = []
    /// Words of `title` before a bracketed part that more text follows ("The Whisperer (feat. Sia) David Guetta
    /// Dance …" → 2): the title proper when values of other fields were appended to the title cell; 0 when the
    /// title has no such bracket (see `ProfileBuilder.leadWords`). Features only.
    public var leadWords = 0
    /// The title's other reading when it is written in Han characters alone: its Japanese reading (`ProfileBuilder.japaneseReading`;
    /// `title` holds the Mandarin one). Also among `titleVariants` for retrieval; the title features compare both readings
    /// with every work title and keep the better ("千本桜" against a catalogue that only has "Senbon Zakura").
    public var titleReading: String?
    /// Comparison data derived from the fields above, built when it is read (once per recording, as its packed record
    /// is written for a batch's features). Not stored: a profile lives from grouping to its batch, and a stored sketch
    /// (a dozen arrays of hashes) held ≈ 0.5 KB a recording more over all that time.
    public var sketch: LineSketch { LineSketch(self) }

    public init(title: String, tags: [String] = [], artists: [String] = [], featured: [String] = [], writers: [String] = [],
                writerIPIs: [String] = [], medleyParts: [String] = [], originalArtists: [String] = [], duration: Int? = nil,
                isrc: String? = nil, iswc: String? = nil, album: String? = nil, versionWords: [String] = [], textDurations: [Int] = [],
                remixers: [String] = []) {
        self.title = title
        self.tags = tags
        self.artists = artists
        self.featured = featured
        self.writers = writers
        self.writerIPIs = writerIPIs
        self.medleyParts = medleyParts
        self.originalArtists = originalArtists
        self.duration = duration
        self.isrc = isrc
        self.iswc = iswc
        self.album = album
        self.versionWords = versionWords
        self.textDurations = textDurations
        self.remixers = remixers
    }
}

/// What the matcher knows about one catalogue work after normalization.
public struct WorkProfile: Sendable, Hashable, Codable {
    public var workId: String
    public var iswc: String?
    /// Display title (original) as in the catalogue, for results files.
    public var displayTitle: String
    /// Normalized core titles, original first, then alternates, recording and learned titles; no duplicates.
    public var titles: [String] { didSet { refreshSketch() } }
    /// Version tags found in the catalogue titles (a registered "Instrumental" work, a karaoke work, …).
    public var titleTags: [String] { didSet { refreshSketch() } }
    /// Normalized performer names (catalogue performers and recording artists).
    public var performers: [String] { didSet { refreshSketch() } }
    /// Normalized writer names.
    public var writers: [String] { didSet { refreshSketch() } }
    /// Writer IPI name numbers (canonical).
    public var writerIPIs: [String]
    /// Seconds.
    public var duration: Int?
    /// ISRCs of the work's known recordings.
    public var isrcs: [String]
    /// Normalized album (release) titles of the work's known recordings.
    public var albums: [String] { didSet { refreshSketch() } }
    /// Featured artists named in the work's titles ("Title (feat. X)"), normalized.
    public var featured: [String] { didSet { refreshSketch() } }
    /// Version-qualifier words of the original title (see `LineProfile.versionWords`).
    public var versionWords: [String] { didSet { refreshSketch() } }
    /// Durations (seconds) written as `m:ss` inside the work's titles, performers or albums (see `LineProfile.textDurations`).
    public var textDurations: [Int]
    /// Remixers named in the original title's remix qualifier, normalized.
    public var remixers: [String] { didSet { refreshSketch() } }
    /// Release dates of the work's known recordings (else dates written in its titles). Features only; not
    /// stored in the match index (the catalogue does not carry them).
    public var releaseDates: [ReleaseDate] = []
    /// Other readings of the titles, for retrieval only (not compared by the features): titles without
    /// bracketed parts, bracketed parts alone, medley/double-title parts, number words in digits.
    public var titleVariants: [String] = []
    /// `LineProfile.leadWords` of the first title (the original's core); 0 when it has no bracketed part that more
    /// text follows. Features only.
    public var leadWords = 0
    /// How many of the last `titles` are other readings of the titles before them, not titles of their own: the Japanese
    /// readings of titles written in Han characters alone (`ProfileBuilder.japaneseReading`). Compared like any title, but
    /// left out of the record's words (`WorkSketch.record`), which would count each word twice.
    public var titleReadings = 0 { didSet { refreshSketch() } }
    /// Comparison data derived from the fields above (kept in sync on every change; not encoded). Not made for a profile
    /// built without it (`isSketched`: a profile made only to build an index, which packs decoded profiles).
    public var sketch: WorkSketch {
        assert(isSketched, "the sketch of a profile built without one (ProfileBuilder.work(_:sketch: false))")
        return storedSketch
    }
    private var storedSketch: WorkSketch
    /// Whether `sketch` is made; false for `ProfileBuilder.work(_:sketch: false)`.
    public private(set) var isSketched = true

    public init(workId: String, iswc: String? = nil, displayTitle: String, titles: [String], titleTags: [String] = [],
                performers: [String] = [], writers: [String] = [], writerIPIs: [String] = [], duration: Int? = nil,
                isrcs: [String] = [], albums: [String] = [], featured: [String] = [], versionWords: [String] = [],
                textDurations: [Int] = [], remixers: [String] = [], sketched: Bool = true) {
        self.workId = workId
        self.iswc = iswc
        self.displayTitle = displayTitle
        self.titles = titles
        self.titleTags = titleTags
        self.performers = performers
        self.writers = writers
        self.writerIPIs = writerIPIs
        self.duration = duration
        self.isrcs = isrcs
        self.albums = albums
        self.featured = featured
        self.versionWords = versionWords
        self.textDurations = textDurations
        self.remixers = remixers
        storedSketch = WorkSketch()
        isSketched = sketched
        refreshSketch()
    }

    private mutating func refreshSketch() {
        if isSketched { storedSketch = WorkSketch(self) }
    }

    private enum CodingKeys: String, CodingKey {
        case workId, iswc, displayTitle, titles, titleTags, performers, writers, writerIPIs, duration, isrcs, albums, featured, versionWords, textDurations, remixers, titleVariants, releaseDates, leadWords, titleReadings
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(workId: try c.decode(String.self, forKey: .workId), iswc: try c.decodeIfPresent(String.self, forKey: .iswc),
                  displayTitle: try c.decode(String.self, forKey: .displayTitle), titles: try c.decode([String].self, forKey: .titles),
                  titleTags: try c.decodeIfPresent([String].self, forKey: .titleTags) ?? [],
                  performers: try c.decodeIfPresent([String].self, forKey: .performers) ?? [],
                  writers: try c.decodeIfPresent([String].self, forKey: .writers) ?? [],
                  writerIPIs: try c.decodeIfPresent([String].self, forKey: .writerIPIs) ?? [],
                  duration: try c.decodeIfPresent(Int.self, forKey: .duration),
                  isrcs: try c.decodeIfPresent([String].self, forKey: .isrcs) ?? [],
                  albums: try c.decodeIfPresent([String].self, forKey: .albums) ?? [],
                  featured: try c.decodeIfPresent([String].self, forKey: .featured) ?? [],
                  versionWords: try c.decodeIfPresent([String].self, forKey: .versionWords) ?? [],
                  textDurations: try c.decodeIfPresent([Int].self, forKey: .textDurations) ?? [],
                  remixers: try c.decodeIfPresent([String].self, forKey: .remixers) ?? [])
        titleVariants = try c.decodeIfPresent([String].self, forKey: .titleVariants) ?? []
        releaseDates = try c.decodeIfPresent([ReleaseDate].self, forKey: .releaseDates) ?? []
        leadWords = try c.decodeIfPresent(Int.self, forKey: .leadWords) ?? 0
        let readings = min(titles.count, max(0, try c.decodeIfPresent(Int.self, forKey: .titleReadings) ?? 0))
        if readings > 0 {
            titleReadings = readings
            refreshSketch()  // (observers do not run in an initializer)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workId, forKey: .workId)
        try c.encodeIfPresent(iswc, forKey: .iswc)
        try c.encode(displayTitle, forKey: .displayTitle)
        try c.encode(titles, forKey: .titles)
        try c.encode(titleTags, forKey: .titleTags)
        try c.encode(performers, forKey: .performers)
        try c.encode(writers, forKey: .writers)
        try c.encode(writerIPIs, forKey: .writerIPIs)
        try c.encodeIfPresent(duration, forKey: .duration)
        try c.encode(isrcs, forKey: .isrcs)
        try c.encode(albums, forKey: .albums)
        try c.encode(featured, forKey: .featured)
        try c.encode(versionWords, forKey: .versionWords)
        try c.encode(textDurations, forKey: .textDurations)
        try c.encode(remixers, forKey: .remixers)
        try c.encode(titleVariants, forKey: .titleVariants)
        if !releaseDates.isEmpty { try c.encode(releaseDates, forKey: .releaseDates) }
        if leadWords > 0 { try c.encode(leadWords, forKey: .leadWords) }
        if titleReadings > 0 { try c.encode(titleReadings, forKey: .titleReadings) }
    }
}

/// Builds profiles from domain values. Owns a `TitleParser` (ICU): not thread-safe, one per task.
public final class ProfileBuilder {
    public let parser: TitleParser
    private let credits: CreditSplitter

    public init() {
        parser = TitleParser()
        credits = CreditSplitter(normalizer: parser.normalizer)
    }

    public var normalizer: Normalizer { parser.normalizer }

    /// A title written in Han characters alone, parsed again with its kanji read as Japanese (`TitleParser.japaneseReading`).
    /// Such a title carries both readings: its core as Mandarin, this core as a line's `titleReading` (and among its
    /// `titleVariants`) and as a work's last title (`WorkProfile.titleReadings`).
    func japaneseReading(_ title: String, subtitle: String? = nil, mandarin: ParsedTitle) -> ParsedTitle? {
        parser.japaneseReading(TitleJunk.strip(title), subtitle: subtitle, mandarin: mandarin)
    }

    /// Profile of a usage line: title parsed (subtitle as a qualifier), artists split, featured merged.
    /// The parsed title and the artists of a line: the fields `line(_:)` builds its title, tags and artists from.
    func titleAndArtists(_ line: UsageLine) -> (parsed: ParsedTitle, artists: [String]) {
        let parsed = parser.parse(TitleJunk.strip(line.title), subtitle: line.subtitle)
        // A user upload's channel may stand in the artist field ("TaylorSwiftVEVO", "Bob Dylan - Topic").
        var artists = line.artist.map { credits.split(ChannelName.artist($0), kind: .artist) } ?? []
        for f in parsed.featured where !artists.contains(f) { artists.append(f) }
        return (parsed, artists)
    }

    /// The core title, version tags and artists of `line`, as `line(_:)` would give them, without the rest of the
    /// profile (sketches, readings, dates): what recordings are grouped and remembered by (`ReviewMemory`).
    public func recordingFields(_ line: UsageLine) -> (title: String, tags: [String], artists: [String]) {
        let (parsed, artists) = titleAndArtists(line)
        return (parsed.core, parsed.tags, artists)
    }

    public func line(_ line: UsageLine) -> LineProfile {
        let (parsed, artists) = titleAndArtists(line)
        var writers: [String] = []
        for w in line.writers {
            for name in credits.split(w, kind: .writer) where !writers.contains(name) { writers.append(name) }
        }
        let ipis = line.writerIds.compactMap { IPINameNumber.parse($0)?.value }
        var qualifierText = parsed.latin
        if let s = line.subtitle { qualifierText += " " + normalizer.latinize(s) }
        let album = line.album.map { normalizer.fold($0) }.flatMap { $0.isEmpty ? nil : $0 }
        var profile = LineProfile(title: parsed.core, tags: parsed.tags, artists: artists, featured: parsed.featured, writers: writers,
                           writerIPIs: ipis, medleyParts: parsed.medleyParts, originalArtists: parsed.originalArtists,
                           duration: line.duration, isrc: line.isrc, iswc: line.iswc, album: album,
                           versionWords: versionWords(qualifierText, core: parsed.core, featured: parsed.featured),
                           textDurations: Self.textDurations([line.title, line.subtitle, line.artist, line.album].compactMap { $0 }),
                           remixers: parsed.remixers)
        var variants: [String] = []
        for v in bracketVariants(parsed) + [NumberWords.digits(parsed.core)].compactMap({ $0 }) + segmentVariants(parsed)
        where v != parsed.core && !variants.contains(v) { variants.append(v) }
        for v in parsed.medleyParts where v.count >= 3 && v != parsed.core && !variants.contains(v) { variants.append(v) }
        if let j = japaneseReading(line.title, subtitle: line.subtitle, mandarin: parsed), j.core != parsed.core {
            profile.titleReading = j.core
            if !variants.contains(j.core) { variants.append(j.core) }
        }
        // Number words in every reading, not only the whole title: "Johnny Devlin - Twenty Flight Rock" has the
        // part "twenty flight rock", which reads "20 flight rock".
        for v in variants {
            if let d = NumberWords.digits(v), d != parsed.core, !variants.contains(d) { variants.append(d) }
        }
        for t in [parsed.core] + variants {
            if let c = SpellingVariants.canonical(t), c != parsed.core, !variants.contains(c) { variants.append(c) }
        }
        profile.titleVariants = variants
        profile.leadWords = leadWords(parsed)
        if let raw = line.releaseDate, let date = ReleaseDateParser.parse(raw) {
            profile.releaseDates = [date]
        } else {
            profile.releaseDates = Self.textDates([line.title, line.subtitle, line.artist, line.album].compactMap { $0 })
        }
        return profile
    }

    /// Profile of a work: every title parsed to its core, performers and recording artists folded. `sketch: false` leaves
    /// out its comparison data (`WorkProfile.sketch`), for a profile made only to build an index (the index packs decoded
    /// profiles): ≈ 1 GB and a share of the profiling time less at 1M works.
    public func work(_ work: Work, sketch: Bool = true) -> WorkProfile {
        var titles: [String] = []
        var variants: [String] = []
        var tags: [String] = []
        var featured: [String] = []
        var versionWords: [String] = []
        var remixers: [String] = []
        var lead = 0
        // Japanese readings of Han-only titles: titles of the work like its others (after them: the first title stays
        // the original), so that every title similarity compares a romaji line with them.
        var japanese: [String] = []
        let ordered = work.titles.filter { $0.kind == .original } + work.titles.filter { $0.kind != .original }
        for (i, t) in ordered.enumerated() {
            let p = parser.parse(TitleJunk.strip(t.text))
            if !p.core.isEmpty && !titles.contains(p.core) { titles.append(p.core) }
            if let j = japaneseReading(t.text, mandarin: p) { japanese.append(j.core) }
            for f in p.featured where !featured.contains(f) { featured.append(f) }
            if i == 0 {
                for tag in p.tags where !tags.contains(tag) { tags.append(tag) }
                versionWords = self.versionWords(p.latin, core: p.core, featured: p.featured)
                remixers = p.remixers
                if titles.first == p.core { lead = leadWords(p) }
            }
            variants.append(contentsOf: bracketVariants(p))
            variants.append(contentsOf: p.medleyParts)
            if let d = NumberWords.digits(p.core) { variants.append(d) }
        }
        for r in work.recordings {
            if let rt = r.title {
                let p = parser.parse(TitleJunk.strip(rt))
                if !p.core.isEmpty && !titles.contains(p.core) { titles.append(p.core) }
                if let j = japaneseReading(rt, mandarin: p) { japanese.append(j.core) }
                variants.append(contentsOf: bracketVariants(p))
            }
        }
        var readings = 0
        for j in japanese where !titles.contains(j) {
            titles.append(j)
            readings += 1
        }
        var performers: [String] = []
        for p in work.performers + work.recordings.compactMap(\.artist) {
            for name in credits.split(p, kind: .artist) where !performers.contains(name) { performers.append(name) }
        }
        var writers: [String] = []
        var ipis: [String] = []
        for w in work.writers {
            for name in credits.split(w.name, kind: .writer) where !writers.contains(name) { writers.append(name) }
            if let ipi = w.ipiName, w.ipiValid, !ipis.contains(ipi) { ipis.append(ipi) }
        }
        var albums: [String] = []
        for r in work.recordings {
            if let rel = r.release {
                let a = normalizer.fold(rel)
                if !a.isEmpty && !albums.contains(a) { albums.append(a) }
            }
        }
        var profile = WorkProfile(workId: work.id, iswc: work.iswc, displayTitle: work.title, titles: titles, titleTags: tags,
                           performers: performers, writers: writers, writerIPIs: ipis, duration: work.duration,
                           isrcs: work.recordings.compactMap(\.isrc), albums: albums, featured: featured, versionWords: versionWords,
                           textDurations: Self.textDurations(work.titles.map(\.text) + work.performers + work.recordings.compactMap(\.release)),
                           remixers: remixers, sketched: sketch)
        // Number words in the other readings too (a bracketed part, a medley part), as on the line side.
        for v in variants {
            if let d = NumberWords.digits(v) { variants.append(d) }
        }
        for t in titles + variants {
            if let c = SpellingVariants.canonical(t) { variants.append(c) }
        }
        var unique: [String] = []
        for v in variants where !v.isEmpty && !titles.contains(v) && !unique.contains(v) { unique.append(v) }
        profile.titleVariants = unique
        profile.leadWords = lead
        if readings > 0 { profile.titleReadings = readings }  // (each set rebuilds the sketch)
        var dates: [ReleaseDate] = []
        for r in work.recordings {
            if let raw = r.releaseDate, let d = ReleaseDateParser.parse(raw), !dates.contains(d) { dates.append(d) }
        }
        profile.releaseDates = dates.isEmpty
            ? Self.textDates(work.titles.map(\.text) + work.performers + work.recordings.compactMap(\.release)) : dates
        return profile
    }

    /// Full dates (with a day) written in `texts`, unique, in order (see `ReleaseDateParser.scan`).
    public static func textDates(_ texts: [String]) -> [ReleaseDate] {
        var out: [ReleaseDate] = []
        for t in texts where mayHoldFullDate(t) {
            for d in ReleaseDateParser.scan(t) where !out.contains(d) { out.append(d) }
        }
        return out
    }

    /// Whether `text` has what every full date `ReleaseDateParser.scan` keeps needs: two runs of ASCII digits (ISO,
    /// "27-May-03", "May 27, 2003"), or one run of exactly eight (compact YYYYMMDD). Titles with one number in them
    /// ("Gondola dorato 10", "99 Luftballons") are passed over without tokenizing.
    static func mayHoldFullDate(_ text: String) -> Bool {
        var runs = 0, length = 0
        for c in text.utf8 {
            if c >= 48 && c <= 57 {
                length += 1
                continue
            }
            if length > 0 {
                runs += 1
                if runs >= 2 || length == 8 { return true }
                length = 0
            }
        }
        if length > 0 { runs += 1 }
        return runs >= 2 || length == 8
    }

    /// Durations written as `m:ss` or `h:mm:ss` (standalone, not part of a longer number or date) in `texts`, in seconds.
    public static func textDurations(_ texts: [String]) -> [Int] {
        @inline(__always) func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        var out: [Int] = []
        for text in texts {
            let b = Array(text.utf8)
            var i = 0
            while i < b.count {
                // A run starts at a digit that does not continue a number, time or decimal.
                guard digit(b[i]), i == 0 || !(digit(b[i - 1]) || b[i - 1] == 58 || b[i - 1] == 46) else { i += 1; continue }
                var j = i
                while j < b.count && digit(b[j]) { j += 1 }
                guard j - i <= 2 else { i = j; continue }
                var groups = [b[i..<j].reduce(0) { $0 * 10 + Int($1 - 48) }]
                while groups.count < 3, j + 2 < b.count, b[j] == 58, digit(b[j + 1]), digit(b[j + 2]),
                      j + 3 >= b.count || !digit(b[j + 3]) {
                    groups.append(Int(b[j + 1] - 48) * 10 + Int(b[j + 2] - 48))
                    j += 3
                }
                let ends = j >= b.count || !(digit(b[j]) || b[j] == 58)
                if ends, groups.count >= 2, groups.dropFirst().allSatisfy({ $0 < 60 }) {
                    let seconds = groups.reduce(0) { $0 * 60 + $1 }
                    if seconds > 0 && !out.contains(seconds) { out.append(seconds) }
                }
                i = max(j, i + 1)
            }
        }
        return out
    }

    /// Words that qualify a title but do not tell recordings of a work apart.
    static let benignQualifierWords: Set<String> = [
        "explicit", "clean", "dirty", "edited", "censored", "uncensored", "album", "version", "versions", "original", "remaster",
        "remastered", "remasterizado", "remasterise", "digital", "digitally", "deluxe", "edition", "expanded", "bonus", "track",
        "mono", "stereo", "lp", "ep", "feat", "ft", "featuring", "with", "and", "the", "from", "of", "a", "main",
    ]

    /// Normalized qualifier words of a full title: its folded words minus the core title, the featured
    /// names, featuring markers, benign words and years; in order, unique.
    func versionWords(_ fullTitle: String, core: String, featured: [String]) -> [String] {
        let folded = normalizer.fold(fullTitle)
        // A title without qualifiers folds to its core: every word would be skipped (the common case, once
        // per recording: no word lists built).
        if folded == core { return [] }
        if let words = Self.asciiVersionWords(folded: folded, core: core, featured: featured) { return words }
        return Self.versionWords(folded: folded, core: core, featured: featured)
    }

    /// `versionWords` once the full title is folded, with word lists and a hashed set (the general way).
    static func versionWords(folded: String, core: String, featured: [String]) -> [String] {
        // A handful of words: linear searches, no hashed set to build.
        let coreWords = core.split(separator: " ")
        let featuredWords = featured.flatMap { $0.split(separator: " ") }
        var out: [String] = []
        for w in folded.split(separator: " ") {
            if coreWords.contains(w) || featuredWords.contains(w) { continue }
            let word = String(w)
            if Self.benignQualifierWords.contains(word) || out.contains(word) { continue }
            if word.count == 4, let y = Int(word), y >= 1900 && y <= 2100 { continue }
            out.append(word)
        }
        return out
    }

    /// Calls `body` with the range of each word of `text` (split at spaces, empty words skipped) until it returns false.
    @inline(__always)
    static func forEachWord(of text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Bool) {
        var i = 0
        let n = text.count
        while i < n {
            while i < n && text[i] == 0x20 { i += 1 }
            var j = i
            while j < n && text[j] != 0x20 { j += 1 }
            if j > i && !body(i..<j) { return }
            i = j
        }
    }

    /// `benignQualifierWords` as bytes, by length.
    private static let benignByLength: [[[UInt8]]] = {
        var out = [[[UInt8]]](repeating: [], count: 16)
        for w in benignQualifierWords { out[w.utf8.count].append(Array(w.utf8)) }
        return out
    }()

    /// `versionWords(folded:core:featured:)` by byte comparisons when the three are ASCII (folded text is: lower-case
    /// words and single spaces); nil otherwise. The word lists, the `Substring` comparisons and the hashed set's
    /// look-ups were ≈ 12% of a line profile on the bench's report titles.
    static func asciiVersionWords(folded: String, core: String, featured: [String]) -> [String]? {
        var folded = folded, core = core
        guard folded.utf8.allSatisfy({ $0 < 0x80 }), core.utf8.allSatisfy({ $0 < 0x80 }),
              featured.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else { return nil }
        let joinedFeatured = featured.joined(separator: " ")
        var featuredText = joinedFeatured
        return folded.withUTF8 { f in
            core.withUTF8 { c in
                featuredText.withUTF8 { ft in
                    /// Whether `text` has the word f[start ..< start + length].
                    func has(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Bool {
                        var found = false
                        forEachWord(of: text) { w in
                            found = w.count == length && memcmp(text.baseAddress! + w.lowerBound, f.baseAddress! + start, length) == 0
                            return !found
                        }
                        return found
                    }
                    var out: [String] = []
                    forEachWord(of: f) { w in
                        let i = w.lowerBound, j = w.upperBound, length = w.count
                        if has(c, i, length) || has(ft, i, length) { return true }
                        if length < benignByLength.count,
                           benignByLength[length].contains(where: { b in b.withUnsafeBufferPointer { memcmp($0.baseAddress!, f.baseAddress! + i, length) == 0 } }) {
                            return true
                        }
                        if length == 4 {
                            var year = 0
                            var digits = true
                            for k in i..<j {
                                guard f[k] >= 0x30 && f[k] <= 0x39 else { digits = false; break }
                                year = year * 10 + Int(f[k] - 0x30)
                            }
                            if digits && year >= 1900 && year <= 2100 { return true }
                        }
                        let word = String(decoding: UnsafeBufferPointer(rebasing: f[i..<j]), as: UTF8.self)
                        if !out.contains(word) { out.append(word) }
                        return true
                    }
                    return out
                }
            }
        }
    }

    /// Separators between the fields a user-uploaded video packs into its title ("Artist - Title (Official
    /// Video)", "Title | Artist", "\"Title\" - Artist", "Artist_Title.avi").
    static let segmentSeparators = [" - ", " – ", " — ", " -- ", " | ", " // ", " ~ ", " * ", " • ", "_"]
    /// Parts read at most (each is parsed): a title cell with hundreds of separators costs a bounded time.
    static let maxSegments = 8
    /// A hyphen spaced on one side only ("Caravan -Olavi Virta-") separates too; inside a word it does not.
    static let halfSpacedHyphen = try! NSRegularExpression(pattern: #"(?<=\S)-\s+|\s+-(?=\S)"#)
    /// Upload leftovers: a file extension, a leading track number ("08. ", "3) ").
    static let uploadJunk = try! NSRegularExpression(
        pattern: #"\.(?:avi|wmv|mp4|mp3|flv|mov|mkv|m4a|webm|mpe?g|3gp)\b|^\s*\d{1,3}[.)]\s+"#, options: [.caseInsensitive])
    /// Text in double quotes: "Doris Day sings \"Secret Love\" from \"Calamity Jane\"".
    static let quoted = try! NSRegularExpression(pattern: #"["“”„«»]([^"“”„«»]{3,})["“”„«»]"#)

    /// Readings of a title cell that packs several fields, as user-uploaded videos do: each part between
    /// separators parsed on its own ("Jeff Healey - Jambalaya" → ["jeff healey", "jambalaya"]), each quoted
    /// phrase, the bracket readings of each part, and the part before a final " by " naming two or more
    /// words ("Marie by Ray Charles" → ["marie"]; "Stand by Me" is left whole). File extensions and leading
    /// track numbers are dropped; parts of fewer than 3 letters ("06") too. A title without separators or
    /// quotes gives nothing, and a reading must be text of the full core title (version descriptors after
    /// " - " are peeled by the parser already and stay out).
    ///
    /// Most titles have no separator, quote or " by ": a byte scan (`mayHaveUploadJunk`, `mayHaveSegments`)
    /// returns [] for them before any regular expression runs (the regular expressions and string
    /// replacements cost ≈ 10% of `oeuvre match`'s CPU when they ran for every recording). The scan only
    /// skips titles for which the full reading provably finds no part; `segmentVariants(_:screen: false)`
    /// is the unscreened reading, kept for the equivalence test.
    public func segmentVariants(_ parsed: ParsedTitle) -> [String] {
        segmentVariants(parsed, screen: true)
    }

    func segmentVariants(_ parsed: ParsedTitle, screen: Bool) -> [String] {
        if screen && Self.isPrintableASCII(parsed.latin) { return asciiSegmentVariants(parsed) }
        func replace(_ re: NSRegularExpression, in text: String, with template: String) -> String {
            re.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        var text = !screen || Self.mayHaveUploadJunk(parsed.latin) ? replace(Self.uploadJunk, in: parsed.latin, with: " ") : parsed.latin
        if screen && !Self.mayHaveSegments(text) { return [] }
        // Which bytes occur: a quote, hyphen or separator whose bytes are not all there cannot match, and
        // its Foundation call (which copies the text each time) is skipped.
        var present = ByteSet(text)
        var parts: [String] = []
        // Quote characters: '"', or the lead bytes of “ ” „ (E2) and « » (C2).
        if !screen || present.contains(UInt8(ascii: "\"")) || present.contains(0xE2) || present.contains(0xC2) {
            for m in Self.quoted.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if parts.count < Self.maxSegments, let r = Range(m.range(at: 1), in: text) { parts.append(String(text[r])) }
            }
        }
        if !screen || present.contains(UInt8(ascii: "-")) {
            text = replace(Self.halfSpacedHyphen, in: text, with: " - ")
            present.insert(UInt8(ascii: " "))  // the replacement may bring spaces (and hyphens, already there) where a tab was
        }
        for s in Self.segmentSeparators.dropFirst() where !screen || s.utf8.allSatisfy(present.contains) {
            text = text.replacingOccurrences(of: s, with: " - ")
        }
        var split = text.components(separatedBy: " - ")
        if split.count == 1, let r = text.range(of: " by ", options: [.caseInsensitive, .backwards]) {
            let after = text[r.upperBound...].split(separator: " ")
            if after.count >= 2 { split = [String(text[..<r.lowerBound]), String(text[r.upperBound...])] }
        }
        if split.count == 1, let halves = Self.unspacedHyphenHalves(text) { split = halves }
        if split.count > 1 { parts += split.prefix(Self.maxSegments) }
        guard !parts.isEmpty else { return [] }
        var out: [String] = []
        for part in parts {
            // Screened, the part's upload junk is only looked for when it can be there, and the part is trimmed by a
            // scalar scan instead of a Foundation `CharacterSet` built per part (the unscreened path keeps both calls:
            // `segmentVariantsScreenSkipsOnlyTitlesWithoutParts` compares the two).
            let cleaned = !screen || Self.mayHaveUploadJunk(part) ? replace(Self.uploadJunk, in: part, with: " ") : part
            let p = parser.parse(screen ? Self.trimmedPart(cleaned) : cleaned.trimmingCharacters(in: CharacterSet(charactersIn: Self.partTrim)))
            for core in [p.core] + bracketVariants(p) {
                // A reading must be text of the full core: qualifiers the parser peeled ("Remastered 2009") are not titles.
                if Self.hasThreeLetters(core), core != parsed.core, Self.containsText(parsed.core, core), !out.contains(core) { out.append(core) }
            }
        }
        return out
    }

    /// Whether `text` contains `part`, as Foundation's `contains` answers: a byte search when both are printable
    /// ASCII (core titles nearly always are; Foundation's search, which copies both into `NSString`s and compares
    /// composed character sequences, finds exactly the byte matches then), Foundation's otherwise.
    static func containsText(_ text: String, _ part: String) -> Bool {
        var text = text, part = part
        let fast: Bool? = text.withUTF8 { t in
            part.withUTF8 { p -> Bool? in
                func printable(_ b: UnsafeBufferPointer<UInt8>) -> Bool { b.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
                guard printable(t), printable(p) else { return nil }
                if p.isEmpty || p.count > t.count { return false }
                let first = p[0]
                var i = 0
                while i + p.count <= t.count {
                    if t[i] == first && memcmp(t.baseAddress! + i, p.baseAddress!, p.count) == 0 { return true }
                    i += 1
                }
                return false
            }
        }
        return fast ?? text.contains(part)
    }

    /// Whether every byte of `text` is printable ASCII (U+0020–U+007E): white space is then only the space, a
    /// Character is a byte, and the byte readings below find what the regular expressions and Foundation find.
    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// `segmentVariants(_:screen: true)` of a printable-ASCII title, with byte scans where the general reading calls
    /// `NSRegularExpression` and Foundation (`ASCIISegments`; ≈ 10% of the line profiles' CPU on the bench's report,
    /// whose user-upload titles go this way). The same readings: the equivalence test compares the two on random
    /// titles built from every separator, quote, extension and track-number form.
    func asciiSegmentVariants(_ parsed: ParsedTitle) -> [String] {
        var text = Array(parsed.latin.utf8)
        if Self.mayHaveUploadJunk(parsed.latin) { text = ASCIISegments.replacingUploadJunk(text) }
        guard Self.mayHaveSegments(String(decoding: text, as: UTF8.self)) else { return [] }
        var parts: [String] = []
        for r in ASCIISegments.quoted(text) where parts.count < Self.maxSegments {
            parts.append(String(decoding: text[r], as: UTF8.self))
        }
        if text.contains(UInt8(ascii: "-")) { text = ASCIISegments.replacingHalfSpacedHyphens(text) }
        for s in ASCIISegments.separators { text = ASCIISegments.replacing(s, in: text) }
        var split = ASCIISegments.components(text)
        let whole = String(decoding: text, as: UTF8.self)
        if split.count == 1, let r = ASCIISegments.lastBy(text) {
            let after = text[r.upperBound...]
            if after.split(separator: UInt8(ascii: " ")).count >= 2 {
                split = [String(decoding: text[..<r.lowerBound], as: UTF8.self), String(decoding: after, as: UTF8.self)]
            }
        }
        if split.count == 1, let halves = Self.unspacedHyphenHalves(whole) { split = halves }
        if split.count > 1 { parts += split.prefix(Self.maxSegments) }
        guard !parts.isEmpty else { return [] }
        var out: [String] = []
        for part in parts {
            let cleaned = Self.mayHaveUploadJunk(part) ? String(decoding: ASCIISegments.replacingUploadJunk(Array(part.utf8)), as: UTF8.self) : part
            let p = parser.parse(Self.trimmedPart(cleaned))
            for core in [p.core] + bracketVariants(p) {
                if Self.hasThreeLetters(core), core != parsed.core, Self.containsText(parsed.core, core), !out.contains(core) { out.append(core) }
            }
        }
        return out
    }

    /// What is trimmed from both ends of a segment: spaces, hyphens and quotes.
    static let partTrim = " -\"'“”‘’«»"
    private static let partTrimScalars = Set(partTrim.unicodeScalars)

    /// `text` without `partTrim`'s scalars at either end (as `trimmingCharacters(in:)` with that set).
    static func trimmedPart(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !partTrimScalars.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !partTrimScalars.contains($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// Whether `text` has at least three Alphabetic scalars (ASCII letters told without the property tables).
    static func hasThreeLetters(_ text: String) -> Bool {
        var n = 0
        for c in text.unicodeScalars {
            let letter = c.isASCII ? ((c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A) : c.properties.isAlphabetic
            if letter {
                n += 1
                if n == 3 { return true }
            }
        }
        return false
    }

    /// Words of the parsed title's core before its first bracketed part that more text follows (after any further
    /// bracketed parts): "The Whisperer (feat. Sia) David Guetta Dance , Music …" → 2, "Remember You (feat. The Weeknd)
    /// [Explicit] Wiz Khalifa Rap …" → 2. Flattened exports and user uploads append the values of other fields (artist,
    /// album, genre, price, label notice) after the title's qualifiers; a title proper rarely goes on after a bracket.
    /// 0 (the whole title) when there is no such bracket, when the bracket opens the title ("(I Can't Get No)
    /// Satisfaction"), when brackets only close it ("Kill Everybody (Bare Noize Remix) [Explicit]"), when they are
    /// unbalanced, or when the core does not start with the folded words before the bracket.
    public func leadWords(_ parsed: ParsedTitle) -> Int {
        let chars = Array(parsed.latin.unicodeScalars)
        @inline(__always) func opener(_ c: Unicode.Scalar) -> Bool { c == "(" || c == "[" || c == "{" }
        @inline(__always) func closer(_ c: Unicode.Scalar) -> Bool { c == ")" || c == "]" || c == "}" }
        @inline(__always) func isText(_ c: Unicode.Scalar) -> Bool { isLetterOrNumber(c) }
        // End (exclusive) of the balanced group opening at `i`, nil when it is not closed.
        func groupEnd(_ i: Int) -> Int? {
            var depth = 0
            var j = i
            while j < chars.count {
                if opener(chars[j]) { depth += 1 } else if closer(chars[j]) { depth -= 1; if depth == 0 { return j + 1 } }
                j += 1
            }
            return nil
        }
        var seenText = false
        for i in chars.indices {
            let c = chars[i]
            if closer(c) { return 0 }
            if !opener(c) {
                if isText(c) { seenText = true }
                continue
            }
            guard seenText, var j = groupEnd(i) else { return 0 }
            // Skip the bracketed groups that follow; then more text must come.
            var more = false
            while j < chars.count {
                let d = chars[j]
                if opener(d) {
                    guard let e = groupEnd(j) else { return 0 }
                    j = e
                    continue
                }
                if isText(d) { more = true; break }
                j += 1
            }
            guard more else { return 0 }
            let head = normalizer.fold(String(String.UnicodeScalarView(chars[..<i]))).split(separator: " ")
            let core = parsed.core.split(separator: " ")
            guard !head.isEmpty, head.count < core.count, core.starts(with: head) else { return 0 }
            return head.count
        }
        return 0
    }

    /// Whether `uploadJunk` can match `text`: each of its alternatives needs a "." (a file extension, "08. ")
    /// or a ")" right after a digit ("3) "). False means replacing it would leave `text` unchanged.
    static func mayHaveUploadJunk(_ text: String) -> Bool {
        var previousIsDigit = false
        for b in text.utf8 {
            if b == UInt8(ascii: ".") || (b == UInt8(ascii: ")") && previousIsDigit) { return true }
            previousIsDigit = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
        }
        return false
    }

    /// Whether `segmentVariants` can find a part in `text` (the title after the upload-junk step): every
    /// quote (`quoted`), hyphen (`halfSpacedHyphen`, " - ", " -- "), separator of `segmentSeparators` and the
    /// " by " split needs one of the ASCII bytes `"` `-` `_` `|` `/` `~` `*`, a non-ASCII byte (the typographic
    /// quotes, dashes and bullet), or the four bytes " by " in any letter case. Without any of them, no
    /// quoted phrase matches, no separator is replaced, `components(separatedBy: " - ")` gives one part and
    /// the " by " search fails (ASCII text: a case-insensitive match of " by " is a byte match up to case).
    static func mayHaveSegments(_ text: String) -> Bool {
        var sawSpace = false, sawSpaceB = false, sawSpaceBY = false
        for b in text.utf8 {
            switch b {
            case 0x80...0xFF, UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "|"), UInt8(ascii: "/"),
                 UInt8(ascii: "~"), UInt8(ascii: "*"):
                return true
            default:
                break
            }
            if b == UInt8(ascii: " ") {
                if sawSpaceBY { return true }
                sawSpace = true
                sawSpaceB = false
                sawSpaceBY = false
                continue
            }
            sawSpaceBY = sawSpaceB && (b == UInt8(ascii: "y") || b == UInt8(ascii: "Y"))
            sawSpaceB = sawSpace && (b == UInt8(ascii: "b") || b == UInt8(ascii: "B"))
            sawSpace = false
        }
        return false
    }

    /// An upload title that joins the artist and the title with a bare hyphen ("Willie Nelson-Hallelujah",
    /// "Loreena McKennitt-Greensleeves", "The Benny Goodman Quartet 1959-Avalon"): its two halves, else nil.
    /// Hyphenated words are far more common than such titles, so only a title with exactly one bare hyphen,
    /// at least two words before it and at least two letters or digits on either side of it qualifies, and
    /// not when a number word touches it: "The Times They Are A-Changin'", "Spider-Man Theme", "Ob-La-Di,
    /// Ob-La-Da" and "The Twenty-Four Hours" are left whole.
    static func unspacedHyphenHalves(_ text: String) -> [String]? {
        let scalars = Array(text.unicodeScalars)
        @inline(__always) func wordScalar(_ c: Unicode.Scalar) -> Bool { isLetterOrNumber(c) }
        var at = -1
        for i in scalars.indices where scalars[i] == "-" {
            guard i > 0, i + 1 < scalars.count, wordScalar(scalars[i - 1]), wordScalar(scalars[i + 1]) else { continue }
            if at >= 0 { return nil }
            at = i
        }
        guard at > 0 else { return nil }
        let left = String(String.UnicodeScalarView(scalars[..<at]))
        let right = String(String.UnicodeScalarView(scalars[(at + 1)...]))
        let leftWords = left.split(separator: " ")
        guard leftWords.count >= 2, let touchingLeft = leftWords.last, let touchingRight = right.split(separator: " ").first else { return nil }
        for w in [touchingLeft, touchingRight] {
            let lower = w.lowercased()
            if w.unicodeScalars.count(where: wordScalar) < 2 || NumberWords.units[lower] != nil || NumberWords.tens[lower] != nil { return nil }
        }
        return [left, right]
    }

    /// Readings of a title with bracketed text that the parser kept as part of the title: the title
    /// without it, and the bracketed text alone when it is long enough to stand as a title.
    /// "(It's No) Sin" → ["sin", "its no"]; "Notturno d'amore (Love's Nocturne)" → ["notturno damore", "loves nocturne"].
        public func bracketVariants(_ parsed: ParsedTitle) -> [String] {
        let latin = parsed.latin
        // A byte scan first (most titles have no bracket); the Character test decides (a bracket followed by a
        // combining mark is another character).
        // (Foundation's `contains` after the Characters: it finds every bracket Character, and is asked only about
        // brackets that are not Characters of their own, as it always was.)
        guard latin.utf8.contains(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "[") }),
              latin.contains(where: { $0 == "(" || $0 == "[" }) || latin.contains("(") || latin.contains("[") else { return [] }
        var outside = ""
        var inside: [String] = []
        var current = ""
        var depth = 0
        for c in latin {
            if c == "(" || c == "[" {
                depth += 1
                if depth == 1 { current = "" }
                continue
            }
            if (c == ")" || c == "]") && depth > 0 {
                depth -= 1
                if depth == 0 { inside.append(current) }
                continue
            }
            if depth > 0 { current.append(c) } else { outside.append(c) }
        }
        var out: [String] = []
        let stripped = parser.parse(outside).core
        if !stripped.isEmpty && stripped != parsed.core { out.append(stripped) }
        for part in inside {
            let core = normalizer.fold(part)
            // Qualifiers ("Live", "Remastered 2011") were peeled by the parser and are not titles.
            if core.count >= 4, Self.containsText(parsed.core, core), !out.contains(core), !Self.isDesignation(core) { out.append(core) }
        }
        return out
    }

    /// Words that name a part or a position rather than a song: "(Part I)", "(Pt. 2)", "(Vol. 3)", "(No. 5)",
    /// "(Op. 27 No. 2)", "(Side A)", "(Parts 1 & 2)".
    static let designationWords: Set<Substring> = [
        "part", "parts", "pt", "pts", "vol", "vols", "volume", "no", "nr", "nos", "number", "op", "opus", "movement", "mvt", "mov",
        "bwv", "kv", "k", "hob", "rv", "d", "act", "scene", "side", "disc", "disk", "cd", "track", "chapter", "ch", "book",
        "episode", "ep", "take", "and", "of", "a", "b", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
        "eighth", "ninth", "tenth", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ]

    /// Whether a bracketed part names only a part or a position — designation words, numbers ("2", "2nd") and
    /// roman numerals — and so is no title of its own: "Come On (Part I)" and "Low Down (Part I)" share
    /// "part i", and a reading made of it would make them the same title (`title_variant_exact`).
    static func isDesignation(_ core: String) -> Bool {
        let words = core.split(separator: " ")
        return words.allSatisfy { w in
            if designationWords.contains(w) { return true }
            let bytes = w.utf8
            if bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return true }
            // An ordinal in digits: 1st, 2nd, 3rd, 4th.
            if let first = bytes.first, first >= 48 && first <= 57, ["st", "nd", "rd", "th"].contains(String(w.drop(while: \.isNumber))) {
                return true
            }
            // Roman numerals up to a few letters (i, ii, iv, xii).
            return bytes.count <= 5 && bytes.allSatisfy { $0 == UInt8(ascii: "i") || $0 == UInt8(ascii: "v") || $0 == UInt8(ascii: "x") }
        }
    }
}

/// Whether `c` is Alphabetic or has a numeric type (a letter or a number in any script), as
/// `c.properties.isAlphabetic || c.properties.numericType != nil`; ASCII without the Unicode property tables (for ASCII,
/// Alphabetic is A–Z and a–z, and only 0–9 has a numeric type), which were ≈ 2% of an index build's profiles.
@inline(__always)
func isLetterOrNumber(_ c: Unicode.Scalar) -> Bool {
    if c.isASCII {
        let v = c.value, lower = v | 0x20
        return (v >= 0x30 && v <= 0x39) || (lower >= 0x61 && lower <= 0x7A)
    }
    return c.properties.isAlphabetic || c.properties.numericType != nil
}

/// The byte readings of `ProfileBuilder.asciiSegmentVariants`: each does on printable ASCII what the general reading's
/// regular expression or Foundation call does (there, white space is the space alone and `\\w` is `[A-Za-z0-9_]`).
enum ASCIISegments {
    @inline(__always) static func isWord(_ b: UInt8) -> Bool {
        let lower = b | 0x20
        return (b >= 0x30 && b <= 0x39) || (lower >= 0x61 && lower <= 0x7A) || b == 0x5F
    }

    /// File extensions of `uploadJunk`, in its order (`mpe?g` as "mpeg", then "mpg").
    static let extensions: [[UInt8]] = ["avi", "wmv", "mp4", "mp3", "flv", "mov", "mkv", "m4a", "webm", "mpeg", "mpg", "3gp"].map { Array($0.utf8) }

    /// `uploadJunk` (`\\.(?:avi|…|3gp)\\b|^\\s*\\d{1,3}[.)]\\s+`, case-insensitive) replaced by a space, every match.
    static func replacingUploadJunk(_ t: [UInt8]) -> [UInt8] {
        let n = t.count
        var out: [UInt8] = []
        out.reserveCapacity(n)
        var i = 0
        // The track number: only at the start (the extension alternative needs a '.' there, this one a space or digit).
        var j = 0
        while j < n && t[j] == 0x20 { j += 1 }
        var k = j
        while k < n && t[k] >= 0x30 && t[k] <= 0x39 { k += 1 }
        if k > j && k - j <= 3 && k < n && (t[k] == UInt8(ascii: ".") || t[k] == UInt8(ascii: ")")) && k + 1 < n && t[k + 1] == 0x20 {
            var e = k + 1
            while e < n && t[e] == 0x20 { e += 1 }
            out.append(0x20)
            i = e
        }
        while i < n {
            if t[i] == UInt8(ascii: "."), let end = extensionEnd(t, dot: i) {
                out.append(0x20)
                i = end
                continue
            }
            out.append(t[i])
            i += 1
        }
        return out
    }

    /// The end of a file extension after the '.' at `dot`, followed by a word boundary; nil when none is there.
    static func extensionEnd(_ t: [UInt8], dot: Int) -> Int? {
        let n = t.count
        for ext in extensions {
            let end = dot + 1 + ext.count
            guard end <= n else { continue }
            var same = true
            for (m, c) in ext.enumerated() {
                let b = t[dot + 1 + m]
                let lower = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
                if lower != c {
                    same = false
                    break
                }
            }
            // The extension ends with a word character: a boundary needs the end or a non-word character after it.
            if same && (end == n || !isWord(t[end])) { return end }
        }
        return nil
    }

    /// The ranges of `quoted`'s group 1 (`"([^"]{3,})"`; the other quote characters are not ASCII), left to right.
    static func quoted(_ t: [UInt8]) -> [Range<Int>] {
        let n = t.count
        var out: [Range<Int>] = []
        var i = 0
        while i < n {
            if t[i] == 0x22 {
                var j = i + 1
                while j < n && t[j] != 0x22 { j += 1 }
                if j < n && j - (i + 1) >= 3 {
                    out.append((i + 1)..<j)
                    i = j + 1
                    continue
                }
            }
            i += 1
        }
        return out
    }

    /// `halfSpacedHyphen` (`(?<=\\S)-\\s+|\\s+-(?=\\S)`) replaced by " - ", every match (the look-behind reads the
    /// original text).
    static func replacingHalfSpacedHyphens(_ t: [UInt8]) -> [UInt8] {
        let n = t.count
        var out: [UInt8] = []
        out.reserveCapacity(n + 8)
        let spaced: [UInt8] = [0x20, 0x2D, 0x20]
        var i = 0
        while i < n {
            if t[i] == 0x2D && i > 0 && t[i - 1] != 0x20 && i + 1 < n && t[i + 1] == 0x20 {
                var j = i + 1
                while j < n && t[j] == 0x20 { j += 1 }
                out += spaced
                i = j
                continue
            }
            if t[i] == 0x20 {
                var j = i
                while j < n && t[j] == 0x20 { j += 1 }
                if j + 1 < n && t[j] == 0x2D && t[j + 1] != 0x20 {
                    out += spaced
                    i = j + 1
                    continue
                }
            }
            out.append(t[i])
            i += 1
        }
        return out
    }

    /// The ASCII separators of `segmentSeparators` after " - ", in its order.
    static let separators: [[UInt8]] = ProfileBuilder.segmentSeparators.dropFirst().filter { $0.utf8.allSatisfy { $0 < 0x80 } }.map { Array($0.utf8) }

    /// Every occurrence of `s` in `t` (left to right, not overlapping) replaced by " - ", as `replacingOccurrences`.
    static func replacing(_ s: [UInt8], in t: [UInt8]) -> [UInt8] {
        guard let first = firstIndex(of: s, in: t, from: 0) else { return t }
        var out = Array(t[..<first])
        out.reserveCapacity(t.count + 8)
        var i = first
        while let at = firstIndex(of: s, in: t, from: i) {
            out += t[i..<at]
            out += [0x20, 0x2D, 0x20]
            i = at + s.count
        }
        out += t[i...]
        return out
    }

    static func firstIndex(of s: [UInt8], in t: [UInt8], from: Int) -> Int? {
        guard !s.isEmpty, t.count >= s.count else { return nil }
        var i = from
        while i + s.count <= t.count {
            if t[i] == s[0] {
                var k = 1
                while k < s.count && t[i + k] == s[k] { k += 1 }
                if k == s.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// `components(separatedBy: " - ")`.
    static func components(_ t: [UInt8]) -> [String] {
        let s: [UInt8] = [0x20, 0x2D, 0x20]
        var out: [String] = []
        var i = 0
        while let at = firstIndex(of: s, in: t, from: i) {
            out.append(String(decoding: t[i..<at], as: UTF8.self))
            i = at + 3
        }
        out.append(String(decoding: t[i...], as: UTF8.self))
        return out
    }

    /// The range of the last " by " in `t`, letters compared case-insensitively (`range(of:options: [.caseInsensitive,
    /// .backwards])`).
    static func lastBy(_ t: [UInt8]) -> Range<Int>? {
        var i = t.count - 4
        while i >= 0 {
            if t[i] == 0x20 && t[i + 1] | 0x20 == 0x62 && t[i + 2] | 0x20 == 0x79 && t[i + 3] == 0x20 { return i..<(i + 4) }
            i -= 1
        }
        return nil
    }
}
