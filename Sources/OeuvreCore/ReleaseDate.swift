/// A release date as reports and catalogues give it: a day, or only a year.
///
/// Sources disagree on format ("15-Apr-14", "September 11 , 2015", "2015-09-11", "1997"); the parser
/// reads them all into one value so that two sides can be compared.
public struct ReleaseDate: Sendable, Hashable, Codable {
    public var year: Int
    /// 1–12, nil when only the year is known.
    public var month: Int?
    /// 1–31, nil when only the year (or year and month) is known.
    public var day: Int?

    public init(year: Int, month: Int? = nil, day: Int? = nil) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 when the full date is known (proleptic Gregorian).
    public var dayNumber: Int? {
        guard let month, let day else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// Reads release dates leniently: a release date is descriptive metadata, so a value in an unknown
/// format is "unknown" (nil), not an error.
public enum ReleaseDateParser {
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Accepts ISO `YYYY[-MM[-DD]]` (also with `/` or `.`), CWR `YYYYMMDD`, `D-Mon-YY[YY]` ("15-Apr-14"), `Month D, YYYY`
    /// ("September 11 , 2015", "Sept. 11 2015"), `D Month YYYY`, and a bare year. Two-digit years read as
    /// 1950–2049.
    public static func parse(_ raw: String) -> ReleaseDate? {
        let tokens = tokenize(raw)
        guard !tokens.isEmpty else { return nil }
        if let (date, used) = match(tokens, at: 0), used == tokens.count { return date }
        return nil
    }

    /// Every date written inside free text (a title with the release date appended, a copyright line), in
    /// order; bare years are not taken (too ambiguous in text).
    public static func scan(_ text: String) -> [ReleaseDate] {
        let tokens = tokenize(text)
        var out: [ReleaseDate] = []
        var i = 0
        while i < tokens.count {
            if let (date, used) = match(tokens, at: i), date.day != nil {
                if !out.contains(date) { out.append(date) }
                i += used
            } else {
                i += 1
            }
        }
        return out
    }

    enum Token: Equatable {
        case number(Int, digits: Int)
        case month(Int)
        case separator(Character)
    }

    /// Numbers, month names and the separators `-`, `/`, `.`; commas and spaces only split.
    static func tokenize(_ raw: String) -> [Token] {
        var out: [Token] = []
        var word = ""
        func flush() {
            guard !word.isEmpty else { return }
            if let v = Int(word) {
                out.append(.number(v, digits: word.count))
            } else {
                let lower = word.lowercased()
                if lower.count >= 3, let m = monthNames.firstIndex(of: String(lower.prefix(3))),
                   lower.count == 3 || fullMonthPrefix(lower, month: m) {
                    out.append(.month(m + 1))
                } else {
                    out.append(.separator("?"))  // any other word breaks a date
                }
            }
            word = ""
        }
        for ch in raw {
            if ch.isASCII && (ch.isLetter || ch.isNumber) {
                if let last = word.last, last.isNumber != ch.isNumber { flush() }
                word.append(ch)
            } else {
                flush()
                if ch == "-" || ch == "/" || ch == "." { out.append(.separator(ch)) } else if !(ch == " " || ch == ",") {
                    out.append(.separator("?"))
                }
            }
        }
        flush()
        return out
    }

    static let fullMonths = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                             "november", "december"]

    /// "sept", "september" for September; not "mayor" for May.
    static func fullMonthPrefix(_ word: String, month: Int) -> Bool {
        fullMonths[month].hasPrefix(word) || (month == 8 && word == "sept")
    }

    static func year(_ value: Int, digits: Int) -> Int? {
        switch digits {
        case 4 where value >= 1000 && value <= 2999: value
        case 2: value < 50 ? 2000 + value : 1900 + value
        default: nil
        }
    }

    static func valid(_ y: Int, _ m: Int, _ d: Int) -> ReleaseDate? {
        guard m >= 1 && m <= 12, d >= 1 else { return nil }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1] ? ReleaseDate(year: y, month: m, day: d) : nil
    }

    /// The longest date starting at token `i`, with the number of tokens it used.
    static func match(_ t: [Token], at i: Int) -> (ReleaseDate, Int)? {
        func tok(_ k: Int) -> Token? { i + k < t.count ? t[i + k] : nil }
        func isDateSeparator(_ k: Int) -> Bool {
            if case .separator(let c)? = tok(k) { return c == "-" || c == "/" || c == "." }
            return false
        }
        switch tok(0) {
        case .number(let a, let da)?:
            // ISO: YYYY-MM-DD / YYYY-MM.
            if da == 4, let y = year(a, digits: 4), isDateSeparator(1), case .number(let m, let dm)? = tok(2), dm <= 2 {
                if isDateSeparator(3), case .number(let d, let dd)? = tok(4), dd <= 2, let date = valid(y, m, d) { return (date, 5) }
                if m >= 1 && m <= 12 { return (ReleaseDate(year: y, month: m), 3) }
            }
            // Compact YYYYMMDD (CWR).
            if da == 8, let date = valid(a / 10000, (a / 100) % 100, a % 100), date.year >= 1000 { return (date, 1) }
            // D-Mon-YY, D Mon YYYY.
            if da <= 2 {
                var k = 1
                if isDateSeparator(k) { k += 1 }
                if case .month(let m)? = tok(k) {
                    var j = k + 1
                    if isDateSeparator(j) { j += 1 }
                    // A two-digit year only in the compact D-Mon-YY form ("3:31 October 27 , 2014" is not 31 Oct 2027).
                    let compact = k == 2 && j == k + 2
                    if case .number(let y, let dy)? = tok(j), dy == 4 || compact, let year = year(y, digits: dy), let date = valid(year, m, a) {
                        return (date, j + 1)
                    }
                }
            }
            if da == 4, let y = year(a, digits: 4) { return (ReleaseDate(year: y), 1) }
            return nil
        case .month(let m)?:
            // Month D, YYYY ("September 11 , 2015"); Month YYYY.
            var k = 1
            if case .separator(".")? = tok(k) { k += 1 }
            if case .number(let d, let dd)? = tok(k), dd <= 2, case .number(let y, 4)? = tok(k + 1), let year = year(y, digits: 4),
               let date = valid(year, m, d) {
                return (date, k + 2)
            }
            if case .number(let y, 4)? = tok(k), let year = year(y, digits: 4) { return (ReleaseDate(year: year, month: m), k + 1) }
            return nil
        default:
            return nil
        }
    }
}
