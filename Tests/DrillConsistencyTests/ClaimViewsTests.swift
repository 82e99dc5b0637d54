import DrillCore
import DrillRun
import DrillStore
import DrillTesting
import Foundation
import Testing

/// A team says "resolved" while the host check still finds the defacement. Every view must say the same thing:
/// the resolve phase is still pending and the claim is not confirmed — for that team only.
@Suite("A claim the check has not confirmed reads the same in every view")
struct ClaimViewsTests {
    @Test("respond, ctl status (text and JSON), the team, evaluator and director pages and APIs, and the report")
    func claimUnconfirmedEverywhere() async throws {
        var practice = try await PracticeRun.quickstart(startedSecondsAgo: 200, prefix: "claim-views")
        defer { practice.remove() }
        // Delivered at T+2m; the engine polls resolved_when every 15 s and finds the page still defaced.
        try await practice.run(untilSeconds: 180)
        let polls = try practice.run.journal.eventsNow(after: 0).map(RunEvent.init).filter {
            if case .checkResult(let result) = $0.body { return !result.passed }
            return false
        }
        #expect(!polls.isEmpty, "the engine checked the hosts before the claim")

        // The console: respond says the claim waits for the check.
        let claim = try await CommandRunner.drillctl([
            "respond", "--run", practice.path, "--team", "yn-telecom", "--inject", "defacement", "resolve",
        ])
        #expect(claim.status == 0, "\(claim)")
        #expect(claim.stdout.contains("claimed; it counts once the check confirms it"), "\(claim)")

        // ctl status as text: the pending line of the claiming team says so, the other team's does not.
        let text = try await CommandRunner.drillctl(["ctl", "--run", practice.path, "status"])
        #expect(text.status == 0, "\(text)")
        let claimLines = text.stdout.split(separator: "\n").filter { $0.contains("claimed, NOT confirmed") }
        #expect(claimLines.count == 1, "\(text.stdout)")
        #expect(claimLines.first?.contains("yn-telecom") == true && claimLines.first?.contains("defacement") == true)

        // ctl status as JSON.
        let json = try await CommandRunner.drillctl(["ctl", "--run", practice.path, "status", "--format", "json"])
        let status = try Self.results(json.stdout, at: ["results"])
        #expect(status["defacement>yn-telecom"]?.resolution == "claimUnconfirmed", "\(json.stdout)")
        #expect(status["defacement>yn-telecom"]?.resolve == "pending")
        #expect(status["defacement>yn-mobile"]?.resolution == "none")

        // The portal: the APIs and the pages of the three roles.
        let director = try #require(practice.codes["director"])
        let telecom = try #require(practice.codes["team yn-telecom"])
        let mobile = try #require(practice.codes["team yn-mobile"])
        let evaluator = try #require(practice.codes.first { $0.key.hasPrefix("evaluator") }?.value)
        try await PortalOnRun.with(practice.run) { port in
            let board = try await PortalOnRun.get("/api/board", port: port, code: director)
            let cells = try Self.portalPhases(board, list: "cells")
            #expect(
                cells["defacement>yn-telecom"] == PortalResolve(status: "pending", claimUnconfirmed: true),
                "\(board)"
            )
            #expect(cells["defacement>yn-mobile"] == PortalResolve(status: "pending", claimUnconfirmed: false))

            let inbox = try await PortalOnRun.get("/api/inbox", port: port, code: telecom)
            let items = try Self.portalPhases(inbox, list: "items", team: "yn-telecom")
            #expect(
                items["defacement>yn-telecom"] == PortalResolve(status: "pending", claimUnconfirmed: true),
                "\(inbox)"
            )
            let otherInbox = try await PortalOnRun.get("/api/inbox", port: port, code: mobile)
            let otherItems = try Self.portalPhases(otherInbox, list: "items", team: "yn-mobile")
            #expect(otherItems["defacement>yn-mobile"] == PortalResolve(status: "pending", claimUnconfirmed: false))

            let marker = "data-claim=\"unconfirmed\""
            for (page, code, count) in [
                ("/team", telecom, 1), ("/team", mobile, 0), ("/director", director, 1), ("/evaluator", evaluator, 1),
            ] {
                let html = try await PortalOnRun.get(page, port: port, code: code)
                #expect(html.components(separatedBy: marker).count - 1 == count, "\(page) as \(code.prefix(4))…")
            }
        }

        // The report (a provisional one: the run still runs), JSON and Markdown.
        let report = try await CommandRunner.drillctl(["report", practice.path, "--format", "json", "-o", "-"])
        #expect(report.status == 0, "\(report)")
        let reported = try Self.results(report.stdout, at: ["evaluation", "results"])
        #expect(reported["defacement>yn-telecom"]?.resolution == "claimUnconfirmed")
        #expect(reported["defacement>yn-telecom"]?.resolve == "pending")
        #expect(reported["defacement>yn-mobile"]?.resolution == "none")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let headline = (document["evaluation"] as? [String: Any])?["headline"] as? [String: Any]
        #expect(headline?["unconfirmedClaims"] as? Int == 1)
        let markdown = try await CommandRunner.drillctl(["report", practice.path, "--format", "md", "-o", "-"])
        let rows = markdown.stdout.split(separator: "\n").filter { $0.contains("队伍报告，主机检查未确认") }
        #expect(rows.count == 1 && rows.first?.contains("云南电信") == true, "\(markdown.stdout)")
    }

    struct Resolve: Equatable {
        var resolve: String?
        var resolution: String?
    }

    struct PortalResolve: Equatable {
        var status: String?
        var claimUnconfirmed: Bool?
    }

    /// `inject>team` → the resolve phase's status and the resolution method, from a document whose `results` list
    /// (at `path`) has `inject`, `team`, `phases[]` and `resolution` (a method or an object with one).
    static func results(_ json: String, at path: [String]) throws -> [String: Resolve] {
        var node: Any = try JSONSerialization.jsonObject(with: Data(json.utf8))
        for key in path { node = try #require((node as? [String: Any])?[key], "no '\(key)'") }
        var results: [String: Resolve] = [:]
        for result in try #require(node as? [[String: Any]]) {
            let phases = result["phases"] as? [[String: Any]] ?? []
            let resolve = phases.first { $0["phase"] as? String == "resolve" }?["status"] as? String
            let method =
                (result["resolution"] as? String) ?? ((result["resolution"] as? [String: Any])?["method"] as? String)
            results["\(result["inject"] ?? "")>\(result["team"] ?? "")"] = Resolve(resolve: resolve, resolution: method)
        }
        return results
    }

    /// `inject>team` → the portal's resolve phase, from `/api/board` (`cells`) or `/api/inbox` (`items`).
    static func portalPhases(_ json: String, list: String, team: String? = nil) throws -> [String: PortalResolve] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var phases: [String: PortalResolve] = [:]
        for entry in try #require(object[list] as? [[String: Any]], "no '\(list)'") {
            let resolve = (entry["phases"] as? [[String: Any]])?.first { $0["phase"] as? String == "resolve" }
            let owner = team ?? (entry["team"] as? String ?? "")
            phases["\(entry["inject"] ?? "")>\(owner)"] = PortalResolve(
                status: resolve?["status"] as? String,
                claimUnconfirmed: resolve?["claimUnconfirmed"] as? Bool
            )
        }
        return phases
    }
}
