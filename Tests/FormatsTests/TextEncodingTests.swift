import Foundation
import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

/// UTF-16 and UTF-32 files (spreadsheets' "Unicode text") are refused with an error that names the encoding,
/// wherever a text file is opened; UTF-8 (with or without a byte-order mark) and other byte encodings are not.
@Suite struct TextEncodingTests {
    static let tsv = "line_id\ttitle\tartist\nL1\tYesterday\tThe Beatles\n"

    static func utf16(_ text: String, bigEndian: Bool = false, mark: Bool = true) -> [UInt8] {
        var out: [UInt8] = mark ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for u in text.utf16 {
            let (hi, lo) = (UInt8(u >> 8), UInt8(u & 0xFF))
            out += bigEndian ? [hi, lo] : [lo, hi]
        }
        return out
    }

    static func file(_ bytes: [UInt8], _ name: String) -> String {
        let path = TestSupport.temporaryDirectory() + "/" + name
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
        return path
    }

    @Test func namesUTF16AndUTF32ByTheirFirstBytes() {
        #expect(TextEncoding.nonUTF8Unicode(Self.utf16("li")) == "UTF-16LE")
        #expect(TextEncoding.nonUTF8Unicode(Self.utf16("li", bigEndian: true)) == "UTF-16BE")
        #expect(TextEncoding.nonUTF8Unicode(Self.utf16("li", mark: false)) == "UTF-16LE")
        #expect(TextEncoding.nonUTF8Unicode(Self.utf16("li", bigEndian: true, mark: false)) == "UTF-16BE")
        #expect(TextEncoding.nonUTF8Unicode([0xFF, 0xFE, 0, 0]) == "UTF-32LE")
        #expect(TextEncoding.nonUTF8Unicode([0, 0, 0xFE, 0xFF]) == "UTF-32BE")
        // UTF-8 with and without a mark, Latin-1, short input: not UTF-16.
        #expect(TextEncoding.nonUTF8Unicode([0xEF, 0xBB, 0xBF, 0x6C]) == nil)
        #expect(TextEncoding.nonUTF8Unicode(Array("line".utf8)) == nil)
        #expect(TextEncoding.nonUTF8Unicode([0x43, 0x61, 0x66, 0xE9]) == nil)
        #expect(TextEncoding.nonUTF8Unicode([0x6C]) == nil)
        #expect(TextEncoding.nonUTF8Unicode([]) == nil)
    }

    @Test(arguments: [false, true])
    func aUTF16ReportIsRefusedWithTheEncodingAndTheFix(gzip: Bool) {
        let bytes = Self.utf16(Self.tsv)
        let path = gzip ? Self.file(Gzip.compress(bytes), "u16.tsv.gz") : Self.file(bytes, "u16.tsv")
        do {
            _ = try UsageReports.read(paths: [path])
            Issue.record("a UTF-16 report was read")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.position?.file == path)
            #expect(error.position?.line == 1)
            #expect(error.message.contains("UTF-16LE"))
            #expect(error.message.contains("iconv -f UTF-16LE -t UTF-8"))
        }
    }

    @Test func aUTF16WorksFileIsRefusedByTheDelimitedReader() {
        let path = Self.file(Self.utf16("work_id,title\nW1,Yesterday\n", bigEndian: true), "w16.csv")
        #expect(throws: OeuvreError.self) { _ = try DelimitedReader(path: path) }
        do {
            _ = try DelimitedReader(path: path)
        } catch {
            #expect(error.message.contains("UTF-16BE"))
        }
    }

    /// A Windows-1252 / Latin-1 report (spreadsheets' "CSV" on Windows) fails at its first accented letter with the
    /// byte, how the cell reads in Windows-1252 and the command that converts the file; bytes that are no text in
    /// that code page either get the byte alone.
    @Test(arguments: ["csv", "tsv"])
    func aWindows1252ReportNamesTheByteAndTheFix(dialect: String) {
        let sep: UInt8 = dialect == "csv" ? 0x2C : 0x09
        var bytes = Array("line_id".utf8) + [sep] + Array("title".utf8) + [sep] + Array("artist".utf8) + [0x0A]
        bytes += Array("L1".utf8) + [sep] + [0x43, 0x61, 0x66, 0xE9, 0x20, 0x93, 0x4F, 0x6C, 0xE9, 0x94] + [sep] + Array("X".utf8) + [0x0A]
        let path = Self.file(bytes, "cp1252.\(dialect)")
        do {
            _ = try UsageReports.read(paths: [path])
            Issue.record("a Windows-1252 report was read")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.position?.line == 2 && error.position?.column == 2 && error.position?.field == "title", "\(error)")
            #expect(error.message.hasPrefix("invalid UTF-8: byte 0xE9 at byte 4 of the cell"), "\(error.message)")
            #expect(error.message.contains("read as Windows-1252 it is \"Café “Olé”\""), "\(error.message)")
            #expect(error.message.contains("iconv -f WINDOWS-1252 -t UTF-8 '\(path)'"), "\(error.message)")
        }
        // 0x81 is unassigned in Windows-1252: the byte alone.
        let other = Self.file(Array("line_id\ttitle\nL1\tA".utf8) + [0x81] + Array("B\n".utf8), "binary.tsv")
        do {
            _ = try UsageReports.read(paths: [other])
            Issue.record("invalid UTF-8 was read")
        } catch {
            #expect(error.message == "invalid UTF-8: byte 0x81 at byte 2 of the cell", "\(error.message)")
        }
    }

    @Test func utf8WithAMarkIsStillRead() throws {
        let path = Self.file([0xEF, 0xBB, 0xBF] + Array(Self.tsv.utf8), "u8.tsv")
        let read = try UsageReports.read(paths: [path])
        #expect(read.lines.map(\.title) == ["Yesterday"])
    }
}
