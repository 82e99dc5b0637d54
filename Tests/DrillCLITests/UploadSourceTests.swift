import DrillTesting
import Foundation
import Testing

@Suite("upload src: files beside the scenario")
struct UploadSourceTests {
    static let root = CommandRunner.packageRoot.path

    static func scenario(src: String) -> String {
        """
        drill: d
        duration: 1h
        scope: all
        provinces: [{ id: yunnan }]
        teams: [{ id: t, province: yunnan, groups: yn_telecom }]
        injects:
          - id: note
            at: 1m
            message: ransom note
            actions:
              - upload: { src: \(src), dest: "{{ host.vars.webroot }}/README.txt", mode: "0644" }

        """
    }

    @Test("a src file that exists is read (its placeholders are checked like content's)")
    func readsTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("files/note.txt", "Your files are encrypted, {{ team.name }}.\n")
        let scenario = try directory.write("s.yaml", Self.scenario(src: "files/note.txt"))
        let output = try await CommandRunner.drillctl([
            "validate", scenario, "-i", "\(Self.root)/inventory/quickstart.yaml",
        ])
        #expect(output.status == 0, "\(output)")
    }

    @Test("a src file that does not exist is an error at its src key, exit 1")
    func missingFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let scenario = try directory.write("s.yaml", Self.scenario(src: "files/missing.txt"))
        let output = try await CommandRunner.drillctl([
            "validate", scenario, "-i", "\(Self.root)/inventory/quickstart.yaml",
        ])
        #expect(output.status == 1, "\(output)")
        #expect(output.stdout.contains("\(scenario):11:"), "\(output)")
        #expect(output.stdout.contains("error: cannot read upload src 'files/missing.txt': no readable file at"))
    }

    @Test("a src file that is not UTF-8 text is refused")
    func binaryFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/files", withIntermediateDirectories: true)
        try Data([0xff, 0xfe, 0x00, 0x80]).write(to: URL(fileURLWithPath: directory.path + "/files/blob.bin"))
        let scenario = try directory.write("s.yaml", Self.scenario(src: "files/blob.bin"))
        let output = try await CommandRunner.drillctl([
            "validate", scenario, "-i", "\(Self.root)/inventory/quickstart.yaml",
        ])
        #expect(output.status == 1, "\(output)")
        #expect(output.stdout.contains("is not UTF-8 text"), "\(output)")
    }
}
