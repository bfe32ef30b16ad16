/// Artist names as video platforms write them in user-upload reports: the channel of the upload
/// stands in the artist field. Two channel shapes name the artist outright and are read back:
/// an artist's official channel "TaylorSwiftVEVO" / "Bob Dylan VEVO" (the artist, words joined in camel
/// case, then "VEVO") and an auto-generated channel "Bob Dylan - Topic". Any other value is returned
/// unchanged: a fan channel ("Ceejayqb") names no one, and "- Topic" or an upper-case "VEVO" suffix
/// does not end a real artist's name.
public enum ChannelName {
    /// The artist named by a channel name, or `name` itself.
    public static func artist(_ name: String) -> String {
        var s = Substring(name)
        while s.last == " " { s = s.dropLast() }
        if s.hasSuffix(" - Topic") {
            let artist = s.dropLast(" - Topic".count)
            return artist.contains(where: { !$0.isWhitespace }) ? String(artist) : name
        }
        guard s.hasSuffix("VEVO") else { return name }
        var stem = s.dropLast(4)
        while stem.last == " " { stem = stem.dropLast() }
        // "VEVO" alone, or glued to an upper-case run ("ABCVEVO") that we cannot split safely.
        guard let last = stem.last, last.isLowercase || last.isNumber || stem.contains(" ") else { return name }
        return stem.contains(" ") ? String(stem) : splitCamelCase(stem)
    }

    /// "TaylorSwift" → "Taylor Swift", "GunsNRoses" → "Guns N Roses"; all-lower-case stays one word.
    static func splitCamelCase(_ s: Substring) -> String {
        let chars = Array(s)
        var out = ""
        out.reserveCapacity(chars.count + 4)
        for (i, c) in chars.enumerated() {
            if i > 0, c.isUppercase {
                let prev = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if prev.isLowercase || prev.isNumber || (prev.isUppercase && nextIsLower) { out.append(" ") }
            }
            out.append(c)
        }
        return out
    }
}
