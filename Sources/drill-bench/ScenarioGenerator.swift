import DrillCore

/// Generates a large, valid scenario and its inventory as YAML text, for the `plan` and `generate` benchmarks.
///
/// Two provinces; teams of 50 hosts each (web, dns and db roles); injects of every kind: fixed times,
/// `after` chains with delays, escalations with conditions, selectors by province, team, group and host
/// pattern, each with templated actions, checks, remedy and cleanup.
struct ScenarioGenerator {
    var injects: Int
    var hosts: Int
    var hostsPerTeam = 50

    var teamCount: Int { max(2, (hosts + hostsPerTeam - 1) / hostsPerTeam) }

    func host(_ index: Int) -> String { "h\(index)" }
    func team(_ index: Int) -> String { "t\(index)" }
    func province(ofTeam index: Int) -> String { index % 2 == 0 ? "yunnan" : "guizhou" }
    func role(ofHost index: Int) -> String { ["web", "web", "dns", "db"][index % 4] }

    /// An Ansible YAML inventory: groups per province and per team, and role groups.
    func inventoryYAML() -> String {
        var teams: [[Int]] = Array(repeating: [], count: teamCount)
        for index in 0..<hosts { teams[index % teamCount].append(index) }
        var out =
            "all:\n  vars:\n    ansible_user: drill\n    drill_root: /srv/drill\n    webroot: /var/www/html\n  children:\n"
        for province in ["yunnan", "guizhou"] {
            out += "    \(province):\n      vars: { drill_province: \(province) }\n      children:\n"
            for (teamIndex, members) in teams.enumerated() where self.province(ofTeam: teamIndex) == province {
                out +=
                    "        \(team(teamIndex)):\n          vars: { drill_team: \(team(teamIndex)) }\n          hosts:\n"
                for member in members {
                    out +=
                        "            \(host(member)): { ansible_host: 10.\(member / 65536 % 256).\(member / 256 % 256).\(member % 256) }\n"
                }
            }
        }
        for role in ["web", "dns", "db"] {
            out += "    \(role):\n      hosts:\n"
            for index in 0..<hosts where self.role(ofHost: index) == role { out += "        \(host(index)):\n" }
        }
        return out
    }

    /// A scenario over that inventory with `injects` injects spread over eight hours.
    func scenarioYAML() -> String {
        var out = """
            drill: bench
            title: 基准测试演练
            timezone: Asia/Shanghai
            duration: 10h
            scope: [yunnan, guizhou]
            provinces:
              - { id: yunnan, name: 云南 }
              - { id: guizhou, name: 贵州 }
            objectives: [{ id: detect, title: 发现 }, { id: contain, title: 处置 }]
            vars: { marker: drill-bench }
            x-check: &check { every: 20s }
            teams:

            """
        for index in 0..<teamCount {
            out +=
                "  - { id: \(team(index)), name: 单位\(index), province: \(province(ofTeam: index)), groups: \(team(index)) }\n"
        }
        out += "injects:\n"
        let grades = ["I", "II", "III", "IV"]
        for index in 0..<injects {
            let id = "i\(index)"
            out += "  - id: \(id)\n    title: 事件 \(index)\n"
            // Every tenth inject escalates an earlier one; every fifth follows one; the rest are timed.
            if index % 10 == 9 {
                out += "    after: { inject: i\(index - 1), unless: acknowledged, within: 10m }\n"
            } else if index % 5 == 4 {
                out += "    after: { inject: i\(index - 2), delay: 5m }\n"
            } else {
                let seconds = (index * 28_800 / max(1, injects))
                out += "    at: \(DurationText.clock(.seconds(seconds)))\n"
            }
            out += "    severity: \(grades[index % 4])\n"
            let teamIndex = index % teamCount
            switch index % 4 {
            case 0: out += "    targets: { province: \(province(ofTeam: teamIndex)), group: web }\n"
            case 1: out += "    targets: { team: \(team(teamIndex)) }\n"
            case 2:
                out +=
                    "    targets: { team: [\(team(teamIndex)), \(team((teamIndex + 2) % teamCount))], group: [dns, db] }\n"
            default:
                // Exact host names mostly, and a few globs (each distinct pattern is matched once, then cached).
                if index % 40 == 3 {
                    out += "    targets: { group: db, host: \"h\(index / 40 % 9 + 1)*\" }\n"
                } else {
                    let first = (index * 7) % hosts
                    out +=
                        "    targets: { host: [\(host(first)), \(host((first + 1) % hosts)), \(host((first + 4) % hosts))] }\n"
                }
            }
            out += """
                    message: "{{ team.name }}：第 \(index) 号事件，请核查 {{ vars.marker }}。"
                    objectives: [detect, contain]
                    actions:
                      - run: "mkdir -p {{ host.vars.drill_root }}/i\(index) && echo {{ marker }} > {{ host.vars.webroot }}/.i\(index)"
                    landed_when: "test -e {{ host.vars.webroot }}/.i\(index)"
                    resolved_when: { <<: *check, run: "test ! -e {{ host.vars.webroot }}/.i\(index)" }
                    remedy: ["rm -f {{ host.vars.webroot }}/.i\(index)"]
                    cleanup: ["rm -rf {{ host.vars.webroot }}/.i\(index) {{ host.vars.drill_root }}/i\(index)"]

                """
        }
        return out
    }
}
