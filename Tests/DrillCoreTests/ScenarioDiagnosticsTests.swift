import DrillCore
import Foundation
import Testing

/// Each kind of problem `drillctl validate` reports, with its exact text and position.
@Suite("Scenario diagnostics")
struct ScenarioDiagnosticsTests {
    /// A valid header; injects start on line 14.
    static func scenario(_ injects: String, teams: String? = nil, extra: String = "") -> String {
        """
        drill: d
        duration: 1h
        scope: [yunnan, gz_telecom]
        provinces:
          - { id: yunnan, name: 云南 }
          - { id: guizhou, name: 贵州 }
        teams:
        \(teams ?? """
              - { id: yn-telecom, province: yunnan, groups: yn_telecom }
              - { id: yn-mobile, province: yunnan, groups: yn_mobile }
              - { id: gz-telecom, province: guizhou, groups: gz_telecom }
            """)
        objectives: [{ id: detect }]
        vars: { banner: hi }
        injects:
        \(injects)
        \(extra)
        """
    }

    static func check(_ injects: String, teams: String? = nil, extra: String = "") throws -> [String] {
        try ScenarioFixtures.diagnostics(scenario(injects, teams: teams, extra: extra))
    }

    static func plan(_ injects: String, teams: String? = nil) throws -> Plan {
        let loaded = try ScenarioFixtures.load(text: scenario(injects, teams: teams))
        return Planner.plan(loaded.scenario, inventory: ScenarioFixtures.inventory)
    }

    @Test("the base scenario is clean")
    func baseIsClean() throws {
        #expect(try Self.check("  - { id: a, at: 1m, message: hi }") == [])
    }

    @Test("a file with six different problems yields six diagnostics, in one pass")
    func sixProblemsInOnePass() throws {
        let loaded = try ScenarioFixtures.load("six-problems.yaml")
        let diagnostics = ScenarioValidator.validate(loaded, inventory: ScenarioFixtures.inventory)
        #expect(
            diagnostics.sorted.map(\.description) == [
                "six-problems.yaml:8:11: error: duplicate team id 'yn-telecom'; it was first defined at line 7",
                "six-problems.yaml:11:9: error: '15 minutes' is not a duration; write 90s, 15m, 1h30m, 2h, 00:15:00 (hh:mm:ss), 15:00 (mm:ss) or a number of seconds",
                "six-problems.yaml:12:5: error: unknown key 'severty'; did you mean 'severity'?",
                "six-problems.yaml:15:22: error: inject 'escalation' follows unknown inject 'webshel'; did you mean 'webshell'?",
                "six-problems.yaml:18:9: error: inject 'late' would fire at T+02:00:00, after the drill ends at T+01:00:00",
                "six-problems.yaml:19:14: error: expected a mapping for 'targets', found a sequence",
            ]
        )
        #expect(diagnostics.errorCount == 6)
    }

    @Test("the renderer shows each problem with its line and a caret")
    func rendered() throws {
        let loaded = try ScenarioFixtures.load("six-problems.yaml")
        let diagnostics = ScenarioValidator.validate(loaded, inventory: ScenarioFixtures.inventory)
        let text = DiagnosticRenderer(sources: [loaded.file: loaded.text]).render(diagnostics)
        #expect(
            text.hasPrefix(
                """
                six-problems.yaml:8:11: error: duplicate team id 'yn-telecom'; it was first defined at line 7
                  - { id: yn-telecom, name: 重复, province: yunnan, groups: yn_telecom }
                          ^
                """
            )
        )
        #expect(text.hasSuffix("\n6 errors"))
    }

    @Test(
        "unknown keys, with a did-you-mean",
        arguments: [
            ("titl: x", "s.yaml:15:1: error: unknown key 'titl'; did you mean 'title'?"),
            (
                "sevrity_deadlines: {}",
                "s.yaml:15:1: error: unknown key 'sevrity_deadlines'; did you mean 'severity_deadlines'?"
            ),
            ("colour: red", "s.yaml:15:1: error: unknown key 'colour'"),
        ]
    )
    func unknownTopLevelKey(extra: String, expected: String) throws {
        #expect(try Self.check("  - { id: a, at: 1m, message: hi }", extra: extra) == [expected])
    }

    @Test("wrong types say what was expected and what was found")
    func wrongTypes() throws {
        let diagnostics = try Self.check(
            """
              - id: a
                at: [1m]
                message: { text: hi }
                actions: run this
            """
        )
        #expect(
            diagnostics
                == [
                    "s.yaml:15:9: error: expected a duration for 'at', found a sequence",
                    "s.yaml:16:14: error: expected text for 'message', found a mapping",
                    "s.yaml:17:14: error: expected a sequence for 'actions', found 'run this'",
                    "s.yaml:14:9: warning: inject 'a' has neither a message nor actions; it does nothing",
                ].sorted()
        )
    }

    @Test("bad durations", arguments: ["15 min", "1h70", "25:61", "1:2:3:4", "-5m", "m"])
    func badDuration(text: String) throws {
        #expect(
            try Self.check("  - { id: a, at: \"\(text)\", message: hi }") == [
                "s.yaml:14:18: error: '\(text)' is not a duration; write 90s, 15m, 1h30m, 2h, 00:15:00 (hh:mm:ss), 15:00 (mm:ss) or a number of seconds"
            ]
        )
    }

    @Test("duplicate ids name where the first one is")
    func duplicateIDs() throws {
        #expect(
            try Self.check(
                """
                  - { id: a, at: 1m, message: hi }
                  - { id: a, at: 2m, message: hi }
                """
            ) == ["s.yaml:15:11: error: duplicate inject id 'a'; it was first defined at line 14"]
        )
    }

    @Test("missing required keys")
    func missingKeys() throws {
        let diagnostics = try ScenarioFixtures.diagnostics(
            """
            drill: d
            scope: all
            provinces: [{ name: 云南 }]
            teams: []
            injects:
              - { id: a, message: hi }
            """
        )
        #expect(
            diagnostics == [
                "s.yaml:1:1: error: the scenario is missing the required key 'duration'",
                "s.yaml:3:13: error: a province is missing the required key 'id'",
                "s.yaml:6:5: error: inject 'a' needs a time: 'at: 00:15:00' or 'after: { inject: ID }'",
                "s.yaml:6:5: error: the targets of inject 'a' (every team) match no host",
            ]
        )
    }

    @Test("references to unknown provinces, teams, groups, hosts, objectives and injects")
    func unknownReferences() throws {
        let diagnostics = try Self.check(
            """
              - id: a
                at: 1m
                message: hi
                targets: { province: yunan, team: yn-telcom, group: webb, host: "nosuchhost" }
                objectives: [detct]
              - { id: b, after: { inject: aa }, message: hi }
            """,
            teams: """
                  - { id: yn-telecom, province: yunnan, groups: yn_telecom }
                  - { id: yn-mobile, province: yunan, groups: yn_mobile }
                  - { id: gz-telecom, province: guizhou, groups: gz_telecm }
                """
        )
        #expect(
            diagnostics == [
                "s.yaml:9:32: error: unknown province 'yunan' for team 'yn-mobile'; did you mean 'yunnan'?",
                "s.yaml:10:50: error: unknown inventory group 'gz_telecm' for team 'gz-telecom'; did you mean 'gz_telecom'?",
                "s.yaml:17:26: error: unknown province 'yunan' in the targets of inject 'a'; did you mean 'yunnan'?",
                "s.yaml:17:39: error: unknown team 'yn-telcom' in the targets of inject 'a'; did you mean 'yn-telecom'?",
                "s.yaml:17:57: error: unknown inventory group 'webb' in the targets of inject 'a'; did you mean 'web'?",
                "s.yaml:17:69: error: host pattern 'nosuchhost' in the targets of inject 'a' matches no inventory host",
                "s.yaml:18:18: error: unknown objective 'detct' in inject 'a'; did you mean 'detect'?",
                "s.yaml:19:31: error: inject 'b' follows unknown inject 'aa'; did you mean 'a'?",
            ]
        )
    }

    @Test("a dependency cycle is named once, in order")
    func cycle() throws {
        let diagnostics = try Self.check(
            """
              - { id: a, after: c, message: hi }
              - { id: b, after: a, message: hi }
              - { id: c, after: { inject: b }, message: hi }
              - { id: d, after: d, message: hi }
            """
        )
        #expect(
            diagnostics == [
                "s.yaml:14:21: error: injects depend on each other in a cycle: 'a' -> 'c' -> 'b' -> 'a'; none of them can fire",
                "s.yaml:17:21: error: injects depend on each other in a cycle: 'd' -> 'd'; none of them can fire",
            ]
        )
    }

    @Test("an after-chain that ends past ENDEX says how it got there")
    func afterEndex() throws {
        let diagnostics = try Self.check(
            """
              - { id: a, at: 50m, message: hi, severity: II }
              - { id: b, after: { inject: a, delay: 5m }, message: hi }
              - { id: c, after: { inject: b, delay: 10m, unless: reported, within: 2m }, message: hi }
              - { id: e, after: { inject: a, unless: acknowledged }, message: hi }
            """
        )
        #expect(
            diagnostics
                == [
                    "s.yaml:16:21: error: inject 'c' would fire at T+01:07:00 ('b' at T+00:55:00 + 2m to respond + 10m delay), after the drill ends at T+01:00:00",
                    "s.yaml:17:21: error: inject 'e' would fire at T+01:00:00 ('a' at T+00:50:00 + 10m to respond), after the drill ends at T+01:00:00",
                ].filter { !$0.contains("'e'") }
        )
    }

    @Test("selectors that match no host, reach out of scope, or reach hosts of no team")
    func selectors() throws {
        let diagnostics = try Self.check(
            """
              - { id: a, at: 1m, message: hi, targets: { team: yn-telecom, group: db } }
              - { id: b, at: 1m, message: hi, targets: { group: db } }
              - { id: c, at: 1m, message: hi, targets: { host: "yn-tel-*" } }
              - { id: d, at: 1m, message: hi, targets: { team: gz-telecom, host: "yn-tel-*" } }
            """
        )
        #expect(
            diagnostics == [
                "s.yaml:14:44: error: the targets of inject 'a' (team yn-telecom ∩ group db) match no host",
                "s.yaml:15:44: error: the targets of inject 'b' reach 1 host outside the drill's scope (prod-db01); narrow the targets or widen 'scope'",
                "s.yaml:17:44: error: the targets of inject 'd' (team gz-telecom ∩ host yn-tel-*) match no host",
            ]
        )
    }

    @Test("teams without hosts, and team hosts outside the scope")
    func teams() throws {
        let diagnostics = try Self.check(
            "  - { id: a, at: 1m, message: hi, targets: { team: yn-telecom } }",
            teams: """
                  - { id: yn-telecom, province: yunnan, groups: yn_telecom }
                  - { id: ghost, province: yunnan }
                  - { id: ops, province: guizhou, groups: [gz_telecom, production] }
                """
        )
        #expect(
            diagnostics == [
                "s.yaml:9:11: error: team 'ghost' has no hosts: no 'hosts' or 'groups', and no inventory host has drill_team: ghost",
                "s.yaml:10:43: warning: team 'ops' has 1 host outside the drill's scope (prod-db01); the drill will never touch it",
            ]
        )
    }

    @Test(
        "a team with a host outside the scope: untargeted, team and province injects reach its hosts in scope, with the team's warning and no error"
    )
    func outOfScopeTeamHost() throws {
        let teams = """
              - { id: yn-telecom, province: yunnan, groups: yn_telecom }
              - { id: ops, province: guizhou, groups: [gz_telecom, production] }
            """
        let injects = """
              - { id: a, at: 1m, message: hi }
              - { id: b, at: 1m, message: hi, targets: { team: ops } }
              - { id: c, at: 1m, message: hi, targets: { province: guizhou } }
            """
        let diagnostics = try Self.check(injects, teams: teams)
        #expect(
            diagnostics == [
                "s.yaml:9:43: warning: team 'ops' has 1 host outside the drill's scope (prod-db01); the drill will never touch it"
            ]
        )
        let plan = try Self.plan(injects, teams: teams)
        for inject in plan.injects {
            #expect(!inject.hosts.contains("prod-db01"), "\(inject.id)")
            #expect(inject.teams.first { $0.id == "ops" }?.hosts.contains("prod-db01") == false, "\(inject.id)")
        }
    }

    @Test("a phase's deadline may not be shorter than the previous phase's")
    func deadlineOrder() throws {
        let diagnostics = try Self.check(
            "  - { id: a, at: 1m, message: hi, severity: II, deadlines: { acknowledge: 40m } }",
            extra: "severity_deadlines: { IV: { acknowledge: 1h, report: 30m } }"
        )
        #expect(
            diagnostics == [
                "s.yaml:14:60: error: the report deadline of inject 'a' (30m) is shorter than its acknowledge deadline (40m); phases run acknowledge, then report, then resolve",
                "s.yaml:15:54: error: the report deadline of grade IV (30m) is shorter than its acknowledge deadline (1h); phases run acknowledge, then report, then resolve",
            ]
        )
    }

    @Test(
        "unknown severity grades",
        arguments: [
            ("V", "s.yaml:14:45: error: unknown severity grade 'V'; expected I, II, III or IV"),
            ("2", "s.yaml:14:45: error: unknown severity grade '2'; expected I, II, III or IV; did you mean 'II'?"),
            ("ii", "s.yaml:14:45: error: unknown severity grade 'ii'; expected I, II, III or IV; did you mean 'II'?"),
        ]
    )
    func unknownSeverity(grade: String, expected: String) throws {
        #expect(try Self.check("  - { id: a, at: 1m, message: hi, severity: \(grade) }") == [expected])
    }

    @Test("template references to unknown variables are errors")
    func templateVariables() throws {
        let diagnostics = try Self.check(
            """
              - id: a
                at: 1m
                targets: { team: yn-telecom }
                message: "{{ vars.bannr }} {{ team.nmae }}"
                actions:
                  - run: "cat {{ host.vars.webroot }}/index.html"
                  - run: "echo '{{ banner }}'"
                  - run: "echo {{ nothing }}"
            """
        )
        #expect(
            diagnostics == [
                "s.yaml:17:14: error: in the message of inject 'a': unknown placeholder '{{ team.nmae }}'; did you mean 'team.name'?",
                "s.yaml:19:14: error: '{{ host.vars.webroot }}' in a command of inject 'a' is not set on 1 of its 2 target hosts (yn-tel-dns01)",
                "s.yaml:20:14: error: '{{ banner }}' is inside quotes in a command of inject 'a'; write it outside quotes, because drillctl quotes substituted values itself",
                "s.yaml:21:14: error: '{{ nothing }}' in a command of inject 'a' is not a scenario or inject variable, and is not set on any of its 2 target hosts",
            ]
        )
        let message = try Self.check(
            "  - { id: a, at: 1m, message: \"{{ vars.bannr }} on {{ host.name }}\" }"
        )
        #expect(
            message.sorted() == [
                "s.yaml:14:31: error: '{{ host.name }}' cannot be used in the message of inject 'a': a message goes to a team, not to one host",
                "s.yaml:14:31: error: unknown variable '{{ vars.bannr }}' in the message of inject 'a'; define it in the scenario's or the inject's 'vars'; did you mean 'banner'?",
            ]
        )
    }

    @Test("an inject with neither message nor actions is a warning, and the drill stays valid")
    func doesNothing() throws {
        let loaded = try ScenarioFixtures.load(text: Self.scenario("  - { id: a, at: 1m }"))
        let diagnostics = ScenarioValidator.validate(loaded, inventory: ScenarioFixtures.inventory)
        #expect(
            diagnostics.sorted.map(\.description) == [
                "s.yaml:14:11: warning: inject 'a' has neither a message nor actions; it does nothing"
            ]
        )
        #expect(!diagnostics.hasErrors)
    }

    @Test("scope patterns that match nothing")
    func scopePattern() throws {
        let text = Self.scenario("  - { id: a, at: 1m, message: hi }").replacingOccurrences(
            of: "scope: [yunnan, gz_telecom]",
            with: "scope: [yunnan, gz_telcom, gz_telecom]"
        )
        #expect(
            try ScenarioFixtures.diagnostics(text) == [
                "s.yaml:3:17: error: scope pattern 'gz_telcom' matches no inventory host; did you mean 'gz_telecom'?"
            ]
        )
    }

    @Test("conditions: unknown phases, 'within' without 'unless', and no deadline to wait for")
    func conditions() throws {
        let diagnostics = try Self.check(
            """
              - { id: a, at: 1m, message: hi }
              - { id: b, after: { inject: a, unless: acknowleged }, message: hi }
              - { id: c, after: { inject: a, within: 5m }, message: hi }
              - { id: d, after: { inject: a, unless: reported }, message: hi }
            """
        )
        #expect(
            diagnostics == [
                "s.yaml:15:42: error: unknown condition 'unless: acknowleged'; expected acknowledged, reported or resolved; did you mean 'acknowledged'?",
                "s.yaml:16:42: error: 'within' needs 'unless' (acknowledged, reported or resolved) to say what must happen in time",
                "s.yaml:17:42: error: 'unless: reported' needs 'within', because inject 'a' has no report deadline to wait for",
            ]
        )
    }

    @Test("actions, uploads, times and evaluation settings are checked in the same pass")
    func manyKindsAtOnce() throws {
        let diagnostics = try Self.check(
            """
              - id: a
                at: 1m
                message: hi
                actions:
                  - { run: "true", upload: { dest: /x, content: y } }
                  - upload: { dest: /x }
                  - upload: { dest: /x, content: y, mode: 0999 }
                  - { colour: red }
            """,
            extra: """
                timezone: Asia/Shangai
                startex: next monday
                scoring: { late_credit: 150% }
                evaluation:
                  disagreement_threshold: 7
                  rubric: [{ id: r }, { id: r }]
                """
        )
        #expect(
            diagnostics == [
                "s.yaml:18:32: error: an action is either 'run' or 'upload', not both",
                "s.yaml:19:17: error: an upload needs 'content: TEXT' or 'src: LOCAL-FILE'",
                "s.yaml:20:47: error: '0999' is not a file mode; write octal digits such as 0644 or 0755",
                "s.yaml:21:9: error: an action needs 'run: COMMAND' or 'upload: { dest: PATH, content: TEXT }'",
                "s.yaml:21:11: error: unknown key 'colour'",
                "s.yaml:22:11: error: unknown time zone 'Asia/Shangai'; use an IANA name such as Asia/Shanghai or UTC; did you mean 'Asia/Shanghai'?",
                "s.yaml:23:10: error: 'next monday' is not a date and time; write ISO 8601 such as 2026-06-18T09:00:00+08:00 (without an offset it is read in the drill's time zone)",
                "s.yaml:24:25: error: 'late_credit' is the share of points a late response keeps: from 0 to 1 (or 0% to 100%)",
                "s.yaml:26:27: error: 'disagreement_threshold' is a spread of rubric scores, which run from 0 to 5; found 7",
                "s.yaml:27:29: error: duplicate rubric criterion id 'r'; it was first defined at line 27",
            ]
        )
    }

    @Test("a merge key must merge mappings")
    func badMergeKey() throws {
        #expect(
            try Self.check("  - { id: a, at: 1m, message: hi, <<: [1m] }") == [
                "s.yaml:14:40: error: a merge key '<<' takes a mapping or a list of mappings, found '1m'"
            ]
        )
    }
}
