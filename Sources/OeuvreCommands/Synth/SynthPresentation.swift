import Foundation
import OeuvreCore

/// How a DSP shows one recording on one usage line: streaming decorations, transliteration,
/// case and diacritic changes, typos, truncations, missing artists.
struct SynthUsageView: Sendable {
    var title: String
    var subtitle: String
    var artist: String
    var duration: Int?
    var isrc: String
    var writers: [String]
    var writerIds: [String]
    var iswc: String

    /// The title as a single cell (usage TSV has no subtitle column).
    var fullTitle: String { subtitle.isEmpty ? title : "\(title) (\(subtitle))" }
}

extension SynthUniverse {
    static let transliterationVariants: [[(String, String)]] = [
        [], [], [], [], [], [],
        [("kh", "h"), ("ya", "ia"), ("yu", "iu"), ("zh", "j"), ("ts", "c"), ("shch", "sch"), ("yy", "iy"), ("y", "j")],
        [(" ", ""), ("x", "hs"), ("zh", "j"), ("q", "ch")],
        [("ou", "o"), ("uu", "u"), ("tsu", "tu"), ("shi", "si"), ("chi", "ti"), ("ii", "i")],
        [("eo", "o"), ("eu", "u"), ("ae", "e"), ("j", "ch"), ("g", "k")],
        [("ch", "h"), ("y", "i"), ("f", "ph"), ("ou", "u")],
        [("q", "k"), ("kh", "h"), ("aa", "a"), ("dh", "z"), ("al-", "el-"), ("u", "ou")],
        [("ch", "h"), ("ts", "tz"), ("v", "w"), ("k", "c")],
        [("aa", "a"), ("ee", "i"), ("oo", "u"), ("w", "v"), ("sh", "s")],
        [("ph", "p"), ("th", "t"), ("kh", "k"), ("ue", "eu"), ("ai", "ay")],
    ]

    /// A DSP's own romanization: the catalogue's, with some spelling conventions changed.
    func transliteration(_ roman: String, _ lang: SynthLanguage, _ rng: inout SynthRandom) -> String {
        var s = roman
        for (from, to) in Self.transliterationVariants[lang.rawValue] where rng.chance(0.35) {
            s = s.replacingOccurrences(of: from, with: to)
        }
        if rng.chance(0.3) { s = s.lowercased() } else if rng.chance(0.2) { s = s.uppercased() }
        return s
    }

    static func stripDiacritics(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 128 }) { return s }
        var out = String.UnicodeScalarView()
        for u in s.decomposedStringWithCanonicalMapping.unicodeScalars where !(0x300...0x36F).contains(u.value) {
            out.append(u)
        }
        return String(out)
    }

    static let keyboardNeighbours: [Character: String] = [
        "a": "qsz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo", "j": "hk",
        "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et", "s": "ad", "t": "ry",
        "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
    ]

    static func typo(_ s: String, _ rng: inout SynthRandom) -> String {
        var chars = Array(s)
        let letters = chars.indices.filter { $0 > 0 && chars[$0].isLetter && chars[$0].isASCII }
        guard !letters.isEmpty else { return s }
        let i = letters[rng.below(letters.count)]
        switch rng.below(4) {
        case 0 where i + 1 < chars.count && chars[i + 1].isLetter: chars.swapAt(i, i + 1)
        case 1: chars.remove(at: i)
        case 2: chars.insert(chars[i], at: i)
        default:
            let lower = Character(chars[i].lowercased())
            if let n = keyboardNeighbours[lower] {
                let c = Array(n)[rng.below(n.count)]
                chars[i] = chars[i].isUppercase ? Character(c.uppercased()) : c
            } else {
                chars.remove(at: i)
            }
        }
        return String(chars)
    }

    static func truncate(_ s: String, _ rng: inout SynthRandom) -> String {
        let chars = Array(s)
        guard chars.count > 24 else { return s }
        let cut = rng.range(18...min(chars.count - 4, 34))
        var t = String(chars[..<cut]).trimmingCharacters(in: .whitespaces)
        if rng.chance(0.3) { t += "..." }
        return t
    }

    /// The version descriptor a DSP shows for this recording ("Remastered 2011", "Live at …"), or nil.
    func descriptor(_ w: SynthWork, _ rec: SynthRecording, _ rng: inout SynthRandom) -> (text: String, styleOf: String?)? {
        let y = rec.year
        let isCity = SynthVocabulary.cities.contains(rec.venue)
        switch rec.kind {
        case .original:
            guard rng.chance(0.15) else { return nil }
            return (["Album Version", "Single Version", "Explicit", "Mono", "Stereo", "Original Version"][rng.below(6)], nil)
        case .remaster:
            let o = ["Remastered \(y)", "\(y) Remaster", "Remastered", "\(y) Digital Remaster", "Remastered Version", "\(y) Remastered Version"]
            return (o[rng.below(o.count)], nil)
        case .live:
            let at = isCity ? "Live in \(rec.venue)" : "Live at \(rec.venue)"
            let o = ["Live", at, "\(at), \(y)", "Live Version", "Live / \(y)", at]
            return (o[rng.below(o.count)], nil)
        case .radioEdit:
            return (["Radio Edit", "Edit", "Single Version", "Radio Version"][rng.below(4)], nil)
        case .extended:
            return (["Extended Mix", "Extended Version", "Club Mix", "12\" Version"][rng.below(4)], nil)
        case .remix:
            return (["\(rec.remixer) Remix", "\(rec.remixer) Remix - Radio Edit", "Remix"][rng.below(3)], nil)
        case .acoustic:
            return (["Acoustic", "Acoustic Version", "Unplugged", "Piano Version", "Stripped"][rng.below(5)], nil)
        case .karaoke:
            return (["Karaoke Version", "Karaoke", "Instrumental Karaoke"][rng.below(3)], rng.chance(0.5) ? w.performerName : nil)
        case .instrumental:
            return (["Instrumental", "Instrumental Version"][rng.below(2)], nil)
        case .cover, .translatedCover:
            return rng.chance(0.06) ? ("Cover", nil) : nil
        }
    }

    static let uploadSuffixes = [
        "(Official Video)", "(Official Music Video)", "(Official Audio)", "[Official Video]", "(Lyrics)", "(Lyric Video)",
        "[HD]", "(HQ)", "(Audio)", "(Live)", "(cover)", "(Acoustic Cover)", "(Piano Cover)", "[1080p]", "(Visualizer)",
    ]
    static let channelSuffixes = ["VEVO", " - Topic", " Official", "Music", "TV", " Channel"]
    static let channelWords = ["music", "vinyl", "oldies", "jazz", "records", "tunes", "radio", "covers", "gold", "sound", "retro", "songs"]

    /// A user-uploaded video of the recording: the title cell packs performer and title with a separator
    /// and a video suffix; the artist cell is the uploading channel.
    static func userUpload(title: String, performer: String, _ rng: inout SynthRandom) -> (title: String, artist: String) {
        let suffix = uploadSuffixes[rng.below(uploadSuffixes.count)]
        let text: String
        switch rng.below(24) {
        case 0..<5: text = "\(performer) - \(title)"
        case 5..<8: text = "\(performer) - \(title) \(suffix)"
        case 8..<10: text = "\(title) - \(performer)"
        case 10: text = "\(title) by \(performer)"
        case 11, 12: text = "\(performer) \(title)"
        case 13: text = "\(title) \(performer)"
        case 14: text = "\"\(title)\" - \(performer)"
        case 15: text = "\(performer) sings \"\(title)\""
        case 16: text = "\(title) (\(performer) cover)"
        case 17: text = "\(performer) | \(title) \(suffix)"
        case 18: text = "\(performer)_\(title)\([".avi", ".wmv", ".mp4", ".flv"][rng.below(4)])"
        case 19: text = "0\(rng.range(1...9)). \(title) - \(performer)"
        case 20: text = "\(performer.uppercased()) - \(title.uppercased())"
        case 21: text = "\(title) \(suffix)"
        case 22: text = "\(title) -\(performer)-"
        default: text = "\(performer) - \(title) (\(rng.range(1955...2015)))"
        }
        let artist: String
        if rng.chance(0.35) {
            artist = performer.replacingOccurrences(of: " ", with: "") + channelSuffixes[rng.below(channelSuffixes.count)]
        } else {
            let word = channelWords[rng.below(channelWords.count)]
            let other = channelWords[rng.below(channelWords.count)]
            switch rng.below(3) {
            case 0: artist = "\(word)\(other)\(rng.range(1...99))"
            case 1: artist = "\(word.capitalized) \(other.capitalized) \(["Archive", "Channel", "Collector", "Lover"][rng.below(4)])"
            default: artist = "Mr\(word.capitalized)\(rng.range(1950...2005))"
            }
        }
        return (text, artist)
    }

    func present(_ w: SynthWork, _ rec: SynthRecording, _ rng: inout SynthRandom) -> SynthUsageView {
        let c = config
        var title: String
        if !rec.titleLang.isLatin && rng.chance(c.transliterate) {
            title = transliteration(rec.titleRoman, rec.titleLang, &rng)
        } else {
            title = rec.titleNative
        }
        var artist = rec.kind == .karaoke ? SynthVocabulary.karaokeLabels[rng.below(SynthVocabulary.karaokeLabels.count)] : rec.performerName
        if artist.hasPrefix("The ") && rng.chance(0.1) { artist = String(artist.dropFirst(4)) + ", The" }
        if let f = rec.featured {
            if rng.chance(0.6) {
                title += [" (feat. \(f))", " (ft. \(f))", " [feat. \(f)]", " (with \(f))"][rng.below(4)]
            } else {
                artist += [" feat. \(f)", ", \(f)", " & \(f)", " ft. \(f)", " x \(f)", " featuring \(f)"][rng.below(6)]
            }
        }
        var subtitle = ""
        if let d = descriptor(w, rec, &rng) {
            if rng.chance(0.12) {
                subtitle = d.text
            } else {
                let u = rng.unit()
                title += u < 0.45 ? " - \(d.text)" : (u < 0.85 ? " (\(d.text))" : " [\(d.text)]")
            }
            if let s = d.styleOf {
                title += rng.chance(0.7) ? " [In the Style of \(s)]" : " (Originally Performed by \(s))"
            }
        }
        if rng.chance(c.stripDiacritics) { title = Self.stripDiacritics(title) }
        if rng.chance(c.caseChanges) { title = rng.chance(0.65) ? title.uppercased() : title.lowercased() }
        if rng.chance(c.typos) {
            title = Self.typo(title, &rng)
            if rng.chance(0.25) { title = Self.typo(title, &rng) }
        }
        if rng.chance(c.truncations) { title = Self.truncate(title, &rng) }
        if rng.chance(c.missingArtist) {
            artist = ""
        } else {
            if rng.chance(c.stripDiacritics / 2) { artist = Self.stripDiacritics(artist) }
            if rng.chance(c.caseChanges / 2) { artist = artist.uppercased() }
            if rng.chance(c.typos / 3) { artist = Self.typo(artist, &rng) }
        }
        var writers: [String] = [], writerIds: [String] = []
        if rng.chance(c.writersInReport) {
            let withIds = rng.chance(0.4)
            for id in w.writers {
                let p = writer(id)
                writers.append(rng.chance(0.2) ? "\(p.last.uppercased()) \(p.first.uppercased())" : p.display)
                if withIds { writerIds.append("IPI::" + writerIPI(id).value) }
            }
        }
        let duration = rng.chance(c.missingDuration) ? nil : max(30, rec.duration + rng.range(-1...1))
        if c.ugc > 0 {
            // Its own stream, seeded from the line's generator without advancing it: the other lines and
            // fields come out the same whatever the UGC share.
            var peek = rng
            var u = SynthRandom(seed: peek.next(), stream: SynthStream.ugc.rawValue)
            if u.chance(c.ugc) { (title, artist) = Self.userUpload(title: title, performer: rec.performerName, &u) }
        }
        return SynthUsageView(
            title: title, subtitle: subtitle, artist: artist, duration: duration,
            isrc: rng.chance(c.missingISRC) ? "" : rec.isrc, writers: writers, writerIds: writerIds,
            iswc: (rng.chance(c.iswcInReport) ? w.iswc : nil) ?? "")
    }
}
