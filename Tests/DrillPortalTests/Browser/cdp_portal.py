#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol for the portal browser test (stdlib only).

Talks to the Swift test over stdin/stdout: prints LOADED when the team page is up, waits for the inject
to appear without a reload, clicks its Acknowledge button, prints ACKED, takes screenshots of the three
pages, prints DONE. Any failure prints FAIL: reason and exits 1.
"""
import base64, json, os, socket, struct, subprocess, sys, tempfile, time, urllib.request, shutil

def fail(reason):
    print("FAIL: " + reason, flush=True)
    sys.exit(1)

class WebSocket:
    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk: fail("websocket handshake closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]: fail("websocket handshake refused: " + head.decode(errors="replace"))
        self.next_id = 0

    def _recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk: fail("websocket closed")
            data += chunk
        return data

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        mask = os.urandom(4)
        n = len(payload)
        if n < 126: header += bytes([0x80 | n])
        elif n < 65536: header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else: header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._recv_exact(2)
            n = b1 & 0x7F
            if n == 126: n = struct.unpack(">H", self._recv_exact(2))[0]
            elif n == 127: n = struct.unpack(">Q", self._recv_exact(8))[0]
            data = self._recv_exact(n)
            opcode = b0 & 0x0F
            if opcode == 8: fail("websocket closed by browser")
            if opcode in (9, 10): continue
            message += data
            if b0 & 0x80: return message.decode()

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.recv())
            if reply.get("id") == my_id:
                if "error" in reply: fail(f"{method}: {reply['error']}")
                return reply.get("result", {})

def evaluate(ws, expression):
    result = ws.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
    return result.get("result", {}).get("value")

def wait_for(ws, expression, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if evaluate(ws, expression): return
        time.sleep(0.1)
    where = evaluate(ws, "location.href + ' | ' + document.body.innerText.slice(0, 200).replace(/\\n/g, ' ')")
    fail("timed out waiting for " + what + " (page: " + str(where) + ")")

def screenshot(ws, path):
    data = ws.call("Page.captureScreenshot", format="png")["data"]
    with open(path, "wb") as f: f.write(base64.b64decode(data))

def navigate(ws, url):
    ws.call("Page.navigate", url=url)
    wait_for(ws, "document.readyState === 'complete' && location.href === %s" % json.dumps(url), 15, "page load " + url)

def main():
    port, inject, out = sys.argv[1], sys.argv[2], sys.argv[3]
    cookies = dict(arg.split("=", 1) for arg in sys.argv[4:])  # role=sessionid
    base = f"http://127.0.0.1:{port}"
    profile = tempfile.mkdtemp(prefix="drill-chromium-")
    browser = subprocess.Popen(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,900", "--lang=en-US", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        active = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(active) or os.path.getsize(active) == 0:
            if time.time() > deadline: fail("chromium did not start")
            time.sleep(0.1)
        devtools_port = open(active).read().split("\n")[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        ws = WebSocket(page["webSocketDebuggerUrl"])
        ws.call("Page.enable"); ws.call("Network.enable"); ws.call("Runtime.enable")

        def sign(role):
            ws.call("Network.setCookie", name="drill_session", value=cookies[role], url=base, httpOnly=True, sameSite="Strict")

        sign("team")
        navigate(ws, base + "/team")
        evaluate(ws, "window.__drillMarker = 'no-reload'; true")
        wait_for(ws, "document.getElementById('live-status').className.indexOf('ok') >= 0", 10, "the live stream to connect")
        print("LOADED", flush=True)
        if sys.stdin.readline().strip() != "GO": fail("no GO from the test")
        selector = "#inject-" + inject
        wait_for(ws, "document.querySelector(%s) !== null" % json.dumps(selector), 10, "the inject to appear")
        if evaluate(ws, "window.__drillMarker") != "no-reload": fail("the page reloaded to show the inject")
        print("APPEARED", flush=True)
        time.sleep(0.3)
        screenshot(ws, os.path.join(out, "team.png"))
        # A real mouse click on the Acknowledge button, at its position on screen.
        box = evaluate(ws, "(function(){var r=document.querySelector(%s).getBoundingClientRect();return [r.x+r.width/2,r.y+r.height/2];})()"
                       % json.dumps(selector + " button.ack"))
        ws.call("Input.dispatchMouseEvent", type="mouseMoved", x=box[0], y=box[1])
        for kind in ("mousePressed", "mouseReleased"):
            ws.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
        wait_for(ws, "(function(){var b=document.querySelector(%s);return b!==null&&b.disabled;})()" % json.dumps(selector + " button.ack"),
                 10, "the acknowledgement to show")
        print("ACKED", flush=True)
        screenshot(ws, os.path.join(out, "team-acknowledged.png"))
        sign("evaluator")
        navigate(ws, base + "/evaluator")
        time.sleep(0.3)
        screenshot(ws, os.path.join(out, "evaluator.png"))
        sign("director")
        navigate(ws, base + "/director")
        time.sleep(0.3)
        screenshot(ws, os.path.join(out, "director.png"))
        print("DONE", flush=True)
    finally:
        browser.terminate()
        try: browser.wait(10)
        except Exception: browser.kill()
        shutil.rmtree(profile, ignore_errors=True)

if __name__ == "__main__":
    main()
