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

    /// Whether a pattern can match `text` (false: `strip` would return it unchanged). For ASCII text: every
    /// `trailing` pattern ends with a digit followed only by white space, and every `notice` pattern needs a
    /// year "19dd" or "20dd". Text with a non-ASCII byte (Unicode digits and spaces match `\d` and `\s`) goes
    /// to the regular expressions. Bytes up to 0x20 are all taken as white space here (a superset of the
    /// regular expressions' ASCII white space, so the screen only lets through more texts, never fewer).
    static func mayHaveJunk(_ text: String) -> Bool {
        @inline(__always) func digit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        var last: UInt8 = 0x20
        var run: (UInt8, UInt8, UInt8) = (0, 0, 0)  // the three bytes before the current one
        for b in text.utf8 {
            if b >= 0x80 { return true }
            if b > 0x20 { last = b }
            // "19dd" / "20dd": b is the fourth byte.
            if digit(b) && digit(run.2) && ((run.0 == UInt8(ascii: "1") && run.1 == UInt8(ascii: "9"))
                || (run.0 == UInt8(ascii: "2") && run.1 == UInt8(ascii: "0"))) { return true }
            run = (run.1, run.2, b)
        }
        return digit(last)
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
