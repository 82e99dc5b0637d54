import Foundation

/// The settings a run keeps beside its journal (`engine.json`) so that `resume` continues it the same way.
public struct RunSettings: Codable, Sendable, Hashable {
    /// The simulated-teams profile (`PROFILE[:SEED]`), if any.
    public var simulateTeams: String?
    public var forks: Int?
    public var hostKeyChecking: String?
    public var knownHosts: String?

    public init(
        simulateTeams: String? = nil,
        forks: Int? = nil,
        hostKeyChecking: String? = nil,
        knownHosts: String? = nil
    ) {
        self.simulateTeams = simulateTeams
        self.forks = forks
        self.hostKeyChecking = hostKeyChecking
        self.knownHosts = knownHosts
    }

    /// Writes the settings into `folder`.
    public func write(to folder: RunFolder) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: folder.settingsPath))
    }

    /// The settings of `folder` (defaults when the file is missing or unreadable).
    public static func read(from folder: RunFolder) -> RunSettings {
        guard let data = FileManager.default.contents(atPath: folder.settingsPath),
            let settings = try? JSONDecoder().decode(RunSettings.self, from: data)
        else { return RunSettings() }
        return settings
    }
}
