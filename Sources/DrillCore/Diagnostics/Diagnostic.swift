/// A position in a source file, as a person counts it: lines and columns start at 1.
///
/// Columns count Unicode scalars, the way libyaml (and so Yams) reports them.
public struct SourceLocation: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The path of the file, as the user named it.
    public var file: String
    /// The line number, starting at 1.
    public var line: Int
    /// The column number, starting at 1.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers and editors understand.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// One problem found in a scenario or inventory file.
///
/// A diagnostic says where (``location``), what was expected and what was found (``message``), and, when
/// drillctl can guess, what the author probably meant (``hint``).
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        case error
        case warning
        case note

        private var rank: Int {
            switch self {
            case .error: 0
            case .warning: 1
            case .note: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// Whether this is an error (the file cannot be used) or a warning (it can, but probably not as meant).
    public var severity: Severity
    /// Where the problem is; `nil` for problems that belong to no single place (a missing file, say).
    public var location: SourceLocation?
    /// What is wrong: what was expected and what was found.
    public var message: String
    /// A suggestion, such as `did you mean 'acknowledge'?`.
    public var hint: String?

    public init(_ severity: Severity, _ message: String, at location: SourceLocation?, hint: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// An error at `location`.
    public static func error(_ message: String, at location: SourceLocation?, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location, hint: hint)
    }

    /// A warning at `location`.
    public static func warning(_ message: String, at location: SourceLocation?, hint: String? = nil) -> Diagnostic {
        Diagnostic(.warning, message, at: location, hint: hint)
    }

    /// `file:line:column: error: message (hint)`, on one line.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): \(message)"
        if let hint { text += "; \(hint)" }
        return text
    }
}

/// A collection of diagnostics gathered in one pass over the input.
///
/// Loaders and validators append to it and carry on, so that a user sees every problem at once rather than
/// fixing them one run at a time.
public struct Diagnostics: Sendable, Hashable, Codable, Sequence {
    public private(set) var items: [Diagnostic] = []

    public init(_ items: [Diagnostic] = []) {
        self.items = items
    }

    public mutating func append(_ diagnostic: Diagnostic) {
        items.append(diagnostic)
    }

    public mutating func append(contentsOf other: Diagnostics) {
        items.append(contentsOf: other.items)
    }

    public mutating func error(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        items.append(.error(message, at: location, hint: hint))
    }

    public mutating func warning(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        items.append(.warning(message, at: location, hint: hint))
    }

    /// True when at least one diagnostic is an error.
    public var hasErrors: Bool { items.contains { $0.severity == .error } }

    /// The number of distinct errors (an identical message at the same place counts once).
    public var errorCount: Int { Set(items).count { $0.severity == .error } }
    /// The number of distinct warnings.
    public var warningCount: Int { Set(items).count { $0.severity == .warning } }
    public var isEmpty: Bool { items.isEmpty }

    /// The diagnostics in file order (then by severity), the order a user reads them in. Exact duplicates
    /// (the same message at the same place) appear once.
    public var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return items.filter { seen.insert($0).inserted }.sorted { lhs, rhs in
            switch (lhs.location, rhs.location) {
            case (nil, nil): return lhs.severity < rhs.severity
            case (nil, _): return true
            case (_, nil): return false
            case let (l?, r?): return l == r ? lhs.severity < rhs.severity : l < r
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Diagnostic]> { items.makeIterator() }
}

/// Thrown when input cannot be used at all; carries every diagnostic found before giving up.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: Diagnostics

    public init(_ diagnostics: Diagnostics) {
        self.diagnostics = diagnostics
    }

    public init(_ diagnostic: Diagnostic) {
        self.diagnostics = Diagnostics([diagnostic])
    }

    public var description: String { diagnostics.sorted.map(\.description).joined(separator: "\n") }
}
