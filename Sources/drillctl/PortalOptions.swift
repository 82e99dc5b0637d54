import ArgumentParser
import DrillPortal
import DrillStore
import Foundation
import Logging

/// `--portal [HOST:]PORT` and its TLS files, for commands that serve the portal beside the engine.
struct PortalOptions: ParsableArguments {
    @Option(
        name: .customLong("portal"),
        help: """
            Serve the portal while the drill runs, on [HOST:]PORT (HOST defaults to 127.0.0.1; another \
            address must be named explicitly and, without TLS, prints a loud warning).
            """
    )
    var address: String?

    @Option(name: .customLong("tls-cert"), help: "A PEM certificate chain, to serve the portal over HTTPS.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both, or neither for plain HTTP.")
        }
        if tlsCert != nil && address == nil {
            throw ValidationError("--tls-cert and --tls-key need --portal.")
        }
        if let address, Self.parse(address) == nil {
            throw ValidationError("--portal takes [HOST:]PORT, such as 8080 or 127.0.0.1:8080; found '\(address)'.")
        }
    }

    /// `PORT`, `HOST:PORT` or `[V6]:PORT` as (host, port).
    static func parse(_ text: String) -> (host: String, port: Int)? {
        if let port = Int(text) { return (0...65535).contains(port) ? ("127.0.0.1", port) : nil }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// The configuration to serve with, or nil when `--portal` was not given.
    var configuration: PortalConfiguration? {
        guard let address, let (host, port) = Self.parse(address) else { return nil }
        return PortalConfiguration(
            host: host,
            port: port,
            tls: tlsCert.map { PortalConfiguration.TLSFiles(certificatePath: $0, privateKeyPath: tlsKey ?? "") }
        )
    }

    /// Runs `body` with the portal serving `directory` beside it when `--portal` was given, then stops the
    /// portal. A portal that cannot start (a busy port, bad TLS files) is reported and the drill goes on: the
    /// journal is the truth, and `drillctl serve --run RUN` can serve it later.
    func serving<Result: Sendable>(
        _ directory: RunDirectory,
        journal: Journal,
        _ body: () async throws -> Result
    ) async throws -> Result {
        guard let configuration else { return try await body() }
        if let warning = configuration.exposureWarning { printToStandardError(warning) }
        var logger = Logger(label: "drillctl.portal")
        logger.logLevel = .notice
        let scheme = configuration.tls == nil ? "http" : "https"
        let host = configuration.host
        let server: PortalServer
        do {
            server = try PortalServer.make(
                run: directory,
                journal: journal,
                configuration: configuration,
                logger: logger,
                onListening: { port in
                    let line = "portal: \(scheme)://\(host):\(port)/ (sign in with the access codes above)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
            )
        } catch {
            printToStandardError(
                "portal not started: \(error); serve it later with `drillctl serve --run \(directory.url.path)`"
            )
            return try await body()
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await server.run()
                } catch is CancellationError {
                } catch {
                    printToStandardError(
                        "portal stopped: \(error); serve it with `drillctl serve --run \(directory.url.path)`"
                    )
                }
            }
            let result = try await body()
            group.cancelAll()
            return result
        }
    }
}
