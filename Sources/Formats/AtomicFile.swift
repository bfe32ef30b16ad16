import Foundation
import OeuvreCore

/// Writes a file atomically: everything goes to a temporary file beside the destination, which is
/// renamed over it only by `commit()`. Dropping the writer without committing removes the temp file,
/// so a failed run never leaves a partial result looking complete.
public final class AtomicFileWriter {
    public let path: String
    private let tempPath: String
    private let handle: UnsafeMutablePointer<FILE>
    private var committed = false
    private var closed = false

    /// `-` writes to standard output directly (no atomicity is possible there).
    public init(path: String) throws(OeuvreError) {
        self.path = path
        if path == "-" {
            tempPath = "-"
            handle = fdopen(1, "w")
            return
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw OeuvreError(.io, "cannot create directory \(dir): \(error)")
            }
        }
        let name = (path as NSString).lastPathComponent
        tempPath = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard let h = fopen(tempPath, "w") else {
            throw OeuvreError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        handle = h
        setvbuf(h, nil, _IOFBF, 1 << 20)
    }

    deinit {
        if !committed && path != "-" {
            if !closed { fclose(handle) }
            unlink(tempPath)
        }
    }

    public func write(_ text: String) {
        var t = text
        t.withUTF8 { buf in _ = fwrite(buf.baseAddress, 1, buf.count, handle) }
    }

    public func write(bytes: UnsafeRawBufferPointer) {
        _ = fwrite(bytes.baseAddress, 1, bytes.count, handle)
    }

    /// Pushes buffered output to the file (or standard output) now, e.g. after each streamed chunk.
    public func flush() {
        fflush(handle)
    }

    /// Flushes, syncs and renames the temporary file over the destination.
    public func commit() throws(OeuvreError) {
        guard !committed else { return }
        if path == "-" {
            fflush(handle)
            committed = true
            return
        }
        let failed = fflush(handle) != 0 || ferror(handle) != 0
        fsync(fileno(handle))
        fclose(handle)
        closed = true
        guard !failed else {
            unlink(tempPath)
            throw OeuvreError(.io, "writing \(path) failed: \(String(cString: strerror(errno)))")
        }
        guard rename(tempPath, path) == 0 else {
            unlink(tempPath)
            throw OeuvreError(.io, "cannot rename temporary file to \(path): \(String(cString: strerror(errno)))")
        }
        committed = true
    }
}

/// Escapes a cell for TSV output: tabs, newlines and carriage returns become spaces.
public func tsvCell(_ s: String) -> String {
    if !s.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 }) { return s }
    return String(s.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
}

/// Quotes a cell for CSV output (RFC 4180) when it contains a comma, quote or newline.
public func csvCell(_ s: String) -> String {
    if !s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 10 || $0 == 13 }) { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
