import ArgumentParser

struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'exec' is not built yet")
    }
}
