import ArgumentParser
import DrillCore
import Foundation

/// `drillctl validate SCENARIO -i INVENTORY`: every problem of a scenario and its inventory, in one pass.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario against an inventory and report every problem at once.",
        discussion: """
            Prints each problem as `file:line:column: error: …` (or `warning:`) with the offending line and a \
            caret, then a summary line, all on standard output. With --format json, prints one JSON document \
            {valid, errors, warnings, diagnostics: [{severity, file, line, column, message, hint}]}.

            Exit status: 0 the scenario is valid (warnings allowed); 1 it is not; 2 a usage error, such as a \
            file that does not exist.
            """
    )

    @Argument(help: "The scenario YAML file.", completion: .file(extensions: ["yaml", "yml"]))
    var scenario: String

    @Option(name: [.short, .customLong("inventory")], help: "The Ansible inventory (a YAML or INI file, or a folder).")
    var inventory: String

    @Option(help: "The output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        let inputs = try DrillInputs.load(scenario: scenario, inventory: inventory)
        switch format {
        case .text:
            var output = ""
            for diagnostic in inputs.diagnostics.sorted {
                output += inputs.renderer.render(diagnostic) + "\n"
            }
            output += inputs.summary + "\n"
            FileHandle.standardOutput.write(Data(output.utf8))
        case .json:
            FileHandle.standardOutput.write(Data(ValidationReport(inputs.diagnostics).json().utf8))
        }
        if inputs.diagnostics.hasErrors { throw ExitCode(DrillExit.failure) }
    }
}

/// A scenario and an inventory read from disk, validated together.
struct DrillInputs {
    var scenarioPath: String
    var inventoryPath: String
    var loaded: LoadedScenario?
    var inventory: Inventory?
    /// Loading and validation diagnostics of both files.
    var diagnostics: Diagnostics
    /// Renders diagnostics with snippets from both files.
    var renderer: DiagnosticRenderer

    /// Reads both files and validates them, collecting every problem.
    ///
    /// - Throws: `ValidationError` (exit status 2) when a file does not exist.
    static func load(scenario: String, inventory: String) throws -> DrillInputs {
        for (path, what) in [(scenario, "scenario file"), (inventory, "inventory")]
        where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("the \(what) '\(path)' does not exist")
        }
        var diagnostics = Diagnostics()
        var sources: [String: String] = [:]
        var loaded: LoadedScenario?
        do {
            var read = try ScenarioLoader.load(path: scenario)
            UploadSourceFiles.inline(&read, relativeTo: URL(fileURLWithPath: scenario).deletingLastPathComponent())
            loaded = read
        } catch {
            diagnostics.append(contentsOf: error.diagnostics)
        }
        if let text = loaded?.text ?? (try? String(contentsOfFile: scenario, encoding: .utf8)) {
            sources[scenario] = text
        }
        var inventoryModel: Inventory?
        do {
            inventoryModel = try InventoryLoader.load(path: inventory)
        } catch {
            diagnostics.append(contentsOf: error.diagnostics)
        }
        if let loaded {
            diagnostics.append(contentsOf: loaded.diagnostics)
            if let inventoryModel {
                diagnostics.append(
                    contentsOf: ScenarioValidator.validate(
                        loaded.scenario,
                        inventory: inventoryModel,
                        sourceMap: loaded.sourceMap
                    )
                )
            }
        }
        // Snippets from inventory files too (a file, or the files of a folder that diagnostics point into).
        for file in Set(diagnostics.compactMap(\.location?.file)) where sources[file] == nil {
            sources[file] = try? String(contentsOfFile: file, encoding: .utf8)
        }
        return DrillInputs(
            scenarioPath: scenario,
            inventoryPath: inventory,
            loaded: loaded,
            inventory: inventoryModel,
            diagnostics: diagnostics,
            renderer: DiagnosticRenderer(sources: sources)
        )
    }

    /// `valid: S against I (3 injects, 2 teams, 1 province; no problems found)` or `invalid: … (2 errors)`.
    var summary: String {
        let counts = DiagnosticRenderer.summary(diagnostics)
        var facts = ""
        if let scenario = loaded?.scenario, !diagnostics.hasErrors {
            func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
            facts =
                [
                    plural(scenario.injects.count, "inject"), plural(scenario.teams.count, "team"),
                    plural(scenario.provinces.count, "province"),
                ].joined(separator: ", ") + "; "
        }
        return
            "\(diagnostics.hasErrors ? "invalid" : "valid"): \(scenarioPath) against \(inventoryPath) (\(facts)\(counts))"
    }
}

/// The JSON document of `drillctl validate --format json`.
struct ValidationReport: Encodable {
    struct Item: Encodable {
        var severity: String
        var file: String?
        var line: Int?
        var column: Int?
        var message: String
        var hint: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(severity, forKey: .severity)
            try container.encode(file, forKey: .file)
            try container.encode(line, forKey: .line)
            try container.encode(column, forKey: .column)
            try container.encode(message, forKey: .message)
            try container.encode(hint, forKey: .hint)
        }

        enum CodingKeys: String, CodingKey { case severity, file, line, column, message, hint }
    }

    var valid: Bool
    var errors: Int
    var warnings: Int
    var diagnostics: [Item]

    init(_ diagnostics: Diagnostics) {
        valid = !diagnostics.hasErrors
        errors = diagnostics.errorCount
        warnings = diagnostics.warningCount
        self.diagnostics = diagnostics.sorted.map {
            Item(
                severity: $0.severity.rawValue,
                file: $0.location?.file,
                line: $0.location?.line,
                column: $0.location?.column,
                message: $0.message,
                hint: $0.hint
            )
        }
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
