import Foundation

/// One pass over a run's journal that collects what the evaluation needs, keyed for the computation that
/// follows (``RunEvaluator``). Reads payloads through ``JournalValue`` members (no JSON decoding per event),
/// so a 100,000-event journal folds in milliseconds.
struct JournalDigest {
    struct PairKey: Hashable {
        var inject: String
        var team: String
    }

    struct HostKey: Hashable {
        var host: String
        var inject: String
    }

    struct Response {
        var at: Moment
        var actor: String?
        var text: String?
    }

    struct Observation {
        var sequence: Int64
        var at: Moment
        var scores: [String: Double]
        var rating: HSEEPRating?
        var notes: String?
        var strengths: [String]
        var improvements: [String]
    }

    struct Pair {
        var delivered: Moment?
        /// Deadlines from the delivery, relative; nil when the delivery did not carry any.
        var deadlines: [ResponsePhase: Int64]?
        var severity: String?
        var responses: [ResponsePhase: [Response]] = [:]
        var engineVerdicts: [ResponsePhase: Bool] = [:]
        /// First passing `resolved_when` per host.
        var firstPass: [String: Moment] = [:]
        var checkedHosts: Set<String> = []
        /// Latest observation per evaluator.
        var observations: [String: Observation] = [:]
    }

    struct InjectInfo {
        var fired: Moment?
        var fireCount = 0
        var reasons: Set<String> = []
        var intentTeams: Set<String> = []
        var intentHosts: Set<String> = []
    }

    struct HostInjectInfo {
        var actions: [Int: ActionOutcome] = [:]
        var startedSteps: [Int: Moment] = [:]
        var landed: Bool?
        var resolvedAt: Moment?
        var cleanupIntent = false
        var cleanupSucceeded = false
        var cleanupFailed = false
        var cleanupUncertain = false
        var cleanupDetail: String?
    }

    var runID = ""
    var status: RunState.Status = .created
    var eventCount = 0
    var unknownEventCount = 0
    var uncertainCount = 0
    var created: Moment?
    var startex: Moment?
    var endex: Moment?
    var endexReason: String?
    var aborted: Moment?
    var abortReason: String?
    var lastExerciseMillis: Int64 = 0
    var lastWallMillis: Int64 = 0
    var speed: Double?
    var timeZone: String?
    var title: String?
    var scenario: String?
    var durationMillis: Int64?
    var pauses: [Pause] = []
    var extensions: [DeadlineExtension] = []
    var pairs: [PairKey: Pair] = [:]
    var injects: [String: InjectInfo] = [:]
    var hostInjects: [HostKey: HostInjectInfo] = [:]
    var hostTeams: [String: String] = [:]
    var evidence: [EvidenceItem] = []
    var log: [EventLogEntry] = []
    /// Intent sequence → (kind, host, inject, step) for mapping `uncertain` events back.
    var intents: [Int64: (kind: JournalEvent.Kind, host: String?, inject: String?, step: Int)] = [:]

    init(_ events: [JournalEvent], keepLog: Bool = true) {
        if keepLog { log.reserveCapacity(events.count) }
        for event in events { apply(event, keepLog: keepLog) }
    }

    private mutating func apply(_ event: JournalEvent, keepLog: Bool) {
        eventCount += 1
        if runID.isEmpty { runID = event.runID }
        let at = Moment(exerciseMillis: event.exerciseMillis, wallMillis: event.wallMillis)
        lastExerciseMillis = max(lastExerciseMillis, event.exerciseMillis)
        lastWallMillis = max(lastWallMillis, event.wallMillis)
        let previous = status
        status = status.next(applying: event)
        if let host = event.host, let team = event.team, hostTeams[host] == nil { hostTeams[host] = team }
        let payload = event.payload
        var detail = ""

        switch event.kind {
        case .runCreated:
            created = at
            scenario = payload["scenario"]?.stringValue
            title = payload["title"]?.stringValue
            durationMillis = payload["durationMillis"]?.int64Value
            speed = payload["speed"]?.doubleValue ?? speed
            timeZone = payload["timezone"]?.stringValue
        case .startex:
            if startex == nil { startex = at }
            speed = payload["speed"]?.doubleValue ?? speed
        case .injectIntent:
            guard let inject = event.inject else { break }
            var info = injects[inject, default: InjectInfo()]
            if let reason = payload["reason"]?.stringValue {
                info.reasons.insert(reason)
                detail = "reason=\(reason)"
            }
            for team in payload["teams"]?.arrayValue ?? [] {
                if let t = team.stringValue { info.intentTeams.insert(t) }
            }
            for host in payload["hosts"]?.arrayValue ?? [] {
                if let h = host.stringValue { info.intentHosts.insert(h) }
            }
            injects[inject] = info
            if let sequence = event.sequence { intents[sequence] = (event.kind, nil, inject, 0) }
        case .injectFired:
            guard let inject = event.inject else { break }
            var info = injects[inject, default: InjectInfo()]
            info.fireCount += 1
            if info.fired == nil { info.fired = at }
            injects[inject] = info
        case .hostActionStarted:
            guard let inject = event.inject, let host = event.host else { break }
            let step = Int(payload["step"]?.int64Value ?? 0)
            hostInjects[HostKey(host: host, inject: inject), default: HostInjectInfo()].startedSteps[step] = at
            if let sequence = event.sequence { intents[sequence] = (event.kind, host, inject, step) }
            detail = "step=\(step)"
        case .hostActionResult:
            guard let inject = event.inject, let host = event.host else { break }
            let step = Int(payload["step"]?.int64Value ?? 0)
            let exit = payload["exitStatus"]?.int64Value
            let timedOut = payload["timedOut"]?.boolValue ?? false
            let error = payload["error"]?.stringValue
            let succeeded = exit == 0 && !timedOut && error == nil
            hostInjects[HostKey(host: host, inject: inject), default: HostInjectInfo()].actions[step] = ActionOutcome(
                step: step,
                succeeded: succeeded,
                exitStatus: exit,
                timedOut: timedOut,
                error: error,
                runMillis: payload["runMillis"]?.int64Value,
                at: at,
                uncertain: false
            )
            detail = "step=\(step) exit=\(exit.map(String.init) ?? "-")"
            if timedOut { detail += " timed-out" }
            if let error { detail += " error=\(error)" }
        case .landedCheck, .checkResult:
            guard let inject = event.inject, let host = event.host else { break }
            let passed = payload["passed"]?.boolValue ?? false
            let key = HostKey(host: host, inject: inject)
            let team = event.team ?? hostTeams[host]
            if event.kind == .landedCheck {
                // Landed once is landed: a later failing poll does not undo it.
                let before = hostInjects[key]?.landed ?? false
                hostInjects[key, default: HostInjectInfo()].landed = before || passed
            } else {
                if passed, hostInjects[key]?.resolvedAt == nil {
                    hostInjects[key, default: HostInjectInfo()].resolvedAt = at
                }
                if let team {
                    var pair = pairs[PairKey(inject: inject, team: team), default: Pair()]
                    pair.checkedHosts.insert(host)
                    if passed, pair.firstPass[host] == nil { pair.firstPass[host] = at }
                    pairs[PairKey(inject: inject, team: team)] = pair
                }
            }
            evidence.append(Self.evidence(event, kind: event.kind == .landedCheck ? .landed : .resolved, team: team))
            detail = passed ? "passed" : "failed"
        case .delivered:
            guard let inject = event.inject, let team = event.team else { break }
            let key = PairKey(inject: inject, team: team)
            var pair = pairs[key, default: Pair()]
            guard pair.delivered == nil else { break }
            pair.delivered = at
            pair.severity = payload["severity"]?.stringValue
            if let deadlines = payload["deadlines"]?.objectValue {
                var relative: [ResponsePhase: Int64] = [:]
                for (name, value) in deadlines {
                    if let phase = ResponsePhase(rawValue: name), let millis = value.int64Value {
                        relative[phase] = millis
                    }
                }
                pair.deadlines = relative
            }
            pairs[key] = pair
            detail = pair.severity.map { "severity=\($0)" } ?? ""
        case .response:
            guard let inject = event.inject, let team = event.team,
                let phase = payload["phase"]?.stringValue.flatMap(ResponsePhase.init(rawValue:))
            else { break }
            let text = payload["text"]?.stringValue
            pairs[PairKey(inject: inject, team: team), default: Pair()].responses[phase, default: []].append(
                Response(at: at, actor: event.actor?.description, text: text)
            )
            detail = "phase=\(phase.rawValue)"
            if let text { detail += " text=\(Self.shorten(text))" }
        case .deadlineMet, .deadlineMissed:
            guard let inject = event.inject, let team = event.team,
                let phase = payload["phase"]?.stringValue.flatMap(ResponsePhase.init(rawValue:))
            else { break }
            pairs[PairKey(inject: inject, team: team), default: Pair()].engineVerdicts[phase] =
                event.kind == .deadlineMet
            detail = "phase=\(phase.rawValue)"
        case .control:
            let action = payload["action"]?.stringValue ?? ""
            let reason = payload["reason"]?.stringValue
            let actor = event.actor?.description
            detail = "action=\(action)"
            switch action {
            case "pause":
                if previous == .running { pauses.append(Pause(from: at, to: nil, actor: actor, reason: reason)) }
            case "resume":
                if previous == .paused, let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = at }
            case "abort":
                if aborted == nil, !previous.isFinished {
                    aborted = at
                    abortReason = reason
                }
            case "extend":
                if let inject = event.inject,
                    let phase = payload["phase"]?.stringValue.flatMap(ResponsePhase.init(rawValue:)),
                    let millis = payload["extensionMillis"]?.int64Value
                {
                    extensions.append(
                        DeadlineExtension(
                            inject: inject,
                            team: event.team,
                            phase: phase,
                            extensionMillis: millis,
                            at: at,
                            actor: actor,
                            reason: reason
                        )
                    )
                    detail += " phase=\(phase.rawValue) +\(millis)ms"
                }
            default: break
            }
            if let reason { detail += " reason=\(Self.shorten(reason))" }
        case .cleanupIntent:
            guard let inject = event.inject, let host = event.host else { break }
            hostInjects[HostKey(host: host, inject: inject), default: HostInjectInfo()].cleanupIntent = true
            if let sequence = event.sequence { intents[sequence] = (event.kind, host, inject, 0) }
        case .cleanupResult:
            guard let inject = event.inject, let host = event.host else { break }
            let key = HostKey(host: host, inject: inject)
            var info = hostInjects[key, default: HostInjectInfo()]
            let succeeded = payload["succeeded"]?.boolValue ?? false
            if succeeded {
                info.cleanupSucceeded = true
                info.cleanupDetail = nil
            } else if !info.cleanupSucceeded {
                info.cleanupFailed = true
                var parts: [String] = []
                if let exit = payload["exitStatus"]?.int64Value { parts.append("exit \(exit)") }
                if let error = payload["error"]?.stringValue { parts.append(error) }
                if let output = payload["outputExcerpt"]?.stringValue, !output.isEmpty { parts.append(output) }
                info.cleanupDetail = parts.isEmpty ? nil : Self.shorten(parts.joined(separator: "; "))
            }
            hostInjects[key] = info
            detail = succeeded ? "succeeded" : "failed"
        case .observation:
            guard let inject = event.inject, let team = event.team else { break }
            let evaluator = event.actor?.id ?? event.actor?.description ?? "evaluator"
            var scores: [String: Double] = [:]
            for (criterion, value) in payload["scores"]?.objectValue ?? [:] {
                if let number = value.doubleValue { scores[criterion] = number }
            }
            let rating = payload["rating"]?.stringValue.flatMap {
                HSEEPRating(rawValue: String($0.prefix(1)).uppercased())
            }
            func texts(_ key: String) -> [String] {
                (payload[key]?.arrayValue ?? []).compactMap(\.stringValue).filter { !$0.isEmpty }
            }
            pairs[PairKey(inject: inject, team: team), default: Pair()].observations[evaluator] = Observation(
                sequence: event.sequence ?? Int64(eventCount),
                at: at,
                scores: scores,
                rating: rating,
                notes: payload["notes"]?.stringValue,
                strengths: texts("strengths"),
                improvements: texts("improvements")
            )
            detail = rating.map { "rating=\($0.rawValue)" } ?? ""
            if !scores.isEmpty {
                detail +=
                    (detail.isEmpty ? "" : " ")
                    + scores.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.number($0.value))" }.joined(
                        separator: " "
                    )
            }
        case .endex:
            if endex == nil { endex = at }
            endexReason = payload["reason"]?.stringValue
            if let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = at }
            detail = endexReason.map { "reason=\($0)" } ?? ""
        case .uncertain:
            uncertainCount += 1
            let kind = payload["intentKind"]?.stringValue ?? ""
            detail = "intent=\(kind)"
            if let sequence = payload["intentSequence"]?.int64Value, let intent = intents[sequence],
                let host = intent.host, let inject = intent.inject
            {
                let key = HostKey(host: host, inject: inject)
                if intent.kind == .cleanupIntent {
                    hostInjects[key, default: HostInjectInfo()].cleanupUncertain = true
                } else if intent.kind == .hostActionStarted,
                    hostInjects[key]?.actions[intent.step] == nil
                {
                    hostInjects[key, default: HostInjectInfo()].actions[intent.step] = ActionOutcome(
                        step: intent.step,
                        succeeded: false,
                        exitStatus: nil,
                        timedOut: false,
                        error: payload["reason"]?.stringValue,
                        runMillis: nil,
                        at: at,
                        uncertain: true
                    )
                }
            }
        default:
            unknownEventCount += 1
        }

        if keepLog {
            log.append(
                EventLogEntry(
                    sequence: event.sequence ?? Int64(eventCount),
                    kind: event.kind.rawValue,
                    at: at,
                    inject: event.inject,
                    team: event.team,
                    host: event.host,
                    actor: event.actor?.description,
                    detail: detail
                )
            )
        }
    }

    static func evidence(_ event: JournalEvent, kind: EvidenceItem.Kind, team: String?) -> EvidenceItem {
        let payload = event.payload
        let evidence = payload["evidence"]
        var item = EvidenceItem(
            kind: kind,
            sequence: event.sequence ?? 0,
            inject: event.inject ?? "",
            team: team,
            host: event.host ?? "",
            at: Moment(exerciseMillis: event.exerciseMillis, wallMillis: event.wallMillis),
            passed: payload["passed"]?.boolValue ?? false,
            command: evidence?["command"]?.stringValue,
            exitStatus: evidence?["exitStatus"]?.int64Value,
            outputExcerpt: evidence?["outputExcerpt"]?.stringValue,
            digest: evidence?["digest"]?.stringValue,
            intact: false
        )
        if let command = item.command, let checkedAt = evidence?["checkedAtWallMillis"]?.int64Value,
            let digest = item.digest
        {
            var sealed = CheckEvidence(
                command: command,
                exitStatus: item.exitStatus.flatMap { Int32(exactly: $0) },
                outputExcerpt: item.outputExcerpt ?? "",
                checkedAtWallMillis: checkedAt
            )
            sealed.digest = digest
            item.intact = sealed.isIntact
        }
        return item
    }

    /// `text` on one line, at most 120 characters.
    static func shorten(_ text: String) -> String {
        var line = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
        if line.count > 120 { line = String(line.prefix(119)) + "…" }
        return line
    }

    /// A number without a needless `.0`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
