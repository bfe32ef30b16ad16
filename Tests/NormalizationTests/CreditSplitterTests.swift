import Normalization
import Testing

@Suite struct CreditSplitterTests {
    @Test func fixtureIsLoaded() {
        #expect(Fixtures.credits.count >= 60)
    }

    @Test(arguments: Fixtures.credits)
    func splitsFixtureCredit(_ c: CreditCase) {
        let kind: CreditSplitter.Kind = c.kind == "writer" ? .writer : c.kind == "featured" ? .featured : .artist
        #expect(CreditSplitter(normalizer: Normalizer()).split(c.credit, kind: kind) == c.names)
    }

    /// The `&`/`and` rule (CreditSplitter docs): duos of single words stay whole, longer sides split,
    /// articles and band words keep a band together, writers always split.
    @Test func ampersandRule() {
        let s = CreditSplitter(normalizer: Normalizer())
        #expect(s.split("Simon & Garfunkel") == ["simon and garfunkel"])
        #expect(s.split("Simon and Garfunkel") == ["simon and garfunkel"])
        #expect(s.split("Earth, Wind & Fire") == ["earth wind and fire"])
        #expect(s.split("Kenny Chesney & Willie Nelson") == ["kenny chesney", "willie nelson"])
        #expect(s.split("Echo & the Bunnymen") == ["echo and the bunnymen"])
        #expect(s.split("Simon & Garfunkel", kind: .writer) == ["simon", "garfunkel"])
        #expect(s.split("Simon & Garfunkel", kind: .featured) == ["simon", "garfunkel"])
    }

    @Test func duplicatesAndEmptiesAreDropped() {
        let s = CreditSplitter(normalizer: Normalizer())
        #expect(s.split("Drake; drake; DRAKE ;;") == ["drake"])
        #expect(s.split("feat.") == [])
        #expect(s.split(" x ") == ["x"])
    }
}
