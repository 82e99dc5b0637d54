import Yams

/// A YAML file parsed into Yams' node tree, keeping every node's position so that semantic errors can name
/// `file:line:column`.
///
/// Yams resolves scalars with YAML 1.1 rules (`15:00` is the integer 900, `yes` is true, `0755` is octal);
/// code that needs what the author wrote (durations, times, ids) reads ``Yams/Node/Scalar/string`` rather
/// than the resolved value.
public struct YAMLSource {
    /// The path the text came from, as the user named it.
    public let file: String
    /// The whole text, kept for diagnostics' snippets.
    public let text: String
    /// The root node, or nil for an empty document.
    public let root: Node?

    /// Parses `text`; a syntax error is thrown as a ``DiagnosticsError`` naming the file, line and column.
    ///
    /// - Parameter resolver: How Yams resolves implicit scalar tags. Yams runs it (a handful of regular
    ///   expressions) on every mapping key while composing, to find duplicate keys; readers that take each
    ///   scalar's text themselves (the scenario loader) pass `.basic`, which makes large files several times
    ///   faster to read.
    public init(text: String, file: String, resolver: Resolver = .default) throws(DiagnosticsError) {
        self.file = file
        self.text = text
        do {
            self.root = try Yams.compose(yaml: text, resolver)
        } catch let error as YamlError {
            throw DiagnosticsError(Self.diagnostic(for: error, file: file))
        } catch {
            throw DiagnosticsError(
                .error("cannot read YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
            )
        }
    }

    /// The position of `node` in this file.
    public func location(of node: Node) -> SourceLocation {
        SourceLocation(file: file, mark: node.mark)
    }

    /// The start of the file, for problems that belong to the whole document.
    public var start: SourceLocation { SourceLocation(file: file, line: 1, column: 1) }

    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        switch error {
        case let .scanner(context, problem, mark, _),
            let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let contextText = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return .error(
                "invalid YAML: \(problem)\(contextText)",
                at: SourceLocation(file: file, line: mark.line, column: mark.column)
            )
        case let .reader(problem, offset, _, yaml):
            var location = SourceLocation(file: file, line: 1, column: 1)
            if let offset {
                let prefix = yaml.utf8.prefix(offset)
                let line = prefix.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                location = SourceLocation(file: file, line: line.count, column: (line.last?.count ?? 0) + 1)
            }
            return .error("cannot read the file as UTF-8 YAML: \(problem)", at: location)
        case let .duplicatedKeysInMapping(duplicates, context):
            return .error(
                "duplicate key\(duplicates.count == 1 ? "" : "s") \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping; each key may appear once",
                at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
            )
        default:
            return .error("cannot read YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}

extension SourceLocation {
    /// The position of a Yams mark in `file` (Yams marks are already 1-based).
    public init(file: String, mark: Mark?) {
        self.init(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }
}
