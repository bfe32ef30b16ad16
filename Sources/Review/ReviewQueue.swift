import Foundation
import Formats
import OeuvreCore

/// One candidate work shown to a reviewer.
public struct ReviewCandidate: Sendable, Hashable, Codable {
    public var workId: String
    public var iswc: String?
    public var title: String
    public var writers: [String]
    public var performers: [String]
    public var confidence: Double
    public var reason: String
    /// The features that weighed most for this candidate, e.g. `title_cosine +2.1; artist_performer +1.3`.
    public var evidence: String

    public init(workId: String, iswc: String?, title: String, writers: [String], performers: [String], confidence: Double,
                reason: String, evidence: String) {
        self.workId = workId
        self.iswc = iswc
        self.title = title
        self.writers = writers
        self.performers = performers
        self.confidence = confidence
        self.reason = reason
        self.evidence = evidence
    }
}

/// One usage line to review, with its machine decision and top candidates.
public struct ReviewItem: Sendable, Hashable, Codable {
    public var lineId: String
    public var isrc: String?
    public var title: String
    public var artist: String?
    public var duration: Int?
    public var plays: Double
    public var revenue: Double?
    public var machineDecision: Decision
    public var candidates: [ReviewCandidate]

    public init(lineId: String, isrc: String?, title: String, artist: String?, duration: Int?, plays: Double, revenue: Double?,
                machineDecision: Decision, candidates: [ReviewCandidate]) {
        self.lineId = lineId
        self.isrc = isrc
        self.title = title
        self.artist = artist
        self.duration = duration
        self.plays = plays
        self.revenue = revenue
        self.machineDecision = machineDecision
        self.candidates = candidates
    }

    /// Money at stake times uncertainty: plays × (1 − confidence of the best candidate).
    public var priority: Double { plays * (1 - (candidates.first?.confidence ?? 0)) }
}

/// Writes review queues: CSV a spreadsheet opens correctly (UTF-8, optional BOM, RFC 4180) or JSONL.
public enum ReviewQueueWriter {
    public enum Format: String, Sendable, CaseIterable { case csv, jsonl }

    /// Candidates shown side by side per row.
    public static let candidatesShown = 3

    /// Columns of the CSV queue, in order. Reviewers fill `decision` (a work id, 1–3 for the
    /// candidate shown in that position, or `none`) and optionally `note`; an empty decision means
    /// "not reviewed yet".
    public static var columns: [String] {
        var c = ["queue_id", "line_id", "isrc", "title", "artist", "duration", "plays", "revenue", "machine_decision", "priority"]
        for i in 1...candidatesShown {
            c += ["c\(i)_work_id", "c\(i)_iswc", "c\(i)_title", "c\(i)_writers", "c\(i)_performers", "c\(i)_confidence",
                  "c\(i)_reason", "c\(i)_evidence"]
        }
        return c + ["decision", "note"]
    }

    /// Orders items by priority (highest first, then line id) and applies `limit`.
    public static func ordered(_ items: [ReviewItem], limit: Int? = nil) -> [ReviewItem] {
        let sorted = items.sorted { a, b in
            a.priority != b.priority ? a.priority > b.priority : a.lineId < b.lineId
        }
        if let limit { return Array(sorted.prefix(limit)) }
        return sorted
    }

    /// Writes `items` (already ordered) atomically to `path`.
    public static func write(_ items: [ReviewItem], queueId: String, to path: String, format: Format, bom: Bool) throws(OeuvreError) {
        let out = try AtomicFileWriter(path: path)
        switch format {
        case .csv:
            if bom { out.write("\u{FEFF}") }
            out.write(columns.joined(separator: ",") + "\r\n")
            for item in items {
                var cells = [queueId, item.lineId, item.isrc ?? "", item.title, item.artist ?? "", item.duration.map(String.init) ?? "",
                             formatNumber(item.plays), item.revenue.map(formatNumber) ?? "", item.machineDecision.rawValue,
                             formatNumber(item.priority)]
                for i in 0..<candidatesShown {
                    if i < item.candidates.count {
                        let c = item.candidates[i]
                        cells += [c.workId, c.iswc ?? "", c.title, c.writers.joined(separator: "|"), c.performers.joined(separator: "|"),
                                  String(format: "%.4f", c.confidence), c.reason, c.evidence]
                    } else {
                        cells += Array(repeating: "", count: 8)
                    }
                }
                cells += ["", ""]
                out.write(cells.map(csvCell).joined(separator: ",") + "\r\n")
            }
        case .jsonl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for item in items {
                struct Row: Encodable {
                    var queue_id: String
                    var item: ReviewItem
                    var priority: Double
                    var decision: String
                    var note: String
                }
                guard let data = try? encoder.encode(Row(queue_id: queueId, item: item, priority: item.priority, decision: "", note: "")) else {
                    throw OeuvreError(.internalError, "cannot encode review item \(item.lineId)")
                }
                out.write(String(decoding: data, as: UTF8.self) + "\n")
            }
        }
        try out.commit()
    }

    static func formatNumber(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.4f", v)
    }
}
