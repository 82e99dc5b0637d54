import Foundation
import Yams

/// Reads typed values out of a Yams node tree, recording every problem (with its position) and every value's
/// position, and carrying on after each problem so that one pass finds them all.
///
/// Aliases are already resolved by Yams' composer; merge keys (`<<: *defaults`) are applied here: explicit keys
/// win over merged ones, and among several merged mappings the first wins, as the YAML merge-key spec says.
struct YAMLReader {
    let source: YAMLSource
    var diagnostics = Diagnostics()
    var sourceMap = SourceMap()

    init(source: YAMLSource) {
        self.source = source
    }

    /// One key of a mapping with its nodes.
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    /// The entries of a mapping, by key, after merge keys were applied.
    struct Fields {
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        var path: String
        var node: Node

        subscript(key: String) -> Node? { index[key].map { entries[$0].value } }
        func has(_ key: String) -> Bool { index[key] != nil }
    }

    func location(_ node: Node) -> SourceLocation { source.location(of: node) }

    mutating func error(_ message: String, at node: Node, hint: String? = nil) {
        diagnostics.error(message, at: location(node), hint: hint)
    }

    mutating func warning(_ message: String, at node: Node, hint: String? = nil) {
        diagnostics.warning(message, at: location(node), hint: hint)
    }

    /// How a node reads in "expected X, found Y".
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(scalar) { return "nothing" }
            let text = scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string
            return "'\(text)'"
        }
    }

    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node { return isNull(scalar) }
        return false
    }

    /// Reads a mapping: records positions, reports keys not in `allowed` (with a did-you-mean) and missing
    /// `required` keys (naming `what`). Keys starting with `x-` are ignored everywhere (a place for anchors).
    mutating func fields(
        _ node: Node,
        path: String,
        what: String,
        allowed: [String],
        required: [String] = []
    ) -> Fields? {
        guard case .mapping = node else {
            error("expected a mapping for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        sourceMap.record(path, location(node))
        var fields = Fields(path: path, node: node)
        collect(node, into: &fields, allowed: allowed, merged: false)
        for key in required where !fields.has(key) {
            error("\(what) is missing the required key '\(key)'", at: node)
        }
        return fields
    }

    private mutating func collect(_ node: Node, into fields: inout Fields, allowed: [String], merged: Bool) {
        guard case .mapping(let mapping) = node else { return }
        var merges: [Node] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                error("expected a text key, found \(Self.describe(keyNode))", at: keyNode)
                continue
            }
            let key = keyScalar.string
            if key == "<<" && keyScalar.style == .plain {
                merges.append(value)
                continue
            }
            if key.hasPrefix("x-") { continue }
            if fields.index[key] != nil {
                // An explicit key already seen (Yams rejects true duplicates), or a merged key an explicit
                // one overrides: the first one recorded wins.
                continue
            }
            guard allowed.contains(key) else {
                error(
                    "unknown key '\(key)'",
                    at: keyNode,
                    hint: Suggestions.didYouMean(key, among: allowed)
                )
                continue
            }
            fields.index[key] = fields.entries.count
            fields.entries.append(Entry(key: key, keyNode: keyNode, value: value))
            sourceMap.record("\(fields.path).\(key)", location(value))
        }
        for merge in merges {
            switch merge {
            case .mapping:
                collect(merge, into: &fields, allowed: allowed, merged: true)
            case .sequence(let sequence):
                for item in sequence {
                    if case .mapping = item {
                        collect(item, into: &fields, allowed: allowed, merged: true)
                    } else {
                        error(
                            "a merge key '<<' takes a mapping or a list of mappings, found \(Self.describe(item))",
                            at: item
                        )
                    }
                }
            default:
                error(
                    "a merge key '<<' takes a mapping or a list of mappings, found \(Self.describe(merge))",
                    at: merge
                )
            }
        }
    }

    /// A text value. Numbers and booleans are read as the author wrote them.
    mutating func string(_ node: Node, path: String, what: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            error("expected text for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        sourceMap.record(path, location(node))
        return scalar.string
    }

    /// An id: letters, digits, `-` and `_`.
    mutating func identifier(_ node: Node, path: String, what: String) -> String? {
        guard let text = string(node, path: path, what: what) else { return nil }
        guard Self.isIdentifier(text) else {
            error("\(what) may hold letters, digits, '-' and '_'; found '\(text)'", at: node)
            return text
        }
        return text
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    || $0 == "_"
            }
    }

    /// One text or a list of texts; each element's position is recorded under `path[i]`.
    mutating func strings(_ node: Node, path: String, what: String) -> [String] {
        switch node {
        case .scalar:
            guard let text = string(node, path: path, what: what) else { return [] }
            sourceMap.record("\(path)[0]", location(node))
            return [text]
        case .sequence(let sequence):
            sourceMap.record(path, location(node))
            var result: [String] = []
            for (index, item) in sequence.enumerated() {
                if let text = string(item, path: "\(path)[\(index)]", what: what) { result.append(text) }
            }
            return result
        default:
            error("expected text or a list of texts for \(what), found \(Self.describe(node))", at: node)
            return []
        }
    }

    /// The items of a sequence (a missing or empty value is an empty list).
    mutating func sequence(_ node: Node, path: String, what: String) -> [Node] {
        switch node {
        case .sequence(let sequence):
            sourceMap.record(path, location(node))
            return Array(sequence)
        case .scalar(let scalar) where Self.isNull(scalar):
            return []
        default:
            error("expected a sequence for \(what), found \(Self.describe(node))", at: node)
            return []
        }
    }

    /// A duration (`90s`, `15m`, `1h30m`, `00:15:00`, `15:00`, or seconds), read from the scalar's own text.
    mutating func duration(_ node: Node, path: String, what: String) -> Duration? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            error("expected a duration for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        sourceMap.record(path, location(node))
        guard let duration = DurationText.parse(scalar.string) else {
            error(
                "'\(scalar.string)' is not a duration; write 90s, 15m, 1h30m, 2h, 00:15:00 (hh:mm:ss), 15:00 (mm:ss) or a number of seconds",
                at: node
            )
            return nil
        }
        return duration
    }

    /// A number (integer or decimal), or a percentage like `50%` when `percent` is true (read as 0.5).
    mutating func number(_ node: Node, path: String, what: String, percent: Bool = false) -> Double? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            error("expected a number for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        sourceMap.record(path, location(node))
        var text = scalar.string.trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        if percent, text.hasSuffix("%") {
            text.removeLast()
            scale = 0.01
        }
        guard let value = Double(text), value.isFinite else {
            error("expected a number for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        return value * scale
    }

    /// A variable value: the JSON data model, with YAML 1.1 scalar resolution (as Ansible reads it).
    mutating func value(_ node: Node) -> InventoryValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            if Self.isNull(scalar) { return .null }
            // YAML 1.1 as Ansible (PyYAML) reads it: `yes` is true, `0755` is octal, `1:30` is base 60.
            return YAML11Scalar.resolvePlain(scalar.string)
        case .sequence(let sequence):
            return .list(sequence.map { value($0) })
        case .mapping(let mapping):
            var result: [String: InventoryValue] = [:]
            for (key, item) in mapping {
                guard case .scalar(let keyScalar) = key else { continue }
                if keyScalar.string == "<<", keyScalar.style == .plain, case .map(let merged) = value(item) {
                    result.merge(merged) { current, _ in current }
                    continue
                }
                result[keyScalar.string] = value(item)
            }
            return .map(result)
        case .alias:
            return .null
        }
    }

    /// A `vars:` mapping.
    mutating func variables(_ node: Node, path: String, what: String) -> [String: InventoryValue] {
        guard case .mapping(let mapping) = node else {
            if !Self.isNull(node) { error("expected a mapping for \(what), found \(Self.describe(node))", at: node) }
            return [:]
        }
        sourceMap.record(path, location(node))
        var result: [String: InventoryValue] = [:]
        for (key, item) in mapping {
            guard case .scalar(let keyScalar) = key else {
                error("expected a variable name, found \(Self.describe(key))", at: key)
                continue
            }
            let name = keyScalar.string
            if name == "<<", keyScalar.style == .plain {
                if case .map(let merged) = value(item) { result.merge(merged) { current, _ in current } }
                continue
            }
            if !Self.isVariableName(name) {
                error(
                    "a variable name may hold letters, digits and '_' and not start with a digit; found '\(name)'",
                    at: key
                )
            }
            sourceMap.record("\(path).\(name)", location(item))
            result[name] = value(item)
        }
        return result
    }

    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }
}
