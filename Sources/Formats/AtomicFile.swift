import Foundation
import OeuvreCore

/// Writes a file atomically: everything goes to a temporary file beside the destination, which is
/// renamed over it only by `commit()`. Dropping the writer without committing removes the temp file,
/// so a failed run never leaves a partial result looking complete.
///
/// A destination that exists and is not a regular file — `/dev/null`, `/dev/stdout`, a named pipe — is written
/// in place: renaming a temporary file over it would replace the device or pipe with a plain file (as root,
/// `--out /dev/null` used to turn /dev/null into a file for every other program on the machine).
public final class AtomicFileWriter {
    public let path: String
    private let tempPath: String
    private let handle: UnsafeMutablePointer<FILE>
    /// Written in place: standard output, or a destination that is not a regular file.
    private let direct: Bool
    private var committed = false
    private var closed = false

    /// Whether `path` names something that exists and is not a regular file (nor a directory): a device, a
    /// pipe or a socket, which are written in place rather than replaced.
    public static func isSpecialFile(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let kind = st.st_mode & S_IFMT
        return kind != S_IFREG && kind != S_IFDIR
    }

    /// `-` writes to standard output directly (no atomicity is possible there).
    public init(path: String) throws(OeuvreError) {
        self.path = path
        if path == "-" {
            tempPath = "-"
            handle = fdopen(1, "w")
            direct = true
            return
        }
        if Self.isSpecialFile(path) {
            guard let h = fopen(path, "w") else {
                throw OeuvreError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            tempPath = path
            handle = h
            direct = true
            setvbuf(h, nil, _IOFBF, 1 << 20)
            return
        }
        direct = false
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
            if !direct { unlink(tempPath) }
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

    /// Flushes, syncs and renames the temporary file over the destination. A write error that only shows when
    /// the data reaches the disk (the sync or the close fails: a full disk, an I/O error) fails the commit too,
    /// and the destination is left as it was.
    public func commit() throws(OeuvreError) {
        guard !committed else { return }
        if path == "-" {
            fflush(handle)
            committed = true
            return
        }
        // The first failure of flush, sync (a replaced file only: a device or pipe has nothing to sync) or close.
        var cause: String?
        if fflush(handle) != 0 || ferror(handle) != 0 { cause = String(cString: strerror(errno)) }
        if !direct && cause == nil && fsync(fileno(handle)) != 0 { cause = String(cString: strerror(errno)) }
        if fclose(handle) != 0 && cause == nil { cause = String(cString: strerror(errno)) }
        closed = true
        if let cause {
            if !direct { unlink(tempPath) }
            throw OeuvreError(.io, "writing \(path) failed: \(cause)")
        }
        if direct {
            committed = true
            return
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
