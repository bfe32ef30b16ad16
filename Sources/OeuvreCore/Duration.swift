/// Parses the durations found in reports and catalogues into whole seconds.
public enum DurationParser {
    /// Accepts seconds (`215`, `215.4`), `m:ss`, `h:mm:ss`, ISO 8601 (`PT3M35S`, `PT1H2M3.5S`, `P0DT0H3M35S`)
    /// and CWR `HHMMSS` when `cwr` is true. Empty input gives nil; malformed input throws.
    public static func seconds(_ raw: String, cwr: Bool = false) throws(OeuvreError) -> Int? {
        let text = raw.trimmingASCIIWhitespace()
        if text.isEmpty { return nil }
        if cwr {
            guard text.utf8.count == 6, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(text) else {
                throw OeuvreError(.invalidInput, "bad CWR duration '\(raw)' (expected HHMMSS)")
            }
            let s = (v / 10000) * 3600 + ((v / 100) % 100) * 60 + v % 100
            return s == 0 ? nil : s
        }
        let upper = text.uppercased()
        if upper.hasPrefix("P") {
            var total = 0.0
            var number = ""
            var inTime = false
            var components = 0
            for ch in upper.dropFirst() {
                if ch == "T" { inTime = true; continue }
                if ch.isNumber || ch == "." || ch == "," { number.append(ch == "," ? "." : ch); continue }
                guard let v = Double(number) else { throw OeuvreError(.invalidInput, "bad ISO 8601 duration '\(raw)'") }
                switch (ch, inTime) {
                case ("D", false): total += v * 86400
                case ("H", true): total += v * 3600
                case ("M", true): total += v * 60
                case ("S", true): total += v
                default: throw OeuvreError(.invalidInput, "bad ISO 8601 duration '\(raw)'")
                }
                number = ""
                components += 1
            }
            guard number.isEmpty, components > 0 else { throw OeuvreError(.invalidInput, "bad ISO 8601 duration '\(raw)'") }
            return Int(total.rounded())
        }
        if let v = Self.colonSeconds(text) { return v }
        if text.contains(":") {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 3, parts.allSatisfy({ !$0.isEmpty }) else {
                throw OeuvreError(.invalidInput, "bad duration '\(raw)' (expected m:ss or h:mm:ss)")
            }
            var total = 0.0
            for p in parts {
                guard let v = Double(p), v >= 0 else { throw OeuvreError(.invalidInput, "bad duration '\(raw)'") }
                total = total * 60 + v
            }
            return Int(total.rounded())
        }
        guard let v = Double(text), v.isFinite, v >= 0 else {
            throw OeuvreError(.invalidInput, "bad duration '\(raw)' (expected seconds, m:ss or PT#M#S)")
        }
        return Int(v.rounded())
    }
}

extension DurationParser {
    /// Fast path for whole-number `m:ss` / `h:mm:ss` (the common case in files); nil when the text is
    /// anything else (the general parser then decides).
    static func colonSeconds(_ text: String) -> Int? {
        var total = 0
        var part = 0
        var digits = 0
        var parts = 0
        for b in text.utf8 {
            if b >= 48 && b <= 57 {
                guard digits < 9 else { return nil }
                part = part * 10 + Int(b - 48)
                digits += 1
            } else if b == UInt8(ascii: ":") {
                guard digits > 0 else { return nil }
                total = total * 60 + part
                part = 0
                digits = 0
                parts += 1
            } else {
                return nil
            }
        }
        guard parts >= 1 && parts <= 2 && digits > 0 else { return nil }
        return total * 60 + part
    }
}

extension String {
    /// The string without leading/trailing ASCII spaces, tabs, CR and LF.
    public func trimmingASCIIWhitespace() -> String {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }
        guard let first = utf8.first, let last = utf8.last else { return self }
        if !isSpace(first) && !isSpace(last) { return self }  // the common case, without copying
        let u = Array(utf8)
        var lo = 0
        var hi = u.count
        while lo < hi, u[lo] == 32 || u[lo] == 9 || u[lo] == 10 || u[lo] == 13 { lo += 1 }
        while hi > lo, u[hi - 1] == 32 || u[hi - 1] == 9 || u[hi - 1] == 10 || u[hi - 1] == 13 { hi -= 1 }
        if lo == 0 && hi == u.count { return self }
        return String(decoding: u[lo..<hi], as: UTF8.self)
    }
}
