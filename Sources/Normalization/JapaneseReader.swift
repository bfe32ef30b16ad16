import CMeCab
import Foundation

/// The readings of Japanese text, through MeCab and the IPAdic dictionary (Debian's `libmecab-dev` and
/// `mecab-ipadic-utf8`; `scripts/bootstrap` installs them).
///
/// ICU's `Any-Latin` has no Japanese readings for kanji: it reads them as Mandarin ("東京タワー" → `dong jingtawa`,
/// "夜に駆ける" → `yeni qukeru`), so a Japanese title never met its romaji spelling ("Tokyo Tower", "Yoru ni
/// Kakeru"). MeCab splits the text into words and gives each its reading in katakana, which ICU then romanizes:
/// `toukyou tawa` → `tokyo tawa`, `yoru ni kakeru`. The normalizer sends text here only when it holds kana: kanji
/// alone do not tell Japanese from Chinese, and Chinese keeps ICU's pinyin.
///
/// Spelling, after modified Hepburn as romaji titles write it: a long vowel written ウ in the reading and pronounced
/// long (トウキョウ, pronounced トーキョー) loses the ウ (`tokyo`; エイ stays `ei`: センセイ `sensei`); は and へ read
/// ワ and エ are spelled as pronounced (`wa`, `e`: the particles, こんにちは `konnichiwa`; を stays `wo`); an
/// auxiliary, a suffix, a dependent verb or the conjunctive particle て joins the word before it ("見ていた" →
/// `miteita`, "狂った" → `kurutta`: the word is romanized whole, so a final small ッ doubles the next consonant);
/// other particles, dependent nouns and the copula stand alone.
///
/// Not thread-safe (one MeCab tagger): one per `Normalizer`.
public final class JapaneseReader {
    /// Changes whenever the spelling rules here do (part of `Normalizer.vocabularyFingerprint`).
    public static let revision = 1

    private let tagger: OpaquePointer

    /// Directories searched for the dictionary, after `$OEUVRE_MECAB_DICDIR`.
    public static let dictionaryDirectories = ["/var/lib/mecab/dic/ipadic-utf8", "/usr/lib/x86_64-linux-gnu/mecab/dic/ipadic-utf8",
                                               "/usr/lib/aarch64-linux-gnu/mecab/dic/ipadic-utf8", "/usr/share/mecab/dic/ipadic-utf8",
                                               "/usr/local/lib/mecab/dic/ipadic-utf8", "/opt/homebrew/lib/mecab/dic/ipadic"]

    /// The dictionary directory in use: `$OEUVRE_MECAB_DICDIR`, else the first of `dictionaryDirectories` that holds
    /// a `sys.dic`; nil without one.
    public static let dictionaryDirectory: String? = {
        if let d = ProcessInfo.processInfo.environment["OEUVRE_MECAB_DICDIR"], !d.isEmpty { return d }
        return dictionaryDirectories.first { FileManager.default.fileExists(atPath: $0 + "/sys.dic") }
    }()

    /// What the readings depend on (MeCab's version, the dictionary's version, charset and size), or `none` when no
    /// dictionary can be opened: part of `Normalizer.vocabularyFingerprint`, so an index built with other readings
    /// (or none) is rebuilt.
    public static let identity: String = {
        guard let r = JapaneseReader() else { return "none" }
        return r.describe()
    }()

    /// Opens MeCab on `dictionaryDirectory`; nil when there is none or MeCab cannot open it.
    public init?() {
        guard let dir = Self.dictionaryDirectory else { return nil }
        // -d: the dictionary; no rc file needed (`-r /dev/null`). Arguments as an argv, so a path may hold spaces.
        let args: [String] = ["oeuvre", "-r", "/dev/null", "-d", dir]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        defer { for a in argv { free(a) } }
        guard let t = mecab_new(Int32(argv.count), &argv) else { return nil }
        tagger = t
    }

    deinit { mecab_destroy(tagger) }

    func describe() -> String {
        var parts = ["mecab " + String(cString: mecab_version())]
        var info = mecab_dictionary_info(tagger)
        while let i = info {
            parts.append("dic \(i.pointee.version) \(String(cString: i.pointee.charset)) \(i.pointee.size) \(i.pointee.type)")
            info = UnsafePointer(i.pointee.next)
        }
        return parts.joined(separator: " ")
    }

    /// One word of the text: its reading in katakana (the surface itself when the dictionary does not know it), and
    /// whether it joins the word before it without a space.
    public struct Word: Equatable, Sendable {
        public var reading: String
        public var attaches: Bool
    }

    /// The words of `text` (UTF-8) with their readings.
    public func words(_ text: UnsafeBufferPointer<UInt8>) -> [Word] {
        guard let base = text.baseAddress, !text.isEmpty else { return [] }
        var out: [Word] = []
        let first = base.withMemoryRebound(to: CChar.self, capacity: text.count) { mecab_sparse_tonode2(tagger, $0, text.count) }
        var node = first
        while let n = node {
            defer { node = UnsafePointer(n.pointee.next) }
            let stat = Int32(n.pointee.stat)
            if stat == MECAB_BOS_NODE || stat == MECAB_EOS_NODE || n.pointee.length == 0 { continue }
            let surface = UnsafeRawBufferPointer(start: n.pointee.surface, count: Int(n.pointee.length)).assumingMemoryBound(to: UInt8.self)
            let feature = n.pointee.feature.map { UnsafeRawBufferPointer(start: $0, count: strlen($0)).assumingMemoryBound(to: UInt8.self) }
            out.append(Self.word(surface: surface, feature: feature ?? UnsafeBufferPointer(start: nil, count: 0)))
        }
        return out
    }

    static let auxiliary = Array("助動詞".utf8), particle = Array("助詞".utf8), noun = Array("名詞".utf8)
    static let dependent = Array("非自立".utf8), suffix = Array("接尾".utf8), conjunctive = Array("接続助詞".utf8)
    static let copulaDa = Array("だ".utf8), copulaDesu = Array("です".utf8), star = Array("*".utf8)

    /// The word of one MeCab node: `feature` is IPAdic's `pos,pos1,pos2,pos3,conjugation,form,base,reading,pronunciation`
    /// (UTF-8, read in place: this runs for every word of every Japanese title).
    static func word(surface: UnsafeBufferPointer<UInt8>, feature: UnsafeBufferPointer<UInt8>) -> Word {
        // The byte ranges of the first nine fields.
        var fields: [Range<Int>] = []
        fields.reserveCapacity(9)
        var start = 0
        for i in 0...feature.count where fields.count < 9 && (i == feature.count || feature[i] == UInt8(ascii: ",")) {
            fields.append(start..<i)
            start = i + 1
        }
        func field(_ k: Int) -> UnsafeBufferPointer<UInt8> {
            k < fields.count ? UnsafeBufferPointer(rebasing: feature[fields[k]]) : UnsafeBufferPointer(start: nil, count: 0)
        }
        func text(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }
        let pos = field(0), pos1 = field(1), base = field(6)
        // The copula (だ, な, です) stands apart like a particle ("jiyu na"); other auxiliaries end the word before them.
        let isAuxiliary = pos.elementsEqual(auxiliary)
        let copula = isAuxiliary && (base.elementsEqual(copulaDa) || base.elementsEqual(copulaDesu))
        // A dependent verb or adjective (the いる of ている) attaches; a dependent noun (日, こと, もの) is a word.
        let attaches = (isAuxiliary && !copula) || (pos1.elementsEqual(dependent) && !pos.elementsEqual(noun))
            || pos1.elementsEqual(suffix) || (pos.elementsEqual(particle) && pos1.elementsEqual(conjunctive))
        let reading = field(7)
        guard !reading.isEmpty, !reading.elementsEqual(star) else { return Word(reading: text(surface), attaches: attaches) }
        let pronunciation = field(8)
        if reading.elementsEqual(pronunciation) { return Word(reading: text(reading), attaches: attaches) }
        return Word(reading: spelling(reading: text(reading), pronunciation: text(pronunciation)), attaches: attaches)
    }

    /// The reading spelled as romaji titles are: where the pronunciation, aligned with the reading, has ー for the
    /// reading's ウ (a long vowel: トウキョウ / トーキョー) the ウ goes (トキョ → `tokyo`; センセイ / センセー keeps its イ,
    /// `sensei`); ハ and ヘ pronounced ワ and エ (the particles, こんにちは) are spelled so. A reading whose pronunciation
    /// does not align is kept as it is.
    static func spelling(reading: String, pronunciation: String) -> String {
        let r = Array(reading), p = Array(pronunciation)
        guard r.count == p.count, r != p else { return reading }
        var out = ""
        for i in r.indices {
            switch (r[i], p[i]) {
            case ("ウ", "ー"): continue
            case ("ハ", "ワ"): out.append("ワ")
            case ("ヘ", "エ"): out.append("エ")
            default: out.append(r[i])
            }
        }
        return out
    }
}
