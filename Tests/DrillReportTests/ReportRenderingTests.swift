import DrillCore
import DrillReport
import Foundation
import Testing

@Suite("Report rendering: golden files, escaping, banners, formats")
struct ReportRenderingTests {
    static let evaluation = RunEvaluator.evaluate(events: SampleRun.events, scenario: SampleRun.scenario)

    @Test(
        "each format matches its golden file",
        arguments: [
            (ReportFormat.html, ReportLanguage.zh), (.html, .en), (.md, .zh), (.md, .en), (.json, .zh), (.csv, .zh),
            (.csv, .en),
        ]
    )
    func golden(format: ReportFormat, language: ReportLanguage) throws {
        let text = ReportRenderer.render(Self.evaluation, format: format, language: language)
        let name = format == .json ? "report.json" : "report.\(language.rawValue).\(format.fileExtension)"
        try Golden.check(text, name)
    }

    @Test("the same run renders byte for byte the same report")
    func reproducible() {
        let again = RunEvaluator.evaluate(events: SampleRun.events, scenario: SampleRun.scenario)
        for format in ReportFormat.allCases {
            #expect(
                ReportRenderer.render(again, format: format, language: .zh)
                    == ReportRenderer.render(Self.evaluation, format: format, language: .zh)
            )
        }
    }

    @Test("team and scenario text is escaped in HTML and Markdown; nothing can become markup")
    func escaping() {
        let html = ReportRenderer.render(Self.evaluation, format: .html, language: .zh)
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(!html.contains("<b>需改进</b>"))
        #expect(html.contains("&lt;b&gt;需改进&lt;/b&gt;"))
        let markdown = ReportRenderer.render(Self.evaluation, format: .md, language: .zh)
        #expect(!markdown.contains("<script"))
        #expect(markdown.contains("&lt;b&gt;需改进&lt;/b&gt;"))
    }

    @Test("the HTML is one self-contained file: no scripts, no external resources")
    func selfContained() {
        let html = ReportRenderer.render(Self.evaluation, format: .html, language: .en)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<link"))
        #expect(!html.contains(" src="))
        #expect(!html.contains("url("))
        let external = html.components(separatedBy: "http").dropFirst().filter {
            !$0.hasPrefix("://www.w3.org/2000/svg")
        }
        #expect(external.isEmpty)
        #expect(html.contains("@media print"))
        for id in [
            "overview", "summary", "timeline", "times", "heatmap", "results", "objectives", "panel", "findings", "plan",
            "log", "hosts", "evidence", "reports",
        ] {
            #expect(html.contains("<section id=\"\(id)\""), "section \(id)")
        }
    }

    @Test("labels follow --lang; scenario text stays as written")
    func languages() {
        let zh = ReportRenderer.render(Self.evaluation, format: .html, language: .zh)
        let en = ReportRenderer.render(Self.evaluation, format: .html, language: .en)
        #expect(zh.contains("执行摘要") && !zh.contains("Executive summary"))
        #expect(en.contains("Executive summary") && !en.contains("执行摘要"))
        #expect(en.contains("云贵两省网络安全应急演练（样例）"))
        #expect(en.contains("2026-06-18 09:00:00"))
    }

    @Test("a run still going is marked provisional; an aborted run says so")
    func banners() {
        let running = RunEvaluator.evaluate(events: Array(SampleRun.events.prefix(40)), scenario: SampleRun.scenario)
        let html = ReportRenderer.render(running, format: .html, language: .en)
        #expect(html.contains("banner provisional"))
        #expect(html.contains("PROVISIONAL"))
        #expect(!html.contains("banner aborted\" role=\"alert\""))
        #expect(ReportRenderer.render(running, format: .md, language: .en).contains("PROVISIONAL"))

        var events = Array(SampleRun.events.prefix(40))
        let last = events.last!
        events.append(
            JournalEvent(
                kind: .control,
                runID: last.runID,
                wallMillis: last.wallMillis + 1000,
                exerciseMillis: last.exerciseMillis + 1000,
                actor: .init(.director, id: "总指挥"),
                payload: ControlPayload(action: .abort, reason: "机房停电").journalValue,
                sequence: last.sequence! + 1
            )
        )
        let aborted = RunEvaluator.evaluate(events: events, scenario: SampleRun.scenario)
        let abortedHTML = ReportRenderer.render(aborted, format: .html, language: .zh)
        #expect(abortedHTML.contains("banner aborted\" role=\"alert\""))
        #expect(abortedHTML.contains("机房停电"))
        #expect(!abortedHTML.contains("banner provisional"))
    }

    @Test("CSV: a BOM, CRLF records, one row per inject × team, RFC 4180 quoting, formulas defused")
    func csv() {
        let csv = ReportRenderer.render(Self.evaluation, format: .csv, language: .zh)
        #expect(csv.hasPrefix("\u{FEFF}inject,inject_title,"))
        let records = csv.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(records.count == Self.evaluation.results.count + 1)
        #expect(!csv.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(
            records[1].hasPrefix("webshell,网站被植入 WebShell,II,yn-telecom,云南电信,yunnan,,00:10:06,2026-06-18 09:10:06,met,")
        )
        let columns = records[0].components(separatedBy: ",").count
        #expect(columns == 9 + 3 * 8 + 13)
    }

    @Test("JSON carries every figure and no event log")
    func json() throws {
        let json = ReportRenderer.render(Self.evaluation, format: .json, language: .zh)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "drillctl-report")
        let evaluation = try #require(object["evaluation"] as? [String: Any])
        for key in [
            "overview", "headline", "injects", "results", "teams", "ranking", "provinces", "objectives", "hosts",
            "evidence", "findings", "improvementPlan",
        ] {
            #expect(evaluation[key] != nil, "\(key)")
        }
        #expect(evaluation["eventLog"] == nil)
    }

    @Test("the sample run's evaluation has the outcomes the golden files show")
    func sampleOutcomes() throws {
        let e = Self.evaluation
        let gz = try #require(e.results.first { $0.inject == "webshell" && $0.team == "gz-telecom" })
        #expect(gz.resolution.method == .claimUnconfirmed)
        #expect(gz.phase(.acknowledge).status == .late)
        let mobile = try #require(e.results.first { $0.inject == "webshell" && $0.team == "yn-mobile" })
        // yn-mobile never acknowledged but reported: the report counts as the acknowledgement at that moment,
        // after the acknowledgement deadline.
        #expect(mobile.phase(.acknowledge).status == .late)
        #expect(mobile.phase(.report).status == .met)
        #expect(mobile.phase(.report).extensionMillis == 600_000)
        #expect(mobile.escalatedTo == ["webshell-escalation"])
        #expect(e.headline.escalations == 2)
        #expect(e.headline.notCleaned == 1)
        #expect(e.headline.panelDisagreements == 1)
        #expect(e.overview.pausedWallMillis == 300_000)
        #expect(e.ranking.first == "yn-telecom")
    }
}

@Suite("Evidence digests across versions")
struct EvidenceDigestCompatibilityTests {
    @Test(
        "digests sealed by the earlier hand-written SHA-256 (kept from its golden report) still verify with swift-crypto's, byte for byte"
    )
    func digestsStayValid() throws {
        let url = Golden.directory.appendingPathComponent("evidence-digests-v1.json")
        let recorded = try JSONDecoder().decode([Recorded].self, from: Data(contentsOf: url))
        #expect(recorded.count == 6)
        let evaluation = RunEvaluator.evaluate(events: SampleRun.events, scenario: SampleRun.scenario)
        for item in recorded {
            let evidence = try #require(evaluation.evidence.first { $0.sequence == item.sequence })
            #expect(evidence.digest == item.digest, "sequence \(item.sequence)")
            #expect(evidence.intact, "sequence \(item.sequence)")
        }
        // And a recomputation from the journal itself: unseal, reseal, compare.
        for event in SampleRun.events {
            guard case .checkResult(let check) = RunEvent(event).body else { continue }
            var unsealed = check.evidence
            unsealed.digest = nil
            #expect(unsealed.sealed().digest == check.evidence.digest)
        }
    }

    struct Recorded: Decodable {
        var sequence: Int64
        var digest: String
    }
}

@Suite("The report's one-pass JSON writer")
struct JSONStreamTests {
    @Test("writes the same document Foundation's JSONEncoder writes (member order aside), for the sample run")
    func sameDocumentAsFoundation() throws {
        let evaluation = ReportRenderingTests.evaluation
        let streamed = ReportRenderer.render(evaluation, format: .json, language: .en)
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        struct Document: Encodable {
            var format = "drillctl-report"
            var version = 1
            var evaluation: RunEvaluation
        }
        let reference = try encoder.encode(Document(evaluation: evaluation))
        let lhs = try JSONSerialization.jsonObject(with: Data(streamed.utf8)) as? NSDictionary
        let rhs = try JSONSerialization.jsonObject(with: reference) as? NSDictionary
        #expect(lhs != nil)
        #expect(lhs == rhs)
    }
}
