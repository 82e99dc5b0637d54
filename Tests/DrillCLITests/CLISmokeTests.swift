import DrillTesting
import Testing

@Suite("drillctl as a user runs it")
struct CLISmokeTests {
    @Test("--help lists the commands")
    func help() async throws {
        let output = try await CommandRunner.drillctl(["--help"])
        #expect(output.status == 0, "\(output)")
        #expect(output.stdout.contains("validate"))
        #expect(output.stdout.contains("inventory"))
    }
}
