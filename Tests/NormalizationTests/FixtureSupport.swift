import Foundation
import OeuvreTestSupport
import Testing

/// One row of Fixtures/titles.tsv.
struct TitleCase: Sendable, CustomTestStringConvertible {
    var line: Int
    var title: String
    var artist: String
    var core: String
    var tags: [String]
    var featured: [String]
    var artists: [String]
    /// remixers, original, from, medley, alternates (optional checks).
    var extra: [String: [String]]

    var testDescription: String { "titles.tsv:\(line) \(title)" }
}

/// One row of Fixtures/credits.tsv.
struct CreditCase: Sendable, CustomTestStringConvertible {
    var line: Int
    var credit: String
    var kind: String
    var names: [String]

    var testDescription: String { "credits.tsv:\(line) \(kind) \(credit)" }
}

enum Fixtures {
    /// Data rows (line number, cells) of a tab-separated fixture; `#` lines and the header skipped.
    static func rows(_ name: String) -> [(Int, [String])] {
        let path = TestSupport.fixture("Fixtures/\(name)")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var out: [(Int, [String])] = []
        var sawHeader = false
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !sawHeader { sawHeader = true; continue }
            out.append((i + 1, line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)))
        }
        return out
    }

    static func multi(_ cell: String) -> [String] {
        cell.isEmpty ? [] : cell.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }

    static let titles: [TitleCase] = rows("titles.tsv").map { line, c in
        let cell = { (k: Int) in k < c.count ? c[k] : "" }
        var extra: [String: [String]] = [:]
        for kv in cell(6).split(separator: ";") {
            let parts = kv.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { extra[parts[0]] = multi(parts[1]) }
        }
        return TitleCase(line: line, title: cell(0), artist: cell(1), core: cell(2), tags: multi(cell(3)),
                         featured: multi(cell(4)), artists: multi(cell(5)), extra: extra)
    }

    static let credits: [CreditCase] = rows("credits.tsv").map { line, c in
        CreditCase(line: line, credit: c.count > 0 ? c[0] : "", kind: c.count > 1 ? c[1] : "",
                   names: multi(c.count > 2 ? c[2] : ""))
    }
}
