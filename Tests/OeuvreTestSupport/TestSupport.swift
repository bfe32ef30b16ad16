import Foundation
import OeuvreCore

/// Shared helpers for Oeuvre's test targets.
public enum TestSupport {
    /// A fresh empty directory, unique per call, inside this test process's own directory under the system temp dir
    /// (`TestRoot`), which is removed when the process exits. Set `OEUVRE_KEEP_TEST_FILES=1` to keep it for a look.
    public static func temporaryDirectory(_ name: String = #function) -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let dir = TestRoot.path + "/\(safe)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes `text` to `dir/name` and returns the path.
    @discardableResult
    public static func write(_ text: String, to name: String, in dir: String) -> String {
        let path = dir + "/" + name
        precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
        return path
    }

    /// Path of a file next to the calling test file (fixtures are excluded from targets and found this way).
    public static func fixture(_ relative: String, file: String = #filePath) -> String {
        ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(relative)
    }
}

/// One directory per test process, made on first use and removed at exit: the suite makes hundreds of directories
/// (every CLI and import test writes files), and a run must not leave them behind in the temp dir.
private enum TestRoot {
    static let path: String = {
        let path = NSTemporaryDirectory() + "oeuvre-tests-\(getpid())-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["OEUVRE_KEEP_TEST_FILES"] != "1" {
            atexit { try? FileManager.default.removeItem(atPath: TestRoot.path) }
        } else {
            FileHandle.standardError.write(Data("test files kept in \(path)\n".utf8))
        }
        return path
    }()
}

/// A small deterministic random generator (SplitMix64) for tests and generators.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
