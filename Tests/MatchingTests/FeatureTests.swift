import Foundation
@testable import Matching
import Normalization
import OeuvreCore
import OeuvreTestSupport
import Testing

/// One test per feature (or per small family): each builds profiles where the feature must fire and where it must not.
@Suite struct FeatureTests {
    static func features(_ line: LineProfile, _ work: WorkProfile, _ context: CandidateContext = CandidateContext()) -> [Float] {
        var extractor = PairFeatureExtractor()
        var row = [Float](repeating: .nan, count: PairFeatureExtractor.count)
        row.withUnsafeMutableBufferPointer { extractor.compute(line: line, work: work, context: context, into: $0.baseAddress!) }
        return row
    }

    static func value(_ f: Feature, _ line: LineProfile, _ work: WorkProfile, _ context: CandidateContext = CandidateContext()) -> Float {
        features(line, work, context)[f.rawValue]
    }

    static func work(_ titles: [String], performers: [String] = [], writers: [String] = [], tags: [String] = [],
                     duration: Int? = nil) -> WorkProfile {
        WorkProfile(workId: "W1", displayTitle: titles.first ?? "", titles: titles, titleTags: tags, performers: performers,
                    writers: writers, duration: duration)
    }

    @Test func schemaNamesAreUniqueAndOrdered() {
        let names = FeatureSchema.current.names
        #expect(Set(names).count == names.count)
        #expect(names.count == Feature.allCases.count)
        #expect(names.first == "title_ngram_cosine")
        for f in Feature.allCases { #expect(FeatureSchema.current.index(of: f.name) == f.rawValue) }
    }

    @Test func everyFeatureIsFiniteAndWritten() {
        let line = LineProfile(title: "yesterday", tags: ["live"], artists: ["the beatles"], duration: 125)
        let row = Self.features(line, Self.work(["yesterday"], performers: ["the beatles"], duration: 123))
        #expect(row.allSatisfy { $0.isFinite })
        let empty = Self.features(LineProfile(title: ""), WorkProfile(workId: "x", displayTitle: "", titles: []))
        #expect(empty.allSatisfy { $0.isFinite })
    }

    @Test func titleSimilaritiesTakeTheBestWorkTitle() {
        let line = LineProfile(title: "hey jude")
        let w = Self.work(["some other song", "hey jude"])
        #expect(Self.value(.titleNgramCosine, line, w) == 1)
        #expect(Self.value(.titleTokenJaccard, line, w) == 1)
        #expect(Self.value(.titleTokenOverlap, line, w) == 1)
        #expect(Self.value(.titleEditSimilarity, line, w) == 1)
        #expect(Self.value(.titleExact, line, w) == 1)
        let other = Self.work(["let it be"])
        #expect(Self.value(.titleExact, line, other) == 0)
        #expect(Self.value(.titleTokenJaccard, line, other) == 0)
        #expect(Self.value(.titleNgramCosine, line, other) < 0.2)
    }

    @Test func titleSpecificityGrowsWithTheTitleAndGradesExactMatches() {
        let short = LineProfile(title: "if"), long = LineProfile(title: "i aint living long like this anymore")
        #expect(Self.value(.titleSpecificity, short, Self.work(["if"])) == Float(2) / 24)
        #expect(Self.value(.titleSpecificity, long, Self.work(["other"])) == 1)
        #expect(Self.value(.titleExactSpecificity, short, Self.work(["if"])) == Float(2) / 24)
        #expect(Self.value(.titleExactSpecificity, long, Self.work(["i aint living long like this anymore"])) == 1)
        // Not exact: no graded exact evidence, whatever the length.
        #expect(Self.value(.titleExactSpecificity, long, Self.work(["living long"])) == 0)
        // Spaces and punctuation do not count; a non-Latin character counts twice.
        #expect(PairFeatureExtractor.titleSpecificity("a b-c") == Float(3) / 24)
        #expect(PairFeatureExtractor.titleSpecificity("東京") == Float(4) / 24)
    }

    @Test func userUploadTitlesAreReadPartByPart() {
        let builder = ProfileBuilder()
        func variants(_ title: String) -> [String] { builder.line(UsageLine(lineId: "L", title: title)).titleVariants }
        #expect(variants("Jeff Healey - Jambalaya").contains("jambalaya"))
        #expect(variants("The Associates - Heart Of Glass (Official Video)").contains("heart of glass"))
        #expect(variants("Heart Of Glass | The Associates").contains("heart of glass"))
        #expect(variants("Townes Van Zandt - Live at the Jester Lounge - 06 - I'm So Lonesome I Could Cry").contains("im so lonesome i could cry"))
        #expect(!variants("Townes Van Zandt - Live at the Jester Lounge - 06 - I'm So Lonesome I Could Cry").contains("06"))
        #expect(variants("Marie by Ray Charles").contains("marie"))
        #expect(variants("Doris Day sings \"Secret Love\" from \"Calamity Jane\"").contains("secret love"))
        #expect(variants("Caravan -Olavi Virta-").contains("caravan"))
        #expect(variants("Fabulous Counts - Hey Jude.wmv").contains("hey jude"))
        #expect(variants("08. Funny How Time Slips Away - Leon Russell").contains("funny how time slips away"))
        #expect(variants("Billie Holiday - It's A Sin To Tell A Lie (Harmony 1936)").contains("its a sin to tell a lie"))
        #expect(variants("Lenny Breau_Autumn Leaves").contains("autumn leaves"))
        #expect(variants("Ob-La-Di, Ob-La-Da").isEmpty)
        // A bare hyphen between an artist of two words or more and a title.
        #expect(variants("Willie Nelson-Hallelujah").contains("hallelujah"))
        #expect(variants("The Benny Goodman Quartet 1959-Avalon").contains("avalon"))
        for whole in ["The Times They Are A-Changin'", "Spider-Man Theme", "The Twenty-Four Hours", "Marie-Broadway Broadcasters-Waltz",
                      "Love Me Do-", "Rock-a-Bye Baby"] {
            #expect(ProfileBuilder.unspacedHyphenHalves(whole) == nil, "\(whole)")
        }
        #expect(ProfileBuilder.unspacedHyphenHalves("Loreena McKennitt-Greensleeves") == ["Loreena McKennitt", "Greensleeves"])
        // Number words are read in the parts too, on both sides.
        #expect(variants("Johnny Devlin - Twenty Flight Rock").contains("20 flight rock"))
        let flight = builder.work(Work(id: "W0", titles: [WorkTitle(text: "20 Flight Rock", kind: .original)]))
        #expect(Self.value(.titleVariantExact, builder.line(UsageLine(lineId: "L0", title: "Johnny Devlin - Twenty Flight Rock")), flight) == 1)
        #expect(builder.work(Work(id: "W2", titles: [WorkTitle(text: "Rock Around (Twenty Four Hours)", kind: .original)])).titleVariants
            .contains("24 hours"))
        // A bracketed part or number is no title of its own: "Low Down (Part I)" and "Come On (Part I)" do not meet.
        #expect(variants("Low Down (Part I)") == ["low down"])
        let comeOn = builder.work(Work(id: "W3", titles: [WorkTitle(text: "Come On (Part I)", kind: .original)]))
        #expect(Self.value(.titleVariantExact, builder.line(UsageLine(lineId: "L3", title: "Low Down (Part I)")), comeOn) == 0)
        for designation in ["part ii", "pt 2", "vol 3", "no 5", "op 27 no 2", "parts 1 and 2", "side a", "2nd movement", "number one"] {
            #expect(ProfileBuilder.isDesignation(designation), "\(designation)")
        }
        for title in ["i cant get no", "last night", "on the bayou", "part of me", "vivo", "one love"] {
            #expect(!ProfileBuilder.isDesignation(title), "\(title)")
        }
        #expect(variants("I Had Too Much to Dream (Last Night)").contains("last night"))
        // Hundreds of parts: bounded (the first ones are read).
        let many = variants((1...500).map { "Part Number \($0)" }.joined(separator: " - "))
        #expect(many.count <= 2 * ProfileBuilder.maxSegments && many.contains("part number 1"))
        // A version descriptor after " - " is the parser's, a one-word " by " tail is part of the title.
        #expect(variants("Yesterday - Remastered 2009").isEmpty)
        #expect(variants("Stand by Me").isEmpty)
        // The part that is a work's title makes title_variant_exact fire.
        let work = builder.work(Work(id: "W1", titles: [WorkTitle(text: "Jambalaya (On the Bayou)", kind: .original)]))
        #expect(Self.value(.titleVariantExact, builder.line(UsageLine(lineId: "L1", title: "Jeff Healey - Jambalaya (On the Bayou) [HD]")), work) == 1)
    }

    /// `TextSketch.sortUnique` (insertion sort up to 64 values, the library's sort beyond) gives the sorted distinct values.
    @Test func sortUniqueGivesTheSortedDistinctValues() {
        var rng = SeededGenerator(seed: 64)
        for n in [0, 1, 2, 3, 17, 63, 64, 65, 100, 300] {
            for _ in 0..<20 {
                // Wide values, or few distinct ones (many repeats).
                let spread = Bool.random(using: &rng) ? UInt32.max : UInt32(max(1, n / 3))
                var values = (0..<n).map { _ in UInt32.random(in: 0...spread, using: &rng) }
                let expected = Array(Set(values)).sorted()
                #expect(TextSketch.sortedUnique(values) == expected)
                TextSketch.sortUnique(&values)
                #expect(values == expected)
            }
        }
    }

    /// The segment helpers agree with the Foundation and Unicode calls they stand for.
    @Test func segmentTrimAndLetterCountAgreeWithFoundation() {
        var texts = ["", " ", "- \"Song\" -", "«Chanson»", "“Secret Love”", "'quoted'", "-", "a", "ab", "abc", "é1é2é", "12 3",
                     " - Live at the Copa - ", "東京タワー", "x\u{0301}yz", "\u{00A0}pad\u{00A0}"]
        var rng = SeededGenerator(seed: 15)
        let alphabet = [" ", "-", "\"", "'", "“", "”", "‘", "’", "«", "»", "a", "B", "é", "1", "東", "\u{0301}", ".", "\u{00A0}"]
        for _ in 0..<3000 {
            texts.append((0..<Int.random(in: 0...9, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        let set = CharacterSet(charactersIn: ProfileBuilder.partTrim)
        for t in texts {
            #expect(ProfileBuilder.trimmedPart(t) == t.trimmingCharacters(in: set), "\(t)")
            #expect(ProfileBuilder.hasThreeLetters(t) == (t.unicodeScalars.filter { $0.properties.isAlphabetic }.count >= 3), "\(t)")
        }
    }

    /// `isLetterOrNumber` is the Unicode property test it stands for, with ASCII answered without the tables.
    @Test func letterOrNumberAgreesWithTheUnicodeProperties() {
        var scalars = (0..<0x80).compactMap(Unicode.Scalar.init)
        scalars += ["é", "ß", "Ω", "я", "東", "タ", "\u{0663}", "\u{00BD}", "\u{2160}", "\u{00A0}", "\u{2014}", "\u{0301}", "😀", "ª"]
        for c in scalars {
            #expect(isLetterOrNumber(c) == (c.properties.isAlphabetic || c.properties.numericType != nil), "U+\(String(c.value, radix: 16))")
        }
    }

    /// The digit screen in front of the date scan (`ProfileBuilder.mayHoldFullDate`) only skips texts without a full
    /// date, and `leadWords`' bracket screen only titles that come out 0 anyway.
    @Test func dateAndLeadWordScreensSkipOnlyTextsWithNothingToFind() {
        var texts = [
            "Gondola dorato 10", "99 Luftballons", "27-May-03", "May 27 , 2003", "2003-05-27", "20030527", "2003052", "200305271",
            "Leave a Whisper Rock 4:09 27-May-03", "September 11 , 2015", "3:31 October 27 , 2014", "1/2/2003", "Sept 9 2001",
            "Track 2003", "", "no digits at all", "12 May", "x20030527y", "2003.05.27", "Bad Blood (Karaoke Version) 3:29",
        ]
        var rng = SeededGenerator(seed: 14)
        let alphabet = ["1", "2", "0", "9", "27", "2003", "2014", "05", "200305", "27", " ", " ", "-", "/", ".", ",", ":", "may",
                        "October", "sept", "x", "é", "(", ")", "[", "]", "{", "}", "a", "The", "\u{0663}"]
        for _ in 0..<4000 {
            texts.append((0..<Int.random(in: 1...10, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        let builder = ProfileBuilder()
        var skipped = 0
        for t in texts {
            var unscreened: [ReleaseDate] = []
            for d in ReleaseDateParser.scan(t) where !unscreened.contains(d) { unscreened.append(d) }
            #expect(ProfileBuilder.textDates([t]) == unscreened, "\(t)")
            if !ProfileBuilder.mayHoldFullDate(t) {
                skipped += 1
                #expect(unscreened.isEmpty, "\(t)")
            }
            let parsed = builder.parser.parse(t)
            if !parsed.latin.contains(where: { $0 == "(" || $0 == "[" || $0 == "{" }) {
                #expect(builder.leadWords(parsed) == 0, "\(t)")
            }
        }
        #expect(skipped > 500)
        #expect(!ProfileBuilder.mayHoldFullDate("Gondola dorato 10"))
        #expect(ProfileBuilder.mayHoldFullDate("20030527") && ProfileBuilder.mayHoldFullDate("27-May-03"))
    }

    /// The byte screen in front of `segmentVariants` only skips titles the full reading finds nothing in.
    @Test func segmentVariantsScreenSkipsOnlyTitlesWithoutParts() {
        let builder = ProfileBuilder()
        var titles = [
            "Jeff Healey - Jambalaya", "Heart Of Glass | The Associates", "Marie by Ray Charles", "Marie BY Ray Charles",
            "Marie bY ray charles", "Stand by Me", "Baby Baby", "Goodbye Yellow Brick Road", "abby road", "by by by",
            "Song by.mp3 Two Words", "x by.avi the band", "01.\tby the sea now", "08. Funny How Time Slips Away - Leon Russell",
            "3) by my side tonight", "Caravan -Olavi Virta-", "Fabulous Counts - Hey Jude.wmv", "Hey Jude.wmv",
            "Lenny Breau_Autumn Leaves", "Doris Day sings \"Secret Love\" from \"Calamity Jane\"", "“Secret Love” live",
            "Song – Artist", "Song — Artist", "Song • Artist", "A // B side", "A ~ B", "A * B", "AC/DC Back in Black",
            "Yesterday - Remastered 2009", "Ob-La-Di, Ob-La-Da", "Hello (Live)", "Track 7) done", "Love in 3) parts",
            "Mr. Sandman", "St. Louis Blues", "Hey Jude.mp3by two", "Ça va by Les Enfants", "東京 - Tokyo", "Song .mp4 by A B",
            "Hey Jude.MP3 by The Beatles", "plain title without anything", "", " by ", "by the way you are",
        ]
        // Random titles over the bytes the screen and the regular expressions look at.
        var rng = SeededGenerator(seed: 6)
        let alphabet = ["a", "b", "y", "B", "Y", " ", " ", "-", ".", ")", "(", "1", "0", "\"", "_", "|", "/", "~", "*", "mp3", "avi",
                        "–", "•", "“", "”", "love", "by", " by ", "é", "\t", "«", "»", "—", "„", "//", " -- ", "\u{00A0}", "~ ", " *"]
        for _ in 0..<3000 {
            titles.append((0..<Int.random(in: 1...14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        // Printable ASCII only (the byte reading, `asciiSegmentVariants`): every extension in both cases, track numbers
        // of 1–4 digits, quotes around short and long runs, each separator, hyphens spaced on one side.
        let ascii = ["a", "b", "Y", " ", " ", "  ", "-", "--", ".", ")", "(", "[", "]", "1", "12", "123", "1234", "\"", "\"abc\"", "_",
                     "|", "/", "~", "*", " - ", " -- ", " | ", " // ", " ~ ", " * ", " by ", " BY ", "by", "love", "song",
                     ".avi", ".WMV", ".mp4", ".Mp3", ".flv", ".mov", ".mkv", ".m4a", ".webm", ".mpeg", ".MPG", ".3gp", ".mp", "x", "_1",
                     "08. ", "3) ", "(Live)", "the band", "two words", "'", "!"]
        for _ in 0..<6000 {
            titles.append((0..<Int.random(in: 1...12, using: &rng)).map { _ in ascii.randomElement(using: &rng)! }.joined())
        }
        var skipped = 0
        for title in titles {
            let parsed = builder.parser.parse(title)
            let full = builder.segmentVariants(parsed, screen: false)
            #expect(builder.segmentVariants(parsed) == full, "\(title)")
            if !ProfileBuilder.mayHaveUploadJunk(parsed.latin) && !ProfileBuilder.mayHaveSegments(parsed.latin) { skipped += 1 }
        }
        // The screen does skip: plain titles are common among the random ones.
        #expect(skipped > 50)
        #expect(ProfileBuilder.mayHaveSegments("stand by me"))  // screened in; the full reading keeps it whole
        #expect(ProfileBuilder.mayHaveSegments("marie by ray charles"))
        #expect(!ProfileBuilder.mayHaveSegments("goodbye baby"))
        #expect(ProfileBuilder.mayHaveUploadJunk("hey jude.wmv") && ProfileBuilder.mayHaveUploadJunk("3) x"))
        #expect(!ProfileBuilder.mayHaveUploadJunk("hello (live)"))
    }

    /// Each byte reading of `ASCIISegments` gives what its regular expression or Foundation call gives, on random
    /// printable-ASCII texts (the segment readings downstream trim and split, which would hide some differences).
    @Test func asciiSegmentsMatchTheRegularExpressionsAndFoundation() {
        var rng = SeededGenerator(seed: 71)
        let ascii = ["a", "B", " ", "  ", "-", "--", ".", ")", "1", "12", "123", "1234", "\"", "_", "|", "/", "~", "*", " - ", " -- ",
                     " | ", " // ", " ~ ", " * ", " by ", " bY ", "by", ".avi", ".WMV", ".mp4", ".Mp3", ".webm", ".mpeg", ".MPG", ".3gp",
                     ".mp", "x", "08. ", "3) ", "'", "abc"]
        func regex(_ re: NSRegularExpression, _ t: String) -> String {
            re.stringByReplacingMatches(in: t, range: NSRange(t.startIndex..., in: t), withTemplate: " ")
        }
        for _ in 0..<5000 {
            let t = (0..<Int.random(in: 0...10, using: &rng)).map { _ in ascii.randomElement(using: &rng)! }.joined()
            let b = Array(t.utf8)
            func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
            #expect(text(ASCIISegments.replacingUploadJunk(b)) == regex(ProfileBuilder.uploadJunk, t), "\(t.debugDescription)")
            let hyphens = ProfileBuilder.halfSpacedHyphen.stringByReplacingMatches(in: t, range: NSRange(t.startIndex..., in: t), withTemplate: " - ")
            #expect(text(ASCIISegments.replacingHalfSpacedHyphens(b)) == hyphens, "\(t.debugDescription)")
            let quoted = ProfileBuilder.quoted.matches(in: t, range: NSRange(t.startIndex..., in: t)).map { String(t[Range($0.range(at: 1), in: t)!]) }
            #expect(ASCIISegments.quoted(b).map { text(Array(b[$0])) } == quoted, "\(t.debugDescription)")
            for (k, s) in ASCIISegments.separators.enumerated() {
                #expect(text(ASCIISegments.replacing(s, in: b)) == t.replacingOccurrences(of: text(s), with: " - "), "\(k) \(t.debugDescription)")
            }
            #expect(ASCIISegments.components(b) == t.components(separatedBy: " - "), "\(t.debugDescription)")
            let by = t.range(of: " by ", options: [.caseInsensitive, .backwards]).map { t.utf8.distance(from: t.startIndex, to: $0.lowerBound) }
            #expect(ASCIISegments.lastBy(b)?.lowerBound == by, "\(t.debugDescription)")
        }
        #expect(ASCIISegments.separators.count == 6)
    }

    /// `WordScreen` never turns away a title that has one of its words, and does turn away most others.
    @Test func wordScreenLetsThroughEveryTitleWithOneOfItsWords() {
        let words = ["one", "twenty", "hundred", "wanna", "u", "colours"]
        let screen = WordScreen(words)
        var rng = SeededGenerator(seed: 62)
        let alphabet = words + ["on", "ones", "love", "you", "x", "é", "東京", "", "twentyone", "wanna-be"]
        var rejected = 0
        for _ in 0..<3000 {
            let title = (0..<Int.random(in: 1...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined(separator: " ")
            let has = title.split(separator: " ").contains { words.contains(String($0)) }
            if has { #expect(screen.mayContainWord(of: title), "\(title)") }
            if !screen.mayContainWord(of: title) { rejected += 1 }
        }
        #expect(rejected > 100)
        #expect(!screen.mayContainWord(of: "") && !screen.mayContainWord(of: "love me do") && screen.mayContainWord(of: "love u"))
        #expect(NumberWords.digits("love me do") == nil && NumberWords.digits("twenty four hours") == "24 hours")
        #expect(SpellingVariants.canonical("i dont wanna cry") == "i dont want to cry" && SpellingVariants.canonical("cry") == nil)
    }

    /// `ProfileBuilder.containsText` answers as Foundation's `contains` on printable ASCII (its byte search) and
    /// on everything else (where it is Foundation's).
    @Test func containsTextAnswersAsFoundation() {
        var rng = SeededGenerator(seed: 67)
        let alphabet = ["a", "b", "ab", " ", "ba", "é", "e\u{301}", "\t", "\r\n", "\n", "A", "(", "東", "", "aab"]
        var agreed = 0
        for _ in 0..<4000 {
            let text = (0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            let part = (0..<Int.random(in: 0...3, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            #expect(ProfileBuilder.containsText(text, part) == text.contains(part), "\(text.debugDescription) ⊇ \(part.debugDescription)")
            if text.contains(part) { agreed += 1 }
        }
        #expect(agreed > 300)
        #expect(ProfileBuilder.containsText("love me do", "me do") && !ProfileBuilder.containsText("love me do", "me dont"))
    }

    /// `TitleJunk.mayHaveJunk` only lets `strip` skip texts its regular expressions leave unchanged.
    @Test func titleJunkScreenSkipsOnlyTextsWithoutJunk() {
        var texts = [
            "Hello 3:56", "Hello 3:56  ", "Hello 3:56\t", "Hello 3:56x", "4:44", "Song 12-May-15", "Song May 12 , 2015",
            "Song 2015-05-12", "Song $ 1.29", "Song £1,29", "Song (C) 2014 XO & co., Inc.", "Song © 2014 Label",
            "Song ℗ 2012 Label", "Song 2014 , 2015 Epic Records , a division of Sony", "Song 1999", "Song 1999 Remix",
            "Song 2000 Light Years", "Song 20 Years", "Song 190 Proof", "Song 7", "Song 7 Seas", "Route 66 (Live)",
            "Song ３:５６", "Song 3:56\u{00A0}", "Song 3:56\u{2028}", "Song 12", "99 Problems", "Song 2001 Records Inc",
            "Title 19 20 21", "Song 1920s", "Song x19y20z", "Song 3:5", "Song 13:56:07", "Song\u{1C}3:56\u{1C}",
            // Non-Latin titles are read too (they used to go to the regular expressions whenever they had a digit).
            "Φεγγάρι της καρδιά 10", "Тёмный сердце 3:56", "東京 2014 レコード", "東京 ℗ 2014", "Canción 12-May-15", "Été € 1,29",
            "Song May 122015", "Song May 12 ,2015", "Song ١٩:٥٦", "Song 19٩٩ Records", "Song \u{2003}3:56\u{2003}", "Song 3:56\u{0085}",
            "Song 2014", "Song 2014 ", "Song 2014 Records", "Song (P) 2014", "Amour seul froid 2023", "Tangerine 91",
        ]
        var rng = SeededGenerator(seed: 61)
        let alphabet = ["1", "9", "2", "0", "5", ":", "-", " ", " ", "$", ",", ".", "may", "records", "(c)", "©", "a", "b", "\t", "\u{00A0}", "٣",
                        "£", "€", "℗", "東", "é", "\u{2003}", "١", "(", "p", ")", "jan ", " inc", "\u{0085}", "\n", "19", "20", "K",
                        // label words and their stems, marks with spaces inside, letters whose case folding is ASCII
                        " Ltd", " LLC", " corp", " Corporation", " licensed", " Licenced", " GmbH", " company", " Entertainment",
                        " recording", "Record", "( C )", "( p)", "(P", "C", "c)", "\u{212A}", "\u{017F}", "\u{1E96}", "ẗ", "İnc", " ınc",
                        // separators around numbers
                        "12", "3:", ":5", "-May-", "-2", " - ", "56", "١٢", ":٣"]
        for _ in 0..<10000 {
            texts.append("Song " + (0..<Int.random(in: 1...10, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        var skipped = 0
        for t in texts {
            #expect(TitleJunk.strip(t) == TitleJunk.strip(t, screen: false), "\(t)")
            if !TitleJunk.mayHaveJunk(t) { skipped += 1 }
        }
        #expect(skipped > 50)
        #expect(!TitleJunk.mayHaveJunk("Route 66 (Live)") && !TitleJunk.mayHaveJunk("Song 1999 Remix") && TitleJunk.mayHaveJunk("Hello 3:56 "))
        // A plain number at the end, in any script, is no junk pattern's end.
        #expect(!TitleJunk.mayHaveJunk("Tangerine 91") && !TitleJunk.mayHaveJunk("Φεγγάρι της καρδιά 10") && !TitleJunk.mayHaveJunk("Song 2023"))
        #expect(TitleJunk.mayHaveJunk("Тёмный сердце 3:56") && TitleJunk.mayHaveJunk("Song May 12 , 2015") && TitleJunk.mayHaveJunk("Song 2014 Records"))
        // A year followed by words is a notice only with a mark or a label word.
        #expect(!TitleJunk.mayHaveJunk("Golden Umbrella (2007 Remaster)") && !TitleJunk.mayHaveJunk("Jolene 2024 - Album Version"))
        #expect(TitleJunk.mayHaveJunk("Song ( c ) 2007 Remaster") && TitleJunk.mayHaveJunk("Song 2007 XO Ltd.") && TitleJunk.mayHaveJunk("Song 2007 Étoile"))
        #expect(TitleJunk.hasLabelStem("a GMBH b") && TitleJunk.hasLabelStem("Recordings") && !TitleJunk.hasLabelStem("Remaster ľtd"))
        // A ':' or '-' is no junk without a second number.
        #expect(!TitleJunk.mayHaveJunk("Artist - Song 1965") && !TitleJunk.mayHaveJunk("Live: Track 7") && TitleJunk.mayHaveJunk("Song 03-12"))
    }

    /// The byte reading of `versionWords` (ASCII folded text) gives what the word lists give, word order included.
    @Test func asciiVersionWordsMatchTheWordLists() {
        var rng = SeededGenerator(seed: 79)
        let words = ["live", "remix", "album", "version", "1999", "2101", "1899", "2100", "0199", "+199", "a", "the", "x", "love",
                     "remasterizado", "feat", "bob", "dylan", "mix", "edit", "12345", "ab", "", " "]
        func text(_ n: ClosedRange<Int>) -> String {
            (0..<Int.random(in: n, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ")
        }
        var nonEmpty = 0
        for _ in 0..<5000 {
            let folded = text(0...8), core = text(0...3)
            let featured = (0..<Int.random(in: 0...2, using: &rng)).map { _ in text(1...2) }
            let general = ProfileBuilder.versionWords(folded: folded, core: core, featured: featured)
            #expect(ProfileBuilder.asciiVersionWords(folded: folded, core: core, featured: featured) == general,
                    "\(folded.debugDescription) / \(core.debugDescription) / \(featured)")
            if !general.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 1000)
        #expect(ProfileBuilder.asciiVersionWords(folded: "café live", core: "café", featured: []) == nil)
    }

    /// `versionWords` with its quick exit and word lists gives what the hashed-set version gave.
    @Test func versionWordsMatchTheSetVersion() {
        let builder = ProfileBuilder()
        func reference(_ full: String, core: String, featured: [String]) -> [String] {
            var skip = Set(core.split(separator: " ").map(String.init))
            for f in featured { for w in f.split(separator: " ") { skip.insert(String(w)) } }
            var out: [String] = []
            for w in builder.normalizer.fold(full).split(separator: " ") {
                let word = String(w)
                if skip.contains(word) || ProfileBuilder.benignQualifierWords.contains(word) || out.contains(word) { continue }
                if word.count == 4, let y = Int(word), y >= 1900 && y <= 2100 { continue }
                out.append(word)
            }
            return out
        }
        let titles = [
            "Hello", "Hello (Live)", "Hello - Robin Schulz Remix", "Hello (feat. Adele) [Live at Wembley 2016]", "Hello Hello (Remix) (Remix)",
            "Don't Stop Me Now (Remastered 2011)", "Yesterday - Remastered 2009", "Café del Mar (Energy 52 Mix)", "東京 (Live)",
            "Song (Explicit Version)", "Song feat. A & B (Club Mix)", "Song [Acoustic] (Live 1999)", "", "(Live)", "Song (2099 Mix)",
        ]
        for t in titles {
            let p = builder.parser.parse(t)
            #expect(builder.versionWords(p.latin, core: p.core, featured: p.featured) == reference(p.latin, core: p.core, featured: p.featured), "\(t)")
            #expect(builder.versionWords(p.latin + " live remix", core: p.core, featured: p.featured)
                    == reference(p.latin + " live remix", core: p.core, featured: p.featured), "\(t)")
        }
    }

    @Test func titleVariantExactFiresOnAnotherReadingOnly() {
        let builder = ProfileBuilder()
        let work = builder.work(Work(id: "W1", titles: [WorkTitle(text: "Beautiful Boy (Darling Boy)", kind: .original)]))
        // The line reads the title without its bracket part: a variant of the work's title.
        let short = builder.line(UsageLine(lineId: "L1", title: "Beautiful Boy"))
        #expect(Self.value(.titleExact, short, work) == 0)
        #expect(Self.value(.titleVariantExact, short, work) == 1)
        // The line carries the bracket; the work does not.
        let plain = builder.work(Work(id: "W2", titles: [WorkTitle(text: "Here I Am", kind: .original)]))
        let long = builder.line(UsageLine(lineId: "L2", title: "Here I Am (Come and Take Me)"))
        #expect(Self.value(.titleVariantExact, long, plain) == 1)
        // A part of a medley (or of an upload's "Artist / Title") is a reading of the line, as of a work.
        let jude = builder.work(Work(id: "W4", titles: [WorkTitle(text: "Hey Jude", kind: .original)]))
        #expect(Self.value(.titleVariantExact, builder.line(UsageLine(lineId: "L6", title: "Jessi Colter / Hey Jude")), jude) == 1)
        // A part of an upload's title meets the work's title without its bracket part.
        let nocturne = builder.work(Work(id: "W3", titles: [WorkTitle(text: "Harlem Nocturne (Nocturne for Saxophone)", kind: .original)]))
        #expect(Self.value(.titleVariantExact, builder.line(UsageLine(lineId: "L5", title: "Georgie Auld - Harlem Nocturne")), nocturne) == 1)
        // Exact titles and unrelated titles: no variant match.
        #expect(Self.value(.titleVariantExact, builder.line(UsageLine(lineId: "L3", title: "Here I Am")), plain) == 0)
        #expect(Self.value(.titleVariantExact, builder.line(UsageLine(lineId: "L4", title: "Darling")), work) == 0)
    }

    @Test func leadingArticles() {
        #expect(LeadingArticle.isArticled("the dark end of the street", "dark end of the street"))
        #expect(LeadingArticle.isArticled("die ballade vom angenehmen leben", "ballade vom angenehmen leben") == false)
        #expect(LeadingArticle.isArticled("das boot ist voll", "boot ist voll"))
        #expect(LeadingArticle.isArticled("a love supreme", "love supreme"))
        #expect(LeadingArticle.isArticled("les feuilles mortes", "feuilles mortes"))
        // One word left, not an article, a repeated word, a different rest.
        #expect(!LeadingArticle.isArticled("the letter", "letter"))
        #expect(!LeadingArticle.isArticled("i need you now", "need you now"))
        #expect(!LeadingArticle.isArticled("die another day", "another day"))
        #expect(!LeadingArticle.isArticled("la la land", "la land"))
        #expect(!LeadingArticle.isArticled("the dark end of the street", "dark end of a street"))
        #expect(!LeadingArticle.isArticled("thee dark end", "dark end"))
        #expect(!LeadingArticle.isArticled("dark end", "dark end"))
    }

    @Test func titlesDifferingByALeadingArticleAreVariantExact() {
        let builder = ProfileBuilder()
        let work = builder.work(Work(id: "W1", titles: [WorkTitle(text: "The Dark End of the Street", kind: .original)]))
        func value(_ title: String, _ w: WorkProfile) -> Float {
            Self.value(.titleVariantExact, builder.line(UsageLine(lineId: "L", title: title)), w)
        }
        // Either side may carry the article; a part of an upload's title may too.
        #expect(value("Dark End of the Street", work) == 1)
        #expect(value("J Blackfoot - Dark End of The Street", work) == 1)
        let bare = builder.work(Work(id: "W2", titles: [WorkTitle(text: "Letter Edged in Black", kind: .original)]))
        #expect(value("The Letter Edged in Black", bare) == 1)
        #expect(value("Willie Nelson - The Letter Edged in Black", bare) == 1)
        // A pronoun is not an article; one word left is too little.
        let need = builder.work(Work(id: "W3", titles: [WorkTitle(text: "I Need You Now", kind: .original)]))
        #expect(value("Need You Now", need) == 0)
        let letter = builder.work(Work(id: "W4", titles: [WorkTitle(text: "The Letter", kind: .original)]))
        #expect(value("Letter", letter) == 0)
        // The context score ranks such a pair like the other variant readings.
        let line = builder.line(UsageLine(lineId: "L", title: "Dark End of the Street"))
        #expect(PairFeatureExtractor.titleSimilarity(line: line, work: work) == PairFeatureExtractor.variantExactScore)
    }

    /// `title_variant_exact` of a line titled `title` against a work titled `workTitle`.
    static func variantExact(_ title: String, _ workTitle: String) -> Float {
        let builder = ProfileBuilder()
        let work = builder.work(Work(id: "W", titles: [WorkTitle(text: workTitle, kind: .original)]))
        return value(.titleVariantExact, builder.line(UsageLine(lineId: "L", title: title)), work)
    }

    @Test func titlesDifferingBySpacesOnlyAreVariantExact() {
        let value = Self.variantExact
        #expect(value("Sugarman", "Sugar Man") == 1)
        #expect(value("Blue Bird Blues", "Bluebird Blues") == 1)
        #expect(value("Rodriguez - Sugarman", "Sugar Man") == 1)
        #expect(value("Hyperballad", "Hyper-Ballad") == 1)
        // Exact is title_exact, not a variant; other letters, or too short to tell, are not.
        #expect(value("Sugar Man", "Sugar Man") == 0)
        #expect(value("Sugarmen", "Sugar Man") == 0)
        #expect(value("A Way", "Away") == 0)
    }

    @Test func spellingVariantsMeet() {
        #expect(SpellingVariants.canonical("i dont wanna cry") == "i dont want to cry")
        #expect(SpellingVariants.canonical("lonesome traveller") == "lonesome traveler")
        #expect(SpellingVariants.canonical("since u been gone") == "since you been gone")
        #expect(SpellingVariants.canonical("i dont want to cry") == nil)
        let value = Self.variantExact
        // Either side may carry the other spelling; an upload's part too.
        #expect(value("I Don't Wanna Cry", "I Don't Want to Cry") == 1)
        #expect(value("I Don't Want to Grow Up", "I Don't Wanna Grow Up") == 1)
        #expect(value("'Til I Can't Take It Anymore", "Till I Can't Take It Anymore") == 1)
        #expect(value("Kalan Porter - True Colours", "True Colors") == 1)
        #expect(value("Gimme Some Truth", "Give Me Some Truth") == 1)
        // A dropped g without its apostrophe; a word whose g-less form is a word of its own keeps it.
        #expect(SpellingVariants.canonical("feelin alright") == "feeling alright")
        #expect(SpellingVariants.canonical("goin home") == "going home")
        #expect(SpellingVariants.canonical("a raisin in the sun") == nil)
        #expect(SpellingVariants.canonical("begin the beguine") == nil)
        #expect(value("Feelin alright - Paul Weller", "Feelin' Alright") == 1)
        #expect(value("Tumblin Dice", "Tumbling Dice") == 1)
        #expect(value("Rockin Robin", "Rocking Robin") == 1)
        // Shortened words and abbreviated titles of address.
        #expect(value("Ol' Man River", "Old Man River") == 1)
        #expect(value("Li'l Darlin'", "Little Darling") == 1)
        #expect(value("Mr. Sandman", "Mister Sandman") == 1)
        #expect(value("Saint James Infirmary", "St. James Infirmary") == 1)
        #expect(value("O Holy Night", "Oh Holy Night") == 1)
        #expect(value("Y'All Come", "You All Come") == 1)
        #expect(value("Waiting 'Round to Die", "Waiting Around to Die") == 1)
        // Other words stay other titles.
        #expect(value("I Don't Wanna Cry", "I Don't Want to Die") == 0)
        #expect(value("Tumblin Dice", "Tumbling Down") == 0)
    }

    @Test func articlesAndContractionsSungOtherwiseAreVariantExact() {
        let value = Self.variantExact
        #expect(value("Three Coins in a Fountain", "Three Coins in the Fountain") == 1)
        #expect(value("Working in the Coal Mine", "Working in a Coal Mine") == 1)
        #expect(value("You've Got What It Takes", "You Got What It Takes") == 1)
        #expect(value("I Got a Woman", "I've Got a Woman") == 1)
        #expect(value("Carl Perkins - I've Got a Woman", "I Got a Woman") == 1)
        // Other words, too few words left, or "'ve" not before "got": other titles.
        #expect(value("Three Coins in a Fountain", "Three Coins in the Fountains") == 0)
        #expect(value("A Man", "The Man") == 0)
        #expect(value("I've Been Loving You", "I Been Loving You") == 0)
    }

    @Test func titlesSungByTheOtherGenderAreVariantExact() {
        let value = Self.variantExact
        #expect(value("I Saw Him Standing There", "I Saw Her Standing There") == 1)
        #expect(value("This Girl's in Love with You", "This Guy's in Love with You") == 1)
        #expect(value("Go Away Little Boy", "Go Away, Little Girl") == 1)
        #expect(value("Who Is She (And What Is She to You)", "Who Is He (And What Is He to You)") == 1)
        // Fewer than four words, another word changed too, or no counterpart: other titles.
        #expect(value("She Loves You", "He Loves You") == 0)
        #expect(value("I Saw Him Standing Here", "I Saw Her Standing There") == 0)
        #expect(value("I Saw You Standing There", "I Saw Her Standing There") == 0)
    }

    @Test func numberedTitlesAreVariantExact() {
        let value = Self.variantExact
        #expect(value("Mambo #5", "Mambo No. 5") == 1)
        #expect(value("Mambo Number 5", "Mambo No. 5") == 1)
        #expect(value("Symphonie Nr. 9", "Symphonie 9") == 1)
        #expect(value("Number 9 Dream", "#9 Dream") == 1)
        // A reading of the work (its title without the bracket part) meets the line's title or one of its readings.
        #expect(value("Blue Yodel #9", "Blue Yodel No. 9 (Standin' on the Corner)") == 1)
        #expect(value("Merle Haggard - Blue Yodel #9", "Blue Yodel No. 9 (Standin' on the Corner)") == 1)
        #expect(value("Dark End of the Street", "The Dark End of the Street (Song for Lovers)") == 1)
        #expect(value("Blue Yodel #8", "Blue Yodel No. 9 (Standin' on the Corner)") == 0)
        // Another number, a "no" not before a number, or nothing dropped: not the same reading.
        #expect(value("Mambo #6", "Mambo No. 5") == 0)
        #expect(value("No Woman No Cry", "Woman No Cry") == 0)
        #expect(value("Mambo No. 5", "Mambo No. 5") == 0)
        let a = Array("mambo no 5".utf8), b = Array("mambo 5".utf8), c = Array("mambo 5 no".utf8)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                #expect(PairFeatureExtractor.numberedEqual(pa, pb))
                #expect(PairFeatureExtractor.numberedEqual(pb, pa))
            }
            c.withUnsafeBufferPointer { pc in #expect(!PairFeatureExtractor.numberedEqual(pa, pc)) }
        }
    }

    @Test func titleNgramCosineToleratesTypos() {
        let c = Self.value(.titleNgramCosine, LineProfile(title: "bohemian rhapsdy"), Self.work(["bohemian rhapsody"]))
        #expect(c > 0.6 && c < 1)
    }

    @Test func titleTokenJaccardAndOverlap() {
        let line = LineProfile(title: "love me tender")
        let w = Self.work(["love me"])
        #expect(abs(Self.value(.titleTokenJaccard, line, w) - 2.0 / 3.0) < 1e-6)
        #expect(Self.value(.titleTokenOverlap, line, w) == 1)
    }

    @Test func titleEditSimilarity() {
        let s = Self.value(.titleEditSimilarity, LineProfile(title: "abcd"), Self.work(["abxd"]))
        #expect(abs(s - 0.75) < 1e-6)
    }

    /// The feature is the best edit similarity over the work's titles; titles whose length difference alone rules
    /// them out are skipped (`compute`), which must never change the value: compared with the plain maximum on
    /// random titles of mixed lengths, several a work.
    @Test func titleEditSimilaritySkipsOnlyTitlesThatCannotWin() {
        var rng = SeededGenerator(seed: 7)
        let words = ["love", "me", "tender", "blue", "moon", "of", "kentucky", "a", "night", "in", "tunisia", "x"]
        func title() -> String { (0..<Int.random(in: 1...6, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ") }
        var scratch = Similarity.EditScratch()
        for _ in 0..<300 {
            let line = LineProfile(title: title())
            let titles = (0..<Int.random(in: 1...6, using: &rng)).map { _ in title() }
            let expected = titles.contains(line.title) ? 1 : titles.map { Similarity.editSimilarity(line.title, $0, scratch: &scratch) }.max()!
            #expect(Self.value(.titleEditSimilarity, line, Self.work(titles)) == expected, "\(line.title) vs \(titles)")
        }
    }

    @Test func titlePrefix() {
        let line = LineProfile(title: "from time drake nothing was the same")
        let w = Self.work(["from time drake 1 29 2013"])
        #expect(Self.value(.titlePrefixWords, line, w) == 0.75)
        #expect(Self.value(.titlePrefixRatio, line, w) == Float(3) / Float(6))
        #expect(Self.value(.titlePrefixWords, LineProfile(title: "time from"), w) == 0)
    }

    @Test func medleyPartMatchesATitle() {
        let line = LineProfile(title: "yesterday let it be", tags: ["medley"], medleyParts: ["yesterday", "let it be"])
        #expect(Self.value(.medleyPartMatch, line, Self.work(["let it be"])) == 1)
        #expect(Self.value(.medleyPartMatch, LineProfile(title: "let it be"), Self.work(["let it be"])) == 0)
    }

    @Test func versionWords() {
        var line = LineProfile(title: "applause", tags: ["remix"], versionWords: ["goldhouse", "remix"])
        var w = Self.work(["applause"], tags: ["remix"])
        w.versionWords = ["empire", "sun", "remix"]
        #expect(abs(Self.value(.versionWordsJaccard, line, w) - 0.25) < 1e-6)
        #expect(Self.value(.versionWordsNone, line, w) == 0)
        line.versionWords = []
        w.versionWords = []
        #expect(Self.value(.versionWordsNone, line, w) == 1)
        #expect(Self.value(.versionWordsJaccard, line, w) == 0)
    }

    @Test func sameVersionWordsAndFullTitle() {
        let remix = LineProfile(title: "applause", tags: ["remix"], versionWords: ["goldhouse", "remix"])
        var w = Self.work(["applause"], tags: ["remix"])
        w.versionWords = ["remix", "goldhouse"]
        #expect(Self.value(.versionWordsSame, remix, w) == 1)
        #expect(Self.value(.titleFullExact, remix, w) == 1)
        w.versionWords = ["empire", "sun", "remix"]
        #expect(Self.value(.versionWordsSame, remix, w) == 0)
        #expect(Self.value(.titleFullExact, remix, w) == 0)
        let plain = LineProfile(title: "applause")
        #expect(Self.value(.titleFullExact, plain, Self.work(["applause"])) == 1)
        #expect(Self.value(.titleFullExact, plain, Self.work(["applause live"])) == 0)
    }

    @Test(arguments: [
        ("karaoke", Feature.karaokeConflict), ("instrumental", .instrumentalConflict), ("live", .liveConflict),
        ("remix", .remixConflict), ("acoustic", .otherVersionConflict), ("demo", .otherVersionConflict),
    ])
    func versionTagConflicts(tag: String, feature: Feature) {
        let tagged = LineProfile(title: "song", tags: [tag])
        let plain = LineProfile(title: "song")
        #expect(Self.value(feature, tagged, Self.work(["song"])) == 1)
        #expect(Self.value(feature, plain, Self.work(["song"], tags: [tag])) == 1)
        #expect(Self.value(feature, tagged, Self.work(["song"], tags: [tag])) == 0)
        #expect(Self.value(feature, plain, Self.work(["song"])) == 0)
        #expect(Self.value(.versionTagsAgree, tagged, Self.work(["song"], tags: [tag])) == 1)
        #expect(Self.value(.versionTagsAgree, plain, Self.work(["song"])) == 0)
    }

    @Test func benignTagsDoNotConflict() {
        let row = Self.features(LineProfile(title: "song", tags: ["remaster", "explicit", "edit"]), Self.work(["song"]))
        for f in [Feature.karaokeConflict, .instrumentalConflict, .liveConflict, .remixConflict, .otherVersionConflict] {
            #expect(row[f.rawValue] == 0)
        }
    }

    @Test func remixerConflict() {
        let line = LineProfile(title: "stars come out", tags: ["remix"], remixers: ["tim mason"])
        var w = Self.work(["stars come out"], tags: ["remix"])
        w.remixers = ["dillon francis"]
        #expect(Self.value(.remixerConflict, line, w) == 1)
        w.remixers = ["tim mason"]
        #expect(Self.value(.remixerConflict, line, w) == 0)
    }

    @Test func artistPerformerSimilarity() {
        let line = LineProfile(title: "x", artists: ["the beatles"])
        #expect(Self.value(.artistPerformerSimilarity, line, Self.work(["x"], performers: ["beatles", "the beatles"])) == 1)
        #expect(Self.value(.artistPerformerSimilarity, line, Self.work(["x"], performers: ["abba"])) < 0.2)
        #expect(Self.value(.artistPerformerTokenOverlap, LineProfile(title: "x", artists: ["skrillex and diplo"]),
                           Self.work(["x"], performers: ["skrillex"])) == 1)
        // Words that join or decorate names name nobody.
        #expect(Self.value(.artistPerformerTokenOverlap, LineProfile(title: "x", artists: ["the bluetones"]),
                           Self.work(["x"], performers: ["the beach boys"])) == 0)
        #expect(Self.value(.artistPerformerTokenOverlap, LineProfile(title: "x", artists: ["hal kemp and his orchestra"]),
                           Self.work(["x"], performers: ["ray noble and his orchestra"])) == 0)
        #expect(Self.value(.artistPerformerTokenOverlap, LineProfile(title: "x", artists: ["the supremes"]),
                           Self.work(["x"], performers: ["diana ross and the supremes"])) == 1)
        // The reason code reads the same overlap.
        #expect(MatchPipeline.tokenOverlap("los lobos", "los del rio") == 0)
        #expect(MatchPipeline.tokenOverlap("los lobos", "lobos") == 1)
    }

    @Test func artistWriterSimilarityForPerformingWriters() {
        let line = LineProfile(title: "x", artists: ["paul mccartney"])
        #expect(Self.value(.artistWriterSimilarity, line, Self.work(["x"], writers: ["john lennon", "paul mccartney"])) == 1)
        #expect(Self.value(.artistWriterSimilarity, line, Self.work(["x"], writers: ["burt bacharach"])) < 0.3)
    }

    @Test func featuredOverlap() {
        let line = LineProfile(title: "x", artists: ["wiz khalifa", "nicki minaj"], featured: ["nicki minaj"])
        var w = Self.work(["x"], performers: ["wiz khalifa"])
        w.featured = ["nicki minaj"]
        #expect(Self.value(.featuredOverlap, line, w) == 1)
        w.featured = ["chris brown"]
        #expect(Self.value(.featuredOverlap, line, w) == 0)
        #expect(Self.value(.featuredOverlap, LineProfile(title: "x"), Self.work(["x"])) == 0)
    }

    @Test func originalArtistOfAKaraokeVersion() {
        let line = LineProfile(title: "x", tags: ["karaoke"], artists: ["karaoke hits band"], originalArtists: ["adele"])
        #expect(Self.value(.originalArtistSimilarity, line, Self.work(["x"], performers: ["adele"])) == 1)
    }

    @Test func writerSimilarityAndIPI() {
        let line = LineProfile(title: "x", writers: ["john lennon", "paul mccartney"], writerIPIs: ["00014107338"])
        var w = Self.work(["x"], writers: ["paul mccartney"])
        #expect(abs(Self.value(.writerSimilarity, line, w) - 0.5) < 0.2)
        #expect(Self.value(.writerIPIMatch, line, w) == 0)
        w.writerIPIs = ["00014107338"]
        #expect(Self.value(.writerIPIMatch, line, w) == 1)
        #expect(Self.value(.lineWritersMissing, line, w) == 0)
        #expect(Self.value(.lineWritersMissing, LineProfile(title: "x"), w) == 1)
        #expect(Self.value(.workWritersMissing, line, Self.work(["x"])) == 1)
    }

    @Test func durationAgreement() {
        let line = LineProfile(title: "x", duration: 200)
        #expect(Self.value(.durationClose, line, Self.work(["x"], duration: 202)) == 1)
        #expect(Self.value(.durationFar, line, Self.work(["x"], duration: 202)) == 0)
        #expect(Self.value(.durationClose, line, Self.work(["x"], duration: 240)) == 0)
        #expect(Self.value(.durationFar, line, Self.work(["x"], duration: 240)) == 1)
        #expect(Self.value(.durationLogDifference, line, Self.work(["x"], duration: 200)) == 0)
        #expect(Self.value(.durationLogDifference, line, Self.work(["x"], duration: 240)) > 0.5)
        #expect(Self.value(.durationMissing, line, Self.work(["x"])) == 1)
        #expect(Self.value(.durationClose, line, Self.work(["x"])) == 0)
    }

    @Test func durationFromText() {
        let line = LineProfile(title: "x", textDurations: [202])
        let row = Self.features(line, Self.work(["x"], duration: 200))
        #expect(row[Feature.durationClose.rawValue] == 1)
        #expect(row[Feature.durationFromText.rawValue] == 1)
        #expect(row[Feature.durationMissing.rawValue] == 0)
        // Two candidate durations in the text: ambiguous, not used.
        #expect(Self.value(.durationMissing, LineProfile(title: "x", textDurations: [202, 300]), Self.work(["x"], duration: 200)) == 1)
    }

    @Test func albumSimilarityAndContainment() {
        let line = LineProfile(title: "x", album: "abbey road")
        var w = Self.work(["x"])
        #expect(Self.value(.albumMissing, line, w) == 1)
        w.albums = ["abbey road"]
        #expect(Self.value(.albumSimilarity, line, w) == 1)
        #expect(Self.value(.albumMissing, line, w) == 0)
        #expect(Self.value(.albumInOtherRecord, line, w) == 1)
        #expect(Self.value(.albumInOtherRecord, LineProfile(title: "x abbey road"), w) == 1)
    }

    @Test func iswcEvidence() {
        var w = Self.work(["x"])
        w.iswc = "T0345246801"
        #expect(Self.value(.iswcEqual, LineProfile(title: "x", iswc: "T0345246801"), w) == 1)
        #expect(Self.value(.iswcConflict, LineProfile(title: "x", iswc: "T0345246801"), w) == 0)
        #expect(Self.value(.iswcConflict, LineProfile(title: "x", iswc: "T9999999999"), w) == 1)
        #expect(Self.value(.iswcMissing, LineProfile(title: "x"), w) == 1)
    }

    @Test func isrcLinks() {
        var w = Self.work(["x"])
        w.isrcs = ["GBAYE0601498"]
        let line = LineProfile(title: "x", isrc: "GBAYE0601498")
        #expect(Self.value(.isrcLinkedHere, line, w) == 1)
        #expect(Self.value(.isrcLinkedHere, line, Self.work(["x"]), CandidateContext(isrcLinkedHere: true)) == 1)
        #expect(Self.value(.isrcLinkedElsewhere, line, Self.work(["x"]), CandidateContext(isrcLinkedElsewhere: true)) == 1)
        #expect(Self.value(.isrcLinkedElsewhere, line, w, CandidateContext(isrcLinkedElsewhere: true)) == 0)
    }

    @Test func wholeRecordFeaturesFindValuesInTheWrongField() {
        // The artist landed in the title field on the line side.
        let line = LineProfile(title: "tackle box luke bryan", duration: 242)
        let w = Self.work(["tackle box"], performers: ["luke bryan"])
        #expect(Self.value(.workTitleInLineRecord, line, w) == 1)
        #expect(Self.value(.performerInLineRecord, line, w) == 1)
        #expect(Self.value(.lineTitleInWorkRecord, line, w) == 1)
        #expect(Self.value(.recordTokenJaccard, line, w) == 1)
        #expect(Self.value(.lineArtistMissing, line, w) == 1)
        let withArtist = LineProfile(title: "tackle box", artists: ["luke bryan"])
        #expect(Self.value(.artistInWorkRecord, withArtist, w) == 1)
        #expect(Self.value(.lineArtistMissing, withArtist, w) == 0)
        #expect(Self.value(.workPerformersMissing, withArtist, Self.work(["tackle box"])) == 1)
    }

    @Test func candidateContext() {
        let c = CandidateContext(retrievalScore: 0.8, rank: 4, gapToNext: 0.1, worksSharingTitle: 1024)
        let row = Self.features(LineProfile(title: "x"), Self.work(["x"]), c)
        #expect(row[Feature.retrievalScore.rawValue] == 0.8)
        #expect(row[Feature.retrievalRankInverse.rawValue] == 0.25)
        #expect(row[Feature.retrievalGap.rawValue] == 0.1)
        #expect(row[Feature.titleSharedWorks.rawValue] == 1)
        #expect(Self.features(LineProfile(title: "x"), Self.work(["x"]))[Feature.titleSharedWorks.rawValue] == 0)
    }

    @Test func tiedPairsShareRankAndGapUnlessInRetrievalOrder() {
        // Two works called "home" and a weaker candidate: in pairs mode the tied pair gets the same context
        // whatever the file order; the third the next rank after the tie.
        let line = LineProfile(title: "home")
        let works = [Self.work(["home"], performers: ["a"]), Self.work(["home"], performers: ["b"]), Self.work(["home again"])]
        let pairs = (0..<3).map { PairFeatureBuilder.Pair(line: 0, work: $0) }
        let c = PairFeatureBuilder.contexts(lines: [line], works: works, pairs: pairs)
        #expect(c[0].rank == 1 && c[1].rank == 1 && c[2].rank == 3)
        #expect(c[0].gapToNext == c[1].gapToNext)
        #expect(c[0].gapToNext == c[0].retrievalScore - c[2].retrievalScore && c[0].gapToNext > 0)
        #expect(c[2].gapToNext == c[2].retrievalScore)
        #expect(c[0].worksSharingTitle == 2)
        // In retrieval order (the matcher) the order stands.
        let m = PairFeatureBuilder.contexts(lines: [line], works: works, pairs: pairs, tiesShareRank: false)
        #expect(m[0].rank == 1 && m[1].rank == 2 && m[2].rank == 3)
        #expect(m[0].gapToNext == 0)
    }

    @Test func trueTiesGetTheirConfidenceAveragedOverTheirOrder() {
        // A model that weighs rank, gap and the artist; pairs 0 and 1 of recording 0 are true ties (same key,
        // same title score), pair 2 has other evidence, pair 3 was not proposed by retrieval (key 0), and
        // recording 1's pair 4 has the same key but belongs to another recording.
        let d = PairFeatureExtractor.count
        var weights = [Float](repeating: 0, count: d)
        let rank = Feature.retrievalRankInverse.rawValue, gap = Feature.retrievalGap.rawValue
        let title = Feature.retrievalScore.rawValue, artist = Feature.artistPerformerSimilarity.rawValue
        weights[rank] = 2; weights[gap] = 1; weights[artist] = 3
        let scorer = Scorer(weights: weights, bias: -1, thresholds: Thresholds(auto: 0.9, review: 0.1, match: 0.5))
        var rows = [Float](repeating: 0, count: 5 * d)
        func set(_ k: Int, _ c: Int, _ v: Float) { rows[k * d + c] = v }
        for k in 0..<5 { set(k, title, 0.9) }
        set(0, rank, 1); set(0, gap, 0)
        set(1, rank, 0.5); set(1, gap, 0.4); set(1, artist, 0.1)
        set(2, rank, 1.0 / 3); set(2, gap, 0.1)
        set(3, rank, 0.25)
        set(4, rank, 1)
        var conf = scorer.score(rows)
        let before = conf
        TrueTies.share(confidences: &conf, rows: rows, groupOfPair: { $0 < 4 ? 0 : 1 }, keys: [7, 7, 8, 0, 7], scorer: scorer)
        func sigma(_ z: Float) -> Float { 1 / (1 + expf(-z)) }
        // Each keeps its own evidence (pair 1's artist) and takes the mean over both orders.
        #expect(abs(conf[0] - (sigma(-1 + 2) + sigma(-1 + 1 + 0.4)) / 2) < 1e-6)
        #expect(abs(conf[1] - (sigma(-1 + 0.3 + 2) + sigma(-1 + 0.3 + 1 + 0.4)) / 2) < 1e-6)
        #expect(conf[1] > conf[0] && conf[0] < before[0] && conf[1] > before[1])
        #expect(conf[2] == before[2] && conf[3] == before[3] && conf[4] == before[4])
        // Unequal title scores are no tie.
        set(1, title, 0.8)
        var apart = scorer.score(rows)
        let unchanged = apart
        TrueTies.share(confidences: &apart, rows: rows, groupOfPair: { $0 < 4 ? 0 : 1 }, keys: [7, 7, 8, 0, 7], scorer: scorer)
        #expect(apart == unchanged)
    }

    @Test func evidenceKeyIgnoresOnlyThePostingsChannel() {
        let a = RetrievedCandidate(work: 1, title: 1, score: 1.7, dense: 0.8, sparse: 0.9, artist: 0, duration: 0)
        var b = a
        b.work = 2; b.title = 5; b.sparse = 0.7; b.score = 1.5
        #expect(a.evidenceKey == b.evidenceKey && a.evidenceKey != 0)
        var c = a
        c.artist = 0.4
        #expect(c.evidenceKey != a.evidenceKey)
        var d = a
        d.duration = 1
        #expect(d.evidenceKey != a.evidenceKey)
        var e = a
        e.dense = 0.75
        #expect(e.evidenceKey != a.evidenceKey)
    }

    @Test func titleWordRunContained() {
        let f = Feature.titleWordRunContained
        #expect(Self.value(f, LineProfile(title: "bobby vinton misty blue"), Self.work(["misty blue"])) == 1)
        #expect(Self.value(f, LineProfile(title: "misty blue"), Self.work(["the misty blue waltz"])) == 1)
        // Not contiguous, a single word, or the same title: no.
        #expect(Self.value(f, LineProfile(title: "misty and blue"), Self.work(["misty blue"])) == 0)
        #expect(Self.value(f, LineProfile(title: "bill haley marie"), Self.work(["marie"])) == 0)
        #expect(Self.value(f, LineProfile(title: "misty blue"), Self.work(["misty blue"])) == 0)
    }

    @Test func variantExactTitlesRankJustBelowExactOnes() {
        // "He's My Guy" is exactly the catalogued "(Nobody Knows Better Than I) He's My Guy" without its
        // bracket: it ranks above "My Guy" (closer trigrams) and below an exact "He's My Guy".
        let b = ProfileBuilder()
        let line = b.line(UsageLine(lineId: "L", title: "He's My Guy"))
        func work(_ t: String) -> WorkProfile { b.work(Work(id: t, titles: [WorkTitle(text: t, kind: .original)])) }
        let works = [work("My Guy"), work("(Nobody Knows Better Than I) He's My Guy"), work("He's My Guy")]
        let pairs = (0..<3).map { PairFeatureBuilder.Pair(line: 0, work: $0) }
        let c = PairFeatureBuilder.contexts(lines: [line], works: works, pairs: pairs, tiesShareRank: false)
        #expect(c[2].rank == 1 && c[1].rank == 2 && c[0].rank == 3)
        #expect(c[1].retrievalScore == PairFeatureExtractor.variantExactScore)
        #expect(Self.features(line, works[1])[Feature.titleVariantExact.rawValue] == 1)
        // The matcher's one-pass path (features and contexts together) ranks the same way.
        let lp = PackedRecords(lines: [line]), wp = PackedRecords(works: works)
        let rows = lp.words.withUnsafeBufferPointer { lb in
            wp.words.withUnsafeBufferPointer { wb in
                PairFeatureBuilder.featuresWithContexts(lines: lp.offsets.map { PackedLine(lb.baseAddress! + $0) },
                                                        works: wp.offsets.map { PackedWork(wb.baseAddress! + $0) }, pairs: pairs,
                                                        tiesShareRank: false, linked: { _ in (false, false) })
            }
        }
        let d = PairFeatureExtractor.count, rank = Feature.retrievalRankInverse.rawValue
        #expect(rows[2 * d + rank] == 1 && rows[1 * d + rank] == 0.5 && rows[rank] == Float(1) / 3)
    }

    @Test func sketchFollowsMutation() {
        var line = LineProfile(title: "first")
        line.title = "second"
        #expect(Self.value(.titleExact, line, Self.work(["second"])) == 1)
        var w = Self.work(["a"])
        w.titles = ["second"]
        #expect(Self.value(.titleExact, line, w) == 1)
    }

    @Test func batchComputeMatchesSingle() {
        let line = LineProfile(title: "hey jude", artists: ["the beatles"], duration: 431)
        let works = [Self.work(["hey jude"], performers: ["the beatles"], duration: 430), Self.work(["hey you"], duration: 280)]
        let contexts = [CandidateContext(rank: 1), CandidateContext(rank: 2)]
        var extractor = PairFeatureExtractor()
        var out = [Float](repeating: 0, count: 2 * PairFeatureExtractor.count)
        out.withUnsafeMutableBufferPointer { extractor.compute(line: line, works: works, contexts: contexts, into: $0) }
        #expect(Array(out[PairFeatureExtractor.count...]) == Self.features(line, works[1], contexts[1]))
    }
}

@Suite struct ProfileTests {
    @Test func textDurations() {
        #expect(ProfileBuilder.textDurations(["Song 3:45 $ 1.29"]) == [225])
        #expect(ProfileBuilder.textDurations(["Concert 2:09:26"]) == [7766])
        #expect(ProfileBuilder.textDurations(["Released 24-Sep-13", "Price 1.29", "Ratio 12:345", "123:45"]) == [])
        #expect(ProfileBuilder.textDurations(["4:61"]) == [])
    }

    @Test func builderFillsVersionWordsAlbumAndRemixers() {
        let b = ProfileBuilder()
        let line = b.line(UsageLine(lineId: "1", title: "Dangerous (feat. Sam Martin) [Robin Schulz Remix] [Explicit]", artist: "David Guetta",
                                    album: "Listen (Deluxe)"))
        #expect(line.title == "dangerous")
        #expect(line.versionWords.contains("robin"))
        #expect(line.versionWords.contains("remix"))
        #expect(!line.versionWords.contains("explicit"))
        #expect(!line.versionWords.contains("sam"))
        #expect(line.album == "listen deluxe")
        #expect(!line.remixers.isEmpty)
        var work = Work(id: "W", titles: [WorkTitle(text: "Dangerous (feat. Sam Martin)", kind: .original)])
        work.recordings = [Recording(release: "Listen")]
        let wp = b.work(work)
        #expect(wp.featured == ["sam martin"])
        #expect(wp.albums == ["listen"])
        #expect(wp.versionWords.isEmpty)
    }

    /// Han characters alone do not tell Japanese from Chinese: the Mandarin reading stays the core, the Japanese one is
    /// a line's title variant and a work's last title (a reading: compared like a title, not counted in the record).
    @Test func hanTitlesCarryTheirJapaneseReading() throws {
        let b = ProfileBuilder()
        let line = b.line(UsageLine(lineId: "1", title: "千本桜 (Live)", artist: "Kurousa"))
        #expect(line.title == "qian ben ying")
        #expect(line.titleVariants.contains("senbon sakura"))
        let work = b.work(Work(id: "W", titles: [WorkTitle(text: "千本桜", kind: .original)], performers: ["Kurousa"]))
        #expect(work.titles == ["qian ben ying", "senbon sakura"])
        #expect(work.titleReadings == 1)
        #expect(work.sketch.record == TextSketch.tokenSet(["qian ben ying", "kurousa"]))
        // Chinese titles, kana titles and Latin titles get no second reading.
        #expect(b.work(Work(id: "C", titles: [WorkTitle(text: "东京", kind: .original)])).titleReadings == 0)
        #expect(b.work(Work(id: "K", titles: [WorkTitle(text: "東京タワー", kind: .original)])).titles == ["tokyo tawa"])
        #expect(b.line(UsageLine(lineId: "2", title: "Yesterday")).titleVariants.isEmpty)
        // A romaji line meets the work's Japanese reading as an exact title; a Chinese line its Mandarin one.
        let romaji = FeatureTests.features(b.line(UsageLine(lineId: "3", title: "Senbon Sakura", artist: "Kurousa")), work)
        #expect(romaji[Feature.titleExact.rawValue] == 1)
        let same = FeatureTests.features(b.line(UsageLine(lineId: "4", title: "千本桜", artist: "Kurousa")), work)
        #expect(same[Feature.titleExact.rawValue] == 1)
        #expect(same[Feature.recordTokenJaccard.rawValue] == 1)
        // A kanji line against a catalogue that only has the romaji: its title features compare both of its readings.
        let kanji = b.line(UsageLine(lineId: "5", title: "千本桜", artist: "Kurousa"))
        #expect(kanji.titleReading == "senbon sakura")
        #expect(b.line(UsageLine(lineId: "6", title: "Senbon Sakura")).titleReading == nil)
        let romajiWork = b.work(Work(id: "R", titles: [WorkTitle(text: "Senbon Sakura", kind: .original)], performers: ["Kurousa"]))
        let across = FeatureTests.features(kanji, romajiWork)
        #expect(across[Feature.titleExact.rawValue] == 1)
        #expect(across[Feature.titleNgramCosine.rawValue] > 0.99)
        #expect(across[Feature.lineTitleInWorkRecord.rawValue] == 1)
        #expect(PairFeatureExtractor.titleSimilarity(line: kanji, work: romajiWork) > 0.99)
        var mandarinOnly = kanji
        mandarinOnly.titleReading = nil
        #expect(FeatureTests.features(mandarinOnly, romajiWork)[Feature.titleExact.rawValue] == 0)
        // Codable keeps the count.
        let decoded = try JSONDecoder().decode(WorkProfile.self, from: JSONEncoder().encode(work))
        #expect(decoded.titleReadings == 1)
        #expect(decoded.sketch.record == work.sketch.record)
    }
}

@Suite struct EditDistanceTests {
    static func dp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var diag = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let up = row[j]
                row[j] = min(up + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1))
                diag = up
            }
        }
        return row[b.count]
    }

    @Test(arguments: [("kitten", "sitting", 3), ("flaw", "lawn", 2), ("yesterday", "yesterday", 0), ("abc", "", 3),
                      ("comme d habitude", "comme dhabitude", 1), ("a", "b", 1)])
    func knownDistances(a: String, b: String, d: Int) {
        var s = Similarity.EditScratch()
        let n = max(a.utf8.count, b.utf8.count)
        #expect(Similarity.editSimilarity(a, b, scratch: &s) == (n == 0 ? 1 : 1 - Float(d) / Float(n)))
    }

    @Test func bitParallelAgreesWithTheDynamicProgramme() {
        var rng = SeededGenerator(seed: 7)
        var s = Similarity.EditScratch()
        let alphabet = Array("abcde fgh".utf8) + [0xC3, 0xA9]
        for _ in 0..<3000 {
            let la = Int.random(in: 1...80, using: &rng), lb = Int.random(in: 1...80, using: &rng)
            let a = (0..<la).map { _ in alphabet.randomElement(using: &rng)! }
            let b = (0..<lb).map { _ in alphabet.randomElement(using: &rng)! }
            let expected = Self.dp(a, b)
            let got = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                min(pa.count, pb.count) <= 64 ? Similarity.myersDistance(pa, pb, peq: &s.peq) : Similarity.dpDistance(pa, pb, row: &s.row)
            } }
            #expect(got == expected, "\(la)×\(lb)")
        }
    }
}

/// Schema 2 features: graded duration, title × duration / version interactions, release dates; title junk.
@Suite struct FeatureSchema2Tests {
    typealias T = FeatureTests

    @Test func durationSimilarityIsGraded() {
        let line = LineProfile(title: "illusion", duration: 390)
        let near = T.value(.durationSimilarity, line, T.work(["illusion"], duration: 385))
        let far = T.value(.durationSimilarity, line, T.work(["illusion"], duration: 300))
        #expect(near > 0.5 && near < 1)
        #expect(far < 0.01)
        #expect(T.value(.durationSimilarity, line, T.work(["illusion"], duration: 390)) == 1)
        #expect(T.value(.durationSimilarity, line, T.work(["illusion"])) == 0)
    }

    @Test func titleDurationInteractions() {
        let line = LineProfile(title: "we dem boyz", duration: 236)
        #expect(T.value(.titleDurationAgreement, line, T.work(["we dem boyz"], duration: 236)) == 1)
        #expect(T.value(.titleDurationAgreement, line, T.work(["roll up"], duration: 236)) < 0.3)
        #expect(T.value(.titleDurationFar, line, T.work(["we dem boyz"], duration: 319)) == 1)
        #expect(T.value(.titleDurationFar, line, T.work(["we dem boyz"], duration: 240)) == 0)
        #expect(T.value(.titleDurationFar, line, T.work(["we dem boyz"])) == 0)
    }

    @Test func versionConflictPoolsEveryConflict() {
        let karaoke = LineProfile(title: "bad blood", tags: ["karaoke"])
        #expect(T.value(.versionConflict, karaoke, T.work(["bad blood"])) == 1)
        #expect(T.value(.titleVersionConflict, karaoke, T.work(["bad blood"])) == 1)
        #expect(T.value(.titleVersionConflict, karaoke, T.work(["style"])) < 0.3)
        let remixA = LineProfile(title: "make it bun dem", tags: ["remix"], remixers: ["alvin risk"])
        let remixB = WorkProfile(workId: "W", displayTitle: "", titles: ["make it bun dem"], titleTags: ["remix"], remixers: ["david heartbreak"])
        #expect(T.value(.versionConflict, remixA, remixB) == 1)
        #expect(T.value(.versionConflict, LineProfile(title: "bad blood"), T.work(["bad blood"])) == 0)
        // Remaster / edit never conflict.
        #expect(T.value(.versionConflict, LineProfile(title: "bad blood", tags: ["remaster"]), T.work(["bad blood"])) == 0)
    }

    @Test func releaseDates() {
        var line = LineProfile(title: "x")
        var work = T.work(["x"])
        #expect(T.value(.releaseDateMissing, line, work) == 1)
        line.releaseDates = [ReleaseDate(year: 2014, month: 4, day: 15)]
        work.releaseDates = [ReleaseDate(year: 2013, month: 1, day: 1), ReleaseDate(year: 2014, month: 4, day: 15)]
        #expect(T.value(.releaseDateMissing, line, work) == 0)
        #expect(T.value(.releaseDateEqual, line, work) == 1)
        #expect(T.value(.releaseYearEqual, line, work) == 1)
        #expect(T.value(.releaseDateDifference, line, work) == 0)
        work.releaseDates = [ReleaseDate(year: 2014, month: 5, day: 15)]
        #expect(T.value(.releaseDateEqual, line, work) == 0)
        #expect(T.value(.releaseYearEqual, line, work) == 1)
        let d = T.value(.releaseDateDifference, line, work)
        #expect(d > 0.3 && d < 0.5)
        // Year-only dates compare by year.
        work.releaseDates = [ReleaseDate(year: 1997)]
        #expect(T.value(.releaseYearEqual, line, work) == 0)
        #expect(T.value(.releaseDateDifference, line, work) == 1)
    }

    @Test func profilesReadReleaseDatesFromFieldsOrText() {
        let b = ProfileBuilder()
        var u = UsageLine(lineId: "1", title: "Defeated No More")
        u.releaseDate = "15-Apr-14"
        #expect(b.line(u).releaseDates == [ReleaseDate(year: 2014, month: 4, day: 15)])
        let dirty = UsageLine(lineId: "2", title: "Hey Mama [ Remixes ] - EP $ 1.29 12-May-15")
        #expect(b.line(dirty).releaseDates == [ReleaseDate(year: 2015, month: 5, day: 12)])
        let w = Work(id: "W", titles: [WorkTitle(text: "Defeated No More", kind: .original)],
                     recordings: [Recording(release: "Settle", releaseDate: "April 15 , 2014")])
        #expect(b.work(w).releaseDates == [ReleaseDate(year: 2014, month: 4, day: 15)])
    }

    @Test func titleJunkIsStrippedFromTheEnd() {
        #expect(TitleJunk.strip("Yayo $ 1.29 3:57") == "Yayo")
        #expect(TitleJunk.strip("This Love ( Karaoke Version ) Pop , Music 4:07 3-Mar-15") == "This Love ( Karaoke Version ) Pop , Music")
        #expect(TitleJunk.strip("Gone ( Clean ) ( C ) 2013 XO & co. , Inc. 8:07 September 18 , 2015") == "Gone ( Clean )")
        #expect(TitleJunk.strip("Credit Pop 2014 , 2015 Epic Records , a division of Sony Music Entertainment 9-Jan-15") == "Credit Pop")
        // Not junk, or nothing would be left.
        #expect(TitleJunk.strip("4:44") == "4:44")
        #expect(TitleJunk.strip("1:00 AM") == "1:00 AM")
        #expect(TitleJunk.strip("Summer of 69") == "Summer of 69")
        #expect(TitleJunk.strip("1999") == "1999")
        let b = ProfileBuilder()
        #expect(b.line(UsageLine(lineId: "1", title: "Yayo $ 1.29 3:57")).title == "yayo")
        #expect(b.line(UsageLine(lineId: "1", title: "Yayo $ 1.29 3:57")).textDurations == [237])
    }
}

@Suite struct FeatureSchema5Tests {
    typealias T = FeatureTests

    /// The clean title match behind the schema 4 interactions: 1 when it holds (durations equal), the trigram cosine else.
    static func clean(_ line: LineProfile, _ work: WorkProfile) -> Bool {
        var l = line, w = work
        l.duration = 200
        w.duration = 200
        return T.value(.titleCleanDurationAgreement, l, w) == 1
    }

    @Test func cleanTitleMatchCutsAppendedFieldValues() {
        // Title + genre on one side, title + artist on the other (values of other columns appended to the title).
        let work = WorkProfile(workId: "W", displayTitle: "", titles: ["remark rachel platten"], performers: [], albums: ["be here"])
        #expect(T.value(.titleExact, LineProfile(title: "remark pop music", artists: ["rachel platten"]), work) == 0)
        #expect(Self.clean(LineProfile(title: "remark pop music", artists: ["rachel platten"]), work))
        #expect(!Self.clean(LineProfile(title: "remark pop music"), work))
        // The album of the other record explains the rest of the title; a price's digits may follow it.
        let album = LineProfile(title: "love song try this", artists: ["pink"])
        let priced = WorkProfile(workId: "W", displayTitle: "", titles: ["love song pop 0 99 cwm records"], performers: ["pink"],
                                 albums: ["try this"])
        #expect(Self.clean(album, priced))
        // More title after the shared words: not the same title.
        #expect(!Self.clean(LineProfile(title: "we will"), T.work(["we will rock you"])))
        #expect(!Self.clean(LineProfile(title: "sweet spot 2 0"), T.work(["sweet spot"])))
        #expect(!Self.clean(LineProfile(title: "crack in the pearl pt ii mark ronson", artists: ["mark ronson"]),
                            T.work(["crack in the pearl"], performers: ["mark ronson"])))
        #expect(!Self.clean(LineProfile(title: "style"), T.work(["bad blood"])))
        // Exact titles are clean titles.
        #expect(Self.clean(LineProfile(title: "bad blood"), T.work(["bad blood"])))
    }

    @Test func performanceConflictReadsTitleAndAlbum() {
        let karaoke = LineProfile(title: "bad blood", tags: ["karaoke"])
        #expect(T.value(.performanceConflict, karaoke, T.work(["bad blood"])) == 1)
        #expect(T.value(.performanceConflict, LineProfile(title: "baby", tags: ["acoustic"]), T.work(["baby"])) == 1)
        // A karaoke or acoustic album names the performance as well as the title does.
        let album = LineProfile(title: "bad blood", album: "taylor swift karaoke 1989")
        #expect(T.value(.karaokeConflict, album, T.work(["bad blood"])) == 0)
        #expect(T.value(.performanceConflict, album, T.work(["bad blood"])) == 1)
        let acoustic = WorkProfile(workId: "W", displayTitle: "", titles: ["baby"], albums: ["my worlds acoustic"])
        #expect(T.value(.performanceConflict, LineProfile(title: "baby", tags: ["acoustic"]), acoustic) == 0)
        // Live takes and remixes are not other performances here; neither are plain albums.
        #expect(T.value(.performanceConflict, LineProfile(title: "the a team", tags: ["live"]), T.work(["the a team"])) == 0)
        #expect(T.value(.performanceConflict, LineProfile(title: "stop me", tags: ["remix"]), T.work(["stop me"])) == 0)
        #expect(T.value(.performanceConflict, LineProfile(title: "bad blood", album: "1989"), T.work(["bad blood"])) == 0)
    }

    @Test func titlePerformanceConflictScalesWithTheTitle() {
        let karaoke = LineProfile(title: "this love", tags: ["karaoke"])
        #expect(T.value(.titlePerformanceConflict, karaoke, T.work(["this love"])) == 1)
        #expect(T.value(.titlePerformanceConflict, karaoke, T.work(["style"])) < 0.3)
        #expect(T.value(.titlePerformanceConflict, LineProfile(title: "this love"), T.work(["this love"])) == 0)
    }

    @Test func titleCleanDurationAgreement() {
        let line = LineProfile(title: "remark pop music", artists: ["rachel platten"], duration: 177)
        let same = WorkProfile(workId: "W", displayTitle: "", titles: ["remark rachel platten"], duration: 177)
        #expect(T.value(.titleCleanDurationAgreement, line, same) == 1)
        #expect(T.value(.titleDurationAgreement, line, same) < 1)
        let other = WorkProfile(workId: "W", displayTitle: "", titles: ["remark rachel platten"], duration: 240)
        #expect(T.value(.titleCleanDurationAgreement, line, other) < 0.01)
        #expect(T.value(.titleCleanDurationAgreement, LineProfile(title: "remark pop music", duration: 177), same) < 1)
    }

    @Test func performanceDurationAgreement() {
        // A karaoke version as long as the original: the duration agreement is carried by the conflict feature.
        let karaoke = LineProfile(title: "bad blood", tags: ["karaoke"], duration: 209)
        #expect(T.value(.performanceDurationAgreement, karaoke, T.work(["bad blood"], duration: 211)) > 0.7)
        #expect(T.value(.performanceDurationAgreement, karaoke, T.work(["bad blood"], duration: 300)) < 0.01)
        #expect(T.value(.performanceDurationAgreement, LineProfile(title: "bad blood", duration: 209), T.work(["bad blood"], duration: 211)) == 0)
    }
}

@Suite struct FeatureSchema6Tests {
    typealias T = FeatureTests

    @Test func cleanTitleWordsCutAppendedFieldValuesOnBothSides() {
        // Artist, genre and album words appended to both titles: the titles proper differ.
        let line = LineProfile(title: "the whisperer david guetta dance music electronic house", album: "listen")
        let other = T.work(["bang my head david guetta listen dance electronic"], performers: ["david guetta"])
        #expect(T.value(.titleTokenJaccard, line, other) > 0.3)
        #expect(T.value(.titleCleanSamePerformance, line, other) == 0)
        // Graded: the cut titles share two of their three words.
        let delilah = LineProfile(title: "hey there delilah plain white ts pop")
        #expect(abs(T.value(.titleCleanSamePerformance, delilah, T.work(["hey delilah plain white ts"], performers: ["plain white ts"]))
            - 2.0 / 3.0) < 1e-6)
        // A clean title match (shared words, the rest explained by other fields) counts 1.
        let yayo = WorkProfile(workId: "W", displayTitle: "", titles: ["yayo"], albums: ["born to die the paradise edition"])
        #expect(T.value(.titleCleanSamePerformance, LineProfile(title: "yayo born to die the paradise edition"), yayo) == 1)
        #expect(T.value(.titleCleanSamePerformance, LineProfile(title: "yayo"), T.work(["yayo"])) == 1)
    }

    @Test func numbersAndTitleWordsAreNeverCut() {
        // "2 0" is more title, not an appended value: half of the words are shared.
        #expect(T.value(.titleCleanSamePerformance, LineProfile(title: "sweet spot 2 0"), T.work(["sweet spot"])) == 0.5)
        // A title word that is also a field word is only cut when another field word or the end follows it.
        let line = LineProfile(title: "dance with me tonight", artists: ["dance"])
        #expect(T.value(.titleCleanSamePerformance, line, T.work(["dance with me"])) == 0.75)
        // Known limit: a title ending in a name of the record is cut on that side only.
        #expect(T.value(.titleCleanSamePerformance, LineProfile(title: "bad company", artists: ["bad company"]),
                        T.work(["bad company live"], performers: ["bad company"])) == Float(1) / 3)
    }

    @Test func anotherPerformanceGivesZero() {
        let karaoke = LineProfile(title: "bad blood", tags: ["karaoke"])
        #expect(T.value(.titleCleanSamePerformance, karaoke, T.work(["bad blood"])) == 0)
        #expect(T.value(.titleCleanSamePerformance, LineProfile(title: "bad blood", album: "taylor swift karaoke 1989"),
                        T.work(["bad blood"])) == 0)
        // Live takes and remixes are the schema 1 features' business.
        #expect(T.value(.titleCleanSamePerformance, LineProfile(title: "the a team", tags: ["live"]), T.work(["the a team"])) == 1)
    }
}

/// Schema 9: titles are also cut before a bracketed part that more text follows (`ProfileBuilder.leadWords`).
@Suite struct FeatureSchema9Tests {
    typealias T = FeatureTests

    @Test(arguments: [
        ("The Whisperer (feat. Sia) David Guetta Dance , Music", 2),
        ("Remember You ( feat . The Weeknd ) [ Explicit ] Wiz Khalifa Rap & Hip-Hop", 2),
        ("Hey Jude (Remastered 2015) The Beatles", 2),
        // Brackets that only close the title, open it, nest at its end, or are unbalanced: the whole title.
        ("Kill Everybody (Bare Noize Remix) [Explicit]", 0),
        ("(I Can't Get No) Satisfaction", 0),
        ("Ain't Got Nothing ( Album Version ( Edited ) ) [ feat . Lil Boosie ] [ Clean ]", 0),
        ("Broken (Bracket Song", 0),
        ("Plain Title", 0),
    ])
    func leadWords(title: String, expected: Int) {
        let b = ProfileBuilder()
        #expect(b.line(UsageLine(lineId: "1", title: title)).leadWords == expected)
        #expect(b.work(Work(id: "W", titles: [WorkTitle(text: title, kind: .original)])).leadWords == expected)
    }

    @Test func cleanTitleWordsCutBeforeTrailingTextAfterABracket() {
        let b = ProfileBuilder()
        // The artist is written inside both titles only: the field-word cut keeps "david guetta" on both sides.
        let line = b.line(UsageLine(lineId: "1", title: "The Whisperer (feat. Sia) David Guetta Dance , Music", album: "Listen"))
        let other = b.work(Work(id: "W", titles: [WorkTitle(text: "Bang my Head (feat. Sia) David Guetta Listen Dance & Electronic",
                                                             kind: .original)]))
        #expect(T.value(.titleCleanSamePerformance, line, other) == 0)
        var uncut = line
        uncut.leadWords = 0
        var uncutWork = other
        uncutWork.leadWords = 0
        #expect(T.value(.titleCleanSamePerformance, uncut, uncutWork) > 0.25)
        // The same title with different appended values on each side.
        let same = b.work(Work(id: "W2", titles: [WorkTitle(text: "The Whisperer [Explicit] Listen 2014 What A Music Ltd.", kind: .original)]))
        #expect(T.value(.titleCleanSamePerformance, line, same) == 1)
        // Only the work's first title is cut: an alternate title is compared whole.
        let alternate = b.work(Work(id: "W3", titles: [WorkTitle(text: "Something Else", kind: .original),
                                                       WorkTitle(text: "The Whisperer (Live) Kelly Family", kind: .alternate)]))
        #expect(alternate.leadWords == 0)
        #expect(T.value(.titleCleanSamePerformance, line, alternate) == 0.5)
    }
}

/// The matcher reads the works' packed records from the index and derives the candidate context while
/// computing features; pairs mode packs decoded profiles and derives contexts first. Both must agree.
@Suite struct PackedRecordTests {
    @Test func indexRecordsGiveTheFeaturesOfTheDecodedProfiles() {
        var profiles = MatchIndexBuilder.profiles(of: SmallCatalogue.works, threads: 1)
        // Values the index blob normalizes (empty ISWC, negative duration) and does not keep (release dates).
        profiles[1].iswc = ""
        profiles[2].duration = -3
        profiles[3].releaseDates = [ReleaseDate(year: 1997, month: 6, day: 9)]
        profiles[3].albums = ["homogenic"]
        profiles[4].textDurations = [185]
        profiles[5].leadWords = 1
        let index = MatchIndexBuilder.build(profiles: profiles, stamp: "t", options: MatchIndexOptions(dim: 64, threads: 1))
        let builder = ProfileBuilder()
        let lines = [
            UsageLine(lineId: "1", isrc: "GBAYE6500524", title: "Yesterday (Live)", artist: "The Beatles", duration: 127),
            UsageLine(lineId: "2", isrc: "USAAA0000001", title: "Shared Song", artist: "Nobody"),
            UsageLine(lineId: "3", title: "Heart", subtitle: "Remix", artist: "Pet Shop Boys feat. Someone", album: "Homogenic",
                      releaseDate: "1997-06-09"),
            UsageLine(lineId: "4", title: "Ne me quitte pas / Amsterdam", artist: "Jacques Brel", duration: 185, writers: ["Jacques Brel"]),
        ].map { builder.line($0) }
        let candidates: [[Int]] = [[0, 1, 2], [8, 9, 0], [2, 1, 3, 11], [5, 6, 7, 4, 10]]
        let linked: [[Int]] = lines.map { $0.isrc.map { index.works(forISRC: $0) } ?? [] }
        let generator = CandidateGenerator(index: index, options: MatchOptions())
        let (rows, flat) = generator.features(profiles: lines, candidates: candidates, linked: linked, range: 0..<lines.count)

        let decoded = (0..<index.workCount).map { index.profile($0) }
        var pairs: [PairFeatureBuilder.Pair] = []
        var slots: [Int: Int] = [:]
        var works: [WorkProfile] = []
        for (g, list) in candidates.enumerated() {
            for w in list {
                if slots[w] == nil { slots[w] = works.count; works.append(decoded[w]) }
                pairs.append(PairFeatureBuilder.Pair(line: g, work: slots[w]!))
            }
        }
        var contexts = PairFeatureBuilder.contexts(lines: lines, works: works, pairs: pairs, linksFromWorks: false, tiesShareRank: false)
        for k in pairs.indices where !linked[flat[k].group].isEmpty {
            contexts[k].isrcLinkedHere = linked[flat[k].group].contains(flat[k].work)
            contexts[k].isrcLinkedElsewhere = !contexts[k].isrcLinkedHere
        }
        let expected = PairFeatureBuilder.features(lines: lines, works: works, pairs: pairs, contexts: contexts, threads: 1)
        #expect(rows.count == expected.count)
        let d = PairFeatureExtractor.count
        for k in pairs.indices {
            for f in Feature.allCases where rows[k * d + f.rawValue] != expected[k * d + f.rawValue] {
                Issue.record("pair \(k) (\(flat[k])): \(f.name) \(rows[k * d + f.rawValue]) != \(expected[k * d + f.rawValue])")
            }
        }
        // Release dates are not kept by the index; everything else is.
        #expect(decoded[3].releaseDates.isEmpty)
        #expect(decoded[1].iswc == nil && decoded[2].duration == nil)
        #expect(decoded[5].leadWords == 1 && index.packedWork(5).leadWords == 1)
    }
}

/// `FieldEvidence.contains`, the branch-free search the schema 5 features run on sorted word hashes, against a set.
@Suite struct SortedContainsTests {
    @Test func agreesWithASetAtEveryLength() {
        var rng = SeededGenerator(seed: 23)
        for n in [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 150, 1000] {
            // Small values, so that probes hit and miss, and the top of the UInt32 range.
            var values = Set<UInt32>(n >= 4 ? [UInt32.max, UInt32.max - 2] : [])
            while values.count < n { values.insert(UInt32.random(in: 0...3000, using: &rng)) }
            let sorted = values.sorted()
            sorted.withUnsafeBufferPointer { buffer in
                for x in [0, 1, UInt32.max, UInt32.max - 1] + (0..<400).map({ _ in UInt32.random(in: 0...3001, using: &rng) }) + sorted {
                    #expect(FieldEvidence.contains(buffer, x) == values.contains(x), "n \(n), x \(x)")
                }
            }
        }
        #expect(!FieldEvidence.contains(UnsafeBufferPointer(start: nil, count: 0), 0))
    }
}

/// `LineProbe` must count exactly what the merges count (`Similarity.intersection`): the pair features use its counts
/// in place of the merges and must not change.
@Suite struct LineProbeTests {
    /// Sorted unique values: `n` small ones (so that sets overlap) and, from 4 on, the ends of the UInt32 range.
    static func set(_ n: Int, _ rng: inout SeededGenerator) -> [UInt32] {
        var values = Set<UInt32>(n >= 4 ? [0, UInt32.max] : [])
        while values.count < n { values.insert(UInt32.random(in: 0...3000, using: &rng)) }
        return values.sorted()
    }

    static func intersection(_ a: [UInt32], _ b: [UInt32]) -> Int {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in Similarity.intersection(x, y) } }
    }

    @Test func countsAgreeWithMergesForEverySet() {
        var rng = SeededGenerator(seed: 24)
        for round in 0..<40 {
            // Up to 10 line sets on scattered bits, one of them long enough (300 values) that a work set with all of
            // them overflows a byte lane of `oeuvre_probe_counts`.
            let bits: [UInt32] = [0, 1, 5, 8, 9, 15, 16, 17, 20, 31].shuffled(using: &rng)
            let sets = (0..<Int.random(in: 1...10, using: &rng)).map { k in
                (values: Self.set(k == 0 && round % 4 == 0 ? 300 : Int.random(in: 0...40, using: &rng), &rng), bit: bits[k])
            }
            var probe = LineProbe()
            probe.build(sets: sets)
            for _ in 0..<20 {
                var work = Set(Self.set(Int.random(in: 0...60, using: &rng), &rng))
                if Bool.random(using: &rng) { work.formUnion(sets[0].values) }
                let v = work.sorted()
                v.withUnsafeBufferPointer { w in
                    for s in sets {
                        #expect(probe.count(w, bit: s.bit) == Self.intersection(s.values, v), "round \(round), bit \(s.bit)")
                    }
                    // The long set's count through the byte lanes (more than 255 when the work holds it all).
                    let lanes = probe.counts(w, first: sets[0].bit, k: min(8, Int(32 - sets[0].bit)))
                    #expect(Int(lanes[0]) == Self.intersection(sets[0].values, v), "round \(round)")
                    let first = sets.map(\.bit).min()!
                    let k = min(8, Int(32 - first))
                    let counts = probe.counts(w, first: first, k: k)
                    for j in 0..<k {
                        let expected = sets.first { $0.bit == first + UInt32(j) }.map { Self.intersection($0.values, v) } ?? 0
                        #expect(Int(counts[j]) == expected, "round \(round), bit \(first + UInt32(j))")
                    }
                }
            }
        }
    }

    @Test func aCrowdedBucketTakesAnotherMultiplier() {
        // Twelve values whose hashes under the first multiplier share their top 12 bits fall in one bucket of every
        // table up to 4096 buckets: the next multiplier spreads them, and the table keeps its size.
        var crowd: [UInt32] = []
        var x: UInt32 = 1
        while crowd.count < 12 {
            if (x &* LineProbe.multipliers[0]) >> 20 == 0x123 { crowd.append(x) }
            x += 1
        }
        var probe = LineProbe()
        probe.build(sets: [(crowd, 3)])
        #expect(probe.buckets == 32 && probe.multiplier != LineProbe.multipliers[0])
        crowd.withUnsafeBufferPointer { #expect(probe.count($0, bit: 3) == 12) }
        let others: [UInt32] = [0, x, x + 1, UInt32.max]
        others.withUnsafeBufferPointer { #expect(probe.count($0, bit: 3) == 0) }
        // Crowded under every multiplier (five values a bucket at 16 buckets cannot all miss): the table grows.
        var everywhere: [UInt32] = []
        x = 1
        while everywhere.count < 5 {
            if LineProbe.multipliers.allSatisfy({ (x &* $0) >> 28 == (1 &* $0) >> 28 }) { everywhere.append(x) }
            x += 1
        }
        probe.build(sets: [(everywhere, 0)])
        #expect(probe.buckets > 16)
        everywhere.withUnsafeBufferPointer { #expect(probe.count($0, bit: 0) == 5) }
    }

    /// The feature path: a packed line's probe against packed works, every set and the artists' best cosine.
    @Test func packedLineSetsAgreeWithMerges() {
        let lines = [
            LineProfile(title: "the long and winding road", artists: ["the beatles", "paul mccartney"], album: "let it be"),
            LineProfile(title: "yesterday", artists: (1...9).map { "artist number \($0)" }),  // more names than bits
            LineProfile(title: "", artists: []),
            LineProfile(title: "senbonzakura", artists: ["kurousa p"], album: "senbonzakura"),
        ]
        let works = [
            WorkProfile(workId: "a", displayTitle: "", titles: ["the long and winding road", "long winding road"],
                        performers: ["the beatles"], writers: ["paul mccartney", "john lennon"], albums: ["let it be naked"]),
            WorkProfile(workId: "b", displayTitle: "", titles: ["yesterday once more"], performers: ["artist number 7", "carpenters"]),
            WorkProfile(workId: "c", displayTitle: "", titles: ["千本桜", "senbonzakura"], performers: ["kurousa p"], albums: ["senbonzakura"]),
            WorkProfile(workId: "d", displayTitle: "", titles: [""]),
        ]
        var lineProfiles = lines
        lineProfiles[3].titleReading = "senbon sakura"
        let lp = PackedRecords(lines: lineProfiles), wp = PackedRecords(works: works)
        lp.words.withUnsafeBufferPointer { lb in
            wp.words.withUnsafeBufferPointer { wb in
                for lo in lp.offsets {
                    let l = PackedLine(lb.baseAddress! + lo)
                    var probe = LineProbe()
                    probe.build(l)
                    #expect(probe.artists == (l.artists.count <= LineProbe.maxArtists ? l.artists.count : 0))
                    var lineSets: [(UnsafeBufferPointer<UInt32>, UInt32)] = [
                        (l.title.grams, LineProbe.Bit.titleGrams), (l.title.tokens, LineProbe.Bit.titleTokens),
                        (l.record, LineProbe.Bit.record), (l.artistTokens, LineProbe.Bit.artistTokens),
                    ]
                    for r in l.titleReading { lineSets += [(r.grams, LineProbe.Bit.titleGrams + 1), (r.tokens, LineProbe.Bit.titleTokens + 1)] }
                    for a in l.album { lineSets += [(a.grams, LineProbe.Bit.albumGrams), (a.tokens, LineProbe.Bit.albumTokens)] }
                    for wo in wp.offsets {
                        let w = PackedWork(wb.baseAddress! + wo)
                        var workSets = [w.record, w.performerTokens]
                        for t in w.titles { workSets += [t.grams, t.tokens] }
                        for a in w.albums { workSets += [a.grams, a.tokens] }
                        for v in workSets {
                            for (s, bit) in lineSets { #expect(probe.count(v, bit: bit) == Similarity.intersection(s, v)) }
                        }
                        if probe.artists > 0 {
                            #expect(probe.bestArtistCosine(w.performers) == Similarity.bestCosine(l.artists, w.performers))
                            #expect(probe.bestArtistCosine(w.writers) == Similarity.bestCosine(l.artists, w.writers))
                        }
                    }
                }
            }
        }
    }
}
