import DrillCore
import DrillLab
import DrillSSH
import DrillTesting
import Foundation
import Testing

/// SFTP uploads: content, mode, atomic replacement, no leftovers.
@Suite("uploads over SFTP to a real sshd")
struct UploadTests {
    @Test("upload writes the bytes with the mode, replaces an existing file atomically, and leaves no temp file")
    func upload() async throws {
        try await withLab(hosts: 1) { lab in
            let (ssh, _) = SSHTestSupport.transport()
            let facts = lab.connectionFacts[0]
            let folder = lab.paths.hosts + "/" + lab.hosts[0].name
            let path = folder + "/uploaded.conf"
            let first = Array("first version\n".utf8)
            try await ssh.upload(first, to: path, mode: 0o640, on: facts)
            #expect(FileManager.default.contents(atPath: path) == Data(first))
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o640)

            // Replacing: a reader holding the old file keeps seeing it whole (rename, not rewrite in place).
            let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            let big = [UInt8](repeating: UInt8(ascii: "z"), count: 3 << 20)
            try await ssh.upload(big, to: path, mode: 0o600, on: facts)
            #expect(try reader.readToEnd() == Data(first))
            try reader.close()
            #expect(FileManager.default.contents(atPath: path) == Data(big))
            let replaced = try FileManager.default.attributesOfItem(atPath: path)
            #expect((replaced[.posixPermissions] as? Int) == 0o600)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
                $0.contains(".drill-")
            }
            #expect(leftovers.isEmpty)
            #expect(ssh.statistics.logins == 1)
            await ssh.shutdown()
        }
    }

    @Test("an upload into a missing folder is an SFTP error that says what to check")
    func missingFolder() async throws {
        try await withLab(hosts: 1) { lab in
            let (ssh, _) = SSHTestSupport.transport()
            let error = await #expect(throws: SSHError.self) {
                try await ssh.upload([1, 2, 3], to: "/nonexistent-drill/x", mode: 0o644, on: lab.connectionFacts[0])
            }
            #expect(error?.code == .sftpFailure)
            #expect(error?.message.contains("no such file or folder") == true)
            let relative = await #expect(throws: SSHError.self) {
                try await ssh.upload([1], to: "relative/x", mode: 0o644, on: lab.connectionFacts[0])
            }
            #expect(relative?.code == .invalidRequest)
            await ssh.shutdown()
        }
    }
}
