import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small client for the portal's JSON API (Foundation's URLSession: enough for one request at a time, and
/// no extra dependency).
struct PortalClient {
    let base: URL
    let code: String

    /// Sends a request and returns the body of a 2xx answer.
    ///
    /// - Throws: ``PortalClientError`` with the portal's reason for a 4xx/5xx, or why it could not be reached.
    func call(_ method: String, _ path: String, json: Data? = nil) async throws -> Data {
        guard let url = URL(string: path, relativeTo: base) else { throw PortalClientError("bad path '\(path)'") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(code)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = json
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw PortalClientError("cannot reach the portal at \(base.absoluteString): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw PortalClientError("the portal sent no HTTP answer") }
        guard (200..<300).contains(http.statusCode) else {
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            let reason = object?["reason"] as? String ?? HTTPURLResponse.localizedString(forStatusCode: http.statusCode)
            throw PortalClientError("the portal refused (\(http.statusCode)): \(reason)")
        }
        return data
    }

    static func escapePath(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~")))
            ?? segment
    }

    static func clock(_ millis: Int) -> String {
        let seconds = abs(millis) / 1000
        return String(
            format: "%@%d:%02d:%02d",
            millis < 0 ? "-" : "",
            seconds / 3600,
            seconds % 3600 / 60,
            seconds % 60
        )
    }

    /// The inbox as text: one block per inject, newest first.
    static func renderInbox(_ data: Data) throws -> String {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let items = object["items"] as? [[String: Any]]
        else { throw PortalClientError("the portal's inbox answer is not what this drillctl expects") }
        var lines = [
            "team \(object["team"] as? String ?? "?") · drill \(object["status"] as? String ?? "?") · exercise time \(clock(object["exerciseMillis"] as? Int ?? 0))"
        ]
        if items.isEmpty { lines.append("no injects yet") }
        for item in items {
            let severity = (item["severity"] as? String).map { " [\($0)]" } ?? ""
            lines.append("")
            lines.append("\(item["inject"] as? String ?? "?")\(severity): \(item["title"] as? String ?? "")")
            lines.append("  \(item["message"] as? String ?? "")")
            for phase in item["phases"] as? [[String: Any]] ?? [] {
                let name = phase["phase"] as? String ?? "?"
                if phase["done"] as? Bool == true {
                    let late = phase["late"] as? Bool == true ? " LATE" : ""
                    lines.append("  \(name): done at \(clock(phase["doneAtMillis"] as? Int ?? 0))\(late)")
                } else if let remaining = phase["remainingMillis"] as? Int {
                    lines.append(
                        "  \(name): "
                            + (remaining < 0 ? "overdue by \(clock(-remaining))" : "due in \(clock(remaining))")
                    )
                } else {
                    lines.append("  \(name): no deadline")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func renderRecorded(_ data: Data) throws -> String {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PortalClientError("the portal's answer is not JSON")
        }
        let late = object["late"] as? Bool == true ? " (late)" : ""
        return
            "recorded \(object["phase"] as? String ?? "response") for \(object["inject"] as? String ?? "?") at exercise time \(clock(object["exerciseMillis"] as? Int ?? 0))\(late), journal #\(object["sequence"] as? Int ?? 0)"
    }
}

struct PortalClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
