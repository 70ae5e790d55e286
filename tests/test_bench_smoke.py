"""The benchmarks still run (a tiny run; the figures themselves are measured by hand)."""

from __future__ import annotations

from bench import relay, tx_hops


async def test_relay_benchmark_smoke() -> None:
    phases = await relay.run_minqing(30)
    assert [p["phase"] for p in phases] == ["latency", "throughput"]
    assert all(p["updates"] == 30 and p["updates_per_s"] > 0 for p in phases)
    bare = await relay.run_bare(30)
    assert all(p["updates"] == 30 for p in bare)


async def test_transaction_hops_benchmark_smoke(capsys) -> None:
    await tx_hops.main(20)
    assert "one hop is" in capsys.readouterr().out


async def test_talks_benchmark_smoke(capsys) -> None:
    from bench import talks

    await talks.run(slots=2, attempts=15, bookings=50)
    out = capsys.readouterr().out
    assert "booked 20 of 20 seats, 10 clear refusals" in out and "sweep" in out


async def test_broadcast_benchmark_smoke() -> None:
    from bench import broadcast

    result = await broadcast.run_minqing(40, 2)
    assert result["delivered"] == 40 and result["refused_429"] == 0
    bare = await broadcast.run_bare(10, 25.0)
    assert bare["delivered"] == 10


def test_export_benchmark_smoke(tmp_path, monkeypatch) -> None:
    from bench import export, report

    path = str(tmp_path / "r.sqlite3")
    report.seed(path, 300)
    monkeypatch.setenv("DATABASE_PATH", path)  # the benchmark sets it: undone after the test
    done = export.export(path, str(tmp_path / "l.xlsx"))
    assert done["bytes"] > 0 and done["seconds"] > 0
    assert export.bare(50, str(tmp_path / "b.xlsx"))["bytes"] > 0
