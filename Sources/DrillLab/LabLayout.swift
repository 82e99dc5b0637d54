import DrillCore

/// Generates the inventory of a lab made with `--hosts N`: two provinces, teams of a few hosts, a role per
/// host, and the groups a scenario selects by (per province, per team, per role).
///
/// This is pure: the same count always gives the same inventory.
public enum LabLayout {
    /// The provinces of a generated lab, in order: (group name, short prefix).
    public static let provinces: [(name: String, prefix: String)] = [("yunnan", "yn"), ("guizhou", "gz")]
    /// The roles given to the hosts of a team, in order; a role is also a group.
    public static let roles = ["web", "db", "app", "dns"]

    /// An inventory of `count` hosts: the first half in `yunnan`, the rest in `guizhou`; in each province
    /// teams of up to four hosts (`yn_t01`, …), one host per role (`yn-t01-web`, `yn-t01-db`, …).
    ///
    /// Hosts carry `drill_province` and `drill_team`; connection variables are added by ``LabInventory``.
    public static func inventory(hostCount count: Int) -> Inventory {
        precondition(count >= 1, "a lab needs at least one host")
        let perProvince = [(count + 1) / 2, count / 2]
        var groups: [Inventory.Group] = []
        var hosts: [Inventory.Host] = []
        var roleMembers: [String: [String]] = [:]
        for (provinceIndex, province) in provinces.enumerated() where perProvince[provinceIndex] > 0 {
            var teamNames: [String] = []
            let teamCount = (perProvince[provinceIndex] + roles.count - 1) / roles.count
            for team in 0..<teamCount {
                let teamName = "\(province.prefix)_t\(twoDigits(team + 1))"
                teamNames.append(teamName)
                let first = team * roles.count
                let last = min(first + roles.count, perProvince[provinceIndex])
                var members: [String] = []
                for slot in first..<last {
                    let role = roles[slot - first]
                    let name = "\(province.prefix)-t\(twoDigits(team + 1))-\(role)"
                    members.append(name)
                    roleMembers[role, default: []].append(name)
                    hosts.append(
                        Inventory.Host(
                            name: name,
                            vars: ["drill_province": .string(province.name), "drill_team": .string(teamName)]
                        )
                    )
                }
                groups.append(Inventory.Group(name: teamName, hosts: members))
            }
            groups.append(Inventory.Group(name: province.name, children: teamNames))
        }
        for role in roles {
            if let members = roleMembers[role] { groups.append(Inventory.Group(name: role, hosts: members)) }
        }
        return Inventory(groups: groups, hosts: hosts)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
