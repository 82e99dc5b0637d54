import Foundation

/// What `up` recorded in `DIR/lab.json`, so that `status` and `down` know exactly what it started.
struct LabState: Codable, Sendable, Hashable {
    /// The format of this file; bumped if its meaning changes.
    var version: Int = 1
    var directory: String
    var port: Int
    var user: String
    var sshdPath: String
    var hosts: [LabHost]
    /// True when `up` created the lab folder itself (then `down` removes it when it is empty).
    var createdDirectory: Bool
    var source: String
    var startedAt: Date

    static func read(_ paths: LabPaths) -> LabState? {
        guard let data = FileManager.default.contents(atPath: paths.state) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(LabState.self, from: data)
    }

    func write(_ paths: LabPaths) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: paths.state), options: .atomic)
    }
}
