import ArgumentParser
import DrillCore
import Foundation

/// Reads the inventory for `ping`, `exec` and `lab up --inventory` with ``InventoryLoader`` and prints its
/// problems the way `drillctl inventory` does (compiler style, every problem at once).
enum FanOutInventory {
    /// The inventory at `path`.
    ///
    /// - Throws: `ExitCode(1)` after printing every problem with its file, line and column.
    static func load(path: String) throws -> Inventory {
        var warnings = Diagnostics()
        do {
            let inventory = try InventoryLoader.load(path: path, warnings: &warnings)
            if !warnings.isEmpty {
                printToStandardError(InventoryCommand.renderDiagnostics(warnings, summary: false))
            }
            return inventory
        } catch {
            printToStandardError(InventoryCommand.renderDiagnostics(error.diagnostics, summary: true))
            throw ExitCode(DrillExit.failure)
        }
    }
}

/// Fails a host whose inventory variables cannot be used (``ConnectionFacts/problems``: a port that is not a
/// number, a ProxyCommand drillctl cannot follow) before connecting, with those problems as the reason.
struct ProblemCheckingExecutor: RemoteExecutor {
    struct InventoryProblem: Error, CustomStringConvertible {
        var description: String
    }

    var base: any RemoteExecutor

    func run(_ command: RemoteCommand, on target: ConnectionFacts) async throws -> RemoteResult {
        if !target.problems.isEmpty {
            throw InventoryProblem(description: "inventory: " + target.problems.joined(separator: "; "))
        }
        return try await base.run(command, on: target)
    }

    func upload(_ data: [UInt8], to path: String, mode: Int32, on target: ConnectionFacts) async throws {
        if !target.problems.isEmpty {
            throw InventoryProblem(description: "inventory: " + target.problems.joined(separator: "; "))
        }
        try await base.upload(data, to: path, mode: mode, on: target)
    }
}
