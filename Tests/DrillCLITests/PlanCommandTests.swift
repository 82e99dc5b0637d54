import DrillTesting
import Foundation
import Testing

@Suite("drillctl plan")
struct PlanCommandTests {
    static let root = CommandRunner.packageRoot.path

    @Test("prints the timeline of the quick start, with wall times from --start-at")
    func quickstartText() async throws {
        let output = try await CommandRunner.drillctl(
            ["plan", "scenarios/quickstart.yaml", "-i", "inventory/quickstart.yaml", "--start-at", "2026-06-18T14:00"],
            in: Self.root
        )
        #expect(output.status == 0, "\(output)")
        #expect(output.stderr.isEmpty)
        #expect(
            output.stdout == """
                云南省网络安全应急演练（快速入门） (quickstart)
                STARTEX 2026-06-18 14:00:00 Asia/Shanghai · ENDEX T+00:30:00 (2026-06-18 14:30:00)
                3 injects (1 conditional) · 2 teams in 1 province · 4 hosts in scope

                T+00:02:00 (14:02:00)  defacement — 门户网站首页被篡改
                    trigger    at T+00:02:00
                    severity   II
                    yunnan     云南: 2 teams, 3 hosts — 云南电信 (1), 云南移动 (2)
                    deadlines  acknowledge 5m · report 10m · resolve 20m

                T+00:06:00 (14:06:00)  webshell — 网站被植入 WebShell
                    trigger    at T+00:06:00
                    severity   II
                    yunnan     云南: 2 teams, 3 hosts — 云南电信 (1), 云南移动 (2)
                    deadlines  acknowledge 5m · report 10m · resolve 20m

                T+00:11:00 (14:11:00)  webshell-escalation — 未及时确认，省通信管理局督办  [conditional]
                    trigger    if 'webshell' is not acknowledged within 5m (per team)
                    severity   I
                    yunnan     云南: 2 teams, 3 hosts — 云南电信 (1), 云南移动 (2)
                    deadlines  acknowledge 3m · report 10m · resolve 15m

                """
        )
    }

    @Test("without a STARTEX, times are exercise times only")
    func noStartex() async throws {
        let output = try await CommandRunner.drillctl(
            ["plan", "scenarios/quickstart.yaml", "-i", "inventory/quickstart.yaml"],
            in: Self.root
        )
        #expect(output.status == 0, "\(output)")
        #expect(output.stdout.contains("\nT+00:02:00  defacement — 门户网站首页被篡改\n"))
        #expect(output.stdout.contains("no STARTEX planned"))
    }

    @Test("--format json has the same data")
    func json() async throws {
        let output = try await CommandRunner.drillctl(
            ["plan", "scenarios/yunnan-guizhou.yaml", "-i", "inventory/yunnan-guizhou.yaml", "--format", "json"],
            in: Self.root
        )
        #expect(output.status == 0, "\(output)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(document["drill"] as? String == "yunnan-guizhou-2026")
        #expect(document["startex"] as? String == "2026-06-18T09:00:00+08:00")
        let injects = try #require(document["injects"] as? [[String: Any]])
        #expect(injects.count == 13)
        let times = injects.compactMap { $0["time_seconds"] as? Int }
        #expect(times == times.sorted())
        let escalation = try #require(injects.first { $0["id"] as? String == "webshell-escalation" })
        #expect(escalation["conditional"] as? Bool == true)
        #expect(escalation["wall_time"] as? String == "2026-06-18T09:30:00+08:00")
        let trigger = try #require(escalation["trigger"] as? [String: Any])
        #expect(trigger["unless"] as? String == "acknowledged")
        #expect(trigger["within_seconds"] as? Int == 600)
    }

    @Test("refuses an invalid scenario: exit 1, diagnostics on stderr, nothing on stdout")
    func refusesInvalid() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let scenario = try directory.write(
            "s.yaml",
            "drill: d\nduration: 1h\nscope: all\nprovinces: [{ id: yunnan }]\nteams: [{ id: t, province: yunnan, groups: yn_telecom }]\ninjects:\n  - { id: a, after: b, message: hi }\n"
        )
        let output = try await CommandRunner.drillctl([
            "plan", scenario, "-i", "\(Self.root)/inventory/quickstart.yaml",
        ])
        #expect(output.status == 1, "\(output)")
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("\(scenario):7:21: error: inject 'a' follows unknown inject 'b'"))
        #expect(output.stderr.contains("no plan: fix the errors above first"))
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["plan", "scenarios/quickstart.yaml"],
            ["plan", "scenarios/quickstart.yaml", "-i", "inventory/quickstart.yaml", "--start-at", "tomorrow"],
            ["plan", "nope.yaml", "-i", "inventory/quickstart.yaml"],
        ]
    )
    func usageErrors(arguments: [String]) async throws {
        let output = try await CommandRunner.drillctl(arguments, in: Self.root)
        #expect(output.status == 2, "\(output)")
    }
}
