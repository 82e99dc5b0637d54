import ArgumentParser
import DrillCore
import DrillReport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `drill-bench report`: evaluation plus the HTML report of a generated journal (by default 100 teams × 50
/// injects × 5 hosts, about 140,000 events, with a three-evaluator panel on every fifth delivery). Prints the
/// time of each step and the peak resident memory (getrusage). Goal: evaluation + HTML under 2 s and 300 MB.
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Time the evaluation and the report renderers on a generated journal; print time and peak memory."
    )

    @Option(help: "The number of teams.")
    var teams = 100

    @Option(help: "The number of injects.")
    var injects = 50

    @Option(help: "Hosts per team.")
    var hosts = 5

    @Option(help: "Where to write the HTML report (default: not written).")
    var output: String?

    func run() async throws {
        let scenario = Self.scenario(teams: teams, injects: injects)
        let events = Self.events(teams: teams, injects: injects, hosts: hosts)
        let rssBefore = Self.peakRSSMegabytes()
        print("journal: \(events.count) events (\(teams) teams × \(injects) injects × \(hosts) hosts)")
        print(String(format: "peak RSS after generating the journal: %.1f MB", rssBefore))

        let start = ContinuousClock.now
        let evaluation = RunEvaluator.evaluate(events: events, scenario: scenario)
        let evaluated = ContinuousClock.now
        let html = ReportRenderer.render(evaluation, format: .html, language: .zh)
        let rendered = ContinuousClock.now
        let rssAfter = Self.peakRSSMegabytes()
        print(
            String(
                format: "evaluation: %.3f s (%d inject × team rows)",
                Self.seconds(evaluated - start),
                evaluation.results.count
            )
        )
        print(
            String(
                format: "HTML: %.3f s (%.1f MB)",
                Self.seconds(rendered - evaluated),
                Double(html.utf8.count) / 1_048_576
            )
        )
        print(String(format: "evaluation + HTML: %.3f s", Self.seconds(rendered - start)))
        print(String(format: "peak RSS: %.1f MB", rssAfter))
        for format in [ReportFormat.md, .json, .csv] {
            let begin = ContinuousClock.now
            let text = ReportRenderer.render(evaluation, format: format, language: .zh)
            print(
                String(
                    format: "%@: %.3f s (%.1f MB)",
                    format.rawValue,
                    Self.seconds(ContinuousClock.now - begin),
                    Double(text.utf8.count) / 1_048_576
                )
            )
        }
        print(String(format: "peak RSS at the end: %.1f MB", Self.peakRSSMegabytes()))
        if let output { try Data(html.utf8).write(to: URL(fileURLWithPath: output)) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The process's peak resident set size (getrusage ru_maxrss, kilobytes on Linux).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// A scenario matching ``SyntheticJournal``'s ids: `team-N` in ten provinces, `inject-N` with grades I–IV.
    static func scenario(teams: Int, injects: Int) -> Scenario {
        let provinces = (0..<10).map { Province(id: "province-\($0)", name: "省份\($0)") }
        return Scenario(
            id: "synthetic",
            title: "合成演练（基准测试）",
            timeZone: "Asia/Shanghai",
            duration: .seconds(Int64(injects) * 60 + 3600),
            scope: ["all"],
            provinces: provinces,
            teams: (0..<teams).map { Team(id: "team-\($0)", name: "队伍\($0)", province: "province-\($0 % 10)") },
            objectives: [Objective(id: "detect", title: "监测发现"), Objective(id: "contain", title: "应急处置")],
            scoring: Scoring(),
            evaluation: Evaluation(rubric: [
                RubricCriterion(id: "detection", title: "发现与研判"), RubricCriterion(id: "reporting", title: "信息报送"),
            ]),
            injects: (0..<injects).map { index in
                Inject(
                    id: "inject-\(index)",
                    title: "注入 \(index)",
                    trigger: .at(.seconds(Int64(index) * 60 + 1)),
                    severity: SeverityGrade.allCases[index % 4],
                    resolvedWhen: Check("true", every: .seconds(30)),
                    objectives: index % 2 == 0 ? ["detect"] : ["detect", "contain"]
                )
            }
        )
    }

    /// ``SyntheticJournal`` with its resolution check passing on every host of a team (it checks only the
    /// first), plus a three-evaluator panel on every fifth delivery.
    static func events(teams: Int, injects: Int, hosts: Int) -> [JournalEvent] {
        var events: [JournalEvent] = []
        for event in SyntheticJournal.events(runID: "bench", teams: teams, injects: injects, hostsPerTeam: hosts) {
            events.append(event)
            guard event.kind == .checkResult, let host = event.host, host.hasSuffix("-0") else { continue }
            for index in 1..<max(hosts, 1) {
                var copy = event
                copy.host = String(host.dropLast(2)) + "-\(index)"
                events.append(copy)
            }
        }
        for index in events.indices { events[index].sequence = Int64(index + 1) }
        var next = Int64(events.count + 1)
        let last = events[events.count - 1]
        for inject in 0..<injects {
            for team in stride(from: inject % 5, to: teams, by: 5) {
                for (index, evaluator) in ["张工", "李工", "王工"].enumerated() {
                    let score = Double((inject + team + index * 2) % 6)
                    events.append(
                        JournalEvent(
                            kind: .observation,
                            runID: "bench",
                            wallMillis: last.wallMillis + 1000,
                            exerciseMillis: last.exerciseMillis,
                            inject: "inject-\(inject)",
                            team: "team-\(team)",
                            actor: JournalEvent.Actor(.evaluator, id: evaluator),
                            payload: ObservationPayload(
                                scores: ["detection": score, "reporting": Double((inject + index) % 6)],
                                rating: ["P", "S", "M", "U"][(team + index) % 4],
                                notes: index == 0 ? "处置及时，报告要素齐全。" : nil
                            ).journalValue,
                            sequence: next
                        )
                    )
                    next += 1
                }
            }
        }
        return events
    }
}
