/// English number words → digits, so "Twenty-Four Hours" and "24 Hours", "Twenty Five Miles" and
/// "25 Miles" meet. Works on normalized titles (lower-case ASCII words, single spaces).
public enum NumberWords {
    static let units: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19,
    ]
    static let tens: [String: Int] = ["twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90]

    /// The title with each run of number words written in digits, or nil when it has none worth
    /// converting (a lone "one" is left alone: "One Love" is not "1 Love").
    /// The number words and "hundred", for a quick exit on titles without any.
    static let screen = WordScreen(Array(units.keys) + Array(tens.keys) + ["hundred"])

    public static func digits(_ title: String) -> String? {
        guard screen.mayContainWord(of: title) else { return nil }
        let words = title.split(separator: " ").map(String.init)
        guard words.contains(where: { units[$0] != nil || tens[$0] != nil || $0 == "hundred" }) else { return nil }
        var out: [String] = []
        var changed = false
        var i = 0
        while i < words.count {
            var value = -1
            var j = i
            // [units|tens [units]] [hundred [and] [tens [units] | units]]
            func small(_ k: inout Int) -> Int? {
                if k < words.count, let t = tens[words[k]] {
                    k += 1
                    if k < words.count, let u = units[words[k]], u > 0, u < 10 { k += 1; return t + u }
                    return t
                }
                if k < words.count, let u = units[words[k]] { k += 1; return u }
                return nil
            }
            if let first = small(&j) {
                value = first
                if j < words.count, words[j] == "hundred", first > 0, first < 10 {
                    j += 1
                    value = first * 100
                    var k = j
                    if k < words.count, words[k] == "and" { k += 1 }
                    if let rest = small(&k), rest < 100 { value += rest; j = k }
                }
            }
            if value >= 0 && !(value == 1 && j == i + 1 && words[i] == "one") {
                out.append(String(value))
                changed = true
                i = j
            } else {
                out.append(words[i])
                i += 1
            }
        }
        return changed ? out.joined(separator: " ") : nil
    }
}
