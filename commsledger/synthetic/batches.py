"""Flows of batches: marketing campaigns, statement runs, rate-change notices, valuations, costs
and charges statements and terms changes, each queued on the engine as one run of records."""

from __future__ import annotations

from functools import partial

from commsledger.synthetic.channels import CAMPAIGN_CHANNELS
from commsledger.synthetic.clock import DAY, MONTHS, day_info
from commsledger.synthetic.common import Record
from commsledger.synthetic.content import FUNDS, PADDED_MERCHANTS, TERMS_CHANGES, WRAPPERS
from commsledger.synthetic.engine import Engine
from commsledger.synthetic.people import Person
from commsledger.synthetic.templates import MARKETING, TEMPLATES, Template


def campaign(engine: Engine, t0: int) -> None:
    """A marketing campaign: one template, many recipients on one morning."""
    tpl: Template = engine.pick(MARKETING)
    channel = engine.choose(CAMPAIGN_CHANNELS)
    if not tpl.short and channel in ("sms", "push"):
        channel = "email"
    ctx = {
        "rate": engine.rate(3.5, 5.2),
        "months": str(engine.pick([18, 24, 30])),
        "apr": engine.rate(19.9, 29.9),
    }
    day = day_info(t0 // DAY + 1)
    slug = tpl.id.split("-")[1]
    number = engine.campaign_number()
    campaign_id = f"mkt-{day.year}{day.month:02d}-{slug}-{number:03d}"

    def build(t: int, p: Person) -> Record:
        ch = "email" if channel == "sms" and not p.mobile else channel
        return engine.render(t, tpl, ch, p, ctx, campaign=campaign_id)

    engine.run_batch(t0, 1, 0, 9 if channel != "sms" else 11, 3, build)


def statements(engine: Engine, t0: int) -> None:
    """The nightly statement run: e-statements by email or app, paper for some."""
    d = t0 // DAY + 1
    month = MONTHS[(day_info(d).month - 2) % 12]
    engine.run_batch(t0, 1, 0, 1, 3, partial(_statement, engine, month), 0.8)


def _statement(engine: Engine, month: str, t: int, p: Person) -> Record:
    r = engine.r
    opening = r() * 6000
    money_in, money_out = r() * 4000, r() * 4000
    ctx = {
        "month": month,
        "amount": f"£{opening:,.2f}",
        "amount_in": f"£{money_in:,.2f}",
        "amount_out": f"£{money_out:,.2f}",
        "amount2": f"£{opening + money_in - money_out:,.2f}",
        "annex": "",
    }
    paper = p.k % 5 == 0
    if paper or r() < 0.02:
        ctx["annex"] = _transactions(engine, t // DAY, 5 + int(r() * (40 if paper else 200)))
    if paper:
        return engine.render(t, TEMPLATES["stmt-paper-v2"], "letter", p, ctx)
    channel = "email" if r() < 0.6 else "push" if r() < 0.5 else "in_app"
    return engine.render(t, TEMPLATES["stmt-ready-v4"], channel, p, ctx)


def _transactions(engine: Engine, d: int, count: int) -> str:
    r, merchants = engine.r, PADDED_MERCHANTS
    lines = [
        f"{day_info(d - 30 + i * 30 // count).iso}  {merchants[int(r() * len(merchants))]}"
        f"{'£' + format(1 + 399 * r() * r(), ',.2f'):>12}"
        for i in range(count)
    ]
    return "\n\nTransactions\n" + "\n".join(lines)


def rate_change(engine: Engine, t0: int) -> None:
    """Rate-change notices: mortgages (Mortgages) or savings (Retail Banking)."""
    r = engine.r
    mortgage = r() < 0.5
    old = 3.5 + r() * 3
    new = old + (0.25 if r() < 0.5 else -0.25) * (1 + int(r() * 3))
    ctx = {
        "rate_old": f"{old:.2f}%",
        "rate_new": f"{new:.2f}%",
        "reason": engine.pick(
            [
                "the Bank of England changed Bank Rate.",
                "our funding costs have changed.",
                "we review our rates regularly against the market.",
            ]
        ),
    }
    if mortgage:
        ctx.update(
            product="mortgage",
            rights="switch to another of our mortgage products "
            "or repay your mortgage (no early repayment charge applies to our "
            "Standard Variable Rate)",
        )
    else:
        ctx.update(product="savings account", rights="close your account or move your money")

    def build(t: int, p: Person) -> Record:
        before = 300 + r() * 2500
        impact = (
            f"Your monthly payment will change from £{before:,.2f} to "
            f"£{before * (1 + (new - old) / 20):,.2f} from your next payment."
            if mortgage
            else f"On a balance of {engine.money(1000, 50_000)}, this "
            f"means about {engine.money(5, 300)} a year less or more interest."
        )
        c = {**ctx, "impact": impact, "date2": day_info(t // DAY + (30 if mortgage else 62)).long}
        return engine.render(
            t,
            TEMPLATES["rate-chg-v2"],
            "letter" if r() < 0.6 else "email",
            p,
            c,
            dept="Mortgages" if mortgage else "Retail Banking",
        )

    engine.run_batch(t0, 3 if mortgage else 1, 1 if mortgage else 0, 5, 3, build, 0.5)


def valuations(engine: Engine, t0: int) -> None:
    d = t0 // DAY
    quarter_end = day_info(d - 5)

    def build(t: int, p: Person) -> Record:
        holdings = []
        for _ in range(2 + int(engine.r() * 5)):
            fund, isin = engine.pick(FUNDS)
            units = 10 + engine.r() * 9000
            price = 0.5 + engine.r() * 4
            holdings.append(
                f"- {fund} (ISIN {isin}): {units:,.3f} units at {price:.4f} GBP = £{units * price:,.2f}"
            )
        ctx = {
            "wrapper": engine.pick(WRAPPERS),
            "date2": quarter_end.long,
            "amount": engine.money(5_000, 400_000),
            "amount2": engine.money(5_000, 400_000),
            "holdings": "\n".join(holdings),
        }
        return engine.render(t, TEMPLATES["mifid-val-v2"], "email", p, ctx, system="wealth-platform")

    engine.run_batch(t0, 7, 3, 6, 2, build, 0.5)


def costs(engine: Engine, t0: int) -> None:
    year = str(day_info(t0 // DAY).year - 1)

    def build(t: int, p: Person) -> Record:
        r = engine.r
        service, product = 50 + r() * 3000, 20 + r() * 1500
        ctx = {
            "year": year,
            "wrapper": engine.pick(WRAPPERS),
            "fee": f"£{service:,.2f}",
            "fee2": f"£{product:,.2f}",
            "amount": f"£{service + product:,.2f}",
            "pct": f"{0.3 + r() * 1.4:.2f}",
            "amount2": engine.money(10_000, 500_000),
        }
        return engine.render(
            t,
            TEMPLATES["mifid-cc-v1"],
            "letter" if r() < 0.5 else "email",
            p,
            ctx,
            system="wealth-platform",
        )

    engine.run_batch(t0, 7, 3, 5, 2, build, 0.5)


def terms(engine: Engine, t0: int) -> None:
    changes = engine.pick(TERMS_CHANGES)
    effective = day_info(t0 // DAY + 65).long
    dept = "Compliance" if engine.r() < 0.4 else None

    def build(t: int, p: Person) -> Record:
        ctx = {"changes": changes, "date2": effective}
        channel = "email" if engine.r() < 0.7 else "letter"
        return engine.render(t, TEMPLATES["reg-tc-v2"], channel, p, ctx, dept=dept)

    engine.run_batch(t0, 1, 0, 6, 3, build, 0.8)
