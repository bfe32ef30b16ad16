import Foundation
import OeuvreCore

/// Writes a file atomically: everything goes to a temporary file beside the destination, which is
/// renamed over it only by `commit()`. Dropping the writer without committing removes the temp file,
/// so a failed run never leaves a partial result looking complete.
///
/// A destination that exists and is not a regular file — `/dev/null`, `/dev/stdout`, a named pipe — is written
/// in place: renaming a temporary file over it would replace the device or pipe with a plain file (as root,
/// `--out /dev/null` used to turn /dev/null into a file for every other program on the machine).
///
/// `bypassCache: true` (large outputs such as `oeuvre match`'s results) writes the temporary file with `O_DIRECT`
/// from an aligned staging buffer, past the page cache: on this project's VM a buffered write of a 302 MB results
/// file took 1.6 s, most of it the kernel copying into page-cache pages the host had to back for the first time,
/// against 0.15 s direct (docs/MATCHING.md, "Measured in session 26"). The last block is written padded to the
/// alignment and the file cut to its length before the sync. A file system that refuses `O_DIRECT` (tmpfs) gets
/// the buffered writer.
public final class AtomicFileWriter {
    public let path: String
    private let tempPath: String
    private let handle: UnsafeMutablePointer<FILE>
    /// Written in place: standard output, or a destination that is not a regular file.
    private let direct: Bool
    private var committed = false
    private var closed = false
    /// `O_DIRECT` writing (`bypassCache`): the descriptor, the staging buffer and its fill, the bytes written.
    private var uncached: Uncached?

    /// The state of a writer that bypasses the page cache.
    private struct Uncached {
        var fd: Int32
        var buffer: UnsafeMutableRawPointer
        var count = 0
        var written = 0
        /// `O_DIRECT` was dropped: a write was refused with `EINVAL` (the file system accepted the flag at open but not
        /// these writes), and the rest goes through the page cache.
        var dropped = false
        /// The first write error (the commit fails with it).
        var failure: String?
        static let alignment = 4096
        static let capacity = 8 << 20
    }

    /// Whether `path` names something that exists and is not a regular file (nor a directory): a device, a
    /// pipe or a socket, which are written in place rather than replaced.
    public static func isSpecialFile(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let kind = st.st_mode & S_IFMT
        return kind != S_IFREG && kind != S_IFDIR
    }

    /// `-` writes to standard output directly (no atomicity is possible there).
    public init(path: String, bypassCache: Bool = false) throws(OeuvreError) {
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
        #if os(Linux)
        if bypassCache {
            let fd = open(tempPath, O_WRONLY | Self.oDirect)
            var buffer: UnsafeMutableRawPointer?
            if fd >= 0, posix_memalign(&buffer, Uncached.alignment, Uncached.capacity) == 0, let buffer {
                uncached = Uncached(fd: fd, buffer: buffer)
            } else if fd >= 0 {
                close(fd)
            }
        }
        #endif
    }

    deinit {
        if let u = uncached {
            if !closed { close(u.fd) }
            free(u.buffer)
        }
        if !committed && path != "-" {
            if !closed { fclose(handle) }
            if !direct { unlink(tempPath) }
        }
    }

    #if os(Linux)
    /// `O_DIRECT` (Glibc's module does not export it: it needs `_GNU_SOURCE`); its value depends on the architecture.
    #if arch(arm64) || arch(arm)
    static let oDirect: Int32 = 0o200000
    #else
    static let oDirect: Int32 = 0o40000
    #endif
    #endif

    /// Whether this writer bypasses the page cache (`bypassCache` was asked for and the file system allows it).
    public var bypassesCache: Bool { uncached.map { !$0.dropped } ?? false }

    /// Clears `O_DIRECT` on `fd` (Linux lets `F_SETFL` change it); false when that fails.
    private static func clearDirect(_ fd: Int32) -> Bool {
        #if os(Linux)
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags & ~oDirect) == 0
        #else
        return false
        #endif
    }

    /// Goes on through the page cache, as after a refused direct write (for tests of that path).
    func dropDirectIO() {
        guard var u = uncached, !u.dropped, Self.clearDirect(u.fd) else { return }
        u.dropped = true
        uncached = u
    }

    public func write(_ text: String) {
        var t = text
        t.withUTF8 { buf in write(bytes: UnsafeRawBufferPointer(buf)) }
    }

    public func write(bytes: UnsafeRawBufferPointer) {
        guard uncached != nil else {
            _ = fwrite(bytes.baseAddress, 1, bytes.count, handle)
            return
        }
        var from = 0
        while from < bytes.count {
            let n = min(bytes.count - from, Uncached.capacity - uncached!.count)
            (uncached!.buffer + uncached!.count).copyMemory(from: bytes.baseAddress! + from, byteCount: n)
            uncached!.count += n
            from += n
            if uncached!.count == Uncached.capacity { writeStaged(Uncached.capacity) }
        }
    }

    /// Writes the first `length` bytes of the staging buffer (a multiple of the alignment) and moves what follows
    /// them to its start.
    private func writeStaged(_ length: Int) {
        #if os(Linux)
        guard var u = uncached else { return }
        var done = 0
        while done < length && u.failure == nil {
            let n = Glibc.write(u.fd, u.buffer + done, length - done)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL && !u.dropped && Self.clearDirect(u.fd) {
                    u.dropped = true
                    continue
                }
                u.failure = String(cString: strerror(errno))
            } else if n == 0 {
                u.failure = "nothing written"
            } else {
                done += n
            }
        }
        u.written += min(length, u.count)
        let rest = max(0, u.count - length)
        if rest > 0 { u.buffer.copyMemory(from: u.buffer + length, byteCount: rest) }
        u.count = rest
        uncached = u
        #endif
    }

    /// Pushes buffered output to the file (or standard output) now, e.g. after each streamed chunk. A writer that
    /// bypasses the page cache writes its whole aligned blocks only (its file is a temporary one until the commit).
    public func flush() {
        if let u = uncached {
            let whole = u.count / Uncached.alignment * Uncached.alignment
            if whole > 0 { writeStaged(whole) }
            return
        }
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
        if let u = uncached {
            // The last block padded to the alignment, then the file cut to the bytes written.
            let length = u.written + u.count
            let padded = (u.count + Uncached.alignment - 1) / Uncached.alignment * Uncached.alignment
            if padded > u.count { (u.buffer + u.count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - u.count) }
            if padded > 0 { writeStaged(padded) }
            if cause == nil { cause = uncached?.failure }
            if cause == nil && ftruncate(u.fd, off_t(length)) != 0 { cause = String(cString: strerror(errno)) }
            if cause == nil && fsync(u.fd) != 0 { cause = String(cString: strerror(errno)) }
            if close(u.fd) != 0 && cause == nil { cause = String(cString: strerror(errno)) }
        } else if !direct && cause == nil && fsync(fileno(handle)) != 0 {
            cause = String(cString: strerror(errno))
        }
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
