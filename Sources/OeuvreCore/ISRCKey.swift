/// A canonical ISRC (12 characters, A–Z/0–9) packed losslessly into 64 bits (base 36). Every key of an
/// ISRC is nonzero (its first character is a letter).
public enum ISRCKey {
    public static func pack(_ isrc: String) -> UInt64? {
        var key: UInt64 = 0
        var n = 0
        for b in isrc.utf8 {
            let d: UInt64
            switch b {
            case 48...57: d = UInt64(b - 48)
            case 65...90: d = UInt64(b - 55)
            case 97...122: d = UInt64(b - 87)
            case 45: continue  // hyphenated display form
            default: return nil
            }
            n += 1
            if n > 12 { return nil }
            key = key * 36 + d
        }
        return n == 12 ? key : nil
    }

    /// The key of 12 bytes already known to be upper-case letters and digits (a canonical ISRC as written).
    @inline(__always)
    public static func packCanonical(_ b: UnsafeRawBufferPointer) -> UInt64 {
        var key: UInt64 = 0
        for i in 0..<12 {
            let c = b[i]
            key = key &* 36 &+ UInt64(c >= 65 ? c &- 55 : c &- 48)
        }
        return key
    }
}
