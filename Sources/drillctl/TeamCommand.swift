import ArgumentParser
import Foundation

/// `drillctl team inbox|acknowledge|report|resolve`: the team's side of the portal, from a terminal.
struct TeamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "Read a team's inbox and respond to injects through the portal's API.",
        subcommands: [Inbox.self, Acknowledge.self, Report.self, Resolve.self]
    )

    struct Connection: ParsableArguments {
        @Option(name: .long, help: "The portal's address, e.g. http://127.0.0.1:8080.")
        var portal: String

        @Option(
            name: .long,
            help: "The team's access code (or set DRILL_ACCESS_CODE, which keeps it out of the process list)."
        )
        var code: String?

        func client() throws -> PortalClient {
            guard let code = code ?? ProcessInfo.processInfo.environment["DRILL_ACCESS_CODE"], !code.isEmpty else {
                throw ValidationError("Give the team's access code with --code or DRILL_ACCESS_CODE.")
            }
            guard let url = URL(string: portal), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationError("--portal must be an http:// or https:// URL, e.g. http://127.0.0.1:8080.")
            }
            return PortalClient(base: url, code: code)
        }
    }

    struct Inbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the injects delivered to the team.")
        @OptionGroup var connection: Connection
        @Flag(name: .long, help: "Print the API's JSON instead of text.")
        var json = false

        func run() async throws {
            let client = try connection.client()
            let body = try await client.call("GET", "/api/inbox")
            if json {
                print(String(decoding: body, as: UTF8.self))
                return
            }
            print(try PortalClient.renderInbox(body))
        }
    }

    struct Acknowledge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge an inject.")
        @OptionGroup var connection: Connection
        @Argument(help: "The inject's id.")
        var inject: String
        func run() async throws {
            let body = try await connection.client().call(
                "POST",
                "/api/injects/\(PortalClient.escapePath(inject))/acknowledge"
            )
            print(try PortalClient.renderRecorded(body))
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a situation report for an inject.")
        @OptionGroup var connection: Connection
        @Argument(help: "The inject's id.")
        var inject: String
        @Argument(help: "The report's text.")
        var text: String
        func run() async throws {
            let payload = try JSONSerialization.data(withJSONObject: ["text": text])
            let body = try await connection.client().call(
                "POST",
                "/api/injects/\(PortalClient.escapePath(inject))/report",
                json: payload
            )
            print(try PortalClient.renderRecorded(body))
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark an inject resolved.")
        @OptionGroup var connection: Connection
        @Argument(help: "The inject's id.")
        var inject: String
        func run() async throws {
            let body = try await connection.client().call(
                "POST",
                "/api/injects/\(PortalClient.escapePath(inject))/resolve"
            )
            print(try PortalClient.renderRecorded(body))
        }
    }
}
