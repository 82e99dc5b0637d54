import ArgumentParser
import DrillCore
import DrillPortal
import DrillRun
import DrillStore
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `drill-bench portal`: live-stream delivery latency with many connected teams, and acknowledgements per
/// second through the API. Everything runs on 127.0.0.1 and stops by itself.
struct PortalBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal",
        abstract: "Measure portal live-stream latency (N SSE clients) and API acknowledgements per second."
    )

    @Option(help: "Teams, each with one live-stream client.")
    var teams = 200
    @Option(help: "Injects to fire (each delivered to every team).")
    var injects = 20
    @Option(help: "Milliseconds between injects.")
    var intervalMillis = 250
    @Option(help: "Concurrent API clients acknowledging.")
    var ackClients = 16
    @Option(help: "Seconds to acknowledge for.")
    var ackSeconds = 5.0
    @Option(help: "Before measuring acknowledgements, keep the portal up this many seconds (for outside tools).")
    var holdSeconds = 0
    @Option(help: "Journal durability: full (fsync every commit) or normal.")
    var durability: String = "full"

    func run() async throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("drill-bench-portal-\(getpid())")
        defer { try? FileManager.default.removeItem(at: base) }
        let run = try RunFolder.create(under: base, scenario: "bench", date: Date())
        let now = { Int64(Date().timeIntervalSince1970 * 1000) }
        let journal = try Journal.create(
            at: run.journalPath,
            runID: run.runID,
            created: RunCreatedPayload(scenario: "bench", speed: 1),
            wallMillis: now(),
            durability: Journal.Durability(rawValue: durability) ?? .full
        )
        var codes: [String] = []
        for index in 0..<teams {
            let code = AccessCode.generate()
            codes.append(code)
            try journal.storeCredential(role: "team", subject: "t\(index)", hash: .make(code: code), wallMillis: now())
        }
        _ = try journal.appendNow(JournalEvent(kind: .startex, runID: run.runID, wallMillis: now(), exerciseMillis: 0))
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let portStream = AsyncStream<Int>.makeStream()
        let server = try PortalServer.make(
            run: run,
            journal: journal,
            configuration: PortalConfiguration(host: "127.0.0.1", port: 0),
            logger: logger,
            onListening: { portStream.continuation.yield($0) }
        )
        let serverTask = Task { try await server.run() }
        var portIterator = portStream.stream.makeAsyncIterator()
        let port = await portIterator.next() ?? 0
        print("portal on 127.0.0.1:\(port); \(teams) teams; journal durability \(durability)")

        // 1. Live-stream latency.
        let streams = try codes.map { _ in try BenchSocket.connect(port: port) }
        for (index, socket) in streams.enumerated() {
            socket.send("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(codes[index])\r\n\r\n")
        }
        let arrivals = Mutex([Int64: [Double]]())  // sequence -> arrival times
        let readerDone = Mutex(false)
        let expected = teams * injects
        let readerGroup = DispatchGroup()
        readerGroup.enter()
        // Client threads are real threads, not Dispatch work items: on Linux, Swift's cooperative pool runs on
        // Dispatch's threads, and blocking client loops there would starve the server being measured.
        Thread.detachNewThread {
            defer { readerGroup.leave() }
            var pollfds = streams.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            var buffers = [[UInt8]](repeating: [], count: streams.count)
            var received = 0
            let deadline = BenchClock.now() + 120
            while received < expected && BenchClock.now() < deadline && !readerDone.withLock({ $0 }) {
                let ready = poll(&pollfds, nfds_t(pollfds.count), 200)
                if ready <= 0 { continue }
                for index in pollfds.indices where pollfds[index].revents & Int16(POLLIN) != 0 {
                    var chunk = [UInt8](repeating: 0, count: 16384)
                    let count = chunk.withUnsafeMutableBytes { recv(pollfds[index].fd, $0.baseAddress, 16384, 0) }
                    if count <= 0 { continue }
                    let at = BenchClock.now()
                    buffers[index].append(contentsOf: chunk[..<count])
                    while let newline = buffers[index].firstIndex(of: 10) {
                        let line = String(decoding: buffers[index][..<newline], as: UTF8.self)
                        buffers[index].removeFirst(newline + 1)
                        guard line.hasPrefix("data: "), line.contains("\"kind\":\"delivered\""),
                            let range = line.range(of: "\"sequence\":")
                        else { continue }
                        let digits = line[range.upperBound...].prefix { $0.isNumber }
                        if let sequence = Int64(digits) {
                            arrivals.withLock { $0[sequence, default: []].append(at) }
                            received += 1
                        }
                    }
                }
            }
        }
        // Wait until every client is subscribed.
        let subscribeDeadline = BenchClock.now() + 30
        while server.portal.feed.subscriberCount < teams && BenchClock.now() < subscribeDeadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        print("\(server.portal.feed.subscriberCount) live-stream clients connected")
        var appendTimes: [Int64: Double] = [:]
        for inject in 0..<injects {
            let events = (0..<teams).map { team in
                JournalEvent(
                    kind: .delivered,
                    runID: run.runID,
                    wallMillis: now(),
                    exerciseMillis: Int64(inject) * 1000,
                    inject: "i\(inject)",
                    team: "t\(team)",
                    actor: .engine,
                    payload: DeliveredPayload(
                        message: "inject \(inject)",
                        severity: "II",
                        deadlines: [.acknowledge: .seconds(600)]
                    ).journalValue
                )
            }
            let before = BenchClock.now()
            let written = try await journal.append(contentsOf: events)
            for event in written { appendTimes[event.sequence!] = before }
            try await Task.sleep(for: .milliseconds(intervalMillis))
        }
        let waitDeadline = BenchClock.now() + 10
        while arrivals.withLock({ $0.values.reduce(0) { $0 + $1.count } }) < expected && BenchClock.now() < waitDeadline
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        readerDone.withLock { $0 = true }
        await withCheckedContinuation { done in readerGroup.notify(queue: .global()) { done.resume() } }
        var latencies: [Double] = []
        arrivals.withLock { table in
            for (sequence, times) in table {
                if let start = appendTimes[sequence] { latencies += times.map { ($0 - start) * 1000 } }
            }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        print("live stream: \(latencies.count)/\(expected) deliveries arrived")
        print(
            String(
                format: "delivery latency (journal append -> client): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                percentile(0.5),
                percentile(0.99),
                latencies.last ?? .nan
            )
        )
        for socket in streams { socket.close() }

        if holdSeconds > 0 {
            print("holding: port \(port) code \(codes[0])")
            fflush(nil)
            try await Task.sleep(for: .seconds(holdSeconds))
        }
        // 2. Acknowledgements per second through the API.
        let count = Mutex(0)
        let errors = Mutex(0)
        let stop = BenchClock.now() + ackSeconds
        let started = BenchClock.now()
        let ackCodes = codes
        let (teamCount, injectCount, clientCount) = (teams, injects, ackClients)
        let workerGroup = DispatchGroup()
        for worker in 0..<ackClients {
            workerGroup.enter()
            Thread.detachNewThread {
                defer { workerGroup.leave() }
                guard let socket = try? BenchSocket.connect(port: port) else {
                    errors.withLock { $0 += 1000 }
                    return
                }
                var index = worker
                while BenchClock.now() < stop {
                    let team = index % teamCount
                    let inject = (index / teamCount) % injectCount
                    index += clientCount
                    socket.send(
                        "POST /api/injects/i\(inject)/acknowledge HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(ackCodes[team])\r\nContent-Length: 0\r\n\r\n"
                    )
                    guard let status = socket.readResponse() else {
                        errors.withLock { $0 += 1 }
                        break
                    }
                    if status == 201 { count.withLock { $0 += 1 } } else { errors.withLock { $0 += 1 } }
                }
                socket.close()
            }
        }
        while BenchClock.now() < stop + 0.5 { try await Task.sleep(for: .milliseconds(50)) }
        await withCheckedContinuation { done in workerGroup.notify(queue: .global()) { done.resume() } }
        let elapsed = BenchClock.now() - started
        let acks = count.withLock { $0 }
        print(
            String(
                format: "acknowledgements: %d in %.2f s = %.0f acks/s through the API (%d clients, %d errors)",
                acks,
                elapsed,
                Double(acks) / elapsed,
                ackClients,
                errors.withLock { $0 }
            )
        )
        serverTask.cancel()
        _ = try? await serverTask.value
    }
}

enum BenchClock {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// A blocking loopback socket for the benchmark's clients.
final class BenchSocket: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    private init(fd: Int32) { self.fd = fd }

    static func connect(port: Int) throws -> BenchSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw ValidationError("cannot connect to 127.0.0.1:\(port)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return BenchSocket(fd: fd)
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads one response with a Content-Length body; returns its status.
    func readResponse() -> Int? {
        func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 8192)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 8192, 0) }
            if count <= 0 { return false }
            buffer.append(contentsOf: chunk[..<count])
            return true
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if buffer.count >= 4 {
                for index in 0...(buffer.count - 4) where Array(buffer[index..<index + 4]) == separator {
                    headEnd = index
                    break
                }
            }
            if headEnd == nil && !fill() { return nil }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        let total = headEnd! + 4 + length
        while buffer.count < total { if !fill() { return nil } }
        buffer.removeFirst(total)
        let parts = head.split(separator: " ")
        return parts.count > 1 ? Int(parts[1]) : nil
    }

    func close() { Glibc.close(fd) }
}
