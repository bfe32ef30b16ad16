import Foundation
import Normalization
import Testing

@Suite struct GreekRomanizerTests {
    /// ELOT 743 (ICU's classical romanization gave `phengari`, `kalemera`, `mpouzouki`, `euche`, `nkreka`).
    @Test(arguments: [
        ("Φεγγάρι", "fengari"),
        ("Καλημέρα", "kalimera"),
        ("Μπουζούκι", "bouzouki"),
        ("Ευχή", "efchi"),
        ("Αύριο", "avrio"),
        ("Ευαγγελία", "evangelia"),
        ("Γκρέκα", "greka"),
        ("Άγκυρα", "angyra"),
        ("Ντόρα", "dora"),
        ("Πέντε", "pente"),
        ("Λάμπει", "lampei"),
        ("Θάλασσα", "thalassa"),
        ("Ψυχή", "psychi"),
        ("Χάρτινο το φεγγαράκι", "chartino to fengaraki"),
        ("Τα παιδιά του Πειραιά", "ta paidia tou peiraia"),
        ("Μισιρλού", "misirlou"),
        ("Φραγκοσυριανή", "frangosyriani"),
        ("Σ' αγαπώ", "s agapo"),
        ("Ρολόι", "roloi"),
        ("Ξύπνα", "xypna"),
        ("Ωραία", "oraia"),
        ("ΣΤΑΥΡΟΣ", "stavros"),
    ])
    func romanizes(greek: String, latin: String) {
        #expect(Normalizer().fold(greek) == latin)
    }

    @Test func romanizerDetails() {
        let n = Normalizer()
        #expect(n.latinize("Μπουζούκι") == "Bouzouki")
        #expect(n.latinize("Θάλασσα") == "Thalassa")
        #expect(n.icuCalls == 0)
        // The diaeresis keeps the vowels apart: αϋ is a-y, not av.
        #expect(n.fold("Αϋπνία") == "aypnia")
        // NFD (combining accent and diaeresis) reads as composed.
        for text in ["Φεγγάρι", "Αϋπνία", "Ρολόι", "Ήρθες"] {
            #expect(n.fold(text.decomposedStringWithCanonicalMapping) == n.fold(text), "\(text)")
        }
        // Polytonic text still goes to ICU.
        #expect(!n.fold("ἀγάπη").isEmpty)
    }

    @Test func everyLetterGivesASCII() {
        let n = Normalizer()
        var bad: [String] = []
        for v in UInt32(0x0370)...UInt32(0x03FF) {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = String(Character(u))
            if !n.latinize("α" + s + "α").utf8.allSatisfy({ $0 < 0x80 }) { bad.append(s) }
        }
        #expect(bad.isEmpty, "\(bad)")
    }
}
