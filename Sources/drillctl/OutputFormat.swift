import ArgumentParser

/// How a command prints its result: for people (`text`) or for programs (`json`).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}
