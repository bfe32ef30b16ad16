/// Why an identifier failed to parse.
public enum IdentifierProblem: Sendable, Hashable, CustomStringConvertible {
    case empty
    case badLength(expected: Int, found: Int)
    case badCharacter(Character, offset: Int)
    case badPrefix(String)
    case badCheckDigit(expected: String, found: String)

    public var description: String {
        switch self {
        case .empty: return "empty value"
        case .badLength(let expected, let found): return "expected \(expected) characters, found \(found)"
        case .badCharacter(let c, let offset): return "unexpected character '\(c)' at offset \(offset + 1)"
        case .badPrefix(let p): return "bad prefix '\(p)'"
        case .badCheckDigit(let expected, let found): return "check digit is \(found), expected \(expected)"
        }
    }
}

/// An identifier value that failed validation, with what was wrong.
public struct IdentifierError: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    public var input: String
    public var problem: IdentifierProblem

    public var description: String { "invalid \(kind) '\(input)': \(problem)" }
}

/// Removes the separators people put in identifiers (`-`, `.`, spaces, `/`) and upper-cases ASCII.
@usableFromInline
func compactIdentifier(_ raw: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(16)
    for b in raw.utf8 {
        switch b {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: " "), UInt8(ascii: "/"), 9: continue
        case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(b - 32)
        default: out.append(b)
        }
    }
    return out
}

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
@inline(__always) private func isUpper(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }

private func badCharacter(_ bytes: [UInt8], _ i: Int) -> IdentifierProblem {
    .badCharacter(Character(Unicode.Scalar(bytes[i])), offset: i)
}

/// International Standard Musical Work Code (ISO 15707): `T` + 9 digits + check digit.
///
/// Accepts `T-034.524.680-1`, `T0345246801`, `t 034524680 1`; canonical form `T0345246801`.
public struct ISWC: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// Canonical form without separators, e.g. `T0345246801`.
    public let value: String

    public init(_ raw: String) throws(IdentifierError) {
        let bytes = compactIdentifier(raw)
        func fail(_ p: IdentifierProblem) -> IdentifierError { IdentifierError(kind: "ISWC", input: raw, problem: p) }
        if bytes.isEmpty { throw fail(.empty) }
        guard bytes.count == 11 else { throw fail(.badLength(expected: 11, found: bytes.count)) }
        guard bytes[0] == UInt8(ascii: "T") else { throw fail(.badPrefix(String(decoding: bytes[0..<1], as: UTF8.self))) }
        var sum = 1
        for i in 1...10 {
            guard isDigit(bytes[i]) else { throw fail(badCharacter(bytes, i)) }
            if i <= 9 { sum += i * Int(bytes[i] - 48) }
        }
        let check = (10 - sum % 10) % 10
        let found = Int(bytes[10] - 48)
        guard check == found else { throw fail(.badCheckDigit(expected: String(check), found: String(found))) }
        value = String(decoding: bytes, as: UTF8.self)
    }

    /// `T-034.524.680-1`.
    public var formatted: String {
        let c = Array(value)
        return "T-\(String(c[1...3])).\(String(c[4...6])).\(String(c[7...9]))-\(c[10])"
    }

    /// Returns nil for invalid input instead of throwing.
    public static func parse(_ raw: String) -> ISWC? { try? ISWC(raw) }

    public var description: String { value }
    public static func < (a: ISWC, b: ISWC) -> Bool { a.value < b.value }
}

/// International Standard Recording Code (ISO 3901): `CC` + 3 alphanumerics + 2-digit year + 5 digits.
///
/// Syntactic validation only (ISRC has no check digit). Accepts `US-RC1-76-07839`, lower case, and
/// a leading `ISRC` label; canonical form `USRC17607839`.
public struct ISRC: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(IdentifierError) {
        var bytes = compactIdentifier(raw)
        func fail(_ p: IdentifierProblem) -> IdentifierError { IdentifierError(kind: "ISRC", input: raw, problem: p) }
        if bytes.count == 16, bytes.starts(with: Array("ISRC".utf8)) { bytes.removeFirst(4) }
        if bytes.isEmpty { throw fail(.empty) }
        guard bytes.count == 12 else { throw fail(.badLength(expected: 12, found: bytes.count)) }
        for i in 0..<2 where !isUpper(bytes[i]) { throw fail(badCharacter(bytes, i)) }
        for i in 2..<5 where !(isUpper(bytes[i]) || isDigit(bytes[i])) { throw fail(badCharacter(bytes, i)) }
        for i in 5..<12 where !isDigit(bytes[i]) { throw fail(badCharacter(bytes, i)) }
        value = String(decoding: bytes, as: UTF8.self)
    }

    /// `US-RC1-76-07839`.
    public var formatted: String {
        let c = Array(value)
        return "\(String(c[0..<2]))-\(String(c[2..<5]))-\(String(c[5..<7]))-\(String(c[7..<12]))"
    }

    public static func parse(_ raw: String) -> ISRC? { try? ISRC(raw) }
    public var description: String { value }
    public static func < (a: ISRC, b: ISRC) -> Bool { a.value < b.value }
}

/// CISAC IPI name number: 9 digits + 2 check digits (mod 101), left-padded to 11 digits.
public struct IPINameNumber: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(IdentifierError) {
        var bytes = compactIdentifier(raw)
        func fail(_ p: IdentifierProblem) -> IdentifierError { IdentifierError(kind: "IPI name number", input: raw, problem: p) }
        if bytes.starts(with: Array("IPI:".utf8)) { bytes.removeFirst(4); if bytes.first == UInt8(ascii: ":") { bytes.removeFirst() } }
        if bytes.isEmpty { throw fail(.empty) }
        for i in bytes.indices where !isDigit(bytes[i]) { throw fail(badCharacter(bytes, i)) }
        guard bytes.count <= 11 else { throw fail(.badLength(expected: 11, found: bytes.count)) }
        bytes = Array(repeating: 48, count: 11 - bytes.count) + bytes
        let check = IPINameNumber.checkDigits(bytes)
        let found = Int(bytes[9] - 48) * 10 + Int(bytes[10] - 48)
        guard check == found else {
            throw fail(.badCheckDigit(expected: check < 10 ? "0\(check)" : "\(check)", found: found < 10 ? "0\(found)" : "\(found)"))
        }
        value = String(decoding: bytes, as: UTF8.self)
    }

    static func checkDigits(_ digits: [UInt8]) -> Int {
        var total = 0
        for i in 0..<9 { total += Int(digits[i] - 48) * (10 - i) }
        let r = total % 101
        return r == 0 ? 0 : (101 - r) % 100
    }

    /// Builds the valid IPI name number for a 9-digit sequence (used by generators and tests).
    public static func make(sequence: Int) -> IPINameNumber {
        precondition(sequence >= 0 && sequence < 1_000_000_000)
        var digits = Array(String(sequence).utf8)
        digits = Array(repeating: 48, count: 9 - digits.count) + digits
        let c = checkDigits(digits)
        let text = String(decoding: digits, as: UTF8.self) + (c < 10 ? "0\(c)" : "\(c)")
        // The check digits are computed above, so this cannot fail.
        return (try? IPINameNumber(text))!
    }

    public static func parse(_ raw: String) -> IPINameNumber? { try? IPINameNumber(raw) }
    public var description: String { value }
    public static func < (a: IPINameNumber, b: IPINameNumber) -> Bool { a.value < b.value }
}

/// CISAC IPI base number `I-NNNNNNNNN-C` (header letter, 9 digits, check digit); canonical with dashes.
public struct IPIBaseNumber: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(IdentifierError) {
        let bytes = compactIdentifier(raw)
        func fail(_ p: IdentifierProblem) -> IdentifierError { IdentifierError(kind: "IPI base number", input: raw, problem: p) }
        if bytes.isEmpty { throw fail(.empty) }
        guard bytes.count == 11 else { throw fail(.badLength(expected: 11, found: bytes.count)) }
        guard isUpper(bytes[0]) else { throw fail(.badPrefix(String(decoding: bytes[0..<1], as: UTF8.self))) }
        var sum = 2
        for i in 1...10 {
            guard isDigit(bytes[i]) else { throw fail(badCharacter(bytes, i)) }
            if i <= 9 { sum += i * Int(bytes[i] - 48) }
        }
        let check = (10 - sum % 10) % 10
        let found = Int(bytes[10] - 48)
        guard check == found else { throw fail(.badCheckDigit(expected: String(check), found: String(found))) }
        let s = String(decoding: bytes, as: UTF8.self)
        let c = Array(s)
        value = "\(c[0])-\(String(c[1...9]))-\(c[10])"
    }

    public static func parse(_ raw: String) -> IPIBaseNumber? { try? IPIBaseNumber(raw) }
    public var description: String { value }
    public static func < (a: IPIBaseNumber, b: IPIBaseNumber) -> Bool { a.value < b.value }
}

extension ISWC {
    /// Builds the valid ISWC for a 9-digit work number (used by generators and tests).
    public static func make(number: Int) -> ISWC {
        precondition(number >= 0 && number < 1_000_000_000)
        var digits = Array(String(number).utf8)
        digits = Array(repeating: 48, count: 9 - digits.count) + digits
        var sum = 1
        for i in 0..<9 { sum += (i + 1) * Int(digits[i] - 48) }
        let check = (10 - sum % 10) % 10
        return (try? ISWC("T" + String(decoding: digits, as: UTF8.self) + String(check)))!
    }
}

/// The kinds of identifier `oeuvre id check` recognises.
public enum IdentifierKind: String, Sendable, CaseIterable {
    case iswc = "ISWC", isrc = "ISRC", ipiName = "IPI name number", ipiBase = "IPI base number"

    /// Guesses which identifier a raw value is meant to be, from its shape (not its check digit).
    public static func guess(_ raw: String) -> IdentifierKind? {
        var bytes = compactIdentifier(raw)
        if bytes.starts(with: Array("IPI:".utf8)) { return .ipiName }
        if bytes.count == 16, bytes.starts(with: Array("ISRC".utf8)) { bytes.removeFirst(4) }
        if bytes.isEmpty { return nil }
        if bytes.allSatisfy(isDigit) { return bytes.count <= 11 ? .ipiName : nil }
        if bytes.count == 11, bytes[0] == UInt8(ascii: "T"), bytes.dropFirst().allSatisfy(isDigit) { return .iswc }
        if bytes.count == 11, isUpper(bytes[0]), bytes.dropFirst().allSatisfy(isDigit) { return .ipiBase }
        if bytes.count == 12, isUpper(bytes[0]), isUpper(bytes[1]) { return .isrc }
        if bytes.first == UInt8(ascii: "T") { return .iswc }
        return bytes.count == 12 ? .isrc : nil
    }
}
