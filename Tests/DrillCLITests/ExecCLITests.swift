import DrillLab
import DrillTesting
import Foundation
import Testing

@Suite("drillctl exec against the lab")
struct ExecCLITests {
    @Test("--format json has each host's stdout, exit status and timings")
    func json() async throws {
        try await LabTesting.withLab(hosts: 3) { lab in
            let output = try await LabTesting.drillctl([
                "exec", "-i", lab.paths.inventory, "--format", "json", "--", "echo", "out;", "echo err >&2",
            ])
            #expect(output.status == 0, "\(output)")
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
            )
            // Ansible's order for `all`: level by level, so the `web` group's hosts come before yn-t01-db.
            #expect(rows.map { $0["host"] as? String } == ["yn-t01-web", "gz-t01-web", "yn-t01-db"])
            for row in rows {
                #expect(row["ok"] as? Bool == true)
                #expect(row["status"] as? String == "ok")
                #expect(row["exit_status"] as? Int == 0)
                #expect(row["stdout"] as? String == "out\n")
                #expect(row["stderr"] as? String == "err\n")
                let timings = try #require(row["timings"] as? [String: Any])
                #expect((timings["run"] as? Double ?? -1) >= 0)
            }
        }
    }

    @Test("a command failing on one host: that host is FAILED with its status, the summary counts it, exit 1")
    func failingOnOneHost() async throws {
        try await LabTesting.withLab(hosts: 3) { lab in
            let failing = lab.paths.hosts + "/yn-t01-db"
            let output = try await LabTesting.drillctl([
                "exec", "-i", lab.paths.inventory, "--",
                "if [ \"$HOME\" = \(failing) ]; then echo broken; exit 7; fi; echo fine",
            ])
            #expect(output.status == 1, "\(output)")
            let lines = output.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4)
            #expect(lines.contains { $0.hasPrefix("yn-t01-db   FAILED   rc=7 ") && $0.hasSuffix("broken") })
            #expect(lines.contains { $0.hasPrefix("yn-t01-web  ok       rc=0 ") && $0.hasSuffix("fine") })
            #expect(lines.last?.hasPrefix("3 hosts: 2 ok, 1 failed, 0 unreachable in ") == true)
        }
    }

    @Test("--timeout stops a hanging command: TIMEOUT, timed_out in JSON, exit 1")
    func timeout() async throws {
        try await LabTesting.withLab(hosts: 1) { lab in
            let started = ContinuousClock.now
            let output = try await LabTesting.drillctl([
                "exec", "-i", lab.paths.inventory, "--timeout", "1", "--format", "json", "--", "sleep 30",
            ])
            #expect(started.duration(to: .now) < .seconds(15))
            #expect(output.status == 1, "\(output)")
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
            )
            #expect(rows.first?["timed_out"] as? Bool == true)
            #expect(rows.first?["status"] as? String == "failed")
        }
    }

    @Test("without a command after -- it is a usage error")
    func noCommand() async throws {
        let output = try await LabTesting.drillctl(["exec", "-i", "/nonexistent.yaml"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("give the command to run after `--`"))
    }
}
