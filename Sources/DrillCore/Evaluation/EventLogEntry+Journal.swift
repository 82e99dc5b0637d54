import Foundation

extension EventLogEntry {
    /// The appendix line of one event: its kind, time, ids and the payload's essentials as `key=value` text.
    public init(_ event: RunEvent) {
        var detail = ""
        switch event.body {
        case .injectIntent(let intent):
            if let reason = intent.reason { detail = "reason=\(reason)" }
        case .hostActionStarted(let started):
            detail = "step=\(started.step)"
        case .hostActionResult(let result):
            detail = "step=\(result.step) exit=\(result.exitStatus.map(String.init) ?? "-")"
            if result.timedOut { detail += " timed-out" }
            if let error = result.error { detail += " error=\(error)" }
        case .landedCheck(let check), .checkResult(let check):
            detail = check.passed ? "passed" : "failed"
        case .delivered(let delivered):
            detail = delivered.severity.map { "severity=\($0)" } ?? ""
        case .response(let response):
            detail = "phase=\(response.phase.rawValue)"
            if let text = response.text { detail += " text=\(Self.shorten(text))" }
        case .deadlineMet(let deadline), .deadlineMissed(let deadline):
            detail = "phase=\(deadline.phase.rawValue)"
        case .phaseVerdict(let verdict):
            detail = "phase=\(verdict.phase.rawValue) status=\(verdict.status.rawValue)"
        case .control(let control):
            detail = "action=\(control.action.rawValue)"
            if control.action == .extend, let phase = control.phase, let millis = control.extensionMillis {
                detail += " phase=\(phase.rawValue) +\(millis)ms"
            }
            if let reason = control.reason { detail += " reason=\(Self.shorten(reason))" }
        case .cleanupResult(let result):
            detail = result.succeeded ? "succeeded" : "failed"
        case .observation(let observation):
            detail = observation.rating.map { "rating=\($0)" } ?? ""
            if !observation.scores.isEmpty {
                detail +=
                    (detail.isEmpty ? "" : " ")
                    + observation.scores.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.number($0.value))" }
                    .joined(separator: " ")
            }
        case .ratingReconciled(let reconciled):
            detail = "rating=\(reconciled.rating) reason=\(Self.shorten(reconciled.reason))"
        case .endex(let endex):
            detail = endex.reason.map { "reason=\($0)" } ?? ""
        case .uncertain(let uncertain):
            detail = "intent=\(uncertain.intentKind)"
        case .unreadable(_, _, let reason):
            detail = "unreadable: \(Self.shorten(reason))"
        case .runCreated, .startex, .injectFired, .cleanupIntent, .unknown:
            break
        }
        self.init(
            sequence: event.sequence,
            kind: event.body.kind.rawValue,
            at: Moment(exerciseMillis: event.exerciseMillis, wallMillis: event.wallMillis),
            inject: event.inject,
            team: event.team,
            host: event.host,
            actor: event.actor?.description,
            detail: detail
        )
    }

    /// `text` on one line, at most 120 characters.
    public static func shorten(_ text: String) -> String {
        var line = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
        if line.count > 120 { line = String(line.prefix(119)) + "…" }
        return line
    }

    /// A number without a needless `.0`.
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension EvidenceItem {
    /// The evidence of one check event, with whether its digest still matches.
    public init(_ event: RunEvent, _ check: CheckResultPayload, kind: Kind, team: String?) {
        let evidence = check.evidence
        self.init(
            kind: kind,
            sequence: event.sequence,
            inject: event.inject ?? "",
            team: team,
            host: event.host ?? "",
            at: Moment(exerciseMillis: event.exerciseMillis, wallMillis: event.wallMillis),
            passed: check.passed,
            command: evidence.command,
            exitStatus: evidence.exitStatus.map(Int64.init),
            outputExcerpt: evidence.outputExcerpt,
            digest: evidence.digest,
            intact: evidence.digest != nil && evidence.isIntact
        )
    }
}
