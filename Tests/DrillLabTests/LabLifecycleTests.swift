import DrillCore
import DrillLab
import DrillTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Against the real OpenSSH server: `up` starts it, the OpenSSH client gets in with the lab's key and
/// known_hosts under strict checking, `down` stops exactly our pid and cleans up.
@Suite("Lab up, status and down against the real sshd")
struct LabLifecycleTests {
    @Test("up creates the key, known_hosts, inventory and host folders, and every host answers over ssh")
    func upCreatesFilesAndHostsAnswer() async throws {
        try await withTemporaryLab(hosts: 3) { lab in
            let paths = lab.paths
            for file in [
                paths.sshdConfig, paths.hostKey, paths.clientKey, paths.knownHosts, paths.inventory, paths.readme,
            ] {
                #expect(FileManager.default.fileExists(atPath: file), "missing \(file)")
            }
            let keyMode = try FileManager.default.attributesOfItem(atPath: paths.clientKey)[.posixPermissions] as? Int
            #expect(keyMode == 0o600)
            let knownHosts = try String(contentsOfFile: paths.knownHosts, encoding: .utf8)
            #expect(knownHosts.hasPrefix("[127.0.10.1]:\(lab.port) ssh-ed25519 AAAA"))
            #expect(knownHosts.split(separator: "\n").count == 3)
            let inventory = try String(contentsOfFile: paths.inventory, encoding: .utf8)
            #expect(inventory.contains("ansible_port: \(lab.port)"))
            #expect(inventory.contains("-o UserKnownHostsFile=\(paths.knownHosts)"))
            #expect(FileManager.default.fileExists(atPath: paths.hosts + "/gz-t01-web/www/index.html"))

            for host in lab.connectionFacts {
                let output = try await LabTesting.openSSH("echo ok; echo $HOME", on: host)
                #expect(output.status == 0, "\(host.address): \(output)")
                #expect(output.stdout == "ok\n\(paths.hosts)/\(host.name)\n", "\(host.address)")
            }
        }
    }

    @Test("an address that is not a lab host accepts no key")
    func otherAddressesRefuseLogin() async throws {
        try await withTemporaryLab(hosts: 2) { lab in
            var stranger = lab.connectionFacts[0]
            stranger.address = "127.0.10.9"
            let output = try await LabTesting.openSSH("true", on: stranger)
            #expect(output.status == 255)
        }
    }

    @Test("down stops exactly the pid up started, removes every file, and a second down does nothing")
    func downIsExactAndIdempotent() async throws {
        let folder = try TemporaryDirectory(prefix: "lab-down")
        defer { folder.remove() }
        let directory = folder.path + "/lab"
        let lab = try await Lab.start(hosts: 2, in: directory)
        let pid = try #require(lab.serverPid)
        let commandLine = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
        #expect(commandLine.contains(lab.paths.sshdConfig))

        let result = try await Lab(directory: directory).down()
        #expect(result.stopped.first == pid)
        #expect(isGone(pid), "sshd \(pid) still alive")
        #expect(!FileManager.default.fileExists(atPath: directory), "lab folder left behind")

        let again = try await Lab(directory: directory).down()
        #expect(again.wasAbsent)
    }

    @Test("down leaves a folder up did not create, with the user's own files in it")
    func downKeepsForeignFiles() async throws {
        let folder = try TemporaryDirectory(prefix: "lab-keep")
        defer { folder.remove() }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        try folder.write("notes.txt", "mine")
        let lab = try await Lab.start(hosts: 1, in: folder.path)
        try await lab.stop()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
    }

    @Test("status says absent, running with pid and hosts, then stopped when sshd died")
    func status() async throws {
        let folder = try TemporaryDirectory(prefix: "lab-status")
        defer { folder.remove() }
        let directory = folder.path + "/lab"
        #expect(Lab(directory: directory).status().state == .absent)
        let lab = try await Lab.start(hosts: 4, in: directory)
        defer { _ = try? Lab(directory: directory).downNow() }
        let running = Lab(directory: directory).status()
        #expect(running.state == .running(pid: try #require(lab.serverPid)))
        #expect(running.hosts.map(\.address) == ["127.0.10.1", "127.0.10.2", "127.0.10.3", "127.0.10.4"])
        #expect(running.port == lab.port)
        await lab.killServer()
        #expect(Lab(directory: directory).status().state == .stopped)
    }

    @Test("up twice with the same settings leaves the lab running; with other settings it says what to do")
    func upTwice() async throws {
        try await withTemporaryLab(hosts: 2) { lab in
            let same = try await Lab.up(LabConfiguration(hostCount: 2, directory: lab.paths.directory, port: lab.port))
            #expect(same.wasAlreadyRunning)
            #expect(same.pid == lab.serverPid)
            let error = try await #require(throws: LabError.self) {
                try await Lab.up(LabConfiguration(hostCount: 5, directory: lab.paths.directory, port: lab.port))
            }
            #expect(error.code == .alreadyRunning)
            #expect(error.message.contains("drillctl lab down --dir \(lab.paths.directory)"))
        }
    }

    @Test("a missing sshd fails with the apt-get command and creates nothing")
    func missingSSHD() async throws {
        let folder = try TemporaryDirectory(prefix: "lab-nosshd")
        defer { folder.remove() }
        let directory = folder.path + "/lab"
        let error = try await #require(throws: LabError.self) {
            try await Lab.up(LabConfiguration(hostCount: 2, directory: directory, sshdPath: "/nonexistent/sbin/sshd"))
        }
        #expect(error.code == .sshdMissing)
        #expect(
            error.description
                == "openssh-server is not installed: run `apt-get install openssh-server` (no sshd at /nonexistent/sbin/sshd)"
        )
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("a busy port is refused with the port named, and nothing is left behind")
    func busyPort() async throws {
        try await withTemporaryLab(hosts: 1) { first in
            let folder = try TemporaryDirectory(prefix: "lab-busy")
            defer { folder.remove() }
            let directory = folder.path + "/lab"
            let error = try await #require(throws: LabError.self) {
                try await Lab.up(LabConfiguration(hostCount: 1, directory: directory, port: first.port))
            }
            #expect(error.code == .portBusy)
            #expect(error.message.hasPrefix("port \(first.port) is busy"))
            #expect(error.message.contains("--port"))
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
    }

    @Test("killServer makes hosts unreachable; restartServer brings them back with the same host key")
    func killAndRestart() async throws {
        try await withTemporaryLab(hosts: 1) { lab in
            let host = lab.connectionFacts[0]
            await lab.killServer()
            #expect(lab.serverPid == nil)
            #expect(try await LabTesting.openSSH("true", on: host).status == 255)
            try await lab.restartServer()
            let output = try await LabTesting.openSSH("echo back", on: host)
            #expect(output.stdout == "back\n", "\(output)")
        }
    }

    @Test("a second lab that trusts the first lab's key can serve as a bastion")
    func secondServerTrustsFirstKey() async throws {
        try await withTemporaryLab(hosts: 1) { first in
            let folder = try TemporaryDirectory(prefix: "lab-bastion")
            defer { folder.remove() }
            let bastion = try await Lab.start(
                hosts: 1,
                in: folder.path + "/bastion",
                additionalAuthorizedKeys: [first.clientPublicKey]
            )
            defer { _ = try? Lab(directory: bastion.paths.directory).downNow() }
            var host = bastion.connectionFacts[0]
            host.privateKeyFile = first.paths.clientKey
            let output = try await LabTesting.openSSH("echo via-bastion", on: host)
            #expect(output.stdout == "via-bastion\n", "\(output)")
        }
    }

    @Test("a 300-host lab answers on its last address, 127.0.11.46")
    func hundredsOfHosts() async throws {
        try await withTemporaryLab(hosts: 300) { lab in
            let last = try #require(lab.connectionFacts.last)
            #expect(last.address == "127.0.11.46")
            let output = try await LabTesting.openSSH("echo $HOME", on: last)
            #expect(output.stdout == "\(lab.paths.hosts)/\(last.name)\n", "\(output)")
            let sshdConfig = try String(contentsOfFile: lab.paths.sshdConfig, encoding: .utf8)
            #expect(sshdConfig.contains("MaxStartups 610:30:1220"))
        }
    }

    /// True when `pid` no longer runs; a zombie counts as gone (a container's init may not reap it).
    private func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.contains(") Z ") || stat.contains(") X ")
    }

    private func withTemporaryLab(hosts: Int, _ body: (RunningLab) async throws -> Void) async throws {
        try await LabTesting.withLab(hosts: hosts, body)
    }
}

/// A fresh machine has no `/run/sshd` (the system service makes it at boot), and even `sshd -t` refuses to run
/// without it. The lab must make it before it invokes sshd at all.
@Suite("sshd's system folders on a fresh machine")
struct FreshMachineTests {
    @Test(
        "up creates the privilege-separation folder before its first sshd command",
        .enabled(if: geteuid() == 0, "only root creates sshd's privilege-separation folder")
    )
    func privilegeSeparationFolderBeforeFirstSSHDCommand() async throws {
        let folder = try TemporaryDirectory(prefix: "lab-fresh")
        defer { folder.remove() }
        let privsep = folder.path + "/run-sshd"
        let calls = folder.path + "/calls"
        // Stands in for sshd: records, for every invocation, whether the folder existed, then fails as sshd
        // does without it (so nothing starts).
        let fake = try folder.write(
            "fake-sshd",
            """
            #!/bin/sh
            if [ -d '\(privsep)' ]; then echo "present $*" >> '\(calls)'; else echo "missing $*" >> '\(calls)'; fi
            echo "Missing privilege separation directory: \(privsep)" >&2
            exit 255

            """
        )
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        var configuration = LabConfiguration(hostCount: 1, directory: folder.path + "/lab", port: nil, sshdPath: fake)
        configuration.sshdPrivilegeSeparationFolder = privsep
        let error = await #expect(throws: LabError.self) { try await Lab.up(configuration) }
        #expect(
            error?.message.contains("Missing privilege separation directory") == true,
            "\(String(describing: error))"
        )
        let lines = try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.hasPrefix("present -r -t -f ") == true, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("missing") }, "\(lines)")
        var info = stat()
        #expect(stat(privsep, &info) == 0 && info.st_mode & 0o777 == 0o755 && info.st_uid == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/lab"), "a failed up leaves nothing")
    }
}
