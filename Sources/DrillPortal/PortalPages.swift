import DrillCore

/// The server-rendered pages. Every value that came from a scenario, a team, an evaluator or the journal goes
/// through ``HTML/escape(_:)``. Pages carry one small inline script (allowed by a per-response CSP nonce) that
/// listens to the live stream and swaps in the server-rendered live fragment (`?fragment=1`), and ticks the
/// countdowns; with scripts off, the forms still work and a reload shows the news.
enum PortalPages {
    struct Context {
        var identity: PortalIdentity
        var csrfToken: String
        var language: PortalLanguage
        var nonce: String
        var state: PortalSnapshot
        var scenario: Scenario?
        var now: Int64
        var criteria: [RubricCriterion]
        var runID: String

        func t(_ key: String) -> String { HTML.escape(language.text(key)) }
        var exerciseNow: Int64 { state.exerciseMillis(atWall: now) }
        var csrfField: String { "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(csrfToken))\">" }
    }

    static let style = """
        body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
        header{background:#17324d;color:#fff;padding:.6em 1.2em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
        header h1{font-size:1.2em;margin:0;flex:1} header a,header button{color:#fff}
        main{padding:1em 1.2em;max-width:1200px} .card{background:#fff;border-radius:6px;padding:.8em 1em;margin:.8em 0;box-shadow:0 1px 3px #0002}
        .sev{display:inline-block;padding:0 .5em;border-radius:3px;background:#c62828;color:#fff;font-weight:bold}
        .sev-III,.sev-IV{background:#ef6c00} .phase{display:inline-block;margin-right:1.2em} .late{color:#c62828;font-weight:bold}
        .done{color:#2e7d32} .due{color:#1565c0} .overdue{color:#c62828} table{border-collapse:collapse;background:#fff}
        td,th{border:1px solid #ccd;padding:.3em .5em;font-size:.9em;vertical-align:top} form.inline{display:inline}
        textarea{width:100%;min-height:4em} .muted{color:#667} .pill{padding:.1em .5em;border-radius:1em;background:#e3e8ee}
        .live{font-size:.8em} .ok{color:#2e7d32} .bad{color:#c62828} pre{white-space:pre-wrap;margin:.3em 0}
        """

    static func layout(_ c: Context, title: String, body: String, live: Bool) -> String {
        let other: PortalLanguage = c.language == .en ? .zh : .en
        let otherName = other == .zh ? "中文" : "English"
        let script = live ? liveScript(c) : ""
        return """
            <!doctype html>
            <html lang="\(c.language.htmlLang)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width,initial-scale=1">
            <title>\(title) · \(c.t("app"))</title><style nonce="\(c.nonce)">\(style)</style></head>
            <body><header><h1>\(title)</h1>
            <span class="pill">\(HTML.escape(c.identity.role.rawValue)): \(HTML.escape(c.identity.subject))</span>
            <span class="live" id="live-status">\(c.t("live"))</span>
            <a href="?lang=\(other.rawValue)">\(otherName)</a>
            <form class="inline" method="post" action="/signout">\(c.csrfField)<button type="submit">\(c.t("signout"))</button></form>
            </header><main><div id="live" data-seq="\(c.state.ledger.lastSequence)">\(body)</div></main>\(script)</body></html>
            """
    }

    static func liveScript(_ c: Context) -> String {
        """
        <script nonce="\(c.nonce)">
        (function(){
          var live=document.getElementById('live'), status=document.getElementById('live-status');
          var pending=false;
          function refresh(){
            if(pending) return; pending=true;
            setTimeout(function(){
              fetch(location.pathname+'?fragment=1',{credentials:'same-origin'}).then(function(r){
                if(r.status===200) return r.text(); if(r.status===401||r.status===303) location.href='/signin'; return null;
              }).then(function(t){ pending=false; if(t!==null&&t!==undefined){ swap(t); } })
              .catch(function(){ pending=false; });
            },80);
          }
          // Swap in the new fragment, keeping what the user is typing (report and notes fields) and focus.
          function swap(html){
            var kept={}, focused=document.activeElement, focusKey=null;
            var fields=live.querySelectorAll('textarea,input[type=number],select');
            for(var i=0;i<fields.length;i++){ var f=fields[i], k=(f.form?f.form.getAttribute('action'):'')+'#'+f.name;
              if(f.tagName==='SELECT'||f.value) kept[k]=f.value; if(f===focused) focusKey=k; }
            live.innerHTML=html; shownAt=Date.now();
            fields=live.querySelectorAll('textarea,input[type=number],select');
            for(var j=0;j<fields.length;j++){ var g=fields[j], key=(g.form?g.form.getAttribute('action'):'')+'#'+g.name;
              if(kept[key]!==undefined) g.value=kept[key]; if(key===focusKey) g.focus(); }
            tick();
          }
          function fmt(ms){ var s=Math.max(0,Math.round(Math.abs(ms)/1000)); var h=Math.floor(s/3600), m=Math.floor(s%3600/60), x=s%60;
            return (h?h+':':'')+(m<10&&h?'0':'')+m+':'+(x<10?'0':'')+x; }
          // Countdowns count from when this browser received the numbers, so server and browser clocks may differ.
          var shownAt=Date.now();
          function tick(){
            var nodes=document.querySelectorAll('[data-remaining]');
            var base=shownAt;
            var speed=Number(document.querySelector('[data-speed]')&&document.querySelector('[data-speed]').getAttribute('data-speed'))||1;
            var running=document.querySelector('[data-running="1"]')!==null;
            for(var i=0;i<nodes.length;i++){
              var n=nodes[i], left=Number(n.getAttribute('data-remaining'))-(running?(Date.now()-base)*speed:0);
              n.textContent=(left<0?n.getAttribute('data-overdue')+' ':n.getAttribute('data-due')+' ')+fmt(left);
              n.className=left<0?'overdue':'due';
            }
            var clocks=document.querySelectorAll('[data-clock]');
            for(var j=0;j<clocks.length;j++){
              var e=Number(clocks[j].getAttribute('data-clock'))+(running?(Date.now()-base)*speed:0);
              clocks[j].textContent=fmt(e);
            }
          }
          document.addEventListener('submit',function(ev){
            var f=ev.target; if(f.getAttribute&&f.getAttribute('data-confirm')&&!window.confirm(f.getAttribute('data-confirm'))) ev.preventDefault();
          });
          if(window.EventSource){
            var es=new EventSource('/api/events');
            es.addEventListener('journal',function(){ refresh(); });
            es.onopen=function(){ status.textContent='\u{25CF} \(c.t("live"))'; status.className='live ok'; };
            es.onerror=function(){ status.textContent='\u{25CB} \(c.t("live"))'; status.className='live bad'; };
          }
          setInterval(tick,1000); tick();
        })();
        </script>
        """
    }

    static func clockHeader(_ c: Context) -> String {
        let status = c.state.ledger.status
        let engine = c.state.engine(atWall: c.now)
        var notice = ""
        if status == .running || status == .paused, !engine.alive {
            let since = engine.lastSeenMillis.map { " T+\(clock($0))" } ?? ""
            notice = " · <b class=\"bad\" id=\"engine-down\">\(c.t("engine.down"))\(since)</b>"
        }
        return """
            <div class="card" data-rendered="\(c.now)" data-speed="\(c.state.speed)" data-running="\(status == .running && engine.alive ? 1 : 0)">
            \(c.t("clock")): <b data-clock="\(c.exerciseNow)">\(clock(c.exerciseNow))</b>
            · \(c.t("status")): <b>\(c.t("status.\(status.rawValue)"))</b>\(notice) · <span class="muted">\(HTML.escape(c.runID))</span></div>
            """
    }

    static func clock(_ millis: Int64) -> String {
        let seconds = max(0, millis / 1000)
        let h = seconds / 3600
        let m = seconds % 3600 / 60
        let s = seconds % 60
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(h):\(two(m)):\(two(s))"
    }

    static func phaseCell(_ c: Context, _ phase: PhaseView) -> String {
        let name = c.t("phase.\(phase.phase)")
        switch phase.status {
        case .notExpected:
            return "<span class=\"phase\" data-status=\"notExpected\">\(name): <span class=\"muted\">—</span></span>"
        case .notApplicable:
            return
                "<span class=\"phase\" data-status=\"notApplicable\">\(name): <span class=\"muted\">\(c.t("status.notApplicable"))</span></span>"
        case .interrupted, .notDone:
            return
                "<span class=\"phase\" data-status=\"\(phase.status.rawValue)\">\(name): <span class=\"muted\">\(c.t("status.\(phase.status.rawValue)"))</span></span>"
        default: break
        }
        if phase.done {
            let late = phase.late ? " <span class=\"late\">\(c.t("late"))</span>" : ""
            return
                "<span class=\"phase\" data-status=\"\(phase.status.rawValue)\">\(name): <span class=\"done\">✓ \(clock(phase.doneAtMillis ?? 0))</span>\(late)</span>"
        }
        let claim =
            phase.claimUnconfirmed
            ? " <span class=\"late\" data-claim=\"unconfirmed\">\(c.t("claim.unconfirmed"))</span>" : ""
        guard let remaining = phase.remainingMillis else {
            return
                "<span class=\"phase\" data-status=\"\(phase.status.rawValue)\">\(name): <span class=\"muted\">\(c.t("nodeadline"))</span>\(claim)</span>"
        }
        let label = remaining < 0 ? c.t("overdue") : c.t("pending")
        return """
            <span class="phase" data-status="\(phase.status.rawValue)">\(name): <span class="\(remaining < 0 ? "overdue" : "due")" data-remaining="\(remaining)" \
            data-due="\(c.t("pending"))" data-overdue="\(c.t("overdue"))">\(label) \(clock(abs(remaining)))</span>\(claim)</span>
            """
    }

    // MARK: - Sign in

    static func signIn(language: PortalLanguage, failed: Bool) -> String {
        let t = { (key: String) in HTML.escape(language.text(key)) }
        return """
            <!doctype html><html lang="\(language.htmlLang)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width,initial-scale=1"><title>\(t("signin")) · \(t("app"))</title>
            <style>\(style)</style></head><body><header><h1>\(t("app"))</h1>
            <a href="?lang=en">English</a> <a href="?lang=zh">中文</a></header><main><div class="card">
            <h2>\(t("signin"))</h2><p>\(t("signin.help"))</p>\(failed ? "<p class=\"bad\">\(t("signin.failed"))</p>" : "")
            <form method="post" action="/signin"><label>\(t("code")) <input name="code" autocomplete="off" autofocus \
            required maxlength="64"></label> <button type="submit">\(t("signin"))</button></form></div></main></body></html>
            """
    }

    // MARK: - Team

    static func team(_ c: Context) -> String {
        layout(c, title: c.t("team.title"), body: teamLive(c), live: true)
    }

    static func teamLive(_ c: Context) -> String {
        let inbox = PortalViews.inbox(c.state, team: c.identity.subject, scenario: c.scenario, now: c.now)
        var out = clockHeader(c)
        if inbox.items.isEmpty { out += "<div class=\"card muted\" id=\"empty\">\(c.t("inbox.empty"))</div>" }
        for item in inbox.items {
            let inject = HTML.escape(item.inject)
            let path = "/team/injects/\(HTML.escape(percentEncode(item.inject)))"
            let severity =
                item.severity.map {
                    "<span class=\"sev sev-\(HTML.escape($0))\">\(c.t("severity")) \(HTML.escape($0))</span> "
                } ?? ""
            func offered(_ name: String) -> Bool {
                guard let phase = item.phases.first(where: { $0.phase == name }) else { return false }
                return phase.status != .notExpected && phase.status != .notApplicable
            }
            let acknowledged = item.phases.first { $0.phase == "acknowledge" }?.done ?? false
            let resolved = item.phases.first { $0.phase == "resolve" }?.done ?? false
            out += """
                <div class="card inject" id="inject-\(inject)" data-inject="\(inject)">
                <h3>\(severity)\(HTML.escape(item.title))</h3><pre class="message">\(HTML.escape(item.message))</pre>
                <div>\(item.phases.map { phaseCell(c, $0) }.joined())</div><div>
                <form class="inline" method="post" action="\(path)/acknowledge">\(c.csrfField)<button type="submit" \
                class="ack"\(acknowledged ? " disabled" : "")>\(c.t("acknowledge"))</button></form>
                \(offered("resolve") ? """
                <form class="inline" method="post" action="\(path)/resolve">\(c.csrfField)<button type="submit" \
                class="resolve"\(resolved ? " disabled" : "")>\(c.t("resolve"))</button></form>
                """ : "")</div>
                <form method="post" action="\(path)/report">\(c.csrfField)<label>\(c.t("report"))<textarea name="text" \
                maxlength="8000" required></textarea></label><button type="submit">\(c.t("send"))</button></form>
                """
            if !item.reports.isEmpty {
                out += "<h4>\(c.t("reports"))</h4>"
                for report in item.reports {
                    let late = report.late ? " <span class=\"late\">\(c.t("late"))</span>" : ""
                    out +=
                        "<div class=\"report\"><span class=\"muted\">\(clock(report.atMillis))</span>\(late)<pre>\(HTML.escape(report.text))</pre></div>"
                }
            }
            out += "</div>"
        }
        return out
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-_.~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    // MARK: - Evaluator

    static func evaluator(_ c: Context) -> String {
        layout(c, title: c.t("evaluator.title"), body: evaluatorLive(c), live: true)
    }

    static func evaluatorLive(_ c: Context) -> String {
        let board = PortalViews.board(c.state, scenario: c.scenario, now: c.now)
        var out = clockHeader(c)
        out += "<div class=\"card\"><h2>\(c.t("board"))</h2><table id=\"board\"><tr><th>\(c.t("inject"))</th>"
        for team in board.teams { out += "<th>\(HTML.escape(c.scenario?.team(team)?.name ?? team))</th>" }
        out += "</tr>"
        for inject in board.injects {
            out += "<tr><th>\(HTML.escape(PortalViews.title(inject, c.scenario)))</th>"
            for team in board.teams {
                if let cell = board.cells.first(where: { $0.inject == inject && $0.team == team }) {
                    out +=
                        "<td>" + cell.phases.map { phaseCell(c, $0) + "<br>" }.joined()
                        + (cell.observations > 0 ? "<span class=\"muted\">✎ \(cell.observations)</span>" : "") + "</td>"
                } else {
                    out += "<td class=\"muted\">—</td>"
                }
            }
            out += "</tr>"
        }
        out += "</table></div>"
        // Observation form.
        out += "<div class=\"card\"><h2>\(c.t("observe"))</h2>"
        out +=
            "<form method=\"post\" action=\"/evaluator/observations\">\(c.csrfField)<label>\(c.t("inject")) / \(c.t("team")) <select name=\"pair\" required>"
        for cell in board.cells {
            let value = HTML.escape("\(cell.inject)|\(cell.team)")
            out +=
                "<option value=\"\(value)\">\(HTML.escape(PortalViews.title(cell.inject, c.scenario))) → \(HTML.escape(c.scenario?.team(cell.team)?.name ?? cell.team))</option>"
        }
        out += "</select></label><br>"
        for criterion in c.criteria {
            out +=
                "<label>\(HTML.escape(criterion.title)) <input type=\"number\" min=\"0\" max=\"5\" step=\"1\" name=\"score.\(HTML.escape(criterion.id))\"></label> "
        }
        out += "<br><label>\(c.t("rating")) <select name=\"rating\"><option value=\"\">—</option>"
        out += "<option>P</option><option>S</option><option>M</option><option>U</option></select></label>"
        out += "<label>\(c.t("notes"))<textarea name=\"notes\" maxlength=\"8000\"></textarea></label>"
        out += "<button type=\"submit\">\(c.t("submit"))</button></form></div>"
        // Visible observations.
        let visible = c.state.observations(visibleTo: c.identity.subject)
        out += "<div class=\"card\"><h2>\(c.t("observations"))</h2>"
        if visible.isEmpty { out += "<p class=\"muted\">\(c.t("none"))</p>" }
        for (key, observation) in visible {
            let scores = observation.scores.keys.sorted().map {
                "\(HTML.escape($0)) \(EventLogEntry.number(observation.scores[$0]!))"
            }
            .joined(separator: ", ")
            out += """
                <div class="observation"><b>\(HTML.escape(key.inject))</b> → \(HTML.escape(key.team)) · \
                \(c.t("evaluator")) \(HTML.escape(observation.evaluator)) · \(c.t("scores")): \(scores) \
                \(observation.rating.map { "· \(c.t("rating")) \(HTML.escape($0))" } ?? "")<pre>\(HTML.escape(observation.notes ?? ""))</pre></div>
                """
        }
        return out + "</div>"
    }

    // MARK: - Director

    static func director(_ c: Context) -> String {
        layout(c, title: c.t("director.title"), body: directorLive(c), live: true)
    }

    static func directorLive(_ c: Context) -> String {
        let view = PortalViews.director(c.state, scenario: c.scenario, now: c.now)
        var out = clockHeader(c)
        out += "<div class=\"card\"><h2>\(c.t("controls"))</h2>"
        let status = c.state.ledger.status
        if status == .running {
            out +=
                "<form class=\"inline\" method=\"post\" action=\"/director/control\">\(c.csrfField)<input type=\"hidden\" name=\"action\" value=\"pause\"><button type=\"submit\">\(c.t("pause"))</button></form> "
        }
        if status == .paused {
            out +=
                "<form class=\"inline\" method=\"post\" action=\"/director/control\">\(c.csrfField)<input type=\"hidden\" name=\"action\" value=\"resume\"><button type=\"submit\">\(c.t("resume"))</button></form> "
        }
        let injectOptions = PortalViews.injects(c.state, c.scenario).map {
            "<option value=\"\(HTML.escape($0))\">\(HTML.escape(PortalViews.title($0, c.scenario)))</option>"
        }.joined()
        let teamOptions = PortalViews.teams(c.state, c.scenario).map {
            "<option value=\"\(HTML.escape($0))\">\(HTML.escape(c.scenario?.team($0)?.name ?? $0))</option>"
        }.joined()
        out += """
            <form class="inline" method="post" action="/director/control">\(c.csrfField)<input type="hidden" name="action" value="trigger">
            <select name="inject">\(injectOptions)</select><button type="submit">\(c.t("trigger"))</button></form>
            <form method="post" action="/director/control">\(c.csrfField)<input type="hidden" name="action" value="extend">
            <select name="inject">\(injectOptions)</select>
            <select name="phase"><option value="acknowledge">\(c.t("phase.acknowledge"))</option><option value="report">\(c.t("phase.report"))</option>\
            <option value="resolve">\(c.t("phase.resolve"))</option></select>
            <select name="team"><option value="">\(c.t("allteams"))</option>\(teamOptions)</select>
            <input type="number" name="minutes" min="1" max="1440" value="10" required> \(c.t("minutes"))
            <button type="submit">\(c.t("extend"))</button></form>
            <form method="post" action="/director/control" data-confirm="\(c.t("confirm.abort"))">\(c.csrfField)
            <input type="hidden" name="action" value="abort"><label><input type="checkbox" name="confirm" value="yes" required> \(c.t("confirm"))</label>
            <button type="submit" class="bad">\(c.t("abort"))</button></form></div>
            """
        out += "<div class=\"card\"><h2>\(c.t("next"))</h2><table>"
        for next in view.next.prefix(10) {
            out += "<tr><td>\(clock(next.atMillis))</td><td>\(HTML.escape(next.title))</td></tr>"
        }
        if view.next.isEmpty { out += "<tr><td class=\"muted\">\(c.t("none"))</td></tr>" }
        out += "</table></div><div class=\"card\"><h2>\(c.t("fired"))</h2><table>"
        for fired in view.fired {
            let ok = fired.hosts.filter(\.succeeded).count
            out +=
                "<tr><td>\(clock(fired.firedAtMillis ?? 0))</td><td>\(HTML.escape(PortalViews.title(fired.inject, c.scenario)))</td>"
            out += "<td>\(c.t("hosts")): <span class=\"ok\">\(ok)</span> / \(fired.hosts.count)</td></tr>"
        }
        out += "</table></div><div class=\"card\"><h2>\(c.t("pendingresp"))</h2><table>"
        for pending in view.pending.prefix(50) {
            let remaining =
                pending.remainingMillis.map {
                    "<span class=\"\($0 < 0 ? "overdue" : "due")\" data-remaining=\"\($0)\" data-due=\"\(c.t("pending"))\" data-overdue=\"\(c.t("overdue"))\">\(clock(abs($0)))</span>"
                } ?? "<span class=\"muted\">\(c.t("nodeadline"))</span>"
            let claim =
                pending.claimUnconfirmed
                ? " <span class=\"late\" data-claim=\"unconfirmed\">\(c.t("claim.unconfirmed"))</span>" : ""
            out +=
                "<tr><td>\(HTML.escape(pending.team))</td><td>\(HTML.escape(pending.inject))</td><td>\(c.t("phase.\(pending.phase)"))</td><td>\(remaining)\(claim)</td></tr>"
        }
        out += "</table></div><div class=\"card\"><h2>\(c.t("failures"))</h2><table>"
        for failure in view.hostFailures {
            out +=
                "<tr><td>\(HTML.escape(failure.host))</td><td>\(HTML.escape(failure.inject))</td><td class=\"bad\">\(HTML.escape(failure.detail))</td></tr>"
        }
        if view.hostFailures.isEmpty { out += "<tr><td class=\"muted\">\(c.t("none"))</td></tr>" }
        return out + "</table></div>"
    }
}
