import Foundation

/// Ansible's host names with ranges (`web[01:20].x`, `db-[a:f].x`, `n[0:20:5]`) and optional ports
/// (`web01:2222`, `[fe80::1]:2222`).
public enum HostRange {
    /// Why a host pattern could not be expanded.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }

        public init(message: String) { self.message = message }
    }

    /// Splits `host[:port]` and expands every `[a:b]` / `[a:b:step]` range, as Ansible's
    /// `_expand_hostpattern` does.
    ///
    /// - Returns: the host names in order, and the port written after them (if any).
    /// - Throws: ``Failure`` for a malformed or empty range.
    public static func expand(_ pattern: String) throws(Failure) -> (hosts: [String], port: Int?) {
        var name = pattern
        var port: Int?
        if let parsed = parseAddress(pattern) {
            name = parsed.host
            port = parsed.port
        }
        let hosts = name.contains("[") ? try expandRanges(name, whole: pattern) : [name]
        return (hosts, port)
    }

    /// Ansible's `parse_address(…, allow_ranges=True)`: the host and the port, or nil when the text is not a
    /// host name, IPv4 or IPv6 address (with ranges) and an optional port.
    static func parseAddress(_ text: String) -> (host: String, port: Int?)? {
        var address = text
        var port: Int?
        for pattern in [bracketedHostPort, hostPort] {
            if let groups = captures(pattern, address) {
                address = groups[0]
                port = Int(groups[1])
            }
        }
        guard matches(ipv4, address) || matches(ipv6, address) || matches(hostname, address) else { return nil }
        return (address, port)
    }

    /// Expands the first range, then the rest recursively, as `expand_hostname_range` does.
    static func expandRanges(_ line: String, whole: String) throws(Failure) -> [String] {
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else {
            throw Failure(message: "host range in '\(whole)' has a '[' without a closing ']'")
        }
        let head = line[..<open]
        let body = String(line[line.index(after: open)..<close])
        let tail = line[line.index(after: close)...]
        let bounds = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard bounds.count == 2 || bounds.count == 3 else {
            throw Failure(
                message: "host range [\(body)] in '\(whole)' must be begin:end or begin:end:step"
            )
        }
        let begin = bounds[0].isEmpty ? "0" : bounds[0]
        let end = bounds[1]
        guard !end.isEmpty else { throw Failure(message: "host range [\(body)] in '\(whole)' has no end value") }
        var step = 1
        if bounds.count == 3 {
            guard let value = Int(bounds[2]), value > 0 else {
                throw Failure(
                    message: "host range [\(body)] in '\(whole)' has step '\(bounds[2])'; use a whole number above 0"
                )
            }
            step = value
        }
        let width = begin.hasPrefix("0") && begin.count > 1 ? begin.count : nil
        if let width, width != end.count {
            throw Failure(
                message:
                    "host range [\(body)] in '\(whole)' pads '\(begin)' to \(width) digits but not '\(end)'; write both bounds with the same width"
            )
        }
        var items: [String] = []
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if begin.count == 1, end.count == 1, let b = letters.firstIndex(of: begin.first!),
            let e = letters.firstIndex(of: end.first!)
        {
            guard b <= e else {
                throw Failure(
                    message: "host range [\(body)] in '\(whole)' goes backwards; write the first letter first"
                )
            }
            items = stride(from: b, through: e, by: step).map { String(letters[$0]) }
        } else {
            guard let b = Int(begin), let e = Int(end) else {
                throw Failure(
                    message: "host range [\(body)] in '\(whole)' must have numbers or single letters as bounds"
                )
            }
            guard b <= e else {
                throw Failure(
                    message:
                        "host range [\(body)] in '\(whole)' counts down from \(begin) to \(end) and names no host; write the smaller bound first"
                )
            }
            items = stride(from: b, through: e, by: step).map { value in
                let text = String(value)
                guard let width, text.count < width else { return text }
                return String(repeating: "0", count: width - text.count) + text
            }
        }
        var hosts: [String] = []
        for item in items {
            let name = String(head) + item + String(tail)
            if name.contains("[") {
                hosts.append(contentsOf: try expandRanges(name, whole: whole))
            } else {
                hosts.append(name)
            }
        }
        return hosts
    }

    // Ansible's address patterns (ansible/parsing/utils/addresses.py), written out without verbose mode.
    private static let numericRange = #"\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]"#
    private static let hexRange = #"\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]"#
    private static let alnumRange = #"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]"#
    private static let ipv6Component = #"(?:[0-9a-f]{1,4}|\#(hexRange))"#
    private static let ipv4Component = #"(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|\#(numericRange))"#
    private static let label = #"(?:[\w]|\#(alnumRange))(?:[\w_-]|\#(alnumRange))*(?<![_-])"#

    private static let bracketedHostPort = regex(#"^\[(.+)\]:([0-9]+)$"#)
    private static let hostPort = regex(#"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$"#)
    private static let ipv4 = regex(#"^(?:\#(ipv4Component)\.){3}\#(ipv4Component)$"#, caseInsensitive: true)
    private static let ipv6: NSRegularExpression = {
        let c = ipv6Component
        let alternatives = [
            "(?:\(c):){7}\(c)",
            "(?:\(c):){1,6}:",
            "(?:\(c):)(?::\(c)){1,6}",
            "(?:\(c):){2}(?::\(c)){1,5}",
            "(?:\(c):){3}(?::\(c)){1,4}",
            "(?:\(c):){4}(?::\(c)){1,3}",
            "(?:\(c):){5}(?::\(c)){1,2}",
            "(?:\(c):){6}(?::\(c))",
            ":(?::\(c)){1,6}",
            "\(c)?::",
            "(?:0:){6}(?:\(c)\\.){3}\(c)",
            "::(?:ffff:)?(?:\(c)\\.){3}\(c)",
            "(?:0:){5}ffff:(?:\(c)\\.){3}\(c)",
        ]
        return regex("^(" + alternatives.joined(separator: "|") + ")$", caseInsensitive: true)
    }()
    private static let hostname = regex(#"^\#(label)(?:\.\#(label))*$"#, caseInsensitive: true)

    private static func regex(_ pattern: String, caseInsensitive: Bool = false) -> NSRegularExpression {
        // Constant patterns; a typo is a programming error caught by the tests.
        try! NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
    }

    private static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil
    }

    private static func captures(_ regex: NSRegularExpression, _ text: String) -> [String]? {
        let ns = text as NSString
        guard let match = regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else {
            return nil
        }
        return (1..<match.numberOfRanges).map { index in
            let range = match.range(at: index)
            return range.location == NSNotFound ? "" : ns.substring(with: range)
        }
    }
}
