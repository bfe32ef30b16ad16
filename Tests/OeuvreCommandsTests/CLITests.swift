import Foundation
import OeuvreTestSupport
import Testing

/// Runs the built `oeuvre` executable as a subprocess.
enum CLI {
    /// `OEUVRE_BIN`, else the `oeuvre` built next to the test bundle (same configuration).
    static var executable: String {
        if let bin = ProcessInfo.processInfo.environment["OEUVRE_BIN"] { return bin }
        var dirs: [URL] = []
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0])
        dirs.append(arg0.deletingLastPathComponent())
        for a in CommandLine.arguments where a.hasSuffix(".xctest") {
            dirs.append(URL(fileURLWithPath: a).deletingLastPathComponent())
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        dirs.append(root.appendingPathComponent(".build/debug"))
        for d in dirs {
            let c = d.appendingPathComponent("oeuvre").path
            if FileManager.default.isExecutableFile(atPath: c) { return c }
        }
        return root.appendingPathComponent(".build/debug/oeuvre").path
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `oeuvre args` (with `environment` added to this process's); a run that outlasts `timeout` seconds is killed (status: the signal) so that a hang fails
    /// its test instead of stalling the suite. Standard error is read beside standard output (a child that fills
    /// one pipe while the other is being read would otherwise block).
    static func run(_ args: [String], stdin: String? = nil, cwd: String? = nil, environment: [String: String] = [:],
                    timeout: Double = 600) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try p.run()
        let watchdog = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        nonisolated(unsafe) var e = Data()
        let stderrRead = DispatchGroup()
        DispatchQueue.global().async(group: stderrRead) { e = err.fileHandleForReading.readDataToEndOfFile() }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        stderrRead.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

@Suite struct CLITests {
    @Test func idCheckExitCodes() throws {
        let ok = try CLI.run(["id", "check", "T-034.524.680-1"])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("T0345246801"))
        let bad = try CLI.run(["id", "check", "T-034.524.680-2"])
        #expect(bad.status == 3)
    }

    @Test func normalizeJSONKeys() throws {
        let r = try CLI.run(["normalize", "--title", "Yesterday - Remastered 2009", "--artist", "The Beatles", "--json"])
        #expect(r.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["title"] as? String == "yesterday")
        #expect(obj["tags"] as? [String] == ["remaster"])
        for key in ["original", "latin", "title", "tags", "featured", "artists"] { #expect(obj[key] != nil) }
    }
}
