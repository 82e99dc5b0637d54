import Foundation

/// A text with `{{ … }}` placeholders, parsed once and rendered many times (per host, per team).
///
/// Placeholders: `host.name`, `host.address`, `host.vars.NAME`, `team.id`, `team.name`, `province.id`,
/// `province.name`, `inject.id`, `inject.title`, `drill.id`, `drill.title`, `vars.NAME` (inject variables, then
/// scenario variables) and a bare `NAME` (the host's variable, then inject and scenario variables).
///
/// Rendered for a shell command (``Mode/shell``), every substituted value is single-quoted, so a variable
/// holding `$(rm -rf /)` reaches the shell as that literal text. Rendered as text (``Mode/text``, messages),
/// values go in as they are; escaping for HTML is the portal's job.
public struct Template: Sendable, Hashable {
    /// A piece of a template.
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case reference(Reference)
    }

    /// What a placeholder names.
    public enum Reference: Sendable, Hashable, CustomStringConvertible {
        case hostName
        case hostAddress
        case hostVariable(String)
        case teamID
        case teamName
        case provinceID
        case provinceName
        case injectID
        case injectTitle
        case drillID
        case drillTitle
        /// `vars.NAME`: inject variables, then scenario variables.
        case variable(String)
        /// `NAME`: the host's variable, then inject variables, then scenario variables.
        case bare(String)

        /// The placeholder's text, as written inside `{{ }}`.
        public var description: String {
            switch self {
            case .hostName: "host.name"
            case .hostAddress: "host.address"
            case .hostVariable(let name): "host.vars.\(name)"
            case .teamID: "team.id"
            case .teamName: "team.name"
            case .provinceID: "province.id"
            case .provinceName: "province.name"
            case .injectID: "inject.id"
            case .injectTitle: "inject.title"
            case .drillID: "drill.id"
            case .drillTitle: "drill.title"
            case .variable(let name): "vars.\(name)"
            case .bare(let name): name
            }
        }

        /// Whether the value depends on the host a template is rendered for.
        public var needsHost: Bool {
            switch self {
            case .hostName, .hostAddress, .hostVariable, .bare: true
            default: false
            }
        }
    }

    /// How substituted values are written.
    public enum Mode: Sendable, Hashable {
        /// Into a shell command: each value single-quoted (`'` written as `'\''`).
        case shell
        /// Into plain text (messages, file contents, paths): values as they are.
        case text
    }

    /// The text the template was parsed from.
    public let text: String
    /// The literal and placeholder pieces, in order.
    public let segments: [Segment]

    /// The placeholders, in order of appearance.
    public var references: [Reference] {
        segments.compactMap { if case .reference(let reference) = $0 { reference } else { nil } }
    }

    /// The names every placeholder may start with, for did-you-mean.
    public static let knownPlaceholders = [
        "host.name", "host.address", "host.vars", "team.id", "team.name", "province.id", "province.name",
        "inject.id", "inject.title", "drill.id", "drill.title", "vars",
    ]

    /// Parses `text`.
    ///
    /// - Throws: ``TemplateError`` for an unclosed `{{`, an empty placeholder, or one that names nothing
    ///   drillctl knows (`{{ team.nmae }}`), with the offset (in characters) of the placeholder.
    public init(parsing text: String) throws(TemplateError) {
        self.text = text
        var segments: [Segment] = []
        // Scan UTF-8 bytes: `{` and `}` are ASCII, so they never occur inside a multi-byte character.
        let utf8 = text.utf8
        var literalStart = utf8.startIndex
        var index = utf8.startIndex
        while let open = Template.find(UInt8(ascii: "{"), in: utf8, from: index) {
            let offset = text.distance(from: text.startIndex, to: open)
            let bodyStart = utf8.index(open, offsetBy: 2)
            guard let close = Template.find(UInt8(ascii: "}"), in: utf8, from: bodyStart) else {
                throw TemplateError(message: "'{{' is never closed with '}}'", offset: offset)
            }
            let body = Template.trimmed(text[bodyStart..<close])
            let reference = try Template.reference(body, offset: offset)
            if literalStart < open { segments.append(.literal(String(text[literalStart..<open]))) }
            segments.append(.reference(reference))
            index = utf8.index(close, offsetBy: 2)
            literalStart = index
        }
        if literalStart < utf8.endIndex { segments.append(.literal(String(text[literalStart...]))) }
        self.segments = segments
    }

    /// The position of the first doubled `byte` (`{{` or `}}`) at or after `start`.
    static func find(_ byte: UInt8, in utf8: String.UTF8View, from start: String.Index) -> String.Index? {
        var index = start
        var previous: String.Index?
        while index < utf8.endIndex {
            if utf8[index] == byte {
                if let previous { return previous }
                previous = index
            } else {
                previous = nil
            }
            index = utf8.index(after: index)
        }
        return nil
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmed(_ text: Substring) -> String {
        var slice = text
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }

    /// The placeholders that sit inside single or double quotes when the template is read as a shell command.
    ///
    /// A value substituted there would not be protected by drillctl's own quoting (inside `'…'` it would
    /// close the quotes; inside `"…"` the shell would still expand `$(…)`), so such a template is refused
    /// for commands: write the placeholder outside quotes, as in `echo 'webroot: '{{ webroot }}`.
    public var placeholdersInsideShellQuotes: [Reference] {
        var result: [Reference] = []
        var state = ShellQuoteState.none
        for segment in segments {
            switch segment {
            case .literal(let text): state = state.advanced(over: text)
            case .reference(let reference): if state != .none { result.append(reference) }
            }
        }
        return result
    }

    /// True when `text` has no placeholder at all (rendering it is the identity).
    public static func isPlain(_ text: String) -> Bool {
        find(UInt8(ascii: "{"), in: text.utf8, from: text.startIndex) == nil
    }

    static func reference(_ body: String, offset: Int) throws(TemplateError) -> Reference {
        if body.isEmpty { throw TemplateError(message: "empty placeholder '{{ }}'", offset: offset) }
        if body.contains("|") {
            throw TemplateError(
                message: "filters are not supported in '{{ \(body) }}'; set the value you need in 'vars'",
                offset: offset
            )
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        func unknown() -> TemplateError {
            TemplateError(
                message: "unknown placeholder '{{ \(body) }}'",
                offset: offset,
                hint: Suggestions.didYouMean(body, among: knownPlaceholders)
            )
        }
        func name(_ text: String) throws(TemplateError) -> String {
            guard isName(text) else {
                throw TemplateError(message: "'\(text)' in '{{ \(body) }}' is not a variable name", offset: offset)
            }
            return text
        }
        switch parts.count {
        case 1:
            return .bare(try name(parts[0]))
        case 2:
            switch (parts[0], parts[1]) {
            case ("host", "name"): return .hostName
            case ("host", "address"): return .hostAddress
            case ("team", "id"): return .teamID
            case ("team", "name"): return .teamName
            case ("province", "id"): return .provinceID
            case ("province", "name"): return .provinceName
            case ("inject", "id"): return .injectID
            case ("inject", "title"): return .injectTitle
            case ("drill", "id"): return .drillID
            case ("drill", "title"): return .drillTitle
            case ("vars", let variable): return .variable(try name(variable))
            default: throw unknown()
            }
        case 3 where parts[0] == "host" && parts[1] == "vars":
            return .hostVariable(try name(parts[2]))
        default:
            throw unknown()
        }
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    /// Renders the template for `context`.
    ///
    /// - Throws: ``TemplateError`` when a placeholder has no value in `context` (a host variable the host does
    ///   not have, a team placeholder with no team).
    public func render(_ context: TemplateContext, mode: Mode) throws(TemplateError) -> String {
        if mode == .shell, let inside = placeholdersInsideShellQuotes.first {
            throw TemplateError(
                message:
                    "'{{ \(inside) }}' is inside quotes in a shell command; write it outside quotes (drillctl quotes the value itself)",
                offset: nil
            )
        }
        var out = ""
        for segment in segments {
            switch segment {
            case .literal(let text):
                out += text
            case .reference(let reference):
                guard let value = context.value(of: reference) else {
                    throw TemplateError(message: "'{{ \(reference) }}' has no value\(context.whereText)", offset: nil)
                }
                out += mode == .shell ? ShellQuote.quote(value) : value
            }
        }
        return out
    }
}

/// A template that cannot be parsed or rendered.
public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// The offset of the placeholder in the template's text, in characters, when known.
    public var offset: Int?
    public var hint: String?

    public init(message: String, offset: Int?, hint: String? = nil) {
        self.message = message
        self.offset = offset
        self.hint = hint
    }

    public var description: String { hint.map { "\(message); \($0)" } ?? message }
}

/// POSIX shell quoting.
public enum ShellQuote {
    /// `value` in single quotes, each `'` written as `'\''`: the shell reads it back as exactly `value`.
    public static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Where a POSIX shell reader is: outside quotes, inside `'…'`, or inside `"…"`.
enum ShellQuoteState: Sendable, Hashable {
    case none
    case single
    case double

    /// The state after reading `text` from this state (backslash escapes count outside single quotes).
    func advanced(over text: String) -> ShellQuoteState {
        var state = self
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
                continue
            }
            switch (state, character) {
            case (.none, "\\"), (.double, "\\"): escaped = true
            case (.none, "'"): state = .single
            case (.single, "'"): state = .none
            case (.none, "\""): state = .double
            case (.double, "\""): state = .none
            default: break
            }
        }
        return state
    }
}
