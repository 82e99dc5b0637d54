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
    func upCreatesFilesAndHostsAnswer() throws {
        let folder = try TemporaryDirectory(prefix: "lab-up")
        defer { folder.remove() }
        let lab = try Lab.start(hosts: 3, in: folder.path + "/lab")
        defer { try? lab.stop() }

        let paths = lab.paths
        for file in [paths.sshdConfig, paths.hostKey, paths.clientKey, paths.knownHosts, paths.inventory, paths.readme]
        {
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
            let output = try LabTesting.openSSH("echo ok; echo $HOME", on: host)
            #expect(output.status == 0, "\(host.address): \(output)")
            #expect(output.stdout == "ok\n\(paths.hosts)/\(host.name)\n", "\(host.address)")
        }
    }

    @Test("an address that is not a lab host accepts no key")
    func otherAddressesRefuseLogin() throws {
        try withTemporaryLab(hosts: 2) { lab in
            var stranger = lab.connectionFacts[0]
            stranger.address = "127.0.10.9"
            let output = try LabTesting.openSSH("true", on: stranger)
            #expect(output.status == 255)
        }
    }

    @Test("down stops exactly the pid up started, removes every file, and a second down does nothing")
    func downIsExactAndIdempotent() throws {
        let folder = try TemporaryDirectory(prefix: "lab-down")
        defer { folder.remove() }
        let directory = folder.path + "/lab"
        let lab = try Lab.start(hosts: 2, in: directory)
        let pid = try #require(lab.serverPid)
        let commandLine = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
        #expect(commandLine.contains(lab.paths.sshdConfig))

        let result = try Lab(directory: directory).down()
        #expect(result.stopped.first == pid)
        #expect(isGone(pid), "sshd \(pid) still alive")
        #expect(!FileManager.default.fileExists(atPath: directory), "lab folder left behind")

        let again = try Lab(directory: directory).down()
        #expect(again.wasAbsent)
    }

    @Test("down leaves a folder up did not create, with the user's own files in it")
    func downKeepsForeignFiles() throws {
        let folder = try TemporaryDirectory(prefix: "lab-keep")
        defer { folder.remove() }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        try folder.write("notes.txt", "mine")
        let lab = try Lab.start(hosts: 1, in: folder.path)
        try lab.stop()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
    }

    @Test("status says absent, running with pid and hosts, then stopped when sshd died")
    func status() throws {
        let folder = try TemporaryDirectory(prefix: "lab-status")
        defer { folder.remove() }
        let directory = folder.path + "/lab"
        #expect(Lab(directory: directory).status().state == .absent)
        let lab = try Lab.start(hosts: 4, in: directory)
        defer { try? lab.stop() }
        let running = Lab(directory: directory).status()
        #expect(running.state == .running(pid: try #require(lab.serverPid)))
        #expect(running.hosts.map(\.address) == ["127.0.10.1", "127.0.10.2", "127.0.10.3", "127.0.10.4"])
        #expect(running.port == lab.port)
        lab.killServer()
        #expect(Lab(directory: directory).status().state == .stopped)
    }

    @Test("up twice with the same settings leaves the lab running; with other settings it says what to do")
    func upTwice() throws {
        try withTemporaryLab(hosts: 2) { lab in
            let same = try Lab.up(LabConfiguration(hostCount: 2, directory: lab.paths.directory, port: lab.port))
            #expect(same.wasAlreadyRunning)
            #expect(same.pid == lab.serverPid)
            let error = try #require(throws: LabError.self) {
                try Lab.up(LabConfiguration(hostCount: 5, directory: lab.paths.directory, port: lab.port))
            }
            #expect(error.code == .alreadyRunning)
            #expect(error.message.contains("drillctl lab down --dir \(lab.paths.directory)"))
        }
    }

    @Test("a missing sshd fails with the apt-get command and creates nothing")
    func missingSSHD() throws {
        let folder = try TemporaryDirectory(prefix: "lab-nosshd")
        defer { folder.remove() }
        let directory = folder.path + "/lab"
        let error = try #require(throws: LabError.self) {
            try Lab.up(LabConfiguration(hostCount: 2, directory: directory, sshdPath: "/nonexistent/sbin/sshd"))
        }
        #expect(error.code == .sshdMissing)
        #expect(
            error.description
                == "openssh-server is not installed: run `apt-get install openssh-server` (no sshd at /nonexistent/sbin/sshd)"
        )
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("a busy port is refused with the port named, and nothing is left behind")
    func busyPort() throws {
        try withTemporaryLab(hosts: 1) { first in
            let folder = try TemporaryDirectory(prefix: "lab-busy")
            defer { folder.remove() }
            let directory = folder.path + "/lab"
            let error = try #require(throws: LabError.self) {
                try Lab.up(LabConfiguration(hostCount: 1, directory: directory, port: first.port))
            }
            #expect(error.code == .portBusy)
            #expect(error.message.hasPrefix("port \(first.port) is busy"))
            #expect(error.message.contains("--port"))
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
    }

    @Test("killServer makes hosts unreachable; restartServer brings them back with the same host key")
    func killAndRestart() throws {
        try withTemporaryLab(hosts: 1) { lab in
            let host = lab.connectionFacts[0]
            lab.killServer()
            #expect(lab.serverPid == nil)
            #expect(try LabTesting.openSSH("true", on: host).status == 255)
            try lab.restartServer()
            let output = try LabTesting.openSSH("echo back", on: host)
            #expect(output.stdout == "back\n", "\(output)")
        }
    }

    @Test("a second lab that trusts the first lab's key can serve as a bastion")
    func secondServerTrustsFirstKey() throws {
        try withTemporaryLab(hosts: 1) { first in
            let folder = try TemporaryDirectory(prefix: "lab-bastion")
            defer { folder.remove() }
            let bastion = try Lab.start(
                hosts: 1,
                in: folder.path + "/bastion",
                additionalAuthorizedKeys: [first.clientPublicKey]
            )
            defer { try? bastion.stop() }
            var host = bastion.connectionFacts[0]
            host.privateKeyFile = first.paths.clientKey
            let output = try LabTesting.openSSH("echo via-bastion", on: host)
            #expect(output.stdout == "via-bastion\n", "\(output)")
        }
    }

    @Test("a 300-host lab answers on its last address, 127.0.11.46")
    func hundredsOfHosts() throws {
        try withTemporaryLab(hosts: 300) { lab in
            let last = try #require(lab.connectionFacts.last)
            #expect(last.address == "127.0.11.46")
            let output = try LabTesting.openSSH("echo $HOME", on: last)
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

    private func withTemporaryLab(hosts: Int, _ body: (RunningLab) throws -> Void) throws {
        let folder = try TemporaryDirectory(prefix: "lab")
        defer { folder.remove() }
        let lab = try Lab.start(hosts: hosts, in: folder.path + "/lab")
        defer { try? lab.stop() }
        try body(lab)
    }
}
