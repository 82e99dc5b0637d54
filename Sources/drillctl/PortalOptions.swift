import ArgumentParser
import DrillPortal
import DrillRun
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

    /// The portal service for `folder` when `--portal` was given, to run beside the engine in its service group.
    /// A portal that cannot start (bad TLS files) is reported and the drill goes on without it: the journal is the
    /// truth, and `drillctl serve --run RUN` can serve it later. A busy port is reported when the server starts.
    func server(for folder: RunFolder, journal: Journal) -> PortalServer? {
        guard let configuration else { return nil }
        if let warning = configuration.exposureWarning { printToStandardError(warning) }
        var logger = Logger(label: "drillctl.portal")
        logger.logLevel = .notice
        let scheme = configuration.tls == nil ? "http" : "https"
        let host = configuration.host
        do {
            return try PortalServer.make(
                run: folder,
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
                "portal not started: \(error); serve it later with `drillctl serve --run \(folder.url.path)`"
            )
            return nil
        }
    }
}
