import DrillTesting
import Foundation
import Testing

/// Golden files: `Golden/<name>` next to this file. `RECORD_GOLDEN=1 swift test …` rewrites them; otherwise a
/// missing or different golden fails, and the actual text is written to `.build/test-artifacts/golden/<name>`
/// for a diff.
enum Golden {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    /// Where tests put files worth looking at (screenshots, actual outputs).
    static var artifacts: URL {
        let url = CommandRunner.packageRoot.appendingPathComponent(".build/test-artifacts", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        // Read bytes: String(contentsOf:encoding:) would drop the CSV's byte-order mark.
        guard let data = try? Data(contentsOf: url) else {
            Issue.record(
                "missing golden file \(url.path); run with RECORD_GOLDEN=1 to create it",
                sourceLocation: sourceLocation
            )
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected == actual { return }
        let actualDirectory = artifacts.appendingPathComponent("golden", isDirectory: true)
        try? FileManager.default.createDirectory(at: actualDirectory, withIntermediateDirectories: true)
        let actualURL = actualDirectory.appendingPathComponent(name)
        try? Data(actual.utf8).write(to: actualURL)
        let expectedLines = expected.components(separatedBy: "\n")
        let actualLines = actual.components(separatedBy: "\n")
        var line = 0
        while line < min(expectedLines.count, actualLines.count), expectedLines[line] == actualLines[line] { line += 1 }
        let want = line < expectedLines.count ? expectedLines[line] : "<end of file>"
        let got = line < actualLines.count ? actualLines[line] : "<end of file>"
        Issue.record(
            """
            \(name) differs from its golden file at line \(line + 1):
              expected: \(want.prefix(300))
              actual:   \(got.prefix(300))
            actual output: \(actualURL.path) (RECORD_GOLDEN=1 rewrites the golden files)
            """,
            sourceLocation: sourceLocation
        )
    }
}
