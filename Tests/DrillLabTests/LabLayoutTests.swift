import DrillCore
import DrillLab
import Testing

@Suite("Lab layout and inventory (pure)")
struct LabLayoutTests {
    @Test("addresses run 127.0.10.1 … 127.0.10.254, then continue on 127.0.11.x")
    func addresses() {
        #expect(LabAddresses.address(at: 0) == "127.0.10.1")
        #expect(LabAddresses.address(at: 199) == "127.0.10.200")
        #expect(LabAddresses.address(at: 253) == "127.0.10.254")
        #expect(LabAddresses.address(at: 254) == "127.0.11.1")
        #expect(LabAddresses.address(at: 600) == "127.0.12.93")
    }

    @Test("--hosts 10 gives two provinces, teams of four and a group per role")
    func generatedLayout() {
        let inventory = LabLayout.inventory(hostCount: 10)
        #expect(inventory.hostOrder.count == 10)
        #expect(inventory.hosts(inGroup: "yunnan").count == 5)
        #expect(inventory.hosts(inGroup: "guizhou").count == 5)
        #expect(inventory.hosts(inGroup: "yn_t01") == ["yn-t01-web", "yn-t01-db", "yn-t01-app", "yn-t01-dns"])
        #expect(inventory.hosts(inGroup: "yn_t02") == ["yn-t02-web"])
        #expect(inventory.hosts(inGroup: "web") == ["yn-t01-web", "yn-t02-web", "gz-t01-web", "gz-t02-web"])
        #expect(inventory.variables(forHost: "gz-t02-web")["drill_team"] == .string("gz_t02"))
        #expect(inventory.variables(forHost: "gz-t02-web")["drill_province"] == .string("guizhou"))
        #expect(Set(inventory.hostOrder).count == 10)
    }

    @Test("one host is a lab of one yunnan host")
    func singleHost() {
        let inventory = LabLayout.inventory(hostCount: 1)
        #expect(inventory.hostOrder == ["yn-t01-web"])
        #expect(inventory.hosts(inGroup: "guizhou").isEmpty)
    }

    @Test("an example inventory keeps its groups and drill vars; connection vars and paths point at the lab")
    func rewritesExampleInventory() {
        let source = Inventory(
            groups: [
                Inventory.Group(
                    name: "yunnan",
                    children: ["yn_telecom"],
                    vars: ["drill_province": .string("yunnan"), "drill_root": .string("/srv/drill")]
                ),
                Inventory.Group(
                    name: "yn_telecom",
                    hosts: ["portal.yn.example", "dns.yn.example"],
                    vars: [
                        "drill_team": .string("yn_telecom"),
                        "ansible_user": .string("ops"),
                        "ansible_ssh_common_args": .string("-J bastion.yn.example"),
                    ]
                ),
            ],
            hosts: [
                Inventory.Host(
                    name: "portal.yn.example",
                    vars: [
                        "ansible_host": .string("10.1.2.3"),
                        "webroot": .string("/var/www/html"),
                        "log_dir": .string("/var/log/nginx"),
                        "service": .string("nginx"),
                    ]
                )
            ]
        )
        let shaped = LabInventory(
            source: source,
            directory: "/tmp/lab",
            connection: .init(
                port: 2222,
                user: "root",
                privateKeyFile: "/tmp/lab/id_ed25519",
                knownHostsFile: "/tmp/lab/known_hosts"
            )
        )
        #expect(shaped.hosts.map(\.name) == ["portal.yn.example", "dns.yn.example"])
        #expect(shaped.hosts.map(\.address) == ["127.0.10.1", "127.0.10.2"])
        #expect(shaped.hosts[0].province == "yunnan")
        #expect(shaped.hosts[0].team == "yn_telecom")
        let vars = shaped.inventory.variables(forHost: "portal.yn.example")
        #expect(vars["ansible_host"] == .string("127.0.10.1"))
        #expect(vars["ansible_port"] == .int(2222))
        #expect(vars["ansible_user"] == .string("root"))
        #expect(vars["ansible_ssh_common_args"] == .string("-o UserKnownHostsFile=/tmp/lab/known_hosts"))
        #expect(vars["drill_root"] == .string("/tmp/lab/hosts/portal.yn.example"))
        #expect(vars["webroot"] == .string("/tmp/lab/hosts/portal.yn.example/www"))
        #expect(vars["log_dir"] == .string("/tmp/lab/hosts/portal.yn.example/fs/var/log/nginx"))
        #expect(vars["service"] == .string("nginx"))
        #expect(vars["drill_team"] == .string("yn_telecom"))
        #expect(shaped.inventory.groups["yn_telecom"]?.vars["ansible_user"] == nil)
        #expect(shaped.inventory.groups["yunnan"]?.vars["drill_root"] == nil)
        #expect(
            shaped.inventory.variables(forHost: "dns.yn.example")["drill_root"]
                == .string("/tmp/lab/hosts/dns.yn.example")
        )

        let yaml = shaped.yaml(header: "test")
        #expect(yaml.hasPrefix("# test\nall:\n"))
        #expect(yaml.contains("ansible_ssh_common_args: \"-o UserKnownHostsFile=/tmp/lab/known_hosts\""))
        #expect(!yaml.contains("bastion"))
        #expect(!yaml.contains("10.1.2.3"))
        #expect(!yaml.contains("\"ops\""))
    }

    @Test("the generated YAML nests provinces, teams and hosts the way Ansible reads them")
    func yamlShape() {
        let shaped = LabInventory(
            source: LabLayout.inventory(hostCount: 2),
            directory: "/d",
            connection: .init(
                port: 2222,
                user: "root",
                privateKeyFile: "/d/id_ed25519",
                knownHostsFile: "/d/known_hosts"
            )
        )
        let yaml = shaped.yaml(header: "h")
        let expected = """
            # h
            all:
              children:
                yunnan:
                  children:
                    yn_t01:
                      hosts:
                        yn-t01-web:
                          ansible_host: "127.0.10.1"
                          ansible_port: 2222
                          ansible_user: "root"
                          ansible_ssh_private_key_file: "/d/id_ed25519"
                          ansible_ssh_common_args: "-o UserKnownHostsFile=/d/known_hosts"
                          drill_province: "yunnan"
                          drill_team: "yn_t01"
                          drill_root: "/d/hosts/yn-t01-web"
                          webroot: "/d/hosts/yn-t01-web/www"
                guizhou:
                  children:
                    gz_t01:
                      hosts:
                        gz-t01-web:
                          ansible_host: "127.0.10.2"
                          ansible_port: 2222
                          ansible_user: "root"
                          ansible_ssh_private_key_file: "/d/id_ed25519"
                          ansible_ssh_common_args: "-o UserKnownHostsFile=/d/known_hosts"
                          drill_province: "guizhou"
                          drill_team: "gz_t01"
                          drill_root: "/d/hosts/gz-t01-web"
                          webroot: "/d/hosts/gz-t01-web/www"
                web:
                  hosts:
                    yn-t01-web: {}
                    gz-t01-web: {}

            """
        #expect(yaml == expected)
    }
}
