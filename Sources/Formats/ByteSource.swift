import CZlib
import Foundation
import OeuvreCore

/// A forward-only source of bytes read in chunks: a plain file or a gzip stream.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 at the end. Throws on I/O errors and corrupt streams.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(OeuvreError) -> Int
}

extension ByteSource {
    /// Reads into an array's storage; returns the number of bytes read.
    public func read(into array: inout [UInt8]) throws(OeuvreError) -> Int {
        var result: Result<Int, OeuvreError> = .success(0)
        array.withUnsafeMutableBytes { raw in
            do throws(OeuvreError) { result = .success(try self.read(into: raw)) } catch { result = .failure(error) }
        }
        return try result.get()
    }
}

/// Reads a file with `read(2)`.
public final class FileByteSource: ByteSource {
    private let fd: Int32
    public let path: String

    public init(path: String) throws(OeuvreError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw OeuvreError(.io, "cannot open file: \(String(cString: strerror(errno)))", at: SourcePosition(file: path, line: 0))
        }
        self.fd = fd
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(OeuvreError) -> Int {
        while true {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw OeuvreError(.io, "read failed: \(String(cString: strerror(errno)))", at: SourcePosition(file: path, line: 0))
        }
    }
}

/// Reads standard input. UTF-16 or UTF-32 text is refused at its first bytes (`TextEncoding.refuseNonUTF8`).
public final class StandardInputSource: ByteSource {
    private var started = false
    public init() {}
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(OeuvreError) -> Int {
        while true {
            let n = Foundation.read(0, buffer.baseAddress, buffer.count)
            if n >= 0 {
                if !started && n > 0 {
                    started = true
                    try TextEncoding.refuseNonUTF8(Array(UnsafeRawBufferPointer(rebasing: buffer[0..<min(n, 4)])), path: "<stdin>")
                }
                return n
            }
            if errno == EINTR { continue }
            throw OeuvreError(.io, "read from standard input failed", at: SourcePosition(file: "<stdin>", line: 0))
        }
    }
}

/// Text files are read as UTF-8 (a UTF-8 byte-order mark is allowed). A file in another Unicode encoding would
/// otherwise fail at its first byte with "invalid UTF-8", which does not say what is wrong: spreadsheet programs
/// write "Unicode text" as UTF-16. Such a file is named as what it is, with the command that converts it.
public enum TextEncoding {
    /// The encoding that a file's first bytes show when it is UTF-16 or UTF-32: a byte-order mark, or (UTF-16
    /// without a mark) an ASCII byte then a NUL, twice. Nil for anything else (UTF-8, ASCII, Latin-1, binary).
    public static func nonUTF8Unicode(_ p: [UInt8]) -> String? {
        let n = p.count
        if n >= 4 && p[0] == 0xFF && p[1] == 0xFE && p[2] == 0 && p[3] == 0 { return "UTF-32LE" }
        if n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0xFE && p[3] == 0xFF { return "UTF-32BE" }
        if n >= 2 && p[0] == 0xFF && p[1] == 0xFE { return "UTF-16LE" }
        if n >= 2 && p[0] == 0xFE && p[1] == 0xFF { return "UTF-16BE" }
        if n >= 4 && p[0] != 0 && p[0] < 0x80 && p[1] == 0 && p[2] != 0 && p[2] < 0x80 && p[3] == 0 { return "UTF-16LE" }
        if n >= 4 && p[0] == 0 && p[1] != 0 && p[1] < 0x80 && p[2] == 0 && p[3] != 0 && p[3] < 0x80 { return "UTF-16BE" }
        return nil
    }

    /// The message for a cell of `path` that is not valid UTF-8: the first bad byte and, when every byte of the cell is
    /// a character of Windows-1252 (the encoding spreadsheet programs on Windows write "CSV" in; Latin-1's printable
    /// characters are a subset), how the cell reads in it and the command that converts the file. Starts with
    /// "invalid UTF-8".
    public static func invalidUTF8Message(_ cell: UnsafeRawBufferPointer, path: String) -> String {
        let bytes = cell.bindMemory(to: UInt8.self)
        guard let base = bytes.baseAddress, let bad = firstInvalidUTF8(base, bytes.count) else { return "invalid UTF-8" }
        var message = "invalid UTF-8: byte 0x" + String(bytes[bad], radix: 16, uppercase: true) + " at byte \(bad + 1) of the cell"
        if let text = windows1252(bytes) {
            let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
            let name = path == "<stdin>" ? "FILE" : "'\(path)'"
            message += "; read as Windows-1252 it is \"\(shown)\": if the file is in that encoding (or Latin-1), convert it "
                + "first, e.g. `iconv -f WINDOWS-1252 -t UTF-8 \(name) > converted.txt`"
        }
        return message
    }

    /// Windows-1252's characters for bytes 0x80–0x9F (0: unassigned); from 0xA0 on it is Latin-1.
    private static let windows1252High: [UInt16] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// `bytes` decoded as Windows-1252; nil when a byte is unassigned there or a control character.
    static func windows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var scalars = String.UnicodeScalarView()
        for b in bytes {
            let v: UInt32
            switch b {
            case 0x80...0x9F:
                let c = windows1252High[Int(b - 0x80)]
                guard c != 0 else { return nil }
                v = UInt32(c)
            case 0x00..<0x20 where b != 0x09, 0x7F: return nil
            default: v = UInt32(b)
            }
            scalars.append(Unicode.Scalar(v)!)
        }
        return String(scalars)
    }

    /// Throws an invalid-input error naming the encoding when `prefix` (a file's first bytes) is UTF-16 or UTF-32.
    public static func refuseNonUTF8(_ prefix: [UInt8], path: String) throws(OeuvreError) {
        guard let encoding = nonUTF8Unicode(prefix) else { return }
        let name = path == "<stdin>" ? "FILE" : "'\(path)'"
        throw OeuvreError(.invalidInput, "the text is \(encoding), not UTF-8: convert it first, e.g. "
                          + "`iconv -f \(encoding) -t UTF-8 \(name) > converted.txt`",
                          at: SourcePosition(file: path, line: 1, column: 1))
    }
}

/// Decompresses a gzip file with zlib's inflate; a truncated or corrupt stream is an error, not an
/// early end of file. Concatenated gzip members are read one after the other.
public final class GzipByteSource: ByteSource {
    private let file: FileByteSource
    private var stream = z_stream()
    private let inputCapacity = 1 << 16
    private let input: UnsafeMutablePointer<UInt8>
    private var inputEOF = false
    private var finished = false
    /// Compressed bytes read from the file so far.
    private var fileBytes = 0
    public let path: String

    /// Compressed bytes inflated so far (read from the file and consumed): with the bytes produced, the stream's
    /// compression ratio up to here.
    public var compressedBytesConsumed: Int { fileBytes - Int(stream.avail_in) }

    public init(path: String) throws(OeuvreError) {
        self.path = path
        self.file = try FileByteSource(path: path)
        input = .allocate(capacity: inputCapacity)
        // 15 + 32: zlib or gzip header auto-detected.
        let rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw OeuvreError(.io, "zlib init failed (\(rc))", at: SourcePosition(file: path, line: 0)) }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    private func refill() throws(OeuvreError) {
        let n = try file.read(into: UnsafeMutableRawBufferPointer(start: input, count: inputCapacity))
        if n == 0 {
            inputEOF = true
        } else {
            fileBytes += n
            stream.next_in = input
            stream.avail_in = UInt32(n)
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(OeuvreError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var produced = 0
        while produced == 0 && !finished {
            if stream.avail_in == 0 && !inputEOF { try refill() }
            if stream.avail_in == 0 && inputEOF {
                throw OeuvreError(.invalidInput, "truncated gzip stream (unexpected end of compressed data)",
                                  at: SourcePosition(file: path, line: 0))
            }
            stream.next_out = base.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(buffer.count)
            let rc = inflate(&stream, Z_NO_FLUSH)
            produced = buffer.count - Int(stream.avail_out)
            if rc == Z_STREAM_END {
                if stream.avail_in == 0 && !inputEOF { try refill() }
                if stream.avail_in == 0 {
                    finished = true
                } else {
                    inflateReset(&stream)
                }
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                let msg = stream.msg.map { String(cString: $0) } ?? "code \(rc)"
                throw OeuvreError(.invalidInput, "corrupt gzip stream: \(msg)", at: SourcePosition(file: path, line: 0))
            }
        }
        return produced
    }
}

/// Throws a usage error when `path` exists but is not a regular file (a pipe such as a shell's `<(…)`, a FIFO, a
/// device): report and catalogue files are read more than once (format detection, size estimate, digest, parts), and a
/// pipe would lose what the first read took. `-` (standard input) is left to the callers that stream it.
public func requireRegularFile(_ path: String) throws(OeuvreError) {
    guard path != "-" else { return }
    var st = stat()
    if stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
        throw OeuvreError(.usage, "not a regular file (a pipe or device?): input files are read more than once; give a file, "
                          + "or stream usage TSV to `oeuvre match --stdin`", at: SourcePosition(file: path, line: 0))
    }
}

/// Opens `path` as a byte source: gzip when the name ends in `.gz` or the content starts with the
/// gzip magic bytes, a plain file otherwise; `-` is standard input. UTF-16 and UTF-32 text is refused with an
/// error that names its encoding (`TextEncoding`).
public func openByteSource(path: String) throws(OeuvreError) -> any ByteSource {
    if path == "-" { return StandardInputSource() }
    let probe = try FileByteSource(path: path)
    var magic = [UInt8](repeating: 0, count: 4)
    var n = try probe.read(into: &magic)
    let gzip = path.hasSuffix(".gz") || (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    if gzip {
        // The encoding is judged on the decompressed text: its first bytes, from a stream of their own.
        let peek = try GzipByteSource(path: path)
        n = try peek.read(into: &magic)
    }
    try TextEncoding.refuseNonUTF8(Array(magic[0..<n]), path: path)
    return gzip ? try GzipByteSource(path: path) : try FileByteSource(path: path)
}
