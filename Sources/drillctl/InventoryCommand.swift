import ArgumentParser
import DrillCore
import Foundation

/// `drillctl inventory …`: read an Ansible inventory the way drillctl (and Ansible) understands it.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Show an Ansible inventory as drillctl reads it.",
        discussion: """
            Reads Ansible YAML and INI inventories (a file, or a folder of them, with group_vars/ and \
            host_vars/) with Ansible's rules. Secrets such as ansible_password are never printed.
            """,
        subcommands: [List.self, Hosts.self]
    )

    /// The options every inventory command takes.
    struct InventoryOptions: ParsableArguments {
        @Option(
            name: [.customShort("i"), .customLong("inventory")],
            help: ArgumentHelp("The inventory file or folder to read.", valueName: "path")
        )
        var inventory: String

        @Option(
            name: [.customShort("l"), .customLong("limit")],
            help: ArgumentHelp(
                "Show only the hosts an Ansible pattern selects (for example 'web:&yunnan:!web03').",
                valueName: "pattern"
            )
        )
        var limit: String?
    }

    /// `drillctl inventory list`: the inventory as `ansible-inventory --list` (or `--graph`) prints it.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Print the resolved inventory as ansible-inventory --list does.",
            discussion: """
                Prints JSON in the shape of `ansible-inventory -i PATH --list`: _meta.hostvars with each host's \
                variables after Ansible's precedence, and each group's hosts and children. Secrets \
                (ansible_password, ansible_ssh_pass, ansible_become_password, and any variable named *_password, \
                *_pass, *_passphrase, *_secret, *_token) print as "<redacted>".

                Exit status: 0 success; 1 the inventory has errors; 2 a usage error.
                """
        )

        @OptionGroup var options: InventoryOptions

        @Flag(help: "Print the group tree as ansible-inventory --graph does, instead of JSON.")
        var graph = false

        @Argument(help: ArgumentHelp("With --graph, the group to start from.", valueName: "group"))
        var group: String?

        func validate() throws {
            if group != nil && !graph {
                throw ValidationError("a group argument needs --graph; 'list' prints the whole inventory")
            }
        }

        func run() async throws {
            let inventory = try InventoryCommand.loadInventory(options.inventory)
            let selection = try InventoryCommand.selectHosts(options.limit, in: inventory)
            if graph {
                let start = group ?? "all"
                guard let text = InventoryListing.graph(inventory, from: start, hosts: selection) else {
                    printToStandardError(
                        "error: '\(start)' is not a group of the inventory"
                            + (Suggestions.didYouMean(start, among: inventory.groupOrder).map { "; \($0)" } ?? "")
                    )
                    throw ExitCode(DrillExit.failure)
                }
                print(text)
            } else {
                print(InventoryListing.listJSON(inventory, hosts: selection))
            }
        }
    }

    /// `drillctl inventory hosts`: the host names a pattern selects, one a line.
    struct Hosts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hosts",
            abstract: "List the host names the inventory (or --limit) selects, one a line.",
            discussion: """
                Hosts come in inventory order, as `ansible all -i PATH --limit PATTERN --list-hosts` lists them. \
                A pattern that selects no host is an error.

                Exit status: 0 success; 1 the inventory has errors or nothing matched; 2 a usage error.
                """
        )

        @OptionGroup var options: InventoryOptions

        func run() async throws {
            let inventory = try InventoryCommand.loadInventory(options.inventory)
            let selection = try InventoryCommand.selectHosts(options.limit, in: inventory) ?? inventory.hostOrder
            for host in selection { print(host) }
        }
    }
}

extension InventoryCommand {
    /// Loads an inventory, printing every diagnostic (with its source line) to standard error; exits 1 on errors.
    static func loadInventory(_ path: String) throws -> Inventory {
        var warnings = Diagnostics()
        do {
            let inventory = try InventoryLoader.load(path: path, warnings: &warnings)
            if !warnings.isEmpty { printToStandardError(renderDiagnostics(warnings, summary: false)) }
            return inventory
        } catch {
            printToStandardError(renderDiagnostics(error.diagnostics, summary: true))
            throw ExitCode(DrillExit.failure)
        }
    }

    /// The hosts `pattern` selects, in inventory order (nil without a pattern); warns about terms that match
    /// nothing and fails when nothing at all is selected.
    static func selectHosts(_ pattern: String?, in inventory: Inventory) throws -> [String]? {
        guard let pattern else { return nil }
        let hostPattern = HostPattern(pattern)
        let selected: [String]
        do {
            selected = try hostPattern.resolve(in: inventory)
        } catch {
            printToStandardError("error: --limit: \(error.message)")
            throw ExitCode(DrillExit.failure)
        }
        for term in hostPattern.unmatchedTerms(in: inventory) {
            let hint = Suggestions.didYouMean(term, among: inventory.groupOrder + inventory.hostDefinitionOrder)
            printToStandardError(
                "warning: --limit: '\(term)' matches no group or host" + (hint.map { "; \($0)" } ?? "")
            )
        }
        guard !selected.isEmpty else {
            printToStandardError("error: --limit '\(pattern)' selects no host of the inventory")
            throw ExitCode(DrillExit.failure)
        }
        let chosen = Set(selected)
        return inventory.hostOrder.filter(chosen.contains)
    }

    /// Renders diagnostics like a compiler, with the offending line of each file that can be read.
    static func renderDiagnostics(_ diagnostics: Diagnostics, summary: Bool) -> String {
        var sources: [String: String] = [:]
        for file in Set(diagnostics.compactMap { $0.location?.file }) {
            if let data = FileManager.default.contents(atPath: file) {
                sources[file] = String(decoding: data, as: UTF8.self)
            }
        }
        let renderer = DiagnosticRenderer(sources: sources)
        return summary ? renderer.render(diagnostics) : diagnostics.sorted.map(renderer.render).joined(separator: "\n")
    }
}
