import ArgumentParser
import DrillPortal
import DrillRun
import DrillStore
import Foundation
import Logging

/// `drillctl serve --run RUN`: the drill portal for an existing run.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the drill portal (teams, evaluators, director) for an existing run.",
        discussion: """
            Binds to 127.0.0.1 unless --bind names another address. Sign in with the access codes created \
            with the run (its access-codes.txt). Plain HTTP on a non-loopback address prints a loud warning: \
            use --tls-cert and --tls-key to serve HTTPS.
            """
    )

    @Option(name: .long, help: "The run id (under --run-dir) or the run's folder.")
    var run: String

    @OptionGroup var base: RunBaseOptions

    @Option(name: .long, help: "The address to listen on; anything but loopback must be given explicitly.")
    var bind: String = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on.")
    var port: Int = 8080

    @Option(name: .long, help: "A PEM certificate chain, to serve HTTPS.")
    var tlsCert: String?

    @Option(name: .long, help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both, or neither for plain HTTP.")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535.") }
    }

    func run() async throws {
        let journal: Journal
        let directory: RunFolder
        do {
            directory = try base.locate(run)
            journal = try Journal.open(at: directory.journalPath)
        } catch {
            printToStandardError("error: \(error)")
            throw ExitCode(DrillExit.failure)
        }
        let configuration = PortalConfiguration(
            host: bind,
            port: port,
            tls: tlsCert.map { PortalConfiguration.TLSFiles(certificatePath: $0, privateKeyPath: tlsKey!) }
        )
        if let warning = configuration.exposureWarning { printToStandardError(warning) }
        var logger = Logger(label: "drillctl.portal")
        logger.logLevel = .notice
        let scheme = configuration.tls == nil ? "http" : "https"
        let server: PortalServer
        do {
            server = try PortalServer.make(
                run: directory,
                journal: journal,
                configuration: configuration,
                logger: logger,
                onListening: { port in
                    let line = "portal for run \(journal.runID) at \(scheme)://\(bind):\(port)/ (Ctrl-C to stop)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
            )
        } catch {
            printToStandardError("error: \(error)")
            throw ExitCode(DrillExit.failure)
        }
        try await server.runUntilSignalled()
    }
}
