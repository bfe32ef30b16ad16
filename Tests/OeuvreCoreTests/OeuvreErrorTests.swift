import OeuvreCore
import Testing

/// Error positions: compiler-style text, and a file-level error placed at the line a reader had got to.
@Suite struct OeuvreErrorTests {
    @Test func descriptionsNameTheFileAndLine() {
        #expect(OeuvreError(.invalidInput, "bad", at: SourcePosition(file: "a.tsv", line: 3, column: 2, field: "title")).description
            == "a.tsv:3:2: error: title: bad")
        #expect(OeuvreError(.io, "cannot open file", at: SourcePosition(file: "a.tsv", line: 0)).description == "a.tsv: error: cannot open file")
        #expect(OeuvreError(.usage, "no input").description == "error: no input")
    }

    @Test func onlyAFileLevelErrorIsPlaced() {
        let fileLevel = OeuvreError(.invalidInput, "truncated gzip stream", at: SourcePosition(file: "a.tsv.gz", line: 0))
        #expect(fileLevel.placed(atLine: 42, of: "a.tsv.gz").position == SourcePosition(file: "a.tsv.gz", line: 42))
        #expect(OeuvreError(.io, "read failed").placed(atLine: 7, of: "b.tsv").description == "b.tsv:7: error: read failed")
        let atLine = OeuvreError(.invalidInput, "bad cell", at: SourcePosition(file: "a.tsv", line: 5, column: 1))
        #expect(atLine.placed(atLine: 42, of: "a.tsv").position == atLine.position)
    }
}
