import Foundation
import Normalization
import Testing

@Suite struct CyrillicRomanizerTests {
    /// Titles and names in the romanization English-language catalogues write them in (ICU's ISO 9 without
    /// diacritics gave `oci cernye`, `sedrik`, `hocu`, `viktor coj`, `ob atia`).
    @Test(arguments: [
        ("Очи чёрные", "ochi chernye"),
        ("Очи черные", "ochi chernye"),
        ("Подмосковные вечера", "podmoskovnye vechera"),
        ("Щедрик", "shchedrik"),
        ("Хочу", "khochu"),
        ("Катюша", "katyusha"),
        ("Калинка", "kalinka"),
        ("Виктор Цой", "viktor tsoy"),
        ("Спокойная ночь", "spokoynaya noch"),
        ("Объятия", "obyatiya"),
        ("Белый", "belyy"),
        ("Журавли", "zhuravli"),
        ("Ёлочка", "elochka"),
        ("Эх, дороги", "ekh dorogi"),
        ("Їжачок", "yizhachok"),
        ("Червона рута", "chervona ruta"),
        ("Ґанок", "ganok"),
        ("Љубав", "ljubav"),
        ("Ђурђевдан", "djurdjevdan"),
        ("Ўзбекистон", "uzbekiston"),
    ])
    func romanizes(cyrillic: String, latin: String) {
        #expect(Normalizer().fold(cyrillic) == latin)
    }

    @Test func caseIsKeptInTheLatinForm() {
        let n = Normalizer()
        #expect(n.latinize("Щедрик") == "Shchedrik")
        #expect(n.latinize("ЧЁРНЫЕ ГЛАЗА") == "ChERNYE GLAZA")
        #expect(n.latinize("Мама Люба (Live)") == "Mama Lyuba (Live)")
        #expect(n.icuCalls == 0)
    }

    @Test func decomposedTextReadsAsComposed() {
        let n = Normalizer()
        for text in ["Спокойная ночь", "Ёлочка", "Їжачок", "Ўзбекистон", "ЙОД"] {
            #expect(n.fold(text.decomposedStringWithCanonicalMapping) == n.fold(text), "\(text)")
        }
    }

    @Test func everyLetterOfTheTableGivesASCII() {
        let n = Normalizer()
        var bad: [String] = []
        for v in UInt32(0x0400)...UInt32(0x045F) {
            let s = String(Character(Unicode.Scalar(v)!))
            if !n.latinize("a" + s + "a").utf8.allSatisfy({ $0 < 0x80 }) { bad.append(s) }
        }
        #expect(bad.isEmpty, "\(bad)")
        // Letters outside the table still go through ICU (Old Cyrillic ѣ, Kazakh қ).
        #expect(!n.fold("ѣқ").isEmpty)
    }
}
