import Foundation
@testable import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

/// `UsageReports.readKeyed` must read what `UsageReports.read` reads: the same lines (keyed ones as their id,
/// plays and ISRC key), the same warnings and the same first error, serially and in parts.
@Suite struct KeyedUsageReadTests {
    /// A random usage file: linked-looking, lower-case/hyphenated, invalid and missing ISRCs, empty and repeated
    /// line ids, odd plays, CRLF and blank lines; CSV files get quoted cells (with delimiters, quotes, newlines).
    static func file(_ rng: inout SeededGenerator, tsv: Bool, rows: Int, badAt: Int? = nil) -> String {
        let d = tsv ? "\t" : ","
        func cell(_ s: String) -> String {
            if tsv { return s }
            if s.contains(",") || s.contains("\"") || s.contains("\n") || s.hasPrefix(" ") || rng.next() % 10 == 0 {
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }
        let header = ["line_id", "isrc", "title", "artist", "duration", "plays", "iswc", "net_revenue"]
        var s = header.joined(separator: d) + "\n"
        var ids: [String] = []
        for r in 0..<rows {
            if rng.next() % 15 == 0 { s += rng.next() % 2 == 0 ? "\n" : "\r\n" }
            var id: String
            switch rng.next() % 20 {
            case 0, 1: id = ""
            case 2: id = ids.isEmpty ? "x" : ids[Int(rng.next() % UInt64(ids.count))]
            case 3: id = String(Int(rng.next() % UInt64(rows + 5)) + 1)  // may equal a defaulted row number
            case 4: id = tsv ? "a\rb\(r)" : "q,\"\t\n\(r)"
            default: id = "L\(r)"
            }
            ids.append(id)
            let n = rng.next() % 40
            let isrc: String
            switch rng.next() % 10 {
            case 0, 1: isrc = ""
            case 2: isrc = "us-aaa-00-\(String(format: "%05d", n))"
            case 3: isrc = "bad-\(n)"
            case 4: isrc = " USAAA00\(String(format: "%05d", n)) "
            default: isrc = "USAAA00\(String(format: "%05d", n))"
            }
            let plays = r == badAt ? "x" : ["", "1", "3", "2.5", "0.1", "-0", "1e2", "007", "12"][Int(rng.next() % 9)]
            let title = rng.next() % 12 == 0 ? "" : "Title \(n) é"
            let iswc = rng.next() % 15 == 0 ? (rng.next() % 2 == 0 ? "T-034.524.680-1" : "bad") : ""
            let revenue = rng.next() % 4 == 0 ? "0.\(n)" : ""
            let cells = [id, isrc, title, "Artist", rng.next() % 3 == 0 ? "3:15" : "200", plays, iswc, revenue]
            s += cells.map(cell).joined(separator: d) + (rng.next() % 3 == 0 ? "\r\n" : "\n")
        }
        return s
    }

    /// Keys accepted: a fixed rule on the key, so that some valid ISRCs stay usage lines. The value is the key's
    /// last five characters (base 36), distinct for the test files' keys (`USAAA00000nn`) and below 36² · 4.
    static let accept: @Sendable (UInt64) -> Int32 = { key in key % 3 == 0 ? -1 : Int32(key % 60_466_176) }
    static let bound = 36 * 36 * 4

    func compare(_ path: String, threads: Int) throws {
        var options = UsageReadOptions()
        options.threads = threads
        let expected: Result<UsageReadResult, OeuvreError>
        do { expected = .success(try UsageReports.read(paths: [path], options: options)) } catch { expected = .failure(error) }
        let got: Result<KeyedUsageRead, OeuvreError>
        do { got = .success(try UsageReports.readKeyed(path: path, options: options, minimumBytes: 0, valueBound: Self.bound, accept: Self.accept)) } catch {
            got = .failure(error)
        }
        switch (expected, got) {
        case (.failure(let e), .failure(let g)):
            #expect(e.message == g.message)
            #expect(e.position == g.position)
        case (.success(let e), .success(let g)):
            #expect(g.records == e.lines.count)
            #expect(g.warnings == e.warnings)
            #expect(g.file.plays == e.files[0].plays)
            #expect(g.file.netRevenue == e.files[0].netRevenue)
            #expect(g.file.physicalLines == e.files[0].physicalLines)
            var r = 0
            var slotsSeen = 0
            for part in g.parts {
                #expect(part.firstRecord == r)
                for i in 0..<part.count {
                    let line = e.lines[r]
                    let v = part.records[i]
                    #expect(part.physicalLines[i] == line.position?.line)
                    if v < 0 {
                        #expect(g.lines[Int(-v) - 1] == line)
                    } else {
                        let key = try #require(line.isrc.flatMap { ISRCKey.pack($0) })
                        #expect(g.slotKeys[Int(v)] == key)
                        #expect(g.slotValues[Int(v)] == Self.accept(key))
                        // Slots are numbered in order of first appearance.
                        #expect(Int(v) <= slotsSeen)
                        slotsSeen = max(slotsSeen, Int(v) + 1)
                        let range = part.idRange(i)
                        let id = range.isEmpty ? String(r + 1) : String(decoding: part.ids[range], as: UTF8.self)
                        #expect(id == line.lineId)
                        #expect(part.plays[i] == line.plays || (part.plays[i].isNaN && line.plays.isNaN))
                        #expect(part.plays[i].sign == line.plays.sign)
                    }
                    r += 1
                }
            }
            #expect(r == e.lines.count)
            #expect(g.lines.count == e.lines.filter { l in l.isrc.flatMap { ISRCKey.pack($0) }.map { Self.accept($0) < 0 } ?? true }.count)
        default:
            Issue.record("read gave \(expected), readKeyed gave \(got)")
        }
    }

    @Test(arguments: [true, false])
    func agreesWithReadOnRandomFiles(tsv: Bool) throws {
        let dir = TestSupport.temporaryDirectory()
        var rng = SeededGenerator(seed: tsv ? 41 : 42)
        for k in 0..<40 {
            let path = TestSupport.write(Self.file(&rng, tsv: tsv, rows: Int(rng.next() % 300)), to: "u\(k).\(tsv ? "tsv" : "csv")", in: dir)
            for threads in [1, 2, 3] { try compare(path, threads: threads) }
        }
    }

    @Test func unknownColumnsAreReportedByBothReads() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("line_id\tisrc\ttitle\tgenre\tplays\nA\tUSAAA0000001\tT\tPop\t1\nB\t\tU\tRock\t2\n", to: "g.tsv", in: dir)
        let read = try UsageReports.read(paths: [path])
        let keyed = try UsageReports.readKeyed(path: path, minimumBytes: 0, valueBound: 1, accept: { _ in 0 })
        for warnings in [read.files[0].warnings, keyed.warnings] {
            let w = try #require(warnings.first)
            #expect(w.message.contains("'genre' not read"))
            #expect(w.position == SourcePosition(file: path, line: 1))
        }
        try compare(path, threads: 1)
    }

    @Test(arguments: [3, 150, 290])
    func theFirstErrorIsTheSame(badRow: Int) throws {
        let dir = TestSupport.temporaryDirectory()
        var rng = SeededGenerator(seed: UInt64(badRow))
        let path = TestSupport.write(Self.file(&rng, tsv: true, rows: 300, badAt: badRow), to: "bad.tsv", in: dir)
        for threads in [1, 2, 3] { try compare(path, threads: threads) }
        // And when the bad cell is on a line the reader keys.
        let keyed = TestSupport.write("line_id\tisrc\ttitle\tplays\nA\tUSAAA0000001\tT\t1\nB\tUSAAA0000001\tT\t-2\n", to: "k.tsv", in: dir)
        do {
            _ = try UsageReports.readKeyed(path: keyed, valueBound: 1, accept: { _ in 0 })
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "plays must be a non-negative number, got '-2'")
            #expect(error.position == SourcePosition(file: keyed, line: 3, column: 4, field: "plays"))
        }
    }

    @Test func duplicatesAreFoundInAnyNumberOfBuckets() throws {
        let dir = TestSupport.temporaryDirectory()
        var rng = SeededGenerator(seed: 77)
        let path = TestSupport.write(Self.file(&rng, tsv: true, rows: 3000), to: "d.tsv", in: dir)
        var options = UsageReadOptions()
        options.threads = 3
        let read = try UsageReports.readKeyed(path: path, options: options, minimumBytes: 0, valueBound: Self.bound, accept: Self.accept)
        let expected = UsageReports.duplicateLineIds(parts: read.parts, lines: read.lines, threads: 1, buckets: 1)
        #expect(expected.count > 10 && expected.first != nil)
        for (buckets, threads) in [(2, 1), (16, 3), (256, 2)] {
            let got = UsageReports.duplicateLineIds(parts: read.parts, lines: read.lines, threads: threads, buckets: buckets)
            #expect(got.first == expected.first && got.count == expected.count)
        }
    }

    @Test func keyTableFindsWhatWasInserted() {
        var table = ISRCKeyTable(capacity: 1)
        var rng = SeededGenerator(seed: 9)
        var expected: [UInt64: UInt64] = [:]
        for _ in 0..<5000 {
            let k = rng.next() % 3000 + 1
            let hint = table.touch(k)
            if let e = expected[k] {
                #expect(table.find(k, hint: hint) == e)
                #expect(table.find(k) == e)
            } else {
                #expect(table.find(k, hint: hint) == nil)
                let payload = rng.next()
                table.insert(k, payload)
                expected[k] = payload
            }
        }
        #expect(table.count == expected.count)
    }

    @Test func canonicalKeysAreTheKeysOfISRCKeyPack() {
        for isrc in ["USRC17607839", "GBAYE6500524", "ZZ99999999999".dropLast().description, "AA0000000000"] {
            let key = Array(isrc.utf8).withUnsafeBytes { ISRCKey.packCanonical($0) }
            #expect(key == ISRCKey.pack(isrc))
        }
    }
}

@Suite struct ResultsTailBytesTests {
    @Test func tailsFromBytesAreThoseOfResultsTSVLine() {
        let texts = ["plain", "", "tab\there", "new\nline", "cr\rlf\r\n", "\r\n\r\n", "Σύνθεση 日本", "e\u{301}\t\u{301}", "\r\u{301}x",
                     "trailing\t", "\t", "a\"b,c"]
        for (k, t) in texts.enumerated() {
            for confidence in [nil, 0.0, 0.12345, 1.0, 0.99995, 0.00005, 0.5, -1, 2, .nan] as [Double?] {
                let row = ResultsTSV.Row(lineId: "", rank: k, workId: t, iswc: k % 2 == 0 ? "T0345246801" : "",
                                         workTitle: texts[(k + 1) % texts.count], confidence: confidence,
                                         decision: Decision.allCases[k % 3], reason: "isrc-link")
                var out: [UInt8] = [1, 2]
                Array(row.workId.utf8).withUnsafeBytes { id in
                    Array(row.iswc.utf8).withUnsafeBytes { iswc in
                        Array(row.workTitle.utf8).withUnsafeBytes { title in
                            ResultsTSVBuffer.appendTail(to: &out, rank: row.rank, workId: id, iswc: iswc, workTitle: title,
                                                        confidence: row.confidence, decision: row.decision, reason: row.reason)
                        }
                    }
                }
                #expect(out == [1, 2] + ResultsTSVBuffer.tail(row), "\(t) \(String(describing: confidence))")
            }
        }
    }
}
