import Foundation
import CICUShim
import OeuvreCore

/// An ICU error: the operation that failed and ICU's status name.
public struct ICUError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var status: Int32
    public var description: String {
        let name = String(cString: cicushim_error_name(status))
        return "ICU \(operation) failed: \(name) (\(status))"
    }
}

/// Owns one ICU transliterator handle. Not thread-safe (ICU transliterators are not): one per task.
public final class Transliterator {
    private let handle: UnsafeMutableRawPointer
    private var buffer: [UInt16] = Array(repeating: 0, count: 256)

    /// Opens `id` (e.g. `Any-Latin; Latin-ASCII`). Opening is expensive (milliseconds); reuse instances.
    public init(id: String) throws(ICUError) {
        let units = Array(id.utf16)
        var status: Int32 = 0
        let h = units.withUnsafeBufferPointer { cicushim_translit_open($0.baseAddress, Int32($0.count), &status) }
        guard status <= 0, let h else { throw ICUError(operation: "utrans_openU(\(id))", status: status) }
        handle = h
    }

    deinit { cicushim_translit_close(handle) }

    /// Transliterates `text`. Errors other than a buffer overflow give the input back unchanged.
    public func apply(_ text: String) -> String {
        let units = Array(text.utf16)
        var capacity = max(units.count * 4 + 16, 64)
        for _ in 0..<4 {
            if buffer.count < capacity { buffer = Array(repeating: 0, count: capacity) }
            var status: Int32 = 0
            let n = buffer.withUnsafeMutableBufferPointer { buf -> Int32 in
                for i in 0..<units.count { buf[i] = units[i] }
                return cicushim_translit_apply(handle, buf.baseAddress, Int32(units.count), Int32(buf.count), &status)
            }
            if status == 15 { capacity = Int(n) + 16; continue }  // U_BUFFER_OVERFLOW_ERROR
            if status > 0 { return text }
            return String(decoding: buffer[0..<Int(n)], as: UTF16.self)
        }
        return text
    }
}

/// Opened transliterators, lent to one user at a time and taken back, so that a process opens each transform once per
/// thread that uses it at the same time, not once per `Normalizer`.
///
/// Opening `Any-Latin` is the cheap part: ICU builds the transform of each script (Han-Latin's tens of thousands of
/// rules, Arabic-Latin, …) the first time a text in that script goes through the instance, in the instance. A match
/// makes a `ProfileBuilder` (and so a `Normalizer`) per thread for every run — every 20,000-line chunk of `--stdin`,
/// every partition — and each one parsed those rules again: ≈ 0.25 s of CPU, 37% of a 1,000-line match.
/// The instances kept are those warmed by earlier users. Thread-safe; the transliterators themselves are not (a
/// borrower has its instance to itself until it gives it back).
public final class TransliteratorPool: @unchecked Sendable {
    public static let shared = TransliteratorPool()

    /// Idle instances kept per transform (more are closed when given back).
    public static let maxIdle = 8

    private let lock = NSLock()
    private var idle: [String: [Transliterator]] = [:]
    private var openedCount = 0

    /// Instances opened by `take` so far (for tests and diagnostics).
    public var opened: Int {
        lock.lock()
        defer { lock.unlock() }
        return openedCount
    }

    public init() {}

    /// An idle instance of `id`, else a newly opened one.
    public func take(id: String) throws(ICUError) -> Transliterator {
        lock.lock()
        if let t = idle[id]?.popLast() {
            lock.unlock()
            return t
        }
        openedCount += 1
        lock.unlock()
        return try Transliterator(id: id)
    }

    /// Gives `transliterator` (taken as `id`) back; the caller must not use it afterwards.
    public func giveBack(_ transliterator: Transliterator, id: String) {
        lock.lock()
        defer { lock.unlock() }
        if idle[id, default: []].count < Self.maxIdle { idle[id, default: []].append(transliterator) }
    }

    /// Idle instances of `id`.
    public func idleCount(id: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return idle[id]?.count ?? 0
    }
}

/// Unicode NFKC_Casefold through ICU.
public enum UnicodeFolding {
    /// NFKC case-folded form of `text`; the input is returned unchanged if ICU reports an error.
    public static func nfkcCasefold(_ text: String) -> String {
        let units = Array(text.utf16)
        var capacity = units.count * 2 + 16
        for _ in 0..<3 {
            var out = [UInt16](repeating: 0, count: capacity)
            var status: Int32 = 0
            let n = units.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    cicushim_nfkc_casefold(src.baseAddress, Int32(src.count), dst.baseAddress, Int32(dst.count), &status)
                }
            }
            if status == 15 { capacity = Int(n) + 16; continue }
            if status > 0 { return text }
            return String(decoding: out[0..<Int(n)], as: UTF16.self)
        }
        return text
    }

    /// The ICU library version, e.g. `72.1`.
    public static var icuVersion: String {
        var buf = [CChar](repeating: 0, count: 32)
        cicushim_version(&buf, 32)
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
