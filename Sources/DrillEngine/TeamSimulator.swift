public import DrillCore

/// Built-in responders that play the teams in rehearsals and demos: they acknowledge, report and resolve
/// (running the inject's `remedy` on the team's hosts) after delays drawn from a profile, and miss some phases.
///
/// Pure and reproducible: every decision is drawn from a random generator seeded with the profile's seed, the
/// inject, the team and the phase, so the same run gives the same responses whatever order they are computed
/// in, and a resumed engine recomputes exactly the plan the killed one had.
public struct TeamSimulator: Sendable, Hashable {
    /// How quickly and how reliably simulated teams respond. Times are exercise time after delivery.
    public struct Profile: Sendable, Hashable {
        /// The profile's name (`default`, `fast`, `sloppy`).
        public var name: String
        /// Delay from delivery to acknowledgement, in exercise seconds.
        public var acknowledge: ClosedRange<Int64>
        /// Delay from acknowledgement to the report, in exercise seconds.
        public var report: ClosedRange<Int64>
        /// Delay from the report to resolution (running the remedy), in exercise seconds.
        public var resolve: ClosedRange<Int64>
        /// The chance (0…1) that a team never does a phase (and so every later phase).
        public var missRate: [ResponsePhase: Double]

        public init(
            name: String,
            acknowledge: ClosedRange<Int64>,
            report: ClosedRange<Int64>,
            resolve: ClosedRange<Int64>,
            missRate: [ResponsePhase: Double]
        ) {
            self.name = name
            self.acknowledge = acknowledge
            self.report = report
            self.resolve = resolve
            self.missRate = missRate
        }

        /// Attentive teams: acknowledge in 1–4 minutes, report 2–5 minutes later, resolve 2–6 minutes after
        /// that; 10 % never acknowledge, 10 % never report, 10 % never resolve.
        public static let `default` = Profile(
            name: "default",
            acknowledge: 60...240,
            report: 120...300,
            resolve: 120...360,
            missRate: [.acknowledge: 0.10, .report: 0.10, .resolve: 0.10]
        )
        /// Drilled teams: every phase, quickly (acknowledge in 20–60 s, report 1–2 minutes later, resolve 1–3
        /// minutes after that).
        public static let fast = Profile(
            name: "fast",
            acknowledge: 20...60,
            report: 60...120,
            resolve: 60...180,
            missRate: [:]
        )
        /// Overwhelmed teams: slow (acknowledge in 3–8 minutes, report 4–10 and resolve 5–15 minutes after the
        /// previous phase) and often silent (30 % / 40 % / 40 % missed).
        public static let sloppy = Profile(
            name: "sloppy",
            acknowledge: 180...480,
            report: 240...600,
            resolve: 300...900,
            missRate: [.acknowledge: 0.30, .report: 0.40, .resolve: 0.40]
        )

        /// The built-in profiles by name.
        public static let builtIn: [String: Profile] = ["default": .default, "fast": .fast, "sloppy": .sloppy]
    }

    public var profile: Profile
    public var seed: UInt64

    public init(profile: Profile, seed: UInt64 = 2026) {
        self.profile = profile
        self.seed = seed
    }

    /// Reads `PROFILE` or `PROFILE:SEED` (`default`, `fast:7`).
    ///
    /// - Returns: nil when the profile is unknown or the seed is not a number.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let name = parts.first, let profile = Profile.builtIn[name] else { return nil }
        var seed: UInt64 = 2026
        if parts.count == 2 {
            guard let value = UInt64(parts[1]) else { return nil }
            seed = value
        }
        self.init(profile: profile, seed: seed)
    }

    /// When `team` does each phase of `inject`, in exercise milliseconds after delivery; a phase it misses is
    /// absent (and so is every later phase).
    public func responseOffsets(inject: String, team: String) -> [ResponsePhase: Int64] {
        var result: [ResponsePhase: Int64] = [:]
        var elapsed: Int64 = 0
        for phase in ResponsePhase.allCases {
            var random = SplitMix64(seed: seed ^ Self.hash("\(profile.name)|\(inject)|\(team)|\(phase.rawValue)"))
            if random.unit() < (profile.missRate[phase] ?? 0) { break }
            let range: ClosedRange<Int64> =
                switch phase {
                case .acknowledge: profile.acknowledge
                case .report: profile.report
                case .resolve: profile.resolve
                }
            let span = UInt64(range.upperBound - range.lowerBound + 1)
            elapsed += (range.lowerBound + Int64(random.next() % span)) * 1000
            result[phase] = elapsed
        }
        return result
    }

    /// FNV-1a, 64 bits: a stable hash (Swift's `Hasher` is seeded per process).
    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return value
    }
}

/// SplitMix64: a small, fast, well-mixed generator; plenty for simulated delays.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform value in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
