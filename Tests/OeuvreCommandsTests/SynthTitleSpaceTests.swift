import Foundation
@testable import OeuvreCommands
import OeuvreTestSupport
import Testing

/// Generator 5: the title space grows with the catalogue (specific titles above 10k works).
@Suite struct SynthTitleSpaceTests {
    static func universe(works: Int, seed: UInt64 = 20_250_301, specific: Double? = nil) -> SynthUniverse {
        var c = SynthConfig()
        c.works = works
        c.seed = seed
        c.specificTitles = specific
        return SynthUniverse(c)
    }

    /// Catalogue titles (as written in works.csv) of the first `n` works.
    static func titles(_ u: SynthUniverse, _ n: Int) -> [String] {
        let parts = 8
        let slots = Slots<[String]>(parts)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            slots.items[p] = (n * p / parts..<n * (p + 1) / parts).map { i in
                let (spec, lang) = u.spec(i)
                return TitleRenderer.render(spec, lang).native
            }
        }
        return slots.items.flatMap { $0 ?? [] }
    }

    @Test func defaultShareIsZeroUpTo10kWorksAndGrowsWithTheCatalogue() {
        #expect(SynthConfig.defaultSpecificTitles(works: 150) == 0)
        #expect(SynthConfig.defaultSpecificTitles(works: 4000) == 0)
        #expect(SynthConfig.defaultSpecificTitles(works: 10_000) == 0)
        let a = SynthConfig.defaultSpecificTitles(works: 50_000)
        let b = SynthConfig.defaultSpecificTitles(works: 1_000_000)
        #expect(a > 0 && b > a && b <= SynthConfig.specificTitlesMax)
        // Up to 10k works the titles are generator 4's (seeds/ and models/default.json depend on it).
        let u = Self.universe(works: 4000)
        let g4 = Self.universe(works: 4000, specific: 0)
        for i in stride(from: 0, to: 4000, by: 7) {
            #expect(u.work(i).title == g4.work(i).title)
        }
    }

    @Test func mostTitlesAreDistinctAt200kWorksButGenericOnesKeepNamesakes() {
        let n = 200_000
        let titles = Self.titles(Self.universe(works: n), n)
        var counts: [String: Int] = [:]
        for t in titles { counts[t, default: 0] += 1 }
        let ratio = Double(counts.count) / Double(n)
        // Generator 4 (no specific titles) gives 0.50 here, generator 5 0.76 (seed 20250301).
        #expect(ratio > 0.7, "distinct-title ratio \(ratio) at \(n) works")
        let largest = counts.values.max() ?? 0
        #expect(largest >= 30 && largest <= 1000, "largest namesake group \(largest)")
        // Large namesake groups are short titles.
        let big = counts.filter { $0.value >= 20 }
        #expect(!big.isEmpty)
        #expect(big.keys.allSatisfy { $0.split(separator: " ").count <= 4 }, "\(big.keys.filter { $0.split(separator: " ").count > 4 })")
    }

    @Test func specificTitlesAreDeterministicAndKeepTheCoreTitleAsTheirHead() {
        let a = Self.universe(works: 300, seed: 9, specific: 0.9)
        let b = Self.universe(works: 300, seed: 9, specific: 0.9)
        let other = Self.universe(works: 300, seed: 10, specific: 0.9)
        #expect(Self.titles(a, 300) == Self.titles(b, 300))
        #expect(Self.titles(a, 300) != Self.titles(other, 300))
        var kinds = Set<UInt8>()
        for i in 0..<300 {
            let (spec, lang) = a.spec(i)
            kinds.insert(spec.specific.rawValue)
            guard spec.specific != .none, spec.specific != .name else { continue }
            var core = spec
            core.specific = .none
            let full = TitleRenderer.render(spec, lang).native, head = TitleRenderer.render(core, lang).native
            #expect(full.hasPrefix(head) && full.count > head.count, "\(full) / \(head)")
        }
        #expect(kinds.count >= 8, "kinds drawn: \(kinds.sorted())")
    }

    @Test func cliSpecificTitlesSameFilesForAnyThreadCountAndBadShareRejected() throws {
        func run(_ threads: String, _ share: String) throws -> Data {
            let dir = TestSupport.temporaryDirectory("synth-specific")
            let r = try CLI.run(["synth", "--works", "80", "--lines", "150", "--seed", "3", "--specific-titles", share,
                                 "--threads", threads, "--no-dsr", "--out", dir])
            #expect(r.status == 0, "\(r.stderr)")
            return try #require(FileManager.default.contents(atPath: dir + "/works.csv"))
        }
        let one = try run("1", "0.7"), three = try run("3", "0.7"), none = try run("2", "0")
        #expect(one == three)
        #expect(one != none)
        let dir = TestSupport.temporaryDirectory()
        let bad = try CLI.run(["synth", "--works", "10", "--lines", "10", "--specific-titles", "1.2", "--out", dir])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--specific-titles"))
    }
}
