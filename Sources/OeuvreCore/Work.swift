/// The kind of a work title, following CWR title types where they exist.
public enum TitleKind: String, Sendable, Hashable, Codable {
    /// The work's original title (CWR NWR/REV work title).
    case original
    /// An alternate title; `cwrType` keeps the CWR code (AT, TT, FT, OL, AL, RT, …).
    case alternate
    /// A title under which a recording of the work was reported or released.
    case recording
    /// A title learned from an accepted review decision.
    case learned
}

/// One title of a work.
public struct WorkTitle: Sendable, Hashable, Codable {
    public var text: String
    public var kind: TitleKind
    /// CWR title type code for alternates (`AT`, `TT`, …) when known.
    public var cwrType: String?
    /// Language code when known.
    public var language: String?

    public init(text: String, kind: TitleKind, cwrType: String? = nil, language: String? = nil) {
        self.text = text
        self.kind = kind
        self.cwrType = cwrType
        self.language = language
    }
}

/// A writer or publisher of a work.
public struct Party: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        case writer, publisher
    }
    public var name: String
    public var role: Role
    /// CWR designation code (`CA`, `C`, `A`, `AR`, `E`, `AM`, `SE`, …) when known.
    public var designation: String?
    /// IPI name number as given (kept even when its check digit is wrong; see `ipiValid`).
    public var ipiName: String?
    public var ipiBase: String?
    public var controlled: Bool
    /// Performing-right ownership share in percent, when known.
    public var prShare: Double?
    public var ipiValid: Bool

    public init(
        name: String, role: Role, designation: String? = nil, ipiName: String? = nil, ipiBase: String? = nil,
        controlled: Bool = false, prShare: Double? = nil, ipiValid: Bool = true
    ) {
        self.name = name
        self.role = role
        self.designation = designation
        self.ipiName = ipiName
        self.ipiBase = ipiBase
        self.controlled = controlled
        self.prShare = prShare
        self.ipiValid = ipiValid
    }
}

/// A recording of a work as the catalogue knows it.
public struct Recording: Sendable, Hashable, Codable {
    public var isrc: String?
    public var title: String?
    public var artist: String?
    /// Seconds.
    public var duration: Int?
    public var label: String?
    public var release: String?
    /// Release date of `release` (free format; see `ReleaseDateParser`).
    public var releaseDate: String?

    public init(
        isrc: String? = nil, title: String? = nil, artist: String? = nil, duration: Int? = nil, label: String? = nil,
        release: String? = nil, releaseDate: String? = nil
    ) {
        self.isrc = isrc
        self.title = title
        self.artist = artist
        self.duration = duration
        self.label = label
        self.release = release
        self.releaseDate = releaseDate
    }
}

/// A musical work in the catalogue: the composition that royalties are paid for.
public struct Work: Sendable, Hashable, Codable {
    /// The society's work code or the submitter's work number: the catalogue key.
    public var id: String
    /// Canonical ISWC (`T0345246801`) when known and valid.
    public var iswc: String?
    /// All titles; the first `.original` one is the main title.
    public var titles: [WorkTitle]
    public var parties: [Party]
    /// Performers known for the work (CWR PER, works-CSV `performers`).
    public var performers: [String]
    public var recordings: [Recording]
    /// Seconds.
    public var duration: Int?
    public var source: String?

    public init(
        id: String, iswc: String? = nil, titles: [WorkTitle], parties: [Party] = [], performers: [String] = [],
        recordings: [Recording] = [], duration: Int? = nil, source: String? = nil
    ) {
        self.id = id
        self.iswc = iswc
        self.titles = titles
        self.parties = parties
        self.performers = performers
        self.recordings = recordings
        self.duration = duration
        self.source = source
    }

    /// The original title (or the first title when none is marked original).
    public var title: String {
        titles.first(where: { $0.kind == .original })?.text ?? titles.first?.text ?? ""
    }

    public var writers: [Party] { parties.filter { $0.role == .writer } }
}
