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

    /// The median rating of `ratings` (of an even count, the worse of the two middle ones).
    static func medianRating(_ ratings: [HSEEPRating]) -> HSEEPRating? {
        guard !ratings.isEmpty else { return nil }
        return ratings.sorted()[ratings.count / 2]
    }
}
