/// A quick test of whether a normalized title (words separated by single spaces) may contain one of a
/// fixed set of words, without splitting it into strings: each word's FNV-1a hash picks one bit of a
/// 4096-bit set. False means none of the words is there; true means one may be (a hash collision lets a
/// title through to the exact check, never the other way round).
struct WordScreen: Sendable {
    private var bits = [UInt64](repeating: 0, count: 64)

    init<S: Sequence>(_ words: S) where S.Element: StringProtocol {
        for w in words {
            let h = Self.bit(w.utf8)
            bits[h >> 6] |= 1 << UInt64(h & 63)
        }
    }

    @inline(__always)
    private static func bit<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        return Int(truncatingIfNeeded: (h ^ (h >> 29)) & 4095)
    }

    /// Whether some word of `title` (a maximal run of bytes other than the space) may be in the set.
    func mayContainWord(of title: String) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var inWord = false
        for b in title.utf8 {
            if b == 32 {
                if inWord {
                    let x = Int(truncatingIfNeeded: (h ^ (h >> 29)) & 4095)
                    if bits[x >> 6] & (1 << UInt64(x & 63)) != 0 { return true }
                    h = 0xcbf2_9ce4_8422_2325
                    inWord = false
                }
            } else {
                h ^= UInt64(b)
                h &*= 0x0000_0100_0000_01b3
                inWord = true
            }
        }
        if inWord {
            let x = Int(truncatingIfNeeded: (h ^ (h >> 29)) & 4095)
            return bits[x >> 6] & (1 << UInt64(x & 63)) != 0
        }
        return false
    }
}
