import DrillCore
import Foundation

/// Reading and keeping the local files that `upload: { src: … }` actions send.
enum UploadSourceFiles {
    /// Inlines every upload `src` of `loaded`, resolved against `folder` (the scenario file's folder).
    static func inline(_ loaded: inout LoadedScenario, relativeTo folder: URL) {
        loaded.inlineUploadSources { source in
            let url = resolve(source, relativeTo: folder)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                return .failure(UploadSourceError("no readable file at '\(url.path)'"))
            }
            guard let text = String(data: data, encoding: .utf8) else {
                return .failure(UploadSourceError("'\(url.path)' is not UTF-8 text"))
            }
            return .success(text)
        }
    }

    /// Copies every relative upload `src` of `loaded` from `folder` into the run folder at the same relative
    /// path, so that `resume`, which reads the run's scenario copy, finds them beside it.
    static func copy(_ loaded: LoadedScenario, from folder: URL, into run: URL) throws {
        for source in loaded.uploadSources where !source.hasPrefix("/") && !source.hasPrefix("~") {
            let target = run.appendingPathComponent(source).standardizedFileURL
            guard target.path.hasPrefix(run.standardizedFileURL.path + "/") else { continue }
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.copyItem(at: resolve(source, relativeTo: folder), to: target)
        }
    }

    static func resolve(_ source: String, relativeTo folder: URL) -> URL {
        let expanded = (source as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : folder.appendingPathComponent(expanded)
    }
}
