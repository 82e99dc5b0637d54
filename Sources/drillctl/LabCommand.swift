import ArgumentParser

struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lab", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'lab' is not built yet")
    }
}
