/// The exercise times, inherited targets, deadlines and dependency cycles of a scenario's injects.
///
/// Pure and shared by ``ScenarioValidator`` and ``Planner``. Injects caught in a cycle, or following an
/// unknown inject, have no time.
struct Schedule {
    /// The earliest exercise time of each inject (by index), nil when it cannot be computed.
    private(set) var times: [Duration?]
    /// How many `after` links lead from an `at` inject to each inject (0 for `at` injects).
    private(set) var depths: [Int]
    /// Each cycle once, as inject indices in dependency order (the first depends on the last).
    private(set) var cycles: [[Int]] = []
    /// Each inject's targets, after `after` injects without targets inherited their parent's.
    private(set) var targets: [TargetSelector]
    /// Each inject's deadlines: its overrides over its severity grade's.
    let deadlines: [PhaseDeadlines]
    /// Each conditional inject's window (its `within`, or its parent's deadline for the phase).
    private(set) var windows: [Duration?]
    /// Index of each inject id (first definition wins).
    let index: [String: Int]

    init(_ scenario: Scenario) {
        let injects = scenario.injects
        var index: [String: Int] = [:]
        for (position, inject) in injects.enumerated() where index[inject.id] == nil { index[inject.id] = position }
        self.index = index
        deadlines = injects.map { inject in
            let base = inject.severity.flatMap { scenario.severityDeadlines[$0] } ?? PhaseDeadlines()
            return base.overridden(by: inject.deadlines)
        }
        times = Array(repeating: nil, count: injects.count)
        depths = Array(repeating: 0, count: injects.count)
        targets = injects.map { $0.targets ?? TargetSelector() }
        windows = Array(repeating: nil, count: injects.count)

        // 0 = unvisited, 1 = on the current path, 2 = done.
        var state = Array(repeating: 0, count: injects.count)
        var seenCycles = Set<[Int]>()
        for start in injects.indices where state[start] == 0 {
            // Iterative walk up the `after` chain from `start`, then fill in times on the way back.
            var path: [Int] = []
            var current: Int? = start
            while let node = current, state[node] == 0 {
                state[node] = 1
                path.append(node)
                if case .after(let after) = injects[node].trigger, let parent = index[after.inject] {
                    if state[parent] == 1 {
                        let cycle = Array(path[path.firstIndex(of: parent)!...])
                        let rotated = Schedule.canonical(cycle)
                        if seenCycles.insert(rotated).inserted { cycles.append(rotated) }
                        current = nil
                    } else {
                        current = parent
                    }
                } else {
                    current = nil
                }
            }
            for node in path.reversed() {
                state[node] = 2
                switch injects[node].trigger {
                case .at(let time):
                    times[node] = time
                case .after(let after):
                    guard let parent = index[after.inject], parent != node, let parentTime = times[parent] else {
                        continue
                    }
                    if injects[node].targets == nil { targets[node] = targets[parent] }
                    depths[node] = depths[parent] + 1
                    var time = parentTime + after.delay
                    if let condition = after.condition {
                        let window = condition.within ?? deadlines[parent][condition.unless]
                        windows[node] = window
                        guard let window else { continue }
                        time += window
                    }
                    times[node] = time
                }
            }
        }
    }

    /// A cycle rotated to start at its smallest index, so each cycle is found once.
    static func canonical(_ cycle: [Int]) -> [Int] {
        guard let smallest = cycle.indices.min(by: { cycle[$0] < cycle[$1] }) else { return cycle }
        return Array(cycle[smallest...] + cycle[..<smallest])
    }
}
