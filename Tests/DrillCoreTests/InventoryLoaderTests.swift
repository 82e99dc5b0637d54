import DrillCore
import Foundation
import Testing

@Suite("Loading inventories: Ansible's rules, and every problem with its place")
struct InventoryLoaderTests {
    /// The one-line descriptions of the diagnostics `text` produces (empty when it loads).
    func problems(
        _ text: String,
        file: String = "inv.yaml",
        format: InventoryLoader.Format = .automatic
    )
        -> [String]
    {
        do {
            _ = try InventoryLoader.load(text: text, file: file, format: format)
            return []
        } catch {
            return error.diagnostics.sorted.map(\.description)
        }
    }

    // MARK: Semantics

    @Test("YAML: groups, children, ungrouped and implicit groups as Ansible builds them")
    func yamlStructure() throws {
        let inventory = try InventoryLoader.load(
            text: """
                all:
                  hosts:
                    lone:
                  children:
                    yunnan:
                      children:
                        yn_web:
                          hosts:
                            web01:
                            web02:
                    web:
                      hosts: web03
                """,
            file: "inv.yaml"
        )
        #expect(inventory.groupOrder == ["all", "ungrouped", "yunnan", "yn_web", "web"])
        #expect(inventory.groups["all"]?.children == ["ungrouped", "yunnan", "web"])
        #expect(inventory.groups["ungrouped"]?.hosts == ["lone"])
        #expect(inventory.hostOrder == ["lone", "web03", "web01", "web02"])
        #expect(inventory.hosts(inGroup: "yunnan") == ["web01", "web02"])
        #expect(inventory.groups(ofHost: "web01") == ["all", "yn_web", "yunnan"])
        #expect(inventory.groupDepths()["yn_web"] == 2)
        #expect(inventory.hosts(inGroup: "nope").isEmpty)
    }

    @Test("precedence: all < parent < child, same depth by priority then name, host last")
    func precedence() throws {
        let inventory = try InventoryLoader.load(path: InventoryFixtures.path("inventory/precedence.yaml"))
        let h1 = inventory.variables(forHost: "h1")
        #expect(h1["level"] == .string("team_b"))  // team_a and team_b share a depth; 'b' merges last
        #expect(h1["same_depth"] == .string("team_b"))
        #expect(h1["from_province"] == .int(1))
        #expect(inventory.variables(forHost: "h2")["level"] == .string("host"))
        #expect(inventory.variables(forHost: "h3")["same_depth"] == .string("zz_low_priority_5"))
        #expect(inventory.variables(forHost: "h3")["ansible_group_priority"] == nil)
        #expect(inventory.variables(forHost: "h4")["level"] == .string("deepest"))
        #expect(inventory.precedenceGroups(ofHost: "h3") == ["aa_high", "zz_low"])
        #expect(inventory.groups["zz_low"]?.priority == 5)
    }

    @Test("group_vars/all outranks inline vars of every group, and host_vars outrank everything")
    func varsFolders() throws {
        let inventory = try InventoryLoader.load(path: InventoryFixtures.path("inventory/folder"))
        let yn01 = inventory.variables(forHost: "yn01.example")
        #expect(yn01["inline"] == .string("from_group_vars_all"))
        #expect(yn01["gv_order"] == .string("second"))
        #expect(yn01["from_file"] == .string("host_vars"))
        #expect(inventory.hosts["never.example"] == nil)  // old.bak is skipped
        #expect(inventory.hosts["hidden.example"] == nil)  // .hidden is skipped
        #expect(inventory.hosts(inGroup: "yunnan") == ["yn01.example", "yn02.example"])
    }

    @Test("INI: inline values are Python literals, quotes come off, text stays text")
    func iniLiterals() throws {
        let inventory = try InventoryLoader.load(
            text: """
                h1 a=1 b="2" c='x y' d=yes e=True f=[1,2] g=0755 h=None i=1.5

                [g]
                h1

                [g:vars]
                v=5
                w=yes
                """,
            file: "hosts.ini"
        )
        let vars = inventory.variables(forHost: "h1")
        #expect(vars["a"] == .int(1))
        #expect(vars["b"] == .int(2))
        #expect(vars["c"] == .string("x y"))
        #expect(vars["d"] == .string("yes"))
        #expect(vars["e"] == .bool(true))
        #expect(vars["f"] == .list([.int(1), .int(2)]))
        #expect(vars["g"] == .string("0755"))
        #expect(vars["h"] == .null)
        #expect(vars["i"] == .double(1.5))
        #expect(vars["v"] == .int(5))
        #expect(vars["w"] == .string("yes"))
        // Listed before any section and in [g]: it leaves ungrouped.
        #expect(inventory.groups["ungrouped"]?.hosts.isEmpty == true)
    }

    @Test(
        "host ranges: padding, letters, strides, several ranges, ports",
        arguments: [
            ("web[01:03].x", ["web01.x", "web02.x", "web03.x"], nil as Int?),
            ("db-[a:c].x", ["db-a.x", "db-b.x", "db-c.x"], nil),
            ("n[0:20:5]", ["n0", "n5", "n10", "n15", "n20"], nil),
            ("r[1:2]-u[a:b]", ["r1-ua", "r1-ub", "r2-ua", "r2-ub"], nil),
            ("app[8:10]:2222", ["app8", "app9", "app10"], 2222),
            ("[2001:db8::1]:2200", ["2001:db8::1"], 2200),
            ("n[:2]", ["n0", "n1", "n2"], nil),
        ]
    )
    func ranges(pattern: String, hosts: [String], port: Int?) throws {
        let expanded = try HostRange.expand(pattern)
        #expect(expanded.hosts == hosts)
        #expect(expanded.port == port)
    }

    @Test("5,000 hosts in 300 groups load, and every lookup answers")
    func large() throws {
        var text = "all:\n  children:\n"
        for province in 0..<10 {
            text += "    p\(province):\n      vars:\n        drill_province: p\(province)\n      children:\n"
            for team in 0..<30 {
                text += "        p\(province)_t\(team):\n          vars:\n            drill_team: t\(team)\n"
                text += "          hosts:\n            h\(province)-\(team)-[01:16].example:\n"
                text += "              role: web\n"
            }
        }
        let inventory = try InventoryLoader.load(text: text, file: "big.yaml")
        #expect(inventory.hostOrder.count == 4_800)
        #expect(inventory.groups.count == 312)
        var teams = Set<String>()
        for host in inventory.hostOrder {
            teams.insert(inventory.variables(forHost: host)["drill_team"]?.renderedText ?? "")
            _ = inventory.groups(ofHost: host)
        }
        #expect(teams.count == 30)
        #expect(inventory.hosts(inGroup: "p3").count == 480)
        #expect(inventory.select(pattern: "p1:&~h1-2[0-9]-0[12]").count == 20)
    }

    @Test("Inventory(groups:hosts:) keeps its meaning: all, ungrouped, priority from vars")
    func programmatic() {
        let inventory = Inventory(
            groups: [
                .init(name: "web", hosts: ["w1"], vars: ["x": .int(1), "ansible_group_priority": .int(3)]),
                .init(name: "yunnan", children: ["web"]),
            ],
            hosts: [.init(name: "w1", vars: ["y": .int(2)]), .init(name: "free")]
        )
        #expect(inventory.groups["all"]?.children == ["ungrouped", "yunnan"])
        #expect(inventory.groups["ungrouped"]?.hosts == ["free"])
        #expect(inventory.groups["web"]?.priority == 3)
        #expect(inventory.variables(forHost: "w1") == ["x": .int(1), "y": .int(2)])
        #expect(inventory.hosts(inGroup: "yunnan") == ["w1"])
    }

    // MARK: Bad input: exact diagnostics

    @Test("a YAML syntax error names the line and column")
    func yamlSyntax() {
        #expect(
            problems("all:\n  hosts:\n    web01: [a\n  vars:\n") == [
                "inv.yaml:4:7: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 3, column 12)"
            ]
        )
    }

    @Test("hosts written as a list, an unknown key, a bad range: all reported in one pass")
    func yamlStructureErrors() {
        #expect(
            problems(
                """
                all:
                  children:
                    web:
                      host:
                        web01:
                    db:
                      hosts:
                        - db01
                    app:
                      hosts:
                        web[05:01]:
                """
            ) == [
                "inv.yaml:4:7: error: unknown key 'host' in group 'web'; a group holds only 'hosts', 'children' and 'vars'; did you mean 'hosts'?",
                "inv.yaml:8:9: error: 'hosts' of group 'db' must be a mapping (write 'web01.example:' on its own line); found a list",
                "inv.yaml:11:9: error: host range [05:01] in 'web[05:01]' counts down from 05 to 01 and names no host; write the smaller bound first",
            ]
        )
    }

    @Test("loops, numbers as names, bad priorities and plugin files are errors")
    func yamlMoreErrors() {
        #expect(
            problems(
                """
                all:
                  children:
                    a:
                      children:
                        b:
                          children:
                            a:
                    2024:
                      hosts:
                        5:
                        h1: text
                    c:
                      vars:
                        ansible_group_priority: high
                """
            ) == [
                "inv.yaml:5:9: error: making 'b' a child of 'a' creates a loop: 'b' is already above 'a'",
                "inv.yaml:8:5: error: a group name must be a non-empty string; found the integer '2024' (quote it if it is meant as a name)",
                "inv.yaml:10:9: error: a host name in group '2024' must be a string; found the integer '5': put it in quotes",
                "inv.yaml:11:13: error: host 'h1' in group '2024' must map to its variables (a mapping) or to nothing; found the text 'text'",
                "inv.yaml:14:33: error: ansible_group_priority of group 'c' must be a whole number; found \"high\"",
            ]
        )
        #expect(
            problems("plugin: aws_ec2\n") == [
                "inv.yaml:1:1: error: this is the configuration of an inventory plugin ('plugin:'), which drillctl does not run; write the hosts as a YAML inventory with 'all:', 'hosts:', 'children:' and 'vars:'"
            ]
        )
        #expect(
            problems("", format: .yaml) == [
                "inv.yaml:1:1: error: the inventory is empty; expected groups such as 'all:' with 'hosts:', 'children:' and 'vars:'"
            ]
        )
        #expect(
            problems("- a\n- b\n", format: .yaml) == [
                "inv.yaml:1:1: error: an inventory must be a mapping of group names (such as 'all:') at the top; found a list"
            ]
        )
    }

    @Test("INI garbage: every bad line, with its column")
    func iniErrors() {
        #expect(
            problems(
                """
                [web]
                web01 ansible_port
                web[05:01]
                [db:vars]
                x=1
                [bad section]
                [web:kids]
                foo
                [web:children]
                nope
                """,
                file: "hosts",
                format: .ini
            ) == [
                "hosts:2:7: error: expected 'name=value' after the host name; found 'ansible_port'; quote a value that holds spaces: name=\"two words\"",
                "hosts:3:1: error: host range [05:01] in 'web[05:01]' counts down from 05 to 01 and names no host; write the smaller bound first",
                "hosts:4:1: error: section [db:vars] sets variables of group 'db', which no [db] or [db:children] section declares; add one (an empty [db] will do)",
                "hosts:6:1: error: invalid section header '[bad section]'; write [group], [group:vars] or [group:children] with no spaces",
                "hosts:7:1: error: section [web:kids] has an unknown type 'kids'; use [web], [web:vars] or [web:children]",
                "hosts:10:1: error: section [web:children] names group 'nope', which is not declared; add a [nope] section with its hosts",
            ]
        )
        #expect(
            problems("  web01 a='open\n", file: "h.ini") == [
                "h.ini:1:3: error: cannot read host line 'web01 a='open': No closing quotation"
            ]
        )
    }

    @Test("a missing path is an error that names it")
    func missing() {
        #expect(throws: DiagnosticsError.self) { try InventoryLoader.load(path: "/nonexistent/inventory.yaml") }
        do {
            _ = try InventoryLoader.load(path: "/nonexistent/inventory.yaml")
        } catch {
            #expect(
                error.description
                    == "error: no inventory at '/nonexistent/inventory.yaml': the file or folder does not exist"
            )
        }
    }

    @Test("files in a folder: Ansible's ignore rules")
    func ignoredEntries() {
        #expect(InventoryLoader.isIgnored(entry: "README.md"))
        #expect(InventoryLoader.isIgnored(entry: "hosts~"))
        #expect(InventoryLoader.isIgnored(entry: "group_vars"))
        #expect(InventoryLoader.isIgnored(entry: ".git"))
        #expect(!InventoryLoader.isIgnored(entry: "hosts.ini"))
        #expect(!InventoryLoader.isIgnored(entry: "01-web.yaml"))
    }
}
