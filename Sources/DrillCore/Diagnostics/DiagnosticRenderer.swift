/// Renders diagnostics the way compilers do: `file:line:column: error: message`, then the source line and a
/// caret under the column.
public struct DiagnosticRenderer: Sendable {
    /// The text of each file a diagnostic may point into, keyed by the path used in ``SourceLocation/file``.
    public var sources: [String: String]
    /// Whether to show the offending source line and a caret under each diagnostic.
    public var showsSnippets: Bool

    public init(sources: [String: String] = [:], showsSnippets: Bool = true) {
        self.sources = sources
        self.showsSnippets = showsSnippets
    }

    /// Renders one diagnostic, with its snippet when the source is known.
    public func render(_ diagnostic: Diagnostic) -> String {
        var text = diagnostic.description
        guard showsSnippets, let location = diagnostic.location, let source = sources[location.file],
            let line = Self.line(location.line, of: source)
        else { return text }
        let prefix = line.unicodeScalars.prefix(max(0, location.column - 1))
        // Keep tabs so the caret lines up under tab-indented text; everything else becomes a space.
        let padding = String(String.UnicodeScalarView(prefix.map { $0 == "\t" ? "\t" : " " }))
        text += "\n" + line + "\n" + padding + "^"
        return text
    }

    /// Renders every diagnostic in reading order, followed by a one-line summary.
    public func render(_ diagnostics: Diagnostics) -> String {
        var parts = diagnostics.sorted.map(render)
        parts.append(Self.summary(diagnostics))
        return parts.joined(separator: "\n")
    }

    /// `2 errors, 1 warning`, or `no problems found`.
    public static func summary(_ diagnostics: Diagnostics) -> String {
        let errors = diagnostics.errorCount
        let warnings = diagnostics.warningCount
        if errors == 0 && warnings == 0 { return "no problems found" }
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return [errors > 0 ? plural(errors, "error") : nil, warnings > 0 ? plural(warnings, "warning") : nil]
            .compactMap { $0 }.joined(separator: ", ")
    }

    static func line(_ number: Int, of source: String) -> String? {
        guard number >= 1 else { return nil }
        var current = 1
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == number {
                return String(line.hasSuffix("\r") ? line.dropLast() : line)
            }
            current += 1
        }
        return nil
    }
}
