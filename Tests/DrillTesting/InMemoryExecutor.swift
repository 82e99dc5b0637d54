import DrillCore
import Synchronization

/// A remote executor that runs nothing: it records every command per host and answers with a scripted result.
/// For engine tests of scheduling logic (real SSH is tested against the lab).
public final class InMemoryExecutor: RemoteExecutor, Sendable {
    /// One call the engine made.
    public struct Call: Sendable, Hashable {
        public var host: String
        public var command: String
    }

    /// A refused connection: nothing started on the host.
    public struct Unreachable: RemoteFailure, CustomStringConvertible {
        public var host: String
        public var commandMayHaveStarted: Bool { false }
        public var description: String { "\(host): connection refused (in-memory executor)" }
    }

    /// One file the engine uploaded.
    public struct Upload: Sendable, Hashable {
        public var host: String
        public var path: String
        public var text: String
        public var mode: Int32
    }

    private struct State {
        var calls: [Call] = []
        var uploads: [Upload] = []
        var unreachable: Set<String> = []
        var responder: @Sendable (String, String) -> Int32 = { _, _ in 0 }
    }

    private let state = Mutex(State())

    /// An executor where every command exits with the status `responder(host, command)` returns (0 by default).
    public init(responder: (@Sendable (String, String) -> Int32)? = nil) {
        if let responder { state.withLock { $0.responder = responder } }
    }

    /// Makes `host` unreachable (every call throws) or reachable again.
    public func setUnreachable(_ host: String, _ unreachable: Bool = true) {
        state.withLock { state in
            if unreachable { state.unreachable.insert(host) } else { state.unreachable.remove(host) }
        }
    }

    /// Replaces the responder.
    public func respond(with responder: @escaping @Sendable (String, String) -> Int32) {
        state.withLock { $0.responder = responder }
    }

    /// Every call so far, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// Every file uploaded so far, in order.
    public var uploads: [Upload] { state.withLock { $0.uploads } }

    /// The hosts contacted so far.
    public var contactedHosts: Set<String> { Set(calls.map(\.host)) }

    public func run(_ command: RemoteCommand, on target: ConnectionFacts) async throws -> RemoteResult {
        let (unreachable, responder) = state.withLock { state in
            state.calls.append(Call(host: target.name, command: command.command))
            return (state.unreachable.contains(target.name), state.responder)
        }
        if unreachable { throw Unreachable(host: target.name) }
        return RemoteResult(exitStatus: responder(target.name, command.command), stdout: "ok\n")
    }

    public func upload(_ data: [UInt8], to path: String, mode: Int32, on target: ConnectionFacts) async throws {
        let unreachable = state.withLock { state in
            state.calls.append(Call(host: target.name, command: "upload \(path)"))
            state.uploads.append(
                Upload(host: target.name, path: path, text: String(decoding: data, as: UTF8.self), mode: mode)
            )
            return state.unreachable.contains(target.name)
        }
        if unreachable { throw Unreachable(host: target.name) }
    }
}
