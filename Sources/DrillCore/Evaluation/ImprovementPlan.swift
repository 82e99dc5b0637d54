import Yams

/// One row of the improvement plan: an issue, what to do about it, who does it, by when.
public struct ImprovementItem: Sendable, Hashable, Codable {
    /// Where a row came from.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// Seeded from the journal (a missed deadline, a host not put back, …).
        case seeded
        /// Written in the side file only.
        case file
        /// Seeded, then completed or changed by the side file.
        case merged
    }

    /// A stable id: seeded rows have `team:<id>`, `cleanup`, `landing`; file rows may use these to amend them.
    public var id: String
    /// The issue in the author's words; nil for a seeded row the file did not word (renderers word ``fact``).
    public var issue: String?
    public var recommendation: String?
    public var owner: String?
    /// Due date as written (e.g. `2026-07-31`).
    public var due: String?
    public var team: String?
    public var objective: String?
    /// The journal fact a seeded row comes from.
    public var fact: Fact?
    public var origin: Origin

    public init(
        id: String,
        issue: String? = nil,
        recommendation: String? = nil,
        owner: String? = nil,
        due: String? = nil,
        team: String? = nil,
        objective: String? = nil,
        fact: Fact? = nil,
        origin: Origin
    ) {
        self.id = id
        self.issue = issue
        self.recommendation = recommendation
        self.owner = owner
        self.due = due
        self.team = team
        self.objective = objective
        self.fact = fact
        self.origin = origin
    }
}

/// The editable side file of a run's improvement plan (`RUNDIR/improvement-plan.yaml`):
///
/// ```yaml
/// keep_seeded: true            # rows seeded from the journal that the file does not name stay (default)
/// items:
///   - id: team:yn-telecom      # the id of a seeded row: fills in or overrides its fields
///     recommendation: 完善 7×24 值班与告警升级机制
///     owner: 云南电信网络安全部
///     due: 2026-07-31
///   - issue: 跨省通报渠道不畅      # a new row (id optional)
///     recommendation: 建立两省联络员机制
///     owner: 省通信管理局
///     due: 2026-09-30
///     objective: coordinate
///     team: gz-telecom
///   - id: landing
///     drop: true               # removes a seeded row
/// ```
public struct ImprovementPlanFile: Sendable, Hashable {
    /// One entry of `items`.
    public struct Entry: Sendable, Hashable {
        public var id: String?
        public var issue: String?
        public var recommendation: String?
        public var owner: String?
        public var due: String?
        public var team: String?
        public var objective: String?
        public var drop: Bool

        public init(
            id: String? = nil,
            issue: String? = nil,
            recommendation: String? = nil,
            owner: String? = nil,
            due: String? = nil,
            team: String? = nil,
            objective: String? = nil,
            drop: Bool = false
        ) {
            self.id = id
            self.issue = issue
            self.recommendation = recommendation
            self.owner = owner
            self.due = due
            self.team = team
            self.objective = objective
            self.drop = drop
        }
    }

    public var keepSeeded: Bool
    public var items: [Entry]

    public init(keepSeeded: Bool = true, items: [Entry] = []) {
        self.keepSeeded = keepSeeded
        self.items = items
    }

    /// Reads the side file's YAML; `file` names it in diagnostics.
    ///
    /// - Throws: ``DiagnosticsError`` with every problem (file:line:column, what was expected) when the text
    ///   is not valid YAML or not an improvement plan.
    public static func load(text: String, file: String) throws(DiagnosticsError) -> ImprovementPlanFile {
        let source = try YAMLSource(text: text, file: file)
        var r = YAMLReader(source: source)
        var plan = ImprovementPlanFile()
        guard let root = source.root else { return plan }
        if let f = r.fields(root, path: "", what: "an improvement plan", allowed: ["keep_seeded", "items"]) {
            if let node = f["keep_seeded"] {
                if case .scalar(let scalar) = node, let value = Bool.construct(from: scalar) {
                    plan.keepSeeded = value
                } else {
                    r.error("expected true or false for 'keep_seeded', found \(YAMLReader.describe(node))", at: node)
                }
            }
            if let items = f["items"] {
                for (index, item) in r.sequence(items, path: ".items", what: "'items'").enumerated() {
                    let path = ".items[\(index)]"
                    let keys = ["id", "issue", "recommendation", "owner", "due", "team", "objective", "drop"]
                    guard let e = r.fields(item, path: path, what: "an improvement-plan row", allowed: keys) else {
                        continue
                    }
                    var entry = Entry()
                    func text(_ key: String) -> String? {
                        e[key].flatMap { r.string($0, path: path + "." + key, what: "'\(key)'") }
                    }
                    entry.id = text("id")
                    entry.issue = text("issue")
                    entry.recommendation = text("recommendation")
                    entry.owner = text("owner")
                    entry.due = text("due")
                    entry.team = text("team")
                    entry.objective = text("objective")
                    if let node = e["drop"] {
                        if case .scalar(let scalar) = node, let value = Bool.construct(from: scalar) {
                            entry.drop = value
                        } else {
                            r.error("expected true or false for 'drop', found \(YAMLReader.describe(node))", at: node)
                        }
                    }
                    if entry.id == nil && entry.issue == nil {
                        r.error("an improvement-plan row needs an 'issue' (or the 'id' of a seeded row)", at: item)
                    }
                    plan.items.append(entry)
                }
            }
        }
        if r.diagnostics.hasErrors { throw DiagnosticsError(r.diagnostics) }
        return plan
    }

    /// `seeded` rows merged with this file: a file row whose id names a seeded row fills in (or overrides) its
    /// fields, or removes it with `drop: true`; other file rows are added after the seeded ones, in file order;
    /// seeded rows the file does not name stay unless ``keepSeeded`` is false.
    public func merged(with seeded: [ImprovementItem]) -> [ImprovementItem] {
        var byID: [String: Entry] = [:]
        for entry in items { if let id = entry.id { byID[id] = entry } }
        var result: [ImprovementItem] = []
        var used: Set<String> = []
        for seed in seeded {
            guard let entry = byID[seed.id] else {
                if keepSeeded { result.append(seed) }
                continue
            }
            used.insert(seed.id)
            if entry.drop { continue }
            var item = seed
            item.issue = entry.issue ?? seed.issue
            item.recommendation = entry.recommendation ?? seed.recommendation
            item.owner = entry.owner ?? seed.owner
            item.due = entry.due ?? seed.due
            item.team = entry.team ?? seed.team
            item.objective = entry.objective ?? seed.objective
            item.origin = .merged
            result.append(item)
        }
        for (index, entry) in items.enumerated() where !entry.drop {
            if let id = entry.id, used.contains(id) { continue }
            result.append(
                ImprovementItem(
                    id: entry.id ?? "item-\(index + 1)",
                    issue: entry.issue,
                    recommendation: entry.recommendation,
                    owner: entry.owner,
                    due: entry.due,
                    team: entry.team,
                    objective: entry.objective,
                    origin: .file
                )
            )
        }
        return result
    }
}
