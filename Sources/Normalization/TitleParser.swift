import OeuvreCore

/// A streaming-service title taken apart: the core title plus the qualifiers that were peeled off.
public struct ParsedTitle: Sendable, Hashable {
    /// The input as given.
    public var original: String
    /// Latin-script ASCII form of the input (ICU transliteration), case and punctuation kept.
    public var latin: String
    /// Normalized core title: lower-case ASCII words, single spaces, qualifiers removed.
    public var core: String
    /// Version tags found (lower-case names: `live`, `remix`, `remaster`, `edit`, …), in order of
    /// appearance (subtitle last), no duplicates. See ``VersionTag``.
    public var tags: [String]
    /// Featured artists moved out of the title, normalized.
    public var featured: [String]
    /// Remixers named by a remix or edit qualifier ("Tiësto's … Remix", "Remixed by X"), normalized.
    public var remixers: [String]
    /// Component titles (normalized) when the title is a medley `A / B`; empty otherwise.
    public var medleyParts: [String]
    /// Original performers named by a karaoke/cover qualifier ("In the Style of X", "Tribute to X").
    public var originalArtists: [String]
    /// Production a title says it is from ("From \"Frozen\"", "du film X"), normalized.
    public var from: String?
    /// Other readings of the core when it keeps bracketed text that is not a qualifier: the core
    /// without those asides, then each aside ("Pride (In the Name of Love)" → `pride`,
    /// `in the name of love`). Empty when the core has no aside.
    public var alternates: [String]

    public init(original: String, latin: String, core: String, tags: [String] = [], featured: [String] = [],
                remixers: [String] = [], medleyParts: [String] = [], originalArtists: [String] = [], from: String? = nil,
                alternates: [String] = []) {
        self.original = original
        self.latin = latin
        self.core = core
        self.tags = tags
        self.featured = featured
        self.remixers = remixers
        self.medleyParts = medleyParts
        self.originalArtists = originalArtists
        self.from = from
        self.alternates = alternates
    }
}

/// Splits streaming-service titles into core title, version tags and featured artists.
///
/// Bracketed groups (`(…)`, `[…]`, `{…}`) anywhere but at the start, ` - ` suffixes and an inline
/// "feat."/"ft." tail are peeled off when their content is a featuring credit or a *complete*
/// qualifier: every word is either in the lexicon (English, French, Spanish, German, Italian,
/// Portuguese, plus a few transliterated Japanese/Korean/Chinese/Russian/Greek words), a number, a
/// name in a slot the lexicon opens ("Live at <venue>", "<remixer> Remix", "In the Style of
/// <artist>", "From \"<film>\""). Anything else stays part of the title, so leading and inner
/// title words survive: "Live and Let Die", "Remix to Ignition", "(I Can't Get No) Satisfaction",
/// "Pride (In the Name of Love)". See docs/NORMALIZATION.md for the lexicon.
///
/// Works on the UTF-8 bytes of the Latin form; ASCII titles never reach ICU.
/// Not thread-safe (it owns a `Normalizer` and scratch buffers): one per task.
public final class TitleParser {
    /// Changes whenever the parsing rules do (not the lexicon: `Normalizer.vocabularyFingerprint` covers that), so
    /// that what is derived from parsed titles and kept (a match index) is rebuilt. 2: a remixer slot holding a work
    /// part ("Oxygen Part 4 Dub") and a language beside genre words ("(Russian Dance)") are not qualifiers.
    public static let rulesRevision = 2

    public let normalizer: Normalizer
    private var state = ParserState()

    public init(normalizer: Normalizer = Normalizer()) {
        self.normalizer = normalizer
    }

    /// Parses `title`; `subtitle` (DSR SubTitle / a version field) is read as one more qualifier.
    public func parse(_ title: String, subtitle: String? = nil) -> ParsedTitle {
        let latin = normalizer.latinize(title)
        var latinSubtitle: String?
        if let subtitle, !subtitle.isEmpty { latinSubtitle = normalizer.latinize(subtitle) }
        // One exclusive access to the state for the whole parse; everything inside is static.
        return state.parse(title, latin: latin, subtitle: latinSubtitle)
    }

    /// The Japanese reading of a title written in Han characters alone (no kana, no Hangul): `title` parsed with its
    /// kanji read by MeCab (`Normalizer.hanAsJapanese`), or nil when the title is not such a title, when no dictionary
    /// is open, or when the reading is the Mandarin one (characters MeCab does not know). Kanji alone do not tell
    /// Japanese from Chinese ("千本桜" `qian ben ying` / `senbon sakura`, "月亮" `yue liang` / `gekko`): the engine
    /// keeps both readings (docs/NORMALIZATION.md, "Han titles").
    public func japaneseReading(_ title: String, subtitle: String? = nil, mandarin: ParsedTitle) -> ParsedTitle? {
        guard normalizer.readsHanAsJapanese(title) else { return nil }
        normalizer.hanAsJapanese = true
        defer { normalizer.hanAsJapanese = false }
        let p = parse(title, subtitle: subtitle)
        return p.core.isEmpty || p.core == mandarin.core ? nil : p
    }
}

/// The parser's working memory. A struct so that the hot path has no dynamic exclusivity checks
/// and no reference counting on its buffers; reused across calls (capacity kept).
private struct ParserState {
    private let lex = QualifierLexicon.shared

    private struct Group {
        var start: Int  // opening bracket
        var end: Int  // one past the closing bracket (or the end of the title when unclosed)
        var contentStart: Int
        var contentEnd: Int
        var peeled = false
        var leading = false
    }

    private struct Token {
        var start: Int32
        var end: Int32
        var id: Int32
        var flags: UInt8
    }

    private static let fYear: UInt8 = 1, fNumber: UInt8 = 2, fPossessive: UInt8 = 4, fSegBreak: UInt8 = 8

    private struct TagEvent {
        var pos: Int32
        var order: Int32
        var bits: UInt32
    }

    private struct NameEvent {
        var pos: Int32
        var order: Int32
        var name: String
    }

    private struct Marks {
        var tags: Int, feats: Int, remixers: Int, originals: Int, froms: Int
    }

    private enum Classification { case none, featuring, qualifier }

    private var buf: [UInt8] = []
    private var groups: [Group] = []
    private var toks: [Token] = []
    private var quotes: [Int32] = []
    private var tagEvents: [TagEvent] = []
    private var featEvents: [NameEvent] = []
    private var remixers: [String] = []
    private var originals: [String] = []
    private var froms: [String] = []
    private var gathered: [UInt8] = []
    private var folded: [UInt8] = []
    private var spans: [(Int, Int)] = []
    private var names: [String] = []
    private var credit = CreditSplitter.Scratch()

    mutating func parse(_ title: String, latin: String, subtitle: String?) -> ParsedTitle {
        buf.removeAll(keepingCapacity: true)
        appendClean(latin)
        let n = buf.count
        var subStart = -1
        if let subtitle {
            buf.append(0x20)
            subStart = buf.count
            appendClean(subtitle)
        }
        tagEvents.removeAll(keepingCapacity: true)
        featEvents.removeAll(keepingCapacity: true)
        remixers.removeAll(keepingCapacity: true)
        originals.removeAll(keepingCapacity: true)
        froms.removeAll(keepingCapacity: true)

        // 1. Bracketed groups.
        let scan = findGroups(n)
        for gi in groups.indices {
            let g = groups[gi]
            let mark = marks()
            let kind = classify(g.contentStart, g.contentEnd, allowFeaturing: true, skipPeeled: false)
            if kind == .none { continue }
            if g.leading && (kind == .featuring || tagBits(since: mark) & ~VersionTag.video.bit != 0) {
                rollback(mark)  // "(Live) …" at the start is a title word, not a qualifier
                continue
            }
            groups[gi].peeled = true
        }

        // 2. " - " suffixes, repeatedly: "Title - Live at Wembley - Remastered 2011".
        var end = trimRight(n)
        while scan.dash, let dash = lastDash(before: end) {
            if classify(dash.suffixStart, end, allowFeaturing: true, skipPeeled: true) == .none { break }
            end = trimRight(dash.dashStart)
        }

        // 3. Inline featuring: "Title feat. X".
        if scan.featuring, let feat = inlineFeaturing(before: end) {
            addFeatured(feat.namesStart, end, pos: feat.start)
            end = trimRight(feat.start)
        }

        // 4. Subtitle.
        if subStart >= 0 {
            let mark = marks()
            if classify(subStart, buf.count, allowFeaturing: true, skipPeeled: false) == .none {
                rollback(mark)
                lenientTags(subStart, buf.count)
            }
        }

        // 5. Body: medley, core, alternates.
        gather(0, end)
        var bodyStart = 0
        let bodyEnd = gathered.count
        if let afterPrefix = medleyPrefix() {
            bodyStart = afterPrefix
            tagEvents.append(TagEvent(pos: 0, order: 0, bits: VersionTag.medley.bit))
        }
        var medleyParts: [String] = []
        if scan.slash || hasTag(.medley) { splitMedley(bodyStart, bodyEnd, into: &medleyParts) }
        var core = foldGathered(bodyStart, bodyEnd, skipSpans: false)
        if core.isEmpty {
            // Everything looked like a qualifier ("Intro (Remix)" never gets here; "- Live" might).
            folded.removeAll(keepingCapacity: true)
            buf.withUnsafeBufferPointer { Normalizer.fold(UnsafeBufferPointer(rebasing: $0[0..<n]), into: &folded) }
            core = Normalizer.string(folded)
        } else if foldedEndsWithMedley() {
            tagEvents.append(TagEvent(pos: Int32(n), order: 0, bits: VersionTag.medley.bit))  // "Beatles Medley"
        }
        var alternates: [String] = []
        if !spans.isEmpty && !core.isEmpty {
            let bare = foldGathered(bodyStart, bodyEnd, skipSpans: true)
            if !bare.isEmpty && bare != core { alternates.append(bare) }
            for (s, e) in spans where s >= bodyStart {
                let aside = foldGathered(s, e, skipSpans: false)
                if !aside.isEmpty && aside != core && !alternates.contains(aside) { alternates.append(aside) }
            }
        }

        // Hand the name arrays over (sharing them with the result would make the next removeAll copy).
        var outRemixers: [String] = []
        if !remixers.isEmpty { swap(&outRemixers, &remixers) }
        var outOriginals: [String] = []
        if !originals.isEmpty { swap(&outOriginals, &originals) }
        return ParsedTitle(original: title, latin: latin, core: core, tags: orderedTags(), featured: orderedFeatured(),
                           remixers: outRemixers, medleyParts: medleyParts, originalArtists: outOriginals, from: froms.first,
                           alternates: alternates)
    }

    private func hasTag(_ t: VersionTag) -> Bool {
        for ev in tagEvents where ev.bits & t.bit != 0 { return true }
        return false
    }

    /// Whether the last folded core (in `folded`) is "medley" or ends with " medley".
    private func foldedEndsWithMedley() -> Bool {
        let n = folded.count
        guard n >= 6, folded[n - 6] == UInt8(ascii: "m"), folded[n - 5] == UInt8(ascii: "e"), folded[n - 4] == UInt8(ascii: "d"),
              folded[n - 3] == UInt8(ascii: "l"), folded[n - 2] == UInt8(ascii: "e"), folded[n - 1] == UInt8(ascii: "y")
        else { return false }
        return n == 6 || folded[n - 7] == 0x20
    }

    // MARK: - Input

    private mutating func appendClean(_ s: String) {
        var copy = s
        copy.withUTF8 { raw in
            let n = min(raw.count, Normalizer.maxInputBytes)  // the Latin form is ASCII: any cut is safe
            let start = buf.count
            buf.append(contentsOf: UnsafeBufferPointer(rebasing: raw[0..<n]))
            buf.withUnsafeMutableBufferPointer { b in
                for i in start..<b.count where b[i] < 0x20 || b[i] == 0x7F { b[i] = 0x20 }
            }
        }
    }

    private func trimRight(_ end: Int) -> Int {
        var e = end
        while e > 0 && buf[e - 1] == 0x20 { e -= 1 }
        return e
    }

    private mutating func findGroups(_ n: Int) -> ScanFlags {
        var found = groups
        groups = []
        found.removeAll(keepingCapacity: true)
        let flags = buf.withUnsafeBufferPointer { b in Self.findGroups(b, n, into: &found) }
        groups = found
        return flags
    }

    /// Byte classes for the first scan: 1 open bracket, 2 close bracket, 3 "-", 4 "/", 5 f/F/w/W.
    nonisolated(unsafe) private static let byteClass: UnsafePointer<UInt8> = {  // immutable after init
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        for c in "([{".utf8 { t[Int(c)] = 1 }
        for c in ")]}".utf8 { t[Int(c)] = 2 }
        t[Int(UInt8(ascii: "-"))] = 3
        t[Int(UInt8(ascii: "/"))] = 4
        for c in "fFwW".utf8 { t[Int(c)] = 5 }
        return UnsafePointer(t)  // lives for the process
    }()

    /// One pass over the title: bracket groups, plus which later scans can be skipped.
    private static func findGroups(_ b: UnsafeBufferPointer<UInt8>, _ n: Int, into groups: inout [Group]) -> ScanFlags {
        var flags = ScanFlags()
        guard let p = b.baseAddress, n > 0 else { return flags }
        let table = byteClass
        var first = 0
        while first < n && p[first] == 0x20 { first += 1 }
        var depth = 0
        var start = 0
        for i in 0..<n {
            let k = table[Int(p[i])]
            if k == 0 { continue }
            switch k {
            case 1:
                if depth == 0 { start = i }
                depth += 1
            case 2:
                if depth > 0 {
                    depth -= 1
                    if depth == 0 {
                        groups.append(Group(start: start, end: i + 1, contentStart: start + 1, contentEnd: i, leading: start == first))
                    }
                }
            case 3: flags.dash = true
            case 4: flags.slash = true
            default: if i == 0 || p[i - 1] == 0x20 { flags.featuring = true }
            }
        }
        if depth > 0 {  // unclosed (a truncated title): the group runs to the end
            groups.append(Group(start: start, end: n, contentStart: start + 1, contentEnd: n, leading: start == first))
        }
        return flags
    }

    private struct ScanFlags {
        var dash = false
        var slash = false
        var featuring = false
    }

    private func insideGroup(_ i: Int) -> Bool {
        for g in groups where i >= g.start && i < g.end { return true }
        return false
    }

    /// The last " - " (or " -- ") before `end` outside brackets: (start of the space before it, start of the suffix).
    private func lastDash(before end: Int) -> (dashStart: Int, suffixStart: Int)? {
        buf.withUnsafeBufferPointer { lastDash($0, before: end) }
    }

    private func lastDash(_ buf: UnsafeBufferPointer<UInt8>, before end: Int) -> (dashStart: Int, suffixStart: Int)? {
        var i = end - 1
        while i > 1 {
            if buf[i] == UInt8(ascii: "-") {
                var s = i
                while s > 0 && buf[s - 1] == UInt8(ascii: "-") { s -= 1 }
                if s >= 1 && buf[s - 1] == 0x20 && i + 1 < end && buf[i + 1] == 0x20 && i - s < 3 && !insideGroup(i) {
                    var before = s - 1
                    while before > 0 && buf[before - 1] == 0x20 { before -= 1 }
                    if before > 0 { return (s - 1, i + 2) }
                    return nil
                }
                i = s - 1
                continue
            }
            i -= 1
        }
        return nil
    }

    /// " feat. X" / " ft. X" / " featuring X" / " w/ X" outside brackets: (start, start of the names).
    private func inlineFeaturing(before end: Int) -> (start: Int, namesStart: Int)? {
        buf.withUnsafeBufferPointer { inlineFeaturing($0, before: end) }
    }

    private func inlineFeaturing(_ buf: UnsafeBufferPointer<UInt8>, before end: Int) -> (start: Int, namesStart: Int)? {
        var i = 1
        while i < end {
            if buf[i - 1] == 0x20 && Normalizer.isLetter(buf[i]) {
                var j = i
                while j < end && Normalizer.isLetter(buf[j]) { j += 1 }
                let len = j - i
                var isFeat = false
                if (len == 4 || len == 2 || len == 9) && buf[i] | 0x20 == UInt8(ascii: "f") {
                    isFeat = matches(i, j, "feat") || matches(i, j, "ft") || matches(i, j, "featuring")
                } else if len == 1 && j < end && buf[j] == UInt8(ascii: "/") && (buf[i] | 0x20) == UInt8(ascii: "w") {
                    isFeat = true
                }
                if isFeat && j < end && (buf[j] == UInt8(ascii: ".") || buf[j] == 0x20 || buf[j] == UInt8(ascii: ":") || buf[j] == UInt8(ascii: "/"))
                    && !insideGroup(i) {
                    var k = j + 1
                    while k < end && buf[k] == 0x20 { k += 1 }
                    if k < end { return (i - 1, k) }
                }
                i = j
                continue
            }
            i += 1
        }
        return nil
    }

    private func matches(_ s: Int, _ e: Int, _ w: StaticString) -> Bool {
        guard e - s == w.utf8CodeUnitCount else { return false }
        let p = w.utf8Start
        for k in 0..<(e - s) where Normalizer.lower(buf[s + k]) != p[k] { return false }
        return true
    }

    private func tokenIs(_ t: Token, _ w: StaticString) -> Bool {
        matches(Int(t.start), Int(t.end), w)
    }

    // MARK: - Classification

    private func marks() -> Marks {
        Marks(tags: tagEvents.count, feats: featEvents.count, remixers: remixers.count, originals: originals.count, froms: froms.count)
    }

    private mutating func rollback(_ m: Marks) {
        tagEvents.removeLast(tagEvents.count - m.tags)
        featEvents.removeLast(featEvents.count - m.feats)
        remixers.removeLast(remixers.count - m.remixers)
        originals.removeLast(originals.count - m.originals)
        froms.removeLast(froms.count - m.froms)
    }

    private func tagBits(since m: Marks) -> UInt32 {
        var bits: UInt32 = 0
        for k in m.tags..<tagEvents.count { bits |= tagEvents[k].bits }
        return bits
    }

    /// Classifies `buf[start..<end]` as a featuring credit, a complete qualifier or neither. Tags and
    /// names are recorded only when it is one of the first two.
    private mutating func classify(_ start: Int, _ end: Int, allowFeaturing: Bool, skipPeeled: Bool) -> Classification {
        tokenize(start, end, skipPeeled: skipPeeled)
        if toks.isEmpty { return .qualifier }  // "()", "[...]": empty decoration
        if allowFeaturing, let namesStart = strongFeaturing() {
            addFeatured(namesStart, end, pos: start, skipPeeled: skipPeeled)
            return .featuring
        }
        let mark = marks()
        if classifySegments(end) { return .qualifier }
        rollback(mark)
        if allowFeaturing, let namesStart = guardedFeaturing() {
            addFeatured(namesStart, end, pos: start, skipPeeled: skipPeeled)
            return .featuring
        }
        return .none
    }

    /// Start of the names when the tokens open with an unambiguous featuring word.
    private func strongFeaturing() -> Int? {
        let t0 = toks[0]
        let e0 = Int(t0.end)
        if tokenIs(t0, "feat") || tokenIs(t0, "ft") || tokenIs(t0, "featuring") || tokenIs(t0, "feats") {
            return toks.count > 1 ? Int(toks[1].start) : nil
        }
        if tokenIs(t0, "w") && e0 < buf.count && buf[e0] == UInt8(ascii: "/") {
            return toks.count > 1 ? Int(toks[1].start) : nil
        }
        if tokenIs(t0, "part") && e0 < buf.count && buf[e0] == UInt8(ascii: ".") && toks.count > 1 && toks[1].flags & Self.fNumber == 0 {
            return Int(toks[1].start)  // Portuguese "part. Anitta"
        }
        if tokenIs(t0, "participacao") || tokenIs(t0, "participacion") || tokenIs(t0, "participation") {
            var k = 1
            while k < toks.count && (tokenIs(toks[k], "especial") || tokenIs(toks[k], "special") || tokenIs(toks[k], "de")
                || tokenIs(toks[k], "da") || tokenIs(toks[k], "do") || tokenIs(toks[k], "del")) { k += 1 }
            return k < toks.count ? Int(toks[k].start) : nil
        }
        if (tokenIs(t0, "duet") || tokenIs(t0, "dueto") || tokenIs(t0, "duo")) && toks.count > 2
            && (tokenIs(toks[1], "with") || tokenIs(toks[1], "con") || tokenIs(toks[1], "avec") || tokenIs(toks[1], "com")) {
            return Int(toks[2].start)
        }
        return nil
    }

    /// Start of the names for "(with X)", "(con X)", "(avec X)", "(mit X)", "(com X)", "(x X)" when X
    /// does not read like the rest of a phrase ("With a Hole in Her Stocking", "Con Todo", "Avec le temps").
    private func guardedFeaturing() -> Int? {
        guard toks.count >= 2 else { return nil }
        let t0 = toks[0]
        guard tokenIs(t0, "with") || tokenIs(t0, "con") || tokenIs(t0, "avec") || tokenIs(t0, "mit") || tokenIs(t0, "com")
            || tokenIs(t0, "x") else { return nil }
        let t1 = toks[1]
        let s = Int(t1.start), e = Int(t1.end)
        guard e - s <= 12, t1.flags & (Self.fNumber | Self.fYear) == 0 else { return nil }
        var key = ""
        for k in s..<e { key.unicodeScalars.append(Unicode.Scalar(Normalizer.lower(buf[k]))) }
        if Self.phraseStarters.contains(key) { return nil }
        return s
    }

    /// Words after "with"/"con"/"avec"/"mit"/"com" that start a phrase rather than a name.
    private static let phraseStarters: Set<String> = [
        "a", "an", "another", "my", "your", "yours", "his", "her", "our", "their", "me", "you", "him", "us", "them", "it",
        "love", "all", "every", "everything", "nothing", "no", "some", "somebody", "someone", "this", "that", "these", "those",
        "each", "or", "and", "one", "two", "in", "on", "to", "what", "who", "whom", "i", "we", "they", "she", "he", "god",
        "el", "la", "los", "las", "un", "una", "unos", "unas", "mi", "mis", "tu", "tus", "su", "sus", "nuestro", "todo",
        "toda", "todos", "amor", "lo", "usted", "ustedes", "ella", "ellos", "migo", "tigo", "nosotros", "vos", "que",
        "mucho", "tanto", "cada", "esta", "este", "eso", "alma", "corazon", "le", "les", "une", "des", "du", "de", "mon",
        "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "votre", "moi", "toi", "lui", "elle", "eux", "nous",
        "vous", "tout", "tous", "toute", "amour", "ce", "cette", "qui", "der", "die", "das", "dem", "den", "ein", "eine",
        "einem", "einen", "einer", "mir", "dir", "ihm", "ihr", "uns", "euch", "ihnen", "mein", "dein", "sein", "meinem",
        "deinem", "dich", "mich", "liebe", "allen", "o", "os", "as", "um", "uma", "meu", "minha", "teu", "tua", "seu", "sua",
        "voce", "voces", "ele", "ela", "eles", "tudo", "nos", "il", "gli", "uno", "mio", "mia", "tuo", "te", "noi", "voi",
        "lei", "tutto", "amore", "the",
    ]

    private mutating func addFeatured(_ start: Int, _ end: Int, pos: Int, skipPeeled: Bool = true) {
        gather(start, end, skipPeeled: skipPeeled)
        names.removeAll(keepingCapacity: true)
        gathered.withUnsafeBufferPointer { CreditSplitter.split(bytes: $0, kind: .featured, into: &names, scratch: &credit) }
        for name in names { featEvents.append(NameEvent(pos: Int32(pos), order: Int32(featEvents.count), name: name)) }
    }

    private mutating func tokenize(_ start: Int, _ end: Int, skipPeeled: Bool) {
        // Work on local arrays: the closure reads `buf` while these grow.
        var toks = self.toks
        var quotes = self.quotes
        self.toks = []
        self.quotes = []
        toks.removeAll(keepingCapacity: true)
        quotes.removeAll(keepingCapacity: true)
        let groups = self.groups
        buf.withUnsafeBufferPointer { b in
            var gi = 0
            var segBreak = false
            var i = start
            while i < end {
                if skipPeeled {
                    while gi < groups.count && groups[gi].end <= i { gi += 1 }
                    if gi < groups.count && groups[gi].start == i && groups[gi].peeled {
                        i = groups[gi].end
                        continue
                    }
                }
                let c = b[i]
                if Normalizer.isAlnum(c) {
                    let s = i
                    var h = QualifierLexicon.hashSeed
                    var count = 0
                    var digits = 0
                    var leadingDigits = 0
                    var value = 0
                    var flags: UInt8 = 0
                    while i < end {
                        let ch = b[i]
                        if Normalizer.isAlnum(ch) {
                            h = QualifierLexicon.hash(h, Normalizer.lower(ch))
                            if ch <= 57 {
                                digits += 1
                                if leadingDigits == count { leadingDigits += 1; value = value &* 10 &+ Int(ch &- 48) }
                            }
                            count += 1
                            i += 1
                        } else if (ch == UInt8(ascii: "'") || ch == UInt8(ascii: "`")) && i + 1 < end && Normalizer.isAlnum(b[i + 1]) {
                            if Normalizer.lower(b[i + 1]) == UInt8(ascii: "s") && (i + 2 >= end || !Normalizer.isAlnum(b[i + 2])) {
                                flags |= Self.fPossessive
                            }
                            i += 1
                        } else {
                            break
                        }
                    }
                    let id = lex.lookup(hash: h, raw: b, start: s, end: i, count: count)
                    if digits == count {
                        flags |= Self.fNumber
                        if count == 4 && value >= 1900 && value <= 2099 { flags = flags & ~Self.fNumber | Self.fYear }
                    } else if leadingDigits == digits && digits > 0 && count - digits <= 2 && Self.isOrdinalSuffix(b, s, i, digits) {
                        flags |= Self.fNumber  // "50th", "2nd", "80s"
                    }
                    if segBreak { flags |= Self.fSegBreak; segBreak = false }
                    toks.append(Token(start: Int32(s), end: Int32(i), id: id, flags: flags))
                    continue
                }
                switch c {
                case UInt8(ascii: "@"):
                    toks.append(Token(start: Int32(i), end: Int32(i + 1), id: lex.idAt, flags: segBreak ? Self.fSegBreak : 0))
                    segBreak = false
                case UInt8(ascii: "&"), UInt8(ascii: "+"):
                    toks.append(Token(start: Int32(i), end: Int32(i + 1), id: lex.idAnd, flags: segBreak ? Self.fSegBreak : 0))
                    segBreak = false
                case UInt8(ascii: "\""):
                    quotes.append(Int32(i))
                case UInt8(ascii: "/"), UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                    segBreak = true
                case UInt8(ascii: "-"):
                    if i == start || i + 1 == end || b[i - 1] == 0x20 || b[i + 1] == 0x20 { segBreak = true }
                default:
                    break
                }
                i += 1
            }
        }
        self.toks = toks
        self.quotes = quotes
    }

    /// The letters after the leading digits of the token `b[s..<e]` are "s", "st", "nd", "rd" or "th".
    private static func isOrdinalSuffix(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ digits: Int) -> Bool {
        var letters: (UInt8, UInt8) = (0, 0)
        var n = 0
        var seen = 0
        for k in s..<e where Normalizer.isAlnum(b[k]) {
            seen += 1
            if seen <= digits { continue }
            if n == 0 { letters.0 = Normalizer.lower(b[k]) } else { letters.1 = Normalizer.lower(b[k]) }
            n += 1
        }
        switch (n, letters.0, letters.1) {
        case (1, UInt8(ascii: "s"), _): return true
        case (2, UInt8(ascii: "s"), UInt8(ascii: "t")), (2, UInt8(ascii: "n"), UInt8(ascii: "d")),
             (2, UInt8(ascii: "r"), UInt8(ascii: "d")), (2, UInt8(ascii: "t"), UInt8(ascii: "h")):
            return true
        default:
            return false
        }
    }

    /// Every segment (split at " - ", "/", ";", "|", "~") must be a qualifier.
    private mutating func classifySegments(_ end: Int) -> Bool {
        var groupBits: UInt32 = 0
        var yearPos: Int32 = -1
        var segFirst = 0
        var i = 1
        while i <= toks.count {
            if i == toks.count || toks[i].flags & Self.fSegBreak != 0 {
                let segEnd = i < toks.count ? Int(toks[i].start) : end
                guard let r = classifySegment(segFirst, i, segEnd: segEnd) else { return false }
                groupBits |= r.bits
                if r.bits == 0 && yearPos < 0 { yearPos = r.yearPos }
                segFirst = i
            }
            i += 1
        }
        if groupBits == 0 {
            guard yearPos >= 0 else { return false }
            tagEvents.append(TagEvent(pos: yearPos, order: 0, bits: VersionTag.version.bit))  // "(1978)"
        }
        return true
    }

    private struct SegmentResult {
        var bits: UInt32
        var yearPos: Int32
    }

    /// Classifies tokens `first..<last`; nil when the segment is not a complete qualifier.
    private mutating func classifySegment(_ first: Int, _ last: Int, segEnd: Int) -> SegmentResult? {
        let live = VersionTag.live.bit
        var bits: UInt32 = 0
        var weakBits: UInt32 = 0
        var weakPos: Int32 = -1
        var pendFirst = -1, pendLast = -1
        var yearPos: Int32 = -1
        var lastBits: UInt32 = 0
        // Filler words other than articles and conjunctions ("dance", "rock", "radio"): beside a language alone
        // they make a title's words ("(Russian Dance)"), not a translation qualifier ("(Russian)", "(The Spanish Version)").
        var contentFillers = 0
        var i = first
        while i < last {
            let t = toks[i]
            var matched = -1
            var len = 0
            if t.id >= 0 {
                for q in lex.phrases(startingWith: t.id) {
                    let p = lex.phrase(at: q)
                    let plen = lex.phraseLength(p)
                    if plen > last - i { continue }
                    var ok = true
                    var k = 1
                    while k < plen {
                        if toks[i + k].id != lex.phraseWord(p, k) { ok = false; break }
                        k += 1
                    }
                    if ok { matched = p; len = plen; break }
                }
            }
            if matched < 0 {
                if t.flags & Self.fYear != 0 && pendFirst < 0 {
                    if yearPos < 0 { yearPos = t.start }
                } else if t.flags & (Self.fNumber | Self.fYear) != 0 {
                    if pendFirst >= 0 { pendLast = i }
                } else {
                    if pendFirst < 0 { pendFirst = i }
                    pendLast = i
                }
                i += 1
                continue
            }
            let lx = lex.lexeme(matched)
            switch lx.role {
            case .filler:
                if len > 1 || !(tokenIs(t, "the") || tokenIs(t, "an") || tokenIs(t, "and") || tokenIs(t, "for")) { contentFillers += 1 }
            case .tag:
                bits |= lx.tags
                lastBits = lx.tags
                tagEvents.append(TagEvent(pos: t.start, order: 0, bits: lx.tags))
            case .head, .weakHead:
                let hasModifier = pendFirst >= 0
                // "Oxygen Part 4 Dub", "Movement 2 Mix": a part of a work before the head is a title, not a remixer.
                if hasModifier && (lx.modifier == .remixer || lx.tags & VersionTag.remix.bit != 0)
                    && slotHasWorkPartWord(pendFirst, pendLast + 1) { return nil }
                if hasModifier && lx.modifier == .remixer { addNames(pendFirst, pendLast, to: .remixer) }
                if lx.role == .head || hasModifier {
                    bits |= lx.tags
                    tagEvents.append(TagEvent(pos: hasModifier ? toks[pendFirst].start : t.start, order: 0, bits: lx.tags))
                } else {
                    weakBits |= lx.tags
                    if weakPos < 0 { weakPos = t.start }
                }
                lastBits = lx.tags
                pendFirst = -1
            case .opener:
                if pendFirst >= 0 { return nil }
                let slotFirst = i + len
                let slotStart = Int(toks[i + len - 1].end)
                switch lx.opener {
                case .location:
                    if (bits | lx.tags) & live == 0 {
                        // "(De \"Coco\")", "(Aus \"Frozen\")": a whole segment "from" + a quoted production.
                        guard i == first, len == 1, slotFirst < last, isFromPreposition(t), isQuotedToEnd(slotStart, segEnd) else { return nil }
                        addFrom(slotFirst, last, slotStart: slotStart, segEnd: segEnd)
                        bits |= VersionTag.from.bit
                        tagEvents.append(TagEvent(pos: t.start, order: 0, bits: VersionTag.from.bit))
                    }
                case .from:
                    if bits & live == 0 {
                        guard slotFirst < last, hasQuote(slotStart, segEnd) || slotHasProductionWord(slotFirst, last),
                              !slotHasWorkPartWord(slotFirst, last) else { return nil }
                        addFrom(slotFirst, last, slotStart: slotStart, segEnd: segEnd)
                    }
                case .production:
                    if slotFirst < last {
                        // "Theme from 2nd Movement" names a part of a work, not a production.
                        if !hasQuote(slotStart, segEnd) && slotHasWorkPartWord(slotFirst, last) { return nil }
                        addFrom(slotFirst, last, slotStart: slotStart, segEnd: segEnd)
                    }
                case .originalArtist:
                    if slotFirst < last { addNames(slotFirst, last - 1, to: .original) }
                case .by:
                    if bits | weakBits == 0 { return nil }
                    if slotFirst < last {
                        if lastBits & (VersionTag.remix.bit | VersionTag.edit.bit) != 0 {
                            addNames(slotFirst, last - 1, to: .remixer)
                        } else if lastBits & VersionTag.karaoke.bit != 0 {
                            addNames(slotFirst, last - 1, to: .original)
                        }
                    }
                case .credit, .none:
                    break
                }
                if lx.tags != 0 && !(lx.opener == .from && bits & live != 0) {
                    bits |= lx.tags
                    tagEvents.append(TagEvent(pos: t.start, order: 0, bits: lx.tags))
                }
                return SegmentResult(bits: bits, yearPos: yearPos)
            }
            i += len
        }
        if pendFirst >= 0 { return nil }
        if bits == VersionTag.translation.bit && weakBits == 0 && contentFillers > 0 { return nil }
        if bits == 0 && weakBits != 0 {
            bits = weakBits
            tagEvents.append(TagEvent(pos: weakPos, order: 0, bits: weakBits))
        }
        // A segment of fillers/numbers only ("16" in "1/16/1992", "Unedited") is fine inside a group that tags.
        return SegmentResult(bits: bits, yearPos: yearPos)
    }

    private func hasQuote(_ s: Int, _ e: Int) -> Bool {
        for q in quotes where Int(q) >= s && Int(q) < e { return true }
        return false
    }

    private func slotHasWorkPartWord(_ first: Int, _ last: Int) -> Bool {
        for k in first..<last where lex.flags(toks[k].id) & QualifierLexicon.workPartFlag != 0 { return true }
        return false
    }

    private func isFromPreposition(_ t: Token) -> Bool {
        tokenIs(t, "de") || tokenIs(t, "du") || tokenIs(t, "da") || tokenIs(t, "do") || tokenIs(t, "aus") || tokenIs(t, "dal")
            || tokenIs(t, "del") || tokenIs(t, "des") || tokenIs(t, "dos") || tokenIs(t, "das") || tokenIs(t, "vom")
    }

    /// The slot is one quoted string: a quote first and a quote last (spaces and dots aside).
    private func isQuotedToEnd(_ s: Int, _ e: Int) -> Bool {
        var a = s, b = e
        while a < b && buf[a] == 0x20 { a += 1 }
        while b > a && (buf[b - 1] == 0x20 || buf[b - 1] == UInt8(ascii: ".")) { b -= 1 }
        return b - a >= 3 && buf[a] == UInt8(ascii: "\"") && buf[b - 1] == UInt8(ascii: "\"")
    }

    private func slotHasProductionWord(_ first: Int, _ last: Int) -> Bool {
        for k in first..<last where lex.flags(toks[k].id) & QualifierLexicon.productionFlag != 0 { return true }
        return false
    }

    private enum NameTarget { case remixer, original }

    /// Splits the credit spanning tokens `first...last` into remixers or original artists.
    /// A possessive ("Tiësto's Birthday Treatment Remix") ends the name.
    private mutating func addNames(_ first: Int, _ last: Int, to target: NameTarget) {
        var e = Int(toks[last].end)
        for k in first...last where toks[k].flags & Self.fPossessive != 0 {
            e = Int(toks[k].end) - 2
            break
        }
        let s = Int(toks[first].start)
        guard e > s else { return }
        names.removeAll(keepingCapacity: true)
        buf.withUnsafeBufferPointer { CreditSplitter.split(bytes: UnsafeBufferPointer(rebasing: $0[s..<e]), kind: .artist, into: &names, scratch: &credit) }
        for name in names {
            switch target {
            case .remixer: if !remixers.contains(name) { remixers.append(name) }
            case .original: if !originals.contains(name) { originals.append(name) }
            }
        }
    }

    /// Records the production named in a "from" slot: the quoted text if any, else the slot without
    /// words like "the original motion picture soundtrack".
    private mutating func addFrom(_ first: Int, _ last: Int, slotStart: Int, segEnd: Int) {
        var s = -1, e = -1
        for q in quotes where Int(q) >= slotStart && Int(q) < segEnd {
            if s < 0 { s = Int(q) + 1 } else { e = Int(q) }
        }
        if s >= 0 && e < s { e = segEnd }  // one quote only (truncated)
        if s < 0 {
            var a = first, b = last - 1
            while a <= b && lex.flags(toks[a].id) & QualifierLexicon.noiseFlag != 0 { a += 1 }
            while b >= a && lex.flags(toks[b].id) & QualifierLexicon.noiseFlag != 0 { b -= 1 }
            guard a <= b else { return }
            s = Int(toks[a].start)
            e = Int(toks[b].end)
        }
        folded.removeAll(keepingCapacity: true)
        buf.withUnsafeBufferPointer { Normalizer.fold(UnsafeBufferPointer(rebasing: $0[s..<e]), into: &folded) }
        if !folded.isEmpty { froms.append(Normalizer.string(folded)) }
    }

    /// Subtitles that are not a clean qualifier still give the tags of the lexicon words they contain.
    private mutating func lenientTags(_ start: Int, _ end: Int) {
        tokenize(start, end, skipPeeled: false)
        var i = 0
        while i < toks.count {
            let t = toks[i]
            var len = 1
            if t.id >= 0 {
                for q in lex.phrases(startingWith: t.id) {
                    let p = lex.phrase(at: q)
                    let plen = lex.phraseLength(p)
                    if plen > toks.count - i { continue }
                    var ok = true
                    for k in 1..<max(1, plen) where toks[i + k].id != lex.phraseWord(p, k) { ok = false; break }
                    if ok {
                        len = plen
                        let lx = lex.lexeme(p)
                        if lx.tags != 0 && lx.opener != .location && lx.opener != .from && lx.opener != .by {
                            tagEvents.append(TagEvent(pos: t.start, order: 0, bits: lx.tags))
                        }
                        break
                    }
                }
            }
            i += len
        }
    }

    // MARK: - Body

    /// Copies `buf[start..<end]` to `gathered`, peeled groups (when `skipPeeled`) replaced by a space,
    /// recording kept groups as `spans`.
    private mutating func gather(_ start: Int, _ end: Int, skipPeeled: Bool = true) {
        gathered.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        var i = start
        for g in groups where g.end > start && g.start < end {
            let gs = max(g.start, start), ge = min(g.end, end)
            if gs > i { gathered.append(contentsOf: buf[i..<gs]) }
            if g.peeled && skipPeeled {
                gathered.append(0x20)
            } else {
                let s = gathered.count
                gathered.append(contentsOf: buf[gs..<ge])
                if !g.peeled { spans.append((s, gathered.count)) }
            }
            i = max(i, ge)
        }
        if i < end { gathered.append(contentsOf: buf[i..<end]) }
    }

    private static let medleyWords: [StaticString] = [
        "medley", "potpourri", "popurri", "megamix", "mashup", "megamedley", "pot-pourri", "pout-pourri", "mash-up",
    ]

    private func gatheredEquals(_ s: Int, _ e: Int, _ w: StaticString) -> Bool {
        guard e - s == w.utf8CodeUnitCount else { return false }
        let p = w.utf8Start
        for k in 0..<(e - s) where Normalizer.lower(gathered[s + k]) != p[k] { return false }
        return true
    }

    /// "Medley: A / B", "Potpourri - A / B": the index after the prefix, or nil.
    private func medleyPrefix() -> Int? {
        let n = gathered.count
        var i = 0
        while i < n && gathered[i] == 0x20 { i += 1 }
        var j = i
        while j < n && (Normalizer.isLetter(gathered[j]) || gathered[j] == UInt8(ascii: "-")) { j += 1 }
        var isMedley = false
        if j - i >= 6 && j - i <= 11 {
            for w in Self.medleyWords where gatheredEquals(i, j, w) { isMedley = true }
        }
        guard isMedley else { return nil }
        var k = j
        while k < n && gathered[k] == 0x20 { k += 1 }
        guard k < n, gathered[k] == UInt8(ascii: ":") || gathered[k] == UInt8(ascii: "-") else { return nil }
        k += 1
        var rest = k
        while rest < n && gathered[rest] == 0x20 { rest += 1 }
        return rest < n ? k : nil
    }

    private static let medleySeparators: [(UInt8, Bool)] = [
        (UInt8(ascii: "/"), true), (UInt8(ascii: "/"), false), (UInt8(ascii: ";"), false), (UInt8(ascii: "-"), true),
        (UInt8(ascii: ","), false),
    ]
    private static let plainSeparators: [(UInt8, Bool)] = [(UInt8(ascii: "/"), true)]

    /// Medley components: " / " always; with a medley tag also "/", ";", " - ", ",".
    private mutating func splitMedley(_ start: Int, _ end: Int, into parts: inout [String]) {
        var hasTag = false
        for ev in tagEvents where ev.bits & VersionTag.medley.bit != 0 { hasTag = true }
        if !hasTag {
            // Fast path: no " / " at all (the usual case).
            let found = gathered.withUnsafeBufferPointer { g -> Bool in
                var i = start + 1
                while i + 1 < end {
                    if g[i] == UInt8(ascii: "/") && g[i - 1] == 0x20 && g[i + 1] == 0x20 { return true }
                    i += 1
                }
                return false
            }
            if !found { return }
        }
        for (sep, spaced) in hasTag ? Self.medleySeparators : Self.plainSeparators {
            var cuts: [Int] = []
            var depth = 0
            for i in start..<end {
                let c = gathered[i]
                if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
                if (c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}")) && depth > 0 { depth -= 1 }
                if c == sep && depth == 0 {
                    if spaced && !(i > start && gathered[i - 1] == 0x20 && i + 1 < end && gathered[i + 1] == 0x20) { continue }
                    if !hasTag && genrePair(around: i, start, end) { continue }
                    cuts.append(i)
                }
            }
            if cuts.isEmpty { continue }
            var found: [String] = []
            var s = start
            for c in cuts + [end] {
                let part = foldGathered(s, c, skipSpans: false)
                if !part.isEmpty { found.append(part) }
                s = c + 1
            }
            if found.count >= 2 {
                parts = found
                if !hasTag { tagEvents.append(TagEvent(pos: Int32(cuts[0]), order: 0, bits: VersionTag.medley.bit)) }
                return
            }
        }
    }

    /// Store genre names that a slash joins in genre text ("R&B / Soul", "Hip-Hop / Rap", "Pop / Rock").
    private static let slashGenres: [StaticString] = [
        "r&b", "rnb", "soul", "hip-hop", "hiphop", "hop", "rap", "pop", "rock", "dance", "electronic", "electronica",
        "country", "folk", "jazz", "blues", "funk", "latin", "world", "metal", "punk", "alternative", "indie", "house",
        "techno", "gospel", "christian", "reggae", "classical", "urban", "disco", "soundtrack", "kids", "children",
    ]

    /// Whether the " / " at `i` joins two genre names ("Pop , R&B / Soul , Dance": genre text that landed in the title
    /// field, not a medley of songs called "R&B" and "Soul").
    private func genrePair(around i: Int, _ start: Int, _ end: Int) -> Bool {
        @inline(__always) func wordByte(_ c: UInt8) -> Bool {
            Normalizer.isLetter(c) || (c >= 48 && c <= 57) || c == UInt8(ascii: "&") || c == UInt8(ascii: "-")
        }
        func isGenre(_ s: Int, _ e: Int) -> Bool {
            guard e > s else { return false }
            for w in Self.slashGenres where w.utf8CodeUnitCount == e - s {
                let p = w.utf8Start
                var same = true
                for k in 0..<(e - s) where Normalizer.lower(gathered[s + k]) != p[k] { same = false; break }
                if same { return true }
            }
            return false
        }
        // The word ending just before " / " and the word starting just after it.
        var be = i - 1
        while be > start && gathered[be - 1] == 0x20 { be -= 1 }
        var bs = be
        while bs > start && wordByte(gathered[bs - 1]) { bs -= 1 }
        var asStart = i + 1
        while asStart < end && gathered[asStart] == 0x20 { asStart += 1 }
        var ae = asStart
        while ae < end && wordByte(gathered[ae]) { ae += 1 }
        return isGenre(bs, be) && isGenre(asStart, ae)
    }

    private mutating func foldGathered(_ start: Int, _ end: Int, skipSpans: Bool) -> String {
        folded.removeAll(keepingCapacity: true)
        gathered.withUnsafeBufferPointer { g in
            if !skipSpans || spans.isEmpty {
                Normalizer.fold(UnsafeBufferPointer(rebasing: g[start..<end]), into: &folded)
                return
            }
            var bytes: [UInt8] = []
            var i = start
            for (s, e) in spans where e > start && s < end {
                if s > i { bytes.append(contentsOf: g[i..<s]) }
                bytes.append(0x20)
                i = max(i, e)
            }
            if i < end { bytes.append(contentsOf: g[i..<end]) }
            bytes.withUnsafeBufferPointer { Normalizer.fold($0, into: &folded) }
        }
        return Normalizer.string(folded)
    }

    // MARK: - Output

    private static let singleTags: [[String]] = VersionTag.allCases.map { [$0.name] }

    private mutating func orderedTags() -> [String] {
        if tagEvents.isEmpty { return [] }
        if tagEvents.count == 1 && tagEvents[0].bits.nonzeroBitCount == 1 {
            return Self.singleTags[tagEvents[0].bits.trailingZeroBitCount]  // shared, no allocation
        }
        if tagEvents.count > 1 {
            for k in tagEvents.indices { tagEvents[k].order = Int32(k) }
            tagEvents.sort { $0.pos != $1.pos ? $0.pos < $1.pos : $0.order < $1.order }
        }
        var seen: UInt32 = 0
        var out: [String] = []
        for ev in tagEvents {
            var bits = ev.bits & ~seen
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                if let t = VersionTag(rawValue: b) { out.append(t.name) }
                bits &= bits - 1
            }
            seen |= ev.bits
        }
        return out
    }

    private mutating func orderedFeatured() -> [String] {
        if featEvents.isEmpty { return [] }
        if featEvents.count > 1 { featEvents.sort { $0.pos != $1.pos ? $0.pos < $1.pos : $0.order < $1.order } }
        var out: [String] = []
        for ev in featEvents where !out.contains(ev.name) { out.append(ev.name) }
        return out
    }
}
