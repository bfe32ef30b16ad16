import Foundation
import OeuvreCore
import OeuvreTestSupport
import Testing

@Suite struct SynthTests {
    static func generate(seed: Int, extra: [String] = []) throws -> (dir: String, files: [String: Data]) {
        let dir = TestSupport.temporaryDirectory("synth\(seed)")
        let r = try CLI.run(["synth", "--works", "60", "--lines", "200", "--seed", String(seed), "--out", dir] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        var files: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let f = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + f, isDirectory: &isDir), !isDir.boolValue {
                files[f] = FileManager.default.contents(atPath: dir + "/" + f)
            }
        }
        return (dir, files)
    }

    @Test func sameSeedSameFilesOtherSeedOtherFiles() throws {
        let a = try Self.generate(seed: 42, extra: ["--threads", "1"])
        let b = try Self.generate(seed: 42, extra: ["--threads", "3"])
        let c = try Self.generate(seed: 43)
        #expect(a.files.keys.sorted() == b.files.keys.sorted())
        #expect(a.files.count == 5)
        for (name, data) in a.files {
            #expect(b.files[name] == data, "\(name) differs between two runs with the same seed (1 vs 3 threads)")
        }
        for name in ["works.csv", "usage.tsv", "catalogue.V22"] {
            #expect(c.files[name] != a.files[name], "\(name) is the same for two seeds")
        }
    }

    @Test func filesAreConsistent() throws {
        let (dir, files) = try Self.generate(seed: 7)
        let works = String(decoding: try #require(files["works.csv"]), as: UTF8.self).split(separator: "\n")
        #expect(works.first == "work_id,iswc,title,alt_titles,writers,writer_ipis,performers,isrcs,duration")
        #expect(works.count == 61)
        let usage = String(decoding: try #require(files["usage.tsv"]), as: UTF8.self).split(separator: "\n")
        let truth = String(decoding: try #require(files["truth.tsv"]), as: UTF8.self).split(separator: "\n")
        #expect(usage.count == 201)
        #expect(truth.count == 201)
        #expect(truth.first == "line_id\twork_id")
        var ids = Set<String>()
        for w in works.dropFirst() { ids.insert(String(w.split(separator: ",").first!)) }
        var out = 0
        for (u, t) in zip(usage.dropFirst(), truth.dropFirst()) {
            let uc = u.split(separator: "\t", omittingEmptySubsequences: false)
            let tc = t.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(uc[0] == tc[0])
            if tc[1].isEmpty { out += 1 } else { #expect(ids.contains(String(tc[1]))) }
            if !uc[1].isEmpty { #expect(ISRC.parse(String(uc[1])) != nil) }
        }
        #expect(out > 0 && out < 100)
        // Identifiers in the catalogue carry valid check digits.
        for w in works.dropFirst().prefix(20) {
            let cells = w.split(separator: ",", omittingEmptySubsequences: false)
            if !cells[1].isEmpty { #expect(ISWC.parse(String(cells[1])) != nil) }
        }
        let report = try #require(files.keys.first { $0.hasPrefix("report/DSR_") })
        let dsr = String(decoding: try #require(files[report]), as: UTF8.self).split(separator: "\n")
        #expect(dsr.filter { $0.hasPrefix("SU02\t") }.count == 200)
        let foot = dsr.last!.split(separator: "\t")
        #expect(foot[0] == "FOOT" && Int(foot[1]) == dsr.count)
        let cwr = String(decoding: try #require(files["catalogue.V22"]), as: UTF8.self)
        #expect(cwr.components(separatedBy: "\r\n").filter { $0.hasPrefix("NWR") }.count == 60)
        _ = dir
    }

    @Test func splitCatalogueAndBadFlags() throws {
        let (_, files) = try Self.generate(seed: 9, extra: ["--split-catalogue", "--no-dsr"])
        let works = String(decoding: try #require(files["works.csv"]), as: UTF8.self).split(separator: "\n")
        #expect(works.count == 31)
        #expect(!files.keys.contains { $0.hasPrefix("report/") })
        let cwr = String(decoding: try #require(files["catalogue.V22"]), as: UTF8.self)
        #expect(cwr.components(separatedBy: "\r\n").filter { $0.hasPrefix("NWR") }.count == 30)
        let dir = TestSupport.temporaryDirectory()
        let bad = try CLI.run(["synth", "--works", "10", "--lines", "10", "--typos", "1.5", "--out", dir])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--typos"))
        let badPeriod = try CLI.run(["synth", "--works", "10", "--lines", "10", "--period", "March", "--out", dir])
        #expect(badPeriod.status == 2)
    }
}
