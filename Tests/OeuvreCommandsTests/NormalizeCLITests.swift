import Foundation
import OeuvreTestSupport
import Testing

/// `oeuvre normalize` and `oeuvre bench normalize` as a user runs them (subprocess).
@Suite struct NormalizeCLITests {
    static func json(_ r: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func jsonContract() throws {
        let r = try CLI.run(["normalize", "--title", "Numb (feat. B.o.B & Yo Gotti) [Bonus Track]", "--artist", "Linkin Park", "--json"])
        #expect(r.status == 0)
        let o = try Self.json(r)
        #expect(o["original"] as? String == "Numb (feat. B.o.B & Yo Gotti) [Bonus Track]")
        #expect(o["latin"] as? String == "Numb (feat. B.o.B & Yo Gotti) [Bonus Track]")
        #expect(o["title"] as? String == "numb")
        #expect(o["tags"] as? [String] == ["version"])
        #expect(o["featured"] as? [String] == ["bob", "yo gotti"])
        #expect(o["artists"] as? [String] == ["linkin park", "bob", "yo gotti"])
    }

    @Test func nonLatinTitleAndSubtitle() throws {
        let r = try CLI.run(["normalize", "--title", "Кукушка", "--subtitle", "Live", "--artist", "Виктор Цой", "--json"])
        #expect(r.status == 0)
        let o = try Self.json(r)
        #expect(o["latin"] as? String == "Kukushka")
        #expect(o["title"] as? String == "kukushka")
        #expect(o["tags"] as? [String] == ["live"])
        #expect(o["artists"] as? [String] == ["viktor tsoy"])
    }

    @Test func japaneseReadingsAndTheirFallback() throws {
        let with = try CLI.run(["normalize", "--title", "東京タワー", "--json"])
        #expect(try Self.json(with)["title"] as? String == "tokyo tawa")
        #expect(try Self.json(with)["japanese"] is NSNull)  // read as Japanese already
        // Kanji alone: both readings.
        let han = try Self.json(try CLI.run(["normalize", "--title", "千本桜", "--json"]))
        #expect(han["title"] as? String == "qian ben ying")
        #expect(han["japanese"] as? String == "senbon sakura")
        #expect(try CLI.run(["normalize", "--title", "千本桜"]).stdout.contains("japanese: senbon sakura"))
        // Without the dictionary Japanese is read through ICU alone (kanji as Mandarin), and doctor says why.
        let env = ["OEUVRE_MECAB_DICDIR": "/nonexistent/mecab/dic"]
        let without = try CLI.run(["normalize", "--title", "東京タワー", "--json"], environment: env)
        #expect(without.status == 0)
        #expect(try Self.json(without)["title"] as? String == "dong jingtawa")
        #expect(try Self.json(try CLI.run(["normalize", "--title", "千本桜", "--json"], environment: env))["japanese"] is NSNull)
        let doctor = try CLI.run(["doctor"], environment: env)
        #expect(doctor.stdout.contains("Japanese readings: none"))
    }

    @Test func emptyTitleIsADefinedResult() throws {
        let r = try CLI.run(["normalize", "--title", "", "--json"])
        #expect(r.status == 0)
        let o = try Self.json(r)
        #expect(o["title"] as? String == "")
        #expect(o["tags"] as? [String] == [])
    }

    @Test func invalidUTF8ArgumentIsRejected() throws {
        // Foundation's Process only passes Strings; a shell passes the raw byte.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "\"$0\" normalize --title \"$(printf 'Caf\\351')\" --json", CLI.executable]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 3)
        #expect(e.contains("not valid UTF-8"))
        #expect(e.contains("0xE9"))
    }

    @Test func invalidUTF8InAFileNamesTheLine() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/usage.tsv"
        var bytes = Array("title\tartist\nYesterday\tThe Beatles\n".utf8)
        bytes += [0x43, 0x61, 0x66, 0xE9, 0x09, 0x41, 0x0A]  // "Caf\xE9\tA\n"
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write test file")
        let r = try CLI.run(["normalize", "--file", path])
        #expect(r.status == 3)
        #expect(r.stderr.contains("usage.tsv:3"))
        #expect(r.stderr.contains("UTF-8"))
    }

    @Test func controlCharactersAndLongTitles() throws {
        let long = String(repeating: "(Live) Yesterday - ", count: 60_000)  // ≈ 1.1 MB argument
        let r = try CLI.run(["normalize", "--title", "Yes\u{7}ter\u{1B}day (Live)", "--json"])
        #expect(r.status == 0)
        #expect(try Self.json(r)["title"] as? String == "yes ter day")
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("title\n" + long + "\n", to: "long.tsv", in: dir)
        let l = try CLI.run(["normalize", "--file", path])
        #expect(l.status == 0)
        #expect(l.stdout.split(separator: "\n").count == 1)
    }

    @Test func benchSmoke() throws {
        let r = try CLI.run(["bench", "normalize", "--count", "300", "--runs", "1"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("ASCII titles:"))
        #expect(r.stdout.contains("non-Latin titles:"))
        #expect(r.stdout.contains("OpenBLAS kernel:"))
    }
}
