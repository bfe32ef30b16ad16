import OeuvreCore

/// Splits display-artist, featured-artist and writer credits into normalized names.
///
/// Rules (docs/NORMALIZATION.md, "Credits"):
/// - Strong separators always split: `;`, `|`, `\`, a spaced ` / ` (an unspaced `/` only between two
///   words of three letters or more, so "Lennon/McCartney" splits and "AC/DC" does not), and the
///   words `feat.`, `ft.`, `featuring`, `with`, `w/`, `vs.`, `versus`, `x`, `con`, `avec`, `mit`,
///   `com`, `pres.`/`presents`.
/// - `&`, `+`, `and`, `et`, `und`, `y`, `e` ("connectors") and commas are weak. The `&`/`and` rule:
///   - a connector never splits when the right side starts with an article or possessive
///     ("Kool & the Gang", "Bob Marley & The Wailers", "Bill Haley & His Comets") or ends with
///     a band word ("Mumford & Sons", "… & His Orchestra");
///   - a comma list whose elements are all single words is one band name
///     ("Earth, Wind & Fire", "Crosby, Stills, Nash & Young", "Peter, Paul and Mary");
///   - display artists (`.artist`) without a comma do not split when both sides are single words:
///     "Simon & Garfunkel", "Hall & Oates", "Chitãozinho & Xororó", "Tones And I" stay whole, while
///     "Kenny Chesney & Willie Nelson" and "Daddy Yankee & Snow" split. Two single words joined
///     by a connector are far more often a duo's name than two credits; with a longer side a
///     collaboration is more likely. The price: "Ike & Tina Turner" and "Zé Neto & Cristiano"
///     split. Both sides of a match go through the same rule, and the matcher compares names by
///     token sets, so a wrong split still matches;
///   - featured lists (`.featured`, the text after "feat.") split on every other connector:
///     "feat. B.o.B & Yo Gotti" → `bob`, `yo gotti`;
///   - writers (`.writer`) always split on connectors (writers are people).
/// - Commas split, except "Beatles, The" (→ `the beatles`) and, for writers, "Last, First"
///   (→ `first last`) when the part before the comma is one word or starts with a surname particle
///   (van, de, da, mc…) and the part after has at most three words.
/// - A few names the rules cannot see are kept whole ("Tyler, The Creator").
///
/// Not thread-safe (shares its `Normalizer`): one per task.
public struct CreditSplitter {
    public enum Kind: Sendable {
        /// A display-artist credit ("A feat. B & C", "A, B and C", "A x B").
        case artist
        /// A writer/composer credit ("Lennon, John", "Jagger/Richards").
        case writer
        /// The guest list after a featuring word in a title ("B.o.B & Yo Gotti").
        case featured
    }

    private let normalizer: Normalizer
    private let box = ScratchBox()

    public init(normalizer: Normalizer) {
        self.normalizer = normalizer
    }

    /// Normalized names in `credit`, in order, without duplicates or empty names.
    public func split(_ credit: String, kind: Kind = .artist) -> [String] {
        var names: [String] = []
        var scratch = box.scratch
        box.scratch = Scratch()
        var copy = credit
        copy.withUTF8 { raw in
            if Normalizer.isASCII(raw) {
                let n = min(raw.count, Normalizer.maxInputBytes)
                Self.split(bytes: UnsafeBufferPointer(rebasing: raw[0..<n]), kind: kind, into: &names, scratch: &scratch)
            } else {
                var latin: [UInt8] = []
                normalizer.appendLatin(raw, to: &latin)
                latin.withUnsafeBufferPointer { Self.split(bytes: $0, kind: kind, into: &names, scratch: &scratch) }
            }
        }
        box.scratch = scratch
        return names
    }

    private final class ScratchBox {
        var scratch = Scratch()
    }

    /// Reusable buffers of the splitter (kept by the caller so the hot path does not allocate).
    struct Scratch {
        fileprivate var tokens: [Tok] = []
        fileprivate var folded: [UInt8] = []
        fileprivate var elements: [Element] = []
        fileprivate var sepIsComma: [Bool] = []
    }

    fileprivate enum TokKind: UInt8 { case word, comma, strong }

    fileprivate struct Tok {
        var kind: TokKind
        var start: Int
        var end: Int
        var sep: SepWord = .none
    }

    fileprivate enum SepWord: UInt8 { case none, strong, guardedX, connector }

    /// Appends the names of the ASCII (Latin) credit `b` to `names`.
    static func split(bytes b: UnsafeBufferPointer<UInt8>, kind: Kind, into names: inout [String], scratch: inout Scratch) {
        var toks = scratch.tokens
        scratch.tokens = []
        toks.removeAll(keepingCapacity: true)
        Self.tokenize(b, into: &toks)
        var pieceStart = 0
        var i = 0
        while i <= toks.count {
            let isEnd = i == toks.count
            var breaks = isEnd
            if !isEnd {
                let t = toks[i]
                if t.kind == .strong {
                    breaks = true
                } else if t.kind == .word && t.sep == .strong {
                    breaks = true
                } else if t.kind == .word && t.sep == .guardedX {
                    // "A x B": only between two words.
                    breaks = i > pieceStart && i + 1 < toks.count && toks[i + 1].kind == .word
                }
            }
            if breaks {
                if i > pieceStart { splitPiece(b, toks[pieceStart..<i], kind: kind, into: &names, scratch: &scratch) }
                pieceStart = i + 1
            }
            i += 1
        }
        scratch.tokens = toks
    }

    private static func tokenize(_ b: UnsafeBufferPointer<UInt8>, into toks: inout [Tok]) {
        let n = b.count
        var i = 0
        @inline(__always) func isStop(_ c: UInt8) -> Bool {
            c <= 0x20 || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: "|") || c == UInt8(ascii: "\\")
        }
        while i < n {
            let c = b[i]
            if c <= 0x20 || c == 0x7F { i += 1; continue }
            if c == UInt8(ascii: ",") { toks.append(Tok(kind: .comma, start: i, end: i + 1)); i += 1; continue }
            if c == UInt8(ascii: ";") || c == UInt8(ascii: "|") || c == UInt8(ascii: "\\") || c == UInt8(ascii: "/") {
                toks.append(Tok(kind: .strong, start: i, end: i + 1))
                i += 1
                continue
            }
            var j = i
            while j < n && !isStop(b[j]) {
                if b[j] == UInt8(ascii: "/") {
                    if j + 1 < n && b[j + 1] == UInt8(ascii: " ") { break }
                    if j == i + 1 && (b[i] | 0x20) == UInt8(ascii: "w") { j += 1; break }  // "w/"
                    var left = 0
                    var k = j - 1
                    while k >= i && Normalizer.isLetter(b[k]) { left += 1; k -= 1 }
                    var right = 0
                    k = j + 1
                    while k < n && Normalizer.isLetter(b[k]) { right += 1; k += 1 }
                    if left >= 3 && right >= 3 { break }  // "Lennon/McCartney"; "AC/DC" stays
                }
                j += 1
            }
            var t = Tok(kind: .word, start: i, end: j)
            t.sep = classifyWord(b, i, j)
            toks.append(t)
            i = j
        }
    }

    /// Lower-case letters of the word without surrounding brackets and a trailing `.`/`:`.
    private static func core(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> (Int, Int) {
        var s = s, e = e
        while s < e, b[s] == UInt8(ascii: "(") || b[s] == UInt8(ascii: "[") || b[s] == UInt8(ascii: "{") { s += 1 }
        while e > s, b[e - 1] == UInt8(ascii: ".") || b[e - 1] == UInt8(ascii: ":") || b[e - 1] == UInt8(ascii: ")")
            || b[e - 1] == UInt8(ascii: "]") || b[e - 1] == UInt8(ascii: "}") { e -= 1 }
        return (s, e)
    }

    private static func wordEquals(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ w: StaticString) -> Bool {
        guard e - s == w.utf8CodeUnitCount else { return false }
        let p = w.utf8Start
        for k in 0..<(e - s) where Normalizer.lower(b[s + k]) != p[k] { return false }
        return true
    }

    private static let strongWords: [StaticString] = [
        "feat", "ft", "featuring", "with", "w/", "vs", "versus", "con", "avec", "mit", "com", "pres", "presents",
    ]
    private static let connectorWords: [StaticString] = ["&", "+", "and", "et", "und", "y", "e"]
    private static let articles: [StaticString] = [
        "the", "los", "las", "les", "la", "le", "el", "die", "der", "das", "il", "his", "her", "their", "sus", "ses",
    ]
    private static let bandWords: [StaticString] = [
        "sons", "daughters", "friends", "co", "company", "band", "gang", "orchestra", "orchestre", "orquesta", "orquestra",
        "orchester", "quartet", "quintet", "trio", "crew", "brothers", "sisters", "family", "associates", "partners", "posse",
    ]
    private static let particles: [StaticString] = [
        "van", "von", "de", "da", "di", "del", "della", "der", "den", "le", "la", "du", "dos", "das", "mac", "mc", "st",
        "saint", "o", "al", "el", "ten", "ter",
    ]
    /// Folded names that the rules would split but that are one act.
    private static let knownNames: Set<String> = ["tyler the creator"]

    private static func classifyWord(_ b: UnsafeBufferPointer<UInt8>, _ s0: Int, _ e0: Int) -> SepWord {
        let (s, e) = core(b, s0, e0)
        if e - s == 1 && (b[s] | 0x20) == UInt8(ascii: "x") { return .guardedX }
        if e <= s || e - s > 9 { return .none }
        switch b[s] | 0x20 {  // first letters of the separator words
        case UInt8(ascii: "f"), UInt8(ascii: "w"), UInt8(ascii: "v"), UInt8(ascii: "c"), UInt8(ascii: "a"), UInt8(ascii: "m"),
             UInt8(ascii: "p"), UInt8(ascii: "e"), UInt8(ascii: "y"), UInt8(ascii: "u"), UInt8(ascii: "&"), UInt8(ascii: "+"):
            break
        default:
            return .none
        }
        for w in strongWords where wordEquals(b, s, e, w) { return .strong }
        // "Ben E. King": a single letter with a dot is an initial, not the connector "e"/"y".
        if e - s == 1 && e < e0 && b[e] == UInt8(ascii: ".") { return .none }
        for w in connectorWords where wordEquals(b, s, e, w) { return .connector }
        return .none
    }

    private static func isOneOf(_ b: UnsafeBufferPointer<UInt8>, _ t: Tok, _ list: [StaticString]) -> Bool {
        let (s, e) = core(b, t.start, t.end)
        for w in list where wordEquals(b, s, e, w) { return true }
        return false
    }

    fileprivate struct Element {
        var first: Int  // token indices (absolute) into the piece's token array
        var last: Int
        var words: Int
    }

    private static func splitPiece(_ b: UnsafeBufferPointer<UInt8>, _ toks: ArraySlice<Tok>, kind: Kind, into names: inout [String],
                                   scratch: inout Scratch) {
        // Elements separated by commas or connectors.
        var elements = scratch.elements
        var sepIsComma = scratch.sepIsComma
        scratch.elements = []
        scratch.sepIsComma = []
        elements.removeAll(keepingCapacity: true)
        sepIsComma.removeAll(keepingCapacity: true)
        defer {
            scratch.elements = elements
            scratch.sepIsComma = sepIsComma
        }
        var cur: Element?
        var pendingSep: Bool?  // true: comma, false: connector
        for idx in toks.indices {
            let t = toks[idx]
            let isComma = t.kind == .comma
            let isConnector = t.kind == .word && t.sep == .connector
            if isComma || isConnector || t.kind == .strong {
                if let c = cur {
                    elements.append(c)
                    cur = nil
                    pendingSep = isComma
                } else if isComma {
                    pendingSep = true  // "A, & B": the comma wins
                }
                continue
            }
            if cur == nil {
                if !elements.isEmpty { sepIsComma.append(pendingSep ?? true) }
                cur = Element(first: idx, last: idx, words: 0)
            }
            cur?.last = idx
            cur?.words += 1
        }
        if let c = cur { elements.append(c) }
        guard !elements.isEmpty else { return }
        if elements.count == 1 {
            append(fold(b, toks, elements[0], &scratch.folded), to: &names)
            return
        }
        let hasComma = sepIsComma.contains(true)
        if kind != .writer {
            let whole = fold(b, toks, Element(first: elements[0].first, last: elements[elements.count - 1].last, words: 0), &scratch.folded)
            if Self.knownNames.contains(whole) || (hasComma && elements.count >= 3 && elements.allSatisfy({ $0.words == 1 })) {
                append(whole, to: &names)
                return
            }
            if elements.count == 2 && sepIsComma[0] && elements[1].words == 1 && Self.isOneOf(b, toks[elements[1].first], Self.articles) {
                append(fold(b, toks, elements[1], &scratch.folded) + " " + fold(b, toks, elements[0], &scratch.folded), to: &names)  // "Beatles, The"
                return
            }
        }
        var k = 0
        while k < elements.count {
            var e = elements[k]
            if kind == .writer {
                // "Last, First" inside a connector-delimited group of exactly two comma parts.
                if k + 1 < elements.count && sepIsComma[k] && (k + 1 == elements.count - 1 || !sepIsComma[k + 1])
                    && (k == 0 || !sepIsComma[k - 1]) && isLastFirst(b, toks, e, elements[k + 1]) {
                    append(fold(b, toks, elements[k + 1], &scratch.folded) + " " + fold(b, toks, e, &scratch.folded), to: &names)
                    k += 2
                    continue
                }
                append(fold(b, toks, e, &scratch.folded), to: &names)
                k += 1
                continue
            }
            // Join across connectors the rules keep together.
            while k + 1 < elements.count && !sepIsComma[k] && joinsConnector(b, toks, e, elements[k + 1], kind: kind, inList: hasComma) {
                e = Element(first: e.first, last: elements[k + 1].last, words: e.words + elements[k + 1].words)
                k += 1
            }
            append(fold(b, toks, e, &scratch.folded), to: &names)
            k += 1
        }
    }

    private static func joinsConnector(_ b: UnsafeBufferPointer<UInt8>, _ toks: ArraySlice<Tok>, _ left: Element, _ right: Element,
                                kind: Kind, inList: Bool) -> Bool {
        if Self.isOneOf(b, toks[right.first], Self.articles) { return true }
        if Self.isOneOf(b, toks[right.last], Self.bandWords) { return true }
        if kind == .artist && !inList && left.words == 1 && right.words == 1 { return true }
        return false
    }

    private static func isLastFirst(_ b: UnsafeBufferPointer<UInt8>, _ toks: ArraySlice<Tok>, _ last: Element, _ first: Element) -> Bool {
        guard first.words >= 1 && first.words <= 3 else { return false }
        if last.words == 1 { return true }
        return last.words <= 3 && Self.isOneOf(b, toks[last.first], Self.particles)
    }

    private static func fold(_ b: UnsafeBufferPointer<UInt8>, _ toks: ArraySlice<Tok>, _ e: Element, _ out: inout [UInt8]) -> String {
        let s = toks[e.first].start
        let end = toks[e.last].end
        out.removeAll(keepingCapacity: true)
        Normalizer.fold(UnsafeBufferPointer(rebasing: b[s..<end]), into: &out)
        return Normalizer.string(out)
    }

    private static func append(_ name: String, to names: inout [String]) {
        if !name.isEmpty && !names.contains(name) { names.append(name) }
    }
}
