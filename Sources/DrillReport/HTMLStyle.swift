/// The report's inline style sheet: screen and print (A4, page breaks before the main sections).
enum HTMLStyle {
    static let css = """
        :root{--ink:#1d2733;--muted:#5b6876;--line:#d5dbe2;--met:#2e8b57;--late:#e0a100;--missed:#c62828;\
        --pending:#8a96a3;--cut:#c9d1d9;--accent:#1f5fa8;--bg:#f6f8fa}
        *{box-sizing:border-box}
        body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",\
        "Helvetica Neue",Arial,sans-serif;color:var(--ink);margin:0;line-height:1.5;font-size:14px;background:#fff}
        main{max-width:1180px;margin:0 auto;padding:24px 32px 64px}
        h1{font-size:28px;margin:8px 0 4px}h2{font-size:21px;border-bottom:2px solid var(--accent);\
        padding-bottom:4px;margin:40px 0 12px}h3{font-size:16px;margin:24px 0 8px}
        .subtitle{color:var(--muted);margin:0 0 16px}
        .banner{padding:10px 16px;border-radius:6px;font-weight:600;margin:12px 0}
        .banner.provisional{background:#fff4d6;border:1px solid var(--late)}
        .banner.aborted{background:#fde7e7;border:1px solid var(--missed)}
        nav.toc{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px 16px}
        nav.toc ol{margin:4px 0;padding-left:20px;columns:2}
        nav.toc a{color:var(--accent);text-decoration:none}
        table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13px}
        th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
        th{background:var(--bg);font-weight:600}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
        dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin:12px 0}
        .card{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:var(--bg)}
        .card .value{font-size:24px;font-weight:700}.card .label{color:var(--muted);font-size:12px}
        .s-met{color:var(--met)}.s-late{color:#a66f00}.s-missed{color:var(--missed)}.s-pending{color:var(--pending)}
        .s-cut{color:var(--pending)}.warn{color:var(--missed);font-weight:600}
        table.hm{width:auto}table.log td:nth-child(-n+3){white-space:nowrap}
        .hm td{text-align:center;font-family:monospace;font-size:12px;padding:2px 3px;white-space:nowrap}
        .hm th{font-size:11px;writing-mode:vertical-rl;white-space:nowrap;padding:4px 2px}
        .hm th.row{writing-mode:horizontal-tb;text-align:left}
        .c-met{background:#cfead9}.c-late{background:#fde9b3}.c-missed{background:#f6c4c4}\
        .c-pending{background:#e6e9ed}.c-cut{background:#f1f3f5}.c-none{background:#fff}
        .chart{width:100%;height:auto;display:block;margin:8px 0 16px}
        .scroll{overflow-x:auto}
        .legend span{display:inline-block;margin-right:14px;font-size:12px}
        .legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
        .small{font-size:12px;color:var(--muted)}
        .mono{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:12px;word-break:break-all}
        .teamtext{white-space:pre-wrap}
        ul.findings li{margin:4px 0}
        footer{margin-top:48px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}
        @page{size:A4;margin:14mm 12mm}
        @media print{main{max-width:none;padding:0}nav.toc{display:none}body{font-size:11px}\
        section.major{break-before:page}h2,h3{break-after:avoid}tr,.card,svg{break-inside:avoid}\
        .scroll{overflow:visible}a{color:inherit;text-decoration:none}}
        """
}
