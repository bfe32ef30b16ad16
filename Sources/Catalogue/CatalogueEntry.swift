import Formats
import OeuvreCore

/// Everything the catalogue stores about one work: the `Work` fields plus CWR details (IPI base
/// numbers, shares, territories, keys, origins, …) and identifier validity flags.
///
/// Entries are what imports write and what `CatalogueStore.entry(id:)` / `oeuvre catalog show`
/// read back; matching code uses the lighter `Work` (`CatalogueStore.allWorks()`).
public struct CatalogueEntry: Sendable, Hashable, Codable {
    /// A title other than the original: alternate (with CWR type), recording or learned.
    public struct Title: Sendable, Hashable, Codable {
        public var text: String
        public var kind: TitleKind
        public var cwrType: String?
        public var language: String?
        public init(text: String, kind: TitleKind, cwrType: String? = nil, language: String? = nil) {
            self.text = text
            self.kind = kind
            self.cwrType = cwrType
            self.language = language
        }
    }

    /// A writer or publisher with its identifiers, role and shares.
    public struct Party: Sendable, Hashable, Codable {
        public var role: OeuvreCore.Party.Role
        /// Display name (`FIRST LAST` for CWR writers).
        public var name: String
        public var lastName: String?
        public var firstName: String?
        /// Writer designation (`CA`, `C`, `A`, …) or publisher type (`E`, `AM`, `SE`, …).
        public var designation: String?
        /// Submitter's interested party # (CWR).
        public var interestedParty: String?
        public var ipiName: String?
        public var ipiNameValid: Bool = true
        public var ipiBase: String?
        public var ipiBaseValid: Bool = true
        public var controlled: Bool = false
        public var unknown: Bool = false
        public var prSociety: String?
        public var mrSociety: String?
        public var srSociety: String?
        /// Ownership shares in percent.
        public var prShare: Double?
        public var mrShare: Double?
        public var srShare: Double?
        /// Publisher chain (CWR publisher sequence #).
        public var chain: Int?
        /// For writers: interested party #s of linked publishers (CWR PWR).
        public var publishers: [String] = []
        /// CWR SPT/SWT territory lines.
        public var territories: [CWRTerritory] = []

        public init(role: OeuvreCore.Party.Role, name: String) {
            self.role = role
            self.name = name
        }
    }

    public struct Performer: Sendable, Hashable, Codable {
        public var name: String
        public var ipiName: String?
        public var ipiNameValid: Bool = true
        public var ipiBase: String?
        public var ipiBaseValid: Bool = true
        public init(name: String) { self.name = name }
    }

    public struct Recording: Sendable, Hashable, Codable {
        public var isrc: String?
        public var isrcValid: Bool = true
        public var title: String?
        public var versionTitle: String?
        public var artist: String?
        /// Seconds.
        public var duration: Int?
        public var label: String?
        /// Album / release title.
        public var release: String?
        public var releaseDate: String?
        public var catalogNumber: String?
        public var ean: String?
        public var mediaType: String?
        public var submitterRecordingID: String?
        public init(isrc: String? = nil) { self.isrc = isrc }
    }

    /// Another key the work is known by: a submitter work # (scoped by sender), a society work code
    /// (scoped by society), an XRF identifier (scoped by organisation).
    public struct Key: Sendable, Hashable, Codable {
        /// `submitter`, `society` or `xrf`.
        public var kind: String
        public var scope: String
        public var value: String
        public init(kind: String, scope: String, value: String) {
            self.kind = kind
            self.scope = scope
            self.value = value
        }
    }

    public var workID: String
    /// ISWC: canonical when valid, as given when not (`iswcValid == false`).
    public var iswc: String?
    public var iswcValid: Bool = true
    public var title: String
    public var language: String?
    /// Seconds.
    public var duration: Int?
    /// `cwr` or `csv`.
    public var source: String
    /// CWR sender (HDR sender ID) of the latest registration.
    public var sender: String?
    public var submitterWorkNumber: String?
    /// CWR ACK transaction status (`AS`, `AC`, `RJ`, …) when the work came from an acknowledgement.
    public var status: String?
    /// Further CWR work fields (`version_type`, `distribution_category`, `composite_type`, …).
    public var attributes: [String: String] = [:]
    public var titles: [Title] = []
    public var parties: [Party] = []
    public var performers: [Performer] = []
    public var recordings: [Recording] = []
    public var origins: [CWROrigin] = []
    public var originalWorks: [CWROriginalWork] = []
    public var keys: [Key] = []

    public init(workID: String, title: String, source: String) {
        self.workID = workID
        self.title = title
        self.source = source
    }

    /// The lighter `Work` value used by matching.
    ///
    /// Titles: original first, then the stored alternate, recording and learned titles in order.
    /// Parties with an empty name (CWR "unknown" writers/publishers) are left out.
    public var work: Work {
        var titles = [WorkTitle(text: title, kind: .original, language: language)]
        titles += self.titles.map { WorkTitle(text: $0.text, kind: $0.kind, cwrType: $0.cwrType, language: $0.language) }
        let parties = self.parties.filter { !$0.name.isEmpty }.map { p in
            OeuvreCore.Party(name: p.name, role: p.role, designation: p.designation, ipiName: p.ipiName, ipiBase: p.ipiBase,
                             controlled: p.controlled, prShare: p.prShare, ipiValid: p.ipiNameValid && p.ipiBaseValid)
        }
        let recordings = self.recordings.map { r in
            OeuvreCore.Recording(isrc: r.isrcValid ? r.isrc : nil, title: r.title, artist: r.artist, duration: r.duration,
                                 label: r.label, release: r.release)
        }
        return Work(id: workID, iswc: iswcValid ? iswc : nil, titles: titles, parties: parties, performers: performers.map(\.name),
                    recordings: recordings, duration: duration, source: source)
    }

    /// Valid ISRCs of the entry's recordings, in order, without duplicates.
    public var validISRCs: [String] {
        if recordings.count > 16 {
            var seen: Set<String> = []
            return recordings.compactMap { r in
                guard r.isrcValid, let i = r.isrc, seen.insert(i).inserted else { return nil }
                return i
            }
        }
        // The usual handful: a linear check beats hashing into a fresh set.
        var out: [String] = []
        for r in recordings where r.isrcValid {
            if let i = r.isrc, !out.contains(i) { out.append(i) }
        }
        return out
    }

    /// Number of identifiers flagged invalid on the entry.
    public var invalidIdentifierCount: Int {
        var n = (iswc != nil && !iswcValid) ? 1 : 0
        for p in parties {
            if p.ipiName != nil && !p.ipiNameValid { n += 1 }
            if p.ipiBase != nil && !p.ipiBaseValid { n += 1 }
        }
        for p in performers {
            if p.ipiName != nil && !p.ipiNameValid { n += 1 }
            if p.ipiBase != nil && !p.ipiBaseValid { n += 1 }
        }
        for r in recordings where r.isrc != nil && !r.isrcValid { n += 1 }
        for o in originalWorks where o.iswc != nil && !o.iswcValid { n += 1 }
        return n
    }
}

extension CatalogueEntry {
    /// An entry from a CWR work record.
    ///
    /// Recording titles (CWR 2.2 REC) that are not already a title of the work become `.recording`
    /// titles; recording artists fall back to nothing (PER performers are kept separately).
    public init(cwr w: CWRWork, workID: String, sender: String?) {
        self.init(workID: workID, title: w.title, source: "cwr")
        iswc = w.iswc
        iswcValid = w.iswcValid
        language = w.language
        duration = w.duration
        self.sender = sender
        submitterWorkNumber = w.submitterWorkNumber
        var attributes: [String: String] = [:]
        let pairs: [(String, String?)] = [
            ("copyright_date", w.copyrightDate), ("distribution_category", w.distributionCategory), ("recorded", w.recorded),
            ("text_music_relationship", w.textMusicRelationship), ("composite_type", w.compositeType),
            ("version_type", w.versionType), ("excerpt_type", w.excerptType), ("music_arrangement", w.musicArrangement),
            ("lyric_adaptation", w.lyricAdaptation), ("work_type", w.workType), ("opus_number", w.opusNumber),
            ("catalogue_number", w.catalogueNumber), ("transaction", w.kind.rawValue),
        ]
        for (k, v) in pairs { if let v { attributes[k] = v } }
        self.attributes = attributes
        var seen: Set<String> = [w.title.uppercased()]
        for t in w.alternateTitles {
            seen.insert(t.text.uppercased())
            titles.append(Title(text: t.text, kind: .alternate, cwrType: t.type, language: t.language))
        }
        for r in w.recordings {
            if let t = r.recordingTitle, seen.insert(t.uppercased()).inserted {
                titles.append(Title(text: t, kind: .recording))
            }
        }
        for p in w.writers + w.publishers {
            var e = Party(role: p.role, name: p.name)
            e.lastName = p.lastName.isEmpty ? nil : p.lastName
            e.firstName = p.firstName
            e.designation = p.designation
            e.interestedParty = p.interestedParty
            e.ipiName = p.ipiName
            e.ipiNameValid = p.ipiNameValid
            e.ipiBase = p.ipiBase
            e.ipiBaseValid = p.ipiBaseValid
            e.controlled = p.controlled
            e.unknown = p.unknown
            e.prSociety = p.prSociety
            e.mrSociety = p.mrSociety
            e.srSociety = p.srSociety
            e.prShare = p.prShare
            e.mrShare = p.mrShare
            e.srShare = p.srShare
            e.chain = p.chain
            e.publishers = p.publishers
            e.territories = p.territories
            parties.append(e)
        }
        performers = w.performers.map { p in
            var e = Performer(name: p.name)
            e.ipiName = p.ipiName
            e.ipiNameValid = p.ipiNameValid
            e.ipiBase = p.ipiBase
            e.ipiBaseValid = p.ipiBaseValid
            return e
        }
        recordings = w.recordings.map { r in
            var e = Recording(isrc: r.isrc)
            e.isrcValid = r.isrcValid
            e.title = r.recordingTitle
            e.versionTitle = r.versionTitle
            e.artist = r.displayArtist
            e.duration = r.releaseDuration
            e.label = r.recordLabel ?? r.albumLabel
            e.release = r.albumTitle
            e.releaseDate = r.releaseDate
            e.catalogNumber = r.catalogNumber
            e.ean = r.ean
            e.mediaType = r.mediaType
            e.submitterRecordingID = r.submitterRecordingID
            return e
        }
        origins = w.origins
        originalWorks = w.originalWorks
        keys.append(Key(kind: "submitter", scope: sender ?? "", value: w.submitterWorkNumber))
        for x in w.crossReferences where x.type == "W" && x.validity != "N" {
            keys.append(Key(kind: "xrf", scope: x.organisation, value: x.identifier))
        }
    }

    /// An entry from a works-CSV row. `invalidISWC` is the raw ISWC when its check failed.
    public init(csv work: Work, invalidISWC: String?) {
        self.init(workID: work.id, title: work.title, source: work.source ?? "csv")
        if let i = work.iswc {
            iswc = i
        } else if let raw = invalidISWC {
            iswc = raw
            iswcValid = false
        }
        duration = work.duration
        titles = work.titles.filter { $0.kind != .original }.map { Title(text: $0.text, kind: $0.kind, cwrType: $0.cwrType, language: $0.language) }
        parties = work.parties.map { p in
            var e = Party(role: p.role, name: p.name)
            e.designation = p.designation
            e.ipiName = p.ipiName
            e.ipiNameValid = p.ipiValid
            e.ipiBase = p.ipiBase
            e.controlled = p.controlled
            e.prShare = p.prShare
            return e
        }
        performers = work.performers.map { Performer(name: $0) }
        recordings = work.recordings.map { r in
            var e = Recording(isrc: r.isrc)
            e.title = r.title
            e.artist = r.artist
            e.duration = r.duration
            e.label = r.label
            e.release = r.release
            return e
        }
    }
}
