/// `upload: { src: FILE }` actions read their file when the scenario is loaded for use, so that validation sees
/// the text (it is a template like `content:`) and the engine sends it without touching the disk itself.
extension LoadedScenario {
    /// Every `src` path named by an upload, in file order, each once.
    public var uploadSources: [String] {
        var seen = Set<String>()
        return scenario.injects.flatMap { $0.actions + $0.remedy + $0.cleanup }.compactMap { action in
            guard case .upload(let upload) = action, upload.content == nil, let source = upload.source,
                seen.insert(source).inserted
            else { return nil }
            return source
        }
    }

    /// Replaces each `upload: { src: FILE }` with the file's text, read through `read` (which resolves the path,
    /// normally against the scenario file's folder). A file that cannot be read becomes an error diagnostic at
    /// its `src` key; the action keeps no content, so the scenario stays invalid.
    ///
    /// - Parameter read: the file's UTF-8 text, or a reason it cannot be had.
    public mutating func inlineUploadSources(_ read: (String) -> Result<String, UploadSourceError>) {
        for injectIndex in scenario.injects.indices {
            let path = ".injects[\(injectIndex)]"
            var inject = scenario.injects[injectIndex]
            inject.actions = inline(inject.actions, path: path + ".actions", read)
            inject.remedy = inline(inject.remedy, path: path + ".remedy", read)
            inject.cleanup = inline(inject.cleanup, path: path + ".cleanup", read)
            scenario.injects[injectIndex] = inject
        }
    }

    private mutating func inline(
        _ actions: [Action],
        path: String,
        _ read: (String) -> Result<String, UploadSourceError>
    ) -> [Action] {
        actions.enumerated().map { index, action in
            guard case .upload(var upload) = action, upload.content == nil, let source = upload.source else {
                return action
            }
            switch read(source) {
            case .success(let text):
                upload.content = text
            case .failure(let error):
                diagnostics.error(
                    "cannot read upload src '\(source)': \(error.reason); src names a UTF-8 text file, relative to the scenario file",
                    at: sourceMap["\(path)[\(index)].upload.src", "\(path)[\(index)].upload", "\(path)[\(index)]", path]
                )
            }
            return .upload(upload)
        }
    }
}

/// Why an upload's `src` file could not be read.
public struct UploadSourceError: Error, Sendable, Hashable {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}
