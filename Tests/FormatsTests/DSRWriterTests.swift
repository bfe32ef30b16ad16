import Foundation
import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

@Suite struct DSRWriterTests {
    static func header(period: String = "2025-03") -> DSRWriter.Header {
        DSRWriter.Header(
            messageId: "MSG-1", created: "2025-04-02T09:00:00Z", usageStart: "2025-03-01", usageEnd: "2025-03-31",
            senderPartyId: DPID.make(number: 1), senderName: "Example Streaming", serviceDescription: "Premium",
            recipientPartyId: DPID.make(number: 2), recipientName: "Example Society", period: period, territory: "FR")
    }

    @Test func escapingFollowsDDEX() {
        #expect(DSRText.escape("AC|DC Tribute") == "AC\\\\|DC Tribute")
        #expect(DSRText.escape("back\\slash") == "back\\\\\\slash")
        #expect(DSRText.escape("tab\there") == "tab\\\there")
        #expect(DSRText.escape("two\nlines") == "two lines")
        #expect(DSRText.escape("plain") == "plain")
        #expect(DSRText.multi(["Lennon", "Mc|Cartney"]) == "Lennon|Mc\\\\|Cartney")
        #expect(DSRText.duration(210) == "PT3M30S")
        #expect(DSRText.duration(3725) == "PT1H2M5S")
    }

    @Test func dpidCheckCharacter() {
        for id in ["PADPIDA2013020802I", "PADPIDA2015120100H", "PADPIDA20070627029", "PADPIDA2014122301Q"] {
            #expect(DPID.isValid(id), "\(id)")
        }
        #expect(!DPID.isValid("PADPIDA2013020802J"))
        #expect(DPID.make(number: 2_013_020_802) == "PADPIDA2013020802I")
    }

    @Test func fileNameFollowsTheConvention() throws {
        #expect(try Self.header().fileName() == "DSR_\(DPID.make(number: 2))_\(DPID.make(number: 1))_Premium_2025-03_FR_1of1_20250402T090000.tsv")
        var bad = Self.header()
        bad.serviceDescription = "Premium_Tier"
        #expect(throws: OeuvreError.self) { try bad.fileName() }
    }

    @Test func blocksSummariesAndFootCounts() throws {
        let dir = TestSupport.temporaryDirectory()
        let w = try DSRWriter(directory: dir, header: Self.header(), summaries: [
            DSRWriter.Summary(kind: .sy01, id: "S1", commercialModel: "SubscriptionModel", territory: "FR", service: "Premium"),
            DSRWriter.Summary(id: "S2", commercialModel: "AdvertisementSupportedModel", territory: "FR", service: "Free"),
        ], columnHeadings: true)
        w.beginBlock(release: DSRWriter.Release(dspReleaseId: "rel-1", displayArtist: "AC|DC Tribute", title: "Live\tAlbum"))
        try w.resource(DSRWriter.Resource(reference: "A1", dspResourceId: "trk-1", isrc: "XXA1B2500001", title: "Summer Rain",
                                   subtitle: "Radio Edit", displayArtist: "The Examples", duration: 210,
                                   iswc: "T9876543214", composers: ["Jane Doe", "Back\\Slash"], composerIds: ["IPI::98765432174", ""]))
        try w.usage(summaryId: "S1", transactionId: "TX-1", resourceReference: "A1", streams: 1200, netRevenue: 4.8)
        try w.usage(summaryId: "S2", transactionId: "TX-2", resourceReference: "A1", streams: 300, netRevenue: 0.3)
        #expect(throws: OeuvreError.self) {
            try w.usage(summaryId: "S2", transactionId: "TX-3", resourceReference: "A1", streams: 1)
        }
        #expect(throws: OeuvreError.self) {
            try w.usage(summaryId: "S9", transactionId: "TX-3", resourceReference: "A1", streams: 1)
        }
        w.beginBlock()
        try w.resource(DSRWriter.Resource(reference: "A1", dspResourceId: "trk-2", title: "Winter Sun", displayArtist: "Ann Poe"))
        try w.usage(summaryId: "S2", transactionId: "TX-4", resourceReference: "A1", streams: 7)
        let path = try w.finish()
        #expect(path.hasSuffix("_1of1_20250402T090000.tsv"))
        let text = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(text.hasSuffix("\n"))
        // No temporary body left beside the report.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [(path as NSString).lastPathComponent])

        let records = lines.filter { !$0.hasPrefix("#") }
        func cells(_ l: String) -> [String] { l.components(separatedBy: "\t") }
        let expected = ["HEAD": 16, "SY01.01": 15, "SY02.02": 22, "RE01": 15, "AS01.01": 12, "AS02.02": 22, "SU02": 10, "FOOT": 6]
        for r in records {
            // Escaped TABs are `\`+TAB: count cells only on unescaped TABs.
            let n = r.replacingOccurrences(of: "\\\t", with: "  ").components(separatedBy: "\t").count
            #expect(n == expected[cells(r)[0]], "\(cells(r)[0]) has \(n) cells")
        }
        let foot = cells(try #require(records.last))
        #expect(foot == ["FOOT", String(lines.count), String(lines.count), "2", "2", "2"])
        let sy1 = cells(try #require(records.first { $0.hasPrefix("SY01.01") }))
        #expect(sy1[8] == "1200")
        #expect(sy1[11] == "4.80")
        let sy2 = cells(try #require(records.first { $0.hasPrefix("SY02.02") }))
        #expect(sy2[8] == "307")
        #expect(sy2[11] == "0.30")
        let re = try #require(records.first { $0.hasPrefix("RE01") })
        #expect(re.contains("AC\\\\|DC Tribute"))
        #expect(re.contains("Live\\\tAlbum"))
        let as2 = cells(try #require(records.first { $0.hasPrefix("AS02.02") }))
        #expect(as2[4] == "XXA1B2500001")
        #expect(as2[6] == "Radio Edit")
        #expect(as2[9] == "PT3M30S")
        #expect(as2[11] == "T9876543214")
        #expect(as2[12] == "Jane Doe|Back\\\\\\Slash")
        #expect(as2[13] == "IPI::98765432174|")
        let su = records.filter { $0.hasPrefix("SU02") }.map(cells)
        #expect(su.map { $0[1] } == ["1", "1", "2"])
        #expect(su.map { $0[3] } == ["TX-1", "TX-2", "TX-4"])
        #expect(su.map { $0[5] } == ["A1", "A1", "A1"])
        // Headings only for the summary kinds used, and they count in the FOOT.
        #expect(lines.filter { $0.hasPrefix("#") }.count == 8)
    }

    @Test func nothingIsLeftWithoutFinish() throws {
        let dir = TestSupport.temporaryDirectory()
        do {
            let w = try DSRWriter(directory: dir, header: Self.header(), summaries: [
                DSRWriter.Summary(id: "S1", commercialModel: "SubscriptionModel", territory: "FR", service: "Premium"),
            ])
            w.beginBlock()
            try w.resource(DSRWriter.Resource(reference: "A1", dspResourceId: "t", title: "x", displayArtist: "y"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
