import Foundation
@testable import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

/// The record-splitting rules of the byte-at-a-time reader `DelimitedReader` had before its fast path, kept
/// here as the reference the fast path must agree with (cells, lines, errors and their positions).
struct ReferenceDelimited {
    struct Failure: Error, Equatable {
        var message: String
        var line: Int?
        var column: Int?
        var field: String?
    }

    let bytes: [UInt8]
    let tsv: Bool
    var pos = 0
    var line = 1
    var header: [String] = []

    init(bytes: [UInt8], tsv: Bool) {
        self.bytes = bytes
        self.tsv = tsv
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { pos = 3 }
    }

    mutating func next() -> Result<(cells: [String], line: Int)?, Failure> {
        var cells: [String] = []
        var cell: [UInt8] = []
        var startLine = line
        let delimiter: UInt8 = tsv ? 0x09 : 0x2C
        var sawAnything = false
        func finish() -> Failure? {
            guard let s = String(validating: cell, as: UTF8.self) else {
                return Failure(message: "invalid UTF-8", line: startLine, column: cells.count + 1,
                               field: cells.count < header.count ? header[cells.count] : nil)
            }
            cells.append(s)
            cell.removeAll()
            return nil
        }
        while true {
            guard pos < bytes.count else {
                if !sawAnything { return .success(nil) }
                if let f = finish() { return .failure(f) }
                // The last record, which no line break ends, cut short (a truncated file).
                if !header.isEmpty && cells.count < header.count {
                    return .failure(Failure(message: "the file ends in the middle of a record: \(cells.count) of \(header.count) fields and no line break (truncated file?)",
                                            line: startLine, column: cells.count, field: header[cells.count - 1]))
                }
                return .success((cells, startLine))
            }
            let b = bytes[pos]
            pos += 1
            if b == 0x0A {
                line += 1
                if !sawAnything {
                    startLine = line
                    continue
                }
                if cell.last == 0x0D { cell.removeLast() }
                if let f = finish() { return .failure(f) }
                return .success((cells, startLine))
            }
            if b == 0x0D && !sawAnything { continue }
            sawAnything = true
            if b == delimiter {
                if let f = finish() { return .failure(f) }
                continue
            }
            if b == 0x22 && !tsv && cell.isEmpty {
                let quoteLine = line
                while true {
                    guard pos < bytes.count else {
                        return .failure(Failure(message: "unterminated quoted cell (opened on line \(quoteLine))", line: startLine,
                                                column: cells.count + 1, field: cells.count < header.count ? header[cells.count] : nil))
                    }
                    let q = bytes[pos]
                    pos += 1
                    if q == 0x22 {
                        if pos < bytes.count && bytes[pos] == 0x22 {
                            pos += 1
                            cell.append(0x22)
                            continue
                        }
                        break
                    }
                    if q == 0x0A { line += 1 }
                    cell.append(q)
                }
                continue
            }
            cell.append(b)
        }
    }

    /// Header, then every record, or the first failure.
    static func readAll(_ bytes: [UInt8], tsv: Bool) -> Result<(header: [String], records: [([String], Int)]), Failure> {
        var r = ReferenceDelimited(bytes: bytes, tsv: tsv)
        switch r.next() {
        case .failure(let f): return .failure(f)
        case .success(nil): return .failure(Failure(message: "empty file: a header row is required", line: 1, column: nil, field: nil))
        case .success(let h?):
            // A header that ends the input with no line break.
            if r.pos >= bytes.count && bytes.last != 0x0A {
                return .failure(Failure(message: "the file ends in its header row: no line break and no records (truncated file?)",
                                        line: h.line, column: nil, field: nil))
            }
            r.header = h.cells.map { $0.trimmingASCIIWhitespace() }
        }
        var records: [([String], Int)] = []
        while true {
            switch r.next() {
            case .failure(let f): return .failure(f)
            case .success(nil): return .success((r.header, records))
            case .success(let rec?): records.append((rec.cells, rec.line))
            }
        }
    }
}

@Suite struct DelimitedFastPathTests {
    static let pieces: [[UInt8]] = [
        Array("a".utf8), Array("bc".utf8), Array("é".utf8), Array("日本".utf8), Array("\t".utf8), Array(",".utf8), Array("\"".utf8),
        Array("\"\"".utf8), Array("\r".utf8), Array("\n".utf8), Array("\r\n".utf8), Array(" ".utf8), [0xFF], [0xC3], [0xED, 0xA0, 0x80],
        Array("x,y".utf8), Array("\t\t".utf8), Array("abcdefghijklmnop".utf8),
    ]

    static func randomFile(_ rng: inout SeededGenerator) -> [UInt8] {
        var out: [UInt8] = rng.next() % 8 == 0 ? [0xEF, 0xBB, 0xBF] : []
        out += Array("h1,h2\th3\n".utf8)
        let n = Int(rng.next() % 60)
        for _ in 0..<n {
            // Mostly ordinary text, so that files also get past their first records.
            let p = rng.next() % 3 == 0 ? pieces[Int(rng.next() % UInt64(pieces.count))] : pieces[Int(rng.next() % 2)]
            out += p
        }
        return out
    }

    /// What `DelimitedReader` reads from `bytes`, in the reference's terms.
    static func fastRead(_ bytes: [UInt8], dialect: DelimitedReader.Dialect, bufferSize: Int, raw: Bool, in dir: String)
        -> Result<(header: [String], records: [([String], Int)]), ReferenceDelimited.Failure>
    {
        let path = dir + "/f-\(bufferSize)-\(raw).txt"
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write test file")
        do {
            let r = try DelimitedReader(path: path, dialect: dialect, bufferSize: bufferSize)
            var records: [([String], Int)] = []
            if raw {
                while try r.advance() {
                    records.append(((0..<r.cellCount).map { String(decoding: r.cellBytes($0), as: UTF8.self) }, r.recordLine))
                }
            } else {
                while let rec = try r.next() { records.append((rec.cells, rec.line)) }
            }
            return .success((r.header, records))
        } catch {
            // The reader's invalid-UTF-8 message goes on to name the byte (`TextEncoding.invalidUTF8Message`, tested there).
            let message = error.message.hasPrefix("invalid UTF-8") ? "invalid UTF-8" : error.message
            return .failure(ReferenceDelimited.Failure(message: message, line: error.position?.line, column: error.position?.column,
                                                       field: error.position?.field))
        }
    }

    @Test(arguments: [DelimitedReader.Dialect.csv, .tsv])
    func agreesWithTheReferenceOnRandomFiles(dialect: DelimitedReader.Dialect) throws {
        let dir = TestSupport.temporaryDirectory()
        var rng = SeededGenerator(seed: dialect == .csv ? 11 : 12)
        for _ in 0..<1500 {
            let bytes = Self.randomFile(&rng)
            let expected = ReferenceDelimited.readAll(bytes, tsv: dialect == .tsv)
            for (size, raw) in [(16, false), (16, true), (1 << 20, true)] {
                let got = Self.fastRead(bytes, dialect: dialect, bufferSize: size, raw: raw, in: dir)
                switch (expected, got) {
                case (.success(let e), .success(let g)):
                    #expect(e.header == g.header)
                    #expect(e.records.map(\.0) == g.records.map(\.0), "\(bytes)")
                    #expect(e.records.map(\.1) == g.records.map(\.1), "\(bytes)")
                case (.failure(let e), .failure(let g)):
                    #expect(e == g, "\(bytes)")
                default:
                    Issue.record("reference \(expected) but reader \(got) for \(bytes)")
                }
            }
        }
    }

    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        var rng = SeededGenerator(seed: 5)
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
                                    0xF3, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x8F, 0x90]
        for _ in 0..<20000 {
            let n = Int(rng.next() % 14)
            let bytes = (0..<n).map { _ in rng.next() % 4 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : interesting[Int(rng.next() % UInt64(interesting.count))] }
            let valid = bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
            #expect(valid == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test func usageReaderReadsFieldsAsBefore() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("""
            line_id\tISRC\ttitle\tartist\tduration\tplays\tiswc\twriters\twriter_ids\tnet_revenue
            \tus-rc1-76-07839\t  Song  \t\t3:35\t2.5\tT-034.524.680-1\t a | b || c \tIPI::1|\t
            L2\tUSRC17607839\tΣ\tA B\t215\t12\tbad\t\t\t1.5
            L3\tnot-an-isrc\tX\tY\tPT1M5S\t\t\t\t\t

            """, to: "u.tsv", in: dir)
        let r = try UsageCSVReader(path: path)
        let a = try #require(try r.next())
        #expect(a.lineId == "1" && a.isrc == "USRC17607839" && a.title == "Song" && a.artist == nil)
        #expect(a.duration == 215 && a.plays == 2.5 && a.iswc == "T0345246801")
        #expect(a.writers == ["a", "b", "c"] && a.writerIds == ["IPI::1", ""] && a.netRevenue == nil)
        #expect(a.position == SourcePosition(file: path, line: 2))
        let b = try #require(try r.next())
        #expect(b.lineId == "L2" && b.isrc == "USRC17607839" && b.title == "Σ" && b.artist == "A B" && b.duration == 215)
        #expect(b.plays == 12 && b.iswc == nil && b.writers.isEmpty && b.netRevenue == 1.5)
        let c = try #require(try r.next())
        #expect(c.isrc == nil && c.duration == 65 && c.plays == 1)
        #expect(try r.next() == nil)
        #expect(r.invalidIdentifiers.map { $0.1 } == ["invalid ISWC 'bad'", "invalid ISRC 'not-an-isrc'"])
        #expect(r.invalidIdentifiers.map { $0.0 } == [SourcePosition(file: path, line: 3, column: 7, field: "iswc"),
                                                 SourcePosition(file: path, line: 4, column: 2, field: "isrc")])
    }

    @Test func usageReaderNamesBadNumbers() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("title,plays,duration\nA,1,200\nB,-3,200\n", to: "u.csv", in: dir)
        let r = try UsageCSVReader(path: path)
        _ = try r.next()
        do {
            _ = try r.next()
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "plays must be a non-negative number, got '-3'")
            #expect(error.position == SourcePosition(file: path, line: 3, column: 2, field: "plays"))
        }
        let path2 = TestSupport.write("title,duration\nA,3:xx\n", to: "d.csv", in: dir)
        let r2 = try UsageCSVReader(path: path2)
        #expect(throws: OeuvreError.self) { try r2.next() }
    }
}

@Suite struct ResultsTSVBufferTests {
    @Test func rowsAreByteIdenticalToResultsTSVLine() {
        let texts = ["plain", "", "tab\there", "new\nline", "cr\rlf\r\n", "\r\n\r\n", "Σύνθεση 日本", "e\u{301}\t\u{301}", "\r\u{301}x",
                     "trailing\t", "\t", "a\"b,c"]
        var out = ResultsTSVBuffer()
        var expected = ""
        for (k, t) in texts.enumerated() {
            for confidence in [nil, 0.0, 0.12345, 1.0, 0.99995] as [Double?] {
                let row = ResultsTSV.Row(lineId: texts[(k + 3) % texts.count], rank: k, workId: t, iswc: k % 2 == 0 ? "T0345246801" : "",
                                         workTitle: texts[(k + 1) % texts.count], confidence: confidence,
                                         decision: Decision.allCases[k % 3], reason: "isrc-link")
                out.append(row)
                expected += ResultsTSV.line(row)
                // And through the tail, as `oeuvre match` writes it.
                out.appendLineId(row.lineId)
                ResultsTSVBuffer.tail(row).withUnsafeBytes { out.append($0) }
                expected += ResultsTSV.line(row)
            }
        }
        #expect(out.bytes == Array(expected.utf8))
    }
}

@Suite struct UsageParallelReadTests {
    static func file(rows: Int, seed: UInt64, badPlaysAt: Int? = nil) -> String {
        var rng = SeededGenerator(seed: seed)
        var s = "line_id\tisrc\ttitle\tartist\tplays\n"
        for r in 0..<rows {
            switch rng.next() % 10 {
            case 0: s += "\n"
            case 1: s += "\r\n"
            default: break
            }
            let id = rng.next() % 4 == 0 ? "" : "L\(r)"
            let isrc = rng.next() % 5 == 0 ? "bad-\(r)" : "USRC1760\(String(format: "%04d", r % 10000))"
            let plays = r == badPlaysAt ? "-1" : String(rng.next() % 9)
            s += "\(id)\t\(isrc)\tTitle \(r) é\tArtist\t\(plays)\(rng.next() % 3 == 0 ? "\r" : "")\n"
        }
        return s
    }

    @Test func lineCapacityCoversTheFileInTheFirstPart() {
        let bounds = [100, 4_900, 9_700]
        #expect(UsageCSVReader.lineCapacity(part: 0, bytes: 4_800, bounds: bounds) == 9_600 / 48)
        #expect(UsageCSVReader.lineCapacity(part: 1, bytes: 4_800, bounds: bounds) == 4_800 / 48)
        #expect(UsageCSVReader.lineCapacity(part: 0, bytes: 1 << 40, bounds: [0, 1 << 40, 1 << 41]) == 1 << 23)
    }

    @Test(arguments: [2, 3, 7])
    func partsReadLikeOneReader(threads: Int) throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write(Self.file(rows: 400, seed: UInt64(threads)), to: "u.tsv", in: dir)
        let serial = try UsageCSVReader(path: path)
        let expected = try serial.readRemaining(threads: 1)
        let parallel = try UsageCSVReader(path: path)
        let got = try parallel.readRemaining(threads: threads, minimumBytes: 0)
        #expect(got == expected)
        #expect(got.count == 400)
        // The first part's array had room for every part's lines (`lineCapacity`): they were appended in place.
        #expect(got.capacity >= got.count && got.capacity < 2 * UsageCSVReader.lineCapacity(part: 0, bytes: 0, bounds: [0, Self.file(rows: 400, seed: UInt64(threads)).utf8.count]))
        #expect(parallel.lastLine == serial.lastLine)
        #expect(parallel.invalidIdentifiers.map { $0.0 } == serial.invalidIdentifiers.map { $0.0 })
        #expect(parallel.invalidIdentifiers.map { $0.1 } == serial.invalidIdentifiers.map { $0.1 })
    }

    @Test(arguments: [10, 390])
    func theFirstErrorInFileOrderWins(badRow: Int) throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write(Self.file(rows: 400, seed: 1, badPlaysAt: badRow), to: "u.tsv", in: dir)
        func failure(_ threads: Int) -> OeuvreError? {
            do {
                _ = try UsageCSVReader(path: path).readRemaining(threads: threads, minimumBytes: 0)
                return nil
            } catch {
                return error
            }
        }
        let serial = try #require(failure(1))
        let parallel = try #require(failure(2))
        #expect(parallel.message == serial.message)
        #expect(parallel.position == serial.position)
    }
}
