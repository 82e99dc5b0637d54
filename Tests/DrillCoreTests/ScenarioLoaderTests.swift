import DrillCore
import Foundation
import Testing

@Suite("Scenario loading")
struct ScenarioLoaderTests {
    @Test("a small scenario loads with every field in place")
    func loadsSmallScenario() throws {
        let loaded = try ScenarioFixtures.load("small.yaml")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.sorted)")
        let scenario = loaded.scenario
        #expect(scenario.id == "small-drill")
        #expect(scenario.title == "云南小演练")
        #expect(scenario.timeZone == "Asia/Shanghai")
        #expect(scenario.duration == .seconds(7200))
        #expect(
            scenario.startex.map { WallTime.iso8601($0, timeZone: .init(identifier: "Asia/Shanghai")!) }
                == "2026-06-18T09:00:00+08:00"
        )
        #expect(scenario.scope == ["yunnan", "gz_telecom"])
        #expect(scenario.provinces == [Province(id: "yunnan", name: "云南"), Province(id: "guizhou", name: "贵州")])
        #expect(scenario.teams[0] == Team(id: "yn-telecom", name: "云南电信", province: "yunnan", groups: ["yn_telecom"]))
        #expect(scenario.teams[1].hostPatterns == ["yn_mobile"])
        #expect(
            scenario.severityDeadlines[.II]
                == PhaseDeadlines(acknowledge: .seconds(600), report: .seconds(1800), resolve: .seconds(5400))
        )
        #expect(scenario.severityDeadlines[.I] == SeverityGrade.defaultDeadlines[.I])
        #expect(scenario.variables["banner"] == .string("drill in progress"))
        #expect(scenario.injects.map(\.id) == ["webshell", "escalation", "followup", "notice"])
    }

    @Test("merge keys bring in an anchor's keys, and explicit keys win")
    func mergeKeys() throws {
        let webshell = try ScenarioFixtures.load("small.yaml").scenario.injects[0]
        #expect(webshell.severity == .II)
        #expect(webshell.targets == TargetSelector(groups: ["web"]))
        #expect(webshell.title == "门户网站被植入 WebShell")
        let loaded = try ScenarioFixtures.load(
            text: """
                drill: d
                duration: 1h
                scope: all
                provinces: []
                teams: []
                x-base: &base { severity: III, message: base }
                x-more: &more { severity: IV, title: more }
                injects:
                  - { <<: [*base, *more], id: a, at: 0, message: own }
                """
        )
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.sorted)")
        let inject = loaded.scenario.injects[0]
        #expect(inject.message == "own")
        #expect(inject.severity == .III)  // The first merged mapping wins over the second.
        #expect(inject.title == "more")
    }

    @Test("triggers, checks, actions and shorthands")
    func injectDetails() throws {
        let injects = try ScenarioFixtures.load("small.yaml").scenario.injects
        #expect(injects[0].trigger == .at(.seconds(900)))
        #expect(injects[0].actions == [.run(RunAction("echo drill > {{ host.vars.webroot }}/.cache.php"))])
        #expect(injects[0].resolvedWhen == Check("test ! -e {{ webroot }}/.cache.php", every: .seconds(20)))
        #expect(injects[0].cleanup == [.run(RunAction("rm -f {{ webroot }}/.cache.php"))])
        #expect(injects[0].objectives == ["detect"])
        #expect(
            injects[1].trigger
                == .after(AfterTrigger(inject: "webshell", condition: Condition(unless: .acknowledge)))
        )
        #expect(injects[2].trigger == .after(AfterTrigger(inject: "webshell", delay: .seconds(300))))
        #expect(injects[2].deadlines == PhaseDeadlines(report: .seconds(1200)))
        // `at: "15:00"` is read from the text as mm:ss.
        #expect(injects[3].trigger == .at(.seconds(900)))
        #expect(injects[3].targets == TargetSelector(teams: ["yn-mobile", "gz-telecom"], groups: ["web"]))
    }

    @Test("uploads read their mode from the text, not as a YAML 1.1 octal number")
    func uploadMode() throws {
        let loaded = try ScenarioFixtures.load(
            text: """
                drill: d
                duration: 1h
                scope: all
                provinces: []
                teams: []
                injects:
                  - id: note
                    at: 1m
                    actions:
                      - upload: { dest: "{{ webroot }}/README.txt", content: "你的文件已被加密", mode: 0644 }
                      - { run: "sleep 1", timeout: 30s }
                    landed_when: "test -e {{ webroot }}/README.txt"
                """
        )
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.sorted)")
        let inject = loaded.scenario.injects[0]
        #expect(
            inject.actions[0]
                == .upload(UploadAction(content: "你的文件已被加密", destination: "{{ webroot }}/README.txt", mode: 0o644))
        )
        #expect(inject.actions[1] == .run(RunAction("sleep 1", timeout: .seconds(30))))
        #expect(
            inject.landedWhen == Check("test -e {{ webroot }}/README.txt", every: .seconds(5), timeout: .seconds(120))
        )
    }

    @Test("evaluation and scoring sections are read")
    func evaluationAndScoring() throws {
        let loaded = try ScenarioFixtures.load(
            text: """
                drill: d
                duration: 1h
                scope: all
                provinces: []
                teams: []
                injects: []
                scoring:
                  points: { acknowledge: 5, report: 10, resolve: 20 }
                  late_credit: 40%
                  severity_weights: { I: 3 }
                evaluation:
                  disagreement_threshold: 1.5
                  rubric:
                    - { id: detection, title: 发现与研判, weight: 2 }
                    - { id: reporting, title: 信息报送 }
                """
        )
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.sorted)")
        let scoring = try #require(loaded.scenario.scoring)
        #expect(scoring.points == [.acknowledge: 5, .report: 10, .resolve: 20])
        #expect(scoring.lateCredit == 0.4)
        #expect(scoring.severityWeights[.I] == 3)
        #expect(scoring.severityWeights[.IV] == 0.5)
        let evaluation = try #require(loaded.scenario.evaluation)
        #expect(evaluation.disagreementThreshold == 1.5)
        #expect(
            evaluation.rubric == [
                RubricCriterion(id: "detection", title: "发现与研判", weight: 2),
                RubricCriterion(id: "reporting", title: "信息报送"),
            ]
        )
    }

    @Test("a YAML syntax error is thrown with its line and column")
    func syntaxError() throws {
        #expect {
            try ScenarioLoader.load(text: "drill: d\ninjects: [a, b\n", file: "s.yaml")
        } throws: { error in
            (error as? DiagnosticsError)?.diagnostics.items.first?.location?.line == 3
        }
    }
}
