/// Version tags a title qualifier can carry. Names are the lower-case strings in `ParsedTitle.tags`.
public enum VersionTag: Int, CaseIterable, Sendable {
    case live, remix, remaster, edit, acoustic, instrumental, karaoke, demo, alternate, mono, stereo
    case explicit, clean, from, cover, medley, version, translation, reprise, interlude, excerpt, acapella
    case video, prod, arrangement

    /// The tag's name as it appears in `ParsedTitle.tags` and `oeuvre normalize --json`.
    public var name: String { Self.names[rawValue] }

    private static let names = [
        "live", "remix", "remaster", "edit", "acoustic", "instrumental", "karaoke", "demo", "alternate", "mono", "stereo",
        "explicit", "clean", "from", "cover", "medley", "version", "translation", "reprise", "interlude", "excerpt",
        "acapella", "video", "prod", "arrangement",
    ]

    var bit: UInt32 { 1 << UInt32(rawValue) }
}

/// How a lexicon entry behaves inside a qualifier segment.
enum LexRole: UInt8 {
    /// Contributes its tags; stands on its own ("Live", "Remastered", "Radio Edit").
    case tag
    /// Contributes its tag; unknown words just before it are its modifier ("Robin Schulz Remix",
    /// "Taylor's Version", "BBC Session").
    case head
    /// Like `head`, but only tags when it has a modifier or nothing else in the segment tags
    /// ("Live Version" → live only; "Spanish Version" → translation; "Version" → version).
    case weakHead
    /// Allowed anywhere without a tag of its own ("Digital", "Deluxe"... numbers, genre words).
    case filler
    /// The rest of the segment is free text whose meaning depends on `OpenerKind`.
    case opener
}

enum OpenerKind: UInt8 {
    case none
    /// Venue after a live tag ("Live at Wembley", "Ao Vivo em São Paulo"); invalid without one.
    case location
    /// "from …": a venue after a live tag, else a production when quoted or naming a film/show.
    case from
    /// Production after an unambiguous phrase ("Theme from", "du film", "de la película").
    case production
    /// Original performer ("In the Style of X", "Tribute to X", "Originally Performed by X").
    case originalArtist
    /// "by X": remixer after remix/edit, original performer after karaoke; needs a preceding tag.
    case by
    /// A credit that is dropped ("prod. X", "arr. X").
    case credit
}

/// What a remix-like head's modifier names.
enum ModifierKind: UInt8 { case none, remixer }

struct Lexeme {
    var tags: UInt32
    var role: LexRole
    var opener: OpenerKind = .none
    var modifier: ModifierKind = .none
}

/// The qualifier vocabulary: single words (keyword ids) and phrases of words mapped to lexemes.
///
/// Words are matched after folding (lower-case ASCII, apostrophes dropped), so "Taylor's" is
/// `taylors` and "Remasterisé" is `remasterise`. Phrases are matched greedily, longest first.
struct QualifierLexicon {
    // Flat tables (no nested arrays: lookups stay free of retain/release in the hot loop).
    /// Folded bytes of every word, concatenated; word `i` is `wordBytes[wordStart[i]..<wordStart[i + 1]]`.
    private var wordBytes: [UInt8] = []
    private var wordStart: [Int32] = []
    /// Per word: `productionFlag`, `noiseFlag`, `workPartFlag`.
    private var wordFlags: [UInt8] = []
    private var slotKeys: [UInt64]
    private var slotIds: [Int32]
    private let mask: Int
    /// Phrases starting with word `w`: `firstList[firstStart[w]..<firstStart[w + 1]]`, longest first.
    private var firstStart: [Int32] = []
    private var firstList: [Int32] = []
    /// Words of phrase `p`: `phraseFlat[phraseStart[p]..<phraseStart[p + 1]]`.
    private var phraseStart: [Int32] = []
    private var phraseFlat: [Int32] = []
    private var lexemes: [Lexeme] = []
    /// Keyword ids with a special meaning to the parser.
    let idAt: Int32, idAnd: Int32
    /// FNV-1a of every entry (phrase and lexeme) in definition order: changes whenever the vocabulary does.
    let fingerprint: UInt64

    static let productionFlag: UInt8 = 1, noiseFlag: UInt8 = 2, workPartFlag: UInt8 = 4

    static let shared = QualifierLexicon()

    @inline(__always) static func hash(_ h: UInt64, _ c: UInt8) -> UInt64 {
        (h ^ UInt64(c)) &* 0x100_0000_01b3
    }
    static let hashSeed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Keyword id of the folded word whose FNV-1a hash is `h` and bytes are `bytes[0..<count]`, or -1.
    @inline(__always) func lookup(hash h: UInt64, bytes: UnsafePointer<UInt8>, count: Int) -> Int32 {
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slotIds[slot]
            if id < 0 { return -1 }
            if slotKeys[slot] == h {
                let s = Int(wordStart[Int(id)]), e = Int(wordStart[Int(id) + 1])
                if e - s == count {
                    var same = true
                    for k in 0..<count where wordBytes[s + k] != bytes[k] { same = false; break }
                    if same { return id }
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Like `lookup(hash:bytes:count:)` for a word given raw: `raw[start..<end]` compared lower-cased,
    /// apostrophes and backticks skipped; `count` is the number of bytes left after skipping.
    @inline(__always) func lookup(hash h: UInt64, raw: UnsafeBufferPointer<UInt8>, start: Int, end: Int, count: Int) -> Int32 {
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slotIds[slot]
            if id < 0 { return -1 }
            if slotKeys[slot] == h {
                let s = Int(wordStart[Int(id)]), e = Int(wordStart[Int(id) + 1])
                if e - s == count {
                    var same = true
                    var k = s
                    for r in start..<end {
                        let c = raw[r]
                        if c == UInt8(ascii: "'") || c == UInt8(ascii: "`") { continue }
                        if wordBytes[k] != Normalizer.lower(c) { same = false; break }
                        k += 1
                    }
                    if same { return id }
                }
            }
            slot = (slot + 1) & mask
        }
    }

    func id(_ word: String) -> Int32 {
        var h = Self.hashSeed
        for c in word.utf8 { h = Self.hash(h, c) }
        return Array(word.utf8).withUnsafeBufferPointer { lookup(hash: h, bytes: $0.baseAddress!, count: $0.count) }
    }

    @inline(__always) func flags(_ id: Int32) -> UInt8 { id >= 0 ? wordFlags[Int(id)] : 0 }

    /// Phrase ids starting with word `id`, longest first, as a range into `firstList`.
    @inline(__always) func phrases(startingWith id: Int32) -> Range<Int> {
        Int(firstStart[Int(id)])..<Int(firstStart[Int(id) + 1])
    }

    @inline(__always) func phrase(at k: Int) -> Int { Int(firstList[k]) }

    @inline(__always) func phraseLength(_ p: Int) -> Int { Int(phraseStart[p + 1] - phraseStart[p]) }

    @inline(__always) func phraseWord(_ p: Int, _ k: Int) -> Int32 { phraseFlat[Int(phraseStart[p]) + k] }

    @inline(__always) func lexeme(_ p: Int) -> Lexeme { lexemes[p] }

    private init() {
        var entries: [(String, Lexeme)] = []
        func add(_ phrases: [String], _ lex: Lexeme) { for p in phrases { entries.append((p, lex)) } }
        func tag(_ t: VersionTag...) -> Lexeme { Lexeme(tags: t.reduce(0) { $0 | $1.bit }, role: .tag) }
        func head(_ t: VersionTag, _ m: ModifierKind = .none) -> Lexeme { Lexeme(tags: t.bit, role: .head, modifier: m) }
        func weak(_ t: VersionTag, _ m: ModifierKind = .none) -> Lexeme { Lexeme(tags: t.bit, role: .weakHead, modifier: m) }
        func opener(_ k: OpenerKind, _ t: VersionTag...) -> Lexeme {
            Lexeme(tags: t.reduce(0) { $0 | $1.bit }, role: .opener, opener: k)
        }
        let filler = Lexeme(tags: 0, role: .filler)

        // live
        add(["live", "en vivo", "ao vivo", "al vivo", "dal vivo", "en directo", "en direct", "in concert", "en concert",
             "en concierto", "em concerto", "in concerto", "im konzert", "live recording", "recorded live",
             "directo", "concert", "concierto", "konzert", "live version", "raibu", "laibeu", "xian chang", "zontana",
             "zhivoj", "zivoj", "en public", "live session"], tag(.live))
        add(["session", "sessions", "performance"], head(.live))
        add(["mtv unplugged"], tag(.live, .acoustic))
        // remix
        add(["remix", "remixes", "rmx", "rework", "reworked", "bootleg", "flip", "vip", "remezcla", "remixado",
             "remixada", "remiks", "rimikkusu", "limigseu", "refix", "rerub"], head(.remix, .remixer))
        add(["dub", "dubs"], head(.remix))  // "Can't Stand Losing Dub": a dub version, the words before are no remixer
        add(["remixed", "mixed"], tag(.remix))
        add(["mix"], weak(.remix, .remixer))
        // edit
        add(["edit", "edited", "re edit", "reedit"], head(.edit, .remixer))
        add(["radio edit", "radio version", "radio mix", "single version", "single edit", "single mix", "album version",
             "album edit", "album mix", "extended", "original mix", "club mix", "short version", "short edit", "short mix",
             "long version", "7 inch", "12 inch", "7 version", "12 version", "7 mix", "12 mix", "7 edit", "12 edit",
             "tv size", "tv ver", "tv version", "sped up", "speed up", "slowed", "slowed reverb", "slowed and reverb",
             "nightcore", "continuous mix", "dj mix", "mixed version"], tag(.edit))
        // remaster
        add(["remaster", "remastered", "remasters", "remastering", "remasterise", "remasterised", "remasterisee",
             "remasterized", "remasterizado", "remasterizada", "remasterizzato", "remasterizzata", "remasterisiert",
             "remasterizacao", "remasterizacion", "re mastered", "re master", "mastered for itunes", "digital remaster",
             "remasterizado digitalmente", "remasterise en", "remasterisee en", "remastered in", "remasterizado en",
             "remasterizada en", "remasterizado em", "remasterizzato nel", "remasterizzata nel", "remasterisiert in"],
            tag(.remaster))
        // acoustic
        add(["acoustic", "acustico", "acustica", "acustic", "akustik", "akustisch", "acoustique", "akustika", "eokuseutig",
             "unplugged", "stripped", "stripped back", "piano", "en acustico"], tag(.acoustic))
        // instrumental / a cappella
        add(["instrumental", "instrumentale", "instrumentales", "instrumentaal", "instrumentais", "inst", "insuto",
             "ban zou", "off vocal", "no vocals", "minus vocals"], tag(.instrumental))
        add(["acapella", "acappella", "a cappella", "a capella", "vocals only", "vocal only"], tag(.acapella))
        // karaoke
        add(["karaoke", "backing track", "backing tracks", "sing along", "singalong", "minus one", "playback"], tag(.karaoke))
        add(["in the style of", "in the style", "style of", "made famous by", "as made famous by", "made popular by",
             "originally performed by", "as performed by", "popularized by", "popularised by", "as popularized by",
             "originally by", "im stil von", "al estilo de", "dans le style de", "nello stile di", "no estilo de"],
            opener(.originalArtist, .karaoke))
        // demo / alternate
        add(["demo", "demos", "maquette", "maqueta"], head(.demo))
        add(["work tape", "worktape", "home recording", "rough mix", "early version", "rehearsal", "work in progress"], tag(.demo))
        add(["take", "outtake", "outtakes"], head(.alternate))
        add(["alternate", "alternative version", "alternate version", "alt", "alternative take"], tag(.alternate))
        // mono / stereo / explicit / clean
        add(["mono"], tag(.mono))
        add(["stereo"], tag(.stereo))
        add(["explicit", "dirty", "uncensored"], tag(.explicit))
        add(["clean", "censored"], tag(.clean))
        // cover / tribute
        add(["cover", "covers"], head(.cover))
        add(["covered", "tribute", "hommage", "homenaje", "omaggio", "homenagem"], tag(.cover))
        add(["tribute to", "a tribute to", "hommage a", "homenaje a", "omaggio a", "homenagem a", "cover of", "tribute of"],
            opener(.originalArtist, .cover))
        // medley
        add(["medley", "medleys", "potpourri", "popurri", "pot pourri", "megamix", "mashup", "mash up", "megamedley"],
            tag(.medley))
        // from <production>
        add(["soundtrack", "ost", "original soundtrack", "original motion picture soundtrack", "motion picture soundtrack",
             "original score", "bso", "b s o", "bande originale", "banda sonora", "banda sonora original", "trilha sonora",
             "trilha sonora original", "colonna sonora", "main title", "end title", "end titles", "end credits", "theme",
             "main theme", "love theme", "theme song", "opening theme", "ending theme", "title theme", "soundtrack version"],
            tag(.from))
        add(["theme from", "love theme from", "main theme from", "music from", "song from", "songs from", "de la pelicula",
             "de la serie", "de la novela", "de la telenovela", "del film", "du film", "du dessin anime", "de la comedie musicale",
             "aus dem film", "aus der serie", "aus dem musical", "dal film", "della serie", "do filme", "da novela", "da serie",
             "do musical", "tema de", "tema da", "tema do", "tema del", "bande originale du film", "from the motion picture",
             "from the film", "from the movie", "from the musical", "from the series", "from the tv series",
             "from the original motion picture soundtrack", "from the original soundtrack", "from the netflix series",
             "from the netflix film", "from the disney film", "from the broadway musical", "from the video game"],
            opener(.production, .from))
        add(["from"], opener(.from, .from))
        // version (recording-level)
        add(["version", "versions", "versao", "versione", "versio", "ver", "vers", "fassung", "edition", "editions",
             "edicion", "edizione", "ausgabe", "recording", "singles", "versie"], weak(.version))
        add(["original", "originale", "originalversion", "re recorded", "rerecorded", "re record", "re recording",
             "new recording", "anniversary", "deluxe", "bonus", "bonus track", "hidden track", "remake", "single", "ep",
             "from the vault", "orchestral", "symphonic", "sinfonico", "orchestrale", "reissue", "re issue"], tag(.version))
        // translation: language names, alone or after a preposition
        let languages = ["english", "spanish", "french", "german", "italian", "portuguese", "japanese", "korean", "chinese",
                         "mandarin", "cantonese", "russian", "dutch", "swedish", "polish", "turkish", "greek", "hebrew",
                         "arabic", "hindi", "catalan", "espanol", "castellano", "ingles", "frances", "aleman", "italiano",
                         "portugues", "francais", "francaise", "anglais", "anglaise", "espagnol", "espagnole", "allemand",
                         "allemande", "italien", "italienne", "portugais", "deutsch", "deutsche", "deutscher", "englisch",
                         "englische", "spanisch", "spanische", "franzosisch", "franzosische", "italienisch", "inglese",
                         "spagnolo", "francese", "tedesco", "portoghese", "espanhol", "alemao", "japones", "japonais",
                         "coreano", "coreen", "chino", "chinois", "spanglish"]
        add(languages, tag(.translation))
        add(languages.flatMap { l in ["en", "in", "em", "auf", "na"].map { "\($0) \(l)" } }, tag(.translation))
        // others
        add(["reprise"], tag(.reprise))
        add(["interlude", "intro", "outro", "skit"], tag(.interlude))
        add(["excerpt", "excerpts", "extract", "extrait", "extraits", "auszug", "fragmento", "estratto"], tag(.excerpt))
        add(["video", "videoclip", "clip", "audio", "visualizer", "visualiser"], head(.video))
        add(["lyric", "lyrics", "letra", "paroles", "testo", "hd", "hq", "4k", "1080p", "720p", "mv", "m v", "official",
             "oficial", "officiel", "officielle", "ufficiale", "offizielles", "offizielle", "con letra", "com letra",
             "avec paroles", "with lyrics", "lyric video", "official video", "music video"], tag(.video))
        add(["prod", "prod by", "produced by", "producer"], opener(.credit, .prod))
        add(["arr", "arr by", "arranged by", "arrangement by"], opener(.credit, .arrangement))
        add(["arrangement"], head(.arrangement))
        add(["by"], opener(.by))
        add(["at", "in", "on", "aus", "im", "vom", "bei", "au", "a", "en", "em", "no", "na", "de", "desde", "da", "do",
             "dal", "al", "alla"], opener(.location))
        add(["live at", "live in", "live from", "live on", "live aus", "live a", "live au", "live em", "live no", "live na",
             "recorded at"], opener(.location, .live))
        add(["the", "an", "and", "radio", "club", "album", "digital", "digitally", "full", "length", "special", "expanded",
             "limited", "collectors", "collector", "legacy", "complete", "definitive", "super", "new", "studio", "vocal",
             "dance", "main", "inch", "rpm", "lp", "vinyl", "cd", "short", "long", "for",
             "dubstep", "house", "deep", "tech", "techno", "trance", "trap", "drum", "bass", "dnb", "electro", "edm",
             "tropical", "future", "jersey", "moombahton", "hardstyle", "hardcore", "reggaeton", "latin", "salsa", "cumbia",
             "bachata", "disco", "funk", "jazz", "lofi", "lo", "fi", "chill", "chillout", "ambient", "rock", "metal", "punk",
             "country", "gospel", "christmas", "summer", "progressive", "garage", "afro", "afrobeat", "dancehall", "reggae",
             "soul", "rnb", "hip", "hop", "pop", "synth", "synthwave", "retro", "big", "room", "8d", "unedited", "uncut",
             "ultimate", "unreleased", "previously", "restored", "enhanced", "mastered", "hi", "res", "mariachi"], filler)

        // Build the word table.
        var wordIds: [String: Int32] = [:]
        var words: [[UInt8]] = []
        func wid(_ w: String) -> Int32 {
            if let id = wordIds[w] { return id }
            let id = Int32(words.count)
            wordIds[w] = id
            words.append(Array(w.utf8))
            return id
        }
        var phraseIndex: [[Int32]: Int] = [:]
        var phraseWords: [[Int32]] = []
        var lexemes: [Lexeme] = []
        var fp = Self.hashSeed
        for (phrase, lex) in entries {
            for c in "\(phrase)|\(lex.tags)|\(lex.role.rawValue)|\(lex.opener)|\(lex.modifier);".utf8 { fp = Self.hash(fp, c) }
        }
        fingerprint = fp
        for (phrase, lex) in entries {
            let ids = phrase.split(separator: " ").map { wid(String($0)) }
            if phraseIndex[ids] != nil { continue }  // first definition wins
            phraseIndex[ids] = phraseWords.count
            phraseWords.append(ids)
            lexemes.append(lex)
        }
        var flagged: [(Int32, UInt8)] = []
        for w in ["film", "movie", "motion", "picture", "pictures", "series", "serie", "show", "tv", "musical", "soundtrack",
                  "netflix", "disney", "pixar", "broadway", "anime", "game", "videogame", "telenovela", "novela", "opera",
                  "ballet", "documentary", "cartoon", "season", "episode", "ost", "original"] {
            flagged.append((wid(w), Self.productionFlag))
        }
        for w in ["the", "original", "motion", "picture", "soundtrack", "film", "movie", "musical", "series", "tv", "netflix",
                  "disney", "broadway", "video", "game", "animated", "a", "an", "from"] {
            flagged.append((wid(w), Self.noiseFlag))
        }
        for w in ["movement", "mvt", "mov", "part", "pt", "act", "scene", "symphony", "concerto", "sonata", "op", "opus",
                  "suite", "overture", "aria", "chorus", "verse", "bridge"] {
            flagged.append((wid(w), Self.workPartFlag))
        }
        idAt = wid("at")
        idAnd = wid("and")
        var flags = Array(repeating: UInt8(0), count: words.count)
        for (id, f) in flagged { flags[Int(id)] |= f }
        wordFlags = flags
        wordStart = [0]
        for w in words {
            wordBytes.append(contentsOf: w)
            wordStart.append(Int32(wordBytes.count))
        }
        var size = 64
        while size < words.count * 4 { size <<= 1 }
        mask = size - 1
        slotKeys = Array(repeating: 0, count: size)
        slotIds = Array(repeating: -1, count: size)
        for (i, w) in words.enumerated() {
            var h = Self.hashSeed
            for c in w { h = Self.hash(h, c) }
            var slot = Int(truncatingIfNeeded: h) & mask
            while slotIds[slot] >= 0 { slot = (slot + 1) & mask }
            slotKeys[slot] = h
            slotIds[slot] = Int32(i)
        }
        var byFirst = Array(repeating: [Int32](), count: words.count)
        for (i, p) in phraseWords.enumerated() { byFirst[Int(p[0])].append(Int32(i)) }
        firstStart = [0]
        for k in byFirst.indices {
            byFirst[k].sort { phraseWords[Int($0)].count > phraseWords[Int($1)].count }
            firstList.append(contentsOf: byFirst[k])
            firstStart.append(Int32(firstList.count))
        }
        phraseStart = [0]
        for p in phraseWords {
            phraseFlat.append(contentsOf: p)
            phraseStart.append(Int32(phraseFlat.count))
        }
        self.lexemes = lexemes
    }
}
