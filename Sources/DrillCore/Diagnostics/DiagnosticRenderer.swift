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
        // Keep tabs so the caret lines up under tab-indented text; wide characters (Chinese) take two columns
        // in a terminal; everything else becomes a space.
        let padding = prefix.map { $0 == "\t" ? "\t" : Self.isWide($0) ? "  " : " " }.joined()
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

    /// True for East Asian wide and fullwidth characters (CJK ideographs, kana, Hangul, fullwidth forms),
    /// which a terminal draws two columns wide.
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
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
