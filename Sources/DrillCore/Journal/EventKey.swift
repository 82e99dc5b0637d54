/// Every idempotency key a journal event may carry, as one type: the engine writes its intents with these, so that
/// a resumed engine that records an intent again finds the first one (``JournalWriter/appendIfAbsent(_:)``)
/// instead of acting twice.
///
/// The text forms are wire format (older journals hold them): ``description`` writes them and
/// ``init(parsing:)`` reads them back. `#N` is an occurrence: 1 for the scheduled firing; a director's re-trigger
/// uses the sequence of its control event, so the same journal always gives the same numbers.
public enum EventKey: Sendable, Hashable, CustomStringConvertible {
    /// The run's STARTEX: `startex`.
    case startex
    /// The run's ENDEX: `endex`.
    case endex
    /// An inject is about to fire: `inject:ID#N`, or `inject:ID#N>TEAM` for an escalation (and what follows it)
    /// decided for one team.
    case injectIntent(inject: String, occurrence: Int, team: String?)
    /// The inject whose intent has key `intent` finished firing: `fired:` followed by the intent's key.
    case injectFired(intent: String)
    /// Action number `step` of an inject's firing runs on `host`: `action:ID#N/STEP@HOST`, or
    /// `action:ID#N>TEAM/STEP@HOST` for a firing decided for one team.
    case hostAction(inject: String, occurrence: Int, team: String?, step: Int, host: String)
    /// An inject's message is delivered to `team`: `delivered:ID#N>TEAM`.
    case delivered(inject: String, occurrence: Int, team: String)
    /// Cleanup attempt `attempt` of an inject on `host`: `cleanup:ID#ATTEMPT@HOST`.
    case cleanup(inject: String, attempt: Int, host: String)
    /// The intent at `intentSequence` is marked uncertain: `uncertain:SEQ`.
    case uncertain(intentSequence: Int64)
    /// A simulated team's response: `sim:ID>TEAM/PHASE`.
    case simulatedResponse(inject: String, team: String, phase: ResponsePhase)
    /// The engine's deadline verdict in journals written before phase verdicts: `deadline:ID>TEAM/PHASE`.
    case deadline(inject: String, team: String, phase: ResponsePhase)
    /// The engine's `number`-th verdict on a phase of a delivery: `verdict:ID>TEAM/PHASE#N`.
    case verdict(inject: String, team: String, phase: ResponsePhase, number: Int)

    public var description: String {
        switch self {
        case .startex: "startex"
        case .endex: "endex"
        case .injectIntent(let inject, let occurrence, let team):
            "inject:\(inject)#\(occurrence)" + (team.map { ">\($0)" } ?? "")
        case .injectFired(let intent): "fired:\(intent)"
        case .hostAction(let inject, let occurrence, let team, let step, let host):
            "action:\(inject)#\(occurrence)\(team.map { ">\($0)" } ?? "")/\(step)@\(host)"
        case .delivered(let inject, let occurrence, let team): "delivered:\(inject)#\(occurrence)>\(team)"
        case .cleanup(let inject, let attempt, let host): "cleanup:\(inject)#\(attempt)@\(host)"
        case .uncertain(let sequence): "uncertain:\(sequence)"
        case .simulatedResponse(let inject, let team, let phase): "sim:\(inject)>\(team)/\(phase.rawValue)"
        case .deadline(let inject, let team, let phase): "deadline:\(inject)>\(team)/\(phase.rawValue)"
        case .verdict(let inject, let team, let phase, let number):
            "verdict:\(inject)>\(team)/\(phase.rawValue)#\(number)"
        }
    }

    /// Reads a key's text form; `nil` for text that is not one of the forms above. Ids never contain `#`, `>`,
    /// `/` or `@` (scenario ids are letters, digits, `-` and `_`), but host names may contain anything after the
    /// last `@`.
    public init?(parsing text: String) {
        switch text {
        case "startex":
            self = .startex
            return
        case "endex":
            self = .endex
            return
        default: break
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let prefix = text[..<colon]
        let rest = String(text[text.index(after: colon)...])
        switch prefix {
        case "inject":
            guard let (inject, occurrence, team) = Self.firing(rest) else { return nil }
            self = .injectIntent(inject: inject, occurrence: occurrence, team: team)
        case "fired":
            guard Self(parsing: rest).map({ if case .injectIntent = $0 { true } else { false } }) == true else {
                return nil
            }
            self = .injectFired(intent: rest)
        case "action":
            guard let slash = rest.firstIndex(of: "/"), let at = rest[slash...].firstIndex(of: "@"),
                let (inject, occurrence, team) = Self.firing(String(rest[..<slash])),
                let step = Int(rest[rest.index(after: slash)..<at])
            else { return nil }
            self = .hostAction(
                inject: inject,
                occurrence: occurrence,
                team: team,
                step: step,
                host: String(rest[rest.index(after: at)...])
            )
        case "delivered":
            guard let (inject, occurrence, team) = Self.firing(rest), let team else { return nil }
            self = .delivered(inject: inject, occurrence: occurrence, team: team)
        case "cleanup":
            guard let hash = rest.firstIndex(of: "#"), let at = rest[hash...].firstIndex(of: "@"),
                let attempt = Int(rest[rest.index(after: hash)..<at])
            else { return nil }
            self = .cleanup(
                inject: String(rest[..<hash]),
                attempt: attempt,
                host: String(rest[rest.index(after: at)...])
            )
        case "uncertain":
            guard let sequence = Int64(rest) else { return nil }
            self = .uncertain(intentSequence: sequence)
        case "sim", "deadline", "verdict":
            guard let gt = rest.firstIndex(of: ">"), let slash = rest[gt...].firstIndex(of: "/") else { return nil }
            let inject = String(rest[..<gt])
            let team = String(rest[rest.index(after: gt)..<slash])
            var phaseText = String(rest[rest.index(after: slash)...])
            var number: Int?
            if prefix == "verdict" {
                guard let hash = phaseText.firstIndex(of: "#"), let n = Int(phaseText[phaseText.index(after: hash)...])
                else { return nil }
                number = n
                phaseText = String(phaseText[..<hash])
            }
            guard let phase = ResponsePhase(rawValue: phaseText) else { return nil }
            switch prefix {
            case "sim": self = .simulatedResponse(inject: inject, team: team, phase: phase)
            case "deadline": self = .deadline(inject: inject, team: team, phase: phase)
            default: self = .verdict(inject: inject, team: team, phase: phase, number: number ?? 1)
            }
        default:
            return nil
        }
    }

    /// `ID#N` or `ID#N>TEAM`.
    private static func firing(_ text: String) -> (String, Int, String?)? {
        guard let hash = text.firstIndex(of: "#") else { return nil }
        let inject = String(text[..<hash])
        let afterHash = text[text.index(after: hash)...]
        let gt = afterHash.firstIndex(of: ">")
        guard let occurrence = Int(afterHash[..<(gt ?? afterHash.endIndex)]), occurrence >= 0, !inject.isEmpty
        else { return nil }
        let team = gt.map { String(afterHash[afterHash.index(after: $0)...]) }
        if let team, team.isEmpty { return nil }
        return (inject, occurrence, team)
    }
}

extension JournalEvent {
    /// The event's idempotency key, read as an ``EventKey``; `nil` when it has none or it is not a known form.
    public var key: EventKey? { idempotencyKey.flatMap(EventKey.init(parsing:)) }
}
