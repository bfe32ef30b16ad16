import Foundation
import Testing
@testable import Matching

/// `MovableChunk`: elements built into chunks are moved into one array in order, each released exactly once.
@Suite struct MovableChunkTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.lock(); value += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    }

    final class Item {
        let id: Int
        let released: Counter
        init(_ id: Int, _ released: Counter) {
            self.id = id
            self.released = released
        }
        deinit { released.add() }
    }

    @Test func concatenationMovesEveryElementOnceInOrder() {
        let released = Counter()
        do {
            let sizes = [3, 0, 5, 1]
            var next = 0
            let chunks = sizes.map { n in
                MovableChunk(count: n) { _ in
                    defer { next += 1 }
                    return Item(next, released)
                }
            }
            let all = MovableChunk.concatenate(chunks)
            #expect(all.map(\.id) == Array(0..<9))
            #expect(chunks.allSatisfy { $0.count == 0 })
            #expect(released.count == 0)  // moved, not copied and released
        }
        #expect(released.count == 9)  // the array and the emptied chunks gone: each item released once
    }

    @Test func aChunkDroppedWithoutConcatenationReleasesItsElements() {
        let released = Counter()
        do {
            let chunk = MovableChunk(count: 4) { Item($0, released) }
            #expect(chunk.count == 4)
        }
        #expect(released.count == 4)
        #expect(MovableChunk<Item>.concatenate([]).isEmpty)
    }
}
