import Normalization
import Testing

@Suite struct NormalizerTests {
    @Test(arguments: [
        ("Hello,   World!", "hello world"),
        ("Rock & Roll", "rock and roll"),
        ("Salt + Pepper", "salt and pepper"),
        ("Crème Brûlée", "creme brulee"),
        ("Комме д'абитюд", "komme dabitud"),
        ("Ψ", "ps"),
        ("Simon y Garfunkel", "simon and garfunkel"),
        ("Sturm und Drang", "sturm and drang"),
        ("", ""),
        ("   ", ""),
    ])
    func folds(input: String, expected: String) {
        #expect(Normalizer().fold(input) == expected)
    }

    @Test func transliteratesJapanese() {
        #expect(Normalizer().fold("東京タワー") == "dong jingtawa")
    }

    @Test func controlCharactersAreSeparators() {
        #expect(Normalizer().fold("a\u{0}b\u{7}c") == "a b c")
    }

    @Test func veryLongInputIsBounded() {
        let long = String(repeating: "ab ", count: 400_000)
        let folded = Normalizer().fold(long)
        #expect(folded.utf8.count <= Normalizer.maxInputBytes)
        let longUnicode = String(repeating: "é", count: 500_000)
        #expect(Normalizer().fold(longUnicode).utf8.count <= Normalizer.maxInputBytes)
    }
}
