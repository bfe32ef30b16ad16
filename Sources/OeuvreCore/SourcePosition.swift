/// A place in an input file: the file, a 1-based line, an optional 1-based column and field name.
///
/// Carried by every parsed record and by every error about input data, so that a message can
/// point at `file:line:column` the way compilers do.
public struct SourcePosition: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?
    public var field: String?

    public init(file: String, line: Int, column: Int? = nil, field: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
    }

    /// The same position pointing at another column/field.
    public func at(column: Int?, field: String?) -> SourcePosition {
        SourcePosition(file: file, line: line, column: column, field: field)
    }

    /// `file:line:column` (column omitted when unknown; only `file` for line 0, an error about the file as a whole
    /// or its bytes, such as a file that cannot be opened or a corrupt compressed stream).
    public var description: String {
        if let column { return "\(file):\(line):\(column)" }
        return line > 0 ? "\(file):\(line)" : file
    }
}
