import DrillCore
import Testing

@Suite("Templates")
struct TemplateTests {
    static let context = TemplateContext(
        host: .init(
            name: "yn-tel-web01",
            variables: [
                "ansible_host": .string("127.0.10.1"),
                "webroot": .string("/var/www/html"),
                "evil": .string("$(rm -rf /)"),
                "quote": .string("it's"),
                "port": .int(8080),
            ]
        ),
        team: Team(id: "yn-telecom", name: "云南电信", province: "yunnan"),
        province: Province(id: "yunnan", name: "云南"),
        injectID: "webshell",
        injectTitle: "WebShell",
        drillID: "yg-2026",
        drillTitle: "云贵演练",
        variables: ["webroot": .string("/scenario/shadowed"), "banner": .string("演练中"), "evil": .string("`id`")]
    )

    static func shell(_ text: String) throws -> String {
        try Template(parsing: text).render(context, mode: .shell)
    }

    @Test("a command substitution in a variable arrives as literal text")
    func quotingStopsInjection() throws {
        #expect(try Self.shell("echo {{ host.vars.evil }}") == "echo '$(rm -rf /)'")
        #expect(try Self.shell("echo {{ vars.evil }}") == "echo '`id`'")
    }

    @Test("single quotes in values are written as '\\''")
    func singleQuote() throws {
        #expect(try Self.shell("echo {{ host.vars.quote }}") == #"echo 'it'\''s'"#)
    }

    @Test(
        "every placeholder renders",
        arguments: [
            ("{{ host.name }}", "yn-tel-web01"),
            ("{{ host.address }}", "127.0.10.1"),
            ("{{host.vars.webroot}}", "/var/www/html"),
            ("{{ host.vars.port }}", "8080"),
            ("{{ team.id }}/{{ team.name }}", "yn-telecom/云南电信"),
            ("{{ province.id }} {{ province.name }}", "yunnan 云南"),
            ("{{ inject.id }} {{ inject.title }}", "webshell WebShell"),
            ("{{ drill.id }} {{ drill.title }}", "yg-2026 云贵演练"),
            ("{{ vars.webroot }}", "/scenario/shadowed"),
            ("{{ webroot }}", "/var/www/html"),  // A bare name is the host's variable first...
            ("{{ banner }}", "演练中"),  // ...then the scenario's.
        ]
    )
    func placeholders(text: String, expected: String) throws {
        #expect(try Template(parsing: text).render(Self.context, mode: .text) == expected)
    }

    @Test("messages substitute plain text, unquoted and unescaped")
    func messageMode() throws {
        let template = try Template(parsing: "{{ team.name }}：请检查 <b>{{ vars.evil }}</b>")
        #expect(try template.render(Self.context, mode: .text) == "云南电信：请检查 <b>`id`</b>")
    }

    @Test("a command keeps its own quoting and gets one quoted word per value")
    func commandShape() throws {
        #expect(
            try Self.shell("echo '<?php /*drill*/ ?>' > {{ webroot }}/.cache.php")
                == "echo '<?php /*drill*/ ?>' > '/var/www/html'/.cache.php"
        )
    }

    @Test("placeholders inside quotes are refused for commands")
    func insideQuotes() throws {
        let single = try Template(parsing: "echo 'x {{ banner }}'")
        #expect(single.placeholdersInsideShellQuotes == [.bare("banner")])
        #expect(throws: TemplateError.self) { try single.render(Self.context, mode: .shell) }
        #expect(try Template(parsing: #"echo "x {{ banner }}""#).placeholdersInsideShellQuotes == [.bare("banner")])
        #expect(try Template(parsing: #"echo \'{{ banner }}"#).placeholdersInsideShellQuotes == [])
        #expect(try Template(parsing: "echo 'a' {{ banner }} 'b'").placeholdersInsideShellQuotes == [])
    }

    @Test(
        "syntax errors name the problem and where",
        arguments: [
            ("echo {{ webroot", "'{{' is never closed with '}}'", 5),
            ("a {{ }}", "empty placeholder '{{ }}'", 2),
            ("{{ team.nmae }}", "unknown placeholder '{{ team.nmae }}'; did you mean 'team.name'?", 0),
            (
                "{{ webroot | default('/x') }}",
                "filters are not supported in '{{ webroot | default('/x') }}'; set the value you need in 'vars'", 0
            ),
            ("{{ host.vars.9x }}", "'9x' in '{{ host.vars.9x }}' is not a variable name", 0),
        ] as [(String, String, Int)]
    )
    func syntaxErrors(text: String, message: String, offset: Int) {
        #expect {
            try Template(parsing: text)
        } throws: { error in
            let error = error as? TemplateError
            return error?.description == message && error?.offset == offset
        }
    }

    @Test("a missing value is an error naming the host")
    func missingValue() throws {
        #expect {
            try Template(parsing: "cat {{ host.vars.nothing }}").render(Self.context, mode: .shell)
        } throws: { error in
            (error as? TemplateError)?.message == "'{{ host.vars.nothing }}' has no value on host 'yn-tel-web01'"
        }
    }

    @Test("parsing splits literals and references once")
    func segments() throws {
        let template = try Template(parsing: "rm -f {{ webroot }}/.cache.php")
        #expect(template.segments == [.literal("rm -f "), .reference(.bare("webroot")), .literal("/.cache.php")])
        #expect(ShellQuote.quote("") == "''")
    }
}

@Suite("Templates rendered from a plan")
struct PlanTemplateTests {
    @Test("a planned inject renders per host with the host's inventory variables and its team")
    func renderFromPlan() throws {
        let loaded = try ScenarioFixtures.load("small.yaml")
        let plan = Planner.plan(loaded.scenario, inventory: ScenarioFixtures.inventory)
        let webshell = try #require(plan.inject("webshell"))
        let team = try #require(webshell.teams.first)
        let host = try #require(team.hosts.first)
        let context = plan.templateContext(
            for: webshell,
            team: team.id,
            host: host,
            inventory: ScenarioFixtures.inventory
        )
        guard case .run(let action) = webshell.inject.actions[0] else {
            Issue.record("expected a run action")
            return
        }
        #expect(
            try Template(parsing: action.command).render(context, mode: .shell)
                == "echo drill > '/var/www/html'/.cache.php"
        )
        let message = try Template(parsing: webshell.inject.message ?? "")
            .render(
                plan.templateContext(for: webshell, team: team.id, inventory: ScenarioFixtures.inventory),
                mode: .text
            )
        #expect(message == "云南电信：监测发现门户网站疑似被植入 WebShell，请立即核查。")
    }
}
