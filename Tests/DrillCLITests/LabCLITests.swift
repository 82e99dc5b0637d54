import DrillLab
import DrillTesting
import Foundation
import Testing

@Suite("drillctl lab up / status / down")
struct LabCLITests {
    @Test("up, status, down and down again, in a temporary folder")
    func roundTrip() async throws {
        let folder = try TemporaryDirectory(prefix: "cli-lab")
        defer { folder.remove() }
        let directory = folder.path + "/range"
        let port = String(LabTesting.freePort())

        let up = try await LabTesting.drillctl(["lab", "up", "--hosts", "3", "--dir", directory, "--port", port])
        #expect(up.status == 0, "\(up)")
        #expect(up.stdout.contains("3 hosts on 127.0.10.1 … 127.0.10.3, port \(port)"))
        #expect(up.stdout.contains("drillctl ping -i \(directory)/inventory.yaml"))
        #expect(
            up.stdout.contains(
                "ssh -i \(directory)/id_ed25519 -o UserKnownHostsFile=\(directory)/known_hosts -p \(port) "
            )
        )

        let status = try await LabTesting.drillctl(["lab", "status", "--dir", directory])
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("Running: sshd pid"))
        #expect(status.stdout.contains("port \(port), 3 hosts"))

        let down = try await LabTesting.drillctl(["lab", "down", "--dir", directory])
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.hasPrefix("Stopped sshd (pid "))
        #expect(!FileManager.default.fileExists(atPath: directory))

        let after = try await LabTesting.drillctl(["lab", "status", "--dir", directory])
        #expect(after.status == 1)
        #expect(after.stdout.contains("No practice range in \(directory)"))

        let again = try await LabTesting.drillctl(["lab", "down", "--dir", directory])
        #expect(again.status == 0)
        #expect(again.stdout == "No practice range in \(directory); nothing to do.\n")
    }

    @Test("up --inventory shapes the lab after an example inventory: same hosts, groups and drill vars")
    func shapedAfterInventory() async throws {
        let folder = try TemporaryDirectory(prefix: "cli-lab-inv")
        defer { folder.remove() }
        let example = try folder.write(
            "example.yaml",
            """
            all:
              vars:
                ansible_user: ops
              children:
                yunnan:
                  vars: { drill_province: yunnan }
                  children:
                    yn_telecom:
                      vars: { drill_team: yn_telecom, ansible_ssh_common_args: "-J jump@bastion.yn.example" }
                      hosts:
                        portal.yn.example: { ansible_host: 10.1.2.3, webroot: /var/www/portal }
                        dns.yn.example: { ansible_host: 10.1.2.4 }
                web:
                  hosts:
                    portal.yn.example:
            """
        )
        let directory = folder.path + "/range"
        let port = String(LabTesting.freePort())
        let up = try await LabTesting.drillctl([
            "lab", "up", "--inventory", example, "--dir", directory, "--port", port,
        ])
        #expect(up.status == 0, "\(up)")
        defer { LabTesting.downNow(directory) }
        #expect(up.stdout.contains("2 hosts on 127.0.10.1 … 127.0.10.2"))

        let lab = try String(contentsOfFile: directory + "/inventory.yaml", encoding: .utf8)
        #expect(lab.contains("portal.yn.example:"))
        #expect(lab.contains("webroot: \"\(directory)/hosts/portal.yn.example/www\""))
        #expect(!lab.contains("10.1.2.3"))
        #expect(!lab.contains("bastion"))
        #expect(!lab.contains("ops"))

        let ping = try await LabTesting.drillctl([
            "ping", "-i", directory + "/inventory.yaml", "--limit", "web", "--format", "json",
        ])
        #expect(ping.status == 0, "\(ping)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(ping.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["host"] as? String } == ["portal.yn.example"])
        #expect(rows.first?["team"] as? String == "yn_telecom")
        #expect(rows.first?["province"] as? String == "yunnan")
    }

    @Test("a missing sshd is a clear error with the apt-get command, exit status 1")
    func missingSSHD() async throws {
        let folder = try TemporaryDirectory(prefix: "cli-lab-nosshd")
        defer { folder.remove() }
        let output = try await LabTesting.drillctl([
            "lab", "up", "--hosts", "1", "--dir", folder.path + "/range", "--sshd", "/nonexistent/sshd",
        ])
        #expect(output.status == 1)
        #expect(output.stderr.contains("openssh-server is not installed: run `apt-get install openssh-server`"))
    }

    @Test("up without --hosts or --inventory is a usage error")
    func usage() async throws {
        let output = try await LabTesting.drillctl(["lab", "up"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("give --hosts N or --inventory PATH"))
    }
}
