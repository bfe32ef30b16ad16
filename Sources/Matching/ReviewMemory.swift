import OeuvreCore

/// What reviewers decided about recordings, looked up by the matcher so that a recording a person has
/// already decided is not sent back to review with the same candidates every month.
///
/// A decision is remembered under the line's ISRC, or under its normalized metadata (core title, version tags,
/// artists: `metadataKey`, the grouping key without the ISRC) when the line had no ISRC. A later line with an ISRC
/// finds decisions by its ISRC, a line without one by its metadata (`decision(isrc:profile:)`). The latest decision
/// for a key wins.
///
/// What the matcher does with it (`MatchPipeline.matchBatch`):
/// - candidates the reviewer was shown and did not choose are dropped from the line's candidates (a person said they
///   are not the work), before the decision and the namesake rules look at them;
/// - a recording whose accepted work is among its candidates is auto-matched to it (reason `reviewed`), as an ISRC
///   link would be; accepted lines with an ISRC also got a link at import, which decides them before retrieval;
/// - a recording decided `none` whose remaining candidates stay below the review threshold is `none` with reason
///   `reviewed-none`. A work added to the catalogue since (or one the reviewer was not shown) can still send the line
///   to review or auto-match it: the decision covers what the reviewer saw.
public struct ReviewMemory: Sendable {
    public struct Decision: Sendable, Hashable {
        /// The accepted work id; nil when the reviewer decided `none`.
        public var accepted: String?
        /// Work ids shown to the reviewer and not chosen.
        public var rejected: Set<String>
        /// Order of the decision (the review log's sequence number): the later decision for a key wins.
        public var sequence: Int64
        /// `accepted` and `rejected` as ordinals of the index the memory was resolved in (`resolved(in:)`); works
        /// no longer in the catalogue are left out.
        public internal(set) var acceptedWork: Int?
        public internal(set) var rejectedWorks: Set<Int> = []

        public init(accepted: String?, rejected: Set<String>, sequence: Int64) {
            self.accepted = accepted
            self.rejected = rejected.subtracting(accepted.map { [$0] } ?? [])
            self.sequence = sequence
        }
    }

    private var byISRC: [UInt64: Decision] = [:]
    private var byMetadata: [String: Decision] = [:]
    /// The index whose ordinals `acceptedWork` / `rejectedWorks` hold.
    private(set) var resolvedIndex: ObjectIdentifier?

    public init() {}

    /// The memory with its work ids resolved to ordinals of `index` (one pass over the index's work ids).
    public func resolved(in index: MatchIndex) -> ReviewMemory {
        if resolvedIndex == ObjectIdentifier(index) { return self }
        var copy = self
        copy.resolvedIndex = ObjectIdentifier(index)
        guard !isEmpty else { return copy }
        var ids: Set<String> = []
        for d in byISRC.values { ids.formUnion(d.rejected); if let a = d.accepted { ids.insert(a) } }
        for d in byMetadata.values { ids.formUnion(d.rejected); if let a = d.accepted { ids.insert(a) } }
        let ordinals = index.ordinals(ofWorkIds: ids)
        func resolve(_ d: inout Decision) {
            d.acceptedWork = d.accepted.flatMap { ordinals[$0] }
            d.rejectedWorks = Set(d.rejected.compactMap { ordinals[$0] })
        }
        for k in copy.byISRC.keys { resolve(&copy.byISRC[k]!) }
        for k in copy.byMetadata.keys { resolve(&copy.byMetadata[k]!) }
        return copy
    }

    public var isEmpty: Bool { byISRC.isEmpty && byMetadata.isEmpty }
    /// Distinct keys remembered (ISRCs and metadata keys).
    public var count: Int { byISRC.count + byMetadata.count }

    /// Artist values that name no one: a decision about "Intro" by "Various Artists" says nothing about the next one.
    static let placeholderArtists: Set<String> = [
        "various artists", "various", "va", "v a", "unknown", "unknown artist", "anonymous", "anon", "traditional", "trad",
        "artist", "n a", "na", "none", "no artist",
    ]

    /// The metadata key of a recording: core title, sorted version tags and sorted distinct artists (the grouping
    /// key of `RecordingGrouper` without the ISRC). Nil for a line without a title or without an artist that names
    /// someone: without an ISRC either, a decision about it is not remembered.
    public static func metadataKey(_ p: LineProfile) -> String? { metadataKey(title: p.title, tags: p.tags, artists: p.artists) }

    /// `metadataKey` of a profile with this core title, these tags and artists (`ProfileBuilder.recordingFields`).
    public static func metadataKey(title: String, tags: [String], artists: [String]) -> String? {
        guard !title.isEmpty, artists.contains(where: { !placeholderArtists.contains($0) }) else { return nil }
        var k = title
        k += "\u{1}"
        k += tags.sorted().joined(separator: ",")
        k += "\u{1}"
        k += Array(Set(artists)).sorted().joined(separator: ",")
        return k
    }

    /// Remembers a decision about the recording of `profile` (its ISRC is `isrc`, as reported): under the ISRC when it
    /// is one, else under the metadata. An earlier decision (lower `sequence`) under the same key is replaced; a later
    /// one is kept.
    ///
    /// Keys never cross: the same title by the same artist under another ISRC, or without one, is often another work
    /// ("Intro" and "Interlude" on each album of an artist, a re-recording). A decision carried over would auto-match
    /// the wrong work by its acceptance, or by its rejections take away the namesake that kept the line in review.
    public mutating func record(isrc: String?, profile: LineProfile, _ decision: Decision) {
        record(isrc: isrc, metadataKey: Self.metadataKey(profile), decision)
    }

    /// `record` with the metadata key already made (`metadataKey(title:tags:artists:)`; nil: not remembered without
    /// an ISRC).
    public mutating func record(isrc: String?, metadataKey: String?, _ decision: Decision) {
        if let key = isrc.flatMap(ISRCKey.pack) {
            if (byISRC[key]?.sequence ?? .min) < decision.sequence { byISRC[key] = decision }
        } else if let key = metadataKey {
            if (byMetadata[key]?.sequence ?? .min) < decision.sequence { byMetadata[key] = decision }
        }
    }

    /// The decision remembered for a recording: by its ISRC when the line has one, else by its metadata (see
    /// `record`: keys never cross; measured on generated months in docs/REVIEW.md).
    public func decision(isrc: String?, profile: LineProfile) -> Decision? {
        guard !isEmpty else { return nil }
        if let key = isrc.flatMap(ISRCKey.pack) { return byISRC[key] }
        return Self.metadataKey(profile).flatMap { byMetadata[$0] }
    }
}

extension ReviewMemory {
    /// An ISRC as the decisions are looked up by (`ReviewDecisionSource`): upper case without hyphens; nil when it is not
    /// one (`ISRCKey.pack` fails: such a line is remembered by its metadata).
    public static func canonicalISRC(_ isrc: String) -> String? {
        guard ISRCKey.pack(isrc) != nil else { return nil }
        return String(decoding: isrc.utf8.compactMap { $0 == 45 ? nil : (97...122).contains($0) ? $0 - 32 : $0 }, as: UTF8.self)
    }
}

/// Where a match reads reviewers' decisions from, report by report (`MatchOptions.reviewSource`): a catalogue can hold
/// millions, and a report needs those about its own recordings.
public protocol ReviewDecisionSource: Sendable {
    /// The decisions about recordings with these ISRCs (`ReviewMemory.canonicalISRC`) and, for recordings without one,
    /// these metadata keys (`ReviewMemory.metadataKey`). The memory may hold more (every decision).
    func memory(isrcs: [String], metadataKeys: [String]) throws(OeuvreError) -> ReviewMemory
    /// Whether there is no decision at all (a run then makes no keys to ask with).
    func isEmpty() throws(OeuvreError) -> Bool
}
