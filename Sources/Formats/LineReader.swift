import Foundation
import OeuvreCore

/// Splits a byte source into lines (LF or CRLF), counting them from 1. The line passed to the
/// body is only valid during the call. Memory is bounded by the longest line.
public final class LineReader {
    private let source: any ByteSource
    public let path: String
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var eof = false
    /// Number of the line last returned (1-based).
    public private(set) var lineNumber = 0
    /// Whether the last line returned ended without a newline (a possible sign of truncation).
    public private(set) var lastLineUnterminated = false
    /// Total bytes consumed so far.
    public private(set) var bytesRead = 0
    /// Longest accepted line, in bytes; longer lines are an error.
    public var maxLineLength = 64 << 20

    public init(source: any ByteSource, path: String, bufferSize: Int = 1 << 20) {
        self.source = source
        self.path = path
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    public convenience init(path: String) throws(OeuvreError) {
        self.init(source: try openByteSource(path: path), path: path)
    }

    deinit { buffer.deallocate() }

    /// Calls `body` with the next line (without its line terminator); returns false at end of input.
    public func nextLine<R>(_ body: (UnsafeRawBufferPointer) throws(OeuvreError) -> R) throws(OeuvreError) -> R? {
        while true {
            if start < end, let base = buffer.baseAddress {
                let p = base.advanced(by: start)
                if let nl = memchr(p, 0x0A, end - start) {
                    let len = p.distance(to: UnsafeMutableRawPointer(nl))
                    var lineLen = len
                    if lineLen > 0 && p.load(fromByteOffset: lineLen - 1, as: UInt8.self) == 0x0D { lineLen -= 1 }
                    start += len + 1
                    lineNumber += 1
                    bytesRead += len + 1
                    lastLineUnterminated = false
                    return try body(UnsafeRawBufferPointer(start: p, count: lineLen))
                }
            }
            if eof {
                guard start < end, let base = buffer.baseAddress else { return nil }
                let p = base.advanced(by: start)
                var lineLen = end - start
                if lineLen > 0 && p.load(fromByteOffset: lineLen - 1, as: UInt8.self) == 0x0D { lineLen -= 1 }
                bytesRead += end - start
                start = end
                lineNumber += 1
                lastLineUnterminated = true
                return try body(UnsafeRawBufferPointer(start: p, count: lineLen))
            }
            try fill()
        }
    }

    private func fill() throws(OeuvreError) {
        if start > 0 {
            if end > start, let base = buffer.baseAddress {
                memmove(base, base.advanced(by: start), end - start)
            }
            end -= start
            start = 0
        }
        if end == buffer.count {
            guard buffer.count < maxLineLength else {
                throw OeuvreError(.invalidInput, "line longer than \(maxLineLength) bytes",
                                  at: SourcePosition(file: path, line: lineNumber + 1))
            }
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
            buffer.deallocate()
            buffer = bigger
        }
        var n = 0
        do {
            n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        } catch {
            // A byte-level failure (a truncated or corrupt gzip stream, a read error): the line it stopped in.
            throw error.placed(atLine: lineNumber + 1 + buffer[start..<end].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }, of: path)
        }
        if n == 0 { eof = true } else { end += n }
    }
}

extension String {
    /// Decodes UTF-8 bytes, or nil when they are not valid UTF-8.
    public init?(validatingUTF8Bytes bytes: UnsafeRawBufferPointer) {
        guard let s = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) else { return nil }
        self = s
    }
}
