import DrillCore
public import DrillStore
public import Foundation

#if canImport(Glibc)
import Glibc

private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin

private let systemWrite = Darwin.write
#endif

/// A run's folder, and the one place that knows every file in it:
///
/// ```
/// RUNS/20261129-193012-yunnan-guizhou-2026/
///   journal.sqlite (+ -wal, -shm)   the journal: the truth about the run (and the engine's heartbeat)
///   scenario.yaml                   the scenario as it was when the run was created
///   inventory.json                  the resolved inventory (ansible-inventory --list shape, secrets redacted)
///   engine-inventory.yaml           the resolved inventory as the engine reads it back on resume (no secrets)
///   engine.json                     the run settings resume reuses (simulated teams, forks, host keys)
///   uploads.json, uploads/          the files `upload: { src: }` sends, by SHA-256, and which src is which
///   access-codes.txt                the access codes, printed once; mode 0600 (only the owner reads it)
///   improvement-plan.yaml           (optional) the evaluators' improvement plan, merged into the report
///   summary.md                      (demo) the end-of-run summary
///   report.html|md|json|csv         the after-action report, when written into the folder
/// ```
public struct RunFolder: Sendable, Hashable {
    /// The folder.
    public let url: URL

    public init(url: URL) { self.url = url }

    /// The run id: the folder's name.
    public var runID: String { url.lastPathComponent }
    public var journalPath: String { path("journal.sqlite") }
    public var scenarioPath: String { path("scenario.yaml") }
    public var inventoryPath: String { path("inventory.json") }
    public var engineInventoryPath: String { path("engine-inventory.yaml") }
    public var settingsPath: String { path("engine.json") }
    public var accessCodesPath: String { path("access-codes.txt") }
    public var uploadsManifestPath: String { path("uploads.json") }
    public var uploadsFolder: URL { url.appendingPathComponent("uploads", isDirectory: true) }
    public var improvementPlanPath: String { path("improvement-plan.yaml") }
    public var summaryPath: String { path("summary.md") }

    /// The report file of `fileExtension` (`html`, `md`, `json`, `csv`) in the folder.
    public func reportPath(extension fileExtension: String) -> String { path("report.\(fileExtension)") }

    private func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// True when the folder holds a journal.
    public var exists: Bool { FileManager.default.fileExists(atPath: journalPath) }

    /// Creates a new, empty run folder under `base` for a run of `scenario` created at `date`. The id is
    /// ``RunID/make(scenario:date:)``; when that folder exists already, `-2`, `-3`, … is appended.
    ///
    /// - Throws: ``JournalError`` `.storage` when the folder cannot be created.
    public static func create(under base: URL, scenario: String, date: Date) throws -> RunFolder {
        do {
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        } catch {
            throw JournalError(.storage, "cannot create the runs folder '\(base.path)'", cause: error)
        }
        let id = RunID.make(scenario: scenario, date: date)
        for attempt in 1...1000 {
            let name = attempt == 1 ? id : "\(id)-\(attempt)"
            let url = base.appendingPathComponent(name, isDirectory: true)
            // mkdir is atomic: exactly one creator wins a name.
            if mkdir(url.path, 0o755) == 0 { return RunFolder(url: url) }
            let error = errno
            if error != EEXIST {
                throw JournalError(
                    .storage,
                    "cannot create the run folder '\(url.path)': \(String(cString: strerror(error)))"
                )
            }
        }
        throw JournalError(.storage, "cannot create a run folder under '\(base.path)': 1000 runs named '\(id)'")
    }

    /// The run folder named by `runOrPath`: a path to a folder (absolute, relative, or containing `/`), or a
    /// run id under `base`.
    public static func resolve(_ runOrPath: String, base: URL) -> RunFolder {
        if runOrPath.contains("/") || FileManager.default.fileExists(atPath: runOrPath + "/journal.sqlite") {
            return RunFolder(url: URL(fileURLWithPath: runOrPath, isDirectory: true).standardizedFileURL)
        }
        return RunFolder(url: base.appendingPathComponent(runOrPath, isDirectory: true))
    }

    /// Writes the scenario copy.
    public func writeScenarioCopy(_ text: String) throws { try write(text, to: scenarioPath, mode: 0o644) }

    /// Writes the resolved inventory copy.
    public func writeInventoryCopy(_ json: String) throws { try write(json, to: inventoryPath, mode: 0o644) }

    /// Writes the access codes file, readable by its owner only (0600). The file is created with that mode, so
    /// the codes are never readable by others, not even for a moment.
    public func writeAccessCodes(_ text: String) throws { try write(text, to: accessCodesPath, mode: 0o600) }

    /// Writes a new file of the folder (refusing to overwrite one), with `mode`, synced to disk.
    func write(_ text: String, to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw JournalError(.storage, "cannot create '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // The umask may have narrowed the mode; never widened it. Set it exactly.
        fchmod(descriptor, mode)
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw JournalError(.storage, "cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else {
            throw JournalError(.storage, "cannot sync '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    /// The runs under `base`, oldest first (run ids sort by creation time), each with its status from the
    /// journal's run row (one small read per run, no fold). Folders that are not runs are skipped; runs whose
    /// journal cannot be read are listed with `error` set.
    public static func list(under base: URL) -> [RunListing] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base.path) else { return [] }
        return names.sorted().compactMap { name in
            let directory = RunFolder(url: base.appendingPathComponent(name, isDirectory: true))
            guard FileManager.default.fileExists(atPath: directory.journalPath) else { return nil }
            do {
                let journal = try Journal.openForReading(at: directory.journalPath)
                return RunListing(directory: directory, summary: try journal.summary(), error: nil)
            } catch {
                return RunListing(directory: directory, summary: nil, error: "\(error)")
            }
        }
    }
}

/// One entry of ``RunFolder/list(under:)``.
public struct RunListing: Sendable, Hashable {
    public var directory: RunFolder
    /// The run's row, when the journal could be read.
    public var summary: RunSummary?
    /// Why the journal could not be read.
    public var error: String?
}

/// Run ids: `YYYYMMDD-HHMMSS-<scenario slug>` in UTC, so that sorting ids sorts runs by creation time and a
/// person can tell which drill a folder holds.
public enum RunID {
    /// The id of a run of `scenario` created at `date`.
    public static func make(scenario: String, date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (year, month, day, hour, minute, second) = CivilTime.components(ofUnixSeconds: seconds)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let stamp = "\(year)\(two(month))\(two(day))-\(two(hour))\(two(minute))\(two(second))"
        return "\(stamp)-\(slug(scenario))"
    }

    /// `scenario` reduced to lower-case ASCII letters, digits and single dashes (at most 48 characters);
    /// `run` when nothing is left (a name in Chinese, say).
    public static func slug(_ scenario: String) -> String {
        var out = ""
        for scalar in scenario.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, out.last != "-" {
                out += "-"
            }
        }
        while out.last == "-" { out.removeLast() }
        if out.count > 48 { out = String(out.prefix(48)) }
        while out.last == "-" { out.removeLast() }
        return out.isEmpty ? "run" : out
    }
}
