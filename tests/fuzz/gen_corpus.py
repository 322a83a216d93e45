#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of the fuzz targets (tests/fuzz).

    gen_corpus.py --wire tests/wire --seeds tests/fuzz/corpus --out build-fuzz/corpus

For every target <t>, <out>/<t>/ receives:
  - seeds derived from the real Odoo 18/19 captures of tests/wire (answers in
    the "<status>\\n<content-type>\\n<body>" form of fuzz_common.h, traces
    built from the requests' headers and bodies, HTML bodies);
  - the small hand-made seeds below;
  - the committed files of <seeds>/<t>/ (regression inputs: crashes found).
Existing files of <out>/<t>/ (what libFuzzer added) are kept.
"""
import argparse
import glob
import hashlib
import json
import os
import shutil

TARGETS = ["rpc_response", "json2_response", "html_summary", "redact", "dynamodb",
           "secret", "sigv4", "mapping", "json_parse", "answer_cap", "redirect"]


def answer(status, ctype, body):
    if isinstance(body, str):
        body = body.encode()
    return b"%d\n%s\n" % (status, (ctype or "").encode()) + body


def wire_seeds(wire):
    """(target, bytes) pairs from the captures."""
    files = sorted(glob.glob(os.path.join(wire, "*.json")) + glob.glob(os.path.join(wire, "*", "*.json")))
    for f in files:
        with open(f, encoding="utf-8") as fh:
            cap = json.load(fh)
        resp = cap.get("response")
        req = cap.get("request", {})
        if resp:
            body = resp.get("body_raw")
            if body is None:
                body = resp.get("body", "")
                if not isinstance(body, str):
                    body = json.dumps(body)
            headers = {k.lower(): v for k, v in (resp.get("headers") or {}).items()}
            ctype = headers.get("content-type", "")
            seed = answer(int(resp.get("status", 200)), ctype, body)
            yield "rpc_response", seed
            yield "json2_response", seed
            yield "json_parse", b"\1" + body.encode()
            if len(seed) <= 8192:
                # the answer cap: cap 64 (low byte, high nibble), chunking seed 7
                yield "answer_cap", b"\x40\x00\x07" + seed
            if "html" in ctype or not body.lstrip().startswith(("{", "[")):
                yield "html_summary", b"\x9f" + body.encode()
            # the trace of the answer: headers then body
            trace = "".join("%s: %s\r\n" % (k, v) for k, v in (resp.get("headers") or {}).items())
            yield "redact", b"\0\0" + (trace + "\r\n" + body).encode()
        rbody = req.get("body")
        if rbody is not None:
            if not isinstance(rbody, str):
                rbody = json.dumps(rbody)
            trace = "%s %s HTTP/1.1\r\n" % (req.get("method", "POST"), req.get("path", "/"))
            trace += "".join("%s: %s\r\n" % (k, v) for k, v in (req.get("headers") or {}).items())
            secrets = b""
            if isinstance(req.get("body"), dict):
                params = req["body"].get("params")
                if isinstance(params, dict) and isinstance(params.get("password"), str):
                    secrets = params["password"].encode() + b"\0"
            yield "redact", secrets + b"\0" + (trace + "\r\n" + rbody).encode()


HAND = {
    "answer_cap": [
        b"\x10\x00\x01" + answer(200, "application/json",
                                   '{"jsonrpc":"2.0","id":1,"result":[1,2,3]}'),
        b"\x00\x01\x05" + answer(200, "application/json",
                                   '{"jsonrpc":"2.0","id":1,"result":[' + '{"id":1},' * 40 + '{}]}'),
        b"\x05\x00\x09" + answer(502, "text/html", "<html><body>Bad Gateway</body></html>"),
    ],
    "redirect": [
        b"\x00https://other.example.com:8443/odoo/web/session/authenticate?token=x#f",
        b"\x20http://user:pass@127.0.0.2:8069/web",
        b"\x00/odoo?db=acme",
        b"\x08https://a-long-host.example.com/",
        b"\x00127.0.0.1",
        b"\x00[::1]",
        b"\x00[::ffff:127.0.0.1]",
        b"\x00LOCALHOST.",
        b"\x00127.1",
        b"\x002130706433",
        b"\x0010.200.0.1",
    ],
    "rpc_response": [
        answer(200, "application/json", '{"jsonrpc":"2.0","id":1,"result":null}'),
        answer(200, "application/json", '{"jsonrpc":"2.0","id":1}'),
        answer(200, "application/json", '{"jsonrpc":"2.0","id":1,"error":{"code":100,"message":"Odoo Session Expired","data":{"name":"odoo.http.SessionExpiredException","message":"Session expired","debug":"Traceback"}}}'),
        answer(200, "application/json", '{"jsonrpc":"2.0","id":1,"error":"text"}'),
        answer(200, "application/json", '{"jsonrpc":"2.0","id":1,"error":{"code":99999999999,"data":[]}}'),
        answer(200, "application/json", '[1,2'),
        answer(200, "", '{"result":1}'),
        answer(502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><p>nginx</p></body></html>"),
        answer(200, "application/json-rpc; charset=UTF-8", '{"result":{"uid":2}}'),
        answer(0, "APPLICATION/JSON", "\0\0\0"),
    ],
    "html_summary": [
        b"\x00<title>x</title>",
        b"\x10<html><head><title>  A\n\tB  </title></head><body><p>para <b>bold</b> &amp; more</p></body></html>",
        b"\xffplain text\r\nwith lines",
        b"\x05<p><p><p><title><",
        b"\x40<!-- <title>no</title> --><script>var a='<p>';</script><p>yes</p>",
    ],
    "redact": [
        b"\0Cookie: session_id=abc\r\nSet-Cookie: session_id=def; Path=/\r\n\r\n{\"session_id\": \"xyz\"}",
        b"hunter2\0\0{\"params\":{\"password\":\"hunter2\"}}\nAuthorization: bearer k3y",
        b"a\0b\0c\0\0session_id\"=\t:x-y_z\nproxy-authorization: Basic Zm9v",
    ],
    "dynamodb": [
        answer(200, "application/x-amz-json-1.0", '{"UnprocessedItems":{}}'),
        answer(200, "application/x-amz-json-1.0", '{"UnprocessedItems":{"Orders":[{"PutRequest":{"Item":{"pk":{"S":"S00001"},"sk":{"N":"12"},"m":{"M":{"a":{"L":[{"N":"1.5"},{"BOOL":true},{"NULL":true},{"SS":["a","b"]},{"NS":["1","2"]}]}}}}}},{"PutRequest":{"Item":{"pk":{"S":"S00002"}}}}]}}'),
        answer(200, "application/x-amz-json-1.0", '{"Items":[{"id":{"N":"-1.0e5"},"b":{"B":"AAEC"},"bs":{"BS":["AA=="]}}],"Count":1}'),
        answer(200, "application/x-amz-json-1.0", '{"Item":{"id":{"N":"99999999999999999999999999999999999999"}}}'),
        answer(400, "application/x-amz-json-1.0", '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}'),
        answer(400, "application/x-amz-json-1.0", '{"__type":"com.amazon.coral.service#ExpiredTokenException","Message":"The security token included in the request is expired"}'),
        answer(403, "text/xml", "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The Canonical String for this request should have been\nPOST\n/</Message></Error></ErrorResponse>"),
        answer(500, "", ""),
        answer(400, "application/x-amz-json-1.0", '{"code":"ConditionalCheckFailedException"}'),
    ],
    "secret": [
        b'{"ODOO_URL":"https://acme.odoo.com","ODOO_DB":"acme","ODOO_EMAIL":"sync@acme.com","ODOO_PASSWORD":"Pl4ntedPassw0rdForFuzz"}',
        b'{"ODOO_URL":"https://acme.odoo.com","ODOO_DB":"acme","ODOO_USER":"sync","ODOO_API_KEY":"Pl4ntedPassw0rdForFuzz"}',
        b'{"ODOO_URL":"https://a","ODOO_DB":"d","ODOO_USER":"u","ODOO_PASSWORD":"Pl4ntedPassw0rdForFuzz","ODOO_PASSWORD":"x"}',
        b'{"ODOO_URL":1,"ODOO_PASSWORD":"Pl4ntedPassw0rdForFuzz"}',
        b'{"ODOO_PASSWORD":"Pl4ntedPassw0rdForFuzz" "ODOO_URL"',
        b'["Pl4ntedPassw0rdForFuzz"]',
        b'{"ODOO_URL":"https://a","ODOO_DB":"d","ODOO_EMAIL":"e","ODOO_PASSWORD":"Pl4nted\\u0000Passw0rd"}',
    ],
    "sigv4": [
        b"POST\n/\n\n20150830T123600Z\nus-east-1\ndynamodb\nAKIDEXAMPLE\n3\nhost:dynamodb.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-target:DynamoDB_20120810.BatchWriteItem\n{\"RequestItems\":{}}",
        b"GET\n/a%20b\nA=1&b=2\n20150830T123600Z\neu-west-1\nsecretsmanager\nAKID\n2\nhost:  a   b  \nx-amz-security-token:tok\n",
        b"POST\n\n\n2015\nr\ns\nk\n0\n",
    ],
    "mapping": [
        b'{"model":"product.product","key":"default_code","fields":[{"source":"SKU","target":"default_code"},{"source":"Name","target":"name","type":"transform","transform":"trim"},{"source":"Price","target":"list_price","type":"transform","transform":"number"},{"target":"sale_ok","type":"constant","value":true},{"source":"Cat","target":"categ_id","type":"lookup","table":"cats"}],"lookups":{"cats":{"Food":3,"Tools":[4,5]}}}\n%%\nSKU,Name,Price,Cat\r\nA1,  Apple ,1.5,Food\r\n"B,2","x""y",1e3,Tools\n\n,,,\n',
        b'{"fields":[{"source":"a","target":"default_code","type":"transform","transform":"upper"}]}\n%%\n\xef\xbb\xbfa\nx\n"unterminated',
        b'{"model":"product.template","key":"x","fields":[]}\n%%\na,b\n1\n',
    ],
}


def write(dirname, data):
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(dirname, name)
    if not os.path.exists(path):
        with open(path, "wb") as fh:
            fh.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wire", required=True)
    ap.add_argument("--seeds", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    for t in TARGETS:
        os.makedirs(os.path.join(a.out, t), exist_ok=True)
    for t, data in wire_seeds(a.wire):
        write(os.path.join(a.out, t), data)
    # odoo-products' test mappings with its test CSV files
    cli = os.path.join(os.path.dirname(os.path.abspath(a.wire)), "cli", "data")
    maps = sorted(glob.glob(os.path.join(cli, "*mapping*.json")))
    csvs = sorted(glob.glob(os.path.join(cli, "*.csv")))
    for m in maps:
        with open(m, "rb") as fh:
            mtext = fh.read()
        write(os.path.join(a.out, "mapping"), mtext + b"\n%%\n")
        for c in csvs:
            with open(c, "rb") as fh:
                write(os.path.join(a.out, "mapping"), mtext + b"\n%%\n" + fh.read()[:4096])
    for t, seeds in HAND.items():
        for data in seeds:
            write(os.path.join(a.out, t), data)
    for t in TARGETS:
        src = os.path.join(a.seeds, t)
        if os.path.isdir(src):
            for f in sorted(os.listdir(src)):
                p = os.path.join(src, f)
                if os.path.isfile(p):
                    shutil.copyfile(p, os.path.join(a.out, t, f))


if __name__ == "__main__":
    main()
