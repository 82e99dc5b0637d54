import Crypto
public import DrillCore
import Foundation

/// The files `upload: { src: FILE }` actions send, kept in the run folder so that a resumed engine sends exactly
/// what the run was created with: each file's text is stored under its SHA-256 (`uploads/<sha256>.txt`), and
/// `uploads.json` maps each `src` as written to its digest. On use, the digest is checked again.
public enum UploadSourceCopies {
    /// One `src` and the digest of the text it named when the run was created.
    struct Manifest: Codable {
        var files: [String: String]
    }

    /// Saves the text of every upload whose `src` was read into `loaded` (see
    /// `LoadedScenario.inlineUploadSources`) into `folder`.
    ///
    /// - Throws: ``RunFolderError`` when a file cannot be written.
    public static func save(_ loaded: LoadedScenario, into folder: RunFolder) throws {
        var manifest = Manifest(files: [:])
        for upload in uploads(of: loaded.scenario) {
            guard let source = upload.source, let content = upload.content else { continue }
            let digest = sha256(content)
            manifest.files[source] = digest
        }
        guard !manifest.files.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(at: folder.uploadsFolder, withIntermediateDirectories: true)
            for upload in uploads(of: loaded.scenario) {
                guard let content = upload.content, upload.source != nil else { continue }
                let file = folder.uploadsFolder.appendingPathComponent("\(sha256(content)).txt")
                if !FileManager.default.fileExists(atPath: file.path) {
                    try Data(content.utf8).write(to: file, options: .atomic)
                }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(manifest).write(to: URL(fileURLWithPath: folder.uploadsManifestPath), options: .atomic)
        } catch {
            throw RunFolderError("cannot keep the upload source files in '\(folder.uploadsFolder.path)': \(error)")
        }
    }

    /// Inlines every `upload: { src: }` of `loaded` from the run folder's copies, checking each digest. A source
    /// with no copy, or whose copy no longer matches its digest, becomes an error diagnostic at its `src` key.
    public static func inline(_ loaded: inout LoadedScenario, from folder: RunFolder) {
        let manifest =
            FileManager.default.contents(atPath: folder.uploadsManifestPath).flatMap {
                try? JSONDecoder().decode(Manifest.self, from: $0)
            } ?? Manifest(files: [:])
        loaded.inlineUploadSources { source in
            guard let digest = manifest.files[source] else {
                return .failure(UploadSourceError("the run folder keeps no copy of it (\(folder.uploadsManifestPath))"))
            }
            let file = folder.uploadsFolder.appendingPathComponent("\(digest).txt")
            guard let data = FileManager.default.contents(atPath: file.path),
                let text = String(data: data, encoding: .utf8)
            else {
                return .failure(UploadSourceError("its copy '\(file.path)' is missing or not UTF-8 text"))
            }
            guard sha256(text) == digest else {
                return .failure(UploadSourceError("its copy '\(file.path)' was changed since the run was created"))
            }
            return .success(text)
        }
    }

    private static func uploads(of scenario: Scenario) -> [UploadAction] {
        scenario.injects.flatMap { $0.actions + $0.remedy + $0.cleanup }.compactMap { action in
            if case .upload(let upload) = action { return upload }
            return nil
        }
    }

    /// Lower-case hex SHA-256 of `text`'s UTF-8 bytes.
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { byte in
            byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }
        .joined()
    }
}

/// A problem with a run folder: what failed, on which file, and what to do.
public struct RunFolderError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
