import Foundation

/// Reads INI inventory values the way Ansible does: with Python's `ast.literal_eval`, keeping the text as a
/// string when it is not a Python literal.
///
/// So `5` is an integer, `True` a boolean, `[1, 'a']` a list, `{'k': 1}` a map and `None` null, while
/// `yes`, `0755` (a syntax error in Python 3) and `hello world` stay strings. Complex numbers are not
/// supported and stay text.
enum PythonLiteral {
    /// The value `text` denotes, as `ansible-inventory` would print it.
    static func value(of text: String) -> InventoryValue {
        var parser = Parser(Array(text.unicodeScalars))
        // literal_eval strips leading spaces and tabs itself.
        while let c = parser.peek, c == " " || c == "\t" { parser.index += 1 }
        guard let value = try? parser.parseExpression(), parser.atEnd() else { return .string(text) }
        return value
    }

    private struct Failure: Error {}

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        /// Depth of open brackets: newlines are whitespace inside them.
        var depth = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        mutating func skipSpace() {
            while let c = peek {
                if c == " " || c == "\t" || c == "\u{0C}" || (depth > 0 && (c == "\n" || c == "\r")) {
                    index += 1
                } else if c == "\\", peek(1) == "\n" {
                    index += 2
                } else if c == "#" {
                    while let d = peek, d != "\n" { index += 1 }
                } else {
                    break
                }
            }
        }

        mutating func atEnd() -> Bool {
            skipSpace()
            while let c = peek, c == "\n" || c == "\r" {
                index += 1
                skipSpace()
            }
            return peek == nil
        }

        /// An expression at the top: a tuple without parentheses (`1, 2`) is allowed there too.
        mutating func parseExpression() throws(Failure) -> InventoryValue {
            let first = try parseAtom()
            skipSpace()
            guard peek == "," else { return first }
            var items = [first]
            while peek == "," {
                index += 1
                skipSpace()
                if peek == nil { break }
                items.append(try parseAtom())
                skipSpace()
            }
            return .list(items)
        }

        mutating func parseAtom() throws(Failure) -> InventoryValue {
            skipSpace()
            guard let c = peek else { throw Failure() }
            switch c {
            case "[":
                return .list(try parseSequence(close: "]"))
            case "(":
                index += 1
                depth += 1
                skipSpace()
                if peek == ")" {
                    index += 1
                    depth -= 1
                    return .list([])
                }
                let first = try parseAtom()
                skipSpace()
                if peek == ")" {
                    index += 1
                    depth -= 1
                    return first
                }
                guard peek == "," else { throw Failure() }
                var items = [first]
                while peek == "," {
                    index += 1
                    skipSpace()
                    if peek == ")" { break }
                    items.append(try parseAtom())
                    skipSpace()
                }
                guard peek == ")" else { throw Failure() }
                index += 1
                depth -= 1
                return .list(items)
            case "{":
                return try parseBrace()
            case "+", "-":
                index += 1
                skipSpace()
                guard let next = peek, next.properties.numericType != nil || next == "." else { throw Failure() }
                let number = try parseNumber()
                if c == "+" { return number }
                switch number {
                case .int(let value): return .int(-value)
                case .double(let value): return .double(-value)
                default: throw Failure()
                }
            case "'", "\"":
                return try parseStrings()
            case ".":
                if peek(1) == ".", peek(2) == "." {
                    index += 3
                    return .string("...")
                }
                return try parseNumber()
            default:
                if ("0"..."9").contains(c) { return try parseNumber() }
                if c.properties.isXIDStart || c == "_" {
                    let name = parseName()
                    if let quote = peek, quote == "'" || quote == "\"",
                        ["r", "u", "b", "br", "rb", "R", "U", "B", "BR", "Br", "bR", "RB", "Rb", "rB"].contains(name)
                    {
                        return try parseStrings(firstPrefix: name)
                    }
                    switch name {
                    case "True": return .bool(true)
                    case "False": return .bool(false)
                    case "None": return .null
                    default: throw Failure()
                    }
                }
                throw Failure()
            }
        }

        mutating func parseName() -> String {
            var name = ""
            while let c = peek, c.properties.isXIDContinue || c == "_" {
                name.unicodeScalars.append(c)
                index += 1
            }
            return name
        }

        mutating func parseSequence(close: Unicode.Scalar) throws(Failure) -> [InventoryValue] {
            index += 1
            depth += 1
            var items: [InventoryValue] = []
            skipSpace()
            while peek != close {
                items.append(try parseAtom())
                skipSpace()
                if peek == "," {
                    index += 1
                    skipSpace()
                } else if peek != close {
                    throw Failure()
                }
            }
            index += 1
            depth -= 1
            return items
        }

        /// `{}` is an empty dict, `{k: v, …}` a dict, `{a, b}` a set (a list in JSON).
        mutating func parseBrace() throws(Failure) -> InventoryValue {
            index += 1
            depth += 1
            skipSpace()
            if peek == "}" {
                index += 1
                depth -= 1
                return .map([:])
            }
            let firstKey = try parseAtom()
            skipSpace()
            if peek != ":" {
                var items = [firstKey]
                while peek == "," {
                    index += 1
                    skipSpace()
                    if peek == "}" { break }
                    items.append(try parseAtom())
                    skipSpace()
                }
                guard peek == "}" else { throw Failure() }
                index += 1
                depth -= 1
                var unique: [InventoryValue] = []
                for item in items where !unique.contains(item) { unique.append(item) }
                return .list(unique)
            }
            var entries: [String: InventoryValue] = [:]
            var key = firstKey
            while true {
                guard peek == ":" else { throw Failure() }
                index += 1
                let value = try parseAtom()
                guard let keyText = Self.keyText(key) else { throw Failure() }
                entries[keyText] = value
                skipSpace()
                if peek == "," {
                    index += 1
                    skipSpace()
                }
                if peek == "}" { break }
                key = try parseAtom()
                skipSpace()
            }
            index += 1
            depth -= 1
            return .map(entries)
        }

        /// How Python's `json.dumps` writes a dict key.
        static func keyText(_ key: InventoryValue) -> String? {
            switch key {
            case .string(let text): text
            case .int(let value): String(value)
            case .bool(let value): value ? "true" : "false"
            case .null: "null"
            case .double: key.renderedText
            case .list, .map: nil
            }
        }

        mutating func parseNumber() throws(Failure) -> InventoryValue {
            var text = ""
            func digits(_ allowed: (Unicode.Scalar) -> Bool) -> String {
                var out = ""
                while let c = peek, allowed(c) || (c == "_" && (peek(1).map(allowed) ?? false) && !out.isEmpty) {
                    if c != "_" { out.unicodeScalars.append(c) }
                    index += 1
                }
                return out
            }
            let isDigit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
            if peek == "0", let x = peek(1), "xXoObB".unicodeScalars.contains(x) {
                index += 2
                let radix: Int
                let allowed: (Unicode.Scalar) -> Bool
                switch x {
                case "x", "X":
                    radix = 16
                    allowed = { $0.properties.isASCIIHexDigit }
                case "o", "O":
                    radix = 8
                    allowed = { ("0"..."7").contains($0) }
                default:
                    radix = 2
                    allowed = { $0 == "0" || $0 == "1" }
                }
                if peek == "_" { index += 1 }
                let body = digits(allowed)
                guard !body.isEmpty, let value = Int(body, radix: radix) else { throw Failure() }
                try rejectTrailingNameCharacter()
                return .int(value)
            }
            let whole = digits(isDigit)
            text += whole
            var isFloat = false
            if peek == "." {
                isFloat = true
                index += 1
                text += "." + digits(isDigit)
            }
            if let e = peek, e == "e" || e == "E" {
                let save = index
                index += 1
                var exponent = "e"
                if let sign = peek, sign == "+" || sign == "-" {
                    exponent.unicodeScalars.append(sign)
                    index += 1
                }
                let power = digits(isDigit)
                if power.isEmpty {
                    index = save
                } else {
                    isFloat = true
                    text += exponent + power
                }
            }
            if let j = peek, j == "j" || j == "J" { throw Failure() }
            try rejectTrailingNameCharacter()
            if isFloat {
                if text.hasPrefix(".") { text = "0" + text }
                if text.hasSuffix(".") { text += "0" }
                text = text.replacingOccurrences(of: ".e", with: ".0e")
                guard let value = Double(text) else { throw Failure() }
                return .double(value)
            }
            // Python 3 rejects leading zeros in a decimal integer other than zero itself.
            if whole.count > 1, whole.hasPrefix("0"), whole.contains(where: { $0 != "0" }) { throw Failure() }
            guard let value = Int(whole) else { throw Failure() }
            return .int(value)
        }

        func rejectTrailingNameCharacter() throws(Failure) {
            if let c = peek, c.properties.isXIDContinue || c == "_" { throw Failure() }
        }

        /// One or more adjacent string literals, concatenated as Python does.
        mutating func parseStrings(firstPrefix: String = "") throws(Failure) -> InventoryValue {
            var result = ""
            var prefix = firstPrefix
            var sawBytes: Bool?
            while true {
                let isBytes = prefix.lowercased().contains("b")
                if let saw = sawBytes, saw != isBytes { throw Failure() }
                sawBytes = isBytes
                result += try parseString(raw: prefix.lowercased().contains("r"))
                skipSpace()
                prefix = ""
                if let c = peek, c == "'" || c == "\"" { continue }
                if let c = peek, "rRbBuU".unicodeScalars.contains(c) {
                    let save = index
                    let name = parseName()
                    if let quote = peek, quote == "'" || quote == "\"",
                        ["r", "u", "b", "br", "rb"].contains(name.lowercased())
                    {
                        prefix = name
                        continue
                    }
                    index = save
                }
                return .string(result)
            }
        }

        mutating func parseString(raw: Bool) throws(Failure) -> String {
            guard let quote = peek else { throw Failure() }
            let triple = peek(1) == quote && peek(2) == quote
            index += triple ? 3 : 1
            var out = String.UnicodeScalarView()
            while true {
                guard let c = peek else { throw Failure() }
                if c == quote {
                    if !triple {
                        index += 1
                        break
                    }
                    if peek(1) == quote && peek(2) == quote {
                        index += 3
                        break
                    }
                }
                if !triple && (c == "\n" || c == "\r") { throw Failure() }
                if c == "\\" {
                    guard let next = peek(1) else { throw Failure() }
                    if raw {
                        out.append(c)
                        out.append(next)
                        index += 2
                        continue
                    }
                    index += 2
                    switch next {
                    case "\n": break
                    case "\\": out.append("\\")
                    case "'": out.append("'")
                    case "\"": out.append("\"")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "a": out.append("\u{07}")
                    case "b": out.append("\u{08}")
                    case "f": out.append("\u{0C}")
                    case "v": out.append("\u{0B}")
                    case "0"..."7":
                        var value = Int(next.value - 48)
                        var count = 1
                        while count < 3, let d = peek, ("0"..."7").contains(d) {
                            value = value * 8 + Int(d.value - 48)
                            index += 1
                            count += 1
                        }
                        guard let scalar = Unicode.Scalar(value) else { throw Failure() }
                        out.append(scalar)
                    case "x", "u", "U":
                        let length = next == "x" ? 2 : next == "u" ? 4 : 8
                        var hex = ""
                        for _ in 0..<length {
                            guard let d = peek, d.properties.isASCIIHexDigit else { throw Failure() }
                            hex.unicodeScalars.append(d)
                            index += 1
                        }
                        guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                            throw Failure()
                        }
                        out.append(scalar)
                    default:
                        out.append("\\")
                        out.append(next)
                    }
                    continue
                }
                out.append(c)
                index += 1
            }
            return String(out)
        }
    }
}

/// Splits a line into words as Python's `shlex.split(line, comments=True)` does (POSIX rules), which is how
/// Ansible reads a host line of an INI inventory: quotes group words and are removed, a backslash escapes the
/// next character, and `#` outside quotes starts a comment.
enum ShellWords {
    struct Failure: Error, Equatable {
        /// `No closing quotation` or `No escaped character`, as Python says it.
        var message: String
    }

    /// A word and the column (1-based, in Unicode scalars) where it starts in the line.
    struct Word: Equatable {
        var text: String
        var column: Int
    }

    static func split(_ line: String, comments: Bool = true) throws(Failure) -> [Word] {
        let scalars = Array(line.unicodeScalars)
        var words: [Word] = []
        var current = String.UnicodeScalarView()
        var inWord = false
        var start = 0
        var index = 0
        func finish() {
            if inWord { words.append(Word(text: String(current), column: start + 1)) }
            current = String.UnicodeScalarView()
            inWord = false
        }
        while index < scalars.count {
            let c = scalars[index]
            switch c {
            case " ", "\t", "\r", "\n":
                finish()
                index += 1
            case "#" where comments && !inWord, "#" where comments && inWord:
                finish()
                index = scalars.count
            case "\\":
                if !inWord { start = index }
                inWord = true
                guard index + 1 < scalars.count else { throw Failure(message: "No escaped character") }
                current.append(scalars[index + 1])
                index += 2
            case "'", "\"":
                if !inWord { start = index }
                inWord = true
                index += 1
                var closed = false
                while index < scalars.count {
                    let d = scalars[index]
                    if d == c {
                        closed = true
                        index += 1
                        break
                    }
                    if c == "\"" && d == "\\" && index + 1 < scalars.count
                        && (scalars[index + 1] == "\"" || scalars[index + 1] == "\\")
                    {
                        current.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    current.append(d)
                    index += 1
                }
                if !closed { throw Failure(message: "No closing quotation") }
            default:
                if !inWord { start = index }
                inWord = true
                current.append(c)
                index += 1
            }
        }
        finish()
        return words
    }
}
