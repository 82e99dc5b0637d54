import Testing

@testable import DrillCore

/// The scalar rules behind the parity fixtures, one value at a time.
@Suite("Inventory values: PyYAML's YAML 1.1 and Python literals")
struct InventoryValueParsingTests {
    @Test(
        "plain YAML scalars resolve as PyYAML does",
        arguments: [
            ("yes", InventoryValue.bool(true)), ("No", .bool(false)), ("ON", .bool(true)), ("off", .bool(false)),
            ("y", .string("y")), ("n", .string("n")), ("True", .bool(true)),
            ("0755", .int(493)), ("08", .string("08")), ("0x1F", .int(31)), ("0b101", .int(5)), ("1_000", .int(1000)),
            ("1:30", .int(90)), ("-1:30", .int(-90)), ("+5", .int(5)), ("0", .int(0)),
            ("1.5", .double(1.5)), ("1e3", .string("1e3")), ("1.0e3", .string("1.0e3")), ("1.0e+3", .double(1000)),
            (".5", .double(0.5)), ("1.", .double(1)), ("1:30.5", .double(90.5)), ("-.inf", .double(-.infinity)),
            ("~", .null), ("", .null), ("Null", .null), ("none", .string("none")),
            ("2024-01-02", .string("2024-01-02")), ("2024-1-2", .string("2024-1-2")),
            ("2001-12-14t21:59:43.10-05:00", .string("2001-12-14T21:59:43.100000-05:00")),
            ("2026-11-29T08:00:00Z", .string("2026-11-29T08:00:00+00:00")),
            ("2001-12-14 21:59:43", .string("2001-12-14T21:59:43")),
            ("1.2.3", .string("1.2.3")), ("10.0.0.1", .string("10.0.0.1")),
        ]
    )
    func yaml(text: String, expected: InventoryValue) {
        #expect(YAML11Scalar.resolvePlain(text) == expected)
    }

    @Test(
        "INI values are Python literals or text",
        arguments: [
            ("42", InventoryValue.int(42)), ("-5", .int(-5)), ("+5", .int(5)), ("1.5", .double(1.5)),
            ("1e3", .double(1000)), ("0x1F", .int(31)), ("0o17", .int(15)), ("0b11", .int(3)), ("1_000", .int(1000)),
            ("0755", .string("0755")), ("00", .int(0)), ("True", .bool(true)), ("False", .bool(false)),
            ("None", .null), ("yes", .string("yes")), ("true", .string("true")), ("'quoted'", .string("quoted")),
            ("\"a\" 'b'", .string("ab")), ("'tab\\there'", .string("tab\there")), ("'\\u4e91'", .string("云")),
            ("r'\\n'", .string("\\n")), ("b'x'", .string("x")),
            ("[1, 'a', True]", .list([.int(1), .string("a"), .bool(true)])),
            ("(1, 2)", .list([.int(1), .int(2)])), ("(1)", .int(1)), ("()", .list([])),
            ("1, 2", .list([.int(1), .int(2)])),
            ("{'k': 1, 2: 'two'}", .map(["k": .int(1), "2": .string("two")])), ("{}", .map([:])),
            ("{1, 2, 1}", .list([.int(1), .int(2)])), ("...", .string("...")), ("7 # note", .int(7)),
            ("hello world", .string("hello world")), ("", .string("")), ("1j", .string("1j")), ("--5", .string("--5")),
            ("{k: 1}", .string("{k: 1}")), ("'open", .string("'open")), ("[1, 2", .string("[1, 2")),
            ("http://x:8080/a?b=c", .string("http://x:8080/a?b=c")), ("中文", .string("中文")),
        ]
    )
    func python(text: String, expected: InventoryValue) {
        #expect(PythonLiteral.value(of: text) == expected)
    }

    @Test("host lines split like shlex.split(comments=True)")
    func shellWords() throws {
        #expect(
            try ShellWords.split("h1 a=1 b=\"two words\" c='x y'#c").map(\.text) == [
                "h1", "a=1", "b=two words", "c=x y",
            ]
        )
        #expect(try ShellWords.split("h1 a=b\\ c d=\"q\\\"q\" # tail").map(\.text) == ["h1", "a=b c", "d=q\"q"])
        #expect(try ShellWords.split("  h1  x=\"\"").map(\.column) == [3, 7])
        #expect(throws: ShellWords.Failure(message: "No closing quotation")) { try ShellWords.split("h1 a='x") }
    }

    @Test("'ungrouped' may not be a child: Ansible then loses group variables")
    func ungroupedChild() {
        #expect(throws: DiagnosticsError.self) {
            try InventoryLoader.load(
                text: "all:\n  children:\n    web:\n      children:\n        ungrouped:\n",
                file: "i.yaml"
            )
        }
        do {
            _ = try InventoryLoader.load(text: "[web:children]\nungrouped\n", file: "hosts.ini")
        } catch {
            #expect(
                error.description
                    == "hosts.ini:2:1: error: 'ungrouped' is the implicit group of hosts in no other group and cannot be a child of 'web'; put those hosts in a group of their own"
            )
        }
    }

    @Test("a host listed only in an ungrouped section and in a group leaves ungrouped")
    func ungroupedReconcile() throws {
        let inventory = try InventoryLoader.load(text: "a\nb\n[web]\nb\n", file: "hosts")
        #expect(inventory.groups["ungrouped"]?.hosts == ["a"])
        #expect(inventory.groups["web"]?.hosts == ["b"])
    }

    @Test("a port written with a host applies where the host is first defined, as in Ansible")
    func portFirstDefinition() throws {
        let inventory = try InventoryLoader.load(text: "[a]\nh1\n[b]\nh1:2222\nh2:2200\n", file: "hosts")
        #expect(inventory.variables(forHost: "h1")["ansible_port"] == nil)
        #expect(inventory.variables(forHost: "h2")["ansible_port"] == .int(2200))
        #expect(inventory.connectionFacts(forHost: "h2").port == 2200)
    }
}
