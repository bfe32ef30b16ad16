import ArgumentParser
import Foundation
import OeuvreCore

/// `oeuvre synth`: a synthetic catalogue and usage report with the truth, for tests, demos and benchmarks.
struct SynthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a synthetic works catalogue and usage report with the truth.",
        discussion: """
            Writes DIR/works.csv (works contract), DIR/catalogue.V22 (the same works as CWR 2.2), \
            DIR/usage.tsv (usage contract), DIR/report/DSR_…_1of1_….tsv (the same usage as a DDEX DSR \
            flat file, Basic Audio Profile) and DIR/truth.tsv (line_id, work_id; empty work id for lines \
            whose work is not in the catalogue). Deterministic for a seed; memory stays small at any size. \
            Every share below is a probability between 0 and 1. See docs/synth.md.
            """)

    @Option(help: "Number of catalogue works.") var works: Int = 1000
    @Option(help: "Number of usage lines.") var lines: Int = 5000
    @Option(help: "Random seed (same seed, same files).") var seed: UInt64 = 1
    @Option(help: "Output directory.") var out: String

    @Option(help: "Share of lines whose work is not in the catalogue.") var outOfCatalogue: Double = 0.15
    @Option(help: "Share of out-of-catalogue works titled like a catalogued work.") var hardNegatives: Double = 0.4
    @Option(help: "Share of works with a non-Latin-script title.") var nonLatin: Double = 0.225
    @Option(help: "Share of recordings whose ISRC the catalogue links (originals twice as likely).") var linkedShare: Double = 0.25
    @Option(help: "Share of works with an ISWC.") var iswcShare: Double = 0.85
    @Option(help: "Share of works with registered translated titles.") var translations: Double = 0.15
    @Option(help: "Share of works with another alternate title.") var alternateTitles: Double = 0.08
    @Option(help: "Share of works performed by one of their writers.") var singerSongwriters: Double = 0.25
    @Option(help: "Share of lines playing a recording other than the original (when the work has one).") var versions: Double = 0.6
    @Option(help: "Share of non-original recordings that are covers by other performers.") var covers: Double = 0.5
    @Option(help: "Share of recordings with a featured artist.") var featured: Double = 0.12
    @Option(help: "Share of non-Latin lines reported in Latin transliteration.") var transliterate: Double = 0.3
    @Option(help: "Share of lines with a typo in the title.") var typos: Double = 0.04
    @Option(help: "Share of lines with a truncated title.") var truncations: Double = 0.02
    @Option(help: "Share of lines in upper or lower case.") var caseChanges: Double = 0.06
    @Option(help: "Share of lines with diacritics removed.") var stripDiacritics: Double = 0.2
    @Option(help: "Share of lines without an artist.") var missingArtist: Double = 0.03
    @Option(help: "Share of lines without an ISRC.") var missingIsrc: Double = 0.1
    @Option(help: "Share of lines without a duration.") var missingDuration: Double = 0.08
    @Option(help: "Share of lines whose report names the composers.") var writersInReport: Double = 0.1
    @Option(help: "Share of lines whose report carries the ISWC.") var iswcInReport: Double = 0.01
    @Option(help: "Share of lines presented as user-uploaded videos (\"Artist - Title (Official Video)\", a channel as artist).") var ugc: Double = 0.05
    @Option(help: "Share of works with a specific title (a name, a number, a place, a second phrase, a word of another language); default: 0 up to 10k works, then 0.15 · ln(works / 10k), at most 0.8 (0.69 at 1M works).") var specificTitles: Double?
    @Option(help: "Popularity skew: rank = n·u^skew (1 = uniform).") var popularitySkew: Double = 2.5
    @Option(help: "Plays per line: P(k) ∝ k^-exponent.") var playsExponent: Double = 2.0
    @Flag(help: "Write even-numbered works only to works.csv and odd-numbered ones only to catalogue.V22.") var splitCatalogue = false
    @Flag(help: "Do not write catalogue.V22.") var noCwr = false
    @Flag(help: "Do not write the DSR report.") var noDsr = false
    @Option(help: "Report territory (ISO 3166-1 alpha-2).") var territory: String = "FR"
    @Option(help: "Report period, YYYY-MM.") var period: String = "2025-03"
    @Option(help: "DSR service description.") var service: String = "Streaming"
    @Option(help: "Generation threads (0 = one per core); the files do not depend on it.") var threads: Int = 0
    @Flag(help: "Print the summary as JSON.") var json = false

    var config: SynthConfig {
        var c = SynthConfig()
        c.works = works; c.lines = lines; c.seed = seed
        c.outOfCatalogue = outOfCatalogue; c.hardNegatives = hardNegatives; c.nonLatin = nonLatin
        c.linkedShare = linkedShare; c.iswcShare = iswcShare; c.translations = translations
        c.alternateTitles = alternateTitles; c.singerSongwriters = singerSongwriters; c.versions = versions
        c.covers = covers; c.featured = featured; c.transliterate = transliterate; c.typos = typos
        c.truncations = truncations; c.caseChanges = caseChanges; c.stripDiacritics = stripDiacritics
        c.missingArtist = missingArtist; c.missingISRC = missingIsrc; c.missingDuration = missingDuration
        c.writersInReport = writersInReport; c.iswcInReport = iswcInReport; c.ugc = ugc; c.popularitySkew = popularitySkew
        c.playsExponent = playsExponent; c.splitCatalogue = splitCatalogue; c.writeCWR = !noCwr; c.writeDSR = !noDsr
        c.territory = territory; c.period = period; c.service = service; c.specificTitles = specificTitles
        return c
    }

    func run() async throws {
        try await runReporting {
            let quiet = json
            let s = try SynthGenerator(config, threads: threads).run(outDir: out) { msg in if !quiet { printError(msg) } }
            if json {
                let obj: [String: Any] = [
                    "works": s.works, "works_in_csv": s.worksInCSV, "works_in_cwr": s.worksInCWR,
                    "out_of_catalogue_works": s.outOfCatalogueWorks, "linked_recordings": s.linkedRecordings,
                    "lines": s.lines, "out_of_catalogue_lines": s.outOfCatalogueLines, "isrc_linked_lines": s.linkedLines,
                    "distinct_recordings": s.distinctRecordings, "blocks": s.blocks, "plays": s.plays, "files": s.files,
                    "seconds": s.seconds, "generator": SynthGenerator.version,
                ]
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
                print(String(decoding: data, as: UTF8.self))
            } else {
                func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "0%" : String(format: "%.1f%%", 100 * Double(a) / Double(b)) }
                print("works \(s.works) (csv \(s.worksInCSV), cwr \(s.worksInCWR)); out-of-catalogue works \(s.outOfCatalogueWorks); linked recordings \(s.linkedRecordings)")
                print("lines \(s.lines): out of catalogue \(pct(s.outOfCatalogueLines, s.lines)), ISRC-linked \(pct(s.linkedLines, s.lines)), distinct recordings \(s.distinctRecordings), blocks \(s.blocks), plays \(s.plays)")
                print(String(format: "%.1f s, %.0f lines/s", s.seconds, Double(s.lines) / max(s.seconds, 1e-9)))
                for f in s.files { print(f) }
            }
        }
    }
}
