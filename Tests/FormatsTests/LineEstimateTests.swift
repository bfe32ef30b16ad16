import Foundation
@testable import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

/// `UsageReports.estimatedLineCount` (`oeuvre match --partitions auto`): exact for a file that ends within its
/// sample, close for a larger one, plain or gzip, and summed over several files.
@Suite struct LineEstimateTests {
    /// `count` usage lines of varying length (a header, then ids, titles and plays).
    static func report(lines count: Int, seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        var text = "line_id\ttitle\tplays\n"
        for i in 0..<count {
            let words = (0..<Int.random(in: 1...6, using: &rng)).map { _ in String(repeating: "la", count: Int.random(in: 1...5, using: &rng)) }
            text += "L\(i)\t\(words.joined(separator: " "))\t\(Int.random(in: 1...999, using: &rng))\n"
        }
        return text
    }

    @Test func smallFilesAreCountedExactly() throws {
        let dir = TestSupport.temporaryDirectory()
        let a = TestSupport.write(Self.report(lines: 40, seed: 1), to: "a.tsv", in: dir)
        let b = TestSupport.write("line_id\ttitle\nx\tY", to: "b.tsv", in: dir)  // no final line break
        let empty = TestSupport.write("", to: "empty.tsv", in: dir)
        #expect(try UsageReports.estimatedLineCount(paths: [a]) == 41)
        #expect(try UsageReports.estimatedLineCount(paths: [b]) == 2)
        #expect(try UsageReports.estimatedLineCount(paths: [empty]) == 0)
        #expect(try UsageReports.estimatedLineCount(paths: [a, b]) == 43)
        let gz = Gzip.write(Self.report(lines: 40, seed: 1), to: "a.tsv.gz", in: dir)
        #expect(try UsageReports.estimatedLineCount(paths: [gz]) == 41)
    }

    @Test func largeFilesAreEstimatedFromTheirSample() throws {
        let dir = TestSupport.temporaryDirectory()
        let text = Self.report(lines: 60_000, seed: 2)
        let plain = TestSupport.write(text, to: "big.tsv", in: dir)
        let gz = Gzip.write(text, to: "big.tsv.gz", in: dir)
        for path in [plain, gz] {
            // A 64 KiB sample of a ≈ 1.5 MB file: within 5% of its 60,001 lines.
            let estimate = try UsageReports.estimatedLineCount(paths: [path], sampleBytes: 1 << 16)
            #expect(abs(estimate - 60_001) < 3_000, "\(path): \(estimate)")
        }
        #expect(try UsageReports.estimatedLineCount(paths: [plain], sampleBytes: 1 << 30) == 60_001)
    }

    /// A gzip stream that ends early is an error at the line it stops in, from the estimate and from the reader, and
    /// a file-level error names the file without a line.
    @Test func aTruncatedStreamNamesTheLineItStopsIn() throws {
        let dir = TestSupport.temporaryDirectory()
        let text = Self.report(lines: 3_000, seed: 3)
        let path = Gzip.write(text, to: "cut.tsv.gz", in: dir, truncateBy: 2_000)
        for error in [Self.error { _ = try UsageReports.estimatedLineCount(paths: [path]) },
                      Self.error { _ = try UsageReports.read(paths: [path]) }] {
            let e = try #require(error, "no error")
            #expect(e.message.contains("truncated gzip"))
            #expect(e.position?.file == path)
            let line = try #require(e.position?.line)
            #expect(line > 100 && line <= 3_001, "\(e)")
            #expect("\(e)".hasPrefix("\(path):\(line): error: truncated gzip"))
        }
        let missing = try #require(Self.error { _ = try UsageReports.read(paths: [dir + "/none.tsv"]) })
        #expect("\(missing)".hasPrefix(dir + "/none.tsv: error: cannot open file"), "\(missing)")
    }

    /// A pipe (a FIFO here; a shell's `<(…)` alike) is refused before a first read could take its start.
    @Test func aPipeIsRefusedBeforeAnyRead() throws {
        let dir = TestSupport.temporaryDirectory()
        let fifo = dir + "/report.fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        for error in [Self.error { _ = try UsageReports.estimatedLineCount(paths: [fifo]) },
                      Self.error { _ = try UsageReports.read(paths: [fifo]) },
                      Self.error { _ = try UsageReports.detectFormat(path: fifo) },
                      Self.error { _ = try UsageReports.readKeyed(path: fifo, valueBound: 1) { _ in -1 } }] {
            let e = try #require(error, "no error")
            #expect(e.code == .usage)
            #expect("\(e)".hasPrefix(fifo + ": error: not a regular file"), "\(e)")
        }
    }

    static func error(_ body: () throws -> Void) -> OeuvreError? {
        do { try body() } catch { return error as? OeuvreError }
        return nil
    }

    @Test func aMissingFileIsAnErrorNamingIt() {
        #expect {
            _ = try UsageReports.estimatedLineCount(paths: ["/nonexistent/report.tsv"])
        } throws: { ($0 as? OeuvreError)?.description.contains("/nonexistent/report.tsv") == true }
    }
}
