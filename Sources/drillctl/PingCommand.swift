import ArgumentParser

struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'ping' is not built yet")
    }
}
