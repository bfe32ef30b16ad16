import Foundation
import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

/// Structural checks a CWR 2.2 receiver applies: record lengths, sequence numbers, GRT/TRL counts,
/// and fields landing at the positions of FORMATS.md §2.3.
@Suite struct CWRWriterTests {
    static func work(_ n: Int, nonRoman: Bool = false) -> CWRWriter.Work {
        CWRWriter.Work(
            title: "Summer Rain \(n)", language: "EN", submitterWorkNumber: "EMP\(n)", iswc: ISWC.make(number: 987_654_321).value,
            duration: 210, recorded: true,
            publishers: [CWRWriter.Publisher(chain: 1, ipNumber: "P001", name: "Example Music Publishing", ipiName: "01234567846",
                                      prSociety: 52, prShare: 5000, mrSociety: 44, mrShare: 10000, srSociety: 44, srShare: 10000,
                                      territories: [CWRWriter.TerritoryShare(prCollection: 5000, mrCollection: 10000, srCollection: 10000)])],
            writers: [CWRWriter.WriterParty(ipNumber: "W001", lastName: "Doe", firstName: "Jane", ipiName: "98765432174",
                                     ipiBase: "I-123123123-2", prSociety: 52, prShare: 5000,
                                     territories: [CWRWriter.TerritoryShare(prCollection: 5000, mrCollection: 0, srCollection: 0)],
                                     publisherChains: [1])],
            alternateTitles: [CWRWriter.Title("Pluie d'été", type: "TT", language: "FR")],
            nonRomanTitles: nonRoman ? [CWRWriter.Title("夏の雨", type: "OL", language: "JA")] : [],
            performers: [CWRWriter.Performer(lastName: "The Examples")],
            recordings: [CWRWriter.Recording(releaseDate: "20250115", releaseDuration: 210, albumTitle: "First Album",
                                            albumLabel: "Example Records", isrc: "XXA1B2500001", recordingTitle: "Summer Rain",
                                            displayArtist: "The Examples", recordLabel: "Example Records")])
    }

    static func write(_ works: [CWRWriter.Work]) throws -> [String] {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/t.V22"
        let w = try CWRWriter(path: path, header: CWRWriter.Header(
            senderID: 12_345_678, senderName: "Example Music Publishing", creationDate: "20250301", creationTime: "101500",
            characterSet: "UTF-8"))
        for x in works { try w.write(x) }
        try w.finish()
        let data = try #require(FileManager.default.contents(atPath: path))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        return text.components(separatedBy: "\r\n").dropLast().map { $0 }
    }

    /// 1-based inclusive slice by characters (Unicode scalars), as CWR positions count.
    static func field(_ line: String, _ start: Int, _ length: Int) -> String {
        let b = Array(line.unicodeScalars)
        var v = String.UnicodeScalarView()
        v.append(contentsOf: b[(start - 1)..<min(b.count, start - 1 + length)])
        return String(v)
    }

    @Test func recordLengthsSequencesAndCounts() throws {
        let lines = try Self.write([Self.work(1), Self.work(2, nonRoman: true), Self.work(3)])
        #expect(lines.first?.hasPrefix("HDR") == true)
        #expect(lines.last?.hasPrefix("TRL") == true)
        for l in lines {
            let type = String(l.prefix(3))
            #expect(l.unicodeScalars.count == CWRWriter.recordLengths[type], "\(type) has \(l.unicodeScalars.count) characters")
        }
        // Transaction / record sequence numbers.
        var transaction = -1
        var record = 0
        var transactions = 0
        for l in lines where !["HDR", "GRH", "GRT", "TRL"].contains(String(l.prefix(3))) {
            let t = Int(Self.field(l, 4, 8))!, r = Int(Self.field(l, 12, 8))!
            if l.hasPrefix("NWR") {
                #expect(t == transaction + 1)
                #expect(r == 0)
                transaction = t
                record = 0
                transactions += 1
            } else {
                #expect(t == transaction)
                #expect(r == record + 1)
                record = r
            }
        }
        #expect(transactions == 3)
        let grt = try #require(lines.first { $0.hasPrefix("GRT") })
        let grhIndex = try #require(lines.firstIndex { $0.hasPrefix("GRH") })
        let grtIndex = try #require(lines.firstIndex { $0.hasPrefix("GRT") })
        #expect(Self.field(grt, 4, 5) == "00001")
        #expect(Int(Self.field(grt, 9, 8)) == 3)
        #expect(Int(Self.field(grt, 17, 8)) == grtIndex - grhIndex + 1)
        let trl = try #require(lines.last)
        #expect(Int(Self.field(trl, 4, 5)) == 1)
        #expect(Int(Self.field(trl, 9, 8)) == 3)
        #expect(Int(Self.field(trl, 17, 8)) == lines.count)
    }

    @Test func fieldsLandAtTheirPositions() throws {
        let lines = try Self.write([Self.work(1, nonRoman: true)])
        let hdr = lines[0]
        #expect(Self.field(hdr, 4, 2) == "PB")
        #expect(Self.field(hdr, 6, 9) == "012345678")
        #expect(Self.field(hdr, 60, 5) == "01.10")
        #expect(Self.field(hdr, 87, 15).trimmingCharacters(in: .whitespaces) == "UTF-8")
        #expect(Self.field(hdr, 102, 3) == "2.2")
        #expect(lines[1] == "GRHNWR0000102.200000000000  ")
        let nwr = lines[2]
        #expect(Self.field(nwr, 20, 60).trimmingCharacters(in: .whitespaces) == "SUMMER RAIN 1")
        #expect(Self.field(nwr, 80, 2) == "EN")
        #expect(Self.field(nwr, 82, 14) == "EMP1          ")
        #expect(Self.field(nwr, 96, 11) == "T9876543214")
        #expect(Self.field(nwr, 130, 6) == "000330")
        #expect(Self.field(nwr, 143, 3) == "ORI")
        let spu = try #require(lines.first { $0.hasPrefix("SPU") })
        #expect(Self.field(spu, 88, 11) == "01234567846")
        #expect(Self.field(spu, 113, 3) == "052")
        #expect(Self.field(spu, 116, 5) == "05000")
        #expect(Self.field(spu, 124, 5) == "10000")
        let swr = try #require(lines.first { $0.hasPrefix("SWR") })
        #expect(Self.field(swr, 29, 45).trimmingCharacters(in: .whitespaces) == "DOE")
        #expect(Self.field(swr, 74, 30).trimmingCharacters(in: .whitespaces) == "JANE")
        #expect(Self.field(swr, 105, 2) == "CA")
        #expect(Self.field(swr, 116, 11) == "98765432174")
        #expect(Self.field(swr, 155, 13) == "I-123123123-2")
        let pwr = try #require(lines.first { $0.hasPrefix("PWR") })
        #expect(Self.field(pwr, 20, 9) == "P001     ")
        #expect(Self.field(pwr, 102, 9) == "W001     ")
        #expect(Self.field(pwr, 111, 2) == "01")
        let alt = try #require(lines.first { $0.hasPrefix("ALT") })
        #expect(Self.field(alt, 20, 60).trimmingCharacters(in: .whitespaces) == "PLUIE D'ETE")
        #expect(Self.field(alt, 80, 2) == "TT")
        let nat = try #require(lines.first { $0.hasPrefix("NAT") })
        #expect(Self.field(nat, 20, 640).trimmingCharacters(in: .whitespaces) == "夏の雨")
        #expect(Self.field(nat, 660, 2) == "OL")
        #expect(Self.field(nat, 662, 2) == "JA")
        let rec = try #require(lines.first { $0.hasPrefix("REC") })
        #expect(Self.field(rec, 20, 8) == "20250115")
        #expect(Self.field(rec, 88, 6) == "000330")
        #expect(Self.field(rec, 250, 12) == "XXA1B2500001")
        #expect(Self.field(rec, 387, 60).trimmingCharacters(in: .whitespaces) == "THE EXAMPLES")
        #expect(Self.field(rec, 507, 1) == "Y")
    }

    @Test func textIsFoldedToTheCISSets() {
        #expect(CWRText.cis("Pluie d’été, “ça” — Straße") == "PLUIE D'ETE, \"CA\" - STRASSE")
        #expect(CWRText.cis("Ça  va\tbien ") == "CA VA BIEN")
        #expect(CWRText.cis("Björk; O'Brien", names: true) == "BJORK O'BRIEN")
        #expect(CWRText.cis("Любовь") == "")
    }

    @Test func asciiFastPathMatchesTheUnicodePath() {
        for text in ["o'brien;  jr ", "Ça va", "Rock & Roll (Live)", "  leading  and trailing  "] {
            var fast = CWRFixedRecord("PER", length: 118)
            fast.name(20, 45, text)
            var slow = CWRFixedRecord("PER", length: 118)
            slow.alpha(20, 45, CWRText.cis(text, names: true))
            #expect(fast.bytes == slow.bytes, "\(text)")
            var t1 = CWRFixedRecord("ALT", length: 83)
            t1.title(20, 10, text)
            var t2 = CWRFixedRecord("ALT", length: 83)
            t2.alpha(20, 10, CWRText.cis(text))
            #expect(t1.bytes == t2.bytes, "\(text)")
        }
    }

    @Test func numbersThatDoNotFitAreErrors() {
        var r = CWRFixedRecord("GRT", length: 24)
        #expect(throws: OeuvreError.self) { try r.numeric(4, 5, 123_456) }
        #expect(throws: OeuvreError.self) { try r.numeric(4, 5, -1) }
    }

    @Test func aTransactionTypeCannotComeBack() throws {
        let dir = TestSupport.temporaryDirectory()
        let w = try CWRWriter(path: dir + "/x.V22", header: CWRWriter.Header(senderID: 1, senderName: "X", creationDate: "20250101", creationTime: "000000"))
        try w.write(Self.work(1))
        var rev = Self.work(2)
        rev.transactionType = "REV"
        try w.write(rev)
        #expect(throws: OeuvreError.self) { try w.write(Self.work(3)) }
    }

    @Test func nothingIsLeftWithoutFinish() throws {
        let dir = TestSupport.temporaryDirectory()
        do {
            let w = try CWRWriter(path: dir + "/x.V22", header: CWRWriter.Header(senderID: 1, senderName: "X", creationDate: "20250101", creationTime: "000000"))
            try w.write(Self.work(1))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
