import OeuvreCore

/// Splits display-artist and writer credits into normalized names.
///
/// Rules (see docs/NORMALIZATION.md):
/// - Strong separators always split: `;`, `/`, `|`, `feat.`, `ft.`, `featuring`, `with`, ` x `, `vs.`.
/// - `&` / `and` (and `et`, `y`, `und`) on their own never split: "Simon & Garfunkel" and
///   "Florence and the Machine" stay one name, because a pair joined by `&` is far more often a
///   duo or band name than two credits. The matcher compares names by token sets, so a duo still
///   matches a performer credited as one of its members partially.
/// - A comma list splits on commas and on the final `&`/`and` ("A, B and C" → A, B, C), unless every
///   element is a single word ("Earth, Wind & Fire", "Crosby, Stills, Nash & Young"): then it is a
///   band name and stays whole.
/// - Exactly two comma parts where the second is one or two words and there is no `&`/`and`:
///   "Last, First" → "first last" for writers; for display artists only when the first part is one word.
public struct CreditSplitter {
    public enum Kind: Sendable { case artist, writer }

    private let normalizer: Normalizer

    public init(normalizer: Normalizer) {
        self.normalizer = normalizer
    }

    /// Normalized names in `credit`, in order, without duplicates or empty names.
    public func split(_ credit: String, kind: Kind = .artist) -> [String] {
        var names: [String] = []
        for part in Self.strongSplit(normalizer.latinize(credit)) {
            for name in splitCommaList(part, kind: kind) {
                let folded = normalizer.fold(name)
                if !folded.isEmpty && !names.contains(folded) { names.append(folded) }
            }
        }
        return names
    }

    /// Splits on the separators that always separate credits. Case-insensitive, whole words.
    static func strongSplit(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        let chars = Array(text)
        var i = 0
        func flush() {
            let t = current.trimmingCharacters()
            if !t.isEmpty { parts.append(t) }
            current = ""
        }
        while i < chars.count {
            let c = chars[i]
            if c == ";" || c == "/" || c == "|" || c == "\\" || c == "+" {
                flush(); i += 1; continue
            }
            if c == " " || c == "(" || c == "[" || c == "," {
                // word separators: look at the next word
                var j = i + 1
                while j < chars.count && chars[j] == " " { j += 1 }
                var k = j
                while k < chars.count && (chars[k].isLetter || chars[k] == ".") { k += 1 }
                let word = String(chars[j..<k]).lowercased()
                let isSep = ["feat.", "feat", "ft.", "ft", "featuring", "with", "x", "vs.", "vs", "versus", "con", "mit", "avec", "com"].contains(word)
                if isSep && k < chars.count && chars[k] == " " && (c != "," || word != "x") {
                    flush()
                    i = k
                    continue
                }
            }
            if c == ")" || c == "]" || c == "(" || c == "[" { i += 1; continue }
            current.append(c)
            i += 1
        }
        flush()
        return parts
    }

    private func splitCommaList(_ part: String, kind: Kind) -> [String] {
        let commaParts = part.split(separator: ",").map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
        let hasAnd = Self.splitOnAnd(part).count > 1
        if commaParts.count <= 1 { return [part] }
        if commaParts.count == 2 && !hasAnd {
            let secondWords = commaParts[1].split(separator: " ").count
            let firstWords = commaParts[0].split(separator: " ").count
            if secondWords <= 2 && (kind == .writer || firstWords == 1) && firstWords <= 2 {
                return [commaParts[1] + " " + commaParts[0]]
            }
            return commaParts
        }
        var elements = Array(commaParts.dropLast())
        elements.append(contentsOf: Self.splitOnAnd(commaParts.last!))
        if elements.count >= 3 && elements.allSatisfy({ !$0.contains(" ") }) {
            return [part]  // "Earth, Wind & Fire"
        }
        return elements
    }

    /// Splits on a standalone `&` / `and` / `et` / `y` / `e` / `und`.
    static func splitOnAnd(_ text: String) -> [String] {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        var parts: [String] = []
        var current: [Substring] = []
        for w in words {
            let lw = w.lowercased()
            if ["&", "and", "et", "y", "e", "und"].contains(lw) && !current.isEmpty {
                parts.append(current.joined(separator: " "))
                current = []
            } else {
                current.append(w)
            }
        }
        if !current.isEmpty { parts.append(current.joined(separator: " ")) }
        return parts
    }
}

extension String {
    /// Trims spaces, tabs and newlines (Unicode whitespace) from both ends.
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
