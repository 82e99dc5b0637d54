import ArgumentParser
import DrillCore
import DrillStore
import Foundation

/// `drillctl runs`: the runs under --run-dir and their state.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs under --run-dir and their state.",
        discussion: "Exit status: 0 listed (even when there are none); 2 a usage error."
    )

    @OptionGroup var base: RunBaseOptions

    func run() async throws {
        let runs = RunDirectory.list(under: base.baseURL)
        guard !runs.isEmpty else {
            print("no runs under \(base.baseURL.path)")
            return
        }
        let width = max(6, runs.map(\.directory.runID.count).max() ?? 0)
        print("\(pad("RUN", width))  \(pad("STATE", 8))  \(pad("SCENARIO", 20))  EVENTS  CREATED (UTC)")
        for listing in runs {
            guard let summary = listing.summary else {
                print("\(pad(listing.directory.runID, width))  \(pad("?", 8))  \(listing.error ?? "unreadable")")
                continue
            }
            let created = Date(timeIntervalSince1970: Double(summary.createdWallMillis) / 1000)
            let when = WallTime.format(created, timeZone: TimeZone(identifier: "UTC")!)
            print(
                "\(pad(listing.directory.runID, width))  \(pad(summary.status.rawValue, 8))  \(pad(summary.scenario, 20))  \(pad(String(summary.lastSequence), 6))  \(when)"
            )
        }
    }
}
