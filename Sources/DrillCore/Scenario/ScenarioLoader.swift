import Foundation
import Yams

/// A scenario read from YAML, with where each part came from and the problems found while reading it.
public struct LoadedScenario: Sendable {
    /// The scenario, as complete as the file allowed: parts with errors are left out or given placeholder
    /// values, so that validation can still check the rest in the same pass.
    public var scenario: Scenario
    /// Positions of the scenario's parts, for later diagnostics.
    public var sourceMap: SourceMap
    /// Problems found while reading (unknown keys, wrong types, bad durations, duplicate ids, missing keys).
    public var diagnostics: Diagnostics
    /// The path the scenario was read from.
    public var file: String
    /// The file's text, for diagnostics' snippets.
    public var text: String
}

/// Reads scenario YAML into a ``Scenario``, collecting every problem in one pass.
public enum ScenarioLoader {
    /// The keys a scenario file may have at its top level (plus any key starting with `x-`, for anchors).
    public static let topLevelKeys = [
        "drill", "title", "timezone", "duration", "startex", "scope", "provinces", "teams", "objectives",
        "severity_deadlines", "scoring", "evaluation", "vars", "injects",
    ]
    /// The keys an inject may have.
    public static let injectKeys = [
        "id", "title", "at", "after", "severity", "targets", "message", "actions", "landed_when",
        "resolved_when", "remedy", "deadlines", "cleanup", "objectives", "vars", "expects",
    ]

    /// Reads the scenario at `path`.
    ///
    /// - Throws: ``DiagnosticsError`` when the file cannot be read or is not valid YAML (with its line and
    ///   column). Every other problem is returned in ``LoadedScenario/diagnostics``.
    public static func load(path: String) throws(DiagnosticsError) -> LoadedScenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "does not exist"
            throw DiagnosticsError(.error("the scenario file '\(path)' \(reason)", at: nil))
        }
        return try load(text: text, file: path)
    }

    /// Reads scenario YAML from `text`; `file` names it in diagnostics.
    ///
    /// - Throws: ``DiagnosticsError`` when `text` is not valid YAML. Every other problem is returned in
    ///   ``LoadedScenario/diagnostics``.
    public static func load(text: String, file: String) throws(DiagnosticsError) -> LoadedScenario {
        // Every scalar is read from its text (durations, modes, ids) or with YAML11Scalar (variables), so Yams
        // need not resolve tags: `.basic` keeps composing a 2,000-inject scenario fast.
        let source = try YAMLSource(text: text, file: file, resolver: .basic)
        var reader = YAMLReader(source: source)
        let scenario = read(&reader)
        return LoadedScenario(
            scenario: scenario,
            sourceMap: reader.sourceMap,
            diagnostics: reader.diagnostics,
            file: file,
            text: text
        )
    }

    /// The duration used when the scenario's own is missing or wrong: long enough that no inject is reported as
    /// falling after ENDEX because of an error already reported.
    static let placeholderDuration: Duration = .seconds(100 * 86_400)

    static func read(_ r: inout YAMLReader) -> Scenario {
        var scenario = Scenario(
            id: "",
            title: "",
            duration: placeholderDuration,
            scope: [],
            provinces: [],
            teams: [],
            injects: []
        )
        guard let root = r.source.root else {
            r.diagnostics.error(
                "the scenario file is empty; it needs at least 'drill', 'duration', 'scope', 'provinces', 'teams' and 'injects'",
                at: r.source.start
            )
            return scenario
        }
        guard
            let top = r.fields(
                root,
                path: "",
                what: "the scenario",
                allowed: topLevelKeys,
                required: ["drill", "duration", "scope", "provinces", "teams", "injects"]
            )
        else { return scenario }

        if let node = top["drill"] { scenario.id = r.identifier(node, path: ".drill", what: "the drill id") ?? "" }
        if let node = top["title"] { scenario.title = r.string(node, path: ".title", what: "'title'") ?? "" }
        if scenario.title.isEmpty { scenario.title = scenario.id }
        var timeZone = TimeZone(identifier: "UTC")!
        if let node = top["timezone"], let name = r.string(node, path: ".timezone", what: "'timezone'") {
            if let zone = TimeZone(identifier: name) {
                timeZone = zone
                scenario.timeZone = name
            } else {
                r.error(
                    "unknown time zone '\(name)'; use an IANA name such as Asia/Shanghai or UTC",
                    at: node,
                    hint: Suggestions.didYouMean(name, among: TimeZone.knownTimeZoneIdentifiers)
                )
            }
        }
        if let node = top["duration"], let duration = r.duration(node, path: ".duration", what: "'duration'") {
            if duration <= .zero {
                r.error("the drill's duration must be longer than 0s", at: node)
            } else {
                scenario.duration = duration
            }
        }
        if let node = top["startex"], let text = r.string(node, path: ".startex", what: "'startex'") {
            if let date = WallTime.parse(text, timeZone: timeZone) {
                scenario.startex = date
            } else {
                r.error(
                    "'\(text)' is not a date and time; write ISO 8601 such as 2026-06-18T09:00:00+08:00 (without an offset it is read in the drill's time zone)",
                    at: node
                )
            }
        }
        if let node = top["scope"] {
            if YAMLReader.isNull(node) || node.sequence?.isEmpty == true {
                r.error(
                    "'scope' names no hosts; list the host patterns the drill may touch (for example 'all')",
                    at: node
                )
            } else {
                scenario.scope = r.strings(node, path: ".scope", what: "'scope'")
            }
        }
        if let node = top["provinces"] { scenario.provinces = readProvinces(node, &r) }
        if let node = top["teams"] { scenario.teams = readTeams(node, &r) }
        if let node = top["objectives"] { scenario.objectives = readObjectives(node, &r) }
        if let node = top["severity_deadlines"] { readSeverityDeadlines(node, into: &scenario.severityDeadlines, &r) }
        if let node = top["scoring"] { scenario.scoring = readScoring(node, &r) }
        if let node = top["evaluation"] { scenario.evaluation = readEvaluation(node, &r) }
        if let node = top["vars"] { scenario.variables = r.variables(node, path: ".vars", what: "'vars'") }
        if let node = top["injects"] { scenario.injects = readInjects(node, &r) }
        return scenario
    }

    // MARK: - Provinces, teams, objectives

    /// Reports an id seen before in the same list.
    static func checkDuplicate(
        _ id: String?,
        kind: String,
        node: Node?,
        seen: inout [String: SourceLocation],
        _ r: inout YAMLReader
    ) {
        guard let id, !id.isEmpty, let node else { return }
        if let first = seen[id] {
            r.error("duplicate \(kind) id '\(id)'; it was first defined at line \(first.line)", at: node)
        } else {
            seen[id] = r.location(node)
        }
    }

    static func readProvinces(_ node: Node, _ r: inout YAMLReader) -> [Province] {
        var result: [Province] = []
        var seen: [String: SourceLocation] = [:]
        for (index, item) in r.sequence(node, path: ".provinces", what: "'provinces'").enumerated() {
            let path = ".provinces[\(index)]"
            guard
                let f = r.fields(item, path: path, what: "a province", allowed: ["id", "name"], required: ["id"])
            else { continue }
            let id = f["id"].flatMap { r.identifier($0, path: path + ".id", what: "a province id") }
            checkDuplicate(id, kind: "province", node: f["id"], seen: &seen, &r)
            let name = f["name"].flatMap { r.string($0, path: path + ".name", what: "'name'") }
            result.append(Province(id: id ?? "", name: name ?? id ?? ""))
        }
        return result
    }

    static func readTeams(_ node: Node, _ r: inout YAMLReader) -> [Team] {
        var result: [Team] = []
        var seen: [String: SourceLocation] = [:]
        for (index, item) in r.sequence(node, path: ".teams", what: "'teams'").enumerated() {
            let path = ".teams[\(index)]"
            guard
                let f = r.fields(
                    item,
                    path: path,
                    what: "a team",
                    allowed: ["id", "name", "province", "hosts", "groups"],
                    required: ["id", "province"]
                )
            else { continue }
            let id = f["id"].flatMap { r.identifier($0, path: path + ".id", what: "a team id") }
            checkDuplicate(id, kind: "team", node: f["id"], seen: &seen, &r)
            var team = Team(id: id ?? "", name: id ?? "", province: "")
            if let name = f["name"].flatMap({ r.string($0, path: path + ".name", what: "'name'") }) { team.name = name }
            team.province = f["province"].flatMap { r.string($0, path: path + ".province", what: "'province'") } ?? ""
            if let hosts = f["hosts"] { team.hostPatterns = r.strings(hosts, path: path + ".hosts", what: "'hosts'") }
            if let groups = f["groups"] { team.groups = r.strings(groups, path: path + ".groups", what: "'groups'") }
            result.append(team)
        }
        return result
    }

    static func readObjectives(_ node: Node, _ r: inout YAMLReader) -> [Objective] {
        var result: [Objective] = []
        var seen: [String: SourceLocation] = [:]
        for (index, item) in r.sequence(node, path: ".objectives", what: "'objectives'").enumerated() {
            let path = ".objectives[\(index)]"
            guard
                let f = r.fields(
                    item,
                    path: path,
                    what: "an objective",
                    allowed: ["id", "title", "description"],
                    required: ["id"]
                )
            else { continue }
            let id = f["id"].flatMap { r.identifier($0, path: path + ".id", what: "an objective id") }
            checkDuplicate(id, kind: "objective", node: f["id"], seen: &seen, &r)
            let title = f["title"].flatMap { r.string($0, path: path + ".title", what: "'title'") }
            let description = f["description"].flatMap {
                r.string($0, path: path + ".description", what: "'description'")
            }
            result.append(Objective(id: id ?? "", title: title ?? id ?? "", description: description))
        }
        return result
    }

    // MARK: - Severity, deadlines, scoring, evaluation

    static func grade(_ node: Node, path: String, _ r: inout YAMLReader) -> SeverityGrade? {
        guard let text = r.string(node, path: path, what: "a severity grade") else { return nil }
        if let grade = SeverityGrade(rawValue: text) { return grade }
        let roman = ["1": "I", "2": "II", "3": "III", "4": "IV"]
        r.error(
            "unknown severity grade '\(text)'; expected I, II, III or IV",
            at: node,
            hint: (roman[text] ?? SeverityGrade(rawValue: text.uppercased())?.rawValue).map { "did you mean '\($0)'?" }
        )
        return nil
    }

    static func readDeadlines(_ node: Node, path: String, what: String, _ r: inout YAMLReader) -> PhaseDeadlines {
        var deadlines = PhaseDeadlines()
        guard
            let f = r.fields(node, path: path, what: what, allowed: ResponsePhase.allCases.map(\.rawValue))
        else { return deadlines }
        for phase in ResponsePhase.allCases {
            if let value = f[phase.rawValue] {
                deadlines[phase] = r.duration(
                    value,
                    path: "\(path).\(phase.rawValue)",
                    what: "the \(phase.rawValue) deadline"
                )
            }
        }
        return deadlines
    }

    static func readSeverityDeadlines(
        _ node: Node,
        into table: inout [SeverityGrade: PhaseDeadlines],
        _ r: inout YAMLReader
    ) {
        guard
            let f = r.fields(
                node,
                path: ".severity_deadlines",
                what: "'severity_deadlines'",
                allowed: SeverityGrade.allCases.map(\.rawValue)
            )
        else { return }
        for grade in SeverityGrade.allCases {
            guard let value = f[grade.rawValue] else { continue }
            let overrides = readDeadlines(
                value,
                path: ".severity_deadlines.\(grade.rawValue)",
                what: "the deadlines of grade \(grade.rawValue)",
                &r
            )
            table[grade] = (table[grade] ?? PhaseDeadlines()).overridden(by: overrides)
        }
    }

    static func readScoring(_ node: Node, _ r: inout YAMLReader) -> Scoring? {
        guard
            let f = r.fields(
                node,
                path: ".scoring",
                what: "'scoring'",
                allowed: ["points", "late_credit", "severity_weights", "rubric_weight"]
            )
        else { return nil }
        var scoring = Scoring()
        if let points = f["points"] {
            let table: [ResponsePhase: Double] = nonNegativeTable(
                points,
                path: ".scoring.points",
                what: "'points'",
                each: ("points", "points cannot be negative"),
                &r
            )
            scoring.points.merge(table) { _, new in new }
        }
        if let value = f["late_credit"],
            let credit = r.number(value, path: ".scoring.late_credit", what: "'late_credit'", percent: true)
        {
            if (0...1).contains(credit) {
                scoring.lateCredit = credit
            } else {
                r.error(
                    "'late_credit' is the share of points a late response keeps: from 0 to 1 (or 0% to 100%)",
                    at: value
                )
            }
        }
        if let weights = f["severity_weights"] {
            let table: [SeverityGrade: Double] = nonNegativeTable(
                weights,
                path: ".scoring.severity_weights",
                what: "'severity_weights'",
                each: ("a weight", "a weight cannot be negative"),
                &r
            )
            scoring.severityWeights.merge(table) { _, new in new }
        }
        if let value = f["rubric_weight"],
            let number = r.number(value, path: ".scoring.rubric_weight", what: "'rubric_weight'")
        {
            if number < 0 { r.error("a weight cannot be negative; found \(number)", at: value) }
            scoring.rubricWeight = number
        }
        return scoring
    }

    static func readEvaluation(_ node: Node, _ r: inout YAMLReader) -> Evaluation? {
        guard
            let f = r.fields(
                node,
                path: ".evaluation",
                what: "'evaluation'",
                allowed: ["rubric", "disagreement_threshold"]
            )
        else { return nil }
        var evaluation = Evaluation(rubric: [])
        var seen: [String: SourceLocation] = [:]
        if let rubric = f["rubric"] {
            for (index, item) in r.sequence(rubric, path: ".evaluation.rubric", what: "'rubric'").enumerated() {
                let path = ".evaluation.rubric[\(index)]"
                guard
                    let cf = r.fields(
                        item,
                        path: path,
                        what: "a rubric criterion",
                        allowed: ["id", "title", "description", "weight"],
                        required: ["id"]
                    )
                else { continue }
                let id = cf["id"].flatMap { r.identifier($0, path: path + ".id", what: "a criterion id") }
                checkDuplicate(id, kind: "rubric criterion", node: cf["id"], seen: &seen, &r)
                var criterion = RubricCriterion(id: id ?? "", title: id ?? "")
                if let title = cf["title"].flatMap({ r.string($0, path: path + ".title", what: "'title'") }) {
                    criterion.title = title
                }
                criterion.description = cf["description"].flatMap {
                    r.string($0, path: path + ".description", what: "'description'")
                }
                if let value = cf["weight"], let weight = r.number(value, path: path + ".weight", what: "'weight'") {
                    if weight < 0 { r.error("a weight cannot be negative; found \(weight)", at: value) }
                    criterion.weight = weight
                }
                evaluation.rubric.append(criterion)
            }
        }
        if let value = f["disagreement_threshold"],
            let number = r.number(value, path: ".evaluation.disagreement_threshold", what: "'disagreement_threshold'")
        {
            if number < 0 || number > Double(Evaluation.scale.upperBound) {
                r.error(
                    "'disagreement_threshold' is a spread of rubric scores, which run from 0 to 5; found \(DurationFreeNumber.format(number))",
                    at: value
                )
            } else {
                evaluation.disagreementThreshold = number
            }
        }
        return evaluation
    }

    // MARK: - Injects

    static func readInjects(_ node: Node, _ r: inout YAMLReader) -> [Inject] {
        var result: [Inject] = []
        var seen: [String: SourceLocation] = [:]
        for (index, item) in r.sequence(node, path: ".injects", what: "'injects'").enumerated() {
            let path = ".injects[\(index)]"
            guard let f = r.fields(item, path: path, what: "an inject", allowed: injectKeys, required: ["id"]) else {
                continue
            }
            let id = f["id"].flatMap { r.identifier($0, path: path + ".id", what: "an inject id") } ?? ""
            checkDuplicate(id, kind: "inject", node: f["id"], seen: &seen, &r)
            var inject = Inject(id: id, trigger: .at(.zero))
            if let title = f["title"].flatMap({ r.string($0, path: path + ".title", what: "'title'") }) {
                inject.title = title
            }
            switch (f["at"], f["after"]) {
            case (let at?, nil):
                if let time = r.duration(at, path: path + ".at", what: "'at'") { inject.trigger = .at(time) }
            case (nil, let after?):
                if let trigger = readAfter(after, path: path + ".after", &r) { inject.trigger = .after(trigger) }
            case (_?, let after?):
                r.error("an inject fires either 'at' a time or 'after' another inject, not both", at: after)
            case (nil, nil):
                r.error("inject '\(id)' needs a time: 'at: 00:15:00' or 'after: { inject: ID }'", at: item)
            }
            if let node = f["severity"] { inject.severity = grade(node, path: path + ".severity", &r) }
            if let node = f["targets"] { inject.targets = readTargets(node, path: path + ".targets", &r) }
            if let node = f["message"] { inject.message = r.string(node, path: path + ".message", what: "'message'") }
            if let node = f["actions"] {
                inject.actions = readActions(node, path: path + ".actions", what: "'actions'", &r)
            }
            if let node = f["landed_when"] {
                inject.landedWhen = readCheck(
                    node,
                    path: path + ".landed_when",
                    what: "'landed_when'",
                    every: Check.defaultLandedEvery,
                    timeout: Check.defaultLandedTimeout,
                    &r
                )
            }
            if let node = f["resolved_when"] {
                inject.resolvedWhen = readCheck(
                    node,
                    path: path + ".resolved_when",
                    what: "'resolved_when'",
                    every: Check.defaultResolvedEvery,
                    timeout: nil,
                    &r
                )
            }
            if let node = f["remedy"] {
                inject.remedy = readActions(node, path: path + ".remedy", what: "'remedy'", &r)
            }
            if let node = f["deadlines"] {
                inject.deadlines = readDeadlines(node, path: path + ".deadlines", what: "'deadlines'", &r)
            }
            if let node = f["cleanup"] {
                inject.cleanup = readActions(node, path: path + ".cleanup", what: "'cleanup'", &r)
            }
            if let node = f["objectives"] {
                inject.objectives = r.strings(node, path: path + ".objectives", what: "'objectives'")
            }
            if let node = f["vars"] { inject.variables = r.variables(node, path: path + ".vars", what: "'vars'") }
            if let node = f["expects"] { inject.expects = readExpects(node, path: path + ".expects", &r) }
            result.append(inject)
        }
        return result
    }

    /// `expects: [acknowledge, report]` (or one phase as a scalar): the phases an inject asks of teams.
    static func readExpects(_ node: Node, path: String, _ r: inout YAMLReader) -> [ResponsePhase]? {
        let items: [(Node, String)]
        if case .sequence(let sequence) = node {
            items = sequence.enumerated().map { ($1, "\(path)[\($0)]") }
            if sequence.isEmpty { r.error("'expects' lists no phase: write at least [acknowledge]", at: node) }
        } else {
            items = [(node, path)]
        }
        var phases: [ResponsePhase] = []
        for (item, itemPath) in items {
            guard let name = r.string(item, path: itemPath, what: "a phase in 'expects'") else { continue }
            guard let phase = ResponsePhase(rawValue: name) else {
                r.error(
                    "'\(name)' is not a response phase: expected acknowledge, report or resolve",
                    at: item,
                    hint: Suggestions.didYouMean(name, among: ResponsePhase.allCases.map(\.rawValue))
                )
                continue
            }
            guard !phases.contains(phase) else {
                r.error("phase '\(name)' is listed twice in 'expects'", at: item)
                continue
            }
            phases.append(phase)
        }
        return phases
    }

    static func readAfter(_ node: Node, path: String, _ r: inout YAMLReader) -> AfterTrigger? {
        // `after: webshell` is short for `after: { inject: webshell }`.
        if case .scalar = node {
            guard let id = r.string(node, path: path + ".inject", what: "'after'") else { return nil }
            return AfterTrigger(inject: id)
        }
        guard
            let f = r.fields(
                node,
                path: path,
                what: "'after'",
                allowed: ["inject", "delay", "unless", "within"],
                required: ["inject"]
            )
        else { return nil }
        var trigger = AfterTrigger(
            inject: f["inject"].flatMap { r.string($0, path: path + ".inject", what: "'inject'") } ?? ""
        )
        if let node = f["delay"], let delay = r.duration(node, path: path + ".delay", what: "'delay'") {
            trigger.delay = delay
        }
        if let node = f["unless"], let text = r.string(node, path: path + ".unless", what: "'unless'") {
            if let phase = ResponsePhase.allCases.first(where: { $0.pastTense == text || $0.rawValue == text }) {
                trigger.condition = Condition(unless: phase)
            } else {
                r.error(
                    "unknown condition 'unless: \(text)'; expected acknowledged, reported or resolved",
                    at: node,
                    hint: Suggestions.didYouMean(text, among: ResponsePhase.allCases.map(\.pastTense))
                )
            }
        }
        if let node = f["within"] {
            let within = r.duration(node, path: path + ".within", what: "'within'")
            if trigger.condition == nil, !f.has("unless") {
                r.error(
                    "'within' needs 'unless' (acknowledged, reported or resolved) to say what must happen in time",
                    at: node
                )
            }
            trigger.condition?.within = within
        }
        return trigger
    }

    static func readTargets(_ node: Node, path: String, _ r: inout YAMLReader) -> TargetSelector? {
        let kinds = ["province", "team", "group", "host"]
        guard
            let f = r.fields(
                node,
                path: path,
                what: "'targets'",
                allowed: kinds + kinds.map { $0 + "s" }
            )
        else { return nil }
        func values(_ kind: String) -> [String] {
            var result: [String] = []
            for key in [kind, kind + "s"] {
                if let value = f[key] { result += r.strings(value, path: "\(path).\(kind)", what: "'\(key)'") }
            }
            return result
        }
        let selector = TargetSelector(
            provinces: values("province"),
            teams: values("team"),
            groups: values("group"),
            hosts: values("host")
        )
        return selector
    }

    static func readActions(_ node: Node, path: String, what: String, _ r: inout YAMLReader) -> [Action] {
        var result: [Action] = []
        for (index, item) in r.sequence(node, path: path, what: what).enumerated() {
            let itemPath = "\(path)[\(index)]"
            // A bare string is short for `run: STRING`.
            if case .scalar = item {
                if let command = r.string(item, path: itemPath + ".run", what: "a command") {
                    result.append(.run(RunAction(command)))
                }
                continue
            }
            guard
                let f = r.fields(
                    item,
                    path: itemPath,
                    what: "an action",
                    allowed: ["run", "upload", "timeout"]
                )
            else { continue }
            switch (f["run"], f["upload"]) {
            case (let run?, nil):
                guard let command = r.string(run, path: itemPath + ".run", what: "'run'") else { continue }
                var action = RunAction(command)
                if let timeout = f["timeout"] {
                    action.timeout = r.duration(timeout, path: itemPath + ".timeout", what: "'timeout'")
                }
                result.append(.run(action))
            case (nil, let upload?):
                if let timeout = f["timeout"] { r.error("'timeout' applies to 'run' actions only", at: timeout) }
                if let action = readUpload(upload, path: itemPath + ".upload", &r) { result.append(.upload(action)) }
            case (_?, let upload?):
                r.error("an action is either 'run' or 'upload', not both", at: upload)
            case (nil, nil):
                r.error("an action needs 'run: COMMAND' or 'upload: { dest: PATH, content: TEXT }'", at: item)
            }
        }
        return result
    }

    /// A mapping from an enum's raw values to non-negative numbers (`points: { acknowledge: 10 }`,
    /// `severity_weights: { I: 2 }`); unknown keys, non-numbers and negative numbers are diagnosed.
    static func nonNegativeTable<Key: RawRepresentable & CaseIterable & Hashable>(
        _ node: Node,
        path: String,
        what: String,
        each: (what: String, negative: String),
        _ r: inout YAMLReader
    ) -> [Key: Double] where Key.RawValue == String {
        guard let fields = r.fields(node, path: path, what: what, allowed: Key.allCases.map(\.rawValue)) else {
            return [:]
        }
        var table: [Key: Double] = [:]
        for key in Key.allCases {
            guard let value = fields[key.rawValue],
                let number = r.number(value, path: "\(path).\(key.rawValue)", what: each.what)
            else { continue }
            if number < 0 { r.error("\(each.negative); found \(number)", at: value) }
            table[key] = number
        }
        return table
    }

    static func readUpload(_ node: Node, path: String, _ r: inout YAMLReader) -> UploadAction? {
        guard
            let f = r.fields(
                node,
                path: path,
                what: "'upload'",
                allowed: ["content", "src", "dest", "mode"],
                required: ["dest"]
            )
        else { return nil }
        var upload = UploadAction(destination: "")
        upload.destination = f["dest"].flatMap { r.string($0, path: path + ".dest", what: "'dest'") } ?? ""
        upload.content = f["content"].flatMap { r.string($0, path: path + ".content", what: "'content'") }
        upload.source = f["src"].flatMap { r.string($0, path: path + ".src", what: "'src'") }
        switch (f["content"], f["src"]) {
        case (_?, let src?): r.error("an upload takes either 'content' or 'src', not both", at: src)
        case (nil, nil): r.error("an upload needs 'content: TEXT' or 'src: LOCAL-FILE'", at: node)
        default: break
        }
        if let modeNode = f["mode"], let text = r.string(modeNode, path: path + ".mode", what: "'mode'") {
            // Read the text: YAML 1.1 would turn an unquoted 0644 into the octal number 420.
            if (3...4).contains(text.count), text.allSatisfy({ ("0"..."7").contains($0) }),
                let mode = Int(text, radix: 8)
            {
                upload.mode = mode
            } else {
                r.error("'\(text)' is not a file mode; write octal digits such as 0644 or 0755", at: modeNode)
            }
        }
        return upload
    }

    static func readCheck(
        _ node: Node,
        path: String,
        what: String,
        every: Duration,
        timeout: Duration?,
        _ r: inout YAMLReader
    ) -> Check? {
        if case .scalar = node {
            guard let command = r.string(node, path: path + ".run", what: what) else { return nil }
            return Check(command, every: every, timeout: timeout)
        }
        guard
            let f = r.fields(node, path: path, what: what, allowed: ["run", "every", "timeout"], required: ["run"])
        else { return nil }
        var check = Check(
            f["run"].flatMap { r.string($0, path: path + ".run", what: "'run'") } ?? "",
            every: every,
            timeout: timeout
        )
        if let value = f["every"], let interval = r.duration(value, path: path + ".every", what: "'every'") {
            if interval <= .zero {
                r.error("'every' must be longer than 0s", at: value)
            } else {
                check.every = interval
            }
        }
        if let value = f["timeout"] {
            check.timeout = r.duration(value, path: path + ".timeout", what: "'timeout'") ?? timeout
        }
        return check
    }
}

/// Prints numbers in messages the way a person writes them (`2`, not `2.0`).
enum DurationFreeNumber {
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
