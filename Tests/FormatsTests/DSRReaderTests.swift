import Foundation
import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

@Suite struct DSRReaderTests {
    // MARK: Records and allocation

    @Test func readsTheFormatsExample() throws {
        let dir = TestSupport.temporaryDirectory()
        let r = try readReport(DSRFixture.example.write(in: dir))
        #expect(r.lines.count == 2)
        let a = r.lines[0]
        #expect(a.lineId == "trk-777")
        #expect(a.dspResourceId == "trk-777")
        #expect(a.isrc == "XXA1B2500001")
        #expect(a.title == "Summer Rain")
        #expect(a.subtitle == "Radio Edit")
        #expect(a.artist == "The Examples")
        #expect(a.duration == 210)
        #expect(a.plays == 1200)
        #expect(a.iswc == "T9876543214")
        #expect(a.writers == ["Jane Doe"])
        #expect(a.writerIds == ["IPI::98765432174"])
        #expect(a.territory == "FR")
        #expect(a.useType == "OnDemandStream")
        #expect(a.commercialModel == "SubscriptionModel")
        #expect(a.album == "First Album")
        #expect(a.position?.line == 4)
        let b = r.lines[1]
        #expect(b.title == "Summer Rain / Winter Sun (Medley)")
        #expect(b.duration == 362)
        #expect(b.plays == 300)
        #expect(b.works.map(\.title) == ["Summer Rain", "Winter Sun"])
        #expect(b.works[1].writers == ["John Roe", "Ann Poe"])
        #expect(b.works[0].workId == "w-1")
        #expect(b.iswc == "T9876543214")
        #expect(b.writers == ["Jane Doe", "John Roe", "Ann Poe"])
        #expect(b.writerIds.isEmpty)
        let f = r.files[0]
        #expect(f.header?.messageId == "MSG-1")
        #expect(f.blocks == 2)
        #expect(f.summaries.first?.usages == 1500)
        #expect(f.summaries.first?.netRevenue == 120)
        #expect(f.records["MW01"] == 2)
        #expect(f.plays == 1500)
        #expect(f.warnings.isEmpty)
    }

    @Test func releaseUsageIsAllocatedToTheReleaseResources() throws {
        let dir = TestSupport.temporaryDirectory()
        var f = DSRFixture()
        f.add("SY01.01", "S1", "", "", "PayAsYouGoModel", "PermanentDownload", "DE", "Store", "10", "", "EUR", "9.00", "", "", "")
        f.add("RE01", "1", "R1", "album-1", "", "", "", "Band", "", "Album", "", "Album", "", "", "")
        for t in 1...3 {
            f.add("AS01.01", "1", "A\(t)", "trk-\(t)", "", "Track \(t)", "", "Band", "", "PT3M", "SoundRecording", "")
        }
        f.add("RE02", "1", "R2", "single-2", "", "A2|A3")
        f.add("SU01", "1", "S1", "TX1", "R1", "", "true", "false", "5", "1", "9.99", "")   // album: 5 downloads, 1 return
        f.add("SU01", "1", "S1", "TX2", "R2", "", "true", "false", "2", "0", "1.98", "")   // sub-release A2+A3
        f.add("SU02", "1", "S1", "TX3", "", "A3", "true", "7", "", "")                    // the track itself
        let r = try readReport(f.write(in: dir))
        #expect(r.lines.map(\.lineId) == ["trk-1", "trk-2", "trk-3"])
        #expect(r.lines.map(\.plays) == [4, 6, 13])
        #expect(r.lines.allSatisfy { $0.album == "Album" && $0.territory == "DE" && $0.useType == "PermanentDownload" })
        #expect(r.files[0].records["RE02"] == 1)
    }

    @Test func oneLinePerResourceAndSalesContext() throws {
        let dir = TestSupport.temporaryDirectory()
        var f = DSRFixture()
        f.add("SY01.01", "S1", "", "", "SubscriptionModel", "OnDemandStream", "FR", "Premium", "15", "", "EUR", "1", "", "", "")
        f.add("SY02.02", "S2", "", "", "AdvertisementSupportedModel", "OnDemandStream", "BE", "Free", "4", "", "EUR", "1",
              "Society", "", "", "", "", "PerformingRight", "Music", "", "", "")
        f.add("AS01.01", "1", "A1", "trk-1", "FRZ032500001", "Song", "", "Artist", "", "PT3M", "SoundRecording", "")
        f.add("SU02", "1", "S1", "TX1", "", "A1", "true", "10", "", "")
        f.add("SU02", "1", "S1", "TX2", "", "A1", "true", "5", "", "")
        f.add("SU02", "1", "S2", "TX3", "", "A1", "true", "4", "", "")
        f.add("SU02.03", "1", "S2", "TX4", "", "A1", "true", "2.5", "", "", "ProgrammedContentStream")
        // The same DspResourceId in a later block (another release) adds to the same lines.
        f.add("AS01.01", "2", "A1", "trk-1", "FRZ032500001", "Song", "", "Artist", "", "PT3M", "SoundRecording", "")
        f.add("SU02", "2", "S1", "TX5", "", "A1", "true", "1", "", "")
        let r = try readReport(f.write(in: dir))
        #expect(r.lines.map(\.lineId) == ["trk-1@S1", "trk-1@S2", "trk-1@S2@ProgrammedContentStream"])
        #expect(r.lines.map(\.plays) == [16, 4, 2.5])
        #expect(r.lines.map(\.territory) == ["FR", "BE", "BE"])
        #expect(r.lines.map(\.useType) == ["OnDemandStream", "OnDemandStream", "ProgrammedContentStream"])
        #expect(r.lines[1].commercialModel == "AdvertisementSupportedModel")
        #expect(r.files[0].summaries[1].rightsController == "Society")
    }

    @Test func summaryRecordsOfEveryType() throws {
        let dir = TestSupport.temporaryDirectory()
        var f = DSRFixture()
        var sy04 = ["SY04.01", "S4", "", "", "SubscriptionModel", "OnDemandStream", "NL", "Family", "Family", "100", "", "", "", "77",
                    "EUR", "", "", "9.99", "500.5", "95"]
        f.add(sy04.removeFirst(), sy04.joined(separator: "\t"))
        f.add("SY05.02", "S5", "", "", "SubscriptionModel", "OnDemandStream", "AT", "Premium", "Society", "", "PerformingRight",
              "1000", "10|20", "", "1.5|2.5", "", "", "EUR", "", "", "", "", "", "Music", "")
        f.add("SY06.02", "S6", "", "", "SubscriptionModel", "OnDemandStream", "CH", "Video", "12", "", "CHF", "", "7.5", "", "", "", "", "")
        f.add("SY09", "S9", "AdvertisementSupportedModel", "Stream", "IS", "AdSupport", "", "Society", "", "PerformingRight",
              "3000", "300", "42.5", "", "", "USD", "", "", "")
        f.add("AS01.01", "1", "A1", "trk-1", "", "Song", "", "Artist", "", "", "SoundRecording", "")
        for (i, s) in ["S4", "S5", "S6", "S9"].enumerated() { f.add("SU02", "1", s, "TX\(i)", "", "A1", "true", "1", "", "") }
        let r = try readReport(f.write(in: dir))
        let s = r.files[0].summaries
        #expect(s.map(\.recordType) == ["SY04", "SY05", "SY06", "SY09"])
        #expect(s.map(\.territory) == ["NL", "AT", "CH", "IS"])
        #expect(s.map(\.usages) == [77, 1000, 12, 3000])
        #expect(s.map(\.netRevenue) == [500.5, 4, 7.5, 42.5])
        #expect(s[3].commercialModel == "AdvertisementSupportedModel")
        #expect(s[3].useType == "Stream")
        #expect(r.lines.map(\.territory) == ["NL", "AT", "CH", "IS"])
    }

    @Test func ugcProfileBlocks() throws {
        let dir = TestSupport.temporaryDirectory()
        var head = DSRFixture.bapHead
        head[2] = "UGCProfile"
        var f = DSRFixture(head: head)
        f.add("SY02.01", "1", "", "", "AdvertisementSupportedModel", "Stream", "IS", "AdSupport-music", "1000", "", "USD", "409.05", "PUB_2")
        // Block 1: SU03 usages count; RU01 lists the videos and is not added on top.
        f.add("AS01", "1", "R1", "A935917475088049", "USSM19803037", "Sexual Healing", "", "Marvin Gaye", "", "PT0H0M0S", "SoundRecording")
        f.add("MW01.01", "1", "W1", "", "SEXUAL HEALING", "", "DAVID RITZ|MARVIN GAYE", "|myns::4534")
        f.add("RU01", "1", "1", "vid1|vid2", "4323|2334")
        f.add("SU03.01", "1", "U1", "1", "A935917475088049", "7810", "2.0", "20151001", "20151231")
        f.add("LI01.01", "1", "1", "PUB_2", "", "", "1.0000", "PerformingRight", "0.0", "125.23")
        f.add("MW01.01", "1", "W2", "T9109247316", "SEXUAL HEALING", "", "MARVIN GAYE", "IPI::00014107338")
        f.add("SU03.01", "1", "U2", "1", "A935917475088049", "90", "0.5", "20151001", "20151231")
        // Block 2: only RU records, their usages count.
        f.add("AS01", "2", "R2", "XMhY7hsbhs4", "", "This Bitter Earth", "", "Dinah Washington", "", "", "SoundRecording")
        f.add("RU01", "2", "1", "a|b|c", "111|75|65")
        f.add("RU02.01", "2", "1", "d", "My cover", "https://example.com/d", "9", "Music")
        let r = try readReport(f.write(in: dir))
        #expect(r.lines.count == 2)
        #expect(r.lines[0].plays == 7900)
        #expect(r.lines[0].netRevenue == 2.5)
        #expect(r.lines[0].lineId == "A935917475088049")
        #expect(r.lines[0].duration == nil)
        #expect(r.lines[0].works.count == 2)
        #expect(r.lines[0].works[1].iswc == "T9109247316")
        #expect(r.lines[0].iswc == "T9109247316")
        #expect(r.lines[0].writers == ["DAVID RITZ", "MARVIN GAYE"])
        #expect(r.lines[0].writerIds == ["", "IPI::00014107338"])
        #expect(r.lines[1].plays == 260)
        #expect(r.lines[1].netRevenue == nil)
        #expect(r.lines.allSatisfy { $0.territory == "IS" && $0.useType == "Stream" })
        // AS01 without IsMasterRecording: padded, with one counted warning.
        let pad = r.files[0].warnings.first { $0.message.contains("AS01 records with fewer cells") }
        #expect(pad?.count == 2)
    }

    @Test func singleRecordBlockVariant() throws {
        let dir = TestSupport.temporaryDirectory()
        var head = DSRFixture.bapHead
        head[2] = "BasicAudioProfileSRB"
        var f = DSRFixture(head: head)
        f.add("SY01.01", "S1", "", "", "SubscriptionModel", "OnDemandStream", "FR", "Premium", "", "", "EUR", "1", "", "", "")
        func single(_ type: String, _ dsp: String, _ tail: [String]) {
            var c = [type, "S1", dsp, "FRZ032500009", "Titre", "Live", "Chanteuse", "", "PT4M", "SoundRecording", "", "T9876543214",
                     "Jane Doe|John Roe", "IPI::98765432174|", "", "", "", "", "", "", "rel-1", "", "", "", "", "", "Album Title", "",
                     "Album", "", "", ""]
            c += tail
            f.addRaw(c.joined(separator: "\t"))
        }
        single("SR02", "trk-9", ["TX1", "true", "40", ""])
        single("SR02", "trk-9", ["TX2", "true", "2", ""])
        single("SR01", "trk-8", ["1", "TX3", "true", "false", "3", "1", "0.99", "", ""])
        let text = f.lines.joined(separator: "\n") + "\nSRFO\t\(f.lines.count + 1)\t1\n"
        let r = try readReport(TestSupport.write(text, to: "DSR_SRB.tsv", in: dir))
        #expect(r.lines.map(\.lineId) == ["trk-9", "trk-8"])
        #expect(r.lines.map(\.plays) == [42, 2])
        #expect(r.lines[0].album == "Album Title")
        #expect(r.lines[0].writers == ["Jane Doe", "John Roe"])
        #expect(r.lines[0].writerIds == ["IPI::98765432174", ""])
        #expect(r.lines[0].subtitle == "Live")
        #expect(r.files[0].footer?.recordType == "SRFO")
        #expect(r.files[0].blocks == 0)
    }

    // MARK: Physical layout

    @Test func versionedTypesExtraAndMissingCellsCommentsCRLFAndBOM() throws {
        let dir = TestSupport.temporaryDirectory()
        var f = DSRFixture()
        f.lineEnding = "\r\n"
        f.lines[0] = "\u{FEFF}" + f.lines[0]
        f.addRaw("#SY01.01\tSummaryRecordId\t…")
        f.add("SY01.03", "S1", "", "", "SubscriptionModel", "OnDemandStream", "FR", "Premium", "3", "", "EUR", "1", "", "", "", "x", "y")
        f.addRaw("")
        f.add("AS02.04", "1", "A1", "trk-1", "FRZ032500001", "Song", "", "Artist", "", "PT3M", "SoundRecording", "", "", "", "", "",
              "", "", "", "", "", "", "false", "", "Artist Display")
        f.add("AS01", "1", "A2", "trk-2", "", "Other", "", "Artist", "", "PT2M", "SoundRecording")  // 11 of 12 cells
        f.add("SU02.03", "1", "S1", "TX1", "", "A1", "true", "3", "", "", "", "", "")
        f.add("ZZ99", "1", "whatever")
        f.add("SY03", "AdSupport", "Broadcast")
        let r = try readReport(f.write(in: dir))
        #expect(r.lines.count == 1)
        #expect(r.lines[0].title == "Song")
        #expect(r.files[0].physicalLines == 10)
        #expect(r.files[0].commentLines == 1)
        #expect(r.files[0].unknownRecords == ["ZZ99": 1, "SY03": 1])
        let messages = r.files[0].warnings.map(\.message)
        #expect(messages.contains { $0.contains("AS02 records carry more cells") })
        #expect(messages.contains { $0.contains("AS01 records with fewer cells") })
        #expect(messages.contains { $0.contains("SY01 records carry more cells") })
    }

    @Test(arguments: [
        ("AC\\\\|DC Tribute", "AC|DC Tribute", false),         // DDEX: \\| is a literal |
        ("AC\\|DC Tribute", "AC|DC Tribute", false),           // lenient single-backslash form
        ("Tab\\\there", "Tab\there", false),                    // \<TAB> is a literal TAB, not a cell break
        ("Back\\\\\\slash", "Back\\slash", false),             // \\\ is a literal backslash
        ("Odd \\x escape", "Odd \\x escape", true),              // unknown escape: kept, warned
        ("Plain | pipe", "Plain | pipe", false),                // unescaped | in a single-value cell is kept
    ])
    func escaping(raw: String, expected: String, warns: Bool) throws {
        let dir = TestSupport.temporaryDirectory()
        var f = DSRFixture()
        f.add("SY01.01", "S1", "", "", "SubscriptionModel", "OnDemandStream", "FR", "Premium", "1", "", "EUR", "1", "", "", "")
        f.add("AS02.02", "1", "A1", "trk-1", "", raw, "", "Artist", "", "PT3M", "SoundRecording", "", "Ann\\\\|Bob|Cy\\|Dee|Eve\\\\\\", "",
              "", "", "", "", "", "", "", "")
        f.add("SU02", "1", "S1", "TX1", "", "A1", "true", "1", "", "")
        let r = try readReport(f.write(in: dir))
        #expect(r.lines[0].title == expected)
        #expect(r.lines[0].writers == ["Ann|Bob", "Cy|Dee", "Eve\\"])
        #expect(r.files[0].warnings.contains { $0.message.contains("unknown escape") } == warns)
    }

    @Test func multiFileReportIsReadInFileOrder() throws {
        let dir = TestSupport.temporaryDirectory()
        var head1 = DSRFixture.bapHead
        head1[7] = "2"
        var head2 = head1
        head2[6] = "2"
        var a = DSRFixture(head: head1)
        a.add("SY01.01", "S1", "", "", "SubscriptionModel", "OnDemandStream", "FR", "Premium", "12", "", "EUR", "1", "", "", "")
        a.add("AS01.01", "1", "A1", "trk-1", "", "One", "", "Artist", "", "", "SoundRecording", "")
        a.add("SU02", "1", "S1", "TX1", "", "A1", "true", "5", "", "")
        var b = DSRFixture(head: head2)
        b.add("AS01.01", "2", "A1", "trk-2", "", "Two", "", "Artist", "", "", "SoundRecording", "")
        b.add("SU02", "2", "S1", "TX2", "", "A1", "true", "7", "", "")
        let first = TestSupport.write(a.text(reportLines: 0, reportBlocks: 0), to: "DSR_R_S_Premium_2025-03_FR_1of2_20250402T090000.tsv", in: dir)
        let second = TestSupport.write(b.text(summaries: 0, reportLines: 9, reportBlocks: 2), to: "DSR_R_S_Premium_2025-03_FR_2of2_20250402T090000.tsv", in: dir)
        let r = try readReport(second, first)
        #expect(r.files.map(\.path) == [first, second])
        #expect(r.reports.count == 1)
        #expect(r.lines.map(\.lineId) == ["trk-1", "trk-2"])
        #expect(r.lines.map(\.territory) == ["FR", "FR"])
        #expect(r.totalPlays == 12)
        // Report totals are checked in the last file.
        let bad = TestSupport.write(b.text(summaries: 0, reportLines: 10, reportBlocks: 2), to: "DSR_R_S_Premium_2025-03_FR_2of2_20250402T090001.tsv", in: dir)
        let e = readError(first, bad)
        #expect(e?.position?.line == 4)
        #expect(e?.position?.column == 3)
        #expect(e?.message.contains("NumberOfLinesInReport") == true)
        // A missing or repeated file is an error.
        #expect(readError(first)?.message.contains("file(s) 2 of 2 were not given") == true)
        #expect(readError(first, first)?.message.contains("given twice") == true)
    }

    @Test func severalReportsGetPrefixedLineIds() throws {
        let dir = TestSupport.temporaryDirectory()
        let a = DSRFixture.example.write("DSR_A.tsv", in: dir)
        var head = DSRFixture.bapHead
        head[4] = "MSG-2"
        var other = DSRFixture.example
        other.lines[0] = head.joined(separator: "\t")
        let b = other.write("DSR_B.tsv", in: dir)
        let csv = TestSupport.write("line_id,title,plays\n7,Song,3\n", to: "u.csv", in: dir)
        let r = try readReport(a, b, csv)
        #expect(r.lines.map(\.lineId) == ["MSG-1/trk-777", "MSG-1/trk-778", "MSG-2/trk-777", "MSG-2/trk-778", "u.csv/7"])
        #expect(r.reports.map(\.format) == [.dsr, .dsr, .csv])
    }

    @Test func gzipInputAndTruncatedGzip() throws {
        let dir = TestSupport.temporaryDirectory()
        let text = DSRFixture.example.text()
        let r = try readReport(Gzip.write(text, to: "DSR_X.tsv.gz", in: dir))
        #expect(r.lines.count == 2)
        #expect(try UsageReports.detectFormat(path: dir + "/DSR_X.tsv.gz") == .dsr)
        // Without the .gz name the content is still recognised.
        _ = Gzip.write(text, to: "DSR_Y.tsv", in: dir)
        #expect(try readReport(dir + "/DSR_Y.tsv").lines.count == 2)
        let truncated = Gzip.write(text, to: "DSR_Z.tsv.gz", in: dir, truncateBy: 12)
        let e = readError(truncated)
        #expect(e?.code == .invalidInput)
        #expect(e?.message.contains("truncated gzip") == true)
        #expect(e?.position?.file == truncated)
        #expect((e?.position?.line ?? 0) >= 1)
    }

    @Test func formatDetection() throws {
        let dir = TestSupport.temporaryDirectory()
        #expect(try UsageReports.detectFormat(path: TestSupport.write("line_id,title\n1,A\n", to: "a.csv", in: dir)) == .csv)
        #expect(try UsageReports.detectFormat(path: TestSupport.write("ISRC\tTITLE\nX\tA\n", to: "a.tsv", in: dir)) == .tsv)
        #expect(try UsageReports.detectFormat(path: TestSupport.write("#HEAD\tx\nHEAD\tdsrf/1\n", to: "b.tsv", in: dir)) == .dsr)
        // Comment rows then a record that is not HEAD: a DSR, and an error saying so.
        let p = TestSupport.write("#HEAD\tMessageId\nFHEA\tMessageId\t1\t1\nFFOO\t3\n", to: "c.tsv", in: dir)
        #expect(try UsageReports.detectFormat(path: p) == .dsr)
        let e = readError(p)
        #expect(e?.message.contains("expected a HEAD record first") == true)
        #expect(e?.position?.line == 2)
    }

    // MARK: Errors

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var edit: @Sendable (inout DSRFixture) -> Void
        var line: Int
        var column: Int?
        var fragment: String
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "streams not a number", edit: { $0.lines[4] = "SU02\t1\tS1\tTX-1\t\tA1\ttrue\tmany\t\t" },
                line: 5, column: 8, fragment: "NumberOfStreams must be a number"),
        BadCase(name: "streams empty", edit: { $0.lines[4] = "SU02\t1\tS1\tTX-1\t\tA1\ttrue\t\t\t" },
                line: 5, column: 8, fragment: "NumberOfStreams is empty"),
        BadCase(name: "unknown resource reference", edit: { $0.lines[4] = "SU02\t1\tS1\tTX-1\t\tA9\ttrue\t5\t\t" },
                line: 5, column: 6, fragment: "'A9' matches no resource record of block 1"),
        BadCase(name: "unknown release reference", edit: { $0.lines[4] = "SU02\t1\tS1\tTX-1\tR7\t\ttrue\t5\t\t" },
                line: 5, column: 5, fragment: "'R7' matches no release record"),
        BadCase(name: "no reference", edit: { $0.lines[4] = "SU02\t1\tS1\tTX-1\t\t\ttrue\t5\t\t" },
                line: 5, column: 5, fragment: "neither TransactedRelease"),
        BadCase(name: "bad duration", edit: { $0.lines[3] = $0.lines[3].replacingOccurrences(of: "PT3M30S", with: "3 minutes") },
                line: 4, column: 10, fragment: "bad ISO 8601 duration"),
        BadCase(name: "empty block id", edit: { $0.lines[2] = $0.lines[2].replacingOccurrences(of: "RE01\t1\t", with: "RE01\t\t") },
                line: 3, column: 2, fragment: "BlockId is empty"),
        BadCase(name: "blocks out of order", edit: { $0.lines.append("SU02\t1\tS1\tTX-9\t\tA1\ttrue\t1\t\t") },
                line: 11, column: 2, fragment: "BlockId 1 after block 2"),
        BadCase(name: "first record not HEAD", edit: { $0.lines.removeFirst() },
                line: 1, column: 1, fragment: "expected a HEAD record first"),
        BadCase(name: "second HEAD", edit: { $0.lines.insert(DSRFixture.bapHead.joined(separator: "\t"), at: 1) },
                line: 2, column: 1, fragment: "a second HEAD"),
        BadCase(name: "unknown used resource", edit: { $0.lines.insert("RE02\t1\tR2\tsub\t\tA1|A5", at: 4) },
                line: 5, column: 6, fragment: "UsedResources names 'A5'"),
        BadCase(name: "empty summary id", edit: { $0.lines[4] = "SU02\t1\t\tTX-1\t\tA1\ttrue\t5\t\t" },
                line: 5, column: 3, fragment: "SummaryRecordId is empty"),
    ]

    @Test(arguments: badCases)
    func malformedRecordsNameLineAndCell(_ c: BadCase) throws {
        let dir = TestSupport.temporaryDirectory()
        var f = DSRFixture.example
        c.edit(&f)
        let path = f.write(in: dir)
        let e = try #require(readError(path))
        #expect(e.code.exitCode == 3)
        #expect(e.position?.file == path)
        #expect(e.position?.line == c.line)
        #expect(e.position?.column == c.column)
        #expect(e.message.contains(c.fragment), "\(e)")
    }

    @Test func footerCountsAreChecked() throws {
        let dir = TestSupport.temporaryDirectory()
        let f = DSRFixture.example
        let lines = TestSupport.write(f.text(lines: 12), to: "l.tsv", in: dir)
        let e = try #require(readError(lines))
        #expect(e.position?.line == 11)
        #expect(e.position?.column == 2)
        #expect(e.position?.field == "NumberOfLinesInFile")
        #expect(e.message == "FOOT NumberOfLinesInFile is 12 but there are 11 lines in the file (use --lenient to read it with a warning)")
        // --lenient turns it into a warning.
        let r = try readReport(lines, lenient: true)
        #expect(r.lines.count == 2)
        #expect(r.files[0].warnings.contains { $0.message.contains("accepted with --lenient") })
        let blocks = TestSupport.write(f.text(blocks: 3), to: "b.tsv", in: dir)
        #expect(readError(blocks)?.position?.column == 5)
        let summaries = TestSupport.write(f.text(summaries: 2), to: "s.tsv", in: dir)
        #expect(readError(summaries)?.position?.column == 4)
        let reportBlocks = TestSupport.write(f.text(reportBlocks: 9), to: "rb.tsv", in: dir)
        #expect(readError(reportBlocks)?.position?.column == 6)
    }

    @Test func missingFooterAndRecordsAfterIt() throws {
        let dir = TestSupport.temporaryDirectory()
        let f = DSRFixture.example
        let e = try #require(readError(f.write(in: dir, foot: false)))
        #expect(e.message.contains("missing FOOT"))
        #expect(e.position?.line == 10)
        let after = TestSupport.write(f.text() + "SU02\t2\tS1\tTX-3\t\tA1\ttrue\t1\t\t\n", to: "a.tsv", in: dir)
        #expect(readError(after)?.message.contains("record after the footer") == true)
        // Blank lines after the footer are fine.
        #expect(try readReport(TestSupport.write(f.text() + "\n\n", to: "ok.tsv", in: dir)).lines.count == 2)
    }

    @Test func invalidUTF8NamesTheCell() throws {
        let dir = TestSupport.temporaryDirectory()
        var bytes = Array(DSRFixture.example.text().utf8)
        let title = Array("Summer Rain\tRadio".utf8)
        let at = try #require(bytes.indices.first { bytes[$0..<min($0 + title.count, bytes.count)].elementsEqual(title) })
        bytes[at + 1] = 0xFF
        let path = dir + "/u.tsv"
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write test file")
        let e = try #require(readError(path))
        #expect(e.position?.line == 4)
        #expect(e.position?.column == 6)
        #expect(e.message.hasPrefix("invalid UTF-8: byte 0xFF at byte 2 of the cell; read as Windows-1252 it is \"Sÿmmer Rain\""), "\(e.message)")
        #expect(e.message.contains("iconv -f WINDOWS-1252 -t UTF-8"))
    }

    @Test func undefinedSummaryIsAWarningNotALoss() throws {
        let dir = TestSupport.temporaryDirectory()
        var f = DSRFixture.example
        f.lines[4] = "SU02\t1\tSY1\tTX-1\t\tA1\ttrue\t1200\t\t"
        let r = try readReport(f.write(in: dir))
        #expect(r.lines[0].plays == 1200)
        #expect(r.lines[0].territory == nil)
        let w = try #require(r.reports[0].warnings.first)
        #expect(w.message.contains("'SY1'"))
        #expect(w.position?.line == 5)
        #expect(w.position?.column == 3)
    }

    @Test func largeBlocksResolveReferencesByTable() throws {
        let dir = TestSupport.temporaryDirectory()
        var f = DSRFixture()
        f.add("SY01.01", "S1", "", "", "SubscriptionModel", "OnDemandStream", "FR", "Premium", "", "", "EUR", "1", "", "", "")
        for t in 1...40 { f.add("AS01.01", "1", "A\(t)", "trk-\(t)", "", "Track \(t)", "", "Band", "", "", "SoundRecording", "") }
        for t in stride(from: 40, through: 1, by: -1) { f.add("SU02", "1", "S1", "TX\(t)", "", "A\(t)", "true", String(t), "", "") }
        let r = try readReport(f.write(in: dir))
        #expect(r.lines.count == 40)
        #expect(r.lines.map(\.plays) == (1...40).map(Double.init))
    }
}

@Suite struct UsageCSVTests {
    @Test func mapRenamesAndWarnsOnBadIdentifiers() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("ID\tSong\tISWC\tStreams\n1\tYesterday\tT-123\t5\n2\tLet It Be\tT-034.524.680-1\t2\n", to: "u.tsv", in: dir)
        let r = try UsageReports.read(paths: [path], options: UsageReadOptions(renames: ["ID": "line_id", "Song": "title", "Streams": "plays"]))
        #expect(r.lines.map(\.lineId) == ["1", "2"])
        #expect(r.lines.map(\.plays) == [5, 2])
        #expect(r.lines[0].iswc == nil)
        #expect(r.lines[1].iswc == "T0345246801")
        #expect(r.files[0].format == "tsv")
        #expect(r.files[0].warnings.first?.message.contains("invalid ISWC") == true)
        #expect(r.files[0].warnings.first?.position?.column == 3)
    }

    @Test func badPlaysIsAnErrorWithPosition() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = TestSupport.write("title,plays\nA,1\nB,lots\n", to: "u.csv", in: dir)
        let e = try #require(readError(path))
        #expect(e.position?.line == 3)
        #expect(e.position?.column == 2)
        #expect(e.position?.field == "plays")
    }

    @Test func canonicalTSVFoldsTheSubtitleIntoTheTitle() throws {
        var l = UsageLine(lineId: "x", isrc: "FRZ032500001", title: "Summer Rain", subtitle: "Radio Edit", artist: "A", duration: 210,
                          plays: 12, iswc: "T9876543214", writers: ["Jane Doe", "X|Y"], territory: "FR", useType: "OnDemandStream")
        #expect(CanonicalUsageTSV.row(l) == "x\tFRZ032500001\tSummer Rain (Radio Edit)\tA\t210\t12\tT9876543214\tJane Doe|X/Y\tFR\tOnDemandStream")
        l.subtitle = "radio edit"
        l.title = "Summer Rain (Radio Edit)"
        l.plays = 2.5
        #expect(CanonicalUsageTSV.row(l).contains("\tSummer Rain (Radio Edit)\t"))
        #expect(CanonicalUsageTSV.row(l).contains("\t2.5\t"))
        #expect(CanonicalUsageTSV.header.joined(separator: "\t") == "line_id\tisrc\ttitle\tartist\tduration\tplays\tiswc\twriters\tterritory\tuse_type")
    }

    @Test func canonicalTSVRoundTrips() throws {
        let dir = TestSupport.temporaryDirectory()
        let r = try readReport(DSRFixture.example.write(in: dir))
        let out = dir + "/lines.tsv"
        try CanonicalUsageTSV.write(r.lines, to: out)
        let back = try readReport(out)
        #expect(back.lines.map(\.lineId) == ["trk-777", "trk-778"])
        #expect(back.lines[0].title == "Summer Rain (Radio Edit)")
        #expect(back.lines.map(\.plays) == [1200, 300])
        #expect(back.lines[1].writers == ["Jane Doe", "John Roe", "Ann Poe"])
        #expect(back.lines[0].territory == "FR")
    }
}
