import ArgumentParser

struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inventory", abstract: "(not built yet)")

    func run() async throws {
        throw ValidationError("'inventory' is not built yet")
    }
}
