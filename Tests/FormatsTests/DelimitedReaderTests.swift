import Foundation
@testable import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

@Suite struct DelimitedReaderTests {
    @Test func readsQuotedCSVWithEmbeddedDelimitersAndNewlines() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("\u{FEFF}work_id,title\r\nW1,\"Hello, \"\"World\"\"\"\r\nW2,\"two\nlines\"\r\n\r\nW3,plain\r\n", to: "w.csv", in: dir)
        let r = try DelimitedReader(path: path)
        #expect(r.header == ["work_id", "title"])
        #expect(r.dialect == .csv)
        let a = try #require(try r.next())
        #expect(a.cells == ["W1", "Hello, \"World\""])
        let b = try #require(try r.next())
        #expect(b.cells == ["W2", "two\nlines"])
        #expect(b.line == 3)
        let c = try #require(try r.next())
        #expect(c.cells == ["W3", "plain"])
        #expect(c.line == 6)
        #expect(try r.next() == nil)
    }

    @Test func detectsTSV() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("line_id\ttitle\n1\tA \"quoted\" title\n", to: "u.tsv", in: dir)
        let r = try DelimitedReader(path: path)
        #expect(r.dialect == .tsv)
        #expect(try r.next()?.cells == ["1", "A \"quoted\" title"])
    }

    @Test func invalidUTF8NamesLineAndField() throws {
        let dir = TestSupport.temporaryDirectory()
        var bytes = Array("work_id,title\nW1,ok\nW2,bad".utf8)
        bytes.append(0xFF)
        bytes.append(0x0A)
        let path = dir + "/bad.csv"
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write test file")
        let r = try DelimitedReader(path: path)
        _ = try r.next()
        do {
            _ = try r.next()
            Issue.record("expected an error")
        } catch {
            #expect(error.position?.line == 3)
            #expect(error.position?.column == 2)
            #expect(error.position?.field == "title")
        }
    }

    @Test func unterminatedQuoteIsAnError() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("a,b\n1,\"open\n", to: "q.csv", in: dir)
        let r = try DelimitedReader(path: path)
        #expect(throws: OeuvreError.self) { try r.next() }
    }

    @Test func aFileCutInTheMiddleOfARecordIsAnError() throws {
        let dir = TestSupport.temporaryDirectory()
        // Cut inside the last record (CSV plain and quoted, TSV): an error naming the record's line and last field.
        for (name, text) in [("w.csv", "work_id,iswc,title,performers\nW1,,One,A\nW2,T0345246801,Star in"),
                             ("q.csv", "work_id,iswc,title,performers\nW1,,One,A\nW2,,\"Star, in"),
                             ("q2.csv", "work_id,iswc,title,performers\nW1,,One,A\nW2,,\"Star\""),
                             ("u.tsv", "line_id\ttitle\tartist\tplays\n1\tOne\tA\t3\n2\tStar in")] {
            let r = try DelimitedReader(path: TestSupport.write(text, to: name, in: dir))
            #expect(try r.next() != nil)
            do {
                _ = try r.next()
                Issue.record("expected an error for \(name)")
            } catch {
                #expect(error.position?.line == 3, "\(name)")
                #expect(error.description.contains("truncated") || error.description.contains("unterminated"), "\(name)")
            }
        }
        // A file that ends in its header row.
        for text in ["work_id,iswc,title,al", "work_id,title", "\"work_id\",title"] {
            #expect(throws: OeuvreError.self) { try DelimitedReader(path: TestSupport.write(text, to: "h.csv", in: dir)) }
        }
        #expect(try DelimitedReader(path: TestSupport.write("work_id,title\n", to: "h.csv", in: dir)).next() == nil)
        // A complete last record without a line break, and a short record that a line break ends, are read.
        for text in ["a,b,c\n1,2,3", "a,b,c\n1,2\n", "a,b,c\n\"1\",2,3"] {
            let r = try DelimitedReader(path: TestSupport.write(text, to: "ok.csv", in: dir))
            #expect(try r.next() != nil)
            #expect(try r.next() == nil)
        }
    }

    @Test func mappingRenamesAndRequires() throws {
        let m = try HeaderMapping(header: ["ID", "Song Title", "Extra"], path: "x.csv", fields: ["work_id", "title"],
                                  required: ["work_id", "title"], renames: ["ID": "work_id", "Song Title": "title"])
        #expect(m.has("work_id") && m.has("title"))
        #expect(m.ignored == ["Extra"])
        // Unknown and repeated columns are listed (for a warning); unnamed ones are not.
        let n = try HeaderMapping(header: ["work_id", "Title", "genre", "title", ""], path: "x.csv", fields: ["work_id", "title"],
                                  required: ["work_id", "title"])
        #expect(n.index["title"] == 1)
        #expect(n.ignored == ["genre", "title"])
        #expect(n.ignoredColumnsMessage(contract: "works")?.contains("'genre', 'title' not read") == true)
        #expect(m.ignoredColumnsMessage(contract: "works") != nil)
        #expect(try HeaderMapping(header: ["work_id", "title"], path: "x.csv", fields: ["work_id", "title"], required: [])
            .ignoredColumnsMessage(contract: "works") == nil)
        #expect(throws: OeuvreError.self) {
            try HeaderMapping(header: ["ID"], path: "x.csv", fields: ["work_id", "title"], required: ["work_id", "title"])
        }
    }
}

@Suite struct AtomicFileTests {
    @Test func uncommittedWriterLeavesNothing() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/out.tsv"
        do {
            let w = try AtomicFileWriter(path: path)
            w.write("partial\n")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func commitRenames() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/out.tsv"
        let w = try AtomicFileWriter(path: path)
        w.write("done\n")
        try w.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "done\n")
    }

    /// Bypassing the page cache (`O_DIRECT` from an aligned staging buffer) writes the same bytes as the buffered
    /// writer, whatever the sizes of the writes and where they fall against the 4 KiB blocks and the 8 MiB buffer
    /// (the last block is written padded and the file cut to its length); a dropped writer leaves nothing. Where
    /// the file system allows `O_DIRECT` (ext4, xfs, btrfs) the writer must be using it; where it may not (tmpfs
    /// before Linux 6.6) the writer falls back to buffered writes and writes the same.
    @Test func bypassingThePageCacheWritesTheSameBytes() throws {
        let dir = TestSupport.temporaryDirectory()
        let directCapable = ["ext4", "xfs", "btrfs"].contains(Self.fileSystem(of: dir))
        var rng = SystemRandomNumberGenerator()
        let plans: [[Int]] = [[], [1], [4095], [4096], [4097], [3, 4093, 1], [8 << 20], [(8 << 20) + 1], [5000, 8 << 20, 77, 4096 * 3 + 5],
                              (0..<100).map { _ in Int.random(in: 0...40_000, using: &rng) }]
        // Bytes in a 251-byte cycle (a prime: no write lines up with a block), built by doubling (memcpy, fast in debug).
        var pattern = (0..<251).map { UInt8($0) }
        while pattern.count < (8 << 20) + 251 { pattern += pattern }
        for (k, plan) in plans.enumerated() {
            let path = dir + "/out-\(k).tsv"
            var expected = Data()
            let w = try AtomicFileWriter(path: path, bypassCache: true)
            #expect(w.bypassesCache == directCapable)
            for (j, n) in plan.enumerated() {
                let bytes = pattern[(j % 251)..<(j % 251 + n)]
                if j % 3 == 2 {
                    w.write(String(repeating: "é", count: j))  // text and bytes go through one buffer
                    expected.append(contentsOf: Array(String(repeating: "é", count: j).utf8))
                    w.flush()  // whole blocks only: the rest stays staged
                }
                bytes.withUnsafeBytes { w.write(bytes: $0) }
                expected.append(contentsOf: bytes)
            }
            try w.commit()
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(written.count == expected.count, "plan \(k)")
            #expect(written == expected, "plan \(k)")
        }
        // A direct write refused (EINVAL) drops O_DIRECT for the rest, mid-file: the same bytes.
        if directCapable {
            let path = dir + "/fallback.tsv"
            let w = try AtomicFileWriter(path: path, bypassCache: true)
            var expected = Data()
            for (j, n) in [(8 << 20) + 100, 5, 70_001, 3].enumerated() {
                if j == 1 {
                    w.dropDirectIO()
                    #expect(!w.bypassesCache)
                }
                let bytes = pattern[j..<(j + n)]
                bytes.withUnsafeBytes { w.write(bytes: $0) }
                expected.append(contentsOf: bytes)
            }
            try w.commit()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == expected)
            try FileManager.default.removeItem(atPath: path)
        }
        do {
            let dropped = try AtomicFileWriter(path: dir + "/dropped.tsv", bypassCache: true)
            dropped.write(String(repeating: "x", count: 10_000))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).count == plans.count)
        // tmpfs (O_DIRECT or the fallback, depending on the kernel).
        if Self.fileSystem(of: "/dev/shm") == "tmpfs" {
            let path = "/dev/shm/oeuvre-test-\(getpid())-bypass.tsv"
            defer { unlink(path) }
            let w = try AtomicFileWriter(path: path, bypassCache: true)
            w.write("done\n")
            try w.commit()
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "done\n")
        }
    }

    /// The type of the file system `path` is on (the longest mount point of /proc/mounts that holds it).
    static func fileSystem(of path: String) -> String? {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return nil }
        let real = (path as NSString).resolvingSymlinksInPath
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3 else { continue }
            let point = String(f[1])
            let holds = point == "/" || real == point || real.hasPrefix(point + "/")
            if holds && point.count >= (best?.point.count ?? -1) { best = (point, String(f[2])) }
        }
        return best?.type
    }

    /// A destination that is not a regular file (here a named pipe; `/dev/null` in real use) is written in place:
    /// renaming a temporary file over it would replace it with a plain file. It stays a pipe, gets every byte, and
    /// a writer dropped without committing leaves it alone.
    @Test func specialFilesAreWrittenInPlaceNotReplaced() throws {
        let dir = TestSupport.temporaryDirectory()
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(AtomicFileWriter.isSpecialFile(fifo) && !AtomicFileWriter.isSpecialFile(dir) && !AtomicFileWriter.isSpecialFile(dir + "/none"))
        func isFIFO() -> Bool {
            var st = stat()
            return stat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO
        }
        // Reads the pipe to its end with plain POSIX calls (Foundation's file readers expect a regular file).
        @Sendable func readAll() -> String {
            let fd = open(fifo, O_RDONLY)
            guard fd >= 0 else { return "unreadable" }
            defer { close(fd) }
            var bytes: [UInt8] = [], buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buf, buf.count)
                if n <= 0 { break }
                bytes += buf[0..<n]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        nonisolated(unsafe) var received = ""
        let reader = Thread { received = readAll() }
        reader.start()
        let w = try AtomicFileWriter(path: fifo)  // opens once the reader has the other end
        w.write("done\n")
        try w.commit()
        // Bounded waits: were the pipe replaced, its reader would never see a writer.
        func wait(_ t: Thread) -> Bool {
            for _ in 0..<10_000 where !t.isFinished { usleep(1000) }
            return t.isFinished
        }
        #expect(wait(reader))
        #expect(received == "done\n")
        #expect(isFIFO())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["pipe"])
        // Dropped without a commit: nothing to unlink, the pipe stays.
        let drain = Thread { _ = readAll() }
        drain.start()
        do {
            let dropped = try AtomicFileWriter(path: fifo)
            dropped.write("partial\n")
        }
        #expect(wait(drain))
        #expect(isFIFO())
    }
}
