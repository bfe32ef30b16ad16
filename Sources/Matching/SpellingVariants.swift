/// One spelling for words that song titles write several ways: sung contractions ("wanna" / "want to",
/// "gimme" / "give me", "'til" / "till" / "until", "thru" / "through", "U" / "you"), British and American
/// spellings ("colours" / "colors", "traveller" / "traveler"), "n" for "and" ("Rock n Roll") and a dropped g
/// written without its apostrophe ("Feelin Alright"). A cover
/// often spells its title otherwise than the catalogued recording ("I Don't Wanna Cry" / "I Don't Want to
/// Cry", "Lonesome Traveller" / "Lonesome Traveler", "Gimme Some Truth" / "Give Me Some Truth": 28 lines of
/// shs100k-val, 24 of them in review before this reading existed).
///
/// Works on normalized titles (lower-case words, single spaces; apostrophes already dropped, a dropped g
/// restored: "travellin'" is "travelling"). The reading is added to a title's variants on both sides, so
/// two titles meet through it only when their canonical forms are equal (`title_variant_exact`).
public enum SpellingVariants {
    static let canonical: [Substring: String] = [
        // Sung contractions.
        "wanna": "want to", "gonna": "going to", "gotta": "got to", "gimme": "give me", "lemme": "let me",
        "kinda": "kind of", "outta": "out of", "sorta": "sort of", "oughta": "ought to", "hafta": "have to",
        "til": "till", "until": "till", "thru": "through", "tonite": "tonight", "nite": "night",
        "cuz": "because", "coz": "because", "luv": "love", "u": "you", "ya": "you", "n": "and", "xmas": "christmas",
        "bout": "about", "ol": "old", "ole": "old", "lil": "little", "midnite": "midnight", "o": "oh",
        "yall": "you all", "round": "around", "em": "them", "yer": "your", "cause": "because", "tho": "though", "nuff": "enough",
        // Abbreviated titles of address ("Mr. Sandman" / "Mister Sandman", "St. James Infirmary" / "Saint James …").
        "mr": "mister", "st": "saint",
        // British spellings → American.
        "colour": "color", "colours": "colors", "coloured": "colored", "favourite": "favorite", "honour": "honor",
        "neighbour": "neighbor", "neighbours": "neighbors", "harbour": "harbor", "rumour": "rumor", "rumours": "rumors",
        "humour": "humor", "flavour": "flavor", "labour": "labor", "parlour": "parlor", "armour": "armor",
        "behaviour": "behavior", "splendour": "splendor", "endeavour": "endeavor", "saviour": "savior",
        "traveller": "traveler", "travellers": "travelers", "travelling": "traveling", "travelled": "traveled",
        "jewellery": "jewelry", "grey": "gray", "centre": "center", "theatre": "theater", "programme": "program",
        "gipsy": "gypsy", "travellin": "traveling", "travelin": "traveling",
        // A dropped g written without its apostrophe ("Feelin Alright", "Tumblin Dice", "Leavin Here"; the
        // normalizer restores it only after an apostrophe): the -ing words of song titles below.
        "goin": "going", "doin": "doing",
    ].merging(droppedG.map { (Substring($0.dropLast()), $0) }) { a, _ in a }

    /// -ing words whose g song titles drop ("Rockin", "Lovin", "Nothin"), as the key "rockin" → "rocking". Only
    /// words whose g-less form is not a word of its own ("raising" / "raisin" is not here, nor "sing" / "sin").
    static let droppedG: [String] = """
        aching asking baking begging believing bleeding blowing bopping breaking bringing burning buying calling \
        changing cheating coming cooking creeping crying cruising cutting dancing darling dreaming drinking driving \
        dying falling feeling fighting fishing fixing flying fooling gambling getting giving grinning grooving growing \
        hanging happening haunting healing holding hoping hopping hunting hurting jiving jumping keeping kicking \
        killing kissing knocking knowing laughing leaving letting listening living looking losing loving lying making \
        messing missing morning moving needing nothing picking playing praying pretending pushing putting rambling \
        reeling riding ringing rising rocking rolling running saying screaming searching shaking shining shooting \
        singing sitting sleeping slipping sliding smiling something speaking spinning standing starting staying \
        stealing stomping stopping strolling strutting swinging taking talking teasing telling thinking throwing \
        trucking trusting trying tumbling turning twisting waiting waking walking wanting wasting watching weeping \
        wishing wondering working worrying yearning
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    /// The words above, for a quick exit on titles without any.
    static let screen = WordScreen(canonical.keys)

    /// The title with every such word in its canonical spelling, or nil when it has none.
    public static func canonical(_ title: String) -> String? {
        guard screen.mayContainWord(of: title) else { return nil }
        let words = title.split(separator: " ")
        guard words.contains(where: { canonical[$0] != nil }) else { return nil }
        return words.map { canonical[$0] ?? String($0) }.joined(separator: " ")
    }
}
