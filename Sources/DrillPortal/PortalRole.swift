/// The three kinds of portal user.
public enum PortalRole: String, Sendable, Hashable, CaseIterable, Codable {
    /// A participating team: sees only injects delivered to it and only its own responses.
    case team
    /// An evaluator: sees every team and inject, records observations; cannot control or respond.
    case evaluator
    /// The drill director (exercise control): sees everything and controls the drill.
    case director
}

/// Who is signed in: a role and which team / evaluator / director.
public struct PortalIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var role: PortalRole
    /// The team id, the evaluator's name, or `director`.
    public var subject: String

    public init(role: PortalRole, subject: String) {
        self.role = role
        self.subject = subject
    }

    public var description: String { "\(role.rawValue):\(subject)" }
}
