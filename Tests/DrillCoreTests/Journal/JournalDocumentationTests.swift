import DrillCore
import DrillTesting
import Foundation
import Testing

/// docs/journal.md documents every event kind's payload; the types are the truth. This reads the table and
/// compares it with the payload types, so the documented wire format cannot drift again.
@Suite("docs/journal.md and the event types agree")
struct JournalDocumentationTests {
    /// A payload with every member set, per kind. The switch is exhaustive: a new kind must be added here.
    static func example(_ known: JournalEvent.Kind.Known) -> (type: String, body: RunEvent.Body) {
        let evidence = CheckEvidence(command: "c", exitStatus: 0, outputExcerpt: "", checkedAtWallMillis: 1).sealed()
        switch known {
        case .runCreated:
            return (
                "RunCreatedPayload",
                .runCreated(
                    RunCreatedPayload(scenario: "s", title: "t", durationMillis: 1, speed: 1, timezone: "UTC")
                )
            )
        case .startex: return ("StartexPayload", .startex(StartexPayload(speed: 1)))
        case .injectIntent:
            return (
                "InjectIntentPayload",
                .injectIntent(
                    InjectIntentPayload(
                        scheduledMillis: 1,
                        hosts: ["h"],
                        teams: ["t"],
                        reason: "schedule",
                        steps: 1,
                        landedCheck: true
                    )
                )
            )
        case .injectFired:
            return (
                "InjectFiredPayload",
                .injectFired(InjectFiredPayload(intentKey: "inject:i#1", occurrence: 1, hosts: 1, teams: 1))
            )
        case .hostActionStarted:
            return ("HostActionIntentPayload", .hostActionStarted(HostActionIntentPayload(step: 0, command: "c")))
        case .hostActionResult:
            return (
                "HostActionResultPayload",
                .hostActionResult(
                    HostActionResultPayload(
                        step: 0,
                        exitStatus: 0,
                        exitSignal: "KILL",
                        timedOut: false,
                        stdoutExcerpt: "",
                        stderrExcerpt: "",
                        connectMillis: 1,
                        authenticateMillis: 1,
                        runMillis: 1,
                        error: "e",
                        started: true
                    )
                )
            )
        case .landedCheck:
            return ("CheckResultPayload", .landedCheck(CheckResultPayload(passed: true, evidence: evidence)))
        case .delivered:
            return (
                "DeliveredPayload",
                .delivered(
                    DeliveredPayload(
                        message: "m",
                        severity: "II",
                        deadlines: [.acknowledge: .seconds(1)],
                        expects: [.acknowledge],
                        resolveByCheck: false,
                        hosts: ["h"]
                    )
                )
            )
        case .response: return ("ResponsePayload", .response(ResponsePayload(phase: .report, text: "x")))
        case .checkResult:
            return ("CheckResultPayload", .checkResult(CheckResultPayload(passed: true, evidence: evidence)))
        case .deadlineMet:
            return ("DeadlinePayload", .deadlineMet(DeadlinePayload(phase: .report, deadlineMillis: 1)))
        case .deadlineMissed:
            return ("DeadlinePayload", .deadlineMissed(DeadlinePayload(phase: .report, deadlineMillis: 1)))
        case .phaseVerdict:
            return (
                "PhaseVerdictPayload",
                .phaseVerdict(PhaseVerdictPayload(phase: .report, status: .met, deadlineMillis: 1, doneAtMillis: 1))
            )
        case .control:
            return (
                "ControlPayload",
                .control(ControlPayload(action: .extend, phase: .report, extension: .seconds(1), reason: "r"))
            )
        case .cleanupIntent: return ("CleanupIntentPayload", .cleanupIntent(CleanupIntentPayload(commands: ["c"])))
        case .cleanupResult:
            return (
                "CleanupResultPayload",
                .cleanupResult(CleanupResultPayload(succeeded: true, exitStatus: 0, outputExcerpt: "", error: "e"))
            )
        case .observation:
            return (
                "ObservationPayload",
                .observation(
                    ObservationPayload(scores: ["d": 1], rating: "P", notes: "n", strengths: ["s"], improvements: ["i"])
                )
            )
        case .ratingReconciled:
            return ("RatingReconciledPayload", .ratingReconciled(RatingReconciledPayload(rating: "S", reason: "r")))
        case .endex: return ("EndexPayload", .endex(EndexPayload(reason: "schedule")))
        case .uncertain:
            return (
                "UncertainPayload",
                .uncertain(UncertainPayload(intentSequence: 1, intentKind: .hostActionStarted, reason: "r"))
            )
        }
    }

    /// One documented row: the kinds it names, the payload type and its members (`name` or `name?`).
    struct Row {
        var kinds: [String]
        var type: String
        var members: [String]
    }

    static func documentedRows() throws -> [Row] {
        let text = try String(
            contentsOf: CommandRunner.packageRoot.appendingPathComponent("docs/journal.md"),
            encoding: .utf8
        )
        let section = try #require(text.components(separatedBy: "### Event kinds").dropFirst().first)
        var rows: [Row] = []
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let kinds = cells[1].split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces.union(["`"])) }
            let payload = cells[3]
            guard let typeStart = payload.firstIndex(of: "`"),
                let typeEnd = payload[payload.index(after: typeStart)...].firstIndex(of: "`"),
                let open = payload.firstIndex(of: "{")
            else { continue }
            let type = String(payload[payload.index(after: typeStart)..<typeEnd])
            // Top-level members of the first {…}: split on commas outside nested braces.
            var depth = 0
            var current = ""
            var members: [String] = []
            for character in payload[payload.index(after: open)...] {
                if character == "{" { depth += 1 }
                if character == "}" {
                    if depth == 0 { break }
                    depth -= 1
                }
                if character == ",", depth == 0 {
                    members.append(current)
                    current = ""
                } else if depth == 0 {
                    current.append(character)
                }
            }
            members.append(current)
            rows.append(
                Row(
                    kinds: kinds,
                    type: type,
                    members: members.map { $0.split(separator: ":")[0].trimmingCharacters(in: .whitespaces) }
                        .filter { !$0.isEmpty }
                )
            )
        }
        return rows
    }

    @Test("every kind is documented once, with its payload type and exactly its members, optional ones marked '?'")
    func tableMatchesTypes() throws {
        let rows = try Self.documentedRows()
        for known in JournalEvent.Kind.Known.allCases {
            let (type, body) = Self.example(known)
            #expect(body.kind == known.kind)
            let matching = rows.filter { $0.kinds.contains(known.rawValue) }
            guard matching.count == 1, let row = matching.first else {
                Issue.record("docs/journal.md documents '\(known.rawValue)' \(matching.count) times")
                continue
            }
            #expect(row.type == type, "\(known.rawValue): documented as \(row.type), the type is \(type)")
            let payload = body.payload
            let members = try #require(payload.objectValue, "\(known.rawValue)").keys.sorted()
            // A member is required when its payload no longer decodes without it.
            let documented = members.map { name -> String in
                var without = payload.objectValue!
                without[name] = nil
                let decodes: Bool =
                    switch RunEvent.Body(kind: known.kind, payload: .object(without)) {
                    case .unreadable: false
                    default: true
                    }
                return decodes ? name + "?" : name
            }
            #expect(
                row.members.sorted() == documented.sorted(),
                "\(known.rawValue): docs say {\(row.members.joined(separator: ", "))}, the type has {\(documented.sorted().joined(separator: ", "))}"
            )
        }
        let documentedKinds = Set(rows.flatMap(\.kinds))
        let knownKinds = Set(JournalEvent.Kind.Known.allCases.map(\.rawValue))
        #expect(
            documentedKinds == knownKinds,
            "documented kinds no type has: \(documentedKinds.subtracting(knownKinds))"
        )
    }

    @Test("every body round-trips through the journal value with no JSON text, and the typed view reads it back")
    func roundTrip() throws {
        for known in JournalEvent.Kind.Known.allCases {
            let body = Self.example(known).body
            let event = JournalEvent(body, runID: "r", wallMillis: 1, exerciseMillis: 1)
            #expect(RunEvent(event).body == body, "\(known.rawValue)")
            #expect(try JournalValue(json: event.payload.canonicalJSON) == event.payload, "\(known.rawValue)")
        }
    }
}
