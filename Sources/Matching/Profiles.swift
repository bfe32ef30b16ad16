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

    public init(title: String, tags: [String] = [], artists: [String] = [], featured: [String] = [], writers: [String] = [],
                writerIPIs: [String] = [], medleyParts: [String] = [], originalArtists: [String] = [], duration: Int? = nil,
                isrc: String? = nil, iswc: String? = nil) {
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
    }
}

/// What the matcher knows about one catalogue work after normalization.
public struct WorkProfile: Sendable, Hashable, Codable {
    public var workId: String
    public var iswc: String?
    /// Display title (original) as in the catalogue, for results files.
    public var displayTitle: String
    /// Normalized core titles, original first, then alternates, recording and learned titles; no duplicates.
    public var titles: [String]
    /// Version tags found in the catalogue titles (a registered "Instrumental" work, a karaoke work, …).
    public var titleTags: [String]
    /// Normalized performer names (catalogue performers and recording artists).
    public var performers: [String]
    /// Normalized writer names.
    public var writers: [String]
    /// Writer IPI name numbers (canonical).
    public var writerIPIs: [String]
    /// Seconds.
    public var duration: Int?
    /// ISRCs of the work's known recordings.
    public var isrcs: [String]

    public init(workId: String, iswc: String? = nil, displayTitle: String, titles: [String], titleTags: [String] = [],
                performers: [String] = [], writers: [String] = [], writerIPIs: [String] = [], duration: Int? = nil,
                isrcs: [String] = []) {
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

    /// Profile of a usage line: title parsed (subtitle as a qualifier), artists split, featured merged.
    public func line(_ line: UsageLine) -> LineProfile {
        let parsed = parser.parse(line.title, subtitle: line.subtitle)
        var artists = line.artist.map { credits.split($0, kind: .artist) } ?? []
        for f in parsed.featured where !artists.contains(f) { artists.append(f) }
        var writers: [String] = []
        for w in line.writers {
            for name in credits.split(w, kind: .writer) where !writers.contains(name) { writers.append(name) }
        }
        let ipis = line.writerIds.compactMap { IPINameNumber.parse($0)?.value }
        return LineProfile(title: parsed.core, tags: parsed.tags, artists: artists, featured: parsed.featured, writers: writers,
                           writerIPIs: ipis, medleyParts: parsed.medleyParts, originalArtists: parsed.originalArtists,
                           duration: line.duration, isrc: line.isrc, iswc: line.iswc)
    }

    /// Profile of a work: every title parsed to its core, performers and recording artists folded.
    public func work(_ work: Work) -> WorkProfile {
        var titles: [String] = []
        var tags: [String] = []
        let ordered = work.titles.filter { $0.kind == .original } + work.titles.filter { $0.kind != .original }
        for t in ordered {
            let p = parser.parse(t.text)
            if !p.core.isEmpty && !titles.contains(p.core) { titles.append(p.core) }
            if t.kind == .original { for tag in p.tags where !tags.contains(tag) { tags.append(tag) } }
        }
        for r in work.recordings {
            if let rt = r.title {
                let core = parser.parse(rt).core
                if !core.isEmpty && !titles.contains(core) { titles.append(core) }
            }
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
        return WorkProfile(workId: work.id, iswc: work.iswc, displayTitle: work.title, titles: titles, titleTags: tags,
                           performers: performers, writers: writers, writerIPIs: ipis, duration: work.duration,
                           isrcs: work.recordings.compactMap(\.isrc))
    }
}
