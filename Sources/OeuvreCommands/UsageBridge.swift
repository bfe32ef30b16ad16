import Formats
import OeuvreCore

/// Reads (title, artist) pairs from a usage file for `oeuvre normalize --file`.
struct UsageCSVReaderBridge {
    let reader: UsageCSVReader
    static func open(_ path: String) throws -> UsageCSVReaderBridge { UsageCSVReaderBridge(reader: try UsageCSVReader(path: path)) }
    func next() throws -> (String, String?)? {
        guard let l = try reader.next() else { return nil }
        return (l.title, l.artist)
    }
}
