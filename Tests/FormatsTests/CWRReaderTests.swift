import Foundation
import Formats
import OeuvreCore
import OeuvreTestSupport
import Testing

/// Writes `lines` (CRLF) to a temp file and returns its path.
private func writeCWR(_ lines: [String], name: String = "CW250001EMP_052.V21", function: String = #function) -> String {
    let dir = TestSupport.temporaryDirectory(function)
    return TestSupport.write(lines.joined(separator: "\r\n") + "\r\n", to: name, in: dir)
}

private func readAll(_ path: String, lenient: Bool = false) throws(OeuvreError) -> (CWRReader, [CWRTransaction]) {
    let r = try CWRReader(path: path, lenient: lenient)
    var out: [CWRTransaction] = []
    while let t = try r.next() { out.append(t) }
    return (r, out)
}

/// The error thrown while reading `path` completely (nil when it reads cleanly).
private func readError(_ path: String) -> OeuvreError? {
    do {
        _ = try readAll(path)
        return nil
    } catch {
        return error
    }
}

/// Replaces characters of line `index` at 1-based `column`.
private func patch(_ lines: inout [String], _ index: Int, _ column: Int, _ text: String) {
    var chars = Array(lines[index])
    while chars.count < column - 1 + text.count { chars.append(" ") }
    for (i, c) in text.enumerated() { chars[column - 1 + i] = c }
    lines[index] = String(chars)
}

@Suite struct CWRReaderTests {
    @Test(arguments: ["2.1", "2.2"])
    func readsAValidFile(version: String) throws {
        let b = CWRFileBuilder.sample(version: version)
        let (reader, transactions) = try readAll(writeCWR(b.lines()))
        #expect(reader.finished)
        #expect(reader.version.rawValue == version)
        #expect(reader.header.senderID == "012345678")
        #expect(reader.header.senderName == "EXAMPLE MUSIC PUBLISHING")
        #expect(transactions.count == 2)
        #expect(reader.groupCount == 1)
        #expect(reader.transactionCount == 2)
        #expect(reader.recordCount == b.lines().count)

        let t = transactions[0]
        #expect(t.kind == .nwr)
        #expect(t.sequence == 0)
        #expect(t.identifierIssues.isEmpty)
        let w = try #require(t.work)
        #expect(w.title == "SUMMER RAIN")
        #expect(w.submitterWorkNumber == "EMP000123")
        #expect(w.iswc == "T9876543214")
        #expect(w.iswcValid)
        #expect(w.language == "EN")
        #expect(w.duration == 210)
        #expect(w.versionType == "ORI")
        #expect(w.publishers.count == 1)
        let p = w.publishers[0]
        #expect(p.name == "EXAMPLE MUSIC PUBLISHING")
        #expect(p.designation == "E")
        #expect(p.ipiName == "01234567846")
        #expect(p.prShare == 50)
        #expect(p.mrShare == 100)
        #expect(p.controlled)
        #expect(p.chain == 1)
        #expect(p.territories == [CWRTerritory(inclusion: "I", tis: "2136", prCollection: 50, mrCollection: 100, srCollection: 100)])
        #expect(w.writers.count == 2)
        let jane = w.writers[0]
        #expect(jane.name == "JANE DOE")
        #expect(jane.designation == "CA")
        #expect(jane.ipiName == "98765432174")
        #expect(jane.ipiBase == "I-123123123-2")
        #expect(jane.prShare == 25)
        #expect(jane.controlled)
        #expect(jane.publishers == ["P001"])
        #expect(jane.territories.count == 1)
        let richard = w.writers[1]
        #expect(richard.record == "OWR")
        #expect(!richard.controlled)
        #expect(richard.ipiName == "00014107338")
        #expect(w.alternateTitles.map(\.text) == ["PLUIE D'ETE", "SUMMERRAIN"])
        #expect(w.alternateTitles.map(\.type) == ["TT", "RT"])
        #expect(w.alternateTitles[0].language == "FR")
        #expect(w.performers.map(\.name) == ["THE EXAMPLES"])
        #expect(w.recordings.count == 1)
        #expect(w.recordings[0].isrc == "XXA1B2500001")
        #expect(w.recordings[0].albumTitle == "FIRST ALBUM")
        #expect(w.recordings[0].releaseDuration == 210)
        if version == "2.2" {
            #expect(w.recordings[0].recordingTitle == "SUMMER RAIN (RADIO EDIT)")
            #expect(w.recordings[0].displayArtist == "THE EXAMPLES")
            #expect(w.recordings[0].recordLabel == "EXAMPLE RECORDS")
            #expect(w.recordings[0].isrcValidity == "Y")
        } else {
            #expect(w.recordings[0].recordingTitle == nil)
        }
        #expect(w.origins.first?.purpose == "FIL")
        #expect(w.origins.first?.productionTitle == "A SUMMER FILM")

        let second = try #require(transactions[1].work)
        #expect(transactions[1].sequence == 1)
        #expect(second.performers.first?.name == "ANNA SMITH")
        #expect(second.performers.first?.ipiName == "00000000199")
        #expect(second.originalWorks.first?.title == "WINTER SONG")
        #expect(second.originalWorks.first?.iswc == "T0000000010")
        #expect(second.originalWorks.first?.writers.first?.lastName == "OLDMAN")
    }

    @Test func makeWorkCarriesTitlesPartiesAndRecordings() throws {
        let (_, transactions) = try readAll(writeCWR(CWRFileBuilder.sample(version: "2.2").lines()))
        let work = try #require(transactions[0].work).makeWork(id: "EMP000123")
        #expect(work.title == "SUMMER RAIN")
        #expect(work.iswc == "T9876543214")
        #expect(work.titles.map(\.kind) == [.original, .alternate, .alternate, .recording])
        #expect(work.titles[1].cwrType == "TT")
        #expect(work.titles[3].text == "SUMMER RAIN (RADIO EDIT)")
        #expect(work.writers.map(\.name) == ["JANE DOE", "RICHARD ROE"])
        #expect(work.parties.filter { $0.role == .publisher }.count == 1)
        #expect(work.performers == ["THE EXAMPLES"])
        #expect(work.recordings.first?.isrc == "XXA1B2500001")
        #expect(work.source == "cwr")
    }

    @Test func padsRightTrimmedLines() throws {
        let lines = CWRFileBuilder.sample().lines().map { line in
            var s = Substring(line)
            while s.last == " " { s = s.dropLast() }
            return String(s)
        }
        let (_, transactions) = try readAll(writeCWR(lines))
        #expect(transactions.count == 2)
        #expect(transactions[0].work?.publishers.first?.prShare == 50)
    }

    @Test func readsAcknowledgementsWithEmbeddedWorks() throws {
        var b = CWRFileBuilder(version: "2.1")
        b.senderType = "SO"
        b.senderID = "000000052"
        b.add("ACK", [
            .ack(title: "SUMMER RAIN", submitterNumber: "EMP000123", recipientNumber: "250310HN"),
            .message("COPYRIGHT DATE WAS NOT A VALID DATE"),
            .work(title: "SUMMER RAIN", number: "EMP000123", iswc: "T9876543214"),
            .writer(ip: "W001", last: "DOE", first: "JANE", ipi: "98765432174", pr: 100),
            .work("EXC", title: "SUMMER RAINS", number: "X999", iswc: "T0345246801"),
            .writer(ip: "W009", last: "OTHER", pr: 100),
        ])
        b.add("ACK", [.ack(title: "LOST SONG", submitterNumber: "EMP000200", recipientNumber: nil, status: "RJ")])
        let (_, transactions) = try readAll(writeCWR(b.lines()))
        #expect(transactions.count == 2)
        let t = transactions[0]
        #expect(t.kind == .ack)
        #expect(t.acknowledgement?.status == "AS")
        #expect(t.acknowledgement?.recipientCreationNumber == "250310HN")
        #expect(t.acknowledgement?.messages.first?.text == "COPYRIGHT DATE WAS NOT A VALID DATE")
        #expect(t.work?.title == "SUMMER RAIN")
        #expect(t.work?.writers.map(\.name) == ["JANE DOE"])
        #expect(t.conflicts.map(\.title) == ["SUMMER RAINS"])
        #expect(t.conflicts.first?.writers.map(\.lastName) == ["OTHER"])
        #expect(t.recordCount == 6)
        #expect(transactions[1].work == nil)
        #expect(transactions[1].acknowledgement?.status == "RJ")
    }

    @Test func crossReferencesAndNonRomanTitles() throws {
        var b = CWRFileBuilder(version: "2.2")
        b.add("REV", [
            .work("REV", title: "TOKYO TOWER", number: "EMP000300"),
            .writer(ip: "W001", last: "DOE", pr: 100),
            CWRRecord("NAT", [20: "東京タワー", 660: "OL", 662: "JA"]),
            .crossReference(organisation: "052", identifier: "250310HN"),
        ])
        let (_, transactions) = try readAll(writeCWR(b.lines(), name: "x.V22"))
        let w = try #require(transactions.first?.work)
        #expect(w.kind == .rev)
        #expect(w.alternateTitles == [CWRTitle(text: "東京タワー", type: "OL", language: "JA", record: "NAT")])
        #expect(w.crossReferences == [CWRCrossReference(organisation: "052", identifier: "250310HN", type: "W", validity: "Y")])
    }

    /// A line that is not UTF-8 is read as ISO-8859-1, one character per byte, so the fields after a title keep
    /// their columns (the ASCII lines around it are cut from their bytes).
    @Test func latin1LineKeepsItsColumns() throws {
        var b = CWRFileBuilder(version: "2.2")
        b.add("NWR", [
            .work("NWR", title: "CAFE", number: "EMP000301"),
            .writer(ip: "W001", last: "DOE", pr: 100),
            CWRRecord("NAT", [20: "CAF\u{E9} NOIR", 660: "OL", 662: "FR"]),
        ])
        let text = b.lines().joined(separator: "\r\n") + "\r\n"
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/l.V22"
        try #require(text.data(using: .isoLatin1)).write(to: URL(fileURLWithPath: path))
        let (_, transactions) = try readAll(path)
        let w = try #require(transactions.first?.work)
        #expect(w.title == "CAFE")
        #expect(w.alternateTitles == [CWRTitle(text: "CAF\u{E9} NOIR", type: "OL", language: "FR", record: "NAT")])
    }

    @Test func countsAndSkipsRecordTypesItDoesNotKeep() throws {
        var b = CWRFileBuilder(version: "2.1")
        b.add("NWR", [
            .work(title: "A", number: "1"),
            .writer(ip: "W1", last: "X", pr: 100),
            CWRRecord("NWN", [20: "W1", 29: "ИКС"]),
            CWRRecord("INS", [20: "000"]),
            CWRRecord("ZZZ", [20: "SOMETHING NEW"]),
        ])
        let (reader, transactions) = try readAll(writeCWR(b.lines()))
        #expect(transactions.first?.skippedRecords == ["NWN": 1, "INS": 1, "ZZZ": 1])
        #expect(reader.skippedRecords == ["NWN": 1, "INS": 1, "ZZZ": 1])
    }

    @Test func agreementGroupsAreValidatedAndSkipped() throws {
        var b = CWRFileBuilder.sample()
        b.add("AGR", [CWRRecord("AGR", [20: "AGREEMENT 1"]), CWRRecord("TER", [20: "I2136"]), CWRRecord("IPA", [20: "AS"])])
        let (reader, transactions) = try readAll(writeCWR(b.lines()))
        #expect(transactions.count == 2)
        #expect(reader.skippedTransactions == ["AGR": 1])
        #expect(reader.transactionCount == 3)
    }

    @Test func readsGzipCompressedFiles() throws {
        let dir = TestSupport.temporaryDirectory()
        let plain = TestSupport.write(CWRFileBuilder.sample().text(), to: "a.V21", in: dir)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-k", plain]
        try p.run()
        p.waitUntilExit()
        #expect(CWRReader.looksLikeCWR(path: plain + ".gz"))
        let (_, transactions) = try readAll(plain + ".gz")
        #expect(transactions.count == 2)
    }

    @Test func aFileNamedLikeCWRIsReadAsCWREvenWithADamagedHeader() throws {
        #expect(CWRReader.hasCWRFileName("/data/CW250001ABC_XYZ.V21"))
        #expect(CWRReader.hasCWRFileName("catalogue.v22"))
        #expect(CWRReader.hasCWRFileName("dir.x/CW250001ABC_XYZ.V22.gz"))
        #expect(!CWRReader.hasCWRFileName("works.csv"))
        #expect(!CWRReader.hasCWRFileName("works.V2"))
        #expect(!CWRReader.hasCWRFileName("a.V21/works.csv"))
        var lines = CWRFileBuilder.sample().lines()
        lines.removeFirst()  // the HDR record lost
        let named = writeCWR(lines, name: "CW250001ABC_XYZ.V22")
        #expect(CWRReader.looksLikeCWR(path: named))
        let error = try #require(readError(named))
        #expect(error.description.contains("expected HDR"))
        #expect(error.position?.line == 1)
        // Without the name, the content decides: not a CWR file.
        let unnamed = writeCWR(lines, name: "catalogue.txt")
        #expect(!CWRReader.looksLikeCWR(path: unnamed))
    }

    // MARK: - One fixture per error class

    @Test func recordSequenceBreakIsAnError() throws {
        var lines = CWRFileBuilder.sample().lines()
        // Line 5 is SPT (record 2 of the first transaction); make it record 3.
        patch(&lines, 4, 12, "00000003")
        let error = try #require(readError(writeCWR(lines)))
        #expect(error.position?.line == 5)
        #expect(error.position?.column == 12)
        #expect(error.position?.field == "SPT Record Sequence #")
        #expect(error.code.exitCode == 3)
        #expect(error.description.contains("expected 2"))
    }

    @Test func lenientModeAcceptsAMissingRecordWithWarnings() throws {
        var lines = CWRFileBuilder.sample().lines()
        lines.remove(at: 4)  // drop the SPT: a gap in record numbers, and GRT/TRL counts one too high
        let path = writeCWR(lines)
        #expect(readError(path) != nil)
        let (reader, transactions) = try readAll(path, lenient: true)
        #expect(transactions.count == 2)
        #expect(reader.structuralWarnings.map { $0.position.field } == ["SWR Record Sequence #", "GRT Record Count", "TRL Record Count"])
    }

    @Test func registrationInAGroupOfAnotherRegistrationTypeIsReadInLenientMode() throws {
        var lines = CWRFileBuilder.sample().lines()
        let grh = try #require(lines.firstIndex(where: { $0.hasPrefix("GRHNWR") }))
        patch(&lines, grh, 4, "REV")  // a REV group holding NWR transactions, as some senders write them
        let path = writeCWR(lines)
        let error = try #require(readError(path))
        #expect(error.position?.line == grh + 2)
        #expect(error.position?.field == "NWR Record Type")
        #expect(error.description.contains("NWR transaction in a group of type REV"))
        #expect(error.description.contains("--lenient"))
        let (reader, transactions) = try readAll(path, lenient: true)
        #expect(transactions.map(\.kind) == [.nwr, .nwr])
        let asSent = try readAll(writeCWR(CWRFileBuilder.sample().lines(), name: "CW250002EMP_052.V21")).1
        #expect(transactions.compactMap { $0.work?.title } == asSent.compactMap { $0.work?.title })
        #expect(reader.structuralWarnings.map { $0.message } == ["NWR transaction in a group of type REV", "NWR transaction in a group of type REV"])
        // An acknowledgement is no registration: in a REV group it stays an error in lenient mode too.
        var ack = lines
        patch(&ack, grh + 1, 1, "ACK")
        #expect(throws: OeuvreError.self) { _ = try readAll(writeCWR(ack, name: "CW250003EMP_052.V21"), lenient: true) }
    }

    @Test func repeatedRecordSequenceIsReadInLenientModeAndABackwardOneIsNot() throws {
        var lines = CWRFileBuilder.sample().lines()
        // Line 5 is SPT (record 2 of the first transaction); number it 1 like the SPU before it.
        patch(&lines, 4, 12, "00000001")
        let path = writeCWR(lines)
        let error = try #require(readError(path))
        #expect(error.position?.line == 5)
        #expect(error.position?.field == "SPT Record Sequence #")
        #expect(error.description.contains("--lenient"))
        let (reader, transactions) = try readAll(path, lenient: true)
        let asSent = try readAll(writeCWR(CWRFileBuilder.sample().lines(), name: "CW250002EMP_052.V21")).1
        #expect(transactions.count == asSent.count)
        // The same work, every record kept (positions aside: the files differ in name).
        func summary(_ w: CWRWork?) -> [String] {
            guard let w else { return [] }
            return [w.title] + w.alternateTitles.map(\.text) + w.publishers.map { "\($0.lastName) \($0.territories.count)" }
                + w.writers.map(\.lastName) + w.recordings.compactMap(\.isrc)
        }
        #expect(summary(transactions.first?.work) == summary(asSent.first?.work))
        #expect(summary(transactions.first?.work).count > 5)
        // Record 1 again at line 5, then record 3 after it: the repeat, and the gap it leaves.
        #expect(reader.structuralWarnings.map { $0.position.line } == [5, 6])
        #expect(reader.structuralWarnings.first?.message.contains("repeated") == true)
        // Two back is no slip of one number: still an error, lenient or not.
        var back = CWRFileBuilder.sample().lines()
        patch(&back, 5, 12, "00000001")
        #expect(throws: OeuvreError.self) { _ = try readAll(writeCWR(back, name: "CW250003EMP_052.V21"), lenient: true) }
    }

    @Test func transactionSequenceBreakIsAnError() throws {
        var lines = CWRFileBuilder.sample().lines()
        let second = try #require(lines.firstIndex(where: { $0.hasPrefix("NWR00000001") }))
        patch(&lines, second, 4, "00000002")
        let error = try #require(readError(writeCWR(lines)))
        #expect(error.position?.line == second + 1)
        #expect(error.position?.field == "NWR Transaction Sequence #")
        #expect(error.position?.column == 4)
    }

    @Test func wrongGroupTrailerCountIsAnError() throws {
        var lines = CWRFileBuilder.sample().lines()
        let grt = try #require(lines.firstIndex(where: { $0.hasPrefix("GRT") }))
        patch(&lines, grt, 9, "00000003")
        let error = try #require(readError(writeCWR(lines)))
        #expect(error.position?.line == grt + 1)
        #expect(error.position?.column == 9)
        #expect(error.position?.field == "GRT Transaction Count")
    }

    @Test func wrongFileTrailerCountIsAnError() throws {
        var lines = CWRFileBuilder.sample().lines()
        patch(&lines, lines.count - 1, 17, "00000099")
        let error = try #require(readError(writeCWR(lines)))
        #expect(error.position?.line == lines.count)
        #expect(error.position?.column == 17)
        #expect(error.position?.field == "TRL Record Count")
    }

    @Test func truncatedFileIsAnError() throws {
        let lines = Array(CWRFileBuilder.sample().lines().dropLast(3))
        let error = try #require(readError(writeCWR(lines)))
        #expect(error.position?.line == lines.count + 1)
        #expect(error.description.contains("truncated"))
    }

    /// A gzip stream that ends early names the line it stopped in (not just the file).
    @Test func truncatedGzipNamesTheLine() throws {
        let dir = TestSupport.temporaryDirectory()
        let text = CWRFileBuilder.sample().text()
        let path = Gzip.write(text, to: "cut.V21.gz", in: dir, truncateBy: Gzip.compress(Array(text.utf8)).count / 3)
        let error = try #require(readError(path))
        #expect(error.message.contains("truncated gzip"), "\(error)")
        #expect((error.position?.line ?? 0) > 1, "\(error)")
    }

    @Test func fileCutInsideALineIsAnError() throws {
        let text = CWRFileBuilder.sample().text()
        let path = writeCWR([String(text.prefix(text.count / 2))])
        #expect(readError(path) != nil)
    }

    @Test func recordLongerThanItsLayoutIsAnError() throws {
        var lines = CWRFileBuilder.sample().lines()
        lines[2] += "EXTRA"  // the NWR (260 characters)
        let error = try #require(readError(writeCWR(lines)))
        #expect(error.position?.line == 3)
        #expect(error.position?.column == 261)
        #expect(error.position?.field == "NWR record length")
    }

    @Test func badCheckDigitsAreKeptAndFlagged() throws {
        var b = CWRFileBuilder(version: "2.1")
        b.add("NWR", [
            .work(title: "BAD IDS", number: "1", iswc: "T9876543215"),
            .writer(ip: "W1", last: "DOE", ipi: "98765432175", base: "I-123123123-3", pr: 100),
            .performer(last: "BAND", ipi: "00000000198"),
            .recording(isrc: "XXA1B25000Q1"),
        ])
        let (_, transactions) = try readAll(writeCWR(b.lines()))
        let t = try #require(transactions.first)
        let w = try #require(t.work)
        #expect(w.iswc == "T9876543215")
        #expect(!w.iswcValid)
        #expect(w.writers[0].ipiName == "98765432175")
        #expect(!w.writers[0].ipiNameValid)
        #expect(w.writers[0].ipiBase == "I-123123123-3")
        #expect(!w.writers[0].ipiBaseValid)
        #expect(!w.performers[0].ipiNameValid)
        #expect(w.recordings[0].isrc == "XXA1B25000Q1")
        #expect(!w.recordings[0].isrcValid)
        #expect(t.identifierIssues.map(\.kind) == ["ISWC", "IPI name number", "IPI base number", "IPI name number", "ISRC"])
        #expect(t.identifierIssues[0].position.line == 3)
        #expect(t.identifierIssues[0].position.column == 96)
        #expect(w.makeWork(id: "1").iswc == nil)
        #expect(w.makeWork(id: "1").writers.first?.ipiValid == false)
    }

    @Test func unknownTransactionTypeIsAnError() throws {
        var lines = CWRFileBuilder.sample().lines()
        patch(&lines, 1, 4, "XYZ")  // GRH transaction type
        let error = try #require(readError(writeCWR(lines)))
        #expect(error.position?.line == 2)
        #expect(error.position?.column == 4)
        #expect(error.position?.field == "GRH Transaction Type")

        var lines2 = CWRFileBuilder.sample().lines()
        let second = try #require(lines2.firstIndex(where: { $0.hasPrefix("NWR00000001") }))
        patch(&lines2, second, 1, "XYZ")
        let error2 = try #require(readError(writeCWR(lines2)))
        #expect(error2.position?.line == second + 1)
        #expect(error2.description.contains("unknown transaction type 'XYZ'"))
    }

    @Test func nonNumericShareIsAnError() throws {
        var lines = CWRFileBuilder.sample().lines()
        patch(&lines, 3, 116, "05A00")  // SPU PR ownership share
        let error = try #require(readError(writeCWR(lines)))
        #expect(error.position?.line == 4)
        #expect(error.position?.column == 116)
        #expect(error.position?.field == "SPU PR Ownership Share")
    }

    @Test func structureErrors() throws {
        // Not starting with HDR.
        let notCWR = writeCWR(["work_id,title", "W1,Yesterday"])
        #expect(throws: OeuvreError.self) { try CWRReader(path: notCWR) }
        // Record after TRL.
        var lines = CWRFileBuilder.sample().lines()
        lines.append(lines[1])
        #expect(readError(writeCWR(lines))?.position?.line == lines.count)
        // Detail record before any transaction header in a group.
        var lines3 = CWRFileBuilder.sample().lines()
        lines3.remove(at: 2)
        #expect(readError(writeCWR(lines3)) != nil)
        // CWR 3.x is refused clearly.
        var lines4 = CWRFileBuilder.sample().lines()
        patch(&lines4, 1, 12, "03.00")
        #expect(readError(writeCWR(lines4))?.code.exitCode == 3)
    }
}

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(input: String, digest: String) {
        var h = SHA256()
        h.update(bytes: Array(input.utf8))
        #expect(h.finalize() == digest)
    }

    /// FIPS 180-2's long vector: a million "a", through whole blocks and a partial last one.
    @Test func millionA() {
        var h = SHA256()
        let a = [UInt8](repeating: 0x61, count: 1_000_000)
        a.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<999_999])) }
        h.update(bytes: [0x61])
        #expect(h.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func chunkingDoesNotChangeTheDigest() throws {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var whole = SHA256()
        whole.update(bytes: data)
        var parts = SHA256()
        var i = 0
        var step = 1
        while i < data.count {
            let j = min(data.count, i + step)
            parts.update(bytes: data[i..<j])
            i = j
            step = step % 97 + 13
        }
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/blob"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(data)))
        let expected = whole.finalize()
        #expect(parts.finalize() == expected)
        #expect(try SHA256.file(path) == expected)
    }
}
