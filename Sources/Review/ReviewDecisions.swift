import Catalogue
import Foundation
import GRDB
import Matching
import Normalization
import OeuvreCore

/// Reviewers' decisions read report by report (`MatchOptions.reviewSource`): a match asks for those about the
/// recordings it holds and they are found by the indexes of review-v3, instead of every decision of the catalogue
/// being read for every match (≈ 0.5 s per 100k decisions: a join with the queue items and the JSON of the candidates
/// shown).
///
/// Every decision is read instead (`ReviewStore.memory(of:)`, once, kept for the next parts and chunks of the same
/// match) when the catalogue cannot answer by index: review tables older than review-v3 (a catalogue not opened for
/// review since the upgrade), or keys missing or made by other readings (the next `oeuvre review import` makes them
/// again); and when it holds no more decisions than the report asks keys for, where reading them all costs less.
/// Reads only, like `ReviewStore.memory(of:)`.
public final class ReviewDecisions: ReviewDecisionSource, @unchecked Sendable {
    /// How the catalogue answers; learned on the first call.
    public enum Mode: Sendable, Equatable {
        /// No decision at all.
        case none
        /// Every decision, read once (`ReviewStore.memory(of:)`).
        case all
        /// By index, for the keys asked; `decisions` is how many the catalogue holds.
        case indexed(decisions: Int)
    }

    let catalogue: CatalogueStore
    let builder: ProfileBuilder
    private let lock = NSLock()
    private var mode: Mode?
    private var everything: ReviewMemory?

    public init(catalogue: CatalogueStore, builder: ProfileBuilder = ProfileBuilder()) {
        self.catalogue = catalogue
        self.builder = builder
    }

    /// How the catalogue answers (asks it on the first call).
    public func answering() throws(OeuvreError) -> Mode {
        lock.lock()
        defer { lock.unlock() }
        return try currentMode()
    }

    public func isEmpty() throws(OeuvreError) -> Bool {
        try answering() == .none
    }

    public func memory(isrcs: [String], metadataKeys: [String]) throws(OeuvreError) -> ReviewMemory {
        lock.lock()
        defer { lock.unlock() }
        switch try currentMode() {
        case .none:
            return ReviewMemory()
        case .indexed(let decisions) where decisions > isrcs.count + metadataKeys.count:
            return try Self.wrap { try read(isrcs: isrcs, metadataKeys: metadataKeys) }
        case .indexed, .all:
            if let everything { return everything }
            let all = try Self.wrap { try ReviewStore.memory(of: catalogue, builder: builder) }
            everything = all
            return all
        }
    }

    private func currentMode() throws(OeuvreError) -> Mode {
        if let mode { return mode }
        let found = try Self.wrap {
            try catalogue.dbQueue.read { db -> Mode in
                guard try db.tableExists("review_log"), try db.tableExists("review_queue_items") else { return .none }
                let decisions = try Int.fetchOne(db, sql: "SELECT count(*) FROM review_log WHERE kind = 'decision'") ?? 0
                guard decisions > 0 else { return .none }
                guard try db.tableExists("review_keys"), try db.columns(in: "review_keys").contains(where: { $0.name == "isrc" }) else {
                    return .all
                }
                // Keys exist only for decisions (one row each): as many of the current readings means every one has one.
                let current = try Int.fetchOne(db, sql: "SELECT count(*) FROM review_keys WHERE revision = ?",
                                               arguments: [ReviewStore.keyRevision]) ?? 0
                return current == decisions ? .indexed(decisions: decisions) : .all
            }
        }
        mode = found
        return found
    }

    /// The decisions whose canonical ISRC is one of `isrcs` or whose metadata key is one of `metadataKeys`.
    private func read(isrcs: [String], metadataKeys: [String]) throws -> ReviewMemory {
        try catalogue.dbQueue.read { db in
            var memory = ReviewMemory()
            for (column, keys) in [("isrc", isrcs), ("metadata_key", metadataKeys)] where !keys.isEmpty {
                let list = String(decoding: try JSONSerialization.data(withJSONObject: keys, options: [.withoutEscapingSlashes]), as: UTF8.self)
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT l.seq, l.work_id, q.isrc, q.candidates, k.metadata_key
                    FROM review_keys k
                    JOIN review_log l ON l.seq = k.seq
                    JOIN review_queue_items q ON q.line_id = l.line_id AND q.queue_id = json_extract(l.payload, '$.queue_id')
                    WHERE k.\(column) IS NOT NULL AND k.\(column) IN (SELECT value FROM json_each(?))
                    """, arguments: [list])
                while let r = try rows.next() {
                    memory.record(isrc: r[2], metadataKey: r[4], ReviewStore.decision(seq: r[0], accepted: r[1], shown: r[3]))
                }
            }
            return memory
        }
    }

    private static func wrap<T>(_ body: () throws -> T) throws(OeuvreError) -> T {
        do {
            return try body()
        } catch let error as OeuvreError {
            throw error
        } catch {
            throw OeuvreError(.io, "cannot read the review decisions: \(error)")
        }
    }
}
