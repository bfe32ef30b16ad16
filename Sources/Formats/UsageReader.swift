import OeuvreCore

/// Reads usage lines in the usage contract (`line_id, isrc, title, artist, duration, plays`
/// + optional `iswc, writers, album, territory, use_type, subtitle, net_revenue, writer_ids, release_date`).
///
/// `line_id` defaults to the row number; `plays` defaults to 1. An invalid ISRC or ISWC is kept out of
/// the line (it cannot link) but recorded in `invalidIdentifiers`; a bad number or duration is an error
/// naming file, line, column and field.
public final class UsageCSVReader {
    public static let fields = ["line_id", "isrc", "title", "artist", "duration", "plays", "iswc", "writers", "album",
                                "territory", "use_type", "subtitle", "net_revenue", "writer_ids", "release_date"]
    private let reader: DelimitedReader
    public let mapping: HeaderMapping
    private var row = 0
    public private(set) var invalidIdentifiers: [(SourcePosition, String)] = []
    /// CSV or TSV, as detected from the header row.
    public var dialect: DelimitedReader.Dialect { reader.dialect }
    /// Line of the last record read.
    public private(set) var lastLine = 1

    public init(path: String, renames: [String: String] = [:]) throws(OeuvreError) {
        reader = try DelimitedReader(path: path)
        mapping = try HeaderMapping(header: reader.header, path: path, fields: Self.fields, required: ["title"], renames: renames)
    }

    public func next() throws(OeuvreError) -> UsageLine? {
        guard let record = try reader.next() else { return nil }
        row += 1
        lastLine = record.line
        let m = mapping
        let title = m.value("title", in: record) ?? ""
        var line = UsageLine(lineId: m.value("line_id", in: record) ?? String(row), title: title)
        line.position = SourcePosition(file: reader.path, line: record.line)
        if let raw = m.value("isrc", in: record) {
            if let isrc = ISRC.parse(raw) {
                line.isrc = isrc.value
            } else {
                invalidIdentifiers.append((m.position("isrc", in: record), "invalid ISRC '\(raw)'"))
            }
        }
        line.artist = m.value("artist", in: record)
        line.subtitle = m.value("subtitle", in: record)
        if let d = m.value("duration", in: record) {
            do {
                line.duration = try DurationParser.seconds(d)
            } catch {
                throw OeuvreError(.invalidInput, error.message, at: m.position("duration", in: record))
            }
        }
        if let p = m.value("plays", in: record) {
            guard let v = Double(p), v.isFinite, v >= 0 else {
                throw OeuvreError(.invalidInput, "plays must be a non-negative number, got '\(p)'", at: m.position("plays", in: record))
            }
            line.plays = v
        }
        if let raw = m.value("iswc", in: record) {
            if let iswc = ISWC.parse(raw) {
                line.iswc = iswc.value
            } else {
                invalidIdentifiers.append((m.position("iswc", in: record), "invalid ISWC '\(raw)'"))
            }
        }
        line.writers = m.values("writers", in: record).filter { !$0.isEmpty }
        line.writerIds = m.values("writer_ids", in: record)
        line.album = m.value("album", in: record)
        line.releaseDate = m.value("release_date", in: record)
        line.territory = m.value("territory", in: record)
        line.useType = m.value("use_type", in: record)
        if let r = m.value("net_revenue", in: record) {
            guard let v = Double(r), v.isFinite else {
                throw OeuvreError(.invalidInput, "net_revenue must be a number, got '\(r)'", at: m.position("net_revenue", in: record))
            }
            line.netRevenue = v
        }
        return line
    }

    public static func readAll(path: String, renames: [String: String] = [:]) throws(OeuvreError) -> [UsageLine] {
        let r = try UsageCSVReader(path: path, renames: renames)
        var out: [UsageLine] = []
        while let l = try r.next() { out.append(l) }
        return out
    }
}
