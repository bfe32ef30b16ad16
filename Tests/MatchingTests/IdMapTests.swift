@testable import Matching
import OeuvreTestSupport
import Testing

/// `IdMap` (keys and values side by side) behaves as a dictionary through inserts, accumulation, growth and clears.
@Suite struct IdMapTests {
    @Test(arguments: [Float(0), Float(-1)])
    func behavesLikeADictionary(zero: Float) {
        var rng = SeededGenerator(seed: 17)
        var map = IdMap<Float>(capacity: 16, zero: zero)
        defer { map.deallocate() }
        for round in 0..<6 {
            var reference: [UInt32: Float] = [:]
            var order: [UInt32] = []
            let n = [10, 300, 5000, 0, 64, 2000][round]
            for _ in 0..<n {
                let id = UInt32.random(in: 0..<(UInt32(n) * 2 + 1), using: &rng)
                let add = Float(Int.random(in: 1...9, using: &rng))
                let s = map.slot(id)
                map.values[s] += add
                if reference[id] == nil { order.append(id) }
                reference[id, default: zero] += add
            }
            #expect(map.count == reference.count)
            for (id, v) in reference { #expect(map.get(id) == v && map.find(id) >= 0) }
            #expect((0..<map.count).map { map.id(ofEntry: $0) } == order)
            for k in 0..<map.count { let s = Int(map.slots[k]); #expect(map.values[s] == reference[map.id(at: s)]) }
            #expect(map.get(UInt32.max - 1) == zero && map.find(UInt32.max - 1) == -1)
            map.clear()
            #expect(map.count == 0)
            for id in order.prefix(20) { #expect(map.find(id) == -1 && map.get(id) == zero) }
            // A reused slot starts from zero again.
            if let id = order.first { #expect(map.values[map.slot(id)] == zero); map.clear() }
        }
    }

    /// One large query grows the table; a window of small queries gives the memory back, and the map still behaves.
    @Test func shrinksAfterAWindowOfSmallQueries() {
        var map = IdMap<Float>(capacity: 16, zero: 0)
        defer { map.deallocate() }
        // `slot` first, then `values`: a slot call that grows the table moves the values.
        for id in 0..<10_000 as Range<UInt32> { let s = map.slot(id); map.values[s] = 1 }
        #expect(map.capacity == 32_768)
        map.clear()
        for round in 1..<IdMap<Float>.shrinkWindow {
            for id in 0..<5 as Range<UInt32> { let s = map.slot(id * 7 + UInt32(round)); map.values[s] += 2 }
            map.clear()
        }
        // The window's first clear saw 10,000 entries: the table stays until a whole window of small queries.
        #expect(map.capacity == 32_768)
        for round in 0..<IdMap<Float>.shrinkWindow { let s = map.slot(UInt32(round)); map.values[s] = 1; map.clear() }
        #expect(map.capacity == 32)  // twice what 1 entry (and the initial 16 slots) needs
        for id in 0..<300 as Range<UInt32> { let s = map.slot(id * 3); map.values[s] += Float(id) }
        #expect(map.count == 300)
        for id in 0..<300 as Range<UInt32> { #expect(map.get(id * 3) == Float(id)) }
        #expect(map.find(1) == -1)
        #expect((0..<map.count).map { map.id(ofEntry: $0) } == (0..<300).map { UInt32($0) * 3 })
    }
}
