/// A quick test of whether a normalized title (words separated by single spaces) may contain one of a
/// fixed set of words, without splitting it into strings: each word's FNV-1a hash picks one bit of a
/// 4096-bit set. False means none of the words is there; true means one may be (a hash collision lets a
/// title through to the exact check, never the other way round).
struct WordScreen: Sendable {
    private var bits = [UInt64](repeating: 0, count: 64)

    init<S: Sequence>(_ words: S) where S.Element: StringProtocol {
        for w in words {
            var h = Self.seed
            for b in w.utf8 { Self.add(b, to: &h) }
            let x = Self.bit(h)
            bits[x >> 6] |= 1 << UInt64(x & 63)
        }
    }

    private static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// One FNV-1a step.
    @inline(__always)
    private static func add(_ b: UInt8, to h: inout UInt64) {
        h ^= UInt64(b)
        h &*= 0x0000_0100_0000_01b3
    }

    /// The bit a finished word hash picks.
    @inline(__always)
    private static func bit(_ h: UInt64) -> Int { Int(truncatingIfNeeded: (h ^ (h >> 29)) & 4095) }

    @inline(__always)
    private func isSet(_ h: UInt64) -> Bool {
        let x = Self.bit(h)
        return bits[x >> 6] & (1 << UInt64(x & 63)) != 0
    }

    /// Whether some word of `title` (a maximal run of bytes other than the space) may be in the set.
    func mayContainWord(of title: String) -> Bool {
        var h = Self.seed
        var inWord = false
        for b in title.utf8 {
            if b == 32 {
                if inWord {
                    if isSet(h) { return true }
                    h = Self.seed
                    inWord = false
                }
            } else {
                Self.add(b, to: &h)
                inWord = true
            }
        }
        return inWord && isSet(h)
    }
}

/// The bytes that occur in a text (256 bits, no allocation), for screens that skip work a missing byte
/// rules out (a separator none of whose bytes is there cannot match).
struct ByteSet {
    private var low = (UInt64(0), UInt64(0))
    private var high = (UInt64(0), UInt64(0))

    init(_ text: String) {
        for b in text.utf8 { insert(b) }
    }

    @inline(__always)
    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: low.0 |= bit
        case 1: low.1 |= bit
        case 2: high.0 |= bit
        default: high.1 |= bit
        }
    }

    @inline(__always)
    func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return low.0 & bit != 0
        case 1: return low.1 & bit != 0
        case 2: return high.0 & bit != 0
        default: return high.1 & bit != 0
        }
    }
}
