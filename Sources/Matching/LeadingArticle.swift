import Foundation

/// Titles that differ by a leading article only: "The Dark End of the Street" and "Dark End of the Street",
/// "A Love Supreme" and "Love Supreme", "Die Ballade vom angenehmen Leben" and "Ballade vom angenehmen
/// Leben". Catalogues and reports keep or drop the article freely (on shs100k-val, 107 lines differ from
/// their work's title by a leading article alone, and 99 of them went to review), so such a pair counts as
/// `title_variant_exact`, like a bracket or medley reading.
///
/// Works on normalized titles (lower-case words, single spaces). Only words that are articles and nothing
/// else count: not German "die" ("Die Another Day"), Dutch "de" or Portuguese "o", which are English words,
/// Romance prepositions or pronouns too, and not the pronoun "I" ("Need You Now" and "I Need You Now" are two
/// songs). At least two words must remain, so a short title never shrinks to one generic word ("The Letter"
/// is not "Letter"), and a repeated word is not an article ("La La Land").
public enum LeadingArticle {
    static let articles: [[UInt8]] = [
        "the", "a", "an",  // English
        "le", "la", "les", "un", "une",  // French
        "el", "los", "las", "una",  // Spanish
        "il", "lo", "gli", "uno",  // Italian
        "der", "das", "ein", "eine",  // German
        "het", "een",  // Dutch
    ].map { Array($0.utf8) }

    /// Whether `full` is `rest` with a leading article ("the dark end of the street", "dark end of the street").
    public static func isArticled(_ full: String, _ rest: String) -> Bool {
        var full = full, rest = rest
        return full.withUTF8 { f in rest.withUTF8 { r in isArticled(f, r) } }
    }

    /// Byte form of `isArticled(_:_:)`, for packed texts.
    @inline(__always)
    static func isArticled(_ full: UnsafeBufferPointer<UInt8>, _ rest: UnsafeBufferPointer<UInt8>) -> Bool {
        let cut = full.count - rest.count - 1  // length of the article
        guard cut >= 1, cut <= 4, full[cut] == 0x20, let f = full.baseAddress, let r = rest.baseAddress,
              memcmp(f + cut + 1, r, rest.count) == 0 else { return false }
        // Two words at least after the article, and the article is not the next word repeated.
        guard let space = rest.firstIndex(of: 0x20) else { return false }
        if space == cut && memcmp(f, r, cut) == 0 { return false }
        return articles.contains { a in a.count == cut && a.withUnsafeBufferPointer { memcmp($0.baseAddress!, f, cut) == 0 } }
    }
}
