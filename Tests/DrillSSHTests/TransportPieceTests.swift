import DrillCore
import Testing

@testable import DrillSSH

@Suite("remote command wrapping, output bounds, key inspection and errors")
struct TransportPieceTests {
    @Test("commands are shell-quoted inside timeout -s KILL")
    func wrapping() {
        #expect(
            RemoteCommandWrapper.wrap("echo 'hi' && sleep 1", timeout: .seconds(30))
                == #"printf 'drill-pid:%s\n' "$$" >&2; exec timeout -s KILL 30 sh -c 'echo '\''hi'\'' && sleep 1'"#
        )
        #expect(RemoteCommandWrapper.killCommand(pid: 4242) == "kill -KILL -- -4242 4242 2>/dev/null; true")
        #expect(RemoteCommandWrapper.seconds(.milliseconds(1500)) == "1.500")
        #expect(RemoteCommandWrapper.seconds(.milliseconds(2005)) == "2.005")
        #expect(RemoteCommandWrapper.seconds(.zero) == "0.001")
    }

    @Test("a KILL after the deadline counts as a timeout; an early 137 does not")
    func deadlineDetection() {
        #expect(
            RemoteCommandWrapper.wasKilledByDeadline(
                exitStatus: nil,
                exitSignal: "KILL",
                elapsed: .seconds(2),
                timeout: .seconds(2)
            )
        )
        #expect(
            RemoteCommandWrapper.wasKilledByDeadline(
                exitStatus: 137,
                exitSignal: nil,
                elapsed: .seconds(3),
                timeout: .seconds(2)
            )
        )
        #expect(
            !RemoteCommandWrapper.wasKilledByDeadline(
                exitStatus: 137,
                exitSignal: nil,
                elapsed: .milliseconds(10),
                timeout: .seconds(2)
            )
        )
    }

    @Test("the pid line is taken out of stderr, even when it arrives in pieces; other first lines pass through")
    func pidLine() {
        func run(_ chunks: [String]) -> (Int32?, String) {
            var parser = PidLineParser()
            var passed: [UInt8] = []
            for chunk in chunks {
                let bytes = Array(chunk.utf8)
                passed += bytes.withUnsafeBufferPointer { parser.feed($0) }
            }
            passed += parser.finish()
            return (parser.pid, String(decoding: passed, as: UTF8.self))
        }
        #expect(run(["drill-pid:12", "34\nreal error\n"]) == (1234, "real error\n"))
        #expect(run(["drill-pid:77\n"]) == (77, ""))
        #expect(run(["something else\nmore"]) == (nil, "something else\nmore"))
        #expect(run(["no newline"]) == (nil, "no newline"))
    }

    @Test("output beyond the limit is cut and flagged")
    func bounded() {
        var buffer = BoundedBuffer(limit: 5)
        let bytes: [UInt8] = Array("abc".utf8)
        bytes.withUnsafeBufferPointer { buffer.append($0) }
        #expect(!buffer.truncated)
        bytes.withUnsafeBufferPointer { buffer.append($0) }
        #expect(buffer.text == "abcab")
        #expect(buffer.truncated)
    }

    @Test("PEM armour tells RSA, EC, encrypted and PKCS#8 keys apart without a passphrase")
    func keyInspection() {
        let rsa = PrivateKeyInfo(parsing: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")
        #expect(rsa?.isRSA == true)
        let ec = PrivateKeyInfo(
            parsing:
                "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n"
        )
        #expect(ec?.algorithm == "ecdsa")
        #expect(ec?.encrypted == true)
        #expect(PrivateKeyInfo(parsing: "hello") == nil)
        let encrypted = PrivateKeyInfo(
            parsing: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
        )
        #expect(encrypted?.encrypted == true)
        #expect(encrypted?.format == .pkcs8)
    }

    @Test("an error names the host, the kind of failure and what to do")
    func errorDescription() {
        let error = SSHError(
            code: .connectionRefused,
            message: "127.0.10.1 refused the connection on port 2222; check that sshd runs there",
            host: "web1 (127.0.10.1:2222)",
            underlying: "Connection refused"
        )
        #expect(
            error.description
                == "web1 (127.0.10.1:2222): connection refused: 127.0.10.1 refused the connection on port 2222; check that sshd runs there (Connection refused)"
        )
        #expect(error.code == .connectionRefused)
        #expect(error.code != .timedOut)
    }

    @Test("the host label shows the inventory name and the address it resolves to")
    func label() {
        #expect(
            SSHTransport.label(ConnectionFacts(name: "web1", address: "127.0.10.1", port: 2222))
                == "web1 (127.0.10.1:2222)"
        )
        #expect(SSHTransport.label(ConnectionFacts(name: "db", address: "db")) == "db")
    }
}
