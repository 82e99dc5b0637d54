import Foundation

/// Reads an Ansible INI inventory into an ``InventoryBuilder`` with the rules of Ansible's `ini` inventory
/// plugin: hosts before any section are `ungrouped`; `[group]` lists hosts with inline `key=value`
/// variables (Python literals); `[group:vars]` sets group variables (also read as Python literals by
/// Ansible's code, whatever its documentation says); `[group:children]` lists child groups, which may be
/// declared later in the file.
///
/// Unlike Ansible, which stops at the first problem, every bad line is reported.
struct INIInventoryParser {
    let text: String
    let file: String
    var builder: InventoryBuilder
    var diagnostics: Diagnostics
    /// Set after a bad section header: its lines are skipped rather than misread.
    var ignoringSection = false

    init(text: String, file: String, builder: InventoryBuilder, diagnostics: Diagnostics) {
        self.text = text
        self.file = file
        self.builder = builder
        self.diagnostics = diagnostics
    }

    private enum State: String {
        case hosts, children, vars
    }

    /// A group named in a `[x:vars]` or `[x:children]` section before it is declared.
    private struct Pending {
        var state: State
        var location: SourceLocation
        var parents: [(name: String, location: SourceLocation)]
    }

    private static let section = try! NSRegularExpression(pattern: #"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$"#)
    private static let groupName = try! NSRegularExpression(pattern: #"^([^:\]\s]+)\s*(?:#.*)?$"#)

    mutating func parse() {
        var pending: [String: Pending] = [:]
        var pendingOrder: [String] = []
        var group = "ungrouped"
        var state = State.hosts
        var lineNumber = 0
        for rawLine in Self.splitLines(text) {
            lineNumber += 1
            let leading = rawLine.unicodeScalars.prefix { $0.properties.isWhitespace }.count
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard let first = line.first, first != "#", first != ";" else { continue }
            let location = SourceLocation(file: file, line: lineNumber, column: leading + 1)

            if let groups = Self.captures(Self.section, line) {
                let name = groups[0]!
                let kind = groups[1] ?? "hosts"
                guard let newState = State(rawValue: kind) else {
                    diagnostics.error(
                        "section [\(name):\(kind)] has an unknown type '\(kind)'; use [\(name)], [\(name):vars] or [\(name):children]",
                        at: location,
                        hint: Suggestions.didYouMean(kind, among: ["vars", "children"])
                    )
                    // Skip the section's lines rather than read them as hosts.
                    group = name
                    state = .vars
                    builder.addGroup(name, location: location)
                    ignoringSection = true
                    continue
                }
                ignoringSection = false
                group = name
                state = newState
                if !builder.hasGroup(name) {
                    if state == .vars && pending[name] == nil {
                        pending[name] = Pending(state: .vars, location: location, parents: [])
                        pendingOrder.append(name)
                    }
                    builder.addGroup(name, location: location)
                }
                if let waiting = pending[name], state != .vars {
                    if waiting.state == .children {
                        addPendingChildren(name, &pending)
                    } else {
                        pending[name] = nil
                    }
                }
                continue
            }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                diagnostics.error(
                    "invalid section header '\(line)'; write [group], [group:vars] or [group:children] with no spaces",
                    at: location
                )
                ignoringSection = true
                continue
            }
            if ignoringSection { continue }

            switch state {
            case .hosts:
                parseHostLine(line, group: group, lineNumber: lineNumber, column: leading + 1)
            case .vars:
                guard let equals = line.firstIndex(of: "=") else {
                    diagnostics.error(
                        "expected 'name=value' in [\(group):vars]; found '\(line)'",
                        at: location
                    )
                    continue
                }
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                let valueText = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else {
                    diagnostics.error("a variable needs a name before '='; found '\(line)'", at: location)
                    continue
                }
                let value = PythonLiteral.value(of: valueText)
                if !builder.setGroupVariable(group, key, value) {
                    diagnostics.error(
                        "ansible_group_priority of group '\(group)' must be a whole number; found '\(valueText)'",
                        at: location
                    )
                }
            case .children:
                guard let groups = Self.captures(Self.groupName, line), let child = groups[0] else {
                    diagnostics.error(
                        "expected a group name in [\(group):children]; found '\(line)'",
                        at: location
                    )
                    continue
                }
                if child == "ungrouped" && group != "all" {
                    diagnostics.error(YAMLInventoryParser.ungroupedChildMessage(parent: group), at: location)
                } else if !builder.hasGroup(child) {
                    if var waiting = pending[child] {
                        waiting.parents.append((group, location))
                        pending[child] = waiting
                    } else {
                        pending[child] = Pending(state: .children, location: location, parents: [(group, location)])
                        pendingOrder.append(child)
                    }
                } else if child == "all" || !builder.addChild(child, to: group) {
                    diagnostics.error(
                        "making '\(child)' a child of '\(group)' creates a loop: '\(child)' is already above '\(group)'",
                        at: location
                    )
                }
            }
        }
        for name in pendingOrder {
            guard let waiting = pending[name] else { continue }
            switch waiting.state {
            case .vars:
                diagnostics.error(
                    "section [\(name):vars] sets variables of group '\(name)', which no [\(name)] or [\(name):children] section declares; add one (an empty [\(name)] will do)",
                    at: waiting.location
                )
            default:
                let parent = waiting.parents.last!
                diagnostics.error(
                    "section [\(parent.name):children] names group '\(name)', which is not declared; add a [\(name)] section with its hosts",
                    at: waiting.location,
                    hint: Suggestions.didYouMean(name, among: builder.groupOrder)
                )
            }
        }
    }

    private mutating func addPendingChildren(_ group: String, _ pending: inout [String: Pending]) {
        guard let waiting = pending[group] else { return }
        pending[group] = nil
        for parent in waiting.parents {
            if !builder.addChild(group, to: parent.name) {
                diagnostics.error(
                    "making '\(group)' a child of '\(parent.name)' creates a loop: '\(group)' is already above '\(parent.name)'",
                    at: parent.location
                )
            }
            if let above = pending[parent.name], above.state == .children {
                addPendingChildren(parent.name, &pending)
            }
        }
    }

    private mutating func parseHostLine(_ line: String, group: String, lineNumber: Int, column: Int) {
        let location = SourceLocation(file: file, line: lineNumber, column: column)
        let words: [ShellWords.Word]
        do {
            words = try ShellWords.split(line)
        } catch {
            diagnostics.error("cannot read host line '\(line)': \(error.message)", at: location)
            return
        }
        guard let pattern = words.first else { return }
        let patternLocation = SourceLocation(file: file, line: lineNumber, column: column + pattern.column - 1)
        var variables: [(String, InventoryValue)] = []
        var bad = false
        for word in words.dropFirst() {
            guard let equals = word.text.firstIndex(of: "=") else {
                diagnostics.error(
                    "expected 'name=value' after the host name; found '\(word.text)'",
                    at: SourceLocation(file: file, line: lineNumber, column: column + word.column - 1),
                    hint: "quote a value that holds spaces: name=\"two words\""
                )
                bad = true
                continue
            }
            let key = String(word.text[..<equals])
            let value = String(word.text[word.text.index(after: equals)...])
            variables.append((key, PythonLiteral.value(of: value)))
        }
        if bad { return }
        let expanded: (hosts: [String], port: Int?)
        do {
            expanded = try HostRange.expand(pattern.text)
        } catch {
            diagnostics.error(error.message, at: patternLocation)
            return
        }
        if pattern.text.trimmingCharacters(in: .whitespaces).hasSuffix(":") && expanded.port == nil {
            diagnostics.error(
                "host '\(pattern.text)' ends with ':'; write 'name:port' or just the name",
                at: patternLocation
            )
            return
        }
        if expanded.hosts.contains(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) {
            diagnostics.error(
                "'---' is not a host name; it is the start of a YAML document: give the file a .yaml extension",
                at: patternLocation
            )
            return
        }
        for host in expanded.hosts {
            guard !host.isEmpty else {
                diagnostics.error("a host name may not be empty", at: patternLocation)
                continue
            }
            builder.addHost(host, toGroup: group, port: expanded.port, location: patternLocation)
            for (key, value) in variables { builder.setHostVariable(host, key, value) }
        }
    }

    /// Python's `str.splitlines()` for the line breaks a text file can hold.
    static func splitLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" || scalar == "\u{0B}" || scalar == "\u{0C}" || scalar == "\u{85}"
                || scalar == "\u{2028}" || scalar == "\u{2029}" || ("\u{1C}"..."\u{1E}").contains(scalar)
            {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    private static func captures(_ regex: NSRegularExpression, _ text: String) -> [String?]? {
        let ns = text as NSString
        guard let match = regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else {
            return nil
        }
        return (1..<match.numberOfRanges).map { index in
            let range = match.range(at: index)
            return range.location == NSNotFound ? nil : ns.substring(with: range)
        }
    }
}
