import DrillCore
import Foundation
import Hummingbird
import HummingbirdCore

/// `application/x-www-form-urlencoded` bodies.
enum FormBody {
    /// The fields of `bytes`, or `nil` when it is not valid UTF-8 form encoding. A repeated field keeps its
    /// first value.
    static func parse(_ bytes: [UInt8]) -> [String: String]? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { return nil }
            guard let value = decode(parts.count > 1 ? parts[1] : "") else { return nil }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

/// JSON bodies: parsed with the journal's strict JSON parser (which keeps booleans, integers and strings
/// apart), then checked field by field so each problem gets its own reason.
enum JSONBody {
    typealias Object = [String: JournalValue]

    static func object(_ call: Portal.Call) throws -> Object {
        let type = (call.request.headers[.contentType] ?? "").lowercased()
        guard type.hasPrefix("application/json") else { throw PortalError.unsupportedMediaType("application/json") }
        guard !call.body.isEmpty else { throw PortalError.badRequest("the request needs a JSON object body") }
        guard let text = String(validating: call.body, as: UTF8.self) else {
            throw PortalError.badRequest("the body is not UTF-8 text")
        }
        let value: JournalValue
        do {
            value = try JournalValue(json: text)
        } catch {
            throw PortalError.badRequest("the body is not valid JSON")
        }
        guard let object = value.objectValue else { throw PortalError.badRequest("the body must be a JSON object") }
        return object
    }

    static func string(_ object: Object, _ key: String, required: Bool, max: Int) throws -> String? {
        guard let raw = object[key], raw != .null else {
            if required { throw PortalError.invalid("'\(key)' is required") }
            return nil
        }
        guard let text = raw.stringValue else { throw PortalError.invalid("'\(key)' must be a string") }
        guard text.count <= max else { throw PortalError.invalid("'\(key)' is at most \(max) characters") }
        return text
    }

    static func bool(_ object: Object, _ key: String) throws -> Bool {
        guard let raw = object[key], raw != .null else { return false }
        guard let flag = raw.boolValue else { throw PortalError.invalid("'\(key)' must be true or false") }
        return flag
    }

    static func strings(_ object: Object, _ key: String, maxCount: Int, max: Int) throws -> [String] {
        guard let raw = object[key], raw != .null else { return [] }
        guard let items = raw.arrayValue else { throw PortalError.invalid("'\(key)' must be an array of strings") }
        guard items.count <= maxCount else { throw PortalError.invalid("'\(key)' has at most \(maxCount) items") }
        return try items.map { item in
            guard let text = item.stringValue else { throw PortalError.invalid("'\(key)' must be an array of strings") }
            guard text.count <= max else { throw PortalError.invalid("each of '\(key)' is at most \(max) characters") }
            return text
        }
    }

    static func number(_ object: Object, _ key: String) throws -> Double? {
        guard let raw = object[key], raw != .null else { return nil }
        guard let number = raw.doubleValue else { throw PortalError.invalid("'\(key)' must be a number") }
        return number
    }
}

/// An observation as submitted by a form or the API.
struct ObservationInput {
    var inject: String
    var team: String
    var scores: [String: Double]
    var rating: String?
    var notes: String?

    static let ratings: Set<String> = ["P", "S", "M", "U"]

    static func fromForm(_ form: [String: String], criteria: [RubricCriterion]) throws -> ObservationInput {
        var inject = form["inject"] ?? ""
        var team = form["team"] ?? ""
        // The page sends the pair as one select value "inject|team".
        if let pair = form["pair"], let bar = pair.firstIndex(of: "|") {
            inject = String(pair[..<bar])
            team = String(pair[pair.index(after: bar)...])
        }
        guard !inject.isEmpty, !team.isEmpty else { throw PortalError.invalid("choose an inject and a team") }
        var scores: [String: Double] = [:]
        for criterion in criteria {
            guard let text = form["score.\(criterion.id)"], !text.isEmpty else { continue }
            guard let value = Int(text) else {
                throw PortalError.invalid("the score for '\(criterion.id)' must be a whole number")
            }
            scores[criterion.id] = Double(value)
        }
        let rating = form["rating"].flatMap { $0.isEmpty ? nil : $0 }
        let notes = form["notes"].flatMap { $0.isEmpty ? nil : $0 }
        return try validated(
            ObservationInput(inject: inject, team: team, scores: scores, rating: rating, notes: notes),
            criteria
        )
    }

    static func fromJSON(_ object: JSONBody.Object, criteria: [RubricCriterion]) throws -> ObservationInput {
        guard let inject = try JSONBody.string(object, "inject", required: true, max: 128),
            let team = try JSONBody.string(object, "team", required: true, max: 128)
        else { throw PortalError.invalid("'inject' and 'team' are required") }
        var scores: [String: Double] = [:]
        if let raw = object["scores"], raw != .null {
            guard let table = raw.objectValue else {
                throw PortalError.invalid("'scores' must be an object of criterion: number")
            }
            for (name, value) in table {
                guard let number = value.doubleValue else {
                    throw PortalError.invalid("the score for '\(String(name.prefix(64)))' must be a number")
                }
                scores[name] = number
            }
        }
        let rating = try JSONBody.string(object, "rating", required: false, max: 1)
        let notes = try JSONBody.string(object, "notes", required: false, max: 8000)
        return try validated(
            ObservationInput(inject: inject, team: team, scores: scores, rating: rating, notes: notes),
            criteria
        )
    }

    private static func validated(_ input: ObservationInput, _ criteria: [RubricCriterion]) throws -> ObservationInput {
        let known = Set(criteria.map(\.id))
        for (name, value) in input.scores {
            guard known.contains(name) else {
                throw PortalError.invalid(
                    "unknown criterion '\(String(name.prefix(64)))'; expected one of \(criteria.map(\.id).joined(separator: ", "))"
                )
            }
            guard value >= 0, value <= 5, value.rounded() == value else {
                throw PortalError.invalid("the score for '\(name)' must be a whole number from 0 to 5")
            }
        }
        if let rating = input.rating, !ratings.contains(rating) {
            throw PortalError.invalid("'rating' must be one of P, S, M, U")
        }
        guard !input.scores.isEmpty || input.rating != nil || !(input.notes ?? "").isEmpty else {
            throw PortalError.invalid("an observation needs at least one score, a rating or notes")
        }
        return input
    }
}

/// A control as submitted by the director's form or the API.
struct ControlInput {
    var request: PortalControlRequest
    var confirmed: Bool

    static func fromForm(_ form: [String: String]) throws -> ControlInput {
        try make(
            action: form["action"],
            inject: form["inject"].flatMap { $0.isEmpty ? nil : $0 },
            teams: form["team"].flatMap { $0.isEmpty ? nil : [$0] } ?? [],
            phase: form["phase"].flatMap { $0.isEmpty ? nil : $0 },
            minutes: try form["minutes"].flatMap { text -> Double? in
                if text.isEmpty { return nil }
                guard let value = Double(text) else { throw PortalError.invalid("'minutes' must be a number") }
                return value
            },
            reason: form["reason"].flatMap { $0.isEmpty ? nil : $0 },
            confirmed: form["confirm"] == "yes" || form["confirm"] == "true"
        )
    }

    static func fromJSON(_ object: JSONBody.Object) throws -> ControlInput {
        try make(
            action: try JSONBody.string(object, "action", required: true, max: 32),
            inject: try JSONBody.string(object, "inject", required: false, max: 128),
            teams: try JSONBody.string(object, "team", required: false, max: 128).map { [$0] }
                ?? JSONBody.strings(object, "teams", maxCount: 1000, max: 128),
            phase: try JSONBody.string(object, "phase", required: false, max: 32),
            minutes: try JSONBody.number(object, "minutes"),
            reason: try JSONBody.string(object, "reason", required: false, max: 2000),
            confirmed: try JSONBody.bool(object, "confirm")
        )
    }

    private static func make(
        action: String?,
        inject: String?,
        teams: [String],
        phase: String?,
        minutes: Double?,
        reason: String?,
        confirmed: Bool
    ) throws -> ControlInput {
        let directorActions: Set<String> = ["pause", "resume", "trigger", "extend", "abort"]
        guard let action, directorActions.contains(action), let parsed = ControlPayload.Action(rawValue: action) else {
            throw PortalError.invalid("'action' must be one of pause, resume, trigger, extend, abort")
        }
        var parsedPhase: ResponsePhase?
        if let phase {
            guard let value = ResponsePhase(rawValue: phase) else {
                throw PortalError.invalid("'phase' must be one of acknowledge, report, resolve")
            }
            parsedPhase = value
        }
        var duration: Duration?
        if let minutes {
            guard minutes > 0, minutes <= 24 * 60 else { throw PortalError.invalid("'minutes' must be from 0 to 1440") }
            duration = .milliseconds(Int64(minutes * 60_000))
        }
        return ControlInput(
            request: PortalControlRequest(
                action: parsed,
                inject: inject,
                teams: teams,
                phase: parsedPhase,
                extension: duration,
                reason: reason
            ),
            confirmed: confirmed
        )
    }
}

/// A reconciled panel rating as submitted by the API.
struct ReconcileInput {
    var inject: String
    var team: String
    var rating: String
    var reason: String

    static func fromJSON(_ object: JSONBody.Object) throws -> ReconcileInput {
        guard let inject = try JSONBody.string(object, "inject", required: true, max: 128),
            let team = try JSONBody.string(object, "team", required: true, max: 128),
            let rating = try JSONBody.string(object, "rating", required: true, max: 1),
            let reason = try JSONBody.string(object, "reason", required: true, max: RunRules.reportTextLimit)
        else { throw PortalError.invalid("'inject', 'team', 'rating' and 'reason' are required") }
        guard ObservationInput.ratings.contains(rating) else {
            throw PortalError.invalid("'rating' must be one of P, S, M, U")
        }
        return ReconcileInput(inject: inject, team: team, rating: rating, reason: reason)
    }
}
