public import DrillCore

/// A report's file format.
public enum ReportFormat: String, Sendable, Hashable, CaseIterable {
    /// One self-contained HTML file (inline CSS and SVG, no scripts): the after-action report.
    case html
    /// Markdown, for pasting into documents.
    case md
    /// JSON with every figure of the evaluation.
    case json
    /// CSV, one row per inject × team (RFC 4180, UTF-8 with a byte-order mark for spreadsheet programs).
    case csv

    /// The file extension.
    public var fileExtension: String { rawValue }
}

/// Renders an evaluation as a report. Pure: the same evaluation, format and language always give the same
/// text, byte for byte.
public enum ReportRenderer {
    /// The report of `evaluation` in `format`, with labels in `language`.
    public static func render(_ evaluation: RunEvaluation, format: ReportFormat, language: ReportLanguage) -> String {
        switch format {
        case .html:
            var report = HTMLReport(evaluation: evaluation, language: language)
            return report.render()
        case .md:
            return MarkdownReport(evaluation: evaluation, language: language).render()
        case .json:
            return JSONReport.render(evaluation)
        case .csv:
            return CSVReport(evaluation: evaluation, language: language).render()
        }
    }
}
