import CZlib
import Foundation
import Formats
import OeuvreCore
import OeuvreTestSupport

/// Builds DSR flat files for tests: records are arrays of cells joined with TABs; the FOOT counts are
/// computed unless given.
struct DSRFixture {
    var lines: [String] = []
    var lineEnding = "\n"

    static let bapHead = ["HEAD", "dsrf/1.1.2/6/1.2", "BasicAudioProfile", "1.2", "MSG-1", "2025-04-02T09:00:00Z", "1", "1",
                          "2025-03-01", "2025-03-31", "PADPIDA0000000001X", "Example Streaming Ltd", "Premium",
                          "PADPIDA0000000002X", "Example Society", ""]

    init(head: [String] = DSRFixture.bapHead) { lines.append(head.joined(separator: "\t")) }

    mutating func add(_ cells: String...) { lines.append(cells.joined(separator: "\t")) }
    mutating func addRaw(_ line: String) { lines.append(line) }

    /// Summary records (`SY…`) and distinct block ids among the records so far.
    var counts: (summaries: Int, blocks: Int) {
        var summaries = 0
        var blocks: [String] = []
        for l in lines where !l.hasPrefix("#") {
            let c = l.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let t = c.first else { continue }
            if t.hasPrefix("SY") { summaries += 1 }
            let blockTypes = ["RE01", "RE02", "AS01", "AS02", "MW01", "SU01", "SU02", "SU03", "RU01", "RU02", "LI01"]
            if blockTypes.contains(String(t.prefix(4))), c.count > 1, blocks.last != c[1] { blocks.append(c[1]) }
        }
        return (summaries, blocks.count)
    }

    /// The file text with a FOOT (`lines`, `summaries`, `blocks` override the computed counts).
    func text(foot: Bool = true, lines lineCount: Int? = nil, summaries: Int? = nil, blocks: Int? = nil,
              reportLines: Int? = nil, reportBlocks: Int? = nil) -> String {
        var all = self.lines
        if foot {
            let c = counts
            let n = lineCount ?? all.count + 1
            all.append(["FOOT", String(n), String(reportLines ?? n), String(summaries ?? c.summaries), String(blocks ?? c.blocks),
                        String(reportBlocks ?? blocks ?? c.blocks)].joined(separator: "\t"))
        }
        return all.joined(separator: lineEnding) + lineEnding
    }

    /// Writes the file and returns its path.
    func write(_ name: String = "DSR_TEST.tsv", in dir: String, foot: Bool = true) -> String {
        TestSupport.write(text(foot: foot), to: name, in: dir)
    }

    /// §1.8 of FORMATS.md: a normal track (AS02) and a DSP-built medley (AS01 + two MW01).
    static var example: DSRFixture {
        var f = DSRFixture()
        f.add("SY01.01", "S1", "", "", "SubscriptionModel", "OnDemandStream", "FR", "Premium", "1500", "1000", "EUR", "120.00", "", "", "")
        f.add("RE01", "1", "R1", "rel-555", "", "CAT-1", "", "The Examples", "", "First Album", "", "Album", "Example Records", "", "")
        f.add("AS02.02", "1", "A1", "trk-777", "XXA1B2500001", "Summer Rain", "Radio Edit", "The Examples", "", "PT3M30S",
              "SoundRecording", "T9876543214", "Jane Doe", "IPI::98765432174", "", "", "Example Music Publishing", "", "", "", "", "")
        f.add("SU02", "1", "S1", "TX-1", "", "A1", "true", "1200", "", "")
        f.add("RE01", "2", "R1", "rel-556", "", "", "", "Various", "", "Party Mix", "", "Single", "", "", "")
        f.add("AS01.01", "2", "A1", "trk-778", "XXA1B2500002", "Summer Rain / Winter Sun (Medley)", "", "The Examples", "",
              "PT6M02S", "SoundRecording", "")
        f.add("MW01.01", "2", "w-1", "T9876543214", "Summer Rain", "", "Jane Doe", "", "", "", "", "", "", "", "", "")
        f.add("MW01.01", "2", "w-2", "", "Winter Sun", "", "John Roe|Ann Poe", "", "", "", "", "", "", "", "", "")
        f.add("SU02", "2", "S1", "TX-2", "", "A1", "true", "300", "", "")
        return f
    }
}

enum Gzip {
    /// Compresses `data` as a gzip stream.
    static func compress(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        var out = [UInt8](repeating: 0, count: data.count + 1024)
        var input = data
        let produced = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                deflate(&stream, Z_FINISH)
                return o.count - Int(stream.avail_out)
            }
        }
        deflateEnd(&stream)
        return Array(out[0..<produced])
    }

    static func write(_ text: String, to name: String, in dir: String, truncateBy: Int = 0) -> String {
        var bytes = compress(Array(text.utf8))
        bytes.removeLast(min(truncateBy, bytes.count))
        let path = dir + "/" + name
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
        return path
    }
}

/// Reads one file and returns the result (test shorthand).
func readReport(_ paths: String..., lenient: Bool = false) throws -> UsageReadResult {
    try UsageReports.read(paths: paths, options: UsageReadOptions(lenientCounts: lenient))
}

/// The error reading `paths` throws.
func readError(_ paths: String..., lenient: Bool = false) -> OeuvreError? {
    do {
        _ = try UsageReports.read(paths: paths, options: UsageReadOptions(lenientCounts: lenient))
        return nil
    } catch {
        return error
    }
}
