import Foundation

/// An Ansible host pattern such as `web:&yunnan:!web03` (see Ansible's "Patterns: targeting hosts and groups").
public struct HostPattern: Sendable, Hashable, CustomStringConvertible {
    /// One term of a pattern and how it combines with what came before.
    public enum Term: Sendable, Hashable {
        case union(String)
        case intersection(String)
        case exclusion(String)
    }

    public let terms: [Term]
    public let description: String

    public init(_ text: String) {
        self.description = text
        self.terms = HostPattern.split(text).map { part in
            if part.hasPrefix("&") { return .intersection(String(part.dropFirst())) }
            if part.hasPrefix("!") { return .exclusion(String(part.dropFirst())) }
            return .union(part)
        }
    }

    /// Splits on `,` and on `:` (Ansible's separators); a `:` inside a `[…]` range is kept.
    static func split(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var bracketDepth = 0
        for character in text {
            switch character {
            case "[": bracketDepth += 1; current.append(character)
            case "]": bracketDepth = max(0, bracketDepth - 1); current.append(character)
            case ":" where bracketDepth == 0, "," where bracketDepth == 0:
                let trimmed = current.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { parts.append(trimmed) }
                current = ""
            default: current.append(character)
            }
        }
        let trimmed = current.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty { parts.append(trimmed) }
        return parts
    }

    /// The hosts this pattern selects in `inventory`, in inventory order. As in Ansible, unions are applied
    /// first, then intersections, then exclusions, whatever their order in the text.
    public func select(in inventory: Inventory) -> [String] {
        var selected = Set<String>()
        var unionSeen = false
        for case .union(let name) in terms {
            unionSeen = true
            selected.formUnion(HostPattern.match(name, in: inventory))
        }
        if !unionSeen { selected = Set(inventory.hostOrder) }
        for case .intersection(let name) in terms {
            selected.formIntersection(HostPattern.match(name, in: inventory))
        }
        for case .exclusion(let name) in terms {
            selected.subtract(HostPattern.match(name, in: inventory))
        }
        return inventory.hostOrder.filter(selected.contains)
    }

    /// The hosts one term names: a group (its hosts), a host, a glob over both, or a `~regex`.
    public static func match(_ term: String, in inventory: Inventory) -> Set<String> {
        if term == "all" || term == "*" { return Set(inventory.hostOrder) }
        if inventory.groups[term] != nil { return Set(inventory.hosts(inGroup: term)) }
        if inventory.hosts[term] != nil { return [term] }
        let regex: NSRegularExpression?
        if term.hasPrefix("~") {
            regex = try? NSRegularExpression(pattern: String(term.dropFirst()))
        } else if term.contains(where: { "*?[".contains($0) }) {
            regex = try? NSRegularExpression(pattern: "^" + globToRegex(term) + "$")
        } else {
            return []
        }
        guard let regex else { return [] }
        func matches(_ name: String) -> Bool {
            regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        }
        var result = Set<String>()
        for group in inventory.groups.keys where matches(group) {
            result.formUnion(inventory.hosts(inGroup: group))
        }
        for host in inventory.hostOrder where matches(host) { result.insert(host) }
        return result
    }

    /// Translates a shell glob (`*`, `?`, `[abc]`) into a regular expression body.
    static func globToRegex(_ glob: String) -> String {
        var regex = ""
        for character in glob {
            switch character {
            case "*": regex += ".*"
            case "?": regex += "."
            case "[", "]": regex.append(character)
            default: regex += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return regex
    }
}
