/// A small open-addressing hash map from UInt32 ids (titles, works) to a value, for per-query
/// accumulators: a query touches a few thousand ids out of millions, so a table of a few tens of
/// kilobytes stays in the L1/L2 cache where a catalogue-sized array would miss to DRAM on every touch.
///
/// Linear probing, power-of-two capacity, grows at load 1/2. Each slot holds its key and value side by
/// side (`Entry`), so a probe and the accumulation that follows touch one cache line, not two (the
/// retrieval passes accumulate ≈ 4,000 postings per recording into these maps). `slots` lists the
/// occupied slots in insertion order (iteration and clearing cost what was inserted, not the capacity).
/// Owns raw memory: call `deallocate()`; not thread-safe.
struct IdMap<Value> {
    struct Entry {
        /// id + 1; 0 = empty.
        var key: UInt32
        /// Meaningful only while the slot is occupied (set to `zero` when a key is inserted).
        var value: Value
    }

    /// The values by slot, read and written in place (`map.values[slot] += x`).
    struct Values {
        let base: UnsafeMutablePointer<Entry>
        @inline(__always)
        subscript(slot: Int) -> Value {
            get { base[slot].value }
            nonmutating set { base[slot].value = newValue }
        }
    }

    private(set) var entries: UnsafeMutablePointer<Entry>
    private(set) var slots: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private(set) var capacity: Int
    private var shift: UInt64
    private let zero: Value
    /// The capacity asked for at creation: `clear()` never shrinks below it.
    private let initialCapacity: Int
    /// The most entries held since the last shrink check, and the clears since then (see `clear()`).
    private var peak = 0
    private var clears = 0
    /// Clears between two shrink checks.
    static var shrinkWindow: Int { 512 }

    init(capacity: Int = 4096, zero: Value) {
        var c = 16
        while c < capacity { c <<= 1 }
        self.capacity = c
        self.initialCapacity = c
        self.zero = zero
        shift = UInt64(64 - c.trailingZeroBitCount)
        entries = .allocate(capacity: c)
        entries.initialize(repeating: Entry(key: 0, value: zero), count: c)
        slots = .allocate(capacity: c / 2 + 1)
    }

    func deallocate() {
        entries.deallocate()
        slots.deallocate()
    }

    @inline(__always)
    var values: Values { Values(base: entries) }

    @inline(__always)
    private func home(_ id: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(id) &* 0x9e37_79b9_7f4a_7c15) >> shift)
    }

    /// The slot of `id`, inserted (with `zero`) when absent. May grow the table first, which moves every value:
    /// take the slot in a statement of its own, then write through `values` — in `map.values[map.slot(id)] = x`
    /// the values are read before `slot` runs, and a growth sends the write to the freed table.
    @inline(__always)
    mutating func slot(_ id: UInt32) -> Int {
        if (count + 1) * 2 > capacity { grow() }
        let key = id &+ 1
        var i = home(id)
        let mask = capacity - 1
        while true {
            let k = entries[i].key
            if k == key { return i }
            if k == 0 {
                entries[i] = Entry(key: key, value: zero)
                slots[count] = Int32(i)
                count += 1
                return i
            }
            i = (i + 1) & mask
        }
    }

    /// The slot of `id`, or -1.
    @inline(__always)
    func find(_ id: UInt32) -> Int {
        let key = id &+ 1
        var i = home(id)
        let mask = capacity - 1
        while true {
            let k = entries[i].key
            if k == key { return i }
            if k == 0 { return -1 }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    func get(_ id: UInt32) -> Value {
        let s = find(id)
        return s < 0 ? zero : entries[s].value
    }

    /// Id stored in `slot`.
    @inline(__always)
    func id(at slot: Int) -> UInt32 { entries[slot].key &- 1 }

    /// Id of the `k`-th inserted entry.
    @inline(__always)
    func id(ofEntry k: Int) -> UInt32 { entries[Int(slots[k])].key &- 1 }

    /// Removes everything (cost proportional to the entries; values are reset when their slot is reused).
    ///
    /// The table only grows while it is used, so one query that touched many ids (a common name read in full:
    /// thousands of works) would leave every later query's few thousand ids spread over a table of 256 KB, past
    /// the L1 cache. Every `shrinkWindow` clears, a table 4 times larger than the last window's largest query
    /// needed is given back for one twice that size (never below the initial capacity). Which slot an id lands in
    /// changes nothing a caller sees: iteration follows insertion order.
    mutating func clear() {
        for k in 0..<count { entries[Int(slots[k])].key = 0 }
        peak = max(peak, count)
        count = 0
        clears += 1
        guard clears >= Self.shrinkWindow else { return }
        var needed = initialCapacity
        while needed < 2 * (peak + 1) { needed <<= 1 }  // holds the window's largest query without growing
        clears = 0
        peak = 0
        if capacity >= 4 * needed { reallocate(capacity: 2 * needed) }
    }

    /// Replaces the empty table by one of `c` slots.
    private mutating func reallocate(capacity c: Int) {
        precondition(count == 0, "IdMap.reallocate: only an empty map")
        entries.deallocate()
        slots.deallocate()
        capacity = c
        shift = UInt64(64 - c.trailingZeroBitCount)
        entries = .allocate(capacity: c)
        entries.initialize(repeating: Entry(key: 0, value: zero), count: c)
        slots = .allocate(capacity: c / 2 + 1)
    }

    @inline(never)
    private mutating func grow() {
        let old = entries, oldSlots = slots, oldCount = count
        let c = capacity * 2
        capacity = c
        shift = UInt64(64 - c.trailingZeroBitCount)
        entries = .allocate(capacity: c)
        entries.initialize(repeating: Entry(key: 0, value: zero), count: c)
        slots = .allocate(capacity: c / 2 + 1)
        count = 0
        for k in 0..<oldCount {
            let e = old[Int(oldSlots[k])]
            let n = slot(e.key &- 1)
            entries[n].value = e.value
        }
        old.deallocate()
        oldSlots.deallocate()
    }
}
