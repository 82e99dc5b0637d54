public import DrillCore

/// Plain-text views of a run for terminals: `ctl status`, the live view, the end-of-run summary. Pure.
public enum RunStatusText {
    /// `T+00:12:34` for exercise milliseconds.
    public static func clock(_ millis: Int64) -> String {
        let seconds = max(0, millis) / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "T+\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// The run at exercise time `now`: status, clock, injects fired, pending responses with time left, host
    /// failures and hosts still to clean. `plan` adds the next injects.
    public static func status(_ state: RunState, now: Int64, plan: Plan? = nil, next: [FireOrder] = []) -> String {
        var lines: [String] = []
        var head = "run \(state.runID ?? "?")  \(state.status.rawValue)  \(clock(now))"
        if let plan { head += " / \(clock(plan.scenario.duration.engineMillis))" }
        lines.append(head)
        let fired = state.firedInjects
        lines.append("fired: \(fired.isEmpty ? "none yet" : fired.joined(separator: ", "))")
        if let plan, !state.status.isFinished {
            let upcoming = plan.injects.filter { state.injects[$0.id]?.intentAtMillis == nil }
                .filter { if case .at = $0.trigger { return true } else { return false } }
                .prefix(3)
                .map { "\($0.id) at \(clock($0.time.engineMillis))" }
            if !upcoming.isEmpty { lines.append("next: \(upcoming.joined(separator: ", "))") }
        }
        var pending: [String] = []
        for (key, teamState) in state.teamInjects.sorted(by: { $0.key < $1.key }) {
            guard teamState.deliveredAtMillis != nil else { continue }
            for phase in ResponsePhase.allCases where teamState.responses[phase] == nil {
                guard !(phase == .resolve && teamState.resolvedByCheckAtMillis != nil) else { continue }
                if let deadline = teamState.deadline(phase) {
                    let left = deadline - now
                    let when =
                        left >= 0
                        ? "\(DurationText.format(.milliseconds(left))) left"
                        : "MISSED by \(DurationText.format(.milliseconds(-left)))"
                    pending.append("  \(key.team) \(key.inject) \(phase.rawValue): \(when)")
                } else {
                    pending.append("  \(key.team) \(key.inject) \(phase.rawValue): no deadline")
                }
                break
            }
        }
        if !pending.isEmpty {
            lines.append("pending responses:")
            lines += pending
        }
        let failures = state.injects.sorted { $0.key < $1.key }.flatMap { inject, injectState in
            injectState.actionOutcomes.filter { !$0.value }.keys.sorted().map { "  \($0): action of \(inject) failed" }
                + injectState.landed.filter { !$0.value }.keys.sorted().map { "  \($0): \(inject) did not land" }
        }
        if !failures.isEmpty {
            lines.append("host failures:")
            lines += failures
        }
        if !state.uncertainIntents.isEmpty {
            lines.append("uncertain (outcome unknown, not repeated):")
            lines += state.uncertainIntents.map { "  \($0.kind) \($0.inject ?? "") @ \($0.host ?? "")" }
        }
        if state.status.isFinished {
            let unclean = state.hostsNeedingCleanup
            if unclean.isEmpty {
                lines.append("cleanup: every touched host is put back")
            } else {
                lines.append("NOT CLEANED:")
                lines += unclean.map { "  \($0.host): \($0.injects.joined(separator: ", "))" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line for a journal event, for plain (non-terminal) output; nil for events not worth a line.
    public static func line(_ event: JournalEvent) -> String? {
        let at = clock(event.exerciseMillis)
        let who = [event.inject, event.team.map { "team \($0)" }, event.host.map { "host \($0)" }]
            .compactMap { $0 }.joined(separator: " ")
        switch event.kind {
        case .startex: return "\(at) STARTEX"
        case .injectIntent:
            let reason = event.payload["reason"]?.stringValue ?? "schedule"
            return "\(at) fire \(event.inject ?? "?") (\(reason))"
        case .hostActionResult:
            let ok = event.payload["exitStatus"]?.int64Value == 0 && event.payload["error"] == nil
            return ok
                ? nil
                : "\(at) HOST FAILURE \(who): \(event.payload["error"]?.stringValue ?? "exit \(event.payload["exitStatus"]?.int64Value.map(String.init) ?? "?")")"
        case .landedCheck:
            return event.payload["passed"]?.boolValue == true ? nil : "\(at) NOT LANDED \(who)"
        case .delivered: return "\(at) delivered \(who)"
        case .response:
            let phase = event.payload["phase"]?.stringValue ?? "?"
            return "\(at) \(phase) \(who) (\(event.actor?.description ?? "?"))"
        case .checkResult:
            return event.payload["passed"]?.boolValue == true ? "\(at) resolved (check passed) \(who)" : nil
        case .deadlineMet, .deadlineMissed:
            let phase = event.payload["phase"]?.stringValue ?? "?"
            return "\(at) deadline \(phase) \(event.kind == .deadlineMet ? "met" : "MISSED") \(who)"
        case .control:
            let action = event.payload["action"]?.stringValue ?? "?"
            return "\(at) control \(action)\(event.inject.map { " " + $0 } ?? "") by \(event.actor?.description ?? "?")"
        case .cleanupResult:
            let ok = event.payload["succeeded"]?.boolValue == true
            return "\(at) cleanup \(ok ? "ok" : "FAILED") \(who)"
        case .uncertain: return "\(at) UNCERTAIN \(who)"
        case .endex: return "\(at) ENDEX (\(event.payload["reason"]?.stringValue ?? ""))"
        default: return nil
        }
    }
}
