/// An error about Oeuvre's input or configuration: a code, a message, an optional input position
/// and an optional underlying cause.
///
/// `code` is a struct over a private enum so that new kinds can be added without breaking callers.
public struct OeuvreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case invalidInput, invalidIdentifier, io, usage, database, model, unsupported, conflict, internalError
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// Bad input data (malformed record, bad cell, truncated file): exit code 3.
        public static let invalidInput = Code(.invalidInput)
        /// An identifier that fails its syntax or check digit.
        public static let invalidIdentifier = Code(.invalidIdentifier)
        /// A file could not be read or written.
        public static let io = Code(.io)
        /// Bad flags or configuration: exit code 2.
        public static let usage = Code(.usage)
        /// A database operation failed or the database is not an Oeuvre catalogue.
        public static let database = Code(.database)
        /// A model file is invalid or does not fit the code's feature schema.
        public static let model = Code(.model)
        /// A format or feature that is recognised but not supported.
        public static let unsupported = Code(.unsupported)
        /// Two sources disagree (e.g. a link conflict).
        public static let conflict = Code(.conflict)
        /// A broken invariant inside Oeuvre.
        public static let internalError = Code(.internalError)

        public var description: String { kind.rawValue }

        /// Process exit code for this kind of error: 2 for usage/config, 3 for bad input data, 1 otherwise.
        public var exitCode: Int32 {
            switch kind {
            case .usage, .model: return 2
            case .invalidInput, .invalidIdentifier, .conflict, .unsupported: return 3
            case .io, .database, .internalError: return 1
            }
        }
    }

    public var code: Code
    public var message: String
    public var position: SourcePosition?
    public var underlying: String?

    public init(_ code: Code, _ message: String, at position: SourcePosition? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.position = position
        self.underlying = underlying
    }

    /// This error placed at `line` of `file` when it is about a file as a whole (no position, or line 0): a
    /// byte-level failure (a truncated gzip stream, a failed read) reported where the reader had got to.
    public func placed(atLine line: Int, of file: String) -> OeuvreError {
        guard (position?.line ?? 0) == 0 else { return self }
        var e = self
        e.position = SourcePosition(file: file, line: line)
        return e
    }

    /// Compiler-style one-line description: `file:line:column: error: message [field]`.
    public var description: String {
        var text = ""
        if let position { text += "\(position): " }
        text += "error: "
        if let field = position?.field { text += "\(field): " }
        text += message
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
