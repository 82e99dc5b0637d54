import DrillCore
import Testing

@Suite("Diagnostics render like a compiler's")
struct DiagnosticRendererTests {
    @Test("an error shows file:line:column, the source line and a caret under the column")
    func rendersSnippetAndCaret() {
        let source = "drill: demo\ninjects:\n  - id: web shell\n"
        let diagnostic = Diagnostic.error(
            "an id may hold letters, digits, '-' and '_'; found 'web shell'",
            at: SourceLocation(file: "s.yaml", line: 3, column: 11)
        )
        let text = DiagnosticRenderer(sources: ["s.yaml": source]).render(diagnostic)
        #expect(
            text == """
                s.yaml:3:11: error: an id may hold letters, digits, '-' and '_'; found 'web shell'
                  - id: web shell
                          ^
                """
        )
    }

    @Test("diagnostics come out in file order, duplicates once, with a summary")
    func sortsAndSummarises() {
        var diagnostics = Diagnostics()
        diagnostics.warning("late", at: SourceLocation(file: "a", line: 9, column: 1))
        diagnostics.error("bad", at: SourceLocation(file: "a", line: 2, column: 5))
        diagnostics.error("bad", at: SourceLocation(file: "a", line: 2, column: 5))
        let text = DiagnosticRenderer(showsSnippets: false).render(diagnostics)
        #expect(text == "a:2:5: error: bad\na:9:1: warning: late\n1 error, 1 warning")
    }

    @Test("YAML syntax errors name the line and column")
    func yamlSyntaxError() {
        #expect(throws: DiagnosticsError.self) { try YAMLSource(text: "a: [1, 2\nb: 3\n", file: "x.yaml") }
        do {
            _ = try YAMLSource(text: "key: value\n  bad: indent\n", file: "x.yaml")
            Issue.record("expected a syntax error")
        } catch {
            let location = error.diagnostics.items.first?.location
            #expect(location?.file == "x.yaml")
            #expect(location?.line == 2)
        }
    }

    @Test("did-you-mean finds a plausible typo and nothing for an unrelated word")
    func suggestions() {
        #expect(Suggestions.closest(to: "acknowlege", among: ["acknowledge", "report", "resolve"]) == "acknowledge")
        #expect(Suggestions.closest(to: "zzz", among: ["acknowledge", "report"]) == nil)
    }
}
