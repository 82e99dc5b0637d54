import Foundation

/// The languages pages are shown in: chosen by `?lang=`, then the `lang` cookie, then `Accept-Language`.
public enum PortalLanguage: String, Sendable, CaseIterable {
    case en
    case zh

    /// The language for a request.
    public static func choose(query: String?, cookie: String?, acceptLanguage: String?) -> PortalLanguage {
        if let query, let language = PortalLanguage(rawValue: query) { return language }
        if let cookie, let language = PortalLanguage(rawValue: cookie) { return language }
        // The first listed language we have wins (browsers list them by preference; q-values are rare in practice).
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let tag = (part.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            if tag.hasPrefix("zh") { return .zh }
            if tag.hasPrefix("en") { return .en }
        }
        return .en
    }

    /// The text for `key`.
    func text(_ key: String) -> String {
        let table = self == .zh ? Self.chinese : Self.english
        return table[key] ?? Self.english[key] ?? key
    }

    var htmlLang: String { self == .zh ? "zh-CN" : "en" }

    static let english: [String: String] = [
        "app": "drillctl portal", "signin": "Sign in", "code": "Access code", "signout": "Sign out",
        "signin.help": "Enter the access code you were given for this drill.",
        "signin.failed": "That access code is not valid for this drill.",
        "team.title": "Team inbox", "evaluator.title": "Evaluator board", "director.title": "Director",
        "inbox.empty": "No injects yet. New ones appear here as soon as they are delivered.",
        "severity": "Severity", "acknowledge": "Acknowledge", "report": "Situation report", "resolve": "Mark resolved",
        "send": "Send report", "phase.acknowledge": "Acknowledge", "phase.report": "Report",
        "phase.resolve": "Resolve", "done": "done", "late": "late", "pending": "due in", "overdue": "overdue by",
        "nodeadline": "no deadline", "reports": "Your reports", "status": "Status", "clock": "Exercise clock",
        "status.created": "not started", "status.running": "running", "status.paused": "paused",
        "status.aborted": "aborted", "status.ended": "ended", "live": "live", "board": "Teams × injects",
        "observe": "Record an observation", "inject": "Inject", "team": "Team", "rating": "HSEEP rating",
        "notes": "Notes", "submit": "Submit observation", "observations": "Observations you can see",
        "none": "none", "next": "Next injects", "fired": "Fired injects", "hosts": "host results",
        "pendingresp": "Pending responses", "failures": "Host failures", "controls": "Controls",
        "pause": "Pause", "resume": "Resume", "trigger": "Trigger now", "extend": "Extend deadline",
        "abort": "Abort the drill", "confirm": "I confirm", "minutes": "minutes", "phase": "Phase",
        "allteams": "all teams", "evaluator": "Evaluator", "scores": "Scores",
        "confirm.abort":
            "Abort the drill? Cleanup will run on every host.", "at": "at",
        "engine.down": "engine not running since", "claim.unconfirmed": "claimed, NOT confirmed",
        "status.notApplicable": "not applicable (did not land)", "status.interrupted": "interrupted",
        "status.notDone": "not done",
    ]

    static let chinese: [String: String] = [
        "app": "drillctl 演练门户", "signin": "登录", "code": "访问码", "signout": "退出",
        "signin.help": "请输入本次演练分配给您的访问码。", "signin.failed": "访问码无效。",
        "team.title": "队伍收件箱", "evaluator.title": "评估看板", "director.title": "导调控制台",
        "inbox.empty": "暂无事件。新的事件下发后会立即显示在这里。",
        "severity": "级别", "acknowledge": "确认接收", "report": "态势报告", "resolve": "标记已处置",
        "send": "提交报告", "phase.acknowledge": "确认", "phase.report": "报告", "phase.resolve": "处置",
        "done": "已完成", "late": "超时", "pending": "剩余", "overdue": "已超时", "nodeadline": "无时限",
        "reports": "已提交的报告", "status": "状态", "clock": "演练时钟", "status.created": "未开始",
        "status.running": "进行中", "status.paused": "已暂停", "status.aborted": "已中止", "status.ended": "已结束",
        "live": "实时", "board": "队伍 × 事件", "observe": "记录评估意见", "inject": "事件", "team": "队伍",
        "rating": "HSEEP 评级", "notes": "备注", "submit": "提交评估", "observations": "可见的评估记录",
        "none": "无", "next": "即将下发", "fired": "已下发事件", "hosts": "主机结果", "pendingresp": "待响应",
        "failures": "主机失败", "controls": "控制", "pause": "暂停", "resume": "继续", "trigger": "立即触发",
        "extend": "延长时限", "abort": "中止演练", "confirm": "我确认", "minutes": "分钟", "phase": "阶段",
        "allteams": "所有队伍", "evaluator": "评估员", "scores": "评分", "confirm.abort": "确定中止演练？所有主机将执行清理。",
        "at": "于",
        "engine.down": "引擎已停止运行，最后心跳", "claim.unconfirmed": "已声明，未经核实",
        "status.notApplicable": "不适用（事件未落地）", "status.interrupted": "已中断", "status.notDone": "未完成",
    ]
}
