import ArgumentParser
import DrillCore
import DrillLab
import Foundation

/// `drillctl lab up|down|status`: the local practice range.
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Start, inspect or stop the local practice range (an sshd answering on 127.0.10.x).",
        discussion: """
            The practice range is Debian's OpenSSH server with its own configuration, host key, pid file and log \
            in the lab folder (never the system service), answering as one target host per loopback address \
            127.0.10.1, 127.0.10.2, …. `lab up` also writes a client key, a known_hosts file and an Ansible \
            inventory for those hosts that drillctl and ansible use as they are.
            """,
        subcommands: [LabUpCommand.self, LabStatusCommand.self, LabDownCommand.self]
    )
}

/// Options every lab subcommand takes.
struct LabFolderOptions: ParsableArguments {
    @Option(name: .customLong("dir"), help: "The lab folder (default: .drill-lab in the current folder).")
    var directory: String = ".drill-lab"
}

struct LabUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a practice range and print how to use it.",
        discussion: """
            Give --hosts N for generated hosts (two provinces, teams of four, groups per province, team and role), \
            or --inventory PATH to shape the lab after an example inventory (one lab host per inventory host, the \
            same groups and drill variables; connection variables point at the lab and drill_root/webroot lie \
            under the lab folder). Running `up` again with the same settings leaves the running lab as it is.
            """
    )

    @OptionGroup var folder: LabFolderOptions

    @Option(help: "How many generated target hosts to start (127.0.10.1 … and on).")
    var hosts: Int?

    @Option(help: "An inventory to shape the lab after, instead of --hosts.")
    var inventory: String?

    @Option(help: "The TCP port every lab host answers on.")
    var port: Int = 2222

    @Option(name: .customLong("sshd"), help: ArgumentHelp("The OpenSSH server to run.", visibility: .hidden))
    var sshdPath: String = "/usr/sbin/sshd"

    func validate() throws {
        switch (hosts, inventory) {
        case (nil, nil): throw ValidationError("give --hosts N or --inventory PATH")
        case (.some, .some): throw ValidationError("give either --hosts or --inventory, not both")
        case (.some(let count), nil) where count < 1 || count > LabAddresses.maximumHosts:
            throw ValidationError("--hosts must be between 1 and \(LabAddresses.maximumHosts)")
        default: break
        }
        if !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
    }

    func run() async throws {
        var configuration: LabConfiguration
        if let inventory {
            let source = try FanOutInventory.load(path: inventory)
            configuration = LabConfiguration(
                source: source,
                sourceDescription: inventory,
                directory: folder.directory,
                port: port,
                sshdPath: sshdPath
            )
        } else {
            configuration = LabConfiguration(
                hostCount: hosts ?? 1,
                directory: folder.directory,
                port: port,
                sshdPath: sshdPath
            )
        }
        let status: LabStatus
        do {
            status = try await Lab.up(configuration)
        } catch let error as LabError {
            throw LabFailure(message: error.message)
        }
        if status.wasAlreadyRunning {
            print("Already running (sshd pid \(status.pid ?? 0)); nothing to do.")
        } else {
            print("Started sshd (pid \(status.pid ?? 0)).")
        }
        print(status.usage, terminator: "")
    }
}

struct LabStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say whether the practice range runs, on which port and for which hosts.",
        discussion: "Exit status: 0 when it runs, 1 when it is stopped or absent."
    )

    @OptionGroup var folder: LabFolderOptions

    func run() async throws {
        let status = Lab(directory: folder.directory).status()
        switch status.state {
        case .absent:
            print("No practice range in \(status.paths.directory): start one with `drillctl lab up --hosts N`.")
            throw ExitCode(DrillExit.failure)
        case .stopped:
            print("Practice range in \(status.paths.directory) is stopped (its sshd is not running).")
            print("  hosts: \(status.hosts.count), port \(status.port ?? 0)")
            print("Run `drillctl lab down --dir \(status.paths.directory)` to clean it up, then `lab up` again.")
            throw ExitCode(DrillExit.failure)
        case .running(let pid):
            print("Running: sshd pid \(pid), port \(status.port ?? 0), \(status.hosts.count) hosts.")
            for host in status.hosts.prefix(10) {
                let place = [host.province, host.team].compactMap { $0 }.joined(separator: "/")
                print("  \(host.address.padding(toLength: 14, withPad: " ", startingAt: 0)) \(host.name)  \(place)")
            }
            if status.hosts.count > 10 { print("  … \(status.hosts.count - 10) more (\(status.paths.inventory))") }
            print("Files:")
            for file in status.files { print("  \(file)") }
        }
    }
}

struct LabDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the practice range's sshd and remove the files `lab up` created.",
        discussion:
            "Stops only the sshd whose pid is in the lab's pid file, after checking it runs the lab's config. Running it twice is fine."
    )

    @OptionGroup var folder: LabFolderOptions

    func run() async throws {
        let result: Lab.DownResult
        do {
            result = try await Lab(directory: folder.directory).down()
        } catch let error as LabError {
            throw LabFailure(message: error.message)
        }
        let directory = LabPaths(directory: folder.directory).directory
        if result.wasAbsent {
            print("No practice range in \(directory); nothing to do.")
            return
        }
        if let pid = result.stopped.first {
            let sessions = result.stopped.count - 1
            print(
                "Stopped sshd (pid \(pid))\(sessions > 0 ? " and \(sessions) session process\(sessions == 1 ? "" : "es")" : "")."
            )
        } else {
            print("The sshd was not running.")
        }
        print("Removed \(result.removed.count) files and folders from \(directory).")
    }
}

/// A failure already explained to the user: printed as `error: MESSAGE`, exit status 1.
struct LabFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
