import OeuvreCore
import Testing

@Suite struct ISWCTests {
    @Test(arguments: [
        ("T-034.524.680-1", "T0345246801"),
        ("T0345246801", "T0345246801"),
        ("t 034 524 680 1", "T0345246801"),
        ("T-000.000.001-0", "T0000000010"),
        ("T9876543214", "T9876543214"),
    ])
    func acceptsValidForms(input: String, canonical: String) throws {
        #expect(try ISWC(input).value == canonical)
    }

    @Test(arguments: ["T-034.524.680-2", "T0345246800", "X0345246801", "T034524680", "T03452468012", "", "T03452A6801"])
    func rejectsInvalid(input: String) {
        #expect(throws: IdentifierError.self) { try ISWC(input) }
    }

    @Test func reportsExpectedCheckDigit() {
        do {
            _ = try ISWC("T-034.524.680-2")
            Issue.record("expected an error")
        } catch {
            #expect(error.problem == .badCheckDigit(expected: "1", found: "2"))
        }
    }

    @Test func formatsWithPunctuation() throws {
        #expect(try ISWC("T0345246801").formatted == "T-034.524.680-1")
    }

    @Test func makeProducesValidCodes() throws {
        for n in [0, 1, 34_524_680, 999_999_999, 123_456_789] {
            let iswc = ISWC.make(number: n)
            #expect(try ISWC(iswc.value) == iswc)
        }
        #expect(ISWC.make(number: 34_524_680).value == "T0345246801")
    }
}

@Suite struct ISRCTests {
    @Test(arguments: [
        ("US-RC1-76-07839", "USRC17607839"),
        ("usrc17607839", "USRC17607839"),
        ("GBAYE0601498", "GBAYE0601498"),
        ("ISRC FR-Z03-14-00123", "FRZ031400123"),
        ("XXA1B2500001", "XXA1B2500001"),
    ])
    func acceptsValidForms(input: String, canonical: String) throws {
        #expect(try ISRC(input).value == canonical)
    }

    @Test(arguments: ["US-RC1-76-0783", "1SRC17607839", "USRC1760783X", "USR$17607839", ""])
    func rejectsInvalid(input: String) {
        #expect(throws: IdentifierError.self) { try ISRC(input) }
    }

    @Test func formats() throws {
        #expect(try ISRC("USRC17607839").formatted == "US-RC1-76-07839")
    }
}

@Suite struct IPITests {
    @Test(arguments: ["00014107338", "00000000199", "00000000297", "09000000020", "14107338", "IPI::00014107338"])
    func acceptsValidNameNumbers(input: String) throws {
        let v = try IPINameNumber(input)
        #expect(v.value.count == 11)
    }

    @Test(arguments: ["00014107339", "00000000198", "123456789012", "0001410733A", ""])
    func rejectsInvalidNameNumbers(input: String) {
        #expect(throws: IdentifierError.self) { try IPINameNumber(input) }
    }

    @Test func padsShortNameNumbers() throws {
        #expect(try IPINameNumber("14107338").value == "00014107338")
    }

    @Test func makeNameNumbers() throws {
        for seq in [0, 1, 141_073, 999_999_999, 42] {
            let ipi = IPINameNumber.make(sequence: seq)
            #expect(try IPINameNumber(ipi.value) == ipi)
        }
        #expect(IPINameNumber.make(sequence: 141_073).value == "00014107338")
    }

    @Test(arguments: [("I-000000229-7", "I-000000229-7"), ("I0047917360", "I-004791736-0"), ("i-004791736-0", "I-004791736-0")])
    func acceptsValidBaseNumbers(input: String, canonical: String) throws {
        #expect(try IPIBaseNumber(input).value == canonical)
    }

    @Test(arguments: ["I-000000229-8", "I-00000022-7", "1-000000229-7"])
    func rejectsInvalidBaseNumbers(input: String) {
        #expect(throws: IdentifierError.self) { try IPIBaseNumber(input) }
    }
}

@Suite struct IdentifierKindTests {
    @Test(arguments: [
        ("T-034.524.680-1", IdentifierKind.iswc), ("USRC17607839", .isrc), ("00014107338", .ipiName),
        ("I-000000229-7", .ipiBase), ("T-034.524.680-2", .iswc),
    ])
    func guessesKind(input: String, kind: IdentifierKind) {
        #expect(IdentifierKind.guess(input) == kind)
    }
}

@Suite struct DurationTests {
    @Test(arguments: [("215", 215), ("3:35", 215), ("PT3M35S", 215), ("PT1H2M3.5S", 3724), ("1:02:03", 3723), ("P0DT0H3M35S", 215)])
    func parses(input: String, seconds: Int) throws {
        #expect(try DurationParser.seconds(input) == seconds)
    }

    @Test func parsesCWR() throws {
        #expect(try DurationParser.seconds("000335", cwr: true) == 215)
        #expect(try DurationParser.seconds("000000", cwr: true) == nil)
    }

    @Test(arguments: ["abc", "3:xx", "PT3X", "-5", "PT"])
    func rejects(input: String) {
        #expect(throws: OeuvreError.self) { try DurationParser.seconds(input) }
    }

    @Test func emptyIsNil() throws {
        #expect(try DurationParser.seconds("  ") == nil)
    }
}
