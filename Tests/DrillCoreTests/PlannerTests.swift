import DrillCore
import Foundation
import Testing

@Suite("Planning")
struct PlannerTests {
    static func plan(_ name: String = "small.yaml", startex: Date? = nil) throws -> Plan {
        let loaded = try ScenarioFixtures.load(name)
        #expect(ScenarioValidator.validate(loaded, inventory: ScenarioFixtures.inventory).isEmpty)
        return Planner.plan(loaded.scenario, inventory: ScenarioFixtures.inventory, startex: startex)
    }

    static func plan(text: String) throws -> Plan {
        Planner.plan(try ScenarioFixtures.load(text: text).scenario, inventory: ScenarioFixtures.inventory)
    }

    @Test("injects come in exercise-time order; ties keep file order")
    func ordering() throws {
        let plan = try Self.plan()
        #expect(plan.injects.map(\.id) == ["webshell", "notice", "followup", "escalation"])
        #expect(plan.injects.map(\.time) == [.seconds(900), .seconds(900), .seconds(1200), .seconds(1500)])
    }

    @Test("after-chains add delays; a condition waits for its window (the parent's deadline by default)")
    func afterChainsAndConditions() throws {
        let plan = try Self.plan()
        #expect(plan.inject("followup")?.trigger == .after(inject: "webshell", delay: .seconds(300)))
        #expect(
            plan.inject("escalation")?.trigger
                == .unless(inject: "webshell", phase: .acknowledge, within: .seconds(600), delay: .zero)
        )
        #expect(plan.inject("escalation")?.isConditional == true)
        #expect(plan.inject("followup")?.isConditional == false)
    }

    @Test("a dependent inject at the same time as its parent comes after it, whatever the file order")
    func dependencyBeforeFileOrder() throws {
        let plan = try Self.plan(
            text: """
                drill: d
                duration: 1h
                scope: all
                provinces: [{ id: yunnan }]
                teams: [{ id: t, province: yunnan, groups: yn_telecom }]
                injects:
                  - { id: child, after: parent, message: b }
                  - { id: grandchild, after: { inject: child, delay: 0s }, message: c }
                  - { id: parent, at: 10m, message: a }
                """
        )
        #expect(plan.injects.map(\.id) == ["parent", "child", "grandchild"])
        #expect(plan.injects.allSatisfy { $0.time == .seconds(600) })
    }

    @Test("deadlines: an override wins over the severity grade's default, phase by phase")
    func deadlines() throws {
        let plan = try Self.plan()
        // Grade II as the scenario sets it.
        #expect(
            plan.inject("webshell")?.deadlines
                == PhaseDeadlines(acknowledge: .seconds(600), report: .seconds(1800), resolve: .seconds(5400))
        )
        // Grade I from the built-in defaults.
        #expect(plan.inject("escalation")?.deadlines == SeverityGrade.defaultDeadlines[.I])
        // No grade: only the override.
        #expect(plan.inject("followup")?.deadlines == PhaseDeadlines(report: .seconds(1200)))
    }

    @Test("a selector intersects its kinds and each team gets only its own hosts")
    func selectorIntersection() throws {
        let notice = try #require(try Self.plan().inject("notice"))
        #expect(
            notice.teams == [
                PlannedTeam(
                    id: "yn-mobile",
                    name: "云南移动",
                    province: "yunnan",
                    hosts: ["yn-mob-web01", "yn-mob-web02"]
                ),
                PlannedTeam(id: "gz-telecom", name: "贵州电信", province: "guizhou", hosts: ["gz-tel-web01"]),
            ]
        )
        #expect(
            notice.provinces == [
                ProvinceReach(id: "yunnan", name: "云南", teams: ["yn-mobile"], hostCount: 2),
                ProvinceReach(id: "guizhou", name: "贵州", teams: ["gz-telecom"], hostCount: 1),
            ]
        )
        // An `after` inject without targets inherits its parent's.
        #expect(try Self.plan().inject("escalation")?.targets == TargetSelector(groups: ["web"]))
    }

    @Test("hosts outside the scope are never planned, even when a selector names them")
    func scope() throws {
        let plan = try Self.plan(
            text: """
                drill: d
                duration: 1h
                scope: [yunnan]
                provinces: [{ id: yunnan }, { id: guizhou }]
                teams:
                  - { id: yn, province: yunnan, groups: yunnan }
                  - { id: gz, province: guizhou, groups: [gz_telecom, production] }
                injects:
                  - { id: a, at: 1m, targets: { group: [web, db] }, message: hi }
                """
        )
        /// Hosts in inventory order.
        func inOrder(_ names: Set<String>) -> [String] { ScenarioFixtures.inventory.hostOrder.filter(names.contains) }
        #expect(plan.scopeHosts == inOrder(["yn-tel-web01", "yn-tel-dns01", "yn-mob-web01", "yn-mob-web02"]))
        let a = try #require(plan.inject("a"))
        #expect(a.hosts == inOrder(["yn-tel-web01", "yn-mob-web01", "yn-mob-web02"]))
        #expect(a.teams.map(\.id) == ["yn"])
    }

    @Test("wall times come from the scenario's STARTEX, or the one given")
    func wallTimes() throws {
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        let plan = try Self.plan()
        #expect(
            plan.wallTime(at: .seconds(900)).map { WallTime.iso8601($0, timeZone: zone) } == "2026-06-18T09:15:00+08:00"
        )
        let other = try #require(WallTime.parse("2026-07-01T14:00:00+08:00", timeZone: zone))
        let moved = try Self.plan(startex: other)
        #expect(
            moved.wallTime(at: .seconds(900)).map { WallTime.iso8601($0, timeZone: zone) }
                == "2026-07-01T14:15:00+08:00"
        )
    }

    @Test("the text timeline")
    func textTimeline() throws {
        #expect(
            PlanRenderer.text(try Self.plan()) == """
                云南小演练 (small-drill)
                STARTEX 2026-06-18 09:00:00 Asia/Shanghai · ENDEX T+02:00:00 (2026-06-18 11:00:00)
                4 injects (1 conditional) · 3 teams in 2 provinces · 6 hosts in scope

                T+00:15:00 (09:15:00)  webshell — 门户网站被植入 WebShell
                    trigger    at T+00:15:00
                    severity   II
                    yunnan     云南: 2 teams, 3 hosts — 云南电信 (1), 云南移动 (2)
                    guizhou    贵州: 1 team, 1 host — 贵州电信 (1)
                    deadlines  acknowledge 10m · report 30m · resolve 1h30m

                T+00:15:00 (09:15:00)  notice
                    trigger    at T+00:15:00
                    severity   IV
                    yunnan     云南: 1 team, 2 hosts — 云南移动 (2)
                    guizhou    贵州: 1 team, 1 host — 贵州电信 (1)
                    deadlines  acknowledge 30m · report 1h · resolve 4h

                T+00:20:00 (09:20:00)  followup
                    trigger    after 'webshell' + 5m
                    severity   —
                    guizhou    贵州: 1 team, 2 hosts — 贵州电信 (2)
                    deadlines  report 20m

                T+00:25:00 (09:25:00)  escalation — 未确认升级  [conditional]
                    trigger    if 'webshell' is not acknowledged within 10m (per team)
                    severity   I
                    yunnan     云南: 2 teams, 3 hosts — 云南电信 (1), 云南移动 (2)
                    guizhou    贵州: 1 team, 1 host — 贵州电信 (1)
                    deadlines  acknowledge 5m · report 15m · resolve 1h

                """
        )
    }

    @Test("the JSON timeline carries the same data")
    func jsonTimeline() throws {
        let json = PlanRenderer.json(try Self.plan())
        let document = try JSONDecoder().decode(PlanDocument.self, from: Data(json.utf8))
        #expect(document.drill == "small-drill")
        #expect(document.startex == "2026-06-18T09:00:00+08:00")
        #expect(document.injects.map(\.id) == ["webshell", "notice", "followup", "escalation"])
        let escalation = document.injects[3]
        #expect(escalation.conditional)
        #expect(escalation.trigger.kind == "unless")
        #expect(escalation.trigger.unless == "acknowledged")
        #expect(escalation.trigger.withinSeconds == 600)
        #expect(escalation.wallTime == "2026-06-18T09:25:00+08:00")
        #expect(document.injects[0].provinces.map(\.hostCount) == [3, 1])
        #expect(json.contains("\"name\": \"云南电信\""))
    }

    @Test("planning is deterministic")
    func deterministic() throws {
        #expect(PlanRenderer.json(try Self.plan()) == PlanRenderer.json(try Self.plan()))
    }
}
