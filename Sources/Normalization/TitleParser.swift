import OeuvreCore
import Foundation

/// A streaming-service title taken apart: the core title plus the qualifiers that were peeled off.
public struct ParsedTitle: Sendable, Hashable {
    /// The input as given.
    public var original: String
    /// Latin-script form of the input (ICU transliteration), punctuation kept.
    public var latin: String
    /// Normalized core title: lower-case ASCII words, single spaces, qualifiers removed.
    public var core: String
    /// Version tags found (lower-case names: `live`, `remix`, `remaster`, `edit`, …), in order, no duplicates.
    public var tags: [String]
    /// Featured artists moved out of the title, normalized.
    public var featured: [String]
    /// Remixer names when a remix tag named one, normalized.
    public var remixers: [String]
    /// Component titles (normalized) when the title is a medley `A / B`; empty otherwise.
    public var medleyParts: [String]
    /// Original performer named by a karaoke/cover tag ("In the Style of X", "Originally Performed by X").
    public var originalArtists: [String]
    /// Production a title says it is from ("from <film>"), normalized.
    public var from: String?

    public init(original: String, latin: String, core: String, tags: [String] = [], featured: [String] = [],
                remixers: [String] = [], medleyParts: [String] = [], originalArtists: [String] = [], from: String? = nil) {
        self.original = original
        self.latin = latin
        self.core = core
        self.tags = tags
        self.featured = featured
        self.remixers = remixers
        self.medleyParts = medleyParts
        self.originalArtists = originalArtists
        self.from = from
    }
}

/// Splits streaming-service titles into core title, version tags and featured artists.
///
/// Bracketed groups (`(…)`, `[…]`, `{…}`) and ` - ` suffixes are peeled off when their content is a
/// known qualifier (English, French, Spanish, German, Italian, Portuguese) or a featuring credit;
/// anything else stays part of the title ("(I Can't Get No) Satisfaction", "Live and Let Die").
/// Not thread-safe (it owns a `Normalizer`): one per task.
public final class TitleParser {
    public let normalizer: Normalizer
    private let credits: CreditSplitter

    public init(normalizer: Normalizer = Normalizer()) {
        self.normalizer = normalizer
        self.credits = CreditSplitter(normalizer: normalizer)
    }

    /// Parses `title`; `subtitle` (DSR SubTitle / a version field) is treated as one more qualifier.
    public func parse(_ title: String, subtitle: String? = nil) -> ParsedTitle {
        let latin = normalizer.latinize(title)
        var result = ParsedTitle(original: title, latin: latin, core: "")
        var body = latin
        var qualifiers: [String] = []

        // 1. Bracketed groups anywhere.
        body = extractBrackets(body, into: &qualifiers, result: &result)
        // 2. Dash suffixes: "Title - Remastered 2011", "Title - Live at Wembley".
        body = extractDashSuffixes(body, into: &qualifiers, result: &result)
        // 3. Inline featuring outside brackets: "Title feat. X".
        body = extractInlineFeaturing(body, result: &result)
        if let subtitle, !subtitle.isEmpty {
            classify(normalizer.latinize(subtitle), result: &result, force: true)
        }
        for q in qualifiers { classify(q, result: &result, force: true) }

        // 4. Medley.
        var medleyBody = body
        let lowerBody = body.lowercased()
        for prefix in ["medley:", "medley -", "potpourri:", "mashup:"] where lowerBody.hasPrefix(prefix) {
            medleyBody = String(body.dropFirst(prefix.count))
            addTag("medley", &result)
        }
        let slashParts = medleyBody.components(separatedBy: " / ").map { normalizer.fold($0) }.filter { !$0.isEmpty }
        if slashParts.count > 1 {
            result.medleyParts = slashParts
            addTag("medley", &result)
        } else if result.tags.contains("medley") {
            let parts = medleyBody.split(separator: "/").map { normalizer.fold(String($0)) }.filter { !$0.isEmpty }
            if parts.count > 1 { result.medleyParts = parts }
        }
        result.core = normalizer.fold(medleyBody)
        if result.core.isEmpty {
            // Everything looked like a qualifier ("Live", "Intro (Remix)"): keep the words rather than nothing.
            result.core = normalizer.fold(latin)
        }
        return result
    }

    // MARK: - Peeling

    private func extractBrackets(_ text: String, into qualifiers: inout [String], result: inout ParsedTitle) -> String {
        var out = ""
        var chars = Array(text)[...]
        while let c = chars.first {
            let close: Character? = c == "(" ? ")" : c == "[" ? "]" : c == "{" ? "}" : nil
            guard let close, let end = chars.dropFirst().firstIndex(of: close) else {
                out.append(c)
                chars = chars.dropFirst()
                continue
            }
            let inner = String(chars[chars.index(after: chars.startIndex)..<end])
            if isFeaturing(inner) {
                result.featured.append(contentsOf: credits.split(stripFeaturingWord(inner)))
            } else if isQualifier(inner) {
                qualifiers.append(inner)
            } else {
                out.append(" ")
                out += inner
                out.append(" ")
            }
            chars = chars[chars.index(after: end)...]
        }
        return out
    }

    private func extractDashSuffixes(_ text: String, into qualifiers: inout [String], result: inout ParsedTitle) -> String {
        var body = text
        let dashes = [" - ", " – ", " — ", " -- "]
        while true {
            var best: Range<String.Index>?
            for d in dashes {
                if let r = body.range(of: d, options: .backwards), best == nil || r.lowerBound > best!.lowerBound { best = r }
            }
            guard let r = best else { break }
            let suffix = String(body[r.upperBound...])
            if isFeaturing(suffix) {
                result.featured.append(contentsOf: credits.split(stripFeaturingWord(suffix)))
            } else if isQualifier(suffix) {
                qualifiers.append(suffix)
            } else {
                break
            }
            body = String(body[..<r.lowerBound])
        }
        return body
    }

    private func extractInlineFeaturing(_ text: String, result: inout ParsedTitle) -> String {
        let lower = text.lowercased()
        for marker in [" feat. ", " feat ", " ft. ", " ft ", " featuring "] {
            if let r = lower.range(of: marker) {
                let offset = lower.distance(from: lower.startIndex, to: r.lowerBound)
                let endOffset = lower.distance(from: lower.startIndex, to: r.upperBound)
                let start = text.index(text.startIndex, offsetBy: offset)
                let rest = text.index(text.startIndex, offsetBy: endOffset)
                result.featured.append(contentsOf: credits.split(String(text[rest...])))
                return String(text[..<start])
            }
        }
        return text
    }

    private func stripFeaturingWord(_ text: String) -> String {
        var words = text.split(separator: " ", omittingEmptySubsequences: true)
        if let first = words.first, Self.featuringWords.contains(first.lowercased()) { words.removeFirst() }
        return words.joined(separator: " ")
    }

    private func isFeaturing(_ text: String) -> Bool {
        guard let first = text.split(separator: " ").first?.lowercased() else { return false }
        return Self.featuringWords.contains(first) && text.split(separator: " ").count > 1
    }

    private static let featuringWords: Set<String> = ["feat.", "feat", "ft.", "ft", "featuring", "with", "avec", "con", "mit", "part.", "participacao", "participacion", "w/"]

    // MARK: - Qualifier lexicon

    /// (tag, phrases). Phrases are matched as whole words on the folded qualifier text.
    private static let lexicon: [(tag: String, phrases: [String])] = [
        ("karaoke", ["karaoke", "backing track", "in the style of", "originally performed by", "made famous by", "as made famous by", "sing along", "minus one", "playback"]),
        ("instrumental", ["instrumental", "instrumentale", "instrumentaal", "inst"]),
        ("live", ["live", "en vivo", "ao vivo", "en directo", "dal vivo", "live aus", "en concert", "en public", "live at", "live from", "live in", "concert", "in concerto", "directo", "vivo", "session", "sessions", "bbc session", "mtv unplugged"]),
        ("remix", ["remix", "remixed", "rmx", "rework", "bootleg", "vip mix", "club mix", "dub mix", "mix", "remezcla"]),
        ("remaster", ["remaster", "remastered", "remasterise", "remasterisee", "remasterizado", "remasterizada", "remasterizzato", "remasterizzata", "remasterisiert", "remasterizacao", "digital remaster", "digitally remastered", "mastered"]),
        ("edit", ["radio edit", "edit", "single version", "album version", "radio version", "single edit", "extended", "extended version", "extended mix", "original mix", "short version", "long version", "version courte", "version longue", "version radio", "version album", "version single", "re edit", "clean edit", "sped up", "slowed", "slowed reverb", "nightcore"]),
        ("acoustic", ["acoustic", "acustico", "acustica", "akustik", "acoustique", "unplugged", "piano version", "stripped", "version acoustique", "version acustica"]),
        ("demo", ["demo", "maquette", "rough mix", "early version", "work tape", "home recording"]),
        ("mono", ["mono", "mono version", "mono mix"]),
        ("stereo", ["stereo", "stereo version", "stereo mix"]),
        ("explicit", ["explicit", "explicit version", "dirty"]),
        ("clean", ["clean", "clean version", "radio clean"]),
        ("cover", ["cover", "tribute", "hommage", "homenaje", "omaggio", "homenagem", "covered by", "cover version"]),
        ("medley", ["medley", "potpourri", "mashup", "mash up"]),
        ("from", ["from", "de la pelicula", "de la serie", "du film", "de la bande originale", "aus dem film", "dal film", "do filme", "tema de", "theme from", "soundtrack", "ost", "original soundtrack", "bande originale", "main title", "end title", "b.o."]),
        ("version", ["version originale", "original version", "versao original", "version original", "originalversion", "versione originale", "re recorded", "rerecorded", "taylors version", "new version", "version", "versao", "versione", "fassung", "deluxe", "deluxe edition", "anniversary edition", "bonus track", "bonus", "edition", "mix version", "remake", "reprise", "interlude", "intro", "outro"]),
    ]

    private func isQualifier(_ text: String) -> Bool {
        let folded = normalizer.fold(text)
        if folded.isEmpty { return false }
        let words = folded.split(separator: " ").map(String.init)
        // Pure years / "2011 remaster" patterns count via the remaster phrase; a lone year is a qualifier too.
        if words.count == 1, let y = Int(words[0]), y >= 1900 && y <= 2100 { return true }
        for entry in Self.lexicon {
            for phrase in entry.phrases where Self.containsPhrase(words, phrase) {
                // "from" only qualifies at the start ("From "Frozen""), and "live" / "mix" / "version" /
                // "session" etc. only in short groups, so real title words in long parentheticals stay.
                if entry.tag == "from" && !(folded.hasPrefix(phrase) || phrase.count > 4) { continue }
                if words.count > 8 && !["karaoke", "live", "from", "cover"].contains(entry.tag) { continue }
                return true
            }
        }
        return false
    }

    private func classify(_ text: String, result: inout ParsedTitle, force: Bool) {
        let folded = normalizer.fold(text)
        let words = folded.split(separator: " ").map(String.init)
        var matched = false
        for entry in Self.lexicon {
            guard let phrase = entry.phrases.first(where: { Self.containsPhrase(words, $0) }) else { continue }
            if entry.tag == "from" && !(folded.hasPrefix(phrase) || phrase.count > 4) { continue }
            matched = true
            addTag(entry.tag, &result)
            switch entry.tag {
            case "remix":
                // "Tiesto Remix", "Remix by X", "X's Club Mix"
                if let idx = words.firstIndex(where: { $0 == "remix" || $0 == "rmx" || $0 == "mix" || $0 == "rework" }) {
                    var name = Array(words[..<idx])
                    if name.last == "club" || name.last == "dub" || name.last == "vip" || name.last == "extended" || name.last == "radio" { name.removeLast() }
                    if name.isEmpty, idx + 2 < words.count, words[idx + 1] == "by" { name = Array(words[(idx + 2)...]) }
                    let remixer = name.joined(separator: " ").replacingOccurrences(of: " s", with: "")
                    if !remixer.isEmpty, remixer != "original", remixer != "radio" { result.remixers.append(remixer) }
                }
            case "karaoke":
                for marker in ["in the style of ", "originally performed by ", "made famous by "] {
                    if let r = folded.range(of: marker) {
                        let artist = String(folded[r.upperBound...])
                        if !artist.isEmpty { result.originalArtists.append(artist) }
                    }
                }
            case "from":
                var rest = words
                if let i = rest.firstIndex(of: "from") { rest = Array(rest[(i + 1)...]) }
                let name = rest.filter { !["the", "film", "movie", "musical", "motion", "picture", "soundtrack", "series"].contains($0) }
                if !name.isEmpty, result.from == nil { result.from = name.joined(separator: " ") }
            default:
                break
            }
        }
        if !matched && force, words.count == 1, let y = Int(words[0]), y >= 1900 && y <= 2100 {
            addTag("version", &result)
        }
        // A remaster usually carries a year; a live tag may name a venue: both kept only as tags.
    }

    private func addTag(_ tag: String, _ result: inout ParsedTitle) {
        if !result.tags.contains(tag) { result.tags.append(tag) }
    }

    private static func containsPhrase(_ words: [String], _ phrase: String) -> Bool {
        let p = phrase.split(separator: " ").map(String.init)
        guard !p.isEmpty, p.count <= words.count else { return false }
        for start in 0...(words.count - p.count) where words[start] == p[0] {
            var ok = true
            for k in 1..<p.count where words[start + k] != p[k] { ok = false; break }
            if ok { return true }
        }
        return false
    }
}
