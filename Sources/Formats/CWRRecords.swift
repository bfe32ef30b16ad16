import OeuvreCore

// Values produced by `CWRReader`: one `CWRTransaction` per NWR/REV/ISW/EXC/ACK transaction, with the
// work it describes and every detail record Oeuvre keeps. Field positions are in FORMATS.md §2.3;
// text is right-trimmed, blank fields are nil, numeric fields are parsed.

/// CWR version of a group (from GRH, cross-checked with HDR).
public enum CWRVersion: String, Sendable, Hashable, Codable {
    /// CWR 2.0 (`02.00`); read with the 2.1 layout (2.1 only appended fields).
    case v20 = "2.0"
    case v21 = "2.1"
    case v22 = "2.2"
}

/// Transaction types Oeuvre reads.
public enum CWRTransactionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// New work registration.
    case nwr = "NWR"
    /// Revised registration (replaces the whole work).
    case rev = "REV"
    /// Notification of ISWC assigned to a work.
    case isw = "ISW"
    /// Existing work in conflict (sent back with an ACK).
    case exc = "EXC"
    /// Acknowledgement; embeds the work as processed (NWR/REV) and optional EXC.
    case ack = "ACK"
}

/// The HDR record.
public struct CWRHeader: Sendable, Hashable, Codable {
    /// `PB`, `SO`, `AA`, `WR` (or digits when an 11-digit IPI name # spills into it).
    public var senderType: String
    /// Society code or publisher IPI name # (11 digits when the spill-over workaround is used).
    public var senderID: String
    public var senderName: String
    public var creationDate: String?
    public var creationTime: String?
    public var transmissionDate: String?
    public var characterSet: String?
    /// `2.2` when the HDR carries the 2.2 version field, else nil.
    public var declaredVersion: String?
    public var softwarePackage: String?
    public var softwareVersion: String?
}

/// A title of a work: ALT (alternate) or NAT (non-Roman alphabet) record.
public struct CWRTitle: Sendable, Hashable, Codable {
    public var text: String
    /// CWR title type (`AT`, `TE`, `FT`, `IT`, `TT`, `PT`, `RT`, `ET`, `OL`, `AL`, `OT` for NAT).
    public var type: String
    public var language: String?
    /// `ALT` or `NAT`.
    public var record: String

    public init(text: String, type: String, language: String? = nil, record: String = "ALT") {
        self.text = text
        self.type = type
        self.language = language
        self.record = record
    }
}

/// A territory line of a party (SPT/SWT): collection shares in percent for one TIS territory.
public struct CWRTerritory: Sendable, Hashable, Codable {
    /// `I` inclusion or `E` exclusion.
    public var inclusion: String
    /// TIS numeric territory code (`2136` = World).
    public var tis: String
    public var prCollection: Double?
    public var mrCollection: Double?
    public var srCollection: Double?

    public init(inclusion: String, tis: String, prCollection: Double? = nil, mrCollection: Double? = nil, srCollection: Double? = nil) {
        self.inclusion = inclusion
        self.tis = tis
        self.prCollection = prCollection
        self.mrCollection = mrCollection
        self.srCollection = srCollection
    }
}

/// A writer (SWR/OWR) or publisher (SPU/OPU) of the work.
public struct CWRParty: Sendable, Hashable, Codable {
    public var role: Party.Role
    /// Record type it came from (`SWR`, `OWR`, `SPU`, `OPU`).
    public var record: String
    /// Submitter's interested party # (the key PWR/SPT/SWT records point to).
    public var interestedParty: String?
    /// Publisher name, or writer last name.
    public var lastName: String
    public var firstName: String?
    /// Writer designation (`CA`, `C`, `A`, `AR`, …) or publisher type (`E`, `AM`, `SE`, `PA`, …).
    public var designation: String?
    /// IPI name number as given (11 digits) — kept even when the check digits are wrong.
    public var ipiName: String?
    public var ipiNameValid: Bool
    /// IPI base number as given — kept even when invalid.
    public var ipiBase: String?
    public var ipiBaseValid: Bool
    /// SPU/SWR: controlled by the submitter; OPU/OWR: not.
    public var controlled: Bool
    /// Unknown indicator (`Y` on OPU/OWR when the name is unknown).
    public var unknown: Bool
    public var prSociety: String?
    public var mrSociety: String?
    public var srSociety: String?
    /// Ownership shares in percent (N5 with two implied decimals in the file).
    public var prShare: Double?
    public var mrShare: Double?
    public var srShare: Double?
    /// Publisher sequence # (chain) for SPU/OPU.
    public var chain: Int?
    /// For writers: interested party #s of the publishers linked through PWR records.
    public var publishers: [String]
    /// SPT/SWT territory lines.
    public var territories: [CWRTerritory]
    public var position: SourcePosition

    /// Display name: `FIRST LAST` for writers, the name for publishers.
    public var name: String {
        if let f = firstName, !f.isEmpty { return "\(f) \(lastName)" }
        return lastName
    }
}

/// A performing artist (PER).
public struct CWRPerformer: Sendable, Hashable, Codable {
    public var lastName: String
    public var firstName: String?
    public var ipiName: String?
    public var ipiNameValid: Bool
    public var ipiBase: String?
    public var ipiBaseValid: Bool

    public var name: String {
        if let f = firstName, !f.isEmpty { return "\(f) \(lastName)" }
        return lastName
    }
}

/// A recording of the work (REC). Fields from 267 on exist in CWR 2.2 only.
public struct CWRRecording: Sendable, Hashable, Codable {
    public var releaseDate: String?
    /// Seconds.
    public var releaseDuration: Int?
    public var albumTitle: String?
    public var albumLabel: String?
    public var catalogNumber: String?
    public var ean: String?
    /// ISRC as given (canonical when valid).
    public var isrc: String?
    public var isrcValid: Bool
    public var recordingFormat: String?
    public var recordingTechnique: String?
    public var mediaType: String?
    public var recordingTitle: String?
    public var versionTitle: String?
    public var displayArtist: String?
    public var recordLabel: String?
    /// 2.2 ISRC validity flag as sent (`Y`, `U`, `N`).
    public var isrcValidity: String?
    public var submitterRecordingID: String?
}

/// Work origin (ORN): production the work was written for (film, TV, library…).
public struct CWROrigin: Sendable, Hashable, Codable {
    /// `LIB`, `FIL`, `TEL`, `COM`, … (intended purpose).
    public var purpose: String?
    public var productionTitle: String?
    public var cdIdentifier: String?
    public var cutNumber: String?
    public var library: String?
    public var productionNumber: String?
    public var episodeTitle: String?
    public var episodeNumber: String?
    public var year: String?
    public var avSociety: String?
    public var avNumber: String?
    public var vIsan: String?
    public var eidr: String?
}

/// The original work a version is based on (VER).
public struct CWROriginalWork: Sendable, Hashable, Codable {
    public struct Writer: Sendable, Hashable, Codable {
        public var lastName: String
        public var firstName: String?
        public var ipiName: String?
        public var ipiNameValid: Bool
        public var ipiBase: String?
        public var ipiBaseValid: Bool
    }
    public var title: String
    public var iswc: String?
    public var iswcValid: Bool
    public var language: String?
    public var writers: [Writer]
    public var source: String?
    public var submitterWorkNumber: String?
}

/// Work ID cross reference (XRF, CWR 2.2).
public struct CWRCrossReference: Sendable, Hashable, Codable {
    /// Society code or `ISW` / `ISR`.
    public var organisation: String
    public var identifier: String
    /// `W` work, `R` recording, `P` product, `V` video.
    public var type: String
    /// `Y`, `U`, `N`.
    public var validity: String?

    public init(organisation: String, identifier: String, type: String, validity: String? = nil) {
        self.organisation = organisation
        self.identifier = identifier
        self.type = type
        self.validity = validity
    }
}

/// The work carried by an NWR/REV/ISW/EXC header and its detail records.
public struct CWRWork: Sendable, Hashable, Codable {
    public var kind: CWRTransactionKind
    public var title: String
    public var language: String?
    /// The submitter's work number (unique per submitter).
    public var submitterWorkNumber: String
    /// ISWC as given (canonical when valid).
    public var iswc: String?
    public var iswcValid: Bool
    public var copyrightDate: String?
    public var distributionCategory: String?
    /// Seconds.
    public var duration: Int?
    public var recorded: String?
    public var textMusicRelationship: String?
    public var compositeType: String?
    public var versionType: String?
    public var excerptType: String?
    public var musicArrangement: String?
    public var lyricAdaptation: String?
    public var workType: String?
    public var opusNumber: String?
    public var catalogueNumber: String?
    public var alternateTitles: [CWRTitle] = []
    public var publishers: [CWRParty] = []
    public var writers: [CWRParty] = []
    public var performers: [CWRPerformer] = []
    public var recordings: [CWRRecording] = []
    public var origins: [CWROrigin] = []
    public var originalWorks: [CWROriginalWork] = []
    public var crossReferences: [CWRCrossReference] = []
    public var position: SourcePosition

    /// The work as an OeuvreCore `Work` with the given catalogue id.
    ///
    /// Titles: original, then ALT/NAT alternates as sent (with their CWR type), then REC recording
    /// titles not already among the work's titles (case-insensitive) as `.recording`. Parties: writers then publishers; an invalid IPI is kept with
    /// `ipiValid = false`. `iswc` is set only when valid. Recording artists fall back to the
    /// work's first performer when the REC carries no display artist.
    public func makeWork(id: String) -> Work {
        var titles = [WorkTitle(text: title, kind: .original, language: language)]
        var seen: Set<String> = [title.uppercased()]
        for t in alternateTitles {
            seen.insert(t.text.uppercased())
            titles.append(WorkTitle(text: t.text, kind: .alternate, cwrType: t.type, language: t.language))
        }
        for r in recordings {
            if let t = r.recordingTitle, seen.insert(t.uppercased()).inserted {
                titles.append(WorkTitle(text: t, kind: .recording))
            }
        }
        var parties: [Party] = []
        for p in writers + publishers {
            parties.append(Party(
                name: p.name, role: p.role, designation: p.designation, ipiName: p.ipiName, ipiBase: p.ipiBase,
                controlled: p.controlled, prShare: p.prShare, ipiValid: p.ipiNameValid && p.ipiBaseValid))
        }
        let recs = recordings.map { r in
            Recording(isrc: r.isrc, title: r.recordingTitle, artist: r.displayArtist, duration: r.releaseDuration,
                      label: r.recordLabel ?? r.albumLabel, release: r.albumTitle, releaseDate: r.releaseDate)
        }
        return Work(id: id, iswc: iswcValid ? iswc : nil, titles: titles, parties: parties,
                    performers: performers.map(\.name), recordings: recs, duration: duration, source: "cwr")
    }
}

/// An MSG record (inside an ACK).
public struct CWRMessage: Sendable, Hashable, Codable {
    public var type: String?
    public var originalRecordSequence: Int?
    public var recordType: String?
    public var level: String?
    public var validationNumber: String?
    public var text: String
}

/// The ACK record.
public struct CWRAcknowledgement: Sendable, Hashable, Codable {
    public var originalGroupID: Int?
    public var originalTransactionSequence: Int?
    public var originalTransactionType: String?
    public var creationTitle: String?
    public var submitterCreationNumber: String?
    /// The recipient's (society's) work number.
    public var recipientCreationNumber: String?
    public var processingDate: String?
    /// `RA`, `AS`, `AC`, `RJ`, `NP`, `CO`, `DU`, `RC`, …
    public var status: String
    public var messages: [CWRMessage] = []
}

/// An identifier whose check digit or syntax is wrong: kept on the record, reported here.
public struct CWRIdentifierIssue: Sendable, Hashable, Codable {
    public var position: SourcePosition
    /// `ISWC`, `IPI name number`, `IPI base number`, `ISRC`.
    public var kind: String
    public var value: String
    public var problem: String
}

/// One transaction: a work registration (NWR/REV/ISW/EXC) or an acknowledgement with the work it embeds.
public struct CWRTransaction: Sendable, Hashable, Codable {
    public var kind: CWRTransactionKind
    public var version: CWRVersion
    public var groupID: Int
    public var sequence: Int
    /// Position of the transaction header record.
    public var position: SourcePosition
    /// The work (for ACK: the NWR/REV/ISW embedded after the MSG records, when present).
    public var work: CWRWork?
    public var acknowledgement: CWRAcknowledgement?
    /// EXC works embedded in an ACK (existing works in conflict).
    public var conflicts: [CWRWork] = []
    /// Detail records of types Oeuvre does not keep (`OPT`, `OWT`, `NWN`, `INS`, …), counted by type.
    public var skippedRecords: [String: Int] = [:]
    public var identifierIssues: [CWRIdentifierIssue] = []
    /// Physical records in the transaction, header included.
    public var recordCount: Int
}
