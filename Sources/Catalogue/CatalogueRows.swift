import Foundation
import Formats
import GRDB
import OeuvreCore

// Reading works and entries back from the tables (CatalogueSchema).

extension CatalogueStore {
    /// Loads `Work` values; `filter` is a condition on `works` (nil = all), children are merged by row id.
    /// `pks` limits the read to a range of row ids, which the child tables' keys (work_pk, ord) serve
    /// directly (a subquery filter would make SQLite build the set first).
    static func loadWorks(_ db: Database, filter: String?, arguments: StatementArguments, pks range: ClosedRange<Int64>? = nil) throws -> [Work] {
        precondition(filter == nil || range == nil, "a filter or a row-id range, not both")
        var whereWorks = filter.map { " WHERE \($0)" } ?? ""
        var subset = filter.map { " WHERE work_pk IN (SELECT pk FROM works WHERE \($0))" } ?? ""
        if let r = range {
            whereWorks = " WHERE pk BETWEEN \(r.lowerBound) AND \(r.upperBound)"
            subset = " WHERE work_pk BETWEEN \(r.lowerBound) AND \(r.upperBound)"
        }
        var works: [Work] = []
        var pks: [Int64] = []
        let count = filter == nil && range == nil ? (try Int.fetchOne(db, sql: "SELECT count(*) FROM works") ?? 0) : 0
        works.reserveCapacity(count)
        pks.reserveCapacity(count)
        let wc = try Row.fetchCursor(db, sql: "SELECT pk, work_id, iswc, iswc_valid, duration, source FROM works\(whereWorks) ORDER BY pk",
                                     arguments: arguments)
        while let r = try wc.next() {
            let valid: Bool = r[3]
            works.append(Work(id: r[1], iswc: valid ? r[2] : nil, titles: [], duration: r[4], source: r[5]))
            pks.append(r[0])
        }
        if works.isEmpty { return [] }

        /// Walks a child table ordered by work_pk, calling `body` with the index of the row's work.
        func merge(_ sql: String, _ body: (Int, Row) -> Void) throws {
            var i = 0
            let c = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let r = try c.next() {
                let pk: Int64 = r[0]
                while i < pks.count && pks[i] < pk { i += 1 }
                guard i < pks.count else { break }
                if pks[i] == pk { body(i, r) }
            }
        }
        try merge("SELECT work_pk, text, kind, cwr_type, language FROM titles\(subset) ORDER BY work_pk, ord") { i, r in
            let kind = TitleKind(rawValue: r[2]) ?? .alternate
            works[i].titles.append(WorkTitle(text: r[1], kind: kind, cwrType: r[3], language: r[4]))
        }
        try merge("""
            SELECT work_pk, role, name, designation, ipi_name, ipi_name_valid, ipi_base, ipi_base_valid, controlled, pr_share
            FROM parties\(subset) ORDER BY work_pk, ord
            """) { i, r in
            let name: String = r[2]
            guard !name.isEmpty else { return }
            let nameValid: Bool = r[5]
            let baseValid: Bool = r[7]
            works[i].parties.append(Party(name: name, role: Party.Role(rawValue: r[1]) ?? .writer, designation: r[3], ipiName: r[4],
                                          ipiBase: r[6], controlled: r[8], prShare: r[9], ipiValid: nameValid && baseValid))
        }
        try merge("SELECT work_pk, name FROM performers\(subset) ORDER BY work_pk, ord") { i, r in
            works[i].performers.append(r[1])
        }
        try merge("""
            SELECT work_pk, isrc, isrc_valid, title, artist, duration, label, release FROM recordings\(subset) ORDER BY work_pk, ord
            """) { i, r in
            let valid: Bool = r[2]
            works[i].recordings.append(Recording(isrc: valid ? r[1] : nil, title: r[3], artist: r[4], duration: r[5], label: r[6],
                                                 release: r[7]))
        }
        return works
    }

    /// Loads the full entry of one work. Its statements are cached: an import that revises works loads the old entry of
    /// each (parsing them again was 45% of such an import; GRDB's authorizer expires cached statements whenever another
    /// is compiled, so a caller gains in a transaction where every statement of its loop is cached).
    static func loadEntry(_ db: Database, pk: Int64) throws -> CatalogueEntry? {
        guard let w = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM works WHERE pk = ?"), arguments: [pk]) else { return nil }
        var e = CatalogueEntry(workID: w["work_id"], title: w["title"], source: w["source"])
        e.iswc = w["iswc"]
        e.iswcValid = w["iswc_valid"]
        e.language = w["language"]
        e.duration = w["duration"]
        e.sender = w["sender"]
        e.submitterWorkNumber = w["submitter_work_number"]
        e.status = w["status"]
        if let a: String = w["attributes"] { e.attributes = decodeJSON([String: String].self, a) ?? [:] }
        let titles = try db.cachedStatement(sql: "SELECT text, kind, cwr_type, language FROM titles WHERE work_pk = ? AND kind != 'original' ORDER BY ord")
        for r in try Row.fetchAll(titles, arguments: [pk]) {
            e.titles.append(CatalogueEntry.Title(text: r[0], kind: TitleKind(rawValue: r[1]) ?? .alternate, cwrType: r[2], language: r[3]))
        }
        for r in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM parties WHERE work_pk = ? ORDER BY ord"), arguments: [pk]) {
            var p = CatalogueEntry.Party(role: Party.Role(rawValue: r["role"]) ?? .writer, name: r["name"])
            p.lastName = r["last_name"]
            p.firstName = r["first_name"]
            p.designation = r["designation"]
            p.interestedParty = r["interested_party"]
            p.ipiName = r["ipi_name"]
            p.ipiNameValid = r["ipi_name_valid"]
            p.ipiBase = r["ipi_base"]
            p.ipiBaseValid = r["ipi_base_valid"]
            p.controlled = r["controlled"]
            p.unknown = r["unknown"]
            p.prSociety = r["pr_society"]
            p.mrSociety = r["mr_society"]
            p.srSociety = r["sr_society"]
            p.prShare = r["pr_share"]
            p.mrShare = r["mr_share"]
            p.srShare = r["sr_share"]
            p.chain = r["chain"]
            if let s: String = r["publishers"] { p.publishers = s.split(separator: " ").map(String.init) }
            if let t: String = r["territories"] { p.territories = decodeJSON([CWRTerritory].self, t) ?? [] }
            e.parties.append(p)
        }
        for r in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM performers WHERE work_pk = ? ORDER BY ord"), arguments: [pk]) {
            var p = CatalogueEntry.Performer(name: r["name"])
            p.ipiName = r["ipi_name"]
            p.ipiNameValid = r["ipi_name_valid"]
            p.ipiBase = r["ipi_base"]
            p.ipiBaseValid = r["ipi_base_valid"]
            e.performers.append(p)
        }
        for r in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM recordings WHERE work_pk = ? ORDER BY ord"), arguments: [pk]) {
            var x = CatalogueEntry.Recording(isrc: r["isrc"])
            x.isrcValid = r["isrc_valid"]
            x.title = r["title"]
            x.versionTitle = r["version_title"]
            x.artist = r["artist"]
            x.duration = r["duration"]
            x.label = r["label"]
            x.release = r["release"]
            x.releaseDate = r["release_date"]
            x.catalogNumber = r["catalog_number"]
            x.ean = r["ean"]
            x.mediaType = r["media_type"]
            x.submitterRecordingID = r["submitter_recording_id"]
            e.recordings.append(x)
        }
        for d in try String.fetchAll(db.cachedStatement(sql: "SELECT data FROM origins WHERE work_pk = ? ORDER BY ord"), arguments: [pk]) {
            if let o = decodeJSON(CWROrigin.self, d) { e.origins.append(o) }
        }
        let originalWorks = try db.cachedStatement(sql: "SELECT data FROM original_works WHERE work_pk = ? ORDER BY ord")
        for d in try String.fetchAll(originalWorks, arguments: [pk]) {
            if let o = decodeJSON(CWROriginalWork.self, d) { e.originalWorks.append(o) }
        }
        let keys = try db.cachedStatement(sql: "SELECT kind, scope, value FROM work_keys WHERE work_pk = ? ORDER BY kind, scope, value")
        for r in try Row.fetchAll(keys, arguments: [pk]) {
            e.keys.append(CatalogueEntry.Key(kind: r[0], scope: r[1], value: r[2]))
        }
        return e
    }
}

func encodeJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return "null" }
    return String(decoding: data, as: UTF8.self)
}

/// The two JSON columns every imported work writes (a party's territories, a work's attributes), written directly:
/// `JSONEncoder` took a fifth of a CWR import's time. The text is what `encodeJSON` writes (keys in order, nil
/// members left out, integral numbers without a fraction, slashes not escaped), checked by `CatalogueJSONTests`.
enum FastJSON {
    static func encode(_ territories: [CWRTerritory]) -> String {
        var s = "["
        for (i, t) in territories.enumerated() {
            if i > 0 { s += "," }
            s += "{\"inclusion\":"
            string(t.inclusion, into: &s)
            if let v = t.mrCollection { s += ",\"mrCollection\":"; number(v, into: &s) }
            if let v = t.prCollection { s += ",\"prCollection\":"; number(v, into: &s) }
            if let v = t.srCollection { s += ",\"srCollection\":"; number(v, into: &s) }
            s += ",\"tis\":"
            string(t.tis, into: &s)
            s += "}"
        }
        return s + "]"
    }

    static func encode(_ map: [String: String]) -> String {
        var s = "{"
        for (i, key) in map.keys.sorted().enumerated() {
            if i > 0 { s += "," }
            string(key, into: &s)
            s += ":"
            string(map[key]!, into: &s)
        }
        return s + "}"
    }

    static func string(_ v: String, into s: inout String) {
        s += "\""
        if v.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            s += v
        } else {
            for u in v.unicodeScalars {
                switch u {
                case "\"": s += "\\\""
                case "\\": s += "\\\\"
                case "\n": s += "\\n"
                case "\r": s += "\\r"
                case "\t": s += "\\t"
                case "\u{08}": s += "\\b"
                case "\u{0C}": s += "\\f"
                default:
                    if u.value < 0x20 {
                        let hex = String(u.value, radix: 16)
                        s += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        s.unicodeScalars.append(u)
                    }
                }
            }
        }
        s += "\""
    }

    /// Shares and similar small numbers: an integral value without ".0", else the shortest round-trip digits.
    static func number(_ v: Double, into s: inout String) {
        if v == v.rounded(), abs(v) < 1e15 { s += String(Int64(v)) } else { s += "\(v)" }
    }
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
    try? JSONDecoder().decode(type, from: Data(text.utf8))
}
