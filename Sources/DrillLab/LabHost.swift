import DrillCore

/// One target host of the practice range: an inventory name answering on its own loopback address.
public struct LabHost: Sendable, Hashable, Codable {
    /// The inventory name (`yn-t01-web`, or the name from the inventory the lab was shaped after).
    public var name: String
    /// The loopback address the host answers on (`127.0.10.1` …).
    public var address: String
    /// `drill_province`, when the host has one.
    public var province: String?
    /// `drill_team`, when the host has one.
    public var team: String?

    public init(name: String, address: String, province: String? = nil, team: String? = nil) {
        self.name = name
        self.address = address
        self.province = province
        self.team = team
    }
}

/// Loopback addresses for lab hosts: 127.0.10.1 … 127.0.10.254, then 127.0.11.1 … and so on.
public enum LabAddresses {
    /// The most hosts one lab can hold (127.0.10.x through 127.0.255.x).
    public static let maximumHosts = 246 * 254

    /// The address of the host at `index` (0-based).
    public static func address(at index: Int) -> String {
        precondition(index >= 0 && index < maximumHosts, "lab host index \(index) out of range")
        return "127.0.\(10 + index / 254).\(index % 254 + 1)"
    }
}
