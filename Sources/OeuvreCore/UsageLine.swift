/// One reported use of a recording: the unit a usage report is made of.
public struct UsageLine: Sendable, Hashable, Codable {
    public var lineId: String
    public var isrc: String?
    public var title: String
    /// Subtitle / version descriptor when the report gives it separately (DSR `SubTitle`).
    public var subtitle: String?
    /// Display artist string as reported.
    public var artist: String?
    /// Seconds.
    public var duration: Int?
    public var plays: Double
    public var iswc: String?
    /// Composer/author names as reported (`|`-separated in the file contracts).
    public var writers: [String]
    /// Composer/author party ids as reported (e.g. `IPI::00014107338`), parallel to `writers` when given.
    public var writerIds: [String]
    public var album: String?
    /// Release date of the recording's release as reported (free format; see `ReleaseDateParser`).
    public var releaseDate: String?
    public var territory: String?
    public var useType: String?
    public var commercialModel: String?
    public var netRevenue: Double?
    public var dspResourceId: String?
    public var position: SourcePosition?
    /// Musical works the report itself names for this recording (DSR AS02 inline work, MW01 records),
    /// in report order; a DSP-built medley carries several. `iswc`/`writers` summarise them.
    public var works: [ReportedWork]

    public init(
        lineId: String, isrc: String? = nil, title: String, subtitle: String? = nil, artist: String? = nil,
        duration: Int? = nil, plays: Double = 1, iswc: String? = nil, writers: [String] = [], writerIds: [String] = [],
        album: String? = nil, territory: String? = nil, useType: String? = nil, commercialModel: String? = nil,
        netRevenue: Double? = nil, dspResourceId: String? = nil, position: SourcePosition? = nil,
        works: [ReportedWork] = [], releaseDate: String? = nil
    ) {
        self.lineId = lineId
        self.isrc = isrc
        self.title = title
        self.subtitle = subtitle
        self.artist = artist
        self.duration = duration
        self.plays = plays
        self.iswc = iswc
        self.writers = writers
        self.writerIds = writerIds
        self.album = album
        self.territory = territory
        self.useType = useType
        self.commercialModel = commercialModel
        self.netRevenue = netRevenue
        self.dspResourceId = dspResourceId
        self.position = position
        self.works = works
        self.releaseDate = releaseDate
    }
}

/// A musical work as a usage report describes it (DSR `AS02` work cells or an `MW01` record).
public struct ReportedWork: Sendable, Hashable, Codable {
    /// Work title as reported (empty for an `AS02` inline work, which has no title of its own).
    public var title: String
    public var iswc: String?
    /// Composer/author names.
    public var writers: [String]
    /// Composer/author party ids (`IPI::…`, `ISNI::…`), parallel to `writers` when the report gives them.
    public var writerIds: [String]
    /// The DSP's or a proprietary work id (`DspWorkId`, `ProprietaryWorkId`) when given.
    public var workId: String?

    public init(title: String = "", iswc: String? = nil, writers: [String] = [], writerIds: [String] = [], workId: String? = nil) {
        self.title = title
        self.iswc = iswc
        self.writers = writers
        self.writerIds = writerIds
        self.workId = workId
    }
}

/// Routing of a usage line after scoring.
public enum Decision: String, Sendable, Hashable, Codable, CaseIterable {
    case auto, review, none
}
