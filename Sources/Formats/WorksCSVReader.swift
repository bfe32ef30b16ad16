import OeuvreCore

/// Reads works in the works contract (`work_id, iswc, title, alt_titles, writers, writer_ipis,
/// performers, isrcs, duration`; only `work_id` and `title` required; `|` multi-values).
///
/// Identifiers are validated: an invalid ISWC or IPI is kept on the work (flagged through
/// `invalidIdentifiers`) rather than dropped; an invalid ISRC or duration is an error.
public final class WorksCSVReader {
    public static let fields = ["work_id", "iswc", "title", "alt_titles", "writers", "writer_ipis", "performers", "isrcs", "duration"]
    private let reader: DelimitedReader
    public let mapping: HeaderMapping
    /// Identifier problems seen so far (kept, not fatal).
    public private(set) var invalidIdentifiers: [(SourcePosition, String)] = []
    /// The ISWC cell of the row last returned by `next()` when it failed validation (the `Work`
    /// carries only valid ISWCs), so that callers can keep and flag it; nil otherwise.
    public private(set) var lastInvalidISWC: String?
    /// CSV or TSV, as detected from the header line.
    public var dialect: DelimitedReader.Dialect { reader.dialect }

    public init(path: String, renames: [String: String] = [:]) throws(OeuvreError) {
        reader = try DelimitedReader(path: path)
        mapping = try HeaderMapping(header: reader.header, path: path, fields: Self.fields, required: ["work_id", "title"], renames: renames)
    }

    /// The next work, with the line it came from; nil at the end.
    public func next() throws(OeuvreError) -> (work: Work, position: SourcePosition)? {
        lastInvalidISWC = nil
        guard let record = try reader.next() else { return nil }
        let m = mapping
        let position = SourcePosition(file: reader.path, line: record.line)
        if let e = ExtraCells.error(path: reader.path, line: record.line, columns: reader.header.count, count: record.cells.count,
                                    nonBlank: { let t = record.cells[$0].trimmingASCIIWhitespace(); return t.isEmpty ? nil : t }) {
            throw e
        }
        guard let id = m.value("work_id", in: record) else {
            throw OeuvreError(.invalidInput, "empty work_id", at: m.position("work_id", in: record))
        }
        guard let title = m.value("title", in: record) else {
            throw OeuvreError(.invalidInput, "empty title", at: m.position("title", in: record))
        }
        var work = Work(id: id, titles: [WorkTitle(text: title, kind: .original)], source: "csv")
        if let raw = m.value("iswc", in: record) {
            do {
                work.iswc = try ISWC(raw).value
            } catch {
                invalidIdentifiers.append((m.position("iswc", in: record), error.description))
                lastInvalidISWC = raw
                work.iswc = nil
            }
        }
        for alt in m.values("alt_titles", in: record) where !alt.isEmpty {
            work.titles.append(WorkTitle(text: alt, kind: .alternate, cwrType: "AT"))
        }
        let writers = m.values("writers", in: record)
        let ipis = m.values("writer_ipis", in: record)
        if !ipis.isEmpty && ipis.count != writers.count {
            throw OeuvreError(.invalidInput, "writer_ipis has \(ipis.count) values but writers has \(writers.count)",
                              at: m.position("writer_ipis", in: record))
        }
        for (i, name) in writers.enumerated() where !name.isEmpty {
            var party = Party(name: name, role: .writer)
            if i < ipis.count, !ipis[i].isEmpty {
                do {
                    party.ipiName = try IPINameNumber(ipis[i]).value
                } catch {
                    party.ipiName = ipis[i]
                    party.ipiValid = false
                    invalidIdentifiers.append((m.position("writer_ipis", in: record), error.description))
                }
            }
            work.parties.append(party)
        }
        work.performers = m.values("performers", in: record).filter { !$0.isEmpty }
        for raw in m.values("isrcs", in: record) where !raw.isEmpty {
            do {
                work.recordings.append(Recording(isrc: try ISRC(raw).value))
            } catch {
                throw OeuvreError(.invalidIdentifier, error.description, at: m.position("isrcs", in: record))
            }
        }
        if let d = m.value("duration", in: record) {
            do {
                work.duration = try DurationParser.seconds(d)
            } catch {
                throw OeuvreError(.invalidInput, error.message, at: m.position("duration", in: record))
            }
        }
        return (work, position)
    }

    /// Reads every work of `path`.
    public static func readAll(path: String, renames: [String: String] = [:]) throws(OeuvreError) -> [Work] {
        let r = try WorksCSVReader(path: path, renames: renames)
        var out: [Work] = []
        while let (w, _) = try r.next() { out.append(w) }
        return out
    }
}
