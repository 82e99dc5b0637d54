import ArgumentParser
import DrillCore
import DrillRun
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
        let runs = RunFolder.list(under: base.baseURL)
        guard !runs.isEmpty else {
            print("no runs under \(base.baseURL.path)")
            return
        }
        let width = max(6, runs.map(\.directory.runID.count).max() ?? 0)
        print("\(pad("RUN", width))  \(pad("STATE", 8))  \(pad("SCENARIO", 20))  EVENTS  CREATED (UTC)  ENGINE")
        let now = nowWallMillis()
        for listing in runs {
            guard let summary = listing.summary else {
                print("\(pad(listing.directory.runID, width))  \(pad("?", 8))  \(listing.error ?? "unreadable")")
                continue
            }
            let created = Date(timeIntervalSince1970: Double(summary.createdWallMillis) / 1000)
            let when = WallTime.format(created, timeZone: TimeZone(identifier: "UTC")!)
            var engine = ""
            if summary.status == .running || summary.status == .paused {
                // The engine's liveness needs the run's clock: fold the journal of a live run (a finished run
                // needs nothing more than its row).
                if let journal = try? Journal.openForReading(at: listing.directory.journalPath),
                    let events = try? journal.eventsNow(after: 0)
                {
                    let report = RunStatusReport(
                        ledger: RunLedger(events: events),
                        heartbeat: try? journal.lastHeartbeat(),
                        nowWallMillis: now
                    )
                    engine = report.engineNotice ?? "alive"
                }
            }
            print(
                "\(pad(listing.directory.runID, width))  \(pad(summary.status.rawValue, 8))  \(pad(summary.scenario, 20))  \(pad(String(summary.lastSequence), 6))  \(when)  \(engine)"
            )
        }
    }
}
