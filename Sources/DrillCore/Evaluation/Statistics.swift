/// The order statistics the report uses, defined once so every figure is computed the same way.
enum Statistics {
    /// The median of `sorted` (ascending): the middle value, or the mean of the two middle values (rounded
    /// toward zero for integers).
    static func median(_ sorted: [Int64]) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The median of `sorted` (ascending) doubles.
    static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The `p`-th percentile of `sorted` (ascending) by the nearest-rank method: the smallest value with at
    /// least `p`% of the values at or below it.
    static func percentile(_ sorted: [Int64], _ p: Int) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = (p * sorted.count + 99) / 100
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    /// The mean of `values`, nil when empty.
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Response-time statistics of `phase` over `results`.
    static func phaseTimes(_ phase: ResponsePhase, _ results: some Sequence<TeamInjectResult>) -> PhaseTimes {
        var times: [Int64] = []
        for result in results {
            if let elapsed = result.phase(phase).elapsedMillis { times.append(elapsed) }
        }
        times.sort()
        return PhaseTimes(
            phase: phase,
            count: times.count,
            medianMillis: median(times),
            p90Millis: percentile(times, 90),
            minMillis: times.first,
            maxMillis: times.last
        )
    }

    /// Phase times for every phase.
    static func allPhaseTimes(_ results: [TeamInjectResult]) -> [PhaseTimes] {
        ResponsePhase.allCases.map { phaseTimes($0, results) }
    }

    /// Compliance over every phase of `results`.
    static func compliance(_ results: some Sequence<TeamInjectResult>) -> Compliance {
        var compliance = Compliance()
        for result in results { for phase in result.phases { compliance.add(phase.status) } }
        compliance.finish()
        return compliance
    }

    /// The median of ratings aggregated over several deliveries (a team's, an objective's): of an even count,
    /// the worse of the two middle ones. (A single panel's rating follows ``PanelRating/decide(_:reconciled:)``.)
    static func medianRating(_ ratings: [HSEEPRating]) -> HSEEPRating? {
        guard !ratings.isEmpty else { return nil }
        return ratings.sorted()[ratings.count / 2]
    }
}

/// How an expert panel's HSEEP ratings combine into the panel's rating.
struct PanelRating {
    var rating: HSEEPRating?
    var state: RatingState
    var split: [HSEEPRating]
    var reconciliation: PanelReconciliation?

    /// The panel's rating: the median when the ratings have a single one (an odd panel, or an even panel whose
    /// two middle ratings agree); when an even panel splits, it is *unreconciled* until a lead evaluator or the
    /// director records the reconciled rating, and never silently the worse one.
    static func decide(_ ratings: [HSEEPRating], reconciled: PanelReconciliation?) -> PanelRating {
        let sorted = ratings.sorted()
        var split: [HSEEPRating] = []
        var median: HSEEPRating?
        if !sorted.isEmpty {
            if sorted.count % 2 == 1 {
                median = sorted[sorted.count / 2]
            } else {
                let lower = sorted[sorted.count / 2 - 1]
                let upper = sorted[sorted.count / 2]
                if lower == upper { median = lower } else { split = [lower, upper] }
            }
        }
        if let reconciled {
            return PanelRating(rating: reconciled.rating, state: .reconciled, split: split, reconciliation: reconciled)
        }
        if let median { return PanelRating(rating: median, state: .agreed, split: [], reconciliation: nil) }
        if !split.isEmpty { return PanelRating(rating: nil, state: .unreconciled, split: split, reconciliation: nil) }
        return PanelRating(rating: nil, state: .none, split: [], reconciliation: nil)
    }
}

extension HSEEPRating {
    /// A rating as evaluators write it: `P`, `S`, `M` or `U` (the first letter counts, in any case).
    public init?(text: String) {
        guard let first = text.first else { return nil }
        self.init(rawValue: String(first).uppercased())
    }
}
