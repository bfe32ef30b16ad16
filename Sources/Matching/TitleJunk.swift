import Foundation

/// Removes values of other fields that landed at the end of a title: a duration ("3:56"), a date
/// ("12-May-15", "May 12 , 2015"), a price ("$ 1.29") and a copyright / label notice ("( C ) 2014 XO & co.,
/// Inc.", "2014 Atlantic Recording Corporation …"). Scraped catalogues and flattened report exports append
/// such cells to the title; left in place they become title words and spoil every title comparison.
///
/// Only trailing runs are removed (a date or time inside a title, "4:44", "September 11 , 2001", stays when
/// nothing follows it that is junk itself and nothing precedes it), and never the whole title.
/// The raw text is still scanned for durations and dates (`ProfileBuilder.textDurations`, `textDates`).
public enum TitleJunk {
    private static let trailing: [NSRegularExpression] = [
        #"\s*(?<![\d:.])\d{1,2}:\d{2}(?::\d{2})?\s*$"#,                                                  // 3:56, 1:02:03
        #"\s*(?<![\d-])\d{1,2}-[A-Za-z]{3}-(?:\d{4}|\d{2})\s*$"#,                                        // 12-May-15
        #"\s*\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\s*,?\s*\d{4}\s*$"#,  // May 12 , 2015
        #"\s*(?<!\d)\d{4}-\d{2}-\d{2}\s*$"#,                                                            // 2015-05-12
        #"\s*[$£€]\s*\d+(?:[.,]\d{2})?\s*$"#,                                                          // $ 1.29
    ].map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }

    /// A copyright or phonogram notice runs to the end of the field: "(C) 2014 …", "© 2014 …", "℗ 2012 …",
    /// or a bare year followed by a label name ("2014 , 2015 Epic Records , a division of …").
    private static let notice: [NSRegularExpression] = [
        #"\s*(?:\(\s*[cp]\s*\)|©|℗)\s*(?:19|20)\d{2}\b.*$"#,
        #"\s*\b(?:19|20)\d{2}(?:\s*,\s*(?:19|20)\d{2})*\s+[^()\[\]]*?\b(?:records|recordings?|entertainment|inc|ltd|llc|corporation|corp|licen[cs]ed?|gmbh|company)\b.*$"#,
    ].map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive, .dotMatchesLineSeparators]) }

    /// Whether a pattern can match `text` (false: `strip` would return it unchanged). Reads the text once,
    /// by Unicode scalar: `\d` is any decimal digit and `\s` any white space (everything up to U+0020 is
    /// taken as white space too: a superset, so the screen only ever lets through more texts, never fewer).
    /// - Every `trailing` pattern ends with a digit followed only by white space, and needs more before it
    ///   than a plain number ("Tangerine 91", "Song 7", "Amour seul froid 2023" skip): a currency sign ($ 1.29) or a
    ///   second number before the last one — 3:56, 12-May-15, 2015-05-12, May 12 , 2015 —, possibly run together
    ///   (a last run of at least five digits). (Any ":" or "-" used to let the text through as well, although
    ///   each pattern with one has two numbers: "Artist - Song 1965", common in uploads, went to the patterns.)
    /// - Every `notice` pattern needs a year "19dd" / "20dd" and either a mark ("(C)", "(p)" with any white space
    ///   inside the brackets, "©", "℗") or, after the year, a label word: its stem ("record", "entertainment",
    ///   "inc", "ltd", "llc", "corp", "licen", "gmbh", "company") anywhere in the text, ASCII case-insensitive.
    ///   The only non-ASCII scalars that case-fold to ASCII letters are K (Kelvin) and ſ (long s), and no stem has a
    ///   k or an s; still, any non-ASCII letter after the year lets the text through (full case folding of the
    ///   text is not the screen's business). A year followed by words such as "(2009 Remaster)" or "2016 - Live"
    ///   used to pass (6% of generated report titles, none of them changed by `strip`).
    static func mayHaveJunk(_ text: String) -> Bool {
        var endsWithDigit = false   // the last scalar that is not white space is a digit
        var inRun = false           // the previous scalar is a digit
        var digitRuns = 0
        var lastRun = 0
        var currency = false        // '$', '£' or '€'
        var marks = false           // "(c)" / "(p)", '©' or '℗'
        var bracket = 0             // 1: after '(' (and white space), 2: after "(c" / "(p" (and white space)
        var year = false
        var textAfterYear = false
        var nonASCIIAfterYear = false
        // The three scalars before the current one (values; whether the last of them is a digit).
        var p0: UInt32 = 0, p1: UInt32 = 0, p2: UInt32 = 0
        var p2Digit = false
        for s in text.unicodeScalars {
            let v = s.value
            let digit: Bool
            let space: Bool
            if v < 0x80 {
                digit = v >= 48 && v <= 57
                space = v <= 0x20
            } else {
                digit = s.properties.numericType == .decimal
                space = !digit && s.properties.isWhitespace
            }
            if digit {
                if inRun { lastRun += 1 } else { digitRuns += 1; lastRun = 1 }
                // "19dd" / "20dd": this is the fourth digit.
                if p2Digit && ((p0 == 0x31 && p1 == 0x39) || (p0 == 0x32 && p1 == 0x30)) { year = true }
            } else if !space {
                if year {
                    textAfterYear = true
                    if v >= 0x80 { nonASCIIAfterYear = true }
                }
                switch v {
                case 0x24, 0xA3, 0x20AC: currency = true                // $ £ €
                case 0xA9, 0x2117: marks = true                          // © ℗
                default: break
                }
            }
            // "(" white space* [cp] white space* ")"
            if !space {
                switch (bracket, v) {
                case (_, 0x28): bracket = 1
                case (1, 0x43), (1, 0x63), (1, 0x50), (1, 0x70): bracket = 2
                case (2, 0x29): marks = true; bracket = 0
                default: bracket = 0
                }
            }
            if !space { endsWithDigit = digit }
            inRun = digit
            (p0, p1, p2, p2Digit) = (p1, p2, v, digit)
        }
        if endsWithDigit && (currency || digitRuns >= 2 || lastRun >= 5) { return true }
        guard year else { return false }
        return marks || (textAfterYear && (nonASCIIAfterYear || hasLabelStem(text)))
    }

    /// Stems of the second `notice` pattern's label words (`records|recordings?|entertainment|inc|ltd|llc|
    /// corporation|corp|licen[cs]ed?|gmbh|company`).
    private static let labelStems: [[UInt8]] = ["record", "entertainment", "inc", "ltd", "llc", "corp", "licen", "gmbh", "company"]
        .map { Array($0.utf8) }

    /// Whether a label stem occurs in `text`, ASCII letters compared case-insensitively.
    static func hasLabelStem(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let n = bytes.count
            var i = 0
            while i < n {
                let b = bytes[i] | 0x20
                // Every stem starts with r, e, i, l, c or g.
                if b == 0x72 || b == 0x65 || b == 0x69 || b == 0x6C || b == 0x63 || b == 0x67 {
                    stems: for stem in labelStems where stem[0] == b && i + stem.count <= n {
                        for k in 1..<stem.count where bytes[i + k] | 0x20 != stem[k] { continue stems }
                        return true
                    }
                }
                i += 1
            }
            return false
        }
    }

    /// `text` without trailing junk (unchanged when it has none or when only junk would remain).
    public static func strip(_ text: String) -> String { strip(text, screen: true) }

    /// `strip`; `screen: false` skips `mayHaveJunk` (the equivalence test compares both).
    static func strip(_ text: String, screen: Bool) -> String {
        // Every pattern needs a digit: most titles have none and skip the regular expressions.
        guard text.utf8.contains(where: { $0 >= 48 && $0 <= 57 }) else { return text }
        if screen && !mayHaveJunk(text) { return text }
        var current = text
        var changed = true
        while changed {
            changed = false
            for re in trailing + notice {
                let ns = current as NSString
                guard let m = re.firstMatch(in: current, range: NSRange(location: 0, length: ns.length)) else { continue }
                let rest = ns.substring(to: m.range.location)
                // Keep at least one letter-bearing word: never strip a title down to nothing.
                guard rest.unicodeScalars.contains(where: { CharacterSet.letters.contains($0) }) else { continue }
                current = rest
                changed = true
            }
        }
        return current
    }
}
