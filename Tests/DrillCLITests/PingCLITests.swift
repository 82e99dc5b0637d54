import DrillLab
import DrillTesting
import Foundation
import Testing

@Suite("drillctl ping against the lab")
struct PingCLITests {
    @Test("every lab host answers: a table with province and team, exit 0")
    func allHostsAnswer() async throws {
        try await LabTesting.withLab(hosts: 4) { lab in
            let output = try await LabTesting.drillctl(["ping", "-i", lab.paths.inventory])
            #expect(output.status == 0, "\(output)")
            let lines = output.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("HOST") == true)
            #expect(lines.count == 6)
            #expect(lines.contains { $0.hasPrefix("yn-t01-web  yunnan    yn_t01  ok") })
            #expect(lines.contains { $0.hasPrefix("gz-t01-db   guizhou   gz_t01  ok") })
            #expect(lines.last == "4 hosts: 4 ok, 0 failed")
        }
    }

    @Test("--limit selects hosts with an Ansible pattern")
    func limit() async throws {
        try await LabTesting.withLab(hosts: 8) { lab in
            let output = try await LabTesting.drillctl([
                "ping", "-i", lab.paths.inventory, "--limit", "guizhou:&web", "--format", "json",
            ])
            #expect(output.status == 0, "\(output)")
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
            )
            #expect(rows.map { $0["host"] as? String } == ["gz-t01-web"])
        }
    }

    @Test("a dead host gives exit 1 and its error in the JSON; the others are still ok")
    func deadHost() async throws {
        try await LabTesting.withLab(hosts: 2) { lab in
            let inventory = try String(contentsOfFile: lab.paths.inventory, encoding: .utf8)
            let deadPort = LabTesting.freePort()
            let withDead =
                inventory + """
                        dead:
                          hosts:
                            dead-host:
                              ansible_host: "127.0.10.200"
                              ansible_port: \(deadPort)

                    """
            let path = lab.paths.directory + "/with-dead.yaml"
            try withDead.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }

            let output = try await LabTesting.drillctl(["ping", "-i", path, "--format", "json", "--timeout", "5"])
            #expect(output.status == 1, "\(output)")
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
            )
            #expect(rows.count == 3)
            let dead = try #require(rows.first { $0["host"] as? String == "dead-host" })
            #expect(dead["ok"] as? Bool == false)
            #expect((dead["error"] as? String)?.contains("refused") == true)
            #expect(dead["seconds"] is Double)
            #expect(rows.filter { $0["ok"] as? Bool == true }.count == 2)
        }
    }

    @Test("--known-hosts with an empty file: strict refuses the unknown key, accept-new records it")
    func hostKeyChecking() async throws {
        try await LabTesting.withLab(hosts: 1) { lab in
            let knownHosts = lab.paths.directory + "/empty_known_hosts"
            _ = FileManager.default.createFile(atPath: knownHosts, contents: Data())
            defer { try? FileManager.default.removeItem(atPath: knownHosts) }
            let strict = try await LabTesting.drillctl([
                "ping", "-i", lab.paths.inventory, "--known-hosts", knownHosts, "--format", "json",
            ])
            #expect(strict.status == 1, "\(strict)")
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(strict.stdout.utf8)) as? [[String: Any]]
            )
            #expect((rows.first?["error"] as? String)?.contains("unknown") == true, "\(strict)")

            let acceptNew = try await LabTesting.drillctl([
                "ping", "-i", lab.paths.inventory, "--known-hosts", knownHosts, "--host-key-checking", "accept-new",
            ])
            #expect(acceptNew.status == 0, "\(acceptNew)")
            let recorded = try String(contentsOfFile: knownHosts, encoding: .utf8)
            #expect(recorded.contains("127.0.10.1"))
            #expect(recorded.contains("ssh-ed25519"))
        }
    }

    @Test("a --limit that matches nothing is an error naming the pattern")
    func limitMatchesNothing() async throws {
        try await LabTesting.withLab(hosts: 1) { lab in
            let output = try await LabTesting.drillctl(["ping", "-i", lab.paths.inventory, "--limit", "nosuch"])
            #expect(output.status == 1)
            #expect(output.stderr.contains("--limit 'nosuch' selects no host of the inventory"))
        }
    }
}
