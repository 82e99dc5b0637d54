import DrillCore
import Testing

@Suite("Connection facts come from the usual Ansible variables")
struct ConnectionFactsTests {
    func facts(_ variables: [String: InventoryValue], name: String = "web01") -> ConnectionFacts {
        ConnectionFacts(name: name, variables: variables)
    }

    @Test("address, port, user, key and password, with the defaults")
    func basics() {
        let plain = facts([:])
        #expect(plain.address == "web01")
        #expect(plain.port == 22)
        #expect(plain.user == nil)
        #expect(plain.jumpHosts.isEmpty)
        #expect(plain.problems.isEmpty)

        let full = facts([
            "ansible_host": .string("127.0.10.7"),
            "ansible_port": .string("2202"),
            "ansible_user": .string("drill"),
            "ansible_ssh_private_key_file": .string("~/.ssh/id_ed25519"),
            "ansible_password": .string("s3cret"),
        ])
        #expect(full.address == "127.0.10.7")
        #expect(full.port == 2202)
        #expect(full.user == "drill")
        #expect(full.privateKeyFile == "~/.ssh/id_ed25519")
        #expect(full.password?.reveal() == "s3cret")
        #expect("\(full.password!)" == "<redacted>")
        #expect(facts(["ansible_port": .int(2222)]).port == 2222)
        #expect(facts(["ansible_ssh_pass": .string("p")]).password?.reveal() == "p")
        #expect(
            facts(["ansible_ssh_host": .string("10.0.0.9"), "ansible_ssh_user": .string("u")]).address == "10.0.0.9"
        )
    }

    @Test("a port that is not a number is a problem, not a crash")
    func badPort() {
        let bad = facts(["ansible_port": .string("ssh")])
        #expect(bad.port == 22)
        #expect(bad.problems == ["ansible_port must be a port number from 1 to 65535; found 'ssh'"])
        #expect(facts(["ansible_port": .int(70000)]).problems.count == 1)
    }

    @Test(
        "jump hosts from -J, -o ProxyJump (a chain) and the classic ProxyCommand",
        arguments: [
            ("-J ops@bastion.example:2222", ["ops@bastion.example:2222"]),
            ("-Jbastion", ["bastion"]),
            ("-o ProxyJump=a.example,ops@b.example:2200", ["a.example", "ops@b.example:2200"]),
            ("-oProxyJump=a.example", ["a.example"]),
            ("-o 'ProxyJump a.example'", ["a.example"]),
            ("-o ProxyCommand=\"ssh -W %h:%p -q ops@bastion.example\"", ["ops@bastion.example"]),
            ("-o 'ProxyCommand=ssh -q -p 2222 -l ops -W %h:%p bastion.example'", ["ops@bastion.example:2222"]),
            ("-o ProxyCommand='ssh bastion.example nc %h %p'", ["bastion.example"]),
            ("-o StrictHostKeyChecking=no -J first.example -o ProxyJump=second.example", ["first.example"]),
            ("-o ProxyJump=none", []),
        ]
    )
    func jumpHosts(arguments: String, expected: [String]) {
        let parsed = facts(["ansible_ssh_common_args": .string(arguments)])
        #expect(parsed.jumpHosts.map(\.description) == expected)
        #expect(parsed.problems.isEmpty)
    }

    @Test("known_hosts file and host key checking from -o, common args before extra args")
    func knownHosts() {
        let parsed = facts([
            "ansible_ssh_common_args": .string("-o UserKnownHostsFile=/lab/known_hosts -o StrictHostKeyChecking=yes"),
            "ansible_ssh_extra_args": .string("-o UserKnownHostsFile=/other -o StrictHostKeyChecking=accept-new -J b"),
        ])
        #expect(parsed.knownHostsFile == "/lab/known_hosts")
        #expect(parsed.strictHostKeyChecking == "yes")
        #expect(parsed.jumpHosts.map(\.description) == ["b"])
    }

    @Test("what drillctl cannot follow is described")
    func unsupported() {
        let proxy = facts(["ansible_ssh_common_args": .string("-o ProxyCommand='connect-proxy -H proxy:8080 %h %p'")])
        #expect(proxy.jumpHosts.isEmpty)
        #expect(
            proxy.problems == [
                "ansible_ssh_common_args: drillctl follows a ProxyCommand only of the form 'ssh -W %h:%p [user@]bastion'; found 'connect-proxy -H proxy:8080 %h %p'; use ProxyJump (-J) instead"
            ]
        )
        #expect(
            facts(["ansible_ssh_common_args": .string("-J")]).problems == [
                "ansible_ssh_common_args ends with '-J' and no value after it"
            ]
        )
        #expect(
            facts(["ansible_ssh_common_args": .string("-o 'ProxyJump=a")]).problems == [
                "cannot read ansible_ssh_common_args: No closing quotation"
            ]
        )
    }

    @Test("an inventory hands out facts after precedence")
    func fromInventory() throws {
        let inventory = try InventoryLoader.load(path: InventoryFixtures.path("inventory/drill.yaml"))
        let web = inventory.connectionFacts(forHost: "yn-tel-web02.example")
        #expect(web.user == "drill")
        #expect(web.jumpHosts == [JumpHost(user: "ops", address: "bastion.yn.example", port: 2222)])
        #expect(web.knownHostsFile == "/etc/drill/known_hosts")
        let app = inventory.connectionFacts(forHost: "yn-mob-app01.example")
        #expect(app.address == "172.16.1.10")
        #expect(app.port == 2202)
        #expect(inventory.connectionFacts(forHost: "gz-uni-dbb.example").jumpHosts.isEmpty)
    }
}
