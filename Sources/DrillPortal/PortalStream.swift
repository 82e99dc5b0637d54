import DrillCore
import Hummingbird
import NIOCore

/// The live stream (`GET /api/events`): server-sent events, one per journal event the caller may see.
///
/// Each message is `event: journal` with data `{"sequence":…,"kind":…,"inject":…,"team":…}`: enough for a
/// page to know it must refresh and for a client to measure delivery, and nothing another role's text could
/// leak through (pages fetch the details through their own access-checked routes). A comment line is sent
/// every heartbeat so proxies keep the connection open.
enum PortalStream {
    static func response(feed: PortalFeed, identity: PortalIdentity, heartbeat: Duration) -> Response {
        let events = feed.subscribe(identity)
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": connected\nretry: 1000\n\n"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (ticks, tickContinuation) = AsyncStream<Void>.makeStream()
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: heartbeat)
                        tickContinuation.yield()
                    }
                }
                // Merge: events and heartbeats, written by this one task.
                let (merged, mergedContinuation) = AsyncStream<ByteBuffer?>.makeStream()
                group.addTask {
                    for await event in events { mergedContinuation.yield(ByteBuffer(string: message(for: event))) }
                    mergedContinuation.yield(nil)
                }
                group.addTask {
                    for await _ in ticks { mergedContinuation.yield(ByteBuffer(string: ": keep-alive\n\n")) }
                }
                for await buffer in merged {
                    guard let buffer else { break }
                    try await writer.write(buffer)
                }
                tickContinuation.finish()
                mergedContinuation.finish()
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream",
                .cacheControl: "no-store",
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            body: body
        )
    }

    static func message(for event: JournalEvent) -> String {
        var members: [String: JSONText.Value] = [
            "sequence": .int(event.sequence ?? 0),
            "kind": .string(event.kind.rawValue),
            "exerciseMillis": .int(event.exerciseMillis),
        ]
        if let inject = event.inject { members["inject"] = .string(inject) }
        if let team = event.team { members["team"] = .string(team) }
        if let phase = event.payload["phase"]?.stringValue { members["phase"] = .string(phase) }
        if event.kind == .control, let action = event.payload["action"]?.stringValue {
            members["action"] = .string(action)
        }
        return "id: \(event.sequence ?? 0)\nevent: journal\ndata: \(JSONText.object(members))\n\n"
    }
}
