import Foundation
import Yams

/// Reads an Ansible YAML inventory (`all` / `children` / `hosts` / `vars`) from Yams' node tree into an
/// ``InventoryBuilder``, with the rules of Ansible's `yaml` inventory plugin, reporting every problem with
/// its file, line and column.
struct YAMLInventoryParser {
    let source: YAMLSource
    var builder: InventoryBuilder
    var diagnostics: Diagnostics
    /// The source's lines as Unicode scalars, to see whether a scalar carries an explicit tag.
    private let lines: [[Unicode.Scalar]]

    init(source: YAMLSource, builder: InventoryBuilder, diagnostics: Diagnostics) {
        self.source = source
        self.builder = builder
        self.diagnostics = diagnostics
        self.lines = source.text.split(separator: "\n", omittingEmptySubsequences: false).map {
            Array($0.unicodeScalars)
        }
    }

    /// The tag written on a scalar, or "" when it has none.
    ///
    /// Yams resolves the tags of mapping keys (with its own, slightly different YAML 1.1 rules) while it
    /// checks for duplicate keys, so the tag's name alone cannot tell an explicit `!!str` from an implicit
    /// one: the source text can. A node's mark points at its tag (or anchor) when it has one.
    func writtenTag(_ scalar: Node.Scalar) -> String {
        guard let mark = scalar.mark, mark.line >= 1, mark.line <= lines.count else { return "" }
        let line = lines[mark.line - 1]
        var index = mark.column - 1
        if index < line.count, line[index] == "&" {
            while index < line.count, line[index] != " " && line[index] != "\t" { index += 1 }
            while index < line.count, line[index] == " " || line[index] == "\t" { index += 1 }
        }
        guard index >= 0, index < line.count, line[index] == "!" else { return "" }
        return scalar.tag.description
    }

    static let sections = ["hosts", "children", "vars"]

    /// Parses the whole document.
    mutating func parse() {
        guard let root = source.root, !isNull(root) else {
            diagnostics.error(
                "the inventory is empty; expected groups such as 'all:' with 'hosts:', 'children:' and 'vars:'",
                at: source.start
            )
            return
        }
        guard case .mapping = root else {
            diagnostics.error(
                "an inventory must be a mapping of group names (such as 'all:') at the top; found \(kind(of: root))",
                at: source.location(of: root)
            )
            return
        }
        let entries = Self.entries(of: root)
        if let plugin = entries.first(where: { $0.key.string == "plugin" }) {
            diagnostics.error(
                "this is the configuration of an inventory plugin ('plugin:'), which drillctl does not run; write the hosts as a YAML inventory with 'all:', 'hosts:', 'children:' and 'vars:'",
                at: source.location(of: plugin.key)
            )
            return
        }
        for (key, value) in entries {
            _ = parseGroup(nameNode: key, data: value)
        }
    }

    /// Parses one group definition and returns its name (nil when the name itself is unusable).
    mutating func parseGroup(nameNode: Node, data: Node) -> String? {
        guard let name = groupName(nameNode) else {
            // Still read the body, to report its problems in the same pass.
            if case .mapping = data, let text = nameNode.string {
                _ = parseGroup(nameNode: .scalar(.init(text, Tag(.str), .singleQuoted, nameNode.mark)), data: data)
            }
            return nil
        }
        guard isNull(data) || isMapping(data) else {
            diagnostics.error(
                "group '\(name)' must be a mapping with 'hosts', 'children' or 'vars' (or empty); found \(kind(of: data))",
                at: source.location(of: data)
            )
            builder.addGroup(name, location: source.location(of: nameNode))
            return name
        }
        builder.addGroup(name, location: source.location(of: nameNode))
        if isNull(data) { return name }
        for (keyNode, value) in Self.entries(of: data) {
            guard let key = plainString(keyNode) else {
                diagnostics.error(
                    "group '\(name)' holds only 'hosts', 'children' and 'vars'; found the key \(kind(of: keyNode))",
                    at: source.location(of: keyNode)
                )
                continue
            }
            guard Self.sections.contains(key) else {
                diagnostics.error(
                    "unknown key '\(key)' in group '\(name)'; a group holds only 'hosts', 'children' and 'vars'",
                    at: source.location(of: keyNode),
                    hint: Suggestions.didYouMean(key, among: Self.sections)
                )
                continue
            }
            if isNull(value) { continue }
            // Ansible accepts a single name for a section: `hosts: web01` means `hosts: {web01: }`.
            let members: [(key: Node, value: Node?)]
            if case .scalar(let scalar) = value, isStringScalar(scalar) {
                members = [(value, nil)]
            } else if case .mapping = value {
                members = Self.entries(of: value).map { ($0.key, $0.value) }
            } else {
                let example =
                    key == "vars" ? "name: value" : key == "hosts" ? "web01.example:" : "child_group:"
                diagnostics.error(
                    "'\(key)' of group '\(name)' must be a mapping (write '\(example)' on its own line); found \(kind(of: value))",
                    at: source.location(of: value)
                )
                continue
            }
            switch key {
            case "vars":
                for (varNode, varValue) in members {
                    guard let varName = variableName(varNode) else { continue }
                    let converted = varValue.map { self.value(of: $0) } ?? .null
                    if !builder.setGroupVariable(name, varName, converted) {
                        diagnostics.error(
                            "ansible_group_priority of group '\(name)' must be a whole number; found \(converted.jsonText())",
                            at: source.location(of: varValue ?? varNode)
                        )
                    }
                }
            case "children":
                for (childNode, childData) in members {
                    let nullNode = Node.scalar(.init("", Tag(.null), .plain, childNode.mark))
                    guard let child = parseGroup(nameNode: childNode, data: childData ?? nullNode) else { continue }
                    if child == "ungrouped" && name != "all" {
                        diagnostics.error(Self.ungroupedChildMessage(parent: name), at: source.location(of: childNode))
                        continue
                    }
                    if child == "all" || !builder.addChild(child, to: name) {
                        diagnostics.error(
                            "making '\(child)' a child of '\(name)' creates a loop: '\(child)' is already above '\(name)'",
                            at: source.location(of: childNode)
                        )
                    }
                }
            default:
                for (patternNode, hostData) in members {
                    parseHosts(patternNode: patternNode, data: hostData, group: name)
                }
            }
        }
        return name
    }

    /// Ansible accepts `ungrouped` below another group, then drops that group's variables from some of its
    /// hosts (a bug in `Host.remove_group`); drillctl refuses it.
    static func ungroupedChildMessage(parent: String) -> String {
        "'ungrouped' is the implicit group of hosts in no other group and cannot be a child of '\(parent)'; put those hosts in a group of their own"
    }

    mutating func parseHosts(patternNode: Node, data: Node?, group: String) {
        let location = source.location(of: patternNode)
        guard case .scalar(let scalar) = patternNode, isStringScalar(scalar) else {
            diagnostics.error(
                "a host name in group '\(group)' must be a string; found \(kind(of: patternNode)): put it in quotes",
                at: location
            )
            return
        }
        var variables: [(key: Node, value: Node)] = []
        if let data, !isNull(data) {
            guard isMapping(data) else {
                diagnostics.error(
                    "host '\(scalar.string)' in group '\(group)' must map to its variables (a mapping) or to nothing; found \(kind(of: data))",
                    at: source.location(of: data)
                )
                return
            }
            variables = Self.entries(of: data)
        }
        let expanded: (hosts: [String], port: Int?)
        do {
            expanded = try HostRange.expand(scalar.string)
        } catch {
            diagnostics.error(error.message, at: location)
            return
        }
        let converted: [(String, InventoryValue)] = variables.compactMap { entry in
            guard let name = variableName(entry.key) else { return nil }
            return (name, value(of: entry.value))
        }
        for host in expanded.hosts {
            guard !host.isEmpty else {
                diagnostics.error("a host name may not be empty", at: location)
                continue
            }
            builder.addHost(host, toGroup: group, port: expanded.port, location: location)
            for (key, value) in converted { builder.setHostVariable(host, key, value) }
        }
    }

    // MARK: - Names

    /// A group name: a string (YAML 1.1 rules), not empty.
    mutating func groupName(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, isStringScalar(scalar), !scalar.string.isEmpty else {
            diagnostics.error(
                "a group name must be a non-empty string; found \(kind(of: node)) (quote it if it is meant as a name)",
                at: source.location(of: node)
            )
            return nil
        }
        return scalar.string
    }

    /// A variable name: any scalar, as Python would turn a YAML key into a string for JSON.
    mutating func variableName(_ node: Node) -> String? {
        guard case .scalar = node else {
            diagnostics.error(
                "a variable name must be a string; found \(kind(of: node))",
                at: source.location(of: node)
            )
            return nil
        }
        let value = value(of: node)
        switch value {
        case .string(let text): return text
        case .int, .bool, .null, .double: return value.renderedText.isEmpty ? "null" : value.renderedText
        default: return nil
        }
    }

    func plainString(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, isStringScalar(scalar) else { return nil }
        return scalar.string
    }

    func isMapping(_ node: Node) -> Bool {
        if case .mapping = node { return true }
        return false
    }

    // MARK: - Values

    /// The value of a node with PyYAML's YAML 1.1 rules and Ansible's tags (`!unsafe`).
    mutating func value(of node: Node) -> InventoryValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar)
        case .sequence(let sequence):
            return .list(sequence.map { value(of: $0) })
        case .mapping:
            var result: [String: InventoryValue] = [:]
            for (key, item) in Self.entries(of: node) {
                guard let name = mapKey(key) else { continue }
                result[name] = value(of: item)
            }
            return .map(result)
        case .alias:
            return .null
        }
    }

    mutating func mapKey(_ node: Node) -> String? {
        guard case .scalar = node else {
            diagnostics.error(
                "a mapping key inside a variable must be a string, number or boolean; found \(kind(of: node))",
                at: source.location(of: node)
            )
            return nil
        }
        let value = value(of: node)
        if case .string(let text) = value { return text }
        if case .null = value { return "null" }
        return value.renderedText
    }

    mutating func scalarValue(_ scalar: Node.Scalar) -> InventoryValue {
        let tag = writtenTag(scalar)
        let location = SourceLocation(file: source.file, mark: scalar.mark)
        switch tag {
        case "", "?":
            return scalar.style == .plain ? YAML11Scalar.resolvePlain(scalar.string) : .string(scalar.string)
        case "!", "tag:yaml.org,2002:str":
            return .string(scalar.string)
        case "!unsafe":
            // ansible-inventory prints an unsafe string this way.
            return .map(["__ansible_unsafe": .string(scalar.string)])
        case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp":
            let resolved: InventoryValue? =
                switch tag {
                case "tag:yaml.org,2002:int": YAML11Scalar.int(scalar.string)
                case "tag:yaml.org,2002:float": YAML11Scalar.float(scalar.string) ?? YAML11Scalar.int(scalar.string)
                case "tag:yaml.org,2002:bool": YAML11Scalar.bool(scalar.string)
                case "tag:yaml.org,2002:null": YAML11Scalar.null(scalar.string)
                default: YAML11Scalar.timestamp(scalar.string)
                }
            guard let resolved else {
                diagnostics.error(
                    "'\(scalar.string)' is not a valid \(tag.replacingOccurrences(of: "tag:yaml.org,2002:", with: "!!"))",
                    at: location
                )
                return .string(scalar.string)
            }
            if case .double(let number) = resolved, tag == "tag:yaml.org,2002:float" { return .double(number) }
            if case .int(let number) = resolved, tag == "tag:yaml.org,2002:float" { return .double(Double(number)) }
            return resolved
        case "!vault":
            diagnostics.error(
                "drillctl cannot decrypt Ansible Vault values; give this value another way (an environment variable, a file)",
                at: location
            )
            return .string("")
        default:
            diagnostics.error("unknown YAML tag '\(tag)'; inventories use plain YAML values", at: location)
            return .string(scalar.string)
        }
    }

    // MARK: - Node helpers

    /// Whether a scalar reads as a string under YAML 1.1 (quoted, `!!str`, or plain text that is not a
    /// number, boolean, null or date).
    func isStringScalar(_ scalar: Node.Scalar) -> Bool {
        let tag = writtenTag(scalar)
        if tag == "!" || tag == "tag:yaml.org,2002:str" { return true }
        guard tag.isEmpty || tag == "?" else { return false }
        if scalar.style != .plain { return true }
        if case .string = YAML11Scalar.resolvePlain(scalar.string) { return true }
        return false
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        let tag = writtenTag(scalar)
        if tag == "tag:yaml.org,2002:null" { return true }
        guard tag.isEmpty, scalar.style == .plain else { return false }
        return YAML11Scalar.null(scalar.string) != nil
    }

    /// The pairs of a mapping with YAML merge keys (`<<: *base`) applied as PyYAML does: keys written in
    /// the mapping win over merged ones, and an earlier merged mapping wins over a later one.
    static func entries(of node: Node) -> [(key: Node, value: Node)] {
        guard case .mapping(let mapping) = node else { return [] }
        var merged: [(key: Node, value: Node)] = []
        var own: [(key: Node, value: Node)] = []
        for (key, value) in mapping {
            if case .scalar(let scalar) = key, scalar.string == "<<", scalar.style == .plain,
                !scalar.string.isEmpty
            {
                switch value {
                case .mapping:
                    merged = entries(of: value) + merged
                case .sequence(let sequence):
                    var parts: [(key: Node, value: Node)] = []
                    for item in sequence.reversed() { parts += entries(of: item) }
                    merged = parts + merged
                default:
                    own.append((key, value))
                }
            } else {
                own.append((key, value))
            }
        }
        guard !merged.isEmpty else { return own }
        // Later pairs win; the first position of a key is kept, like a Python dict.
        var order: [String] = []
        var latest: [String: (key: Node, value: Node)] = [:]
        for pair in merged + own {
            let id = pair.key.string ?? "\(pair.key)"
            if latest[id] == nil { order.append(id) }
            latest[id] = pair
        }
        return order.compactMap { latest[$0] }
    }

    func kind(of node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let scalar):
            switch scalar.style == .plain && writtenTag(scalar).isEmpty
                ? YAML11Scalar.resolvePlain(scalar.string) : .string(scalar.string)
            {
            case .null: "nothing"
            case .bool: "the boolean '\(scalar.string)'"
            case .int: "the integer '\(scalar.string)'"
            case .double: "the number '\(scalar.string)'"
            default: "the text '\(scalar.string)'"
            }
        }
    }
}
