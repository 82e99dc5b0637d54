import Foundation

/// An Ansible host pattern such as `web:&yunnan:!web03` (see Ansible's "Patterns: targeting hosts and
/// groups"), evaluated with the rules of Ansible's `InventoryManager`.
///
/// - Terms are separated by `,`, or by `:` when the text has no comma (a `:` inside `[…]` is kept, and a
///   text that reads as one host name, with ranges or a port, is one term).
/// - A term is `all`, a group or host name, a glob (`web*`, `db?`, `[ab]*`), a regular expression after `~`
///   (matched from the start of the name), optionally with a slice of the matched hosts (`web[0]`,
///   `web[-1]`, `web[1:3]`, `web[2:]`).
/// - Unions come first (in the order written), then intersections (`&`), then exclusions (`!`), whatever
///   their order in the text; with no union, the union is `all`.
public struct HostPattern: Sendable, Hashable, CustomStringConvertible {
    /// One term of a pattern and how it combines with what came before.
    public enum Term: Sendable, Hashable {
        case union(String)
        case intersection(String)
        case exclusion(String)

        /// The term's pattern without its `&` / `!`.
        public var pattern: String {
            switch self {
            case .union(let text), .intersection(let text), .exclusion(let text): text
            }
        }
    }

    /// Why a pattern cannot be evaluated.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }

        public init(message: String) { self.message = message }
    }

    /// The terms in the order written.
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

    private static let wordPattern = try! NSRegularExpression(pattern: #"(?:[^\s:\[\]]|\[[^\]]*\])+"#)

    /// Ansible's `split_host_pattern`: on commas when there are any; else the whole text when it reads as a
    /// host name (ranges and a port allowed); else on colons outside `[…]` and whitespace.
    static func split(_ text: String) -> [String] {
        var parts: [String]
        if text.contains(",") {
            parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        } else if HostRange.parseAddress(text) != nil {
            parts = [text]
        } else {
            let ns = text as NSString
            parts = wordPattern.matches(in: text, range: NSRange(location: 0, length: ns.length)).map {
                ns.substring(with: $0.range)
            }
        }
        return parts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The hosts this pattern selects in `inventory`, in Ansible's order: each union's hosts in the order
    /// it matches them, first appearance kept; intersections and exclusions then filter that list. A term
    /// that cannot be evaluated (a bad regular expression, a slice past the end) selects nothing.
    public func select(in inventory: Inventory) -> [String] {
        (try? evaluate(in: inventory, strict: false)) ?? []
    }

    /// Like ``select(in:)``, but a bad regular expression or a slice past the end of its hosts throws.
    ///
    /// - Throws: ``Failure`` naming the term.
    public func resolve(in inventory: Inventory) throws(Failure) -> [String] {
        try evaluate(in: inventory, strict: true)
    }

    /// The terms that match no host and no group (Ansible warns "Could not match supplied host pattern").
    public func unmatchedTerms(in inventory: Inventory) -> [String] {
        terms.map(\.pattern).filter { term in
            term != "all" && inventory.hosts[term] == nil
                && ((try? HostPattern.matchOrdered(term, in: inventory, strict: false)) ?? []).isEmpty
                && HostPattern.matchingGroups(HostPattern.splitSubscript(term).expression, in: inventory).isEmpty
        }
    }

    private func evaluate(in inventory: Inventory, strict: Bool) throws(Failure) -> [String] {
        var unions: [String] = []
        var intersections: [String] = []
        var exclusions: [String] = []
        for term in terms {
            switch term {
            case .union(let text): unions.append(text)
            case .intersection(let text): intersections.append(text)
            case .exclusion(let text): exclusions.append(text)
            }
        }
        if unions.isEmpty { unions = ["all"] }
        var hosts: [String] = []
        var present = Set<String>()
        for term in unions {
            if inventory.hosts[term] != nil {
                if present.insert(term).inserted { hosts.append(term) }
                continue
            }
            for host in try HostPattern.matchOrdered(term, in: inventory, strict: strict)
            where present.insert(host).inserted {
                hosts.append(host)
            }
        }
        for term in intersections {
            let keep = Set(try HostPattern.matchOrdered(term, in: inventory, strict: strict))
            hosts = hosts.filter(keep.contains)
        }
        for term in exclusions {
            let drop = Set(try HostPattern.matchOrdered(term, in: inventory, strict: strict))
            hosts = hosts.filter { !drop.contains($0) }
        }
        return hosts
    }

    /// The hosts one term names: a group (its hosts), a host, a glob over both, or a `~regex`.
    public static func match(_ term: String, in inventory: Inventory) -> Set<String> {
        Set((try? matchOrdered(term, in: inventory, strict: false)) ?? [])
    }

    /// Ansible's `_match_one_pattern`: groups matching the expression (their hosts, in group order), then,
    /// when no group matched or the expression is a regex or has `.`, `?`, `*` or `[`, matching hosts (in
    /// definition order); then the slice.
    static func matchOrdered(_ term: String, in inventory: Inventory, strict: Bool) throws(Failure) -> [String] {
        let (expression, slice) = splitSubscript(term)
        guard !expression.isEmpty else { return [] }
        guard let matcher = makeMatcher(expression) else {
            if strict { throw Failure(message: "invalid host pattern '\(term)': not a valid regular expression") }
            return []
        }
        var results: [String] = []
        let groups = inventory.groupOrder.filter(matcher)
        for group in groups { results += inventory.hosts(inGroup: group) }
        if groups.isEmpty || expression.hasPrefix("~") || expression.contains(where: { ".?*[".contains($0) }) {
            results += inventory.hostDefinitionOrder.filter(matcher)
        }
        var seen = Set<String>()
        results = results.filter { seen.insert($0).inserted }
        guard let slice, !results.isEmpty else { return results }
        switch slice {
        case .index(let index):
            let position = index < 0 ? results.count + index : index
            guard results.indices.contains(position) else {
                if strict { throw Failure(message: "no host matched the subscripted pattern '\(term)'") }
                return []
            }
            return [results[position]]
        case .range(let start, let end):
            let last = end ?? results.count - 1
            guard start < results.count, start <= last else { return [] }
            return Array(results[start...min(last, results.count - 1)])
        }
    }

    static func matchingGroups(_ expression: String, in inventory: Inventory) -> [String] {
        guard let matcher = makeMatcher(expression) else { return [] }
        return inventory.groupOrder.filter(matcher)
    }

    enum Subscript: Equatable {
        case index(Int)
        case range(Int, Int?)
    }

    private static let subscriptPattern = try! NSRegularExpression(
        pattern: #"^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$"#
    )

    /// Ansible's `_split_subscript`: `web[1:3]` is `web` and hosts 1 to 3 (inclusive); not for `~regex`.
    static func splitSubscript(_ term: String) -> (expression: String, subscript: Subscript?) {
        guard !term.hasPrefix("~") else { return (term, nil) }
        let ns = term as NSString
        guard let match = subscriptPattern.firstMatch(in: term, range: NSRange(location: 0, length: ns.length))
        else { return (term, nil) }
        func group(_ index: Int) -> String? {
            let range = match.range(at: index)
            return range.location == NSNotFound ? nil : ns.substring(with: range)
        }
        let expression = group(1) ?? term
        if let single = group(2), let index = Int(single) { return (expression, .index(index)) }
        guard let start = group(3).flatMap({ Int($0) }) else { return (term, nil) }
        let endText = group(5) ?? ""
        // Ansible treats an end of 0 as "just the start" (`if end:` is false for 0).
        if let end = Int(endText), end == 0 { return (expression, .index(start)) }
        return (expression, .range(start, Int(endText)))
    }

    /// A name matcher for a `~regex` (anchored at the start, like Python's `re.match`) or a glob
    /// (`fnmatch`, whole name, case-sensitive); nil for a bad regular expression.
    static func makeMatcher(_ expression: String) -> ((String) -> Bool)? {
        let regex: NSRegularExpression
        if expression.hasPrefix("~") {
            guard let compiled = try? NSRegularExpression(pattern: String(expression.dropFirst())) else { return nil }
            regex = compiled
            return { name in
                regex.firstMatch(
                    in: name,
                    options: [.anchored],
                    range: NSRange(location: 0, length: (name as NSString).length)
                ) != nil
            }
        }
        if !expression.contains(where: { "*?[".contains($0) }) {
            return { $0 == expression }
        }
        guard let compiled = try? NSRegularExpression(pattern: "^" + globToRegex(expression) + "$") else {
            return nil
        }
        regex = compiled
        return { name in
            regex.firstMatch(in: name, range: NSRange(location: 0, length: (name as NSString).length)) != nil
        }
    }

    /// Translates a shell glob (`*`, `?`, `[abc]`, `[!abc]`) into a regular expression body, as Python's
    /// `fnmatch.translate` does (an unclosed `[` is a literal).
    static func globToRegex(_ glob: String) -> String {
        let characters = Array(glob)
        var regex = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "*":
                regex += ".*"
            case "?":
                regex += "."
            case "[":
                var end = index
                if end < characters.count, characters[end] == "!" { end += 1 }
                if end < characters.count, characters[end] == "]" { end += 1 }
                while end < characters.count, characters[end] != "]" { end += 1 }
                if end >= characters.count {
                    regex += "\\["
                } else {
                    var body = String(characters[index..<end]).replacingOccurrences(of: "\\", with: "\\\\")
                    index = end + 1
                    if body.hasPrefix("!") {
                        body = "^" + body.dropFirst()
                    } else if body.hasPrefix("^") {
                        body = "\\" + body
                    }
                    regex += "[" + body + "]"
                }
            default:
                regex += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return regex
    }
}
