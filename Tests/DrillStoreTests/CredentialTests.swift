import Crypto
import DrillCore
import DrillTesting
import Foundation
import Testing

@testable import DrillStore

@Suite("Access codes are stored only as salted HMAC-SHA256 hashes")
struct CredentialTests {
    @Test("A stored code verifies for its role and subject, and no other code does")
    func storeAndVerify() throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let teamCode = AccessCode.generate()
        let directorCode = AccessCode.generate()
        try fixture.journal.storeCredential(
            role: "team",
            subject: "yn-telecom",
            hash: .make(code: teamCode),
            wallMillis: 1
        )
        try fixture.journal.storeCredential(
            role: "director",
            subject: "director",
            hash: .make(code: directorCode),
            wallMillis: 1
        )

        #expect(try fixture.journal.verify(code: teamCode)?.subject == "yn-telecom")
        #expect(try fixture.journal.verify(code: directorCode)?.role == "director")
        #expect(try fixture.journal.verify(code: AccessCode.generate()) == nil)
        #expect(try fixture.journal.verify(code: "") == nil)
        #expect(try fixture.journal.verify(role: "team", subject: "yn-telecom", code: teamCode))
        #expect(try !fixture.journal.verify(role: "team", subject: "gz-mobile", code: teamCode))
        #expect(try !fixture.journal.verify(role: "director", subject: "director", code: teamCode))
    }

    @Test("Storing again replaces the old code")
    func replace() throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let old = AccessCode.generate()
        let new = AccessCode.generate()
        try fixture.journal.storeCredential(role: "evaluator", subject: "li", hash: .make(code: old), wallMillis: 1)
        try fixture.journal.storeCredential(role: "evaluator", subject: "li", hash: .make(code: new), wallMillis: 2)
        #expect(try fixture.journal.credentials().count == 1)
        #expect(try fixture.journal.verify(code: old) == nil)
        #expect(try fixture.journal.verify(code: new)?.subject == "li")
    }

    @Test("The code never reaches the journal file; the hash is HMAC-SHA256 keyed by the salt")
    func onlyHashesOnDisk() throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let code = AccessCode.generate()
        let hash = CredentialHash.make(code: code)
        try fixture.journal.storeCredential(role: "team", subject: "t", hash: hash, wallMillis: 1)
        var bytes = Data()
        for suffix in ["", "-wal"] {
            bytes += (try? Data(contentsOf: URL(fileURLWithPath: fixture.path + suffix))) ?? Data()
        }
        #expect(bytes.range(of: Data(code.utf8)) == nil)
        #expect(bytes.range(of: Data(hash.hash.utf8)) != nil)
        let expected = HMAC<SHA256>.authenticationCode(
            for: Data(code.utf8),
            using: SymmetricKey(data: Data(hash.salt.utf8))
        )
        #expect(hash.hash == expected.map { String(format: "%02x", $0) }.joined())
        #expect(hash.salt.count == 32)
        #expect(CredentialHash.make(code: code).hash != hash.hash, "two hashes of one code differ by salt")
    }

    @Test("Access codes carry 128 random bits in readable groups")
    func codeShape() {
        let codes = (0..<2000).map { _ in AccessCode.generate() }
        #expect(Set(codes).count == codes.count)
        let allowed = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ-")
        for code in codes.prefix(50) {
            #expect(code.count == 26 + 5)
            #expect(code.split(separator: "-").map(\.count) == [5, 5, 5, 5, 5, 1])
            #expect(code.allSatisfy(allowed.contains))
        }
    }
}
