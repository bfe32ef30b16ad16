import Foundation
import Normalization
import Testing

@Suite struct HangulRomanizerTests {
    /// Examples from the Revised Romanization of Korean (2000) and its pronunciation rules: liaison, nasalization,
    /// ㄹ as r / l / ll, ㄹ read n after another consonant, aspiration by ㅎ, palatalization, final neutralization.
    @Test(arguments: [
        ("구미", "gumi"), ("영동", "yeongdong"), ("백암", "baegam"), ("옥천", "okcheon"), ("합덕", "hapdeok"),
        ("호법", "hobeop"), ("월곶", "wolgot"), ("벚꽃", "beotkkot"), ("한밭", "hanbat"), ("구리", "guri"),
        ("설악", "seorak"), ("칠곡", "chilgok"), ("임실", "imsil"), ("울릉", "ulleung"), ("대관령", "daegwallyeong"),
        ("백마", "baengma"), ("종로", "jongno"), ("왕십리", "wangsimni"), ("별내", "byeollae"), ("신라", "silla"),
        ("해돋이", "haedoji"), ("같이", "gachi"), ("굳히다", "guchida"), ("좋고", "joko"), ("놓다", "nota"),
        ("잡혀", "japyeo"), ("낳지", "nachi"), ("압구정", "apgujeong"), ("낙동강", "nakdonggang"), ("울산", "ulsan"),
        ("사랑해", "saranghae"), ("아리랑", "arirang"), ("음악", "eumak"), ("좋아", "joa"), ("없어", "eopseo"),
        ("읽어", "ilgeo"), ("않아", "ana"), ("합니다", "hamnida"), ("감사합니다", "gamsahamnida"), ("국물", "gungmul"),
        ("독립", "dongnip"), ("설날", "seollal"), ("대한민국", "daehanminguk"), ("밥", "bap"), ("축하해", "chukahae"),
        ("눈물", "nunmul"), ("빨간", "ppalgan"), ("맛", "mat"), ("꽃", "kkot"), ("여름", "yeoreum"), ("희망", "huimang"),
    ])
    func revisedRomanization(hangul: String, latin: String) {
        #expect(HangulRomanizer.romanize(hangul) == latin)
    }

    @Test func wordsAreRomanizedApart() {
        // The sound rules stop at a space or any other character: "보고 싶다" is two words, not "bogosipda".
        #expect(HangulRomanizer.romanize("보고 싶다") == "bogo sipda")
        #expect(HangulRomanizer.romanize("밥-이") == "bap-i")
        #expect(HangulRomanizer.romanize("abc") == "abc")
    }

    @Test func everySyllableGivesLowercaseASCIILetters() {
        func letters(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } }
        var bad: [String] = []
        for v in UInt32(0xAC00)...UInt32(0xD7A3) {
            let syllable = String(Character(Unicode.Scalar(v)!))
            if !letters(HangulRomanizer.romanize(syllable)) { bad.append(syllable) }
            // After a vowel-final syllable and after each kind of final (single, double, ㅎ).
            for before in ["가", "각", "갈", "갑", "갓", "강", "갛", "값", "갉", "갊", "갇", "같", "않"] where !letters(HangulRomanizer.romanize(before + syllable)) {
                bad.append(before + syllable)
            }
        }
        #expect(bad.isEmpty, "\(bad.prefix(10))")
    }

    @Test func normalizerUsesIt() {
        let n = Normalizer()
        // ICU's letter-by-letter reading split these at a final before a vowel ("eum ag", "joh a").
        #expect(n.fold("음악") == "eumak")
        #expect(n.fold("좋아") == "joa")
        #expect(n.fold("사랑♥해요") == "sarang haeyo")
        #expect(n.fold("강남스타일 (Gangnam Style)") == "gangnamseutail gangnam style")
        #expect(n.fold("【MV】사랑해") == "mv saranghae")
        #expect(n.icuCalls > 0)  // ♥ and 【】 went through ICU
        let m = Normalizer()
        _ = m.fold("보고 싶다 사랑해")
        #expect(m.icuCalls == 0)
    }

    @Test func decomposedTextReadsAsComposed() {
        // NFD text (conjoining jamo: macOS file names, some report writers) gives what NFC text gives.
        let n = Normalizer()
        for title in ["사랑해", "외로운 영혼", "없어", "같이 (Live)", "밝은 사랑, 조용한 달"] {
            #expect(n.fold(title.decomposedStringWithCanonicalMapping) == n.fold(title), "\(title)")
        }
        var bad: [String] = []
        for v in stride(from: UInt32(0xAC00), through: 0xD7A3, by: 7) {
            let word = "가" + String(Character(Unicode.Scalar(v)!)) + "이"
            if n.fold(word.decomposedStringWithCanonicalMapping) != n.fold(word) { bad.append(word) }
        }
        #expect(bad.isEmpty, "\(bad.prefix(10))")
    }
}
