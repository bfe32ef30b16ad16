import Foundation
@testable import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

/// A row with text beyond the header's columns is an error naming the file, line and cell (a tab inside a title shifts
/// every cell after it: the artist would be read from the title's second half); empty extra cells are harmless.
@Suite struct ExtraCellsTests {
    static let shifted = "line_id\tisrc\ttitle\tartist\nL1\t\tMy Way\tFrank Sinatra\nL2\tUSAAA0000001\tPart\tTwo\tThe Band\n"

    static func expectShiftedRowError(_ body: () throws -> Void) {
        do {
            try body()
            Issue.record("a row with a fifth cell was read")
        } catch let error as OeuvreError {
            #expect(error.code == .invalidInput)
            #expect(error.position?.line == 3)
            #expect(error.position?.column == 5)
            #expect(error.message.contains("5 cells but the header names 4 columns"))
            #expect(error.message.contains("'The Band'"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func aUsageRowWithTextBeyondTheHeaderIsAnError() {
        let path = TestSupport.write(Self.shifted, to: "u.tsv", in: TestSupport.temporaryDirectory())
        Self.expectShiftedRowError { _ = try UsageReports.read(paths: [path]) }
        // The keyed path (lines with an ISRC kept as numbers) checks the same.
        Self.expectShiftedRowError { _ = try UsageReports.readKeyed(path: path, minimumBytes: 0, valueBound: 1, accept: { _ in 0 }) }
    }

    @Test func emptyExtraCellsAreRead() throws {
        let text = "line_id\ttitle\tartist\nL1\tMy Way\tFrank Sinatra\t\nL2\tYesterday\tThe Beatles\t \t\n"
        let path = TestSupport.write(text, to: "u.tsv", in: TestSupport.temporaryDirectory())
        let read = try UsageReports.read(paths: [path])
        #expect(read.lines.map(\.artist) == ["Frank Sinatra", "The Beatles"])
    }

    @Test func aWorksRowWithTextBeyondTheHeaderIsAnError() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("work_id,title,performers\nW1,Yesterday,The Beatles\nW2,Hello, Goodbye,The Beatles\n", to: "w.csv", in: dir)
        let reader = try WorksCSVReader(path: path)
        _ = try reader.next()
        do {
            _ = try reader.next()
            Issue.record("a row with a fourth cell was read")
        } catch {
            #expect(error.position?.line == 3)
            #expect(error.position?.column == 4)
            #expect(error.message.contains("'The Beatles'"))
        }
        // Quoted, the same row is read.
        let quoted = TestSupport.write("work_id,title,performers\nW2,\"Hello, Goodbye\",The Beatles,\n", to: "q.csv", in: dir)
        let work = try #require(try WorksCSVReader(path: quoted).next()).work
        #expect(work.titles.first?.text == "Hello, Goodbye")
    }
}
