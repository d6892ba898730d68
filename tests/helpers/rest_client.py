"""A client that knows nothing of TypeScript: Python's standard library against the REST form.

Signs up, waits for the verification link on stdin (the test reads it from the mail), confirms,
signs in, calls auth/me, refreshes with the cookie and signs out. Prints one JSON line per step.
"""
import http.cookiejar
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
api = base + "/api/v1"
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def call(method, path, body=None, token=None, origin=False):
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    if origin:
        headers["Origin"] = base
    request = urllib.request.Request(api + path, data=data, headers=headers, method=method)
    try:
        with opener.open(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def step(name, status, answer):
    print(json.dumps({"step": name, "status": status, "answer": answer}), flush=True)


status, answer = call("POST", "/auth/register", {"email": email, "password": password, "name": "Py Thon"})
step("register", status, answer)

link = sys.stdin.readline().strip()
token = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["token"][0]
status, answer = call("POST", "/auth/verifyEmail", {"token": token})
step("verifyEmail", status, answer)

status, answer = call("POST", "/auth/login", {"email": email, "password": password})
step("login", status, answer)
access = answer["session"]["accessToken"]

status, answer = call("GET", "/auth/me", token=access)
step("me", status, answer)

status, answer = call("POST", "/auth/refresh", origin=True)
step("refresh", status, answer)
refreshed = answer["accessToken"]

status, answer = call("GET", "/auth/me", token=refreshed)
step("me after refresh", status, answer)

status, answer = call("POST", "/auth/logout", token=refreshed, origin=True)
step("logout", status, answer)

status, answer = call("GET", "/auth/me", token=refreshed)
step("me after logout", status, answer)
