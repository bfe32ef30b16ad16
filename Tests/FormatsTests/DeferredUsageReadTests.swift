import Foundation
@testable import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

/// `UsageReports.readDeferred` (`oeuvre match --partitions`) streams a CSV/TSV file once for its warnings and parts
/// and reads it again per part: the parts together must be exactly the lines `UsageReports.read` gives, in order,
/// with the same warnings, and a file that changed between the passes is an error, not a silently different report.
@Suite struct DeferredUsageReadTests {
    /// A part from a line's fields only (as `RecordingGrouper.partitions` draws them), here its title and plays.
    static func partition(_ lines: [UsageLine]) -> [UInt8] {
        lines.map { UInt8(truncatingIfNeeded: ($0.title.utf8.reduce(0) { $0 &+ Int($1) } &+ Int($0.plays)) % 3) }
    }

    @Test(arguments: [true, false])
    func partsAreTheWholeReadInOrder(tsv: Bool) throws {
        var rng = SeededGenerator(seed: tsv ? 7 : 8)
        let dir = TestSupport.temporaryDirectory()
        let path = dir + (tsv ? "/u.tsv" : "/u.csv")
        try KeyedUsageReadTests.file(&rng, tsv: tsv, rows: 3_000).write(toFile: path, atomically: true, encoding: .utf8)
        let whole = try UsageReports.read(paths: [path])
        let deferred = try UsageReports.readDeferred(paths: [path], partition: Self.partition)
        #expect(deferred.count == whole.lines.count)
        #expect(deferred.warnings == whole.warnings)
        #expect(!whole.warnings.isEmpty, "the random file should draw warnings")
        let partOf = deferred.partOfLines()
        #expect(partOf == Self.partition(whole.lines))
        var rebuilt = [UsageLine?](repeating: nil, count: whole.lines.count)
        for p in UInt8(0)..<3 {
            let (lines, indices) = try deferred.lines(inPart: p)
            #expect(lines.count == indices.count && !lines.isEmpty)
            #expect(indices == indices.sorted())
            for (line, i) in zip(lines, indices) {
                #expect(partOf[i] == p)
                rebuilt[i] = line
            }
        }
        #expect(rebuilt.map { $0 } == whole.lines.map { Optional($0) })
    }

    /// Lines of two files read together carry their `label/` prefixes in every part, as `read` gives them.
    @Test func twoFilesKeepTheirPrefixes() throws {
        var rng = SeededGenerator(seed: 9)
        let dir = TestSupport.temporaryDirectory()
        try KeyedUsageReadTests.file(&rng, tsv: true, rows: 500).write(toFile: dir + "/a.tsv", atomically: true, encoding: .utf8)
        try KeyedUsageReadTests.file(&rng, tsv: false, rows: 400).write(toFile: dir + "/b.csv", atomically: true, encoding: .utf8)
        let paths = [dir + "/a.tsv", dir + "/b.csv"]
        let whole = try UsageReports.read(paths: paths)
        let deferred = try UsageReports.readDeferred(paths: paths, partition: Self.partition)
        #expect(deferred.warnings == whole.warnings)
        var rebuilt = [UsageLine?](repeating: nil, count: whole.lines.count)
        for p in UInt8(0)..<3 {
            let (lines, indices) = try deferred.lines(inPart: p)
            for (line, i) in zip(lines, indices) { rebuilt[i] = line }
        }
        #expect(rebuilt.map { $0 } == whole.lines.map { Optional($0) })
    }

    @Test func fileChangedBetweenPassesIsAnError() throws {
        var rng = SeededGenerator(seed: 10)
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/u.tsv"
        let text = KeyedUsageReadTests.file(&rng, tsv: true, rows: 200)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let deferred = try UsageReports.readDeferred(paths: [path], partition: Self.partition)
        var cut = text.split(separator: "\n", omittingEmptySubsequences: false)
        cut.removeLast(20)
        try (cut.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try deferred.lines(inPart: 0)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("changed")
        }
    }
}
