import DrillPortal
import DrillStore
import DrillTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Yams

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the served document parses, matches docs/openapi.yaml, and lists every route the router serves")
    func documentCoversRoutes() async throws {
        let harness = try await PortalHarness.start()
        defer { Task { await harness.stop() } }
        let response = try await harness.request(.get, "/openapi.yaml")
        #expect(response.status.code == 200)
        #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
        let text = response.text
        let file = try String(
            contentsOfFile: CommandRunner.packageRoot.appendingPathComponent("docs/openapi.yaml").path,
            encoding: .utf8
        )
        #expect(text == file, "docs/openapi.yaml and the served copy (OpenAPIDocument.swift) differ")
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
        let paths = try #require(document["paths"] as? [String: Any])
        var missing: [String] = []
        for route in PortalRoutes.all {
            let operations = paths[route.path] as? [String: Any]
            if operations?[route.method.rawValue.lowercased()] == nil { missing.append(route.description) }
        }
        #expect(missing.isEmpty, "not in openapi.yaml: \(missing)")
    }
}
