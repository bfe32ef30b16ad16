import Normalization
import Testing

@Suite struct NormalizerTests {
    @Test(arguments: [
        ("Hello,   World!", "hello world"),
        ("Rock & Roll", "rock and roll"),
        ("Rock 'n' Roll", "rock and roll"),
        ("Rock'n'Roll", "rock and roll"),
        ("Rock n Roll", "rock and roll"),
        ("Salt + Pepper", "salt and pepper"),
        ("Crème Brûlée", "creme brulee"),
        ("Komme d'abitud", "komme d abitud"),
        ("Комме д'абитюд", "komme d abityud"),
        ("Comme d'habitude", "comme d habitude"),
        ("Comme d’habitude", "comme d habitude"),
        ("COMME D'HABITUDE", "comme d habitude"),
        ("L'amour", "l amour"),
        ("Qu'est-ce que c'est", "qu est ce que c est"),
        ("Dell'amore", "dell amore"),
        ("Laura non c'è", "laura non c e"),
        ("Ce n'est rien", "ce n est rien"),
        ("Don't", "dont"),
        ("Lovin' You", "loving you"),
        ("Nothin' but a Heartache", "nothing but a heartache"),
        ("Walkin'", "walking"),
        ("Ain't Misbehavin’", "aint misbehaving"),
        ("Hein'Ja", "heinja"),
        ("In' n Out", "in and out"),
        ("C'mon Everybody", "cmon everybody"),
        ("O'Connor", "oconnor"),
        ("'Til Tuesday", "til tuesday"),
        ("B.o.B", "bob"),
        ("R.E.M.", "rem"),
        ("D.J. Snake", "dj snake"),
        ("J. Cole", "j cole"),
        ("Mr.Big", "mr big"),
        ("L.A. Woman", "la woman"),
        ("Ben E. King", "ben e king"),
        ("Ke$ha", "kesha"),
        ("P!nk", "pink"),
        ("Help!", "help"),
        ("Ψ", "ps"),
        ("Simon y Garfunkel", "simon and garfunkel"),
        ("Sturm und Drang", "sturm and drang"),
        ("Tom et Jerry", "tom and jerry"),
        ("Ricchi e Poveri", "ricchi and poveri"),
        ("Ｌｉｖｅ", "live"),
        ("ﬁnal", "final"),
        ("Straße", "strasse"),
        ("Œuvre", "oeuvre"),
        ("Dvořák", "dvorak"),
        ("【MV】Title", "mv title"),
        ("「夜に駆ける」", "yoru ni kakeru"),
        ("", ""),
        ("   ", ""),
        ("--- !!! ---", ""),
    ])
    func folds(input: String, expected: String) {
        #expect(Normalizer().fold(input) == expected)
    }

    /// ICU `NFKC; Any-Latin; Latin-ASCII` for each script the issue names.
    @Test(arguments: [
        ("Спокойная ночь", "spokoynaya noch"),
        ("Τα παιδιά του Πειραιά", "ta paidia tou peiraia"),
        ("月亮代表我的心", "yue liang dai biao wo de xin"),
        ("東京タワー", "tokyo tawa"),
        ("アイドル", "aidoru"),
        ("봄날", "bomnal"),
        ("حبيبي", "hbyby"),
        ("ירושלים", "yrwslym"),
        ("नमस्ते", "namaste"),
        ("สวัสดี", "swasdi"),
    ])
    func transliterates(input: String, expected: String) {
        #expect(Normalizer().fold(input) == expected)
    }

    @Test func latinKeepsCaseAndPunctuation() {
        let n = Normalizer()
        #expect(n.latinize("Bésame Mucho (En Vivo)") == "Besame Mucho (En Vivo)")
        #expect(n.latinize("Спокойная ночь") == "Spokoynaya noch")
        #expect(n.latinize("Plain ASCII – no") == "Plain ASCII - no")
        #expect(n.latinize("ASCII only") == "ASCII only")
    }

    @Test func controlCharactersAreSeparators() {
        #expect(Normalizer().fold("a\u{0}b\u{7}c\u{1B}d\u{7F}e") == "a b c d e")
    }

    @Test func cacheIsBoundedAndKeepsWorking() {
        let n = Normalizer(cacheLimit: 2)
        for word in ["Ωμέγα", "Альфа", "ベータ", "Ωμέγα", "Альфа"] { _ = n.fold(word) }
        #expect(n.fold("Ωμέγα") == "omega")
        #expect(n.fold("Альфа") == "alfa")
    }
}

/// Normalizers borrow their ICU transliterator from a pool and give it back: a run's second normalizer reuses the
/// first one's instance (with the script transforms it built) instead of opening and building them again.
@Suite struct TransliteratorPoolTests {
    @Test func aNormalizerReusesTheInstanceOfAnEarlierOne() throws {
        let pool = TransliteratorPool()
        let texts = ["สวัสดี", "حبيبي", "北京欢迎你", "Ελλάδα", "plain ascii"]
        var first: [String] = []
        do {
            let a = Normalizer(pool: pool)
            first = texts.map { a.fold($0) }
            #expect(a.icuCalls > 0)
            #expect(pool.opened == 1)
            #expect(pool.idleCount(id: Normalizer.transliteratorID) == 0)  // lent out
        }
        #expect(pool.idleCount(id: Normalizer.transliteratorID) == 1)  // given back at deinit
        let b = Normalizer(pool: pool)
        #expect(texts.map { b.fold($0) } == first)
        #expect(b.icuCalls > 0)
        #expect(pool.opened == 1)
        // Two normalizers alive at once do not share an instance.
        let c = Normalizer(pool: pool)
        _ = c.fold("สวัสดี")
        #expect(pool.opened == 2)
        // A normalizer that never met non-ASCII text borrows nothing.
        let before = pool.opened
        do { _ = Normalizer(pool: pool).fold("only ascii") }
        #expect(pool.opened == before)
        withExtendedLifetime((b, c)) {}
    }
}
