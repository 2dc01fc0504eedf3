#!/usr/bin/env python3
"""dindex over HTTP with nothing but Python's standard library.

Indexes two documents, searches them, and, given a URL, scrapes it and prints the job's progress as it happens.

    python3 quickstart.py                      # index and search
    python3 quickstart.py https://example.org/ # ... then scrape that site one link deep

DINDEX_URL (default http://127.0.0.1:10150) names the daemon; DINDEX_API_KEY its key when it has some.
"""
import json
import os
import sys
import urllib.error
import urllib.request

BASE = os.environ.get("DINDEX_URL", "http://127.0.0.1:10150").rstrip("/") + "/api/v1"
KEY = os.environ.get("DINDEX_API_KEY")


def headers(extra=None):
    h = dict(extra or {})
    if KEY:
        h["Authorization"] = "Bearer " + KEY
    return h


def call(method, path, body=None):
    """One request; the JSON reply, or SystemExit with the daemon's error code and message."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method,
                                     headers=headers({"Content-Type": "application/json"} if data else None))
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            return json.load(reply)
    except urllib.error.HTTPError as e:
        error = json.load(e)
        raise SystemExit(f"{method} {path}: {e.code} {error['code']}: {error['message']}")


def events(job_id):
    """The job's server-sent events as (name, data) pairs; the stream ends after job_completed."""
    request = urllib.request.Request(f"{BASE}/jobs/{job_id}/events", headers=headers())
    with urllib.request.urlopen(request, timeout=600) as stream:
        name = None
        for raw in stream:
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith("event:"):
                name = line[len("event:"):].strip()
            elif line.startswith("data:"):
                yield name, json.loads(line[len("data:"):])


def main():
    indexed = call("POST", "/index", {"documents": [
        {"url": "https://example.org/tides", "title": "Tides",
         "content": "Tides are the rise and fall of the sea, caused by the pull of the moon and the sun."},
        {"url": "https://example.org/volcanoes", "title": "Volcanoes",
         "content": "A volcano erupts when magma rises through cracks in the earth's crust."},
    ]})
    print(f"indexed {indexed['documents_indexed']} documents ({indexed['chunks_created']} chunks)")

    found = call("POST", "/search", {"query": "why does the sea rise and fall", "top_k": 3})
    for result in found["results"]:
        print(f"[{result['citation_index']}] {result['source_title']} {result['source_url']}"
              f" score {result['relevance_score']:.3f}")
        print("    " + result["chunks"][0]["content"])

    if len(sys.argv) > 1:
        job = call("POST", "/scrape", {"urls": [sys.argv[1]], "options": {"max_depth": 1, "max_pages": 20}})
        print(f"scrape job {job['job_id']}")
        for name, data in events(job["job_id"]):
            if name == "url_indexed":
                print(f"  indexed {data['url']} ({data['chunks_created']} chunks)")
            elif name in ("url_failed", "url_skipped"):
                print(f"  {name[4:]} {data['url']}: {data.get('error') or data.get('reason')}")
            elif name == "job_completed":
                print(f"job {data['status']}: {data['stats']['documents_processed']} pages indexed")
        print("stage:", call("GET", f"/jobs/{job['job_id']}")["stage"])


if __name__ == "__main__":
    main()
