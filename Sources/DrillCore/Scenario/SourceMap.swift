/// Where each part of a loaded scenario came from, so that checks made after loading (validation, planning)
/// can still name `file:line:column`.
///
/// Keys are paths into the document: `teams[2]`, `teams[2].province`, `injects[0].targets.team[1]`,
/// `injects[4].after.inject`. A scalar given where a list was allowed is recorded under both `path` and
/// `path[0]`.
public struct SourceMap: Sendable, Hashable {
    public private(set) var locations: [String: SourceLocation] = [:]

    public init() {}

    /// Records where `path` is.
    public mutating func record(_ path: String, _ location: SourceLocation) {
        locations[path] = location
    }

    /// The location of the first of `paths` that was recorded.
    public subscript(_ paths: String...) -> SourceLocation? {
        for path in paths {
            if let location = locations[path] { return location }
        }
        return nil
    }
}
