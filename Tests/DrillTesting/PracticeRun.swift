public import DrillCore
public import DrillEngine
public import DrillRun
import DrillStore
import Foundation

/// A real run folder (SQLite journal, scenario and inventory copies, access codes) of the quick-start drill,
/// driven on virtual time by the real engine against an in-memory range, so that the CLI, the portal and the
/// report can be pointed at it.
///
/// Wall time is anchored so that the virtual run ends just before the real now: a `drillctl` started by the test
/// sees the exercise clock where the engine left it, plus the few seconds the test took.
public struct PracticeRun {
    public let directory: TemporaryDirectory
    public let run: OpenedRun
    public let range: InMemoryExecutor
    public var engine: VirtualEngine
    /// Access codes by label: `director`, `team yn-telecom`, `evaluator e1`, ….
    public let codes: [String: String]

    /// The run folder's path, for `--run`.
    public var path: String { run.folder.url.path }

    /// Creates the run and journals STARTEX `startedSecondsAgo` seconds of wall time before now. Every host
    /// check answers "not yet" (exit 1) until ``fix(_:)`` is called for a marker: the planted events land and
    /// stay.
    public static func quickstart(
        startedSecondsAgo: Int64 = 600,
        prefix: String = "practice-run"
    ) async throws -> PracticeRun {
        let directory = try TemporaryDirectory(prefix: prefix)
        let root = CommandRunner.packageRoot
        let loaded = try ScenarioLoader.load(path: root.appendingPathComponent("scenarios/quickstart.yaml").path)
        let inventory = try InventoryLoader.load(path: root.appendingPathComponent("inventory/quickstart.yaml").path)
        let start = Int64(Date().timeIntervalSince1970 * 1000) - startedSecondsAgo * 1000
        let time = VirtualTime(wall: start)
        let (run, text) = try OpenedRun.create(
            loaded: loaded,
            inventory: inventory,
            under: directory.url,
            speed: 1,
            startex: nil,
            settings: RunSettings(),
            now: Date(timeIntervalSince1970: Double(start) / 1000),
            durability: .normal
        )
        var codes: [String: String] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let words = line.split(separator: " ")
            guard let code = words.last, words.count >= 2 else { continue }
            codes[words.dropLast().joined(separator: " ")] = String(code)
        }
        let range = InMemoryExecutor()
        let engine = VirtualEngine(
            plan: run.plan,
            targets: EngineTargets(plan: run.plan, inventory: inventory),
            executor: range,
            journal: run.journal,
            runID: run.journal.runID,
            time: time
        )
        try await engine.startex()
        var practice = PracticeRun(directory: directory, run: run, range: range, engine: engine, codes: codes)
        practice.fixed([])
        return practice
    }

    /// Host checks answer as if the planted markers in `markers` (`drill:defacement`, `.cache.php`) were gone:
    /// `resolved_when` of those injects passes, every other check fails, actions succeed.
    public func fixed(_ markers: Set<String>) {
        range.respond { _, command in
            let resolvedCheck = command.hasPrefix("! ") || command.hasPrefix("test ! ")
            let landedCheck = command.hasPrefix("grep -q") || command.hasPrefix("test -e")
            guard resolvedCheck || landedCheck else { return 0 }
            let gone = markers.contains { command.contains($0) }
            return (resolvedCheck == gone) ? 0 : 1
        }
    }

    /// Runs the engine until exercise time `seconds`.
    public mutating func run(untilSeconds seconds: Int64) async throws {
        try await engine.run(until: seconds * 1000)
    }

    /// Removes the run's folder.
    public func remove() { directory.remove() }
}
