"""Generated dispositions and cards: consistent with the accounts, dated, drawn from their own streams."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

import finlake.generate as generate_module
from finlake.generate import GeneratorConfig, generate
from finlake.generate.config import GeneratorConfig as Config
from finlake.generate.holders import holder_records
from finlake.generate.population import make_accounts, make_customers
from finlake.generate.records import Records
from finlake.generate.timeline import Timeline, day_number


def _population(n: int = 3000, seed: int = 3):
    timeline = Timeline.of(Config.resolve(customers=n, days=30, start_date="2024-03-01", seed=seed, dirty_rate=0.0))
    customers = make_customers(n, timeline, seed)
    return customers, make_accounts(customers, timeline, seed), timeline


def _column(records: Records, name: str) -> np.ndarray:
    return np.array(records.table[name].to_pylist(), dtype=object)


def test_every_account_has_its_owner_and_second_users_are_someone_else():
    customers, accounts, timeline = _population()
    dispositions, _ = holder_records(customers, accounts, timeline, seed=3)
    first = np.unique(_column(dispositions, "disposition_id"), return_index=True)[1]  # first version of each
    role = _column(dispositions, "role")[first]
    account = _column(dispositions, "account_id")[first]
    customer = _column(dispositions, "customer_id")[first]
    owner_of = {f"A{i + 1:08d}": f"C{c + 1:07d}" for i, c in enumerate(accounts.customer)}
    assert sorted(account[role == "OWNER"]) == sorted(owner_of)
    assert all(owner_of[a] == c for a, c in zip(account[role == "OWNER"], customer[role == "OWNER"], strict=True))
    second = role == "AUTHORISED_USER"
    assert 0.05 < second.sum() / accounts.is_main.sum() < 0.4
    assert not any(owner_of[a] == c for a, c in zip(account[second], customer[second], strict=True))
    opened = {f"A{i + 1:08d}": d for i, d in enumerate(accounts.opened)}
    valid_from = [day_number(v) for v in _column(dispositions, "valid_from")[first]]
    assert all(opened[a] <= v <= timeline.end for a, v in zip(account, valid_from, strict=True))


def test_cards_follow_their_disposition_and_are_not_from_the_future():
    customers, accounts, timeline = _population()
    dispositions, cards = holder_records(customers, accounts, timeline, seed=3)
    granted = dict(zip(_column(dispositions, "disposition_id"), _column(dispositions, "valid_from"), strict=True))
    issued = _column(cards, "issued_date")
    assert all(granted[d] < i for d, i in zip(_column(cards, "disposition_id"), issued, strict=True))
    assert max(day_number(i) for i in issued) <= timeline.end
    assert set(_column(cards, "card_type")) == {"JUNIOR", "CLASSIC", "GOLD"}
    assert np.array_equal(cards.ingest, np.maximum([day_number(i) for i in issued], timeline.start))


def test_stretched_customers_have_fewer_second_users_and_cards():
    """The documented mechanism (HOLDER_MODEL): both fall with the latent stress behind defaults."""
    customers, accounts, timeline = _population(6000)
    dispositions, cards = holder_records(customers, accounts, timeline, seed=3)
    index = {f"C{i + 1:07d}": i for i in range(customers.n)}
    owner = {f"A{i + 1:08d}": c for i, c in enumerate(accounts.customer)}
    with_second = {owner[a] for a, r in zip(_column(dispositions, "account_id"), _column(dispositions, "role"),
                                            strict=True) if r == "AUTHORISED_USER"}  # fmt: skip
    holder = dict(zip(_column(dispositions, "disposition_id"), _column(dispositions, "customer_id"), strict=True))
    with_card = {index[holder[d]] for d in _column(cards, "disposition_id")}
    stressed = customers.stress > 1
    calm = customers.stress < -1
    for group in (with_second, with_card):
        member = np.isin(np.arange(customers.n), list(group))
        assert member[calm].mean() > 1.5 * member[stressed].mean()


def test_the_other_entities_files_do_not_change(tmp_path, monkeypatch):
    """Generated with and without the holders, every other Bronze file is byte-identical."""
    config = GeneratorConfig.resolve(customers=60, days=3, start_date="2024-03-01", seed=9, dirty_rate=0.05)

    def digests(root: Path) -> dict[str, str]:
        files = (root / "bronze").rglob("*.csv")
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}

    generate(str(tmp_path / "with"), config, log=lambda _: None)
    real = generate_module.holder_records

    def empty(*args):
        return tuple(Records(r.entity, r.table.slice(0, 0), r.ingest[:0]) for r in real(*args))

    monkeypatch.setattr(generate_module, "holder_records", empty)
    generate(str(tmp_path / "without"), config, log=lambda _: None)
    with_holders, without = digests(tmp_path / "with"), digests(tmp_path / "without")
    added = {p for p in with_holders if "/dispositions/" in p or "/cards/" in p}
    assert added and {p: d for p, d in with_holders.items() if p not in added} == without
