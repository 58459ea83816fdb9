# The handshake check of the sipscope interop token gateway (token-gateway.cfg), run by Kamailio's app_python3 in
# event_route[xhttp:request] before ws_handle_handshake(). It takes the token from the query parameter "token" or an
# "Authorization: Bearer" header and verifies it with PyJWT: HS256 only (so alg none and every other algorithm are
# refused), iss/sub/iat/exp required, first with the active key, then with the next key when one is set.
# The keys are read from a JSON file ({"active": "...", "next": "..." or null}) on every handshake, so the tests
# can walk through a key rotation (set next, promote, change without overlap) without restarting Kamailio.
# Sets $var(token_status) to 101 (go on), 401 (no token) or 403 (token refused), and $var(token_reason).
import json
from urllib.parse import parse_qs, urlsplit

import jwt
import KSR

KEYS_FILE = "%%KEYS_FILE%%"


def mod_init():
    return TokenGateway()


def _token_of(uri, authorization):
    values = parse_qs(urlsplit(uri or "").query).get("token")
    if values:
        return values[0]
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def _verdict(token):
    with open(KEYS_FILE, encoding="utf-8") as keys_file:
        keys = json.load(keys_file)
    last_error = "no key"
    for role in ("active", "next"):
        key = keys.get(role)
        if not key:
            continue
        try:
            jwt.decode(token, key, algorithms=["HS256"], options={"require": ["iss", "sub", "iat", "exp"]})
            return 101, "token verified by the %s key" % role
        except jwt.InvalidSignatureError:
            last_error = "signature matches no key"
            continue
        except jwt.PyJWTError as error:
            return 403, "%s: %s" % (type(error).__name__, error)
    return 403, last_error


class TokenGateway:
    def child_init(self, rank):
        return 0

    def check_handshake_token(self, msg):
        token = _token_of(KSR.pv.get("$hu"), KSR.pv.get("$hdr(Authorization)"))
        if token is None:
            status, reason = 401, "no token"
        else:
            try:
                status, reason = _verdict(token)
            except Exception as error:  # a gateway must answer, whatever the token holds
                status, reason = 403, "unusable token: %s" % type(error).__name__
        KSR.pv.seti("$var(token_status)", status)
        KSR.pv.sets("$var(token_reason)", reason)
        KSR.info("websocket handshake from %s: %d %s\n" % (KSR.pv.get("$si"), status, reason))
        return 1
